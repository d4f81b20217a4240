"""Pages drawn for a phone (``ui.phone.on_phone``, forced through its session key): what comes
first, what folds away and what is reshaped to fit 360 px. The browser side (sizes, touch,
axe-core) is tests/test_browser_phone.py."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.apptest import APP, TIMEOUT, shown_text
from ui.phone import PHONE_KEY


def open_on(rel_path: str, phone: bool, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[PHONE_KEY] = phone
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at = at.switch_page(rel_path).run()
    assert not at.exception
    return at


def test_keyword_quality_table_on_a_phone_is_recall_per_corpus_sbert_and_hybrid_first():
    at = open_on("pages/keyword_search.py", phone=True)
    tables = [d.value for d in at.dataframe][-2:]  # the page's last two tables: movies, lectures
    assert [list(t.columns) for t in tables] == [["SBERT", "hybrid", "BM25", "GloVe"]] * 2
    assert list(tables[0].index) == ["all", "paraphrase", "exact", "mixed"]
    two_stage = next(d for d in at.dataframe if "SBERT cosine" in d.value.columns)
    assert list(two_stage.proto.column_order)[:3] == ["#", "SBERT cosine", "passage"]
    desktop = open_on("pages/keyword_search.py", phone=False)
    full = desktop.dataframe[-1].value
    # the same recall@5 numbers as the full table's
    assert tables[0].loc["paraphrase", "SBERT"] == full.loc[
        ("movies", "paraphrase"), ("recall@5", "semantic (SBERT)")]


def test_the_x2vec_breakout_is_a_list_on_a_phone():
    phone = open_on("pages/x2vec.py", phone=True, query={"x2v_tab": "3"})
    text = shown_text(phone)
    assert "**Listing2Vec**: a sentence is a user's browsing session" in text
    assert "| X2Vec |" not in text
    assert "| X2Vec |" in shown_text(open_on("pages/x2vec.py", phone=False, query={"x2v_tab": "3"}))


def test_the_map_asks_a_phone_for_a_tap_and_names_no_dots():
    at = open_on("pages/embedding_map.py", phone=True)
    assert at.selectbox(key="map_find").label.endswith("(or tap a point on the map)")
    assert at.toggle(key="map_labels").value is False  # 268 labels in 300 px are a blot
    assert "click" not in shown_text(at).lower()
    desktop = open_on("pages/embedding_map.py", phone=False)
    assert desktop.selectbox(key="map_find").label.endswith("(or click a point on the map)")
    assert desktop.toggle(key="map_labels").value is True


def leaves(at: AppTest) -> list:
    """The main area's elements top to bottom."""
    out: list = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if children:
            for child in children.values():
                walk(child)
        else:
            out.append(node)

    walk(at.main)
    return out


def kinds_in_order(at: AppTest) -> list[str]:
    """The main area's elements top to bottom, by type (``plotly_chart``, ``text_input``…)."""
    return [node.type for node in leaves(at)]


def test_semantic_axes_shows_a_phone_its_chart_before_the_poles():
    for query in ({}, {"ax_mode": "Two axes"}):
        phone = kinds_in_order(open_on("pages/semantic_axes.py", phone=True, query=query))
        assert phone.index("plotly_chart") < phone.index("text_input"), query
        desktop = kinds_in_order(open_on("pages/semantic_axes.py", phone=False, query=query))
        assert desktop.index("plotly_chart") > desktop.index("text_input"), query


def test_bert_tokens_shows_a_phone_the_table_before_the_counts_and_folds_the_examples():
    phone_at = open_on("pages/bert_tokens.py", phone=True)
    phone = kinds_in_order(phone_at)
    assert phone.index("dataframe") < phone.index("metric")
    assert [e.label for e in phone_at.expander][0] == "Try an example"
    desktop = kinds_in_order(open_on("pages/bert_tokens.py", phone=False))
    assert desktop.index("dataframe") > desktop.index("metric")


def test_the_toy_recommender_tells_a_phone_its_answer_before_the_pickers():
    phone_at = open_on("pages/recommendations.py", phone=True, query={"rec_tab": "3"})
    phone = kinds_in_order(phone_at)
    assert phone.index("success") < phone.index("selectbox")
    assert "The toy vectors: Avatar, Ironman, Rainman" in [e.label for e in phone_at.expander]
    real = phone_at.dataframe[-1].value
    assert list(real.columns)[:2] == ["movie", "cosine with Avatar"]
    desktop = kinds_in_order(open_on("pages/recommendations.py", phone=False,
                                     query={"rec_tab": "3"}))
    assert desktop.index("success") > desktop.index("selectbox")


def test_word2vec_shows_a_phone_the_diagram_first_and_folds_method_and_window():
    phone_at = open_on("pages/x2vec.py", phone=True)
    phone = kinds_in_order(phone_at)
    assert phone.index("plotly_chart") < phone.index("text_input")
    assert "Method and window" in [e.label for e in phone_at.expander]
    desktop = kinds_in_order(open_on("pages/x2vec.py", phone=False))
    assert desktop.index("plotly_chart") > desktop.index("text_input")


