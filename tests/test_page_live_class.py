"""Live class page through the router: instructor, projector and students, roles, bad input,
calm states, no key leaks. (AppTest has no cookies: each AppTest is its own person, and a
"reload" is a second AppTest given the same identity secret.)"""

from __future__ import annotations

import re

import pytest

from embedding.classroom import exercises as exs
from tests.apptest import open_page, shown_text
from tests.test_page_search import data_dir  # noqa: F401  (fixture: a fresh data folder)

PAGE = "pages/live_class.py"


def plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def _qp(at, name: str) -> str | None:
    if name not in at.query_params:
        return None
    v = at.query_params[name]
    return v[0] if isinstance(v, list) else v


def start_class(pick: str = "example"):
    """An instructor starts a class: (their AppTest, the code, the instructor key)."""
    at = open_page(PAGE)
    assert not at.exception, at.exception
    at.radio(key="class_pick").set_value(pick).run()
    at.button(key="class_start").click().run()
    assert not at.exception, at.exception
    code = _qp(at, "class")
    assert _qp(at, "key") is None  # the key never goes into the address bar
    return at, code, at.session_state["class_keys"][code]


def join(code: str, nickname: str = "", query: dict | None = None):
    s = open_page(PAGE, query={"class": code, **(query or {})})
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


def go(at, step: int):
    """The instructor puts step ``step`` on screen with Next / Previous."""
    at.run()
    now = at.session_state["class_q"]
    while now != step:
        at.button(key="class_next" if step > now else "class_prev").click().run()
        assert not at.exception, at.exception
        now = at.session_state["class_q"]
    return at


def labelled(widgets, label: str):
    """The one widget of ``widgets`` labelled ``label`` (the class's controls are keyed by the
    class's version)."""
    [widget] = [w for w in widgets if w.label == label]
    return widget


def everything_rendered(at) -> str:
    """Text, widget labels and options, query string and session state: what a student gets."""
    parts = [shown_text(at), str(dict(at.query_params))]
    for kind in ("radio", "selectbox", "text_input", "button", "toggle"):
        for w in getattr(at, kind):
            parts += [str(getattr(w, "label", "")), str(getattr(w, "options", ""))]
    parts += [f"{k}={v}" for k, v in at.session_state.items()]
    parts += [str(b.proto) for b in at.get("link_button")]
    return "\n".join(parts)


def test_instructor_sees_the_class_answer_live(kv, model):
    at, code, token = start_class()
    assert f"code **`{code}`**" in shown_text(at)
    assert "Lobby" in labelled(at.selectbox, "On screen").format_func(-1)
    students = [join(code, n) for n in ("Ada", "<b>Bob</b>", "")]
    assert "You're in!" in shown_text(students[0])  # the lobby: waiting for the first question
    go(at, 0)
    for s, pick in zip(students, ("Frozen", "Dune", "Dune"), strict=True):
        s.run()  # (in a browser the one-second check redraws it by itself)
        assert "Question 1 of 5" in shown_text(s)
        send(s, code, 0, pick)
        assert any(x.value.startswith("Saved: ") for x in s.success)
    assert "You joined" not in shown_text(students[1]) and "\\<b\\>Bob\\</b\\>" in shown_text(
        students[1])
    at.run()
    text = shown_text(at)
    assert "Students joined 3" in text and "Answers 3" in text
    assert "Answer: Frozen" not in plain(text)  # hidden until the instructor shows it
    labelled(at.toggle, "Show the answer").set_value(True).run()
    text = plain(shown_text(at))
    assert "Correct 33%" in text and "Answer: Frozen" in text
    assert "Most common wrong answer: Dune (2 of 3)" in text
    # the class's own numbers: Dune's cosine against Frozen's
    assert "cos(Shrek, Dune) = 31 / 45.6727 = 0.6787, but cos(Shrek, Frozen) = 0.9827" in text
    for s in students:
        s.run()
    assert "The answer is Frozen" in plain(shown_text(students[1]))
    assert "Right!" in plain(shown_text(students[0]))
    # no changing it now: the answer box is gone, the saved answer stays
    assert not [b for b in students[1].button if b.key == "class_send_0"]
    assert "Saved: Dune. The question is closed." in plain(shown_text(students[1]))
    # Next question: every screen shows it, the previous one takes no more answers.
    go(at, 1)
    students[0].run()
    assert "Question 2 of 5" in shown_text(students[0]) and "coffee" in shown_text(students[0])
    table = at.dataframe[0].value  # the export expander's table: text stays inert
    assert sorted(table["nickname"]) == ["<b>Bob</b>", "Ada", "Anonymous"]


