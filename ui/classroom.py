"""Live class glue: the shared database handle, who this browser session is, cached results.

A browser session is a **student** (the URL carries ``class=CODE``), the **instructor** (the
URL also carries ``key=TOKEN`` and the token checks out) or neither. The role is decided on the
server from the token every run; the token itself is never written into a student's page.
"""

from __future__ import annotations

import hashlib
import json
import secrets

import numpy as np
import streamlit as st

from embedding.classroom import exercises as exs
from embedding.classroom.classmap import ClassMap, build_map, glove_rows
from embedding.classroom.db import ClassDB, default_url
from embedding.classroom.live import Classroom
from embedding.models.providers import SBERT_KEY
from ui import cached, resources

CODE_PARAM, KEY_PARAM = "class", "key"
STUDENT_KEY = "class_student"
OWNER_KEY = "owner_id"
LIVE_PAGE = "pages/live_class.py"
REFRESH_SECONDS = 1.0


@st.cache_resource(show_spinner=False)
def _classroom(url: str) -> Classroom:
    return Classroom(ClassDB(url))


def classroom() -> Classroom | None:
    """The process-wide :class:`Classroom`, or ``None`` after a friendly error (DB down)."""
    url = default_url()
    try:
        return _classroom(url)
    except Exception as exc:  # noqa: BLE001 - any driver error becomes a message
        where = "PostgreSQL (DATABASE_URL)" if not url.startswith("sqlite") else "SQLite"
        st.error(f"The class database ({where}) cannot be reached right now, so live classes "
                 f"are unavailable: {type(exc).__name__}. Link-only exercises still work.",
                 icon=":material/database:")
        return None


def student_id() -> str:
    """This browser session's anonymous student id (random, kept for the session)."""
    if STUDENT_KEY not in st.session_state:
        st.session_state[STUDENT_KEY] = secrets.token_urlsafe(12)
    return st.session_state[STUDENT_KEY]


def owner_tag() -> str:
    """A tag naming this browser session as the owner of what it builds (e.g. a search index).

    The secret behind it stays in the session; only its hash is stored with the index.
    """
    if OWNER_KEY not in st.session_state:
        st.session_state[OWNER_KEY] = secrets.token_urlsafe(16)
    return hashlib.sha256(st.session_state[OWNER_KEY].encode()).hexdigest()[:32]


def current_class() -> tuple[str | None, str | None]:
    """The (code, token) this session is in: from the URL, else from this session's state."""
    code = st.query_params.get(CODE_PARAM) or st.session_state.get("class_code")
    token = st.query_params.get(KEY_PARAM) or st.session_state.get("class_token")
    return code, token


def may_delete_index(meta: dict) -> bool:
    """Whether this session may delete a search index with metadata ``meta``: its owner, or
    the instructor of the class it was built in. Indexes from before ownership have no owner
    and stay deletable, as they were."""
    owner = meta.get("owner")
    if not owner:
        return True
    if owner == owner_tag():
        return True
    code, token = current_class()
    live = classroom_quiet()
    return bool(meta.get("class") and code and live and meta["class"] == code
                and live.is_instructor(code, token))


def classroom_quiet() -> Classroom | None:
    """:func:`classroom` without a message (for checks that must not draw)."""
    try:
        return _classroom(default_url())
    except Exception:  # noqa: BLE001
        return None


def index_owner_meta() -> dict:
    """The metadata that marks a new index as this session's (and its class's, if any)."""
    code, _ = current_class()
    return {"owner": owner_tag(), "class": code or ""}


# ---------------------------------------------------------------- computed keys and maps


def solution(q: exs.Question) -> exs.Solution | None:
    """The computed key of ``q`` (cached by content), ``None`` when it cannot be computed."""
    try:
        return cached.exercise_solution(json.dumps(exs.question_to_dict(q), sort_keys=True))
    except (KeyError, ValueError, OSError):
        return None


@st.cache_data(max_entries=64, show_spinner=False)
def class_map(answers: tuple[str, ...], model: str, method: str,
              provider: str = SBERT_KEY) -> ClassMap:
    """The class map of ``answers`` (cached: the projector refreshes often, answers change
    less often); sentence maps use ``provider`` (the built-in SBERT unless one is chosen)."""
    if model == "glove":
        kv = resources.glove()
        return build_map(answers, lambda texts: glove_rows(kv, texts), method)
    return build_map(answers,
                     lambda texts: (np.asarray(cached.embed_rows(tuple(texts), provider)), []),
                     method)
