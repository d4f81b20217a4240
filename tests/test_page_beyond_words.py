"""AppTest of the "Beyond words" pages, through the router: what a student sees and can do."""

from __future__ import annotations

import json
import random
import re

import pytest

from tests.apptest import click_tab, count_calls, open_page, shown_text

X2VEC = "pages/x2vec.py"
SMALL = {"x2v_epochs": "2", "x2v_size": "20"}  # keep page tests quick
TRAIN = {**SMALL, "x2v_tab": "2"}  # only the open tab is drawn: a link opens the others
SHOP = {**SMALL, "x2v_tab": "3"}


@pytest.fixture(scope="module")
def x2vec():
    at = open_page(X2VEC, query=SMALL)
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def x2vec_train():
    at = open_page(X2VEC, query=TRAIN)
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def x2vec_shop():
    at = open_page(X2VEC, query=SHOP)
    assert not at.exception, at.exception
    return at


def test_x2vec_explains_skipgram_with_the_pairs_of_the_centre_word(x2vec):
    text = shown_text(x2vec)
    assert "learns 4 examples: `fox` → `quick`, `fox` → `brown`, `fox` → `jumps`, `fox` → `over`" in text
    assert x2vec.select_slider(key="x2v_demo_centre").value == "4. fox"


def test_x2vec_cbow_reverses_the_arrows():
    at = open_page(X2VEC, query={**SMALL, "x2v_demo_method": "CBOW", "x2v_demo_window": "1"})
    assert "`brown + jumps` → `fox`" in shown_text(at)


@pytest.fixture
def x2vec_loads(monkeypatch):
    """Count what each x2vec tab loads: the Word2Vec corpus (tab 2), the baskets (tab 3) and
    the trained-model cache (tabs 2 and 3)."""
    from ui import resources

    return count_calls(monkeypatch, [(resources, name) for name in (
        "word2vec_builtin_corpus", "basket_corpus", "trained_word2vec")])


def test_x2vec_hidden_tabs_do_no_work(x2vec_loads):
    """Only the open tab runs: the lesson tab neither trains nor loads a corpus, the training
    tab loads no baskets, the baskets tab no news corpus."""
    at = open_page(X2VEC, query=SMALL)
    assert not at.exception and dict(x2vec_loads) == {}
    click_tab(at, "x2v_tab", 2)
    assert not at.exception, at.exception
    assert x2vec_loads["word2vec_builtin_corpus"] == 1 and x2vec_loads["basket_corpus"] == 0
    x2vec_loads.clear()
    click_tab(at, "x2v_tab", 3)
    assert x2vec_loads["basket_corpus"] >= 1 and x2vec_loads["word2vec_builtin_corpus"] == 0
    assert "Customers who bought these also buy …" in [h.value for h in at.subheader]


def test_x2vec_inputs_survive_a_visit_to_another_tab():
    at = open_page(X2VEC, query=SMALL)
    at.select_slider(key="x2v_demo_centre").set_value("2. quick").run()
    click_tab(at, "x2v_tab", 3)
    at.multiselect(key="x2v_basket").select("diapers").run()
    click_tab(at, "x2v_tab", 1)
    assert at.select_slider(key="x2v_demo_centre").value == "2. quick"
    click_tab(at, "x2v_tab", 3)
    assert at.multiselect(key="x2v_basket").value == ["spaghetti", "diapers"]


def test_x2vec_trains_on_the_builtin_corpus_and_shows_neighbours(x2vec_train):
    x2vec = x2vec_train
    metrics = {m.label: m.value for m in x2vec.metric}
    assert metrics["Sentences"] == "2,619"
    assert metrics["Words read"] == "59,576"
    assert metrics["Vocabulary"] == "4,041"
    assert metrics["Dimensions"] == "20"
    neighbours = x2vec.dataframe[0].value
    assert list(neighbours.columns) == ["rank", "neighbour", "cosine"]
    assert len(neighbours) == 10 and neighbours["cosine"].is_monotonic_decreasing
    assert "Reading the loss" in [e.label for e in x2vec.expander]


