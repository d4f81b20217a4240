"""The embedding map page, driven through app.py's router like a student would."""

from __future__ import annotations

import json

import pytest

from embedding.maps import projection
from tests.apptest import count_calls, open_page, shown_text

PAGE = "pages/embedding_map.py"


def charts(at) -> list[dict]:
    """The plotly figures on the page, as plotly JSON."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def score(at) -> float:
    """The neighbour-preservation metric, as a fraction."""
    metric = next(m for m in at.metric if m.label.startswith("Neighbour preservation"))
    return float(metric.value.rstrip("%")) / 100


@pytest.fixture(scope="module")
def themed(kv):
    """The page as it opens: themed words, UMAP, 2-D."""
    at = open_page(PAGE)
    assert not at.exception
    return at


def test_opens_with_a_umap_map_of_themed_words(themed):
    text = shown_text(themed)
    assert "268 words" in text
    fig = charts(themed)[0]
    names = [t["name"] for t in fig["data"]]
    assert names[:3] == ["animals", "countries", "capitals"]
    assert fig["data"][0]["type"] == "scatter"
    assert fig["layout"]["xaxis"]["title"]["text"] == "UMAP 1"
    assert 0.4 < score(themed) <= 1.0
    assert "A random map would keep 3.7%" in text  # 10 / 267


def test_pca_keeps_fewer_neighbours_than_umap(kv):
    at = open_page(PAGE)
    umap_score = score(at)
    at.radio(key="map_method").set_value("pca").run()
    assert not at.exception
    assert charts(at)[0]["layout"]["xaxis"]["title"]["text"] == "PCA 1"
    assert score(at) < umap_score
    assert at.query_params["map_method"] == "pca"  # a link reproduces the screen


def test_finding_a_word_lists_its_true_neighbours(kv):
    at = open_page(PAGE, query={"map_method": "pca"})
    at.selectbox(key="map_find").set_value("dog").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.iloc[0]["neighbour"] == "cat"
    assert table.iloc[0]["cosine (full space)"] == pytest.approx(0.9218, abs=1e-4)
    assert "Nearest in all 400,000 GloVe words" in shown_text(at)
    fig = charts(at)[0]
    assert any(t.get("name", "").startswith("dog: true neighbours") for t in fig["data"])


def test_own_words_with_typos_and_tags(kv):
    at = open_page(PAGE, query={"map_set": "own", "map_method": "pca"})
    at.text_area(key="map_words").input(
        "fruit: apple, banana, bananna, cherry, grape\nking, queen, man, woman, 🙂, <b>x</b>"
    ).run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "bananna" in warning and "`banana`" in warning
    names = {t["name"] for t in charts(at)[0]["data"]}
    assert names == {"fruit", "your words"}
    assert "<b>x</b>" not in json.dumps(charts(at)[0])


def test_too_few_words_explains_instead_of_failing(kv):
    at = open_page(PAGE, query={"map_set": "own"})
    at.text_area(key="map_words").input("cat, dog, qqqzzz").run()
    assert not at.exception
    assert "Add at least 5 words" in shown_text(at)
    assert not at.get("plotly_chart")


def test_five_words_compare_fewer_neighbours_and_say_so(kv):
    """k = 10 among 5 points was every other point: 100% kept, "random keeps 250%"."""
    at = open_page(PAGE, query={"map_set": "own", "map_method": "pca"})
    at.text_area(key="map_words").input("cat, dog, car, bus, apple").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert "Neighbour preservation (2 nearest)" in metrics
    assert metrics["A random map would keep"] == "50.0%"
    assert 0 <= score(at) <= 1
    assert "With only 5 points the score compares each point's 2 nearest" in shown_text(at)


def test_frequent_words_in_3d_from_a_link(kv):
    at = open_page(PAGE, query={"map_set": "top", "map_n": "300", "map_method": "pca",
                                "map_dims": "3"})
    assert not at.exception
    assert "300 words" in shown_text(at)
    fig = charts(at)[0]
    assert fig["data"][0]["type"] == "scatter3d"
    assert fig["data"][0]["name"] == "top 1–100"


def test_builtin_sentences_with_sbert(model):
    at = open_page(PAGE, query={"map_set": "sentences"})
    assert not at.exception
    text = shown_text(at)
    assert "64 short sentences" in text and "384-d all-MiniLM-L6-v2" in text
    assert len(charts(at)[0]["data"]) == 8  # one trace per topic
    assert score(at) > 0.16  # better than chance (10 / 63)


def test_tsne_is_capped_and_methods_compared(kv, monkeypatch):
    monkeypatch.setattr(projection, "TSNE_MAX_POINTS", 60)
    at = open_page(PAGE, query={"map_set": "top", "map_n": "100", "map_method": "tsne"})
    assert not at.exception
    assert "first 60 of these 100 words" in shown_text(at)
    at.toggle(key="map_compare").set_value(True).run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table["method"]) == ["UMAP", "t-SNE", "PCA"]
    assert table["neighbours kept"].between(0, 1).all()
    assert len(charts(at)) == 2
    at.radio(key="map_method").set_value("umap").run()  # 100 points: too many for t-SNE now
    assert not at.exception
    assert list(at.dataframe[-1].value["method"]) == ["UMAP", "PCA"]
    assert "t-SNE is left out" in shown_text(at)



def test_a_second_session_hashes_no_list_of_labels(themed, monkeypatch):
    """The map's caches are keyed by a fingerprint of the labels (cached.texts_key), not by the
    labels, hover lists and coordinates themselves: hashing those cost tens of ms every run."""
    from streamlit.runtime.caching import cache_utils

    from embedding.charts import maps
    from ui import cached

    sizes: list[int] = []
    real = cache_utils.update_hash

    def spy(val, *args, **kwargs):
        if isinstance(val, (list, tuple, dict)):
            sizes.append(len(val))
        return real(val, *args, **kwargs)

    monkeypatch.setattr(cache_utils, "update_hash", spy)
    builds = count_calls(monkeypatch, [(projection, "neighbour_lists"),
                                       (projection, "timed_project"), (maps, "embedding_map")])
    second = open_page(PAGE)
    second.run()
    assert not second.exception
    assert sizes and max(sizes) < 20, sorted(sizes)[-5:]  # 268 labels were hashed before
    assert dict(builds) == {}  # the figure and everything in it is the first session's
    assert cached.texts_key(("cat", "dog")) != cached.texts_key(("dog", "cat"))
    assert cached.texts_key(("a\x1fb",)) != cached.texts_key(("a", "b"))
    assert cached.texts_key(("1:a",)) != cached.texts_key(("a",))
