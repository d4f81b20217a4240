"""Exercise builder page, driven like an instructor and a student would, through the router."""

from __future__ import annotations

import json
import re

from embedding.classroom import exercises as exs
from tests.apptest import open_page, shown_text

PAGE = "pages/exercises.py"
SHARED = exs.ExerciseSet(
    "Quiz <b>7</b>",
    (
        exs.ToyQuestion("Avatar", (("Avatar", (1.0, 2.0, 2.0)), ("Ironman", (3.0, 7.0, 8.0)),
                                   ("Rainman", (1.0, -2.0, 6.0)))),
        exs.AnalogyQuestion("france", "paris", "italy"),
    ),
)


def plain(markdown: str) -> str:
    """What a student reads: the page escapes the instructor's text for Markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _fp(s: exs.ExerciseSet) -> str:
    return exs.fingerprint(s)


def test_build_check_and_reveal_the_key(kv, model):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert at.radio(key="ex_mode").value == "Build (instructor)"
    assert at.session_state["ex_set"] == exs.EXAMPLE_SET
    assert exs.decode_set(at.query_params["ex"]) == exs.EXAMPLE_SET  # the URL carries it

    # Instructor: a fresh set with one analogy question.
    at.button(key="ex_clear").click().run()
    at.text_input(key="ex_title").input("Friday quiz").run()
    at.selectbox(key="ex_kind").select("analogy").run()
    at.text_input(key="ex_an_a").input("man").run()
    at.text_input(key="ex_an_b").input("king").run()
    at.text_input(key="ex_an_c").input("woman").run()
    at.button(key="ex_add").click().run()
    assert not at.exception, at.exception
    assert "Added question 1. Key: queen" in [plain(s.value) for s in at.success]
    built = exs.ExerciseSet("Friday quiz", (exs.AnalogyQuestion("man", "king", "woman"),))
    assert at.session_state["ex_set"] == built
    assert exs.decode_set(at.query_params["ex"]) == built
    link = at.code[0].value
    assert link.startswith("http://localhost:8501/exercises?ex=")
    assert exs.decode_set(link.split("?ex=")[1]) == built
    assert at.image[0].captions == ["Scan to open the exercise"]  # the QR code

    # An unknown word is refused with a suggestion, not added.
    at.text_input(key="ex_an_c").input("wmoan").run()
    at.button(key="ex_add").click().run()
    assert "wmoan" in shown_text(at) and "Did you mean" in shown_text(at)
    assert len(at.session_state["ex_set"].questions) == 1

    # Student: a wrong answer, then the right one.
    at.radio(key="ex_mode").set_value("Answer (students)").run()
    fp = _fp(built)
    at.text_input(key=f"ex_ans_{fp}_0").input("prince").run()
    at.button(key=f"ex_check_{fp}_0").click().run()
    assert at.error and "ranks \"prince\" number 3, not first" in plain(at.error[0].value)
    at.text_input(key=f"ex_ans_{fp}_0").input("king").run()
    assert not at.error and not at.success  # a changed answer waits for "Check" again
    at.button(key=f"ex_check_{fp}_0").click().run()
    assert "one of the three input words" in plain(at.error[0].value)
    at.text_input(key=f"ex_ans_{fp}_0").input("Queen").run()
    at.button(key=f"ex_check_{fp}_0").click().run()
    assert at.success and plain(at.success[0].value).startswith("Right!")

    # Instructor reveals the key.
    at.toggle(key="ex_reveal").set_value(True).run()
    assert not at.exception, at.exception
    text = shown_text(at)
    assert "queen" in text and "0.8524" in text


def test_shared_link_opens_the_same_set_for_a_student(kv):
    token = exs.encode_set(SHARED)
    at = open_page(PAGE, query={"ex": token})
    assert not at.exception, at.exception
    assert at.radio(key="ex_mode").value == "Answer (students)"
    assert at.session_state["ex_set"] == SHARED
    assert at.query_params["ex"] == token
    text = shown_text(at)
    assert "Quiz <b>7</b>" in [plain(h.value) for h in at.header]
    assert "Avatar = [1, 2, 2]; Ironman = [3, 7, 8]" in plain(text)
    fp = _fp(SHARED)
    assert at.radio(key=f"ex_ans_{fp}_0").options == ["Ironman", "Rainman"]
    at.radio(key=f"ex_ans_{fp}_0").set_value("Rainman").run()
    at.button(key=f"ex_check_{fp}_0").click().run()
    assert at.error and plain(at.error[0].value).startswith("Not quite. Cosine compares")
    at.radio(key=f"ex_ans_{fp}_0").set_value("Ironman").run()
    assert not at.success and not at.error  # another pick is not graded until checked again
    at.button(key=f"ex_check_{fp}_0").click().run()
    assert plain(at.success[0].value).startswith("Right!")
    # the key is the builder's: no reveal toggle on a student's link, in either mode
    assert not at.get("toggle") or "ex_reveal" not in [t.key for t in at.toggle]
    assert "for the person who built this set" in shown_text(at)
    at.radio(key="ex_mode").set_value("Build (instructor)").run()
    assert "ex_dl_key" not in [b.key for b in at.get("download_button")]
    assert "ex_dl_json" not in [b.key for b in at.get("download_button")]
    assert "ex_live" not in [b.key for b in at.button]
    assert "someone else's link" in shown_text(at)


def reveal_with_the_answer_key_link(s: exs.ExerciseSet):
    """The builder's private answer-key link, opened in another browser: the key works there
    and leaves the address bar."""
    from ui.classroom import set_owners

    key = set_owners().key_for(exs.fingerprint(s))
    at = open_page(PAGE, query={"ex": exs.encode_set(s), "key": key})
    assert not at.exception, at.exception
    assert "key" not in at.query_params
    at.toggle(key="ex_reveal").set_value(True).run()
    assert not at.exception, at.exception
    return at


def test_the_builder_reveals_the_key_students_cannot(kv):
    builder = open_page(PAGE)
    builder.button(key="ex_clear").click().run()
    builder.selectbox(key="ex_kind").select("toy").run()
    builder.button(key="ex_add").click().run()
    built = builder.session_state["ex_set"]
    builder.radio(key="ex_mode").set_value("Answer (students)").run()
    builder.toggle(key="ex_reveal").set_value(True).run()  # the builder's own set: theirs
    assert "**Answer:** Ironman" in plain(shown_text(builder))
    # a student with the link: no toggle; a forged key: no toggle either
    student = open_page(PAGE, query={"ex": exs.encode_set(built)})
    assert "ex_reveal" not in [t.key for t in student.toggle]
    forged = open_page(PAGE, query={"ex": exs.encode_set(built), "key": "0" * 24})
    assert "ex_reveal" not in [t.key for t in forged.toggle] and "key" not in forged.query_params
    assert "answer-key link is not valid" in shown_text(forged)
    # a student who edits the shared set does not get its key either
    student.radio(key="ex_mode").set_value("Build (instructor)").run()
    student.text_input(key="ex_title").input("Mine now").run()
    student.radio(key="ex_mode").set_value("Answer (students)").run()
    assert "ex_reveal" not in [t.key for t in student.toggle]
    at = reveal_with_the_answer_key_link(built)
    assert "**Answer:** Ironman" in plain(shown_text(at))


def test_answer_key_link_shows_the_worked_steps(kv):
    at = reveal_with_the_answer_key_link(SHARED)
    steps = [e.value for e in at.markdown if "$$" in e.value]  # worked steps, display maths
    assert any(r"\frac{33}{3 \cdot \sqrt{122}}" in x and "0.9959" in x for x in steps), steps
    assert "rome" in shown_text(at)


def test_tampered_link_shows_a_clear_error():
    token = exs.encode_set(SHARED)
    at = open_page(PAGE, query={"ex": token[:-12]})
    assert not at.exception, at.exception
    assert at.error and "cannot be opened" in plain(at.error[0].value)
    assert at.session_state["ex_set"] == exs.EXAMPLE_SET


def test_import_json_file_and_bad_file():
    at = open_page(PAGE)
    data = exs.to_json(SHARED).encode()
    at.file_uploader(key="ex_import").set_value(("quiz.json", data, "application/json"))
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["ex_set"] == SHARED
    assert at.text_input(key="ex_title").value == "Quiz <b>7</b>"
    bad = json.dumps({**exs.to_dict(SHARED), "questions": [{"kind": "poem"}]}).encode()
    at.file_uploader(key="ex_import").set_value(("bad.json", bad, "application/json"))
    at.run()
    assert at.error and "Question 1: 'kind' is 'poem'" in plain(at.error[0].value)
    assert at.session_state["ex_set"] == SHARED


def test_example_set_key_covers_every_kind(kv, model):
    at = open_page(PAGE, query={"ex": exs.encode_set(exs.EXAMPLE_SET)})
    at.toggle(key="ex_reveal").set_value(True).run()
    assert not at.exception, at.exception
    assert not at.warning, [w.value for w in at.warning]
    text = plain(shown_text(at))
    for answer in ("Ironman", "toad", "Only SBERT", "queen",
                   "Heavy rain and strong winds"):
        assert f"**Answer:** {answer}" in text
    assert len(at.get("plotly_chart")) == 5


def test_search_question_over_the_movies(model):
    at = open_page(PAGE)
    at.selectbox(key="ex_kind").select("search").run()
    corpora = at.radio(key="ex_search_corpus")
    if exs.CORPORA["movies"] not in corpora.options:  # no data/movies.csv: sentences only
        assert "not installed on this server" in shown_text(at)
        return
    corpora.set_value("movies").run()
    at.text_input(key="ex_search_query").input("astronauts travel through a wormhole").run()
    at.selectbox(key="ex_search_expected").select("Interstellar (2014)").run()
    at.button(key="ex_add").click().run()
    assert not at.exception, at.exception
    assert plain(at.success[0].value) == "Added question 6. Key: Interstellar (2014)"
    q = at.session_state["ex_set"].questions[-1]
    assert q == exs.SearchQuestion("astronauts travel through a wormhole", "movies",
                                   "Interstellar (2014)")


def test_link_uses_the_address_the_browser_reports():
    from streamlit.testing.v1 import AppTest

    from tests.apptest import APP, TIMEOUT

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context["url"] = "https://class.example.org/exercises"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.text_input(key="ex_base").value == "https://class.example.org/exercises"
    assert at.code[0].value.startswith("https://class.example.org/exercises?ex=")
    at.text_input(key="ex_base").input("http://10.0.0.5:8501/exercises").run()
    link = at.code[0].value
    assert link.startswith("http://10.0.0.5:8501/exercises?ex=")
    assert exs.decode_set(link.split("?ex=")[1]) == exs.EXAMPLE_SET


def test_hostile_but_valid_link_is_shown_literally(kv):
    evil = exs.ExerciseSet(
        "**Bold** [click](javascript:alert(1)) <script>alert(1)</script> $x^2$ 🚀 日本語",
        (exs.ToyQuestion("<img src=x onerror=alert(1)>", (
            ("<img src=x onerror=alert(1)>", (1.0, 0.0)), ("**b**", (1.0, 1.0)),
            ("[c](evil.example)", (0.0, 1.0)))),
         exs.ClosestQuestion("café", ("thé", "lait"))),
    )
    from ui.classroom import set_owners

    key = set_owners().key_for(exs.fingerprint(evil))  # the builder's answer-key link
    at = open_page(PAGE, query={"ex": exs.encode_set(evil), "key": key})
    assert not at.exception, at.exception
    assert at.session_state["ex_set"] == evil
    assert [plain(h.value) for h in at.header] == [evil.title]
    fp = _fp(evil)
    shown = at.radio(key=f"ex_ans_{fp}_0").options  # radio labels are Markdown: escaped
    assert shown == [r"\*\*b\*\*", r"\[c\]\(evil\.example\)"]
    at.radio(key=f"ex_ans_{fp}_0").set_value("**b**").run()
    at.button(key=f"ex_check_{fp}_0").click().run()
    assert plain(at.success[0].value).startswith("Right! **b** has the highest cosine")
    at.toggle(key="ex_reveal").set_value(True).run()
    assert not at.exception, at.exception
    for md in (m.value for m in at.markdown):
        assert "<script>" not in md and "](javascript" not in md and "](evil.example)" not in md


def test_switching_modes_keeps_the_set_and_its_title():
    s = exs.ExerciseSet("My title", (exs.OrderQuestion("dog bites man", "man bites dog"),))
    at = open_page(PAGE, query={"ex": exs.encode_set(s)})
    for mode in ("Build (instructor)", "Answer (students)", "Build (instructor)"):
        at.radio(key="ex_mode").set_value(mode).run()
        assert not at.exception, at.exception
    assert at.text_input(key="ex_title").value == "My title"
    assert at.session_state["ex_set"] == s
    at.button(key="ex_del_0").click().run()
    assert at.session_state["ex_set"] == exs.ExerciseSet("My title", ())
    assert exs.decode_set(at.query_params["ex"]) == exs.ExerciseSet("My title", ())
