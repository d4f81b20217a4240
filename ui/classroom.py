"""Live class glue: the shared database handle, who this browser is, cached results.

Who someone is comes from :mod:`ui.identity` (a durable cookie): a person is a **student** of
the class in the link (``class=CODE``), its **instructor** (their browser started the class, or
exchanged the instructor key for an instructor session) or neither. The role is decided on the
server every run from the database; the key itself is never written into a student's page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

from embedding import config
from embedding.classroom import exercises as exs
from embedding.classroom.address import JoinAddress, join_base
from embedding.classroom.classmap import ClassMap, build_map, glove_rows
from embedding.classroom.db import ClassDB, DatabaseUnavailable, default_url
from embedding.classroom.live import (
    ClassError,
    ClassInfo,
    Classroom,
    Joined,
    Pulse,
    Results,
    summarise,
)
from embedding.classroom.owners import SetOwners
from embedding.models.providers import SBERT_KEY
from ui import cached, resources
from ui.catalog import available
from ui.identity import person_id

ROOT = Path(__file__).resolve().parents[1]

CODE_PARAM, KEY_PARAM, VIEW_PARAM = "class", "key", "view"
PROJECTOR = "projector"  # ?view=projector: the instructor's projector view
LIVE_PAGE = "pages/live_class.py"
REFRESH_SECONDS = 1.0
#: How often a student's screen checks whether the class moved on: one small query (shared by
#: the process's sessions) and a redraw of the step from this session's memory.
FOLLOW_SECONDS = 1.0


@st.cache_resource(show_spinner=False)
def _classroom(url: str) -> Classroom:
    return Classroom(ClassDB(url))


def classroom() -> Classroom | None:
    """The process-wide :class:`Classroom`, or ``None`` after a friendly error (a
    ``DATABASE_URL`` that is not a database address). A database that is down is not an
    error here: each call then raises ``DatabaseUnavailable``, which pages show calmly."""
    url = default_url()
    try:
        return _classroom(url)
    except Exception as exc:  # noqa: BLE001 - any driver error becomes a message
        where = "PostgreSQL (DATABASE_URL)" if not url.startswith("sqlite") else "SQLite"
        st.error(f"The class database ({where}) cannot be used, so live classes are "
                 f"unavailable: {type(exc).__name__}. Link-only exercises still work.",
                 icon=":material/database:")
        return None


def student_id() -> str:
    """This person's id in a class: the durable identity (:func:`ui.identity.person_id`), so a
    reload, a restart or another replica keeps the same student."""
    return person_id()


def owner_tag() -> str:
    """The tag naming this person as the owner of what they build (e.g. a search index): the
    durable identity's hash, so a student keeps their indexes after a reload. The secret
    behind it stays in the browser's cookie; only this hash is stored with the index."""
    return person_id()


@dataclass
class StudentView:
    """What a student's screen shows, as read from the database at ``pulse``: the class, this
    person's seat and their answers (``mine``, updated in place when they send one), or the
    :class:`ClassError` that replaces them (deleted, expired, removed by the instructor)."""

    pulse: Pulse
    info: ClassInfo | None = None
    seat: Joined | None = None
    mine: dict[int, str] = field(default_factory=dict)
    error: ClassError | None = None


def _view_key(code: str) -> str:
    return f"class_view_{code}"


def student_view(live: Classroom, code: str, me: str, fresh: bool = False) -> StudentView:
    """This student's view of class ``code``: one small shared query (:meth:`Classroom.pulse`)
    per call; the class, the seat and the answers are read again only when the pulse changed
    (the instructor moved on, closed, showed, ended, removed, reset...), when ``fresh`` (a full
    page run: load, reload, join) or after :func:`forget_student_view`. The pulse is read
    first, so a view is never older than its pulse. Raises ``DatabaseUnavailable``."""
    pulse = live.pulse(code)
    view = None if fresh else st.session_state.get(_view_key(code))
    if view is None or view.pulse != pulse:
        try:
            info = live.info(code)
        except ClassError as exc:
            view = StudentView(pulse, error=exc)
        else:
            try:
                view = StudentView(pulse, info, live.seat(info.code, me),
                                   live.my_answers(info.code, me))
            except ClassError as exc:  # removed by the instructor
                view = StudentView(pulse, info, error=exc)
        st.session_state[_view_key(code)] = view
    return view


def forget_student_view(code: str) -> None:
    """Read the student's view from the database again at the next :func:`student_view`
    (after a join or a rename inside the screen's fragment: things the pulse does not count;
    a full page run asks for a ``fresh`` view instead)."""
    st.session_state.pop(_view_key(code), None)


def current_class() -> str | None:
    """The class this session is in: from the URL, else from this session's state."""
    return st.query_params.get(CODE_PARAM) or st.session_state.get("class_code")


