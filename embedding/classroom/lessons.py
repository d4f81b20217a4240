"""Lessons as files: an exercise set with an instructor's script, kept and shared as TOML.

A **lesson** is a title, a one-paragraph summary, its length in minutes and up to 12 steps. A
step is a question (any kind of :mod:`.questions`) or an *explore* step (the page and preset the
class opens), with a short **script** for the instructor: what to ask before showing, what to
notice, the typical wrong answer and why people give it. Students only ever receive
:meth:`Lesson.exercise_set` (the questions, never the script: it names the answers).

Why TOML: an instructor can read and edit it in any text editor (comments, multi-line scripts,
no braces to balance); Python reads it with the standard library (``tomllib``), which has no
tags, no aliases and no way to run code, and every value has one plain type (``no`` is text,
never ``false``). Files are checked by size first, then parsed, then validated: the lesson's
shape by a pydantic schema (``LessonFile``; every field typed, nothing extra, lengths capped),
each question by its own kind's strict validator (the one home of question rules).

    >>> lesson = read_lesson(to_toml(Lesson("Warm-up", steps=(Step(EXAMPLE_SET.questions[0],
    ...     Script(ask="Which would you recommend?", notice="Directions, not sizes.")),))))
    >>> lesson.steps[0].script.ask
    'Which would you recommend?'
    >>> lesson.exercise_set().questions == EXAMPLE_SET.questions[:1]
    True
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from embedding.classroom.questions import Question, question_from_dict, question_to_dict
from embedding.classroom.sets import EXAMPLE_SET, MAX_QUESTIONS, MAX_TITLE, ExerciseSet
from embedding.classroom.validation import ExerciseFormatError, typename

FORMAT = "embedding-explorer/lesson"
VERSION = 1
#: Largest lesson file read (a 12-step lecture with full scripts is about 12 KB).
MAX_LESSON_BYTES = 64 * 1024
#: At most this many steps: a lesson must run as a live class and fit in a link.
MAX_STEPS = MAX_QUESTIONS
MAX_SUMMARY = 600
MAX_STEP_TITLE = 80
MAX_SCRIPT = 700
MAX_MINUTES = 240
#: Where the ready lessons are.
READY_DIR = Path(__file__).resolve().parents[2] / "data" / "lessons"


class LessonFormatError(ExerciseFormatError):
    """A lesson file that cannot be read; the message says what is wrong and where."""


# ------------------------------------------------------------------ the lesson in memory


@dataclass(frozen=True)
class Script:
    """What the instructor says around one step (never shown to students)."""

    ask: str = ""  # what to ask the room before showing the answer
    notice: str = ""  # what to point out once it is on the screen
    wrong: str = ""  # the typical wrong answer
    why: str = ""  # why people give it, and why it is wrong

    def __bool__(self) -> bool:
        return any((self.ask, self.notice, self.wrong, self.why))


#: The parts of a script, as the instructor's screen and the printed script name them.
SCRIPT_LABELS = {"ask": "Ask first", "notice": "Notice", "wrong": "Typical wrong answer",
                 "why": "Why"}


@dataclass(frozen=True)
class Step:
    """One step of a lesson: a question (or explore step), a short title and its script."""

    question: Question
    script: Script = field(default_factory=Script)
    title: str = ""


@dataclass(frozen=True)
class Lesson:
    """A titled sequence of steps with an instructor's script: what a lesson file holds.

    Usage: ``Lesson("Warm-up", "Words in 15 minutes", 15, steps=(Step(q, Script(ask=…)),))``
    """

    title: str
    summary: str = ""
    minutes: int | None = None
    steps: tuple[Step, ...] = ()

    def exercise_set(self) -> ExerciseSet:
        """The questions students get (a link, a QR code, a live class): no script, no key."""
        return ExerciseSet(self.title, tuple(s.question for s in self.steps))

    @property
    def scripts(self) -> tuple[Script, ...]:
        """One script per question of :meth:`exercise_set`, in the same order."""
        return tuple(s.script for s in self.steps)

    @classmethod
    def from_set(cls, ex: ExerciseSet, scripts: dict[str, Script] | None = None,
                 summary: str = "", minutes: int | None = None) -> Lesson:
        """A lesson of ``ex``'s questions; ``scripts`` by :func:`question_key` (the ones
        whose question is still in the set are kept, wherever it moved).

        Usage: ``Lesson.from_set(st.session_state["ex_set"], scripts)``
        """
        scripts = scripts or {}
        return cls(ex.title, summary, minutes,
                   tuple(Step(q, scripts.get(question_key(q), Script())) for q in ex.questions))

    def scripts_by_question(self) -> dict[str, Script]:
        """``{question_key(q): script}`` of the steps that have one (see :meth:`from_set`)."""
        return {question_key(s.question): s.script for s in self.steps if s.script}


def question_key(q: Question) -> str:
    """A question's identity as text (its canonical JSON form), to keep a script with it.

    Usage: ``question_key(EXAMPLE_SET.questions[2])`` → ``'{"a": "chocolate milk", …}'``
    """
    return json.dumps(question_to_dict(q), sort_keys=True, ensure_ascii=False)


# ------------------------------------------------------------------ the file's schema


#: Text without control characters except tab; the second also allows line breaks.
ONE_LINE = r"^[^\x00-\x08\x0a-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _text(max_len: int, *, multiline: bool = False) -> Any:
    """A text field: stripped (``str_strip_whitespace`` below), at most ``max_len`` characters,
    no control character except tab (and line breaks in ``multiline`` text, e.g. a script)."""
    return Field(default="", max_length=max_len, pattern=MULTI_LINE if multiline else ONE_LINE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True,
                              frozen=True)


class ScriptFile(_Strict):
    """``[step.script]``: the instructor's words around a step."""

    ask: str = _text(MAX_SCRIPT, multiline=True)
    notice: str = _text(MAX_SCRIPT, multiline=True)
    wrong: str = _text(MAX_SCRIPT, multiline=True)
    why: str = _text(MAX_SCRIPT, multiline=True)


