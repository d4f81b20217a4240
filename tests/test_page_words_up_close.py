"""AppTest of the 'words up close' pages through the router: neighbours & analogies, semantic
axes, BERT tokens. Each test drives the page's main widgets and reads what a student sees."""

from __future__ import annotations

import pytest

from tests.apptest import click_tab, count_calls, open_page, shown_text

NB, AX, TOK = "pages/neighbours.py", "pages/semantic_axes.py", "pages/bert_tokens.py"


@pytest.fixture(scope="module", autouse=True)
def _models(kv, model):
    """Load both models once before the pages ask for them."""


def frames(at):
    return [df.value for df in at.dataframe]


# --- Neighbours & analogies ----------------------------------------------------------------

def test_neighbours_default_and_typing_a_word():
    at = open_page(NB)
    assert not at.exception
    table = frames(at)[0]
    assert list(table["word"][:3]) == ["snake", "ape", "toad"]
    assert table["cosine"][0] == 0.8445
    at.text_input(key="nb_word").input("Monday").run()
    at.slider(key="nb_k").set_value(3).run()
    assert list(frames(at)[0]["word"]) == ["tuesday", "thursday", "wednesday"]
    assert "The 3 words closest to “monday”" in shown_text(at)
    assert at.query_params["nb_word"] == "Monday"


def test_neighbours_unknown_word_suggests():
    at = open_page(NB)
    at.text_input(key="nb_word").input("chocolte").run()
    assert not at.exception
    assert any("Did you mean" in w.value and "`chocolate`" in w.value for w in at.warning)
    at.text_input(key="nb_word").input("   ").run()
    assert not at.exception and any("Type a word" in i.value for i in at.info)


def test_neighbours_hidden_tab_does_no_work(monkeypatch):
    """Only the open tab runs: no analogy under the neighbours tab, no neighbour list under the
    analogies tab (each is a scan over 400,000 words on a cache miss)."""
    from ui import cached

    calls = count_calls(monkeypatch, [(cached, "neighbours"), (cached, "analogy")])
    at = open_page(NB)
    assert not at.exception and dict(calls) == {"neighbours": 1}
    calls.clear()
    click_tab(at, "nb_tab", 2)
    assert not at.exception and dict(calls) == {"analogy": 1}
    assert "king − man + woman = **queen**" in shown_text(at)


def test_neighbours_word_survives_a_visit_to_the_analogies():
    at = open_page(NB)
    at.text_input(key="nb_word").input("Monday").run()
    click_tab(at, "nb_tab", 2)
    at.text_input(key="nb_c").input("girl").run()
    click_tab(at, "nb_tab", 1)
    assert at.text_input(key="nb_word").value == "Monday"
    assert frames(at)[0]["word"][0] == "tuesday"
    click_tab(at, "nb_tab", 2)
    assert at.text_input(key="nb_c").value == "girl"


def test_analogy_preset_shows_answer_and_excluded_input_ranks():
    at = open_page(NB, query={"nb_tab": "2"})
    text = shown_text(at)
    assert "king − man + woman = **queen**" in text
    ranks = frames(at)[1]
    assert list(ranks["input word"]) == ["man", "king", "woman"]
    assert list(ranks["rank if not excluded"]) == [995, 1, 196]
    assert any("would be “king”" in w.value for w in at.warning)

    at.selectbox(key="nb_preset").select("paris − france + italy").run()
    assert "paris − france + italy = **rome**" in shown_text(at)
    assert at.text_input(key="nb_b").value == "paris"
    assert not any("would be" in w.value for w in at.warning)  # no input ranks first here

    at.radio(key="nb_method").set_value("3cosmul").run()
    assert frames(at)[0]["word"][0] == "rome" and frames(at)[0]["score"][0] == 0.932
    at.text_input(key="nb_c").input("spainn").run()
    assert not at.exception
    assert at.selectbox(key="nb_preset").value == "(your own)"
    assert any("`spain`" in w.value for w in at.warning)


def test_analogy_link_reproduces_screen_and_survives_bad_values():
    at = open_page(NB, query={"nb_preset": "(your own)", "nb_a": "go", "nb_b": "went",
                              "nb_c": "take", "nb_ak": "3", "nb_k": "lots",
                              "nb_method": "nonsense", "nb_tab": "2"})
    assert not at.exception
    assert "went − go + take = **took**" in shown_text(at)
    assert len(frames(at)[0]) == 3
    assert at.radio(key="nb_method").value == "3cosadd"
    click_tab(at, "nb_tab", 1)
    assert not at.exception and at.slider(key="nb_k").value == 10


def test_link_with_only_a_preset_fills_its_words():
    at = open_page(NB, query={"nb_preset": "better − good + bad", "nb_tab": "2"})
    assert (at.text_input(key="nb_a").value, at.text_input(key="nb_c").value) == ("good", "bad")
    assert "better − good + bad = **worse**" in shown_text(at)
    ax = open_page(AX, query={"ax_preset": "safe → dangerous"})
    assert ax.text_input(key="ax_pos").value == "dangerous"
    assert "snake" in list(frames(ax)[0]["word"])


