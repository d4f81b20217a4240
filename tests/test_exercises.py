"""Exercise sets: round trips through a link and a JSON file, strict validation, computed keys."""

from __future__ import annotations

import base64
import json
import math
import random
import zlib

import pytest

from embedding.classroom import exercises as ex
from embedding.classroom.exercises import (
    EXAMPLE_SET,
    AnalogyQuestion,
    ClosestQuestion,
    ExerciseFormatError,
    ExerciseSet,
    OrderQuestion,
    SearchQuestion,
    ToyQuestion,
)
from embedding.search import documents
from embedding.text import escape_markdown

TRICKY = ExerciseSet(
    "Día 2: <b>vectors</b> & \"quotes\" $x$ 🚀",
    (
        ToyQuestion("A<script>", (("A<script>", (1.0, 0.5)), ("b*", (2.0, 1.0)),
                                  ("c_", (-1.0, 3.25)))),
        ClosestQuestion("Paris", ("rome", "banana")),
        SearchQuestion("ünïcode & <tags>", "movies", "Some Title"),
    ),
)


def _pack(obj) -> str:
    raw = json.dumps(obj).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


def _err(fn, *args) -> str:
    with pytest.raises(ExerciseFormatError) as info:
        fn(*args)
    return str(info.value)


@pytest.mark.parametrize("s", [EXAMPLE_SET, TRICKY, ExerciseSet("", ())])
def test_round_trip_through_url_and_json(s):
    token = ex.encode_set(s)
    assert all(c.isalnum() or c in "-_" for c in token)  # safe in a URL as is
    assert ex.decode_set(token) == s
    assert ex.from_json(ex.to_json(s)) == s
    assert ex.from_json(ex.to_json(s).encode("utf-8")) == s


def test_link_is_compact_and_built_from_the_base_url():
    link = ex.share_link("https://class.example.org/exercises/?present=1#top", EXAMPLE_SET)
    base, token = link.split("?ex=")
    assert base == "https://class.example.org/exercises"
    assert len(token) < 600  # 5 questions fit easily in a QR code
    assert ex.decode_set(token) == EXAMPLE_SET
    assert ex.qr_png(link)[:8] == b"\x89PNG\r\n\x1a\n"
    assert ex.qr_svg(link).startswith("<svg")


def test_fingerprint_changes_with_content():
    other = ExerciseSet(EXAMPLE_SET.title + "!", EXAMPLE_SET.questions)
    assert ex.fingerprint(EXAMPLE_SET) == ex.fingerprint(ex.decode_set(ex.encode_set(EXAMPLE_SET)))
    assert ex.fingerprint(EXAMPLE_SET) != ex.fingerprint(other)


@pytest.mark.parametrize("token, message", [
    ("", "carries no exercise set"),
    ("abc$%^", "changed or cut short"),
    ("not-base64-at-all", "changed or cut short"),
    ("A" * 7000, "limit is 6,000"),
])
def test_tampered_links_give_clear_errors(token, message):
    assert message in _err(ex.decode_set, token)