class StepFile(BaseModel):
    """``[[step]]``: an optional ``title`` and ``script``; every other key is the question's
    (``kind`` and its fields), checked by that kind's own validator."""

    model_config = ConfigDict(extra="allow", strict=True, str_strip_whitespace=True,
                              frozen=True)
    title: str = _text(MAX_STEP_TITLE)
    script: ScriptFile = Field(default_factory=ScriptFile)


class LessonFile(_Strict):
    """A lesson file: ``format`` and ``version`` first, then the lesson and its steps."""

    format: Literal["embedding-explorer/lesson"]
    version: Literal[1]
    title: str = Field(min_length=1, max_length=MAX_TITLE, pattern=ONE_LINE)
    summary: str = _text(MAX_SUMMARY, multiline=True)
    minutes: int | None = Field(default=None, ge=1, le=MAX_MINUTES)
    step: list[StepFile] = Field(min_length=1, max_length=MAX_STEPS)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a lesson file's shape (editors can check TOML against it).

    Usage: ``json.dumps(json_schema(), indent=2)``
    """
    return LessonFile.model_json_schema()


_WHERE_FIELD = {"step": "step", "script": "script"}


def _where(loc: tuple[Any, ...]) -> str:
    """``("step", 2, "script", "ask")`` → ``"Step 3, script, 'ask'"``."""
    parts: list[str] = []
    i = 0
    while i < len(loc):
        part = loc[i]
        if part == "step" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            parts.append(f"Step {loc[i + 1] + 1}")
            i += 2
            continue
        if isinstance(part, int):
            parts.append(f"item {part + 1}")
        elif part == "script" and i + 1 < len(loc):
            parts.append("script")
        else:
            parts.append(f"'{str(part)[:30]}'")
        i += 1
    return ", ".join(parts) or "The lesson"


def _explain(err: dict[str, Any]) -> str:
    """One pydantic error as a sentence a person can act on."""
    loc, kind, ctx = tuple(err.get("loc", ())), err.get("type", ""), err.get("ctx") or {}
    where = _where(loc)
    got = err.get("input")
    if kind == "missing":
        return f"{where} is missing."
    if kind == "extra_forbidden":
        return f"{where} is not a field a lesson file knows (check its spelling)."
    if kind == "literal_error" and loc == ("format",):
        return (f"This is not an Embedding Explorer lesson ('format' should be '{FORMAT}').")
    if kind == "literal_error" and loc == ("version",):
        return (f"This lesson file has version {str(got)[:10]}; this app reads version "
                f"{VERSION}.")
    if kind in ("string_too_long", "too_long"):
        n = len(got) if hasattr(got, "__len__") else "?"
        limit = ctx.get("max_length")
        what = "characters" if kind == "string_too_long" else "entries"
        return f"{where} is too long ({n} {what}; at most {limit})."
    if kind == "string_too_short":
        return f"{where} is empty."
    if kind == "too_short":
        return "A lesson needs at least one step ([[step]])."
    if kind == "string_pattern_mismatch":
        return f"{where} contains a line break or control character where none is allowed."
    if kind.endswith("_type") or kind in ("model_type", "model_attributes_type"):
        expected = {"string_type": "text", "int_type": "a whole number",
                    "list_type": "a list of [[step]] tables", "model_type": "a table"}
        return (f"{where} must be {expected.get(kind, kind.removesuffix('_type'))}, "
                f"not {typename(got)}.")
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{where} must be between 1 and {MAX_MINUTES}."
    return f"{where}: {err.get('msg', 'not valid')}."


#: Fields a lesson file may leave out, by kind of step (a link always carries them).
_OPTIONAL: dict[Any, dict[str, Any]] = {"explore": {"params": {}, "note": ""}}


def _from_model(m: LessonFile) -> Lesson:
    steps = []
    for i, s in enumerate(m.step, start=1):
        data = dict(s.model_extra or {})
        for key, default in _OPTIONAL.get(data.get("kind"), {}).items():
            data.setdefault(key, default)
        if "kind" not in data:
            raise LessonFormatError(f"Step {i} has no 'kind' (the kind of question or "
                                    "'explore').")
        try:
            q = question_from_dict(data, f"Step {i}")
        except ExerciseFormatError as exc:
            raise LessonFormatError(str(exc)) from None
        sc = s.script
        steps.append(Step(q, Script(sc.ask, sc.notice, sc.wrong, sc.why), s.title))
    return Lesson(m.title, m.summary, m.minutes, tuple(steps))


def from_data(data: Any) -> Lesson:
    """A lesson from parsed TOML (a ``dict``), validated; :class:`LessonFormatError` otherwise.

    Usage: ``from_data(tomllib.loads(text))``
    """
    if not isinstance(data, dict):
        raise LessonFormatError(f"A lesson file is a table of fields, not {typename(data)}.")
    if not data:
        raise LessonFormatError("The file is empty: export a lesson from the Exercise builder "
                                "to see what one looks like.")
    if data.get("format") != FORMAT:
        raise LessonFormatError(f"This is not an Embedding Explorer lesson: its first lines "
                                f"should say format = \"{FORMAT}\" and version = {VERSION}.")
    if "step" not in data and isinstance(data.get("steps"), list):
        raise LessonFormatError("Write each step as [[step]] (not [[steps]]).")
    try:
        model = LessonFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        more = f" ({len(errors) - 1} more problem{'s' * (len(errors) > 2)} after this one.)" \
            if len(errors) > 1 else ""
        raise LessonFormatError(_explain(errors[0]) + more) from None
    lesson = _from_model(model)
    from embedding.classroom.links import check_link_size

    check_link_size(lesson.exercise_set())  # a lesson must also run as a link-only set
    return lesson


def read_lesson(data: str | bytes) -> Lesson:
    """A lesson from the bytes (or text) of a ``.toml`` file: size-capped, parsed by the
    standard library, validated. Nothing in the file is ever run.

    Usage: ``read_lesson(uploaded.getvalue())``
    """
    if len(data) > MAX_LESSON_BYTES:
        raise LessonFormatError(
            f"The file is {len(data) / 1024:.0f} KB; a lesson file is at most "
            f"{MAX_LESSON_BYTES // 1024} KB.")
    if isinstance(data, bytes):
        if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:1024]:
            raise LessonFormatError("This file is not UTF-8 text: save it as UTF-8 and try "
                                    "again.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise LessonFormatError("This is not a text file: a lesson is a .toml text file.") \
                from None
    try:
        parsed = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise LessonFormatError(f"This is not valid TOML: {exc}.") from None
    except RecursionError:
        raise LessonFormatError("This file is nested too deeply to be a lesson.") from None
    except ValueError as exc:  # e.g. a number too long to read
        raise LessonFormatError(f"This file cannot be read as a lesson: {str(exc)[:120]}.") \
            from None
    return from_data(parsed)


def read_any(data: bytes, name: str = "") -> Lesson:
    """A lesson from an uploaded file: a ``.toml`` lesson, or an exercise set exported as JSON
    by earlier versions of this app (it becomes a lesson without a script).

    Usage: ``read_any(upload.getvalue(), upload.name)``
    """
    head = data.lstrip()[:1]
    if name.lower().endswith(".json") or head in (b"{", b"["):
        from embedding.classroom.sets import from_json

        return Lesson.from_set(from_json(data))
    return read_lesson(data)


# ------------------------------------------------------------------ writing TOML


def _toml_string(s: str) -> str:
    if "\n" in s:
        body = "".join(c if c in "\n\t" or (ord(c) >= 32 and c != "\x7f") else
                       f"\\u{ord(c):04x}" for c in s.replace("\\", "\\\\"))
        body = body.replace('"""', '""\\"')
        if body.endswith('"'):
            body = body[:-1] + '\\"'
        return f'"""\n{body}"""'
    out = json.dumps(s, ensure_ascii=False)  # JSON's escapes are all valid TOML escapes
    return out.replace("\x7f", "\\u007f")


