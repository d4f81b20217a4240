"""Who this browser is: the durable identity from the ``ee_person`` cookie, for every page.

``serve.py`` (what ``make run`` starts) gives each browser an HttpOnly cookie holding a random
secret (``embedding.classroom.identity``); this module reads it from the websocket's handshake
(``st.context.cookies``) and turns it into :func:`person_id`, the hash the database stores. The
same browser is the same person across reloads, server restarts and replicas.

Without the cookie (AppTest, or ``streamlit run app.py`` started directly instead of
``serve.py``) the identity falls back to a random secret kept in this session only:
:func:`durable` says which, so the live class can tell the instructor instead of pretending.

    from ui.identity import person_id
    me = person_id()          # 32 hex digits, the same after a reload
"""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from embedding.classroom import identity as core

_FALLBACK_KEY = "_person_secret"  # session: the per-session secret when no cookie came


def _cookie_secret() -> str | None:
    try:
        value = st.context.cookies.get(core.COOKIE)
    except Exception:  # noqa: BLE001 - no browser context (bare scripts, some tests)
        return None
    return value if core.is_valid_secret(value) else None


def durable() -> bool:
    """True when this browser sent the identity cookie (a reload keeps the same person)."""
    return _cookie_secret() is not None


def person_id() -> str:
    """This person's id: the hash of the cookie's secret (or of a per-session one).

    Usage: ``Classroom(db).join(code, person_id(), nickname)``
    """
    secret = _cookie_secret()
    if secret is None:
        secret = st.session_state.get(_FALLBACK_KEY)
        if not core.is_valid_secret(secret):
            secret = st.session_state[_FALLBACK_KEY] = core.new_secret()
    return core.person_id(secret)


def switch_link(next_path: str) -> str:
    """A link (same site) that gives this browser a new identity and comes back to
    ``next_path`` (e.g. ``/live_class?class=KAXFEP``): "Not you? Join as someone else"."""
    from streamlit import config

    base = "/" + (config.get_option("server.baseUrlPath") or "").strip("/")
    base = base.rstrip("/")
    target = core.safe_next(base + "/" + next_path.lstrip("/"))
    return f"{base}{core.SWITCH_PATH}?next={quote(target, safe='/')}"
