"""AppTest of the foundation pages: drive the main widgets, check what a student sees."""

import pytest

from tests.apptest import open_page, shown_text


def test_home_loads_no_model(monkeypatch):
    from ui import resources

    def refuse():
        raise AssertionError("the home page must not load a model")

    monkeypatch.setattr(resources, "glove", refuse)
    monkeypatch.setattr(resources, "sbert", refuse)
    at = open_page("pages/home.py")
    assert not at.exception
    text = shown_text(at)
    assert "Embedding Explorer" in text and "cosine similarity" in text
    # A card per section, a link per page: every other catalogue page is linked, once.
    from ui.catalog import PAGES

    links = [link.proto.page for link in at.get("page_link")]
    assert sorted(links) == sorted(p.path[len("pages/"):-len(".py")] for p in PAGES
                                   if p.path != "pages/home.py")
    assert [h.value for h in at.subheader] == list(dict.fromkeys(
        p.section for p in PAGES if p.path != "pages/home.py"))


def test_sections_are_split_into_columns_of_similar_height():
    from ui.catalog import balanced_columns

    weights = {"Basics": 2, "Words": 4, "Sentences": 5, "Maps": 2, "Search": 5, "Beyond": 3}
    cols = balanced_columns(weights, 3)
    assert [k for col in cols for k in col] == list(weights)  # reading order kept
    # 6 | 7 | 8: the tallest column as short as it can be (11 | 5 | 5 would be lopsided)
    assert cols == [["Basics", "Words"], ["Sentences", "Maps"], ["Search", "Beyond"]]
    assert balanced_columns({"a": 1}, 3) == [["a"], [], []]


def test_cosine_toy_lecture_exercise():
    at = open_page("pages/cosine_toy.py")
    assert not at.exception
    text = shown_text(at)
    assert "recommend **Ironman** (cosine 0.9959)" in text
    assert "**Rainman** (0.4685)" in text
    assert r"\sqrt{9} = 3" in text and r"\frac{33}{3 \cdot \sqrt{122}}" in text
    assert len(at.get("plotly_chart")) == 1  # 3-D arrows
    rainman = open_page("pages/cosine_toy.py", {"toy_tab": "2"})  # the second tab, by link
    assert r"\frac{9}{3 \cdot \sqrt{41}}" in shown_text(rainman)


def test_cosine_toy_writes_out_only_the_open_tab(monkeypatch):
    """Worked steps are drawn lazily: the hidden tab's steps are not even computed."""
    import embedding.classroom.explain as explain

    written = []
    original = explain.worked_steps_markdown
    monkeypatch.setattr(explain, "worked_steps_markdown",
                        lambda s, u, v, **kw: written.append(v) or original(s, u, v, **kw))
    at = open_page("pages/cosine_toy.py")
    assert written == ["Ironman"]  # the open tab only, not Rainman's
    assert r"\frac{9}{3 \cdot \sqrt{41}}" not in shown_text(at)
    written.clear()
    at = open_page("pages/cosine_toy.py", {"toy_tab": "2"})
    assert written == ["Rainman"] and at.query_params["toy_tab"] == "2"


def test_cosine_toy_edit_and_bad_input():
    at = open_page("pages/cosine_toy.py")
    at.text_area(key="toy_vectors").input("A: 1 0\nB: 0 1\nC: 1 1").run()
    assert not at.exception
    assert "recommend **C** (cosine 0.7071)" in shown_text(at)
    at.selectbox(key="toy_liked").select("B").run()
    assert "You liked **B**: recommend **C**" in shown_text(at)
    at.text_area(key="toy_vectors").input("A: 1 2 x\nB: 1 2 3").run()
    assert not at.exception and "'x' is not a number" in shown_text(at)
    at.text_area(key="toy_vectors").input("A: 0 0\nB: 1 2").run()
    assert not at.exception and "zero vector" in shown_text(at)


