"""Lessons in the app (AppTest): a ready lesson starts as a live class in one click and the
instructor's screen, only it, shows the step's script; it opens as a link-only set in one click;
the exercise builder exports a lesson file and imports it back; a bad file changes nothing."""

from __future__ import annotations

from embedding.classroom import lessons as L
from tests.apptest import open_page, shown_text

LECTURE = L.ready_lessons()["01-lecture"]
FIRST_ASK = LECTURE.steps[0].script.ask


def plain(at) -> str:
    return shown_text(at).replace("\\", "")


def scripts_shown(at) -> list[str]:
    return [e.label for e in at.expander if e.label == "Your script"]


def started_lecture():
    at = open_page("pages/live_class.py")
    assert not at.exception, at.exception
    assert "Embeddings: the lecture" in plain(at)
    at = at.button(key="class_lessons_lecture_live").click().run()  # the one click
    assert not at.exception, at.exception
    return at


def class_code(at) -> str:
    code = at.query_params["class"]
    return code[0] if isinstance(code, list) else code


def test_a_ready_lesson_starts_as_a_live_class_in_one_click():
    at = started_lecture()
    code = class_code(at)
    assert "Embeddings: the lecture" in plain(at) and code in plain(at)
    assert scripts_shown(at) == []  # the lobby: no step on screen yet
    at = at.button(key="class_next").click().run()
    assert not at.exception, at.exception
    assert scripts_shown(at) == ["Your script"]
    assert FIRST_ASK in plain(at) and "Typical wrong answer" in plain(at)
    for _ in range(4):  # to step 5, an explore step: its script shows too
        at = at.button(key="class_next").click().run()
    assert LECTURE.steps[4].script.ask in plain(at)


def test_the_script_stays_off_the_projector_and_off_students():
    at = started_lecture()
    code = class_code(at)
    at = at.button(key="class_next").click().run()
    assert scripts_shown(at) == ["Your script"]
    student = open_page("pages/live_class.py", {"class": code})  # another browser: a student
    at.query_params["view"] = "projector"  # the instructor's own projector view
    at = at.run()
    assert "Ironman" in plain(at)  # the question is on the projector
    for view in (at, student):
        assert not view.exception, view.exception
        assert scripts_shown(view) == [] and FIRST_ASK not in plain(view)
        assert "Typical wrong answer" not in plain(view)


def test_a_ready_lesson_opens_as_a_link_only_set():
    at = open_page("pages/live_class.py")
    at = at.button(key="class_lessons_words-warm-up_link").click().run()
    assert not at.exception, at.exception
    assert at.session_state["ex_set"] == L.ready_lessons()["02-words-warm-up"].exercise_set()
    assert "Share with the class" in plain(at)  # the builder, with the link and QR code
    assert at.query_params.get("ex")  # the link carries the set


def test_the_builder_loads_a_ready_lesson_and_exports_it_with_its_scripts():
    at = open_page("pages/exercises.py")
    at.selectbox(key="ex_lesson_pick").set_value("sentences").run()
    at = at.button(key="ex_lesson_load").click().run()
    assert not at.exception, at.exception
    ex = at.session_state["ex_set"]
    sentences = L.ready_lessons()["03-sentences"]
    assert ex == sentences.exercise_set()
    labels = [b.label for b in at.get("download_button")]
    assert "Lesson file (TOML)" in labels and "Instructor's script (Markdown)" in labels


def put(at, name: str, data: bytes):
    """Upload ``data`` as ``name`` into the builder's import box and run."""
    at.file_uploader(key="ex_import").set_value((name, data, "application/toml"))
    return at.run()


def test_import_round_trip_and_bad_files_change_nothing():
    at = open_page("pages/exercises.py")
    before = at.session_state["ex_set"]
    lesson = L.ready_lessons()["04-search"]
    good = L.to_toml(lesson).encode()
    for name, data, message in [
            ("bad.toml", good.replace(b"version = 1", b"version = 9"), "version 9"),
            ("huge.toml", b"#" * (L.MAX_LESSON_BYTES + 10), "at most 64 KB"),
            ("evil.toml", b"!!python/object/apply:os.system ['echo hi']", "not valid TOML"),
            ("steps.toml", good.replace(b'kind = "search"', b'kind = "shell"'), "'kind'")]:
        at = put(at, name, data)
        assert not at.exception, at.exception
        assert any(message in plain_text(e.value) for e in at.error), (name, at.error)
        assert at.session_state["ex_set"] == before, f"{name} changed the set"
    at = put(at, "search.toml", good)
    assert not at.exception, at.exception
    assert at.session_state["ex_set"] == lesson.exercise_set()
    assert "Imported" in plain(at)
    # its scripts came along (this browser only): the owner's answer key shows them
    at.radio(key="ex_mode").set_value(at.radio(key="ex_mode").options[1]).run()
    at.toggle(key="ex_reveal").set_value(True).run()
    assert not at.exception, at.exception
    assert "Your script" in [e.label for e in at.expander]


def plain_text(text: str) -> str:
    return text.replace("\\", "")