def test_word2vec_training_shows_a_phone_the_loss_curve_before_the_numbers():
    phone_at = open_on("pages/x2vec.py", phone=True, query={"x2v_tab": "2"})
    phone = kinds_in_order(phone_at)
    assert phone.index("plotly_chart") < phone.index("metric")
    assert "Training settings" in [e.label for e in phone_at.expander]
    desktop = kinds_in_order(open_on("pages/x2vec.py", phone=False, query={"x2v_tab": "2"}))
    assert desktop.index("plotly_chart") > desktop.index("metric")


def test_product2vec_shows_a_phone_its_map_before_the_scores():
    phone = kinds_in_order(open_on("pages/x2vec.py", phone=True, query={"x2v_tab": "3"}))
    assert phone.index("plotly_chart") < phone.index("metric")
    desktop = kinds_in_order(open_on("pages/x2vec.py", phone=False, query={"x2v_tab": "3"}))
    assert desktop.index("plotly_chart") > desktop.index("metric")


def test_semantic_search_shows_a_phone_its_answer_under_the_query_and_folds_the_settings():
    for query in ({}, {"search_view": "GloVe vs SBERT"}):
        phone_at = open_on("pages/semantic_search.py", phone=True, query=query)
        phone = kinds_in_order(phone_at)
        assert phone.index("text_input") < phone.index("plotly_chart") < phone.index(
            "selectbox"), query
        assert any(e.label.startswith("Corpus") for e in phone_at.expander), query
        desktop = kinds_in_order(open_on("pages/semantic_search.py", phone=False, query=query))
        assert desktop.index("selectbox") < desktop.index("plotly_chart"), query


def test_keyword_search_shows_a_phone_the_lists_before_corpus_and_counts():
    preset = "Keyword wins: Detroit"
    phone_at = open_on("pages/keyword_search.py", phone=True)
    phone_at.selectbox(key="kw_preset").set_value(preset).run()
    phone = kinds_in_order(phone_at)
    assert phone.index("text_input") < phone.index("dataframe") < phone.index(
        "number_input")
    assert "Corpus, top k and RRF k" in [e.label for e in phone_at.expander]
    # the preset's note explains the lists: after them on a phone, before them on a computer
    assert phone.index("dataframe") < phone.index("info")
    desktop_at = open_on("pages/keyword_search.py", phone=False)
    desktop_at.selectbox(key="kw_preset").set_value(preset).run()
    desktop = kinds_in_order(desktop_at)
    assert desktop.index("number_input") < desktop.index("info") < desktop.index(
        "dataframe")


def test_exact_vs_approximate_folds_the_graph_settings_on_a_phone():
    phone_at = open_on("pages/vector_index.py", phone=True)
    assert "Graph degree M and search effort ef" in [e.label for e in phone_at.expander]
    desktop = open_on("pages/vector_index.py", phone=False)
    assert "Graph degree M and search effort ef" not in [e.label for e in desktop.expander]


def first(at: AppTest, kind: str, starts: str = "", label: str | None = None) -> int:
    """Where the first element of type ``kind`` (whose text starts with ``starts``, and
    labelled ``label`` if given) is."""
    return next(i for i, e in enumerate(leaves(at))
                if e.type == kind and str(getattr(e, "value", "")).startswith(starts)
                and label in (None, getattr(e, "label", None)))


def test_analogies_show_a_phone_the_bars_before_the_notes_and_the_method():
    phone = open_on("pages/neighbours.py", phone=True, query={"nb_tab": "2"})
    assert first(phone, "plotly_chart") < first(phone, "caption", "“") < first(
        phone, "radio", label="Method")
    desktop = open_on("pages/neighbours.py", phone=False, query={"nb_tab": "2"})
    assert first(desktop, "radio", label="Method") < first(desktop, "caption", "“") < first(
        desktop, "plotly_chart")
    # a projector (1280x720): the bars on its first screen too, the method after them
    present = open_on("pages/neighbours.py", phone=False, query={"nb_tab": "2", "present": "1"})
    assert first(present, "plotly_chart") < first(present, "caption", "“") < first(
        present, "radio", label="Method")


def test_the_heatmap_of_sentences_gives_a_phone_the_grid_then_its_key():
    phone = open_on("pages/heatmap.py", phone=True, query={"heat_kind": "Sentences"})
    assert first(phone, "plotly_chart") < first(phone, "caption", "**1**")


def test_product2vec_names_no_dots_on_a_phone_and_colours_under_the_map():
    phone_at = open_on("pages/x2vec.py", phone=True, query={"x2v_tab": "3"})
    phone = kinds_in_order(phone_at)
    assert phone.index("plotly_chart") < phone.index("button_group")
    assert "Tap a dot to name its product." in shown_text(phone_at)
    spec = phone_at.get("plotly_chart")[0].proto.spec
    assert re.search(r'"mode":\s*"markers"', spec) and "markers+text" not in spec  # a blot
    desktop_at = open_on("pages/x2vec.py", phone=False, query={"x2v_tab": "3"})
    desktop = kinds_in_order(desktop_at)
    assert desktop.index("button_group") < desktop.index("plotly_chart")