def test_cosine_toy_natural_paste_from_slides():
    at = open_page("pages/cosine_toy.py")
    at.text_area(key="toy_vectors").input("A: 1,5 2,5\nB: 1 2").run()
    assert not at.exception and "'1,5' a decimal comma" in shown_text(at)
    at.text_area(key="toy_vectors").input("A: \u22122 1\nB: \u22124 2\nC: 1 1").run()
    assert not at.exception and "recommend **B**" in shown_text(at)
    at.text_area(key="toy_vectors").input("A: 0.00001 0.00002\nB: 0.00003 0.00001\nC: 1 0").run()
    text = shown_text(at)
    assert r"3 \times 10^{-10} + 2 \times 10^{-10}" in text and "= 0 + 0 = 0" not in text
    at.text_area(key="toy_vectors").input("Avatar: 0 0 0\nIronman: 3 7 8\nRainman: 1 -2 6").run()
    warning = " ".join(w.value for w in at.warning)
    assert "**Avatar** is all zeros" in warning and "Ironman" not in warning


def test_cosine_toy_preset_switch():
    at = open_page("pages/cosine_toy.py")
    at.selectbox(key="toy_preset").select("2-D: arrows you can see").run()
    assert not at.exception
    assert at.text_area(key="toy_vectors").value.startswith("a: 4, 1")


def test_word_similarity(kv):
    at = open_page("pages/word_similarity.py")
    assert not at.exception
    assert at.metric[0].value == "0.7551"
    at.text_input(key="wordsim_b").input("chocolatte").run()
    assert not at.exception
    assert "Did you mean" in shown_text(at) and "`chocolate`" in shown_text(at)
    at.text_input(key="wordsim_a").input("   ").run()
    assert not at.exception and "Type a word" in shown_text(at)


@pytest.mark.parametrize("a,b", [("war", "war"), ("king", "King"), ("american", "american")])
def test_word_similarity_same_word_twice(kv, a, b):
    """float32 makes a word's cosine with itself 1.0000001: the angle must still be 0°."""
    at = open_page("pages/word_similarity.py", query={"wordsim_a": a, "wordsim_b": b})
    assert not at.exception, at.exception
    assert [m.value for m in at.metric[:3]] == ["1", "0.0°", "itself"]
    assert "Both boxes hold the same word" in shown_text(at)


def test_word_similarity_from_shared_link(kv):
    at = open_page("pages/word_similarity.py", query={"wordsim_a": "king", "wordsim_b": "queen"})
    assert not at.exception
    assert at.text_input(key="wordsim_a").value == "king"
    assert float(at.metric[0].value) == pytest.approx(kv.similarity("king", "queen"), abs=1e-4)


def test_sentence_similarity(kv, model):
    at = open_page("pages/sentence_similarity.py")
    assert not at.exception
    sbert, glove = (float(m.value) for m in at.metric[:2])
    assert 0 < sbert < 1 and 0 < glove <= 1
    at.text_area(key="sent_a").input("🍫🍫🍫").run()
    assert not at.exception
    assert "Nothing for GloVe to average" in shown_text(at)


@pytest.mark.parametrize("text", ["🍫🍫🍫", "ギターを弾いている男性"])
def test_sentence_without_glove_words_still_gets_an_sbert_score(kv, model, text):
    at = open_page("pages/sentence_similarity.py")
    at.text_area(key="sent_a").input(text).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["GloVe-average cosine"] == "—"
    assert -1 <= float(metrics["SBERT cosine"]) <= 1
    warning = " ".join(w.value for w in at.warning)
    assert "Nothing for GloVe to average" in warning and "trained on English" in warning


def test_sentence_translation_pair_scores_low_as_the_warning_says(kv, model):
    at = open_page("pages/sentence_similarity.py", query={
        "sent_a": "Der Hund schläft auf dem Sofa.", "sent_b": "The dog is sleeping on the sofa."})
    assert not at.exception
    sbert = float(next(m.value for m in at.metric if m.label == "SBERT cosine"))
    assert sbert == 0.182 and "trained on English sentences" in shown_text(at)


def test_sentence_similarity_long_text(kv, model):
    at = open_page("pages/sentence_similarity.py")
    at.text_area(key="sent_a").input("x" * 100_000).run()
    assert not at.exception and "only the first 2,000 are used" in shown_text(at)


def test_heatmap_words_and_sentences(kv, model):
    at = open_page("pages/heatmap.py")
    assert not at.exception and len(at.get("plotly_chart")) == 1
    at.text_area(key="heat_words").input("cat, dog, qqzzx").run()
    assert not at.exception and "qqzzx" in shown_text(at)
    at.text_area(key="heat_words").input("cat").run()
    assert "at least two" in shown_text(at)


