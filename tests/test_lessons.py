"""Lessons as files: the ready lessons in data/lessons/ validate, run as a link and as a live
class, and match the lecture; a lesson round-trips through TOML; a malformed, oversized or
hostile file gives a clear error and nothing else (nothing executed, nothing changed)."""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

import pytest

from embedding.classroom import exercises as exs
from embedding.classroom import lessons as L

ROOT = Path(__file__).resolve().parents[1]
READY = L.ready_lessons()
LECTURE = READY["01-lecture"]


def sample() -> L.Lesson:
    """A lesson with every kind of step and awkward text (quotes, backslashes, line breaks,
    non-ASCII, a key that needs quoting)."""
    steps = tuple(L.Step(q, L.Script(ask=f'Ask "{i}"\nsecond line \\ back', notice="Ünïcode ✓",
                                     wrong='ends with a quote"', why="tab\there"),
                         title=f"Step {i}: “quoted”")
                  for i, q in enumerate(LECTURE.exercise_set().questions))
    toy = exs.ToyQuestion("My film", (("My film", (1.5, -2.0)), ("Other one", (0.25, 1e-3)),
                                      ("Third", (3.0, 4.0))))
    return L.Lesson("A \"tricky\" lesson", "Line one\nline two", 30, (L.Step(toy), *steps[:11]))


def test_ready_lessons_load_and_fit_a_link():
    assert list(READY) == ["01-lecture", "02-words-warm-up", "03-sentences", "04-search"]
    for name, lesson in READY.items():
        assert lesson.title and lesson.summary and lesson.minutes, name
        assert 1 <= len(lesson.steps) <= L.MAX_STEPS, name
        exs.check_link_size(lesson.exercise_set())
        assert all(s.title and s.script.ask for s in lesson.steps), name


def test_the_lecture_follows_the_lecture():
    kinds = [s.question.kind for s in LECTURE.steps]
    text = " ".join(f"{s.title} {exs.prompt(s.question)}" for s in LECTURE.steps).lower()
    order = ["ironman", "coffee", "king", "chocolate milk", "piece", "map", "search",
             "cold start", "word2vec"]
    positions = [text.find(word) for word in order]
    assert -1 not in positions and positions == sorted(positions), dict(zip(order, positions, strict=True))
    assert {"toy", "closest", "analogy", "order", "pieces", "classmap", "search",
            "explore"} <= set(kinds)
    assert LECTURE.minutes >= 45
    # every question (not explore, not the open class map) has the typical wrong answer and why
    for s in LECTURE.steps:
        if not s.question.open_ended:
            assert s.script.wrong and s.script.why and s.script.notice, s.title


def test_shorter_lessons_exist():
    minutes = {name: lesson.minutes for name, lesson in READY.items()}
    assert minutes["02-words-warm-up"] == 15
    assert all(s.question.kind in ("search", "explore", "classmap")
               for s in READY["04-search"].steps)


def test_round_trip_keeps_everything():
    lesson = sample()
    text = L.to_toml(lesson)
    assert L.read_lesson(text) == lesson
    assert L.read_lesson(text.encode("utf-8")) == lesson
    assert L.read_lesson(("\ufeff" + text).encode("utf-8")) == lesson  # a BOM from Notepad
    for ready in READY.values():
        assert L.read_lesson(L.to_toml(ready)) == ready


def test_the_file_is_readable():
    text = L.to_toml(LECTURE)
    assert text.startswith("# Embeddings: the lecture")
    assert 'format = "embedding-explorer/lesson"\nversion = 1\n' in text
    assert "[[step]]" in text and "[step.script]" in text
    assert len(text.encode()) < 16 * 1024
    tomllib.loads(text)  # any TOML reader reads it


def test_students_never_get_the_script():
    ex = LECTURE.exercise_set()
    token = exs.encode_set(ex)
    decoded = exs.decode_set(token)
    assert decoded == ex
    payload = str(exs.to_dict(ex))
    for step in LECTURE.steps:
        if step.script.wrong:
            assert step.script.why not in payload