def may_delete_index(meta: dict) -> bool:
    """Whether this person may delete a search index with metadata ``meta``: its owner, or
    the instructor of the class it was built in. Indexes from before ownership have no owner
    and stay deletable, as they were."""
    owner = meta.get("owner")
    if not owner:
        return True
    if owner == owner_tag():
        return True
    live = classroom_quiet()
    if not (meta.get("class") and live):
        return False
    try:
        return live.is_instructor(meta["class"], person_id())
    except (DatabaseUnavailable, ClassError):
        return False


def classroom_quiet() -> Classroom | None:
    """:func:`classroom` without a message (for checks that must not draw)."""
    try:
        return _classroom(default_url())
    except Exception:  # noqa: BLE001
        return None


def index_owner_meta() -> dict:
    """The metadata that marks a new index as this person's (and its class's, if any)."""
    return {"owner": owner_tag(), "class": current_class() or ""}


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


# ---------------------------------------------------------------- results, keys, explanations


@dataclass(frozen=True)
class ResultsView:
    """One question's answers summarised, with its key (``None`` when it cannot be computed)
    and the answers counted as right, as they appear in ``results.counts``."""

    results: Results
    solution: exs.Solution | None
    correct: frozenset[str]


def _is_right(q: exs.Question, sol: exs.Solution):
    if q.typed:
        accepted = {x.casefold() for x in sol.accepted}
        return lambda a: a.casefold() in accepted
    return lambda a: a in sol.accepted


@st.cache_data(max_entries=128, show_spinner=False)
def _results_view(question_json: str, answers: tuple[str, ...]) -> ResultsView:
    q = exs.question_from_dict(json.loads(question_json))
    sol = None if q.open_ended else solution(q)
    results = summarise(answers, _is_right(q, sol) if sol else None)
    correct = frozenset(a for a, _ in results.counts if sol and _is_right(q, sol)(a))
    return ResultsView(results, sol, correct)


def results_view(q: exs.Question, answers: tuple[str, ...]) -> ResultsView:
    """The class's answers to ``q`` (cached: the projector and the control view redraw every
    second with the same answers)."""
    return _results_view(json.dumps(exs.question_to_dict(q), sort_keys=True), answers)


@st.cache_data(max_entries=256, show_spinner=False)
def _wrong_explanation(question_json: str, answer: str) -> str:
    q = exs.question_from_dict(json.loads(question_json))
    sol = solution(q)
    if sol is None:
        return q.hint(answer)
    kv = resources.glove() if "glove" in q.needs else None
    return q.explain_wrong(sol, answer, kv=kv)


def wrong_explanation(q: exs.Question, answer: str) -> str:
    """Why ``answer`` is wrong, with its numbers against the right answer's (plain text)."""
    return _wrong_explanation(json.dumps(exs.question_to_dict(q), sort_keys=True), answer)


def verdict(q: exs.Question, answer: str | None) -> str:
    """What a student sees once the instructor shows the answer: right or not, and why."""
    sol = solution(q)
    if sol is None:
        return ""
    if not answer:
        return f"The answer: {sol.correct}. {sol.note}"
    if _is_right(q, sol)(answer):
        return f"Right! {sol.note}"
    return f"The answer is {sol.correct}. {wrong_explanation(q, answer)}"


# ---------------------------------------------------------------- explore steps


def explore_page(q: exs.ExploreStep):
    """The catalogue entry of the page an Explore step opens, ``None`` if this server lacks it."""
    for page in available(ROOT):
        if Path(page.path).stem == q.page:
            return page
    return None


def explore_link(q: exs.ExploreStep) -> str:
    """The link that opens the step's page with its preset (same site)."""
    query = q.link_query()
    return f"{_base_path()}/{q.page}" + (f"?{query}" if query else "")