def _toml_key(k: str) -> str:
    if k and all(c.isascii() and (c.isalnum() or c in "_-") for c in k):
        return k
    return _toml_string(k)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("TOML has no NaN/infinity here")
        return repr(v)
    if isinstance(v, str):
        return _toml_string(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to a lesson file")


def to_toml(lesson: Lesson) -> str:
    """The lesson as a TOML file that :func:`read_lesson` reads back to an equal lesson.

    Usage: ``Path("my-lesson.toml").write_text(to_toml(lesson), encoding="utf-8")``
    """
    out = [f"# {lesson.title or 'Lesson'}: an Embedding Explorer lesson.",
           "# Import it on the Exercise builder page (or start it from the Live class page).",
           f"format = {_toml_string(FORMAT)}", f"version = {VERSION}",
           f"title = {_toml_string(lesson.title or 'Lesson')}"]
    if lesson.summary:
        out.append(f"summary = {_toml_string(lesson.summary)}")
    if lesson.minutes:
        out.append(f"minutes = {int(lesson.minutes)}")
    for i, step in enumerate(lesson.steps, start=1):
        out += ["", f"# Step {i}", "[[step]]"]
        if step.title:
            out.append(f"title = {_toml_string(step.title)}")
        tables = []
        optional = _OPTIONAL.get(step.question.kind, {})
        for k, v in question_to_dict(step.question).items():
            if k in optional and v == optional[k]:
                continue  # left out, as a person writing the file would
            if isinstance(v, dict) and k != "vectors":  # a sub-table of its own, e.g. params
                tables.append((k, v))
            else:
                out.append(f"{_toml_key(k)} = {_toml_value(v)}")
        for k, v in tables:
            out.append(f"[step.{_toml_key(k)}]")
            out += [f"{_toml_key(kk)} = {_toml_value(vv)}" for kk, vv in v.items()]
        if step.script:
            out.append("[step.script]")
            for name in ("ask", "notice", "wrong", "why"):
                value = getattr(step.script, name)
                if value:
                    out.append(f"{name} = {_toml_string(value)}")
    return "\n".join(out) + "\n"


def filename(lesson: Lesson) -> str:
    """A safe file name for a download of ``lesson``.

    Usage: ``filename(Lesson("Words: a warm-up"))`` → ``"words-a-warm-up.toml"``
    """
    stem = "".join(ch if ch.isalnum() else "-" for ch in (lesson.title or "lesson").lower())
    stem = "-".join(part for part in stem.split("-") if part)[:50] or "lesson"
    return f"{stem}.toml"


# ------------------------------------------------------------------ the ready lessons


def script_markdown(lesson: Lesson) -> str:
    """The instructor's script of a lesson, step by step, as a Markdown file to print or keep
    on a second screen. The text is the lesson's own, unescaped: this is a download, never
    drawn by the app (pages escape before they draw).

    Usage: ``script_markdown(lesson)``
    """
    from embedding.classroom.questions import prompt

    out = [f"# {lesson.title}: instructor's script", ""]
    if lesson.minutes or lesson.summary:
        minutes = f"*{lesson.minutes} minutes.* " if lesson.minutes else ""
        out += [minutes + lesson.summary.replace("\n", " "), ""]
    for i, step in enumerate(lesson.steps, start=1):
        out += [f"## {i}. {step.title or step.question.label}", "",
                "> " + prompt(step.question), ""]
        out += [f"- **{label}:** {getattr(step.script, name)}"
                for name, label in SCRIPT_LABELS.items() if getattr(step.script, name)]
        out.append("")
    return "\n".join(out)


def ready_lessons(folder: Path = READY_DIR) -> dict[str, Lesson]:
    """The ready lessons shipped in ``data/lessons/`` (``{file stem: lesson}``, in file-name
    order). A file that does not validate raises: the shipped files are tested.

    Usage: ``ready_lessons()["lecture"].title``
    """
    return {p.stem: read_lesson(p.read_bytes()) for p in sorted(Path(folder).glob("*.toml"))}


#: The example set as a lesson (the builder's starting point).
EXAMPLE_LESSON = Lesson.from_set(EXAMPLE_SET)