def test_flipped_character_and_cut_link():
    token = ex.encode_set(EXAMPLE_SET)
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    assert "changed or cut short" in _err(ex.decode_set, flipped)
    assert "cut short" in _err(ex.decode_set, token[: len(token) // 2])


def test_zip_bomb_link_is_refused():
    bomb = base64.urlsafe_b64encode(zlib.compress(b" " * 3_000_000, 9)).decode().rstrip("=")
    assert len(bomb) < 6_000
    assert "too large" in _err(ex.decode_set, bomb)


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON (line 1, column 2"),
    ("[1, 2]", "must be a JSON object"),
    ('{"format": "x", "version": 1, "title": "", "questions": []}', "not an Embedding Explorer"),
    (json.dumps({**ex.to_dict(EXAMPLE_SET), "version": 2}), "version 2"),
    (json.dumps({**ex.to_dict(EXAMPLE_SET), "extra": 1}), "unknown field 'extra'"),
    ('{"format": "embedding-explorer/exercises", "version": 1, "title": "t"}',
     "missing the field 'questions'"),
    ('{"format": "embedding-explorer/exercises", "version": 1, "title": "t", "questions": '
     '[{"kind": "toy", "liked": "a", "vectors": {"a": [1, NaN], "b": [1, 2], "c": [0, 1]}}]}',
     "'NaN' is not a number JSON allows"),
])
def test_malformed_json_and_wrong_schema(text, message):
    assert message in _err(ex.from_json, text)


def _with_question(q) -> dict:
    return {"format": ex.FORMAT, "version": 1, "title": "t", "questions": [q]}


@pytest.mark.parametrize("q, message", [
    ({"kind": "quiz"}, "Question 1: 'kind' is 'quiz'; use one of: toy, closest"),
    ({"kind": "analogy", "a": "man", "b": "king"}, "Question 1 (analogy) is missing the field 'c'"),
    ({"kind": "analogy", "a": "man", "b": "king", "c": "two words"}, "must be a single word"),
    ({"kind": "analogy", "a": "man", "b": 3, "c": "woman"}, "'b' must be text, not a number"),
    ({"kind": "order", "a": "x" * 201, "b": "y"}, "201 characters long; at most 200"),
    ({"kind": "order", "a": "line\nbreak", "b": "y"}, "line break"),
    ({"kind": "closest", "word": "frog", "candidates": ["toad"]}, "list of 2 to 6 words"),
    ({"kind": "closest", "word": "frog", "candidates": ["toad", "Toad"]}, "appears twice"),
    ({"kind": "closest", "word": "frog", "candidates": ["frog", "toad"]}, "cannot also be"),
    ({"kind": "toy", "liked": "z", "vectors": {"a": [1, 2], "b": [2, 1], "c": [0, 1]}},
     "'liked' (z) is not one of the vectors"),
    ({"kind": "toy", "liked": "a", "vectors": {"a": [1, 2], "b": [2, 1, 0], "c": [0, 1]}},
     "same number of values"),
    ({"kind": "toy", "liked": "a", "vectors": {"a": [1, True], "b": [2, 1], "c": [0, 1]}},
     "must be a number, not true/false"),
    ({"kind": "toy", "liked": "a", "vectors": {"a": [1, 1e9], "b": [2, 1], "c": [0, 1]}},
     "between -1,000,000 and 1,000,000"),
    ({"kind": "toy", "liked": "a", "vectors": {"a": [1, 2], "b": [2, 1]}}, "give 3 to 12"),
    ({"kind": "search", "query": "q", "corpus": "web", "expected": "x"}, "'corpus' must be one"),
    ({"kind": "pieces", "words": ["cat"]}, "list of 2 to 6 words"),
    ({"kind": "pieces", "words": ["cat", "two words"]}, "must be a single word"),
    ({"kind": "pieces", "words": ["cat", "Cat"]}, "appears twice"),
    ({"kind": "pieces", "words": "cat, dog"}, "list of 2 to 6 words"),
])
def test_wrong_questions_are_named(q, message):
    assert message in _err(ex.from_dict, _with_question(q))


def test_too_many_questions():
    d = ex.to_dict(ExerciseSet("t", (OrderQuestion("a", "b"),) * 13))
    assert "13 questions; at most 12" in _err(ex.from_dict, d)
    assert "13 questions" in _err(ex.decode_set, _pack(d))


def test_toy_key_has_exact_numbers_and_worked_steps():
    q = EXAMPLE_SET.questions[0]
    assert ex.options(q) == ("Ironman", "Rainman")
    s = ex.solve(q)
    assert s.correct == "Ironman" and s.accepted == ("Ironman",)
    assert s.scores[0][1] == pytest.approx(33 / (3 * math.sqrt(122)), abs=1e-12)
    assert s.scores[1] == ("Rainman", pytest.approx(9 / (3 * math.sqrt(41)), abs=1e-12))
    steps = dict(s.steps)
    assert steps["Ironman"].dot == 33 and steps["Rainman"].dot == 9
    assert ex.check(q, s, "Ironman").ok
    assert not ex.check(q, s, "Rainman").ok
    assert ex.check(q, s, "").message == "Choose or type an answer first."
    assert "Cosine compares directions" in ex.check(q, s, "Rainman").message


def test_toy_tie_accepts_both():
    q = ToyQuestion("a", (("a", (1.0, 0.0)), ("b", (1.0, 1.0)), ("c", (1.0, -1.0))))
    s = ex.solve(q)
    assert set(s.accepted) == {"b", "c"}
    assert ex.check(q, s, "c").ok and ex.check(q, s, "b").ok


def test_word_questions_with_glove(kv, model):
    s = ex.solve(ClosestQuestion("Frog", ("toad", "lizard", "prince")), kv)
    assert s.correct == "toad" and s.scores[0][1] == pytest.approx(0.79075, abs=1e-4)
    q = AnalogyQuestion("man", "king", "woman")
    a = ex.solve(q, kv)
    assert a.correct == "queen" and a.scores[0][1] == pytest.approx(0.8524, abs=1e-4)
    assert ex.check(q, a, " Queen ").ok
    assert "number 3" in ex.check(q, a, "prince").message
    assert "not in its top 10" in ex.check(q, a, "banana").message
    assert "input words" in ex.check(q, a, "King").message  # inputs are excluded: say so
    assert "input words" not in ex.check(q, a, "banana").message
    o = ex.solve(OrderQuestion("chocolate milk", "milk chocolate"), kv, model)
    assert o.correct == "Only SBERT"
    assert dict(o.scores)["GloVe average"] == pytest.approx(1.0, abs=1e-6)
    assert dict(o.scores)["SBERT"] == pytest.approx(0.9803, abs=1e-3)
    same = ex.solve(OrderQuestion("a red car", "a red car"), kv, model)
    assert same.correct == "Neither model"
    diff = ex.solve(OrderQuestion("a red car", "a blue bicycle"), kv, model)
    assert diff.correct == "Both models"


def test_search_question_and_missing_movies(model, tmp_path, monkeypatch):
    q = EXAMPLE_SET.questions[4]
    s = ex.solve(q, model=model, docs=ex.builtin_docs())
    assert s.correct == ex.BUILTIN_SENTENCES[4] and "as the instructor expected" in s.note
    assert ex.check(q, s, ex.BUILTIN_SENTENCES[4]).ok
    from embedding.recsys import movies

    monkeypatch.setattr(documents, "load_movies",
                        lambda: movies.load_movies(tmp_path / "movies.csv"))
    assert ex.corpus_docs("movies") is None  # no data/movies.csv: degrade, no crash
    with pytest.raises(ValueError, match="not available"):
        ex.solve(SearchQuestion("space", "movies", "x"), model=model, docs=None)
    (tmp_path / "movies.csv").write_text(
        "id,title,year,genres,plot\n"
        "1,Star Quest,2001,Sci-Fi,A crew of explorers travels to a distant planet.\n"
        "2,Bake Off,2010,Comedy,Two rival bakers compete for the best wedding cake.\n",
        encoding="utf-8")
    docs = ex.corpus_docs("movies")
    assert [d.label for d in docs] == ["Star Quest (2001)", "Bake Off (2010)"]
    assert docs[0].text == "A crew of explorers travels to a distant planet."
    m = ex.solve(SearchQuestion("astronauts in space", "movies", "Bake Off (2010)"),
                 model=model, docs=docs)
    assert m.correct == "Star Quest (2001)" and 'instructor expected "Bake Off (2010)"' in m.note
    (tmp_path / "movies.csv").write_text("name,year\nX,1999\n", encoding="utf-8")
    assert ex.corpus_docs("movies") is None


def test_handouts_escape_the_instructors_text():
    link = ex.share_link("http://localhost:8501/exercises", TRICKY)
    s = ex.solve(TRICKY.questions[0])
    page = ex.handout_html(TRICKY, link, solutions=[s, None, None])
    assert "<script>" not in page and "A&lt;script&gt;" in page
    assert "&lt;b&gt;vectors&lt;/b&gt;" in page and "<svg" in page and "Answer key" in page
    md = ex.handout_markdown(TRICKY, link, solutions=[s, None, None])
    assert r"A\<script\>" in md and r"\$x\$" in md and "# Answer key" in md
    assert "- [ ] b\\*" in md
    many = {"movies": [ex.Doc(f"Film {i}", "x") for i in range(30)],
            "sentences": ex.builtin_docs()}
    search = ExerciseSet("s", (SearchQuestion("q", "movies", "Film 1"), EXAMPLE_SET.questions[4]))
    md = ex.handout_markdown(search, docs=many)
    assert "Film 1" not in md.split("## Question 2")[0]  # 30 titles: a blank line instead
    assert md.count("- [ ] ") == 10  # the 10 built-in sentences are listed


def test_escape_markdown_leaves_nothing_active():
    assert escape_markdown("**bold** [x](javascript:alert(1)) $y$") == (
        r"\*\*bold\*\* \[x\]\(javascript\:alert\(1\)\) \$y\$")


def test_a_set_too_big_for_a_link_is_refused_on_import():
    rng = random.Random(7)

    def ugly() -> dict:
        return {f"v{i}": [rng.uniform(-9, 9) for _ in range(10)] for i in range(12)}

    big = {**ex.to_dict(EXAMPLE_SET), "questions": [
        {"kind": "toy", "liked": "v0", "vectors": ugly()} for _ in range(12)]}
    s = ex.from_dict(big)  # valid, but …
    assert len(ex.encode_set(s)) > ex.MAX_TOKEN_CHARS
    assert "would make a link of" in _err(ex.from_json, json.dumps(big))
    assert "would make a link of" in _err(ex.check_link_size, s)
    ex.check_link_size(EXAMPLE_SET)  # no error


def test_each_kind_has_its_own_wrong_answer_hint():
    wrong = {"toy": "Rainman", "closest": "prince", "order": "Both models",
             "analogy": "banana", "search": ex.BUILTIN_SENTENCES[0]}
    fake = ex.Solution("x", ("x",), (("x", 1.0),), "s", "n")
    hints = {q.kind: ex.check(q, fake, wrong[q.kind]).message for q in EXAMPLE_SET.questions}
    assert len(set(hints.values())) == len(EXAMPLE_SET.questions) == 5, hints
    assert all(not h.startswith("Right") for h in hints.values())


def test_pieces_question_counts_bert_word_pieces(model):
    q = ex.question_from_dict({"kind": "pieces",
                               "words": ["unbelievable", "embeddings", "snowboarding"]})
    assert ex.options(q) == ("unbelievable", "embeddings", "snowboarding")
    sol = ex.solve(q, model=model)
    assert sol.correct == "embeddings" and sol.accepted == ("embeddings",)
    assert dict(sol.scores) == {"embeddings": 4.0, "snowboarding": 2.0, "unbelievable": 1.0}
    assert "em ##bed ##ding ##s" in sol.note
    assert ex.check(q, sol, "embeddings").ok
    wrong = ex.check(q, sol, "unbelievable")
    assert not wrong.ok and "Length is not what counts" in wrong.message
    assert "\"unbelievable\" is 1 piece, \"embeddings\" 4" in q.explain_wrong(sol, "unbelievable")
    tie = ex.solve(ex.PiecesQuestion(("cat", "dog")), model=model)
    assert set(tie.accepted) == {"cat", "dog"}  # one piece each: both count
    assert ex.decode_set(ex.encode_set(ExerciseSet("t", (q,)))).questions == (q,)