# --- Semantic axes -------------------------------------------------------------------------

def test_axis_default_ranks_jobs_and_shows_bias_note():
    at = open_page(AX)
    assert not at.exception
    table = frames(at)[0]
    assert table["word"].iloc[0] == "boss" and table["word"].iloc[-1] == "homemaker"
    nurse = table[table["word"] == "nurse"].iloc[0]
    assert nurse["score"] == 0.1436 and nurse["leans toward"] == "woman"
    lean = dict(zip(table["word"], table["leans toward"], strict=True))
    # by the grey band (mean -0.034 ± 0.065), not by sign: doctor (+0.013) and engineer
    # (-0.064) are typical words, boss (-0.242) leans clearly
    assert (lean["doctor"], lean["engineer"], lean["boss"]) == ("neither (typical)",) * 2 + ("man",)
    text = shown_text(at)
    assert "Bolukbasi" in text and "standard deviation of 0.065" in text


def test_axis_preset_custom_poles_and_two_axes():
    at = open_page(AX)
    at.selectbox(key="ax_preset").select("cold → hot").run()
    assert "coffee" in at.text_area(key="ax_words").value
    assert frames(at)[0]["word"].iloc[-1] == "coffee"
    assert "temperature does *not* come out" in shown_text(at)

    at.radio(key="ax_mode").set_value("Two axes").run()
    assert not at.exception
    assert list(frames(at)[0].columns) == ["word", "score on cold → hot", "score on poor → rich"]
    assert at.get("plotly_chart")

    at.text_input(key="ax_pos2").input("wealthy, wealth").run()
    assert at.selectbox(key="ax_preset2").value == "(your own poles)"
    assert "score on poor → wealthy/wealth" in frames(at)[0].columns
    assert "written about" in shown_text(at)  # the generic note for a custom axis


def test_axis_bad_input_is_friendly():
    at = open_page(AX)
    at.text_input(key="ax_neg").input("colld").run()
    assert any("`cold`" in w.value for w in at.warning)
    at.text_input(key="ax_neg").input("woman").run()
    assert any("same words" in w.value for w in at.warning)
    at.text_input(key="ax_neg").input("man").run()
    at.text_area(key="ax_words").input("😀, <b>hi</b>, nurse, " + "x" * 300).run()
    assert not at.exception
    assert list(frames(at)[0]["word"]) == ["nurse"]
    at.text_area(key="ax_words").input(" , ").run()
    assert any("Type some words" in i.value for i in at.info)


# --- BERT tokens ---------------------------------------------------------------------------

def test_tokens_lecture_table():
    at = open_page(TOK)
    assert not at.exception
    table = frames(at)[0]
    assert list(table.loc["Token"]) == ["[CLS]", "my", "dog", "is", "cute", "[SEP]", "he",
                                        "likes", "playing", "[SEP]"]
    assert list(table.loc["Position"]) == [str(i) for i in range(10)]
    assert table.loc["Segment", "7"] == "B (1)"
    text = shown_text(at)
    assert "keeps *playing* whole" in text and "30,522" in text and "256" in text
    assert "em ##bed ##ding ##s" in frames(at)[1]["pieces"].tolist()
    assert "playing" not in frames(at)[1]["word"].tolist()  # the lecture's word, said above
    assert "No predictions here" in text


def test_tokens_split_and_long_text_buttons():
    at = open_page(TOK)
    at.button(key="tok_try_Words that split").click().run()
    splits = frames(at)[1]
    assert list(splits["word"]) == ["Embeddings", "tokenization", "Snowboarding", "unbelievably"]
    assert not at.warning
    at.button(key="tok_try_Long text (gets cut)").click().run()
    assert any("cut off" in w.value and "at most 256" in w.value for w in at.warning)
    assert frames(at)[0].shape[1] == 256


def test_tokens_typing_and_odd_input():
    at = open_page(TOK)
    at.text_input(key="tok_b").input("").run()
    at.text_area(key="tok_a").input("I love tokenization 😀").run()
    assert not at.exception
    assert list(frames(at)[0].loc["Token"]) == ["[CLS]", "i", "love", "token", "##ization",
                                                "[UNK]", "[SEP]"]
    assert set(frames(at)[0].loc["Segment"]) == {"A (0)"}
    assert at.query_params["tok_a"] == "I love tokenization 😀"
    at.number_input(key="tok_seed").set_value(4).run()
    assert not at.exception and at.code[0].value.count("[MASK]") == 1
    assert at.query_params["tok_seed"] == "4"  # the draw (a fragment) still goes in the link
    at.text_area(key="tok_a").input("word " * 1_000).run()
    assert not any("are used" in w.value for w in at.warning)  # the whole text is counted
    assert any("makes 1,002 tokens (1,000 words)" in w.value and "first 256 pieces, 254 words "
               "up to “word”" in w.value and "last 746 tokens were **cut off**" in w.value
               for w in at.warning), [w.value for w in at.warning]
    assert "tok_a" not in at.query_params  # a huge text stays out of the link
    at.text_area(key="tok_a").input("  ").run()
    assert any("Type some sentence A" in i.value for i in at.info)