def _base_path() -> str:
    from streamlit import config as st_config

    base = (st_config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


# ---------------------------------------------------------------- the join link's address


@st.cache_resource(show_spinner=False)
def _network_ip() -> str | None:
    """This machine's address on the network (what ``streamlit run`` prints as Network URL);
    found once per process (no packet is sent: a UDP socket's local address)."""
    from streamlit import net_util

    try:
        return net_util.get_internal_ip()
    except Exception:  # noqa: BLE001
        return None


def join_address() -> JoinAddress:
    """Where students join: the public address setting, else this machine's network address
    when the page was opened as localhost, else the instructor's own address; with a hint."""
    from streamlit import config as st_config

    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - tests without a browser
        url = ""
    listen = st_config.get_option("server.address") if st_config.is_manually_set(
        "server.address") else None
    page_url = url.split("?")[0].split("#")[0] or "http://localhost:8501"
    return join_base(page_url, config.public_url(), _network_ip(), listen)


# ---------------------------------------------------------------- what is kept, how long


def purge_note() -> str:
    """For the instructor: how long an ended class is kept, and what this server's latest
    purge removed (``resources.last_purge()``)."""
    days = config.keep_days()
    if days <= 0:
        return ("Classes are kept until you delete them (EMBEDDING_EXPLORER_KEEP_DAYS is 0: "
                "no purge).")
    kept = (f"A class is deleted with its answers {days:g} day{'s' * (days != 1)} after it "
            "ends or expires (the server purges every hour).")
    report = resources.last_purge()
    return f"{kept} " + (report.sentence() if report else "No purge has run on this server yet.")


# ---------------------------------------------------------------- the instructor key


_KEYS = "class_keys"  # session: {code: instructor key} shown in this browser


def remember_key(code: str, key: str) -> None:
    """Keep the instructor key of ``code`` in this session (never in a student's page)."""
    st.session_state.setdefault(_KEYS, {})[code] = key


def instructor_key(code: str) -> str | None:
    """The instructor key this session knows for ``code``, if any."""
    return st.session_state.get(_KEYS, {}).get(code)


#: Static CSS (no user text) for the views that refresh every second: Streamlit dims what is
#: being redrawn and shows its "running" indicator, which would make the results blink.
STEADY_CSS = """<style>
[data-stale="true"] { opacity: 1 !important; transition: none !important; }
[data-testid="stStatusWidget"] { visibility: hidden !important; }
</style>"""
#: The projector view: the same, no header band (the first line sits at the top of the
#: screen), and the class code (in the container keyed ``class_bigcode``) readable from the
#: back row.
PROJECTOR_CSS = """<style>
[data-stale="true"] { opacity: 1 !important; transition: none !important; }
[data-testid="stStatusWidget"] { visibility: hidden !important; }
[data-testid="stHeader"] { background: transparent !important; height: 2.5rem !important; }
[data-testid="stMainBlockContainer"] { padding-top: 2.6rem !important; }
.st-key-class_bigcode h1 { font-size: 5rem !important; letter-spacing: 0.12em;
  font-family: "Source Code Pro", monospace; padding: 0.2rem 0 !important; }
</style>"""


def steady_page(projector: bool = False) -> None:
    """Keep a refreshing view still (and, for the projector, big and to the top)."""
    if projector:
        st.html(PROJECTOR_CSS)
    else:
        st.html(STEADY_CSS)


# ---------------------------------------------------------------- who built an exercise set


@st.cache_resource(show_spinner=False)
def _set_owners(url: str) -> SetOwners:
    owners = SetOwners(_classroom(url).db)
    try:
        owners.purge()  # once per server process: records older than owners.KEEP_DAYS go
    except DatabaseUnavailable:
        pass
    return owners


def set_owners() -> SetOwners | None:
    """The process-wide :class:`SetOwners` (``None`` when the database cannot be used)."""
    try:
        return _set_owners(default_url())
    except Exception:  # noqa: BLE001 - a DATABASE_URL that is not one: nobody owns anything
        return None


def owns_set(ex: exs.ExerciseSet) -> bool:
    """Whether this person may see ``ex``'s answer key: they built it (or opened its answer-key
    link), or it is empty or the builder's public example. A database that cannot be reached
    says no (and nothing else goes wrong)."""
    if not ex.questions or ex.questions == exs.EXAMPLE_SET.questions:
        return True
    owners = set_owners()
    try:
        return bool(owners and owners.owns(person_id(), exs.fingerprint(ex)))
    except DatabaseUnavailable:
        return False


def mark_built(ex: exs.ExerciseSet) -> None:
    """Record that this person built ``ex`` (quietly skipped when the database is down: the
    key then stays hidden, which is the safe side)."""
    owners = set_owners()
    if owners is not None and ex.questions and ex.questions != exs.EXAMPLE_SET.questions:
        try:
            owners.record(person_id(), exs.fingerprint(ex))
        except DatabaseUnavailable:
            pass


def answer_key_link(link: str, ex: exs.ExerciseSet) -> str | None:
    """The set's link with its answer-key ``key``: opening it makes that browser an owner."""
    owners = set_owners()
    try:
        return f"{link}&{KEY_PARAM}={owners.key_for(exs.fingerprint(ex))}" if owners else None
    except DatabaseUnavailable:
        return None


def claim_set(ex: exs.ExerciseSet, key: str) -> bool:
    """Open an answer-key link: with the right ``key``, this person owns ``ex`` from now on."""
    owners = set_owners()
    try:
        if owners and owners.key_matches(exs.fingerprint(ex), key):
            owners.record(person_id(), exs.fingerprint(ex))
            return True
    except DatabaseUnavailable:
        pass
    return False
