"""Live class page through the router: an instructor and students, roles, bad input, no key leaks."""

from __future__ import annotations

import re

import pytest

from embedding.classroom import exercises as exs
from tests.apptest import open_page, shown_text
from tests.test_page_search import data_dir  # noqa: F401  (fixture: a fresh data folder)

PAGE = "pages/live_class.py"
ROOT_TEXTS = ("Answer:", "Most common wrong answer", "Correct")


def plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def _qp(at, name: str) -> str:
    v = at.query_params[name]
    return v[0] if isinstance(v, list) else v


def start_class(pick: str = "example"):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    at.radio(key="class_pick").set_value(pick).run()
    at.button(key="class_start").click().run()
    assert not at.exception, at.exception
    return at, _qp(at, "class"), _qp(at, "key")


def join(code: str, nickname: str = ""):
    s = open_page(PAGE, query={"class": code})
    assert not s.exception, s.exception
    s.text_input(key="class_nick").input(nickname).run()
    s.button(key="class_join_btn").click().run()
    assert not s.exception, s.exception
    return s


def send(s, code: str, i: int, value: str, typed: bool = False):
    widget = s.text_input(key=f"class_ans_{code}_{i}") if typed else \
        s.radio(key=f"class_ans_{code}_{i}")
    (widget.input(value) if typed else widget.set_value(value)).run()
    s.button(key=f"class_send_{i}").click().run()
    assert not s.exception, s.exception
    return s


def everything_rendered(at) -> str:
    """Text, widget labels and options, query string and session state: what a student gets."""
    parts = [shown_text(at), str(dict(at.query_params))]
    for kind in ("radio", "selectbox", "text_input", "button", "toggle"):
        for w in getattr(at, kind):
            parts += [str(getattr(w, "label", "")), str(getattr(w, "options", ""))]
    parts += [f"{k}={v}" for k, v in at.session_state.items()]
    return "\n".join(parts)


def test_instructor_sees_the_class_answer_live(kv, model):
    at, code, token = start_class()
    assert len(code) == 6 and len(token) >= 32
    assert f"Class code: `{code}`" in shown_text(at)
    assert any(f"?class={code}" in c.value and "key=" not in c.value for c in at.code)
    students = [join(code, n) for n in ("Ada", "<b>Bob</b>", "")]
    assert "You joined as \\<b\\>Bob\\</b\\>." in [x.value for x in students[1].success]
    for s, pick in zip(students, ("Ironman", "Rainman", "Rainman"), strict=True):
        send(s, code, 0, pick)
        assert any(x.value.startswith("Saved: ") for x in s.success)
    at.run()
    text = shown_text(at)
    assert "Students joined 3" in text and "Answers 3" in text
    assert "Answer: Ironman" not in plain(text)  # hidden until the instructor shows it
    at.toggle(key="class_show_0").set_value(True).run()
    text = plain(shown_text(at))
    assert "Correct 33%" in text
    assert "Answer: Ironman" in text
    assert "Most common wrong answer: Rainman (2 of 3)" in text
    assert "Cosine compares directions" in text  # the wrong answer's own explanation
    table = at.dataframe[0].value
    assert sorted(table["nickname"]) == ["<b>Bob</b>", "Ada", "Anonymous"]  # a table: inert

    # Closing the question stops answers; the student is told.
    at.button(key="class_close").click().run()
    students[0].run()
    assert students[0].button(key="class_send_0").disabled
    assert "The question is closed." in plain(shown_text(students[0]))
    at.run()
    assert "Correct 33%" in plain(shown_text(at))


@pytest.mark.slow
def test_a_student_link_never_reveals_the_key(kv, model):
    at, code, token = start_class()
    at.toggle(key="class_show_0").set_value(True).run()  # the instructor reveals on their screen
    keys = [exs.solve(q, kv, model, exs.builtin_docs()) for q in exs.EXAMPLE_SET.questions]
    secrets = [token, "Answer:", "Most common wrong answer", "queen", "Right!",
               *(k.note for k in keys)]
    s = join(code, "Mallory")
    seen = [everything_rendered(s)]
    for i, q in enumerate(exs.EXAMPLE_SET.questions):
        if q.typed:
            send(s, code, i, "king", typed=True)
            seen.append(everything_rendered(s))
            continue
        for option in q.options(exs.builtin_docs())[:4]:
            send(s, code, i, option)
            seen.append(everything_rendered(s))
    # An edited student link: a made-up key, another class's key, no code at all.
    _, _, other_token = start_class()
    for query in ({"class": code, "key": "x" * 32}, {"class": code, "key": other_token},
                  {"class": code.lower()}, {}):
        edited = open_page(PAGE, query=query)
        assert not edited.exception
        seen.append(everything_rendered(edited))
    rendered = "\n".join(seen)
    for secret in secrets:
        assert secret not in rendered, secret
    assert "instructor link is not valid" in rendered