def test_word_order_page(kv, model):
    at = open_page("pages/word_order.py")
    assert not at.exception
    glove, sbert = (float(m.value) for m in at.metric[:2])
    assert glove == pytest.approx(1.0) and sbert == pytest.approx(0.98, abs=0.01)
    assert "identical" in shown_text(at)
    table = at.dataframe[0].value
    assert "dog bites man / man bites dog" in set(table["pair"])
    at.selectbox(key="order_preset").select(1).run()
    assert at.text_input(key="order_a").value == "dog bites man"
    at.text_input(key="order_b").input("").run()
    assert not at.exception and "Type some phrase" in shown_text(at)


def test_word_order_identical_and_dropped_words_are_said(kv, model):
    at = open_page("pages/word_order.py", query={"order_a": "dog bites man",
                                                 "order_b": "Dog bites man."})
    text = shown_text(at)
    assert "same words in the same order" in text and "noticed the order changed" not in text
    at.text_input(key="order_b").input("man bites dog qqzzx").run()
    text = shown_text(at)
    assert "the same known words" in text and "*qqzzx*, so it was **left out**" in text
    at.text_input(key="order_b").input("man bites dog").run()
    assert "noticed the order changed" in shown_text(at) and "left out" not in shown_text(at)


def test_second_page_load_reloads_nothing(kv, model, monkeypatch):
    """Models are cached per process: a new session on a model page must not load them again."""
    import ui.resources as resources

    def refuse(*args, **kwargs):
        raise AssertionError("model loaded twice")

    monkeypatch.setattr(resources, "load_glove", refuse)
    monkeypatch.setattr(resources, "load_sbert", refuse)
    for _ in range(2):
        at = open_page("pages/word_order.py")
        assert not at.exception
        assert resources.glove() is kv and resources.sbert() is model


TINY_VECTORS = b"cat 0.9 0.1 0.0\ndog 0.8 0.2 0.1\ncar 0.0 0.1 0.9\n"


@pytest.mark.parametrize("page,prefix", [("pages/word_similarity.py", "wordsim"),
                                         ("pages/neighbours.py", "nb"),
                                         ("pages/heatmap.py", "heat")])
def test_own_vectors_on_word_pages(page, prefix):
    at = open_page(page)
    at.radio(key=f"{prefix}_vectors").set_value("Your own vectors (upload .txt/.vec/.gz)").run()
    assert not at.exception and "Upload a word-vector file" in shown_text(at)
    at.file_uploader(key=f"{prefix}_vectors_file").set_value(
        ("mine.txt", TINY_VECTORS, "text/plain")).run()
    assert not at.exception
    assert "3 words × 3 dims" in shown_text(at)


def test_own_vectors_drive_the_score():
    at = open_page("pages/word_similarity.py", query={"wordsim_a": "cat", "wordsim_b": "dog"})
    at.radio(key="wordsim_vectors").set_value("Your own vectors (upload .txt/.vec/.gz)").run()
    at.file_uploader(key="wordsim_vectors_file").set_value(
        ("mine.txt", TINY_VECTORS, "text/plain")).run()
    assert at.metric[0].value == "0.9838"  # 0.74 / (√0.82·√0.69), not GloVe's 0.9218
    at.text_input(key="wordsim_b").input("chocolate").run()
    assert "not in your vectors (3 words)" in shown_text(at)


# A case-sensitive file (a novel's own vectors): "Он" (sentence start) and "он" differ.
CASED_VECTORS = ("Он 0.9 0.1 0.0\nон 0.1 0.9 0.0\nдом 0.0 0.2 0.9\nParis 0.5 0.5 0.1\n"
                 "paris 0.1 0.1 0.9\n").encode()
OWN = "Your own vectors (upload .txt/.vec/.gz)"


def _own(at, prefix: str, name: str = "novel.vec", data: bytes = CASED_VECTORS):
    at.radio(key=f"{prefix}_vectors").set_value(OWN).run()
    at.file_uploader(key=f"{prefix}_vectors_file").set_value((name, data, "text/plain")).run()
    assert not at.exception, at.exception
    return at