def test_x2vec_unknown_word_gets_suggestions(x2vec_train):
    x2vec = x2vec_train
    x2vec.text_input(key="x2v_word").set_value("fier").run()
    assert not x2vec.exception
    warning = " ".join(w.value for w in x2vec.warning)
    assert "fier" in warning and "this model's vocabulary" in warning and "`fire`" in warning
    assert x2vec.query_params["x2v_word"] == ["fier"] or x2vec.query_params["x2v_word"] == "fier"


def test_x2vec_settings_over_the_budget_lower_the_epochs_instead_of_refusing(monkeypatch):
    from embedding.recsys import word2vec as w2v

    monkeypatch.setattr(w2v, "WORK_BUDGET", 2.6e8)  # a server allowing half the default run
    at = open_page(X2VEC, query={"x2v_epochs": "10", "x2v_word": "fire", "x2v_tab": "2"})
    assert not at.exception
    assert not any("longer than this shared server allows" in w.value for w in at.warning)
    text = shown_text(at)
    assert "Epochs lowered from 10 to 4" in text and "Estimated cost of this training: 82%" in text
    assert at.dataframe  # trained: the neighbours are shown


def test_x2vec_collapsed_vectors_are_explained_not_shown_plainly():
    at = open_page(X2VEC, query={"x2v_method": "CBOW", "x2v_word": "fire", "x2v_tab": "2"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")  # markdown escapes
    assert "Neighbours not to be trusted: not trained enough" in warnings
    assert "try 30 epochs, or skip-gram" in warnings


def test_x2vec_product2vec_clusters_by_mission(x2vec_shop):
    x2vec = x2vec_shop
    metrics = {m.label: m.value for m in x2vec.metric}
    assert metrics["Nearest product serves the same mission"] == "100%"
    also = x2vec.dataframe[-1].value
    assert list(also.columns) == ["rank", "suggestion", "cosine", "mission"]
    assert set(also["mission"]) == {"Italian dinner"}
    assert "spaghetti" not in set(also["suggestion"])



def test_x2vec_product_map_recoloured_by_aisle():
    import json

    at = open_page(X2VEC, query=SHOP)
    title = lambda: json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]  # noqa: E731
    assert title() == "Products coloured by mission"
    at.button_group[0].set_value("aisle").run()
    assert not at.exception and title() == "Products coloured by aisle"
    assert at.query_params["x2v_colour"] in ("aisle", ["aisle"])


def test_x2vec_basket_from_the_url():
    at = open_page(X2VEC, query={**SHOP, "x2v_basket": "diapers,nonsense"})
    assert at.multiselect(key="x2v_basket").value == ["diapers"]
    assert set(at.dataframe[-1].value["mission"]) == {"Baby care"}


def _upload(query: dict[str, str], name: str, data: bytes):
    at = open_page(X2VEC, query={**TRAIN, **query})
    at.file_uploader(key="x2v_upload").set_value((name, data, "text/plain")).run()
    assert not at.exception, at.exception
    return at


def test_x2vec_binary_upload_is_refused_with_a_reason():
    at = _upload({"x2v_source": "Upload a text file (.txt)"}, "notes.txt", b"%PDF-1.7\x00\x00")
    assert any("looks binary" in w.value for w in at.warning)


def test_x2vec_trains_on_an_uploaded_text():
    text = ("The cat sat on the mat. The dog sat on the log. A cat and a dog met.\n" * 30).encode()
    at = _upload({"x2v_source": "Upload a text file (.txt)", "x2v_word": "cat"}, "pets.txt", text)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sentences"] == "90" and metrics["Vocabulary"] == "10"
    assert "cat" not in set(at.dataframe[0].value["neighbour"])


def test_x2vec_an_upload_survives_a_visit_to_another_tab():
    text = ("The cat sat on the mat. The dog sat on the log. A cat and a dog met.\n" * 30).encode()
    at = _upload({"x2v_source": "Upload a text file (.txt)", "x2v_word": "cat"}, "pets.txt", text)
    click_tab(at, "x2v_tab", 1)
    click_tab(at, "x2v_tab", 2)
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Vocabulary"] == "10"
    assert "Using **pets\\.txt**, uploaded earlier" in shown_text(at)  # the uploader forgot it


def test_x2vec_a_removed_upload_is_forgotten():
    text = ("The cat sat on the mat. The dog sat on the log.\n" * 30).encode()
    at = _upload({"x2v_source": "Upload a text file (.txt)"}, "pets.txt", text)
    at.file_uploader(key="x2v_upload").set_value(None).run()  # the student removed the file
    assert any("Upload a file to train on it" in i.value for i in at.info)


def test_x2vec_trains_on_uploaded_sequences():
    rng = random.Random(0)
    genres = {g: [f"{g}_{i}" for i in range(6)] for g in ("rock", "jazz", "techno")}
    lines = "\n".join(" ".join(rng.sample(genres[rng.choice(list(genres))], 4))
                      for _ in range(300)).encode()
    at = _upload({"x2v_source": "Upload sequences: one per line (your X2Vec)",
                  "x2v_word": "rock_0", "x2v_min_count": "1", "x2v_epochs": "10"},
                 "playlists.txt", lines)
    assert {m.label: m.value for m in at.metric}["Vocabulary"] == "18"
    top5 = list(at.dataframe[0].value["neighbour"])[:5]
    assert sorted(top5) == ["rock_1", "rock_2", "rock_3", "rock_4", "rock_5"]


# --- Movie recommendations ----------------------------------------------------------------------

RECS = "pages/recommendations.py"
_CARD = re.compile(r"^\*\*(\d+)\. (.+?)\*\* \((\d{4})\) · (.*) · :blue-badge\[cosine "
                   r"(-?\d\.\d{3})\]\n\n> ")


def cards(at) -> list[tuple[str, list[str], float]]:
    """(title, genres, cosine) of every result card, in page order."""
    heads = [m for m in (_CARD.match(md.value) for md in at.markdown) if m]
    return [(h.group(2), h.group(4).replace("*", "").split(" · "), float(h.group(5)))
            for h in heads]


@pytest.fixture(scope="module")
def recs(model):
    at = open_page(RECS, query={"rec_liked": "6"})  # id 6 = Alien
    assert not at.exception, at.exception
    return at


def test_recs_liked_movie_from_the_url_is_excluded_and_explained(recs):
    assert recs.multiselect(key="rec_liked").value == ["Alien (1979)"]
    liked = cards(recs)[:6]
    titles = [t for t, _, _ in liked]
    assert "Alien" not in titles and titles[0] == "Event Horizon"
    scores = [s for _, _, s in liked]
    assert scores == sorted(scores, reverse=True)
    text = shown_text(recs)
    assert "Because it shares Horror, Sci-Fi; closest to **Alien**" in text
    assert "Its plot sentence closest to Alien (cosine" in text


def test_recs_picking_more_movies_updates_results_and_url(recs):
    recs.multiselect(key="rec_liked").select("The Shining (1980)").run()
    assert not recs.exception
    titles = [t for t, _, _ in cards(recs)[:6]]
    assert not {"Alien", "The Shining"} & set(titles)
    assert "closest to **The Shining**" in shown_text(recs)
    assert "6," in str(recs.query_params["rec_liked"])


@pytest.mark.slow
def test_recs_on_a_fresh_server_build_the_index_once_and_never_crash(model, tmp_path, monkeypatch):
    """An empty data folder (a new machine): the first visit embeds the movies with a progress
    bar; its rerun and every later visit reuse the shared index (no CacheReplayClosureError)."""
    from ui import resources

    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    resources.movie_recommender.clear()
    resources.MOVIE_BUILD.reset()  # as on a server that never built it
    try:
        first = open_page(RECS, query={"rec_liked": "6"})
        assert not first.exception, first.exception
        assert list(tmp_path.rglob("*.npz")), "the index is saved in the empty data folder"
        first.multiselect(key="rec_liked").select("The Shining (1980)").run()
        assert not first.exception, first.exception
        second = open_page(RECS, query={"rec_liked": "6"})
        assert not second.exception, second.exception
        assert cards(second)[0][0] == "Event Horizon"
        assert resources.MOVIE_BUILD.fraction() == 1.0  # the shared counter the bars read
    finally:
        resources.movie_recommender.clear()
        resources.MOVIE_BUILD.reset()


@pytest.fixture
def recs_work(monkeypatch):
    """Count each recommendations tab's own work: the recommendations (tab 1, and the typed
    query of tab 2), the viewers of a new movie (tab 2) and the toy cosines (tab 3)."""
    import embedding.similarity
    from embedding.recsys import recommend as rec
    from ui import cached

    return count_calls(monkeypatch, [(cached, "recommendations"), (rec, "match_users"),
                                     (embedding.similarity, "cosine")])


def test_recs_hidden_tabs_do_no_work(recs_work, model):
    at = open_page(RECS, query={"rec_liked": "6"})
    assert not at.exception and dict(recs_work) == {"recommendations": 1}
    recs_work.clear()
    click_tab(at, "rec_tab", 2)
    assert not at.exception and dict(recs_work) == {"recommendations": 1, "match_users": 1}
    recs_work.clear()
    click_tab(at, "rec_tab", 3)
    assert not at.exception and dict(recs_work) == {"cosine": 3}  # Avatar, Ironman, Rainman


def test_recs_liked_movies_survive_a_visit_to_another_tab(model):
    at = open_page(RECS, query={"rec_liked": "6"})
    at.multiselect(key="rec_liked").select("The Shining (1980)").run()
    click_tab(at, "rec_tab", 2)
    at.text_input(key="rec_query").set_value("a heist in a casino").run()
    click_tab(at, "rec_tab", 1)
    assert at.multiselect(key="rec_liked").value == ["Alien (1979)", "The Shining (1980)"]
    click_tab(at, "rec_tab", 2)
    assert at.text_input(key="rec_query").value == "a heist in a casino"


def test_recs_nothing_liked_asks_for_a_pick(recs):
    recs.multiselect(key="rec_liked").set_value([]).run()
    assert any("Pick at least one movie" in i.value for i in recs.info)


def test_recs_cold_start_user_and_new_movie(model):
    recs = open_page(RECS, query={"rec_tab": "2"})
    text = shown_text(recs)
    typed = [c for c in cards(recs)][-5:]  # the query's 5 results come last
    assert sum("Horror" in genres for _, genres, _ in typed) >= 2
    assert "Its plot sentence closest to what you typed" in text
    assert "collaborative filtering" in text.lower() and "cold start" in text.lower()
    viewers = recs.dataframe[0].value
    assert viewers["viewer"][0] == "Chloe, family movie nights"
    recs.text_input(key="rec_query").set_value("   ").run()
    assert any("Type some description" in i.value for i in recs.info)


def test_recs_toy_exercise_then_real_vectors(model):
    recs = open_page(RECS, query={"rec_tab": "3"})
    text = shown_text(recs)
    assert "0.9959" in text and "0.4685" in text  # the toy cosines
    assert "Recommend **Iron Man**" in text
    assert any("cosine_toy" in str(link.proto) for link in recs.get("page_link"))


@pytest.mark.parametrize("text", ["🙂🙂🙂", "<script>alert(1)</script>", "日本の映画", "x" * 400])
def test_bad_input_never_crashes_either_page(model, text):
    at = open_page(X2VEC, query={**SMALL, "x2v_sentence": text, "x2v_word": text})
    assert not at.exception, at.exception
    if not any(c.isalpha() for c in text):
        assert any("at least two words" in i.value for i in at.info)
    at = open_page(X2VEC, query={**TRAIN, "x2v_sentence": text, "x2v_word": text})
    assert not at.exception, at.exception
    at = open_page(RECS, query={"rec_query": text, "rec_new_movie": text, "rec_liked": "x,999"})
    assert not at.exception, at.exception
    assert at.multiselect(key="rec_liked").value == ["Alien (1979)", "The Martian (2015)"]
    click_tab(at, "rec_tab", 2)
    assert not at.exception, at.exception


@pytest.mark.slow
def test_x2vec_umap_map():
    at = open_page(X2VEC, query={**TRAIN, "x2v_map": "UMAP"})
    assert not at.exception, at.exception
    assert any("UMAP places the" in md.value for md in at.markdown)
    layouts = [json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")]
    umap = [lay for lay in layouts if lay.get("xaxis", {}).get("title", {}).get("text") == "UMAP 1"]
    assert umap and umap[0]["xaxis"]["showticklabels"] is False