@pytest.mark.parametrize("code, message", [
    ("NOPE", "is 6 letters"), ("AAAAAA", "no class with the code AAAAAA"),
    ("<img src=x>", "is 6 letters")])
def test_wrong_codes_give_a_clear_message(code, message):
    at = open_page(PAGE)
    at.text_input(key="class_join_code").input(code)
    at.button[0].click().run()  # the form's Join button
    assert not at.exception
    assert message in plain(shown_text(at))
    s = open_page(PAGE, query={"class": code})
    assert not s.exception and message in plain(shown_text(s))


def test_huge_nickname_html_answer_and_flood(kv):
    at, code, token = start_class("map")
    s = join(code, "x" * 45)  # the box takes 60 (a 1 MB one: see test_classroom_db); cut to 30
    assert "cut to 30 characters" in shown_text(s)
    send(s, code, 0, "<script>alert(1)</script>", typed=True)
    saved = [x.value for x in s.success if x.value.startswith("Saved")]
    assert saved and "\\<script\\>" in saved[0]  # escaped for Markdown, shown literally
    for i in range(12):
        send(s, code, 0, f"wave{i}", typed=True)
    assert "Too many answers in a short time" in shown_text(s)
    at.run()
    assert "Answers 1" in shown_text(at)  # one student, one answer, however many sends
    assert not at.exception


def test_exercise_builder_starts_a_live_class(kv):
    at = open_page("pages/exercises.py")
    at.button(key="ex_live").click().run()
    assert not at.exception, at.exception
    assert "Class code:" in shown_text(at) and _qp(at, "key")


@pytest.mark.usefixtures("data_dir")
def test_only_the_builder_or_the_instructor_deletes_an_index(kv, model):
    from embedding.search.store import list_indexes
    from tests.test_page_search import NOTES

    search = "pages/semantic_search.py"
    teacher, code, _ = start_class()
    owner = join(code, "Ada")  # a student of the class builds an index
    owner.session_state["search_view"] = "Your documents"
    owner.switch_page(search).run()
    owner.file_uploader(key="search_upload").upload("notes.txt", NOTES.encode(), "text/plain")
    owner.run()
    owner.button(key="search_build").click().run()
    assert not owner.exception and list_indexes() == ["notes"]
    assert owner.selectbox(key="search_delete_pick").options == ["notes"]

    stranger = open_page(search, {"search_view": "Your documents"})  # another student
    assert stranger.selectbox(key="search_delete_pick").options == []
    assert "only by the session that built it" in shown_text(stranger)
    stranger.file_uploader(key="search_upload").upload("notes.txt", b"Other text. Two.",
                                                       "text/plain")
    stranger.run()
    stranger.button(key="search_build").click().run()  # same name: would replace it
    assert "was built by someone else" in shown_text(stranger)

    teacher.session_state["search_view"] = "Your documents"
    teacher.switch_page(search).run()
    assert teacher.selectbox(key="search_delete_pick").options == ["notes"]
    teacher.selectbox(key="search_delete_pick").set_value("notes")
    teacher.button(key="search_delete").click().run()
    assert not teacher.exception and list_indexes() == []


@pytest.mark.slow  # opens every page with a student link: make test, not make check
def test_no_page_reached_from_a_student_link_shows_the_class_key(kv, model):
    from tests.apptest import page_files
    from ui.classroom import classroom

    secret_set = exs.ExerciseSet("Secret quiz", (exs.ToyQuestion(
        "Qa", (("Qa", (1.0, 0.0)), ("Qb", (1.0, 1.0)), ("Qc", (-1.0, 0.0)))),))
    note = exs.solve(secret_set.questions[0]).note
    assert "highest cosine with Qa" in note
    code, token = classroom().start(secret_set)
    s = join(code, "Mallory")
    send(s, code, 0, "Qc")
    seen = [everything_rendered(s)]
    for page in page_files():  # every page of the sidebar, from the student's session
        s.switch_page(page).run()
        assert not s.exception, (page, s.exception)
        seen.append(everything_rendered(s))
    rendered = "\n".join(seen)
    assert token not in rendered and "highest cosine with Qa" not in rendered
    assert "Answer:" not in rendered