def test_own_vectors_keep_case_when_the_file_does():
    at = _own(open_page("pages/word_similarity.py", query={"wordsim_a": "Он",
                                                            "wordsim_b": "он"}), "wordsim")
    assert "Both boxes hold the same word" not in shown_text(at)
    assert at.metric[0].value == "0.2195"  # (0.09 + 0.09) / 0.82: two different vectors
    at.text_input(key="wordsim_a").input("Paris").run()
    at.text_input(key="wordsim_b").input("paris").run()
    assert float(at.metric[0].value) < 0.5  # not lower-cased into the same word
    at.text_input(key="wordsim_b").input("ДОМ").run()  # no exact match: other capitals tried
    assert not at.exception and "Rank of 'дом'" in " ".join(m.label for m in at.metric)


def test_own_vectors_uploaded_once_serve_every_page():
    at = _own(open_page("pages/word_similarity.py"), "wordsim", data=TINY_VECTORS)
    at.run()
    assert "How close are two words in novel.vec: 3 words × 3 dims (GloVe text)?" in shown_text(at)
    at.switch_page("pages/neighbours.py").run()
    assert not at.exception
    assert at.radio(key="nb_vectors").value == OWN  # no second upload
    text = shown_text(at)
    assert "uploaded earlier in this session" in text
    assert "all words of novel.vec: 3 words × 3 dims (GloVe text)" in text and "400,000" not in text


def test_own_vectors_map_of_a_small_file_offers_no_glove_slider():
    words = " ".join(f"w{i} {i % 7 + 1} {i % 5 + 1} {i % 3 + 1}\n" for i in range(20))
    at = open_page("pages/embedding_map.py", query={"map_set": "top", "map_method": "pca"})
    at = _own(at, "map", "small.txt", words.replace(" \n", "\n").encode())
    text = shown_text(at)
    assert "All 20 words of your file" in text and "GloVe's most frequent" not in text
    assert not [s for s in at.slider if "first words" in s.label]


def test_vector_uploader_says_which_files_and_why():
    at = open_page("pages/word_similarity.py")
    at.radio(key="wordsim_vectors").set_value(OWN).run()
    text = shown_text(at)
    assert "**.txt** or **.vec**" in text and "Binary formats" in text
    assert at.file_uploader(key="wordsim_vectors_file").proto.type == [".txt", ".vec", ".gz"]


def test_malformed_vector_upload_is_explained():
    at = open_page("pages/word_similarity.py")
    at.radio(key="wordsim_vectors").set_value("Your own vectors (upload .txt/.vec/.gz)").run()
    at.file_uploader(key="wordsim_vectors_file").set_value(
        ("bad.txt", b"cat 0.1 0.2\ndog 0.3\n", "text/plain")).run()
    assert not at.exception
    assert "Line 2" in shown_text(at)


def test_own_vectors_on_the_map():
    words = b"cow 0.7 0.3 0.1\nbus 0.1 0.2 0.8\nvan 0.2 0.1 0.9\n"
    at = open_page("pages/embedding_map.py", query={"map_set": "own", "map_method": "pca",
                                                    "map_words": "cat, dog, car, cow, bus, van"})
    assert not at.exception
    at.radio(key="map_vectors").set_value("Your own vectors (upload .txt/.vec/.gz)").run()
    at.file_uploader(key="map_vectors_file").set_value(
        ("mine.txt", TINY_VECTORS + words, "text/plain")).run()
    assert not at.exception
    assert "6 words × 3 dims" in shown_text(at)
    assert len(at.get("plotly_chart")) >= 1


def test_each_session_gets_its_own_router_pages_copied_not_rebuilt(monkeypatch):
    """st.navigation marks the page it returns as callable: two sessions must never share the
    objects; a new session copies the process's set instead of resolving 18 paths again."""
    import streamlit as st

    first, second = open_page("pages/home.py"), open_page("pages/home.py")
    made = []
    monkeypatch.setattr(st, "Page", lambda *a, **k: made.append(a))  # not called again
    third = open_page("pages/cosine_toy.py")
    assert not third.exception and made == []
    pages = [at.session_state["_router_pages"] for at in (first, second, third)]
    flat = [[p for section in ps.values() for p in section] for ps in pages]
    assert len(flat[0]) == len(flat[1]) >= 18
    assert not {id(p) for p in flat[0]} & {id(p) for p in flat[1]}
    assert [p.url_path for p in flat[0]] == [p.url_path for p in flat[1]]