def test_the_most_common_wrong_answer_is_explained_with_numbers_for_every_kind(kv, model):
    """milk 0.7396 vs tea 0.8080 for "coffee" (issue 21), and the rank of a typed analogy."""
    at, code, _ = start_class()
    s1, s2, s3 = join(code, "a"), join(code, "b"), join(code, "c")
    expected = {
        1: (["milk", "milk", "tea"], 'In GloVe, "milk" has cosine 0.7396 with "coffee" '
                                     '(number 3 of 4), "tea" 0.8080'),
        3: (["Neither model"] * 2 + ["Only SBERT"], "The GloVe average gives cosine 1.0000 "
                                                    "(cannot tell them apart) and SBERT 0.9795"),
        4: (["rome", "rome", "tokyo"], 'GloVe ranks "rome" number 1,712 for paris − france + '
                                       'japan (score 0.3814); "tokyo" is number 1 (0.9234)'),
    }
    for step, (picks, why) in expected.items():
        go(at, step)
        for s, pick in zip((s1, s2, s3), picks, strict=True):
            s.run()
            send(s, code, step, pick, typed=step == 4)
        labelled(at.toggle, "Show the answer").set_value(True).run()
        text = plain(shown_text(at))
        assert f"Most common wrong answer: {picks[0]} (2 of 3)" in text
        assert why in text, text


def test_a_reload_keeps_the_seat_and_the_answers(kv, monkeypatch):
    from ui import identity

    at, code, _ = start_class("map")
    go(at, 0)
    monkeypatch.setattr(identity, "_cookie_secret", lambda: "s" * 32)  # one browser's cookie
    first = join(code, "Ada")
    send(first, code, 0, "whale", typed=True)
    again = open_page(PAGE, query={"class": code})  # a reload: a new session, the same cookie
    assert not again.exception
    text = plain(shown_text(again))
    assert "you are **Ada**" in text and "Saved: whale" in text
    assert again.text_input(key=f"class_ans_{code}_0").value == "whale"  # the box shows it too
    assert not any(b.label == "Join" for b in again.button)
    monkeypatch.undo()  # back to the instructor's browser
    at.run()
    assert "Students joined 1" in shown_text(at) and "Answers 1" in shown_text(at)


def test_a_reload_shows_the_saved_pick_and_a_new_pick_replaces_it(kv, monkeypatch):
    from ui import identity

    at, code, _ = start_class()
    go(at, 0)
    monkeypatch.setattr(identity, "_cookie_secret", lambda: "p" * 32)
    send(join(code, "Bo"), code, 0, "Dune")
    again = open_page(PAGE, query={"class": code})
    box = again.radio(key=f"class_ans_{code}_0")
    assert box.value == "Dune"
    box.set_value("Frozen").run()  # the default does not undo what they pick now
    assert again.radio(key=f"class_ans_{code}_0").value == "Frozen"
    again.button(key="class_send_0").click().run()
    assert "Saved: Frozen" in plain(shown_text(again))
    assert again.radio(key=f"class_ans_{code}_0").value == "Frozen"