def test_a_set_becomes_a_lesson_and_keeps_scripts_by_question():
    scripts = LECTURE.scripts_by_question()
    reordered = exs.ExerciseSet("Mine", tuple(reversed(LECTURE.exercise_set().questions[:3])))
    lesson = L.Lesson.from_set(reordered, scripts)
    assert [s.script for s in lesson.steps] == [LECTURE.steps[i].script for i in (2, 1, 0)]
    assert L.Lesson.from_set(exs.EXAMPLE_SET).steps[0].script == L.Script()


def test_old_json_exercise_sets_still_import():
    lesson = L.read_any(exs.to_json(exs.EXAMPLE_SET).encode(), "set.json")
    assert lesson.exercise_set() == exs.EXAMPLE_SET


def valid() -> str:
    return L.to_toml(L.Lesson("T", steps=(L.Step(exs.EXAMPLE_SET.questions[1],
                                                 L.Script(ask="a")),)))


HOSTILE = {
    "empty": (b"", "empty"),
    "not toml": (b"<html><script>alert(1)</script></html>", "not valid TOML"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not UTF-8"),
    "utf-16": ("format = 1".encode("utf-16"), "not UTF-8"),
    "latin-1": ("title = 'caf\xe9'".encode("latin-1"), "not a text file"),
    "json": (b'{"format": "embedding-explorer/lesson"}', "not valid TOML"),
    "yaml tags": (b"!!python/object/apply:os.system ['rm -rf /']", "not valid TOML"),
    "other format": (b'format = "something-else"\nversion = 1', "not an Embedding Explorer"),
    "future version": (valid().replace("version = 1", "version = 2"), "version 2"),
    "code in text": (valid().replace('title = "T"', "title = \"__import__('os').system('x')\""),
                     None),  # just text: it must read as text, never run
    "unknown field": (valid().replace('title = "T"', 'title = "T"\npassword = "x"'),
                      "'password' is not a field"),
    "unknown script field": (valid().replace("ask = ", "question = "),
                             "'question' is not a field"),
    "unknown kind": (valid().replace('kind = "closest"', 'kind = "shell"'), "'kind'"),
    "bad question": (valid().replace('word = "frog"', 'word = "two words"'), "single word"),
    "no steps": (valid().split("\n# Step 1")[0], "'step' is missing"),
    "steps spelled": (valid().replace("[[step]]", "[[steps]]").replace("[step.script]",
                                                                       "[steps.script]"),
                      "[[step]]"),
    "too many steps": (valid() + "\n".join(valid().split("# Step 1")[1] for _ in range(12)),
                       "at most 12"),
    "control characters": (valid().replace('title = "T"', 'title = "T\\u0007"'),
                           "control character"),
    "line break in title": (valid().replace('title = "T"', 'title = "T\\nX"'),
                            "line break"),
    "number as text": (valid().replace('title = "T"', 'title = "T"\nminutes = "15"'),
                       "whole number"),
    "float minutes": (valid().replace('title = "T"', 'title = "T"\nminutes = 1e300'),
                      "whole number"),
    "date": (valid().replace('title = "T"', "title = 1979-05-27T07:32:00Z"), "must be text"),
    "huge script": (valid().replace('ask = "a"', 'ask = "' + "a" * 5000 + '"'), "too long"),
    "deep nesting": (b"x = " + b"[" * 20_000 + b"]" * 20_000, "nested too deeply"),
    "oversized": (b"# " + b"x" * (L.MAX_LESSON_BYTES + 1), "at most 64 KB"),
    "huge integer": (valid().replace('title = "T"', 'title = "T"\nminutes = ' + "9" * 5000),
                     "cannot be read"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_bad_files_give_a_clear_error(name):
    data, expected = HOSTILE[name]
    if expected is None:
        lesson = L.read_lesson(data)
        assert lesson.title == "__import__('os').system('x')"
        return
    with pytest.raises(L.LessonFormatError) as err:
        L.read_lesson(data)
    message = str(err.value)
    assert expected.lower() in message.lower(), message
    assert len(message) < 400 and "Traceback" not in message


def test_json_schema_describes_the_shape():
    schema = L.json_schema()
    assert schema["properties"]["format"]["const"] == L.FORMAT
    assert schema["properties"]["step"]["maxItems"] == L.MAX_STEPS
    assert "ask" in schema["$defs"]["ScriptFile"]["properties"]


def test_script_markdown_for_printing():
    text = L.script_markdown(LECTURE)
    assert text.startswith("# Embeddings: the lecture")
    assert text.count("\n## ") == len(LECTURE.steps)
    assert "**Typical wrong answer:** milk" in text


def test_filename_is_safe():
    assert L.filename(L.Lesson("../../etc/passwd: a lesson!")) == "etc-passwd-a-lesson.toml"
    assert L.filename(L.Lesson("")) == "lesson.toml"


@functools.cache
def _corpus(name: str, model):
    """A search corpus and its SBERT rows, encoded once for the whole test module."""
    from embedding.classroom.docs import corpus_docs

    docs = corpus_docs(name)
    return docs, exs.embed_docs(model, docs)


NUMBER = re.compile(r"(?<![\d.])[01]\.\d{4}(?!\d)")


@pytest.mark.parametrize("name", sorted(READY))
def test_the_scripts_tell_the_truth(name, kv, model):
    """Every question's script names the computed answer, every 4-decimal score it quotes is
    one the models give, and its typical wrong answer is indeed wrong."""
    for step in READY[name].steps:
        q = step.question
        if q.open_ended:
            continue
        docs, rows = _corpus(q.corpus, model) if isinstance(q, exs.SearchQuestion) else (None,
                                                                                       None)
        sol = exs.solve(q, kv=kv, model=model, docs=docs, doc_embeddings=rows)
        notice = step.script.notice
        if isinstance(q, exs.SearchQuestion):  # the instructor's expected result is SBERT's
            assert sol.correct == q.expected, (step.title, sol.correct)
        elif not isinstance(q, exs.OrderQuestion):  # a word: the notice names it
            assert sol.correct.lower() in notice.lower(), (step.title, sol.correct)
        scores = {f"{s:.4f}" for _, s in sol.scores}
        quoted = set(NUMBER.findall(notice))
        assert quoted <= scores | {"1.0000"}, (step.title, quoted - scores)
        wrong = step.script.wrong.rstrip(".").split(" (")[0].strip('"“”')
        assert not exs.check(q, sol, wrong).ok, (step.title, wrong)


def _explore_steps() -> list[exs.ExploreStep]:
    seen = {}
    for lesson in READY.values():
        for s in lesson.steps:
            if isinstance(s.question, exs.ExploreStep):
                seen.setdefault((s.question.page, s.question.params), s.question)
    return list(seen.values())


@pytest.mark.parametrize("step", _explore_steps(), ids=lambda s: s.page)
def test_explore_steps_open_their_page_with_the_preset(step):
    """The page exists, each setting is the page's own, and the page opens showing it."""
    from tests.apptest import open_page
    from tests.test_catalog import owns
    from ui.catalog import PAGES

    info = next((p for p in PAGES if p.stem == step.page), None)
    assert info is not None, f"no page {step.page!r} in the catalogue"
    assert all(owns(info, k) for k, _ in step.params), step.params
    at = open_page(info.path, dict(step.params))
    assert not at.exception, at.exception
    for key, value in step.params:
        assert key in at.session_state, f"{step.page}: {key} is not one of its settings"
        shown = at.session_state[key]
        assert str(shown) == value or (key.endswith("_tab") and shown == tab_label(at, key,
                                                                                  value)), \
            f"{step.page}: {key} shows {shown!r}, not the preset {value!r}"


def tab_label(at, key: str, number: str) -> str:
    from tests.apptest import tab_links

    return tab_links(at)[key][int(number) - 1]
