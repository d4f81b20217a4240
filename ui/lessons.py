"""Lessons in the app: the ready lessons to offer, a step's script on the instructor's screen,
and a lesson started as a live class or as a link-only set.

A script is found by its question (:func:`embedding.classroom.lessons.question_key`), never
sent anywhere: the ready lessons' scripts are read once per process from ``data/lessons/``; a
lesson file the instructor imports keeps its scripts in that browser session only. So a class
started from a lesson, or a set that contains a lesson's questions, shows the instructor (and
only the instructor: the projector and the students never call :func:`script_box`) what to ask.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from embedding.classroom import lessons
from embedding.classroom.exercises import ExerciseSet, Question
from embedding.classroom.lessons import SCRIPT_LABELS, Lesson, Script, question_key
from embedding.text import escape_markdown

_SESSION_SCRIPTS = "lesson_scripts"  # session: {question key: Script} of imported lessons
EXERCISES_PAGE = "pages/exercises.py"


@st.cache_resource(show_spinner=False)
def ready() -> dict[str, Lesson]:
    """The ready lessons (``data/lessons/*.toml``), read and validated once per process,
    by name (``"lecture"``, ``"words-warm-up"``…; the file's number only orders them)."""
    return {name.split("-", 1)[1] if name[:2].isdigit() else name: lesson
            for name, lesson in lessons.ready_lessons().items()}


@st.cache_resource(show_spinner=False)
def _ready_scripts() -> dict[str, Script]:
    out: dict[str, Script] = {}
    for lesson in ready().values():
        for key, script in lesson.scripts_by_question().items():
            out.setdefault(key, script)  # a question in two lessons: the first one's script
    return out


def remember(lesson: Lesson) -> None:
    """Keep an imported lesson's scripts for this browser session."""
    st.session_state.setdefault(_SESSION_SCRIPTS, {}).update(lesson.scripts_by_question())


def script_for(q: Question) -> Script | None:
    """The instructor's script for question ``q``, if a ready or imported lesson has one."""
    key = question_key(q)
    return st.session_state.get(_SESSION_SCRIPTS, {}).get(key) or _ready_scripts().get(key)


def scripts_for(ex: ExerciseSet) -> dict[str, Script]:
    """The scripts known for the questions of ``ex`` (for exporting it as a lesson)."""
    out = {}
    for q in ex.questions:
        if (script := script_for(q)) is not None:
            out[question_key(q)] = script
    return out


def script_box(q: Question, expanded: bool = True) -> None:
    """The instructor's script for ``q`` (nothing when it has none). Instructor views only."""
    script = script_for(q)
    if not script:
        return
    with st.expander("Your script", icon=":material/record_voice_over:", expanded=expanded):
        st.markdown("\n".join(f"- **{label}:** {escape_markdown(getattr(script, name))}"
                              for name, label in SCRIPT_LABELS.items()
                              if getattr(script, name)))


def open_as_link(lesson: Lesson) -> None:
    """Open ``lesson`` in the exercise builder as this person's set, ready to share by link or
    QR code (nothing is stored on the server)."""
    st.session_state["ex_pending"] = lesson.exercise_set()  # the builder applies it first
    st.session_state["ex_import_done"] = None
    st.switch_page(EXERCISES_PAGE)


def lesson_files(lesson: Lesson, key: str) -> None:
    """The lesson's two downloads: the lesson file (TOML) and the instructor's script."""
    row = st.container(horizontal=True)
    row.download_button("Lesson file (TOML)", lambda: lessons.to_toml(lesson).encode("utf-8"),
                        lessons.filename(lesson), "application/toml", key=f"{key}_toml",
                        icon=":material/download:", on_click="ignore")
    row.download_button("Instructor's script (Markdown)",
                        lambda: lessons.script_markdown(lesson).encode("utf-8"),
                        lessons.filename(lesson).replace(".toml", "-script.md"),
                        "text/markdown", key=f"{key}_script", icon=":material/description:",
                        on_click="ignore")


def ready_lessons_panel(start_live: Callable[[ExerciseSet], None], key: str) -> None:
    """One card per ready lesson: what it covers, and one click to start it as a live class or
    to share it as a link. ``start_live(exercise_set)`` starts the class (the live page's)."""
    for name, lesson in ready().items():
        with st.container(border=True):
            kinds = [s.question.kind for s in lesson.steps]
            explore = kinds.count("explore")
            st.markdown(f"**{escape_markdown(lesson.title)}** · {lesson.minutes} min · "
                        f"{len(kinds) - explore} questions, {explore} pages to explore")
            st.caption(escape_markdown(lesson.summary.replace("\n", " ")))
            row = st.container(horizontal=True)
            if row.button("Start as a live class", key=f"{key}_{name}_live", type="primary",
                          icon=":material/co_present:"):
                start_live(lesson.exercise_set())
            if row.button("Share as a link", key=f"{key}_{name}_link",
                          icon=":material/link:",
                          help="Open it in the exercise builder: a link and a QR code carry "
                               "the questions; nothing is stored on the server."):
                open_as_link(lesson)
            with row.popover("Files", icon=":material/folder_open:"):
                lesson_files(lesson, f"{key}_{name}")