def test_a_student_page_run_reads_the_class_the_seat_and_the_answers_once(kv, monkeypatch):
    """The page and its following fragment share what the run read (the fragment's ticks read
    only the pulse until the class changes)."""
    from embedding.classroom.live import Classroom
    from ui import identity

    at, code, _ = start_class()
    go(at, 0)
    monkeypatch.setattr(identity, "_cookie_secret", lambda: "r" * 32)
    join(code, "Cy")
    calls = {}

    def counted(name: str):
        real = getattr(Classroom, name)

        def spy(self, *args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return real(self, *args, **kwargs)
        return spy
    for name in ("info", "seat", "my_answers"):
        monkeypatch.setattr(Classroom, name, counted(name))
    again = open_page(PAGE, query={"class": code})
    assert "you are **Cy**" in plain(shown_text(again)) and "Question 1 of 5" in shown_text(again)
    assert calls == {"info": 1, "seat": 1, "my_answers": 1}


def test_the_key_opens_the_class_on_another_device_then_leaves_the_address_bar(kv):
    at, code, token = start_class("map")
    laptop = open_page(PAGE, query={"class": code, "key": token})
    assert not laptop.exception, laptop.exception
    assert _qp(laptop, "key") is None and _qp(laptop, "class") == code
    assert "class_q" in laptop.session_state  # the control view
    bad = open_page(PAGE, query={"class": code, "key": "x" * 32})
    assert _qp(bad, "key") is None
    assert "instructor link is not valid" in shown_text(bad)
    assert "class_q" not in bad.session_state  # a student


def test_the_projector_view_has_no_controls_and_no_key(kv, model):
    at, code, token = start_class()
    s = join(code, "Ada")
    proj = open_page(PAGE, query={"class": code, "key": token, "view": "projector"})
    assert not proj.exception, proj.exception
    assert _qp(proj, "key") is None and _qp(proj, "view") == "projector"
    text = plain(shown_text(proj))
    assert f"# {code}" in text and "Ada" in text  # the lobby: big join box
    go(at, 0)
    send(s.run(), code, 0, "Dune")
    proj.run()
    text = plain(shown_text(proj))
    assert "Question 1 of 5" in text and "Answers 1" in text and f"code **`{code}`**" in text
    main = proj.main  # (the sidebar keeps its presentation switch)
    assert not (main.button or main.toggle or main.selectbox or main.radio or main.text_input)
    assert token not in everything_rendered(proj).replace(f"class_keys={{'{code}': '{token}'}}",
                                                          "")
    # a student who types ?view=projector gets the student view
    peek = open_page(PAGE, query={"class": code, "view": "projector"})
    assert _qp(peek, "view") is None and "Answers" not in shown_text(peek)


def test_the_explore_step_offers_the_page_with_its_preset(kv, model):
    at, code, _ = start_class()
    s = join(code, "Ada")
    go(at, 2)
    s.run()
    links = [b.proto for b in s.get("link_button")]
    assert any(b.url == "/word_order?order_a=chocolate+milk&order_b=milk+chocolate"
               for b in links), links
    assert "Explore: Word order" in shown_text(s)
    assert not s.get("text_input") or all(t.key == "class_nick" for t in s.text_input)


def test_a_deleted_or_ended_class_is_announced_calmly(kv):
    at, code, _ = start_class("map")
    go(at, 0)
    s = join(code, "Ada")
    at.button(key="class_end").click().run()
    s.run()
    assert "ended this class" in shown_text(s) and not s.exception
    at.button(key="class_delete").click().run()
    assert not at.exception
    s.run()
    assert f"The class {code} was deleted by its instructor" in plain(shown_text(s))
    assert not s.exception


def test_people_removed_or_renamed_by_the_instructor(kv):
    at, code, _ = start_class("map")
    rude, dup = join(code, "something rude"), join(code, "Ada again")
    at.run()
    seats = [b.key for b in at.button if b.key and b.key.startswith("class_remove_")]
    assert len(seats) == 2  # in the order they joined: rude, then dup
    at.button(key=seats[0].replace("class_remove_", "class_reset_")).click().run()
    assert "nickname reset" in shown_text(at)
    at.button(key=seats[1]).click().run()
    assert "People: 1 joined" in [e.label for e in at.expander]
    rude.run()
    dup.run()
    assert "you are **Anonymous**" in plain(shown_text(rude))
    assert "removed you" in shown_text(dup) and not dup.exception


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
    go(at, 0)
    s = join(code, "x" * 45)  # the box takes 60 (a 1 MB one: see test_classroom_db); cut to 30
    assert "cut to 30 characters" in shown_text(s) or "x" * 30 in shown_text(s)
    send(s, code, 0, "<script>alert(1)</script>", typed=True)
    saved = [x.value for x in s.success if x.value.startswith("Saved")]
    assert saved and "\\<script\\>" in saved[0]  # escaped for Markdown, shown literally
    for i in range(12):
        send(s, code, 0, f"wave{i}", typed=True)
    assert "Too many answers in a short time" in shown_text(s)
    at.run()
    assert "Answers 1" in shown_text(at)  # one student, one answer, however many sends
    assert not at.exception


def test_the_database_down_is_a_calm_message(kv, monkeypatch):
    from embedding.classroom.db import DatabaseUnavailable
    from ui import classroom as ui

    at, code, _ = start_class("map")
    s = join(code, "Ada")
    live = ui.classroom()

    def down(*args, **kwargs):
        raise DatabaseUnavailable("OperationalError")

    monkeypatch.setattr(live.db, "query", down)
    monkeypatch.setattr(live.db, "transaction", down)
    for page in (at, s):
        page.run()
        assert not page.exception, page.exception
        assert "cannot be reached right now" in shown_text(page)
    monkeypatch.undo()
    s.run()
    assert "you are **Ada**" in plain(shown_text(s))


def test_exercise_builder_starts_a_live_class(kv):
    at = open_page("pages/exercises.py")
    at.button(key="ex_live").click().run()
    assert not at.exception, at.exception
    assert "Live class · code **`" in shown_text(at) and _qp(at, "key") is None


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
    # no delete controls at all (they were an empty, greyed-out box: 2.6:1, axe failed it)
    assert [s.key for s in stranger.selectbox if s.key == "search_delete_pick"] == []
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


@pytest.mark.slow
def test_a_student_link_never_reveals_the_key(kv, model):
    at, code, token = start_class()
    keys = [exs.solve(q, kv, model, exs.builtin_docs()) for q in exs.LIVE_EXAMPLE_SET.questions]
    secrets = [token, "Answer:", "Most common wrong answer", "Right!", "The answer is",
               *(k.note for k in keys if k.note and "nothing to answer" not in k.note)]
    s = join(code, "Mallory")
    seen = [everything_rendered(s)]
    for i, q in enumerate(exs.LIVE_EXAMPLE_SET.questions):
        go(at, i)
        s.run()
        if q.kind == "explore":
            seen.append(everything_rendered(s))
            continue
        if q.typed:
            send(s, code, i, "king", typed=True)
            seen.append(everything_rendered(s))
            continue
        for option in q.options(exs.builtin_docs())[:4]:
            send(s, code, i, option)
            seen.append(everything_rendered(s))
    # An edited student link: a made-up key, another class's key, no code at all, the
    # projector view.
    _, _, other_token = start_class()
    for query in ({"class": code, "key": "x" * 32}, {"class": code, "key": other_token},
                  {"class": code.lower()}, {}, {"class": code, "view": "projector"}):
        edited = open_page(PAGE, query=query)
        assert not edited.exception
        seen.append(everything_rendered(edited))
    rendered = "\n".join(seen)
    for secret in secrets:
        assert secret not in rendered, secret
    assert "instructor link is not valid" in rendered


@pytest.mark.slow  # opens every page with a student link: make test, not make check
def test_no_page_reached_from_a_student_link_shows_the_class_key(kv, model):
    from tests.apptest import page_files
    from ui.classroom import classroom

    secret_set = exs.ExerciseSet("Secret quiz", (exs.ToyQuestion(
        "Qa", (("Qa", (1.0, 0.0)), ("Qb", (1.0, 1.0)), ("Qc", (-1.0, 0.0)))),))
    note = exs.solve(secret_set.questions[0]).note
    assert "highest cosine with Qa" in note
    code, token = classroom().start(secret_set, instructor="someone-else", pace="student")
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


def test_the_instructor_sees_what_the_last_purge_removed(kv, monkeypatch):
    from embedding.classroom.retention import PurgeReport
    from ui import resources

    at, code, _ = start_class("map")
    assert "Classes are kept until you delete them" in plain(shown_text(at))  # tests: no purge
    monkeypatch.setenv("EMBEDDING_EXPLORER_KEEP_DAYS", "7")
    monkeypatch.setattr(resources, "start_purge_schedule", lambda: None)
    monkeypatch.setattr(resources, "last_purge", lambda: None)
    at.run()
    assert "No purge has run on this server yet" in plain(shown_text(at))
    report = PurgeReport(at=0.0, classes=2, indexes=1)
    monkeypatch.setattr(resources, "last_purge", lambda: report)
    at.run()
    text = plain(shown_text(at))
    assert "deleted with its answers 7 days after it ends or expires" in text
    assert "Last purge 00:00 UTC: 2 expired classes and 1 index built in them removed." in text
    s = join(code, "Ada")
    assert "Last purge" not in plain(shown_text(s))
