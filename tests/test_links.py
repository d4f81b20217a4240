"""Links reproduce the screen (AppTest through the router): preset labels, typed sentences on the
map, long texts said to be left out, and defaults kept out of the address bar."""

from __future__ import annotations

from tests.apptest import open_page, shown_text


def test_cosine_calculator_link_restores_the_preset_label(kv, model):
    preset = "Length does not matter"
    at = open_page("pages/cosine_toy.py", {"toy_preset": preset,
                                           "toy_vectors": "short: 1, 1, 0\nlong: 10, 10, 0"})
    assert not at.exception
    assert at.selectbox(key="toy_preset").value == preset
    assert at.query_params["toy_preset"] == preset
    other = open_page("pages/cosine_toy.py", {"toy_preset": "no such preset"})
    assert other.selectbox(key="toy_preset").value.startswith("Lecture exercise")


def test_word_order_link_restores_the_preset_label(kv, model):
    at = open_page("pages/word_order.py", {"order_preset": "1", "order_a": "dog bites man",
                                           "order_b": "man bites dog"})
    assert not at.exception
    assert at.selectbox(key="order_preset").value == 1
    at.selectbox(key="order_preset").set_value(2).run()
    assert at.query_params["order_preset"] == "2"


def test_word_order_preset_box_names_the_pair_of_the_link(kv, model):
    """A shared link carries the phrases; the preset box names them, never the default pair."""
    own = open_page("pages/word_order.py", {"order_a": "red wine", "order_b": "wine red"})
    assert own.selectbox(key="order_preset").value == -1
    assert own.selectbox(key="order_preset").format_func(-1) == "(your own pair)"
    typed = open_page("pages/word_order.py", {"order_a": "a house boat", "order_b": "a boat house"})
    assert typed.selectbox(key="order_preset").value == 6  # the presets' own pair: named
    only = open_page("pages/word_order.py", {"order_preset": "2"})
    assert only.text_input(key="order_a").value == "the cat chased the mouse"
    only.text_input(key="order_b").input("the mouse chased a cat").run()
    assert only.selectbox(key="order_preset").value == -1  # edited: no longer the preset


def test_map_link_restores_typed_sentences(kv, model):
    text = "pets | The cat sleeps.\npets | A dog barks.\nsky | It rained.\nsky | Sunny day.\n" \
           "food | Soup is hot."
    at = open_page("pages/embedding_map.py", {"map_set": "sentences", "map_method": "pca",
                                              "map_own_sentences": "1",
                                              "map_sentences_text": text})
    assert not at.exception
    assert at.toggle(key="map_own_sentences").value is True
    assert at.text_area(key="map_sentences_text").value == text
    assert "Add at least 5" not in shown_text(at)


def test_long_text_is_said_to_stay_out_of_the_link(kv, model):
    at = open_page("pages/bert_tokens.py")
    at.text_area(key="tok_a").input("word " * 1_000).run()
    assert "tok_a" not in at.query_params
    assert any("too long for a link" in c.value for c in at.caption)


def test_defaults_stay_out_of_the_link_and_changes_go_in(kv, model):
    at = open_page("pages/word_similarity.py")
    assert "wordsim_a" not in at.query_params  # opening a page adds nothing to the address
    at.text_input(key="wordsim_a").input("king").run()
    assert at.query_params["wordsim_a"] == "king"
    at.text_input(key="wordsim_a").input("chocolate").run()  # back to the default
    assert "wordsim_a" not in at.query_params
