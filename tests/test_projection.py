"""embedding.maps.projection, embedding.words.wordsets and embedding.charts.maps: maps and their honesty."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from embedding.charts.maps import embedding_map, hover_text, preservation_bars
from embedding.maps import projection as proj
from embedding.words import wordsets


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    """60 points in 10-d: three well separated clusters of 20."""
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=8, size=(3, 10))
    return np.vstack([c + rng.normal(size=(20, 10)) for c in centres])


# ------------------------------------------------------------------ project
@pytest.mark.parametrize("method", proj.METHODS)
@pytest.mark.parametrize("dims", [2, 3])
def test_project_shapes(blobs, method, dims):
    coords = proj.project(blobs, method, dims, seed=1)
    assert coords.shape == (60, dims)
    assert np.all(np.isfinite(coords))


def test_same_seed_same_umap_other_seed_other_umap(blobs):
    a = proj.project(blobs, "umap", seed=7)
    b = proj.project(blobs, "umap", seed=7)
    c = proj.project(blobs, "umap", seed=8)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_tsne_is_reproducible(blobs):
    # t-SNE starts from the PCA picture, so every run (any seed) gives the same map
    np.testing.assert_array_equal(proj.project(blobs, "tsne", seed=7),
                                  proj.project(blobs, "tsne", seed=7))


def test_pca_keeps_the_direction_of_largest_spread():
    """Points along the line (1, 2, 2)/3 plus a little noise: PCA's first axis is that line."""
    rng = np.random.default_rng(0)
    t = rng.normal(size=200)
    x = np.outer(t, [1, 2, 2]) / 3 + rng.normal(scale=0.01, size=(200, 3))
    coords = proj.project(x, "pca", dims=2)
    assert abs(np.corrcoef(coords[:, 0], t)[0, 1]) > 0.999  # position along the line, up to sign
    assert coords[:, 0].var() > 1_000 * coords[:, 1].var()  # the line carries the spread
    full = proj.project(x, "pca", dims=3)  # all three axes: a rotation, every distance kept
    np.testing.assert_allclose(cdist(full, full), cdist(x, x), atol=1e-9)


@pytest.mark.parametrize("metric", proj.METRICS)
@pytest.mark.parametrize("method", ["umap", "tsne"])
def test_every_metric_maps(blobs, method, metric):
    coords = proj.project(blobs, method, seed=2, metric=metric,
                          **({"n_epochs": 30} if method == "umap" else {}))
    assert coords.shape == (60, 2) and np.all(np.isfinite(coords))
    if method == "umap":
        assert proj.umap_ready()


@pytest.mark.slow
def test_server_warm_up_compiles_umap():
    from ui import resources

    assert resources.umap_jit in resources._WARMERS
    assert resources.umap_jit() > 0
    assert proj.umap_ready()


def test_timed_project_returns_the_same_map(blobs):
    coords, seconds = proj.timed_project(blobs, "umap", seed=7, n_epochs=30)
    np.testing.assert_array_equal(coords, proj.project(blobs, "umap", seed=7, n_epochs=30))
    assert seconds > 0


def test_umap_keeps_clusters_apart(blobs):
    coords = proj.project(blobs, "umap", seed=3, n_neighbors=10)
    assert proj.neighbour_preservation(blobs, coords, k=5, metric="euclidean") > 0.5
    # every point's nearest dot on the map is from its own cluster
    idx, _ = proj.nearest_neighbours(coords, 1)
    assert np.all(idx[:, 0] // 20 == np.arange(60) // 20)


def test_tiny_sets_and_large_n_neighbors(blobs):
    assert proj.project(blobs[:4], "umap", dims=2, n_neighbors=50).shape == (4, 2)
    assert proj.project(blobs[:5], "tsne", dims=3, perplexity=30).shape == (5, 3)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.zeros((10, 3)), "mds"), {}, "Unknown method"),
        ((np.zeros((10, 3)), "pca", 4), {}, "2 or 3"),
        ((np.zeros((3, 3)), "umap", 2), {}, "at least 4 points"),
        ((np.array([[1.0, np.nan]] * 6), "pca"), {}, "finite"),
        ((np.ones((6, 3)), "umap"), {"metric": "hamming"}, "Unknown metric"),
        ((np.ones(6), "umap"), {}, "2-D array"),
    ],
)
def test_project_rejects_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        proj.project(*args, **kwargs)


def test_project_holds_the_lock_while_umap_and_tsne_run(monkeypatch, blobs):
    seen: list[bool] = []

    def spy(x, dims, seed, **params):
        seen.append(proj.PROJECTION_LOCK.locked())
        return np.zeros((x.shape[0], dims))

    monkeypatch.setattr(proj, "_umap", spy)
    monkeypatch.setattr(proj, "_tsne", spy)
    proj.project(blobs, "umap")
    proj.project(blobs, "tsne")
    assert seen == [True, True]
    assert not proj.PROJECTION_LOCK.locked()


@pytest.mark.slow
def test_many_threads_projecting_at_once(blobs):
    """Six sessions ask for maps at the same moment: no crash, every map as if alone."""
    jobs = [("umap", 2), ("umap", 3), ("tsne", 2), ("umap", 2), ("pca", 2), ("umap", 2)]
    expected = [proj.project(blobs, m, d, seed=5, n_epochs=50) if m == "umap"
                else proj.project(blobs, m, d, seed=5) for m, d in jobs]
    results: list[np.ndarray | None] = [None] * len(jobs)
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def run(i: int) -> None:
        method, dims = jobs[i]
        extra = {"n_epochs": 50} if method == "umap" else {}
        try:
            start.wait()
            results[i] = proj.project(blobs, method, dims, seed=5, **extra)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for got, want in zip(results, expected, strict=True):
        np.testing.assert_array_equal(got, want)


_CONCURRENT_UNSEEDED = """
import threading, numpy as np
from embedding.maps import projection as proj
x = np.random.default_rng(0).normal(size=(200, 12))
def run():
    for _ in range(2):
        proj.project(x, "umap", seed=None, n_epochs=30)  # no seed: numba's parallel kernels
threads = [threading.Thread(target=run) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print("survived")
"""


@pytest.mark.slow
def test_threads_cannot_crash_numba_workqueue():
    """numba's workqueue layer aborts the process on concurrent use; the lock prevents it.

    (Without PROJECTION_LOCK this child process dies with "Concurrent access has been
    detected" and exit code 134.)
    """
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue", "PYTHONWARNINGS": "ignore",
           "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", _CONCURRENT_UNSEEDED], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("survived")


# ------------------------------------------------------------------ neighbours and the score
def test_nearest_neighbours_match_brute_force(blobs):
    for metric, scipy_name in [("euclidean", "euclidean"), ("cosine", "cosine"),
                               ("manhattan", "cityblock")]:
        idx, dist = proj.nearest_neighbours(blobs, 7, metric)
        full = cdist(blobs, blobs, scipy_name)
        np.fill_diagonal(full, np.inf)
        np.testing.assert_array_equal(idx, np.argsort(full, axis=1, kind="stable")[:, :7])
        np.testing.assert_allclose(dist, np.sort(full, axis=1)[:, :7])


def test_preservation_is_one_for_the_identity_map(blobs):
    assert proj.neighbour_preservation(blobs, blobs, k=10, metric="euclidean") == 1.0
    unit = blobs / np.linalg.norm(blobs, axis=1, keepdims=True)
    assert proj.neighbour_preservation(unit, unit, k=10, metric="cosine") == 1.0


def test_preservation_is_low_for_random_coordinates():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 20))
    score = proj.neighbour_preservation(x, rng.normal(size=(400, 2)), k=10)
    assert score < 0.1  # chance level is 10/399 = 2.5 %


def test_preservation_worked_example():
    # points at 0, 1, 3, 7 on a line; the map swaps the last two (0, 1, 7, 3)
    # true nearest: 0→1, 1→0, 3→1, 7→3; map nearest: 0→1, 1→0, 7→3, 3→1  → 2 of 4 kept
    x = np.array([[0.0], [1.0], [3.0], [7.0]])
    flat = np.array([[0.0], [1.0], [7.0], [3.0]])
    assert proj.neighbour_preservation(x, flat, k=1, metric="euclidean") == 0.5
    assert proj.neighbour_preservation(x, flat, k=99, metric="euclidean") == 1.0  # k capped


def test_preservation_needs_matching_rows():
    with pytest.raises(ValueError, match="map points"):
        proj.neighbour_preservation(np.ones((5, 3)), np.ones((4, 2)))


def test_neighbour_lists_and_point_neighbours_on_glove(kv):
    words = ["cat", "dog", "paris", "rome", "red", "blue"]
    vectors = kv[words]
    lists = proj.neighbour_lists(vectors, words, k=2)
    assert [w for w, _ in lists[0]] == ["dog", "blue"]  # cosine 0.922, 0.582
    assert lists[0][0][1] == pytest.approx(float(kv.similarity("cat", "dog")), abs=1e-5)
    assert lists[2][0][0] == "rome"
    coords = np.array([[0, 0], [5, 5], [0.1, 0], [9, 9], [1, 1], [2, 2]], dtype=float)
    near = proj.point_neighbours(vectors, coords, words, 0, k=3)
    assert [nb.label for nb in near] == ["dog", "blue", "red"]
    # on this map cat's closest dots are paris (1), red (2), blue (3), dog (4)
    assert [nb.map_rank for nb in near] == [4, 3, 2]


def test_interactive_epochs():
    assert [proj.interactive_epochs(n) for n in (300, 800, 2000, 5000)] == [300, 300, 200, 200]


# ------------------------------------------------------------------ word sets
def test_every_themed_word_is_in_glove(kv):
    items = wordsets.themed_words()
    assert len(items) >= 300
    assert all(i.label in kv.key_to_index and i.label == i.label.lower() for i in items)
    assert len({i.label for i in items}) == len(items)  # one theme per word
    assert set(wordsets.DEFAULT_CATEGORIES) <= set(wordsets.word_categories())
    assert min(sum(i.category == c for i in items) for c in wordsets.word_categories()) >= 20


def test_themed_words_selection():
    colours = wordsets.themed_words(["colours"])
    assert colours[0] == wordsets.MapItem("red", "colours")
    assert {i.category for i in colours} == {"colours"}
    with pytest.raises(ValueError, match="planets"):
        wordsets.themed_words(["planets"])


def test_builtin_sentences():
    sents = wordsets.builtin_sentences()
    assert len(sents) == 64 and len(wordsets.sentence_topics()) == 8
    assert all(s.label.endswith(".") for s in sents)
    assert [s.category for s in wordsets.builtin_sentences(["weather"])] == ["weather"] * 8


def test_top_words_skip_punctuation(kv):
    top = wordsets.top_words(kv, 5)
    assert [i.label for i in top] == ["the", "of", "to", "and", "in"]
    assert {i.category for i in top} == {"top 1–100"}
    big = wordsets.top_words(kv, 99_999)
    assert len(big) == wordsets.MAX_TOP_WORDS and big[-1].category == "top 2,001–5,000"
    assert all(w.label.isalpha() or "-" in w.label or "'" in w.label for w in big)


def test_parse_tagged_lines():
    items = wordsets.parse_tagged_lines("fruit: apple, Pear\ncar; bus\n\napple", "mine")
    assert items == [wordsets.MapItem("apple", "fruit"), wordsets.MapItem("Pear", "fruit"),
                     wordsets.MapItem("car", "mine"), wordsets.MapItem("bus", "mine")]
    sents = wordsets.parse_tagged_lines("pets | A cat, asleep.\nIt rains.", "s",
                                        split_commas=False)
    assert sents == [wordsets.MapItem("A cat, asleep.", "pets"), wordsets.MapItem("It rains.", "s")]
    assert len(wordsets.parse_tagged_lines(",".join(f"w{i}" for i in range(900)), "x")) == 500


def test_resolve_items_reports_unknown_words(kv):
    typed = wordsets.parse_tagged_lines("Cat, dgo, CAT, <b>x</b>", "mine")
    known, unknown = wordsets.resolve_items(kv, typed)
    assert known == [wordsets.MapItem("cat", "mine")]
    assert [e.word for e in unknown] == ["dgo", "<b>x</b>"]
    assert "dog" in unknown[0].suggestions


# ------------------------------------------------------------------ figures
def test_embedding_map_traces_and_highlight():
    coords = np.array([[0, 0], [1, 0], [0, 1], [3, 3]], dtype=float)
    labels = ["cat", "dog", "<script>", "paris"]
    cats = ["animals", "animals", "animals", "capitals"]
    near = [[("dog", 0.9)], [("cat", 0.9)], [("cat", 0.1)], [("cat", 0.0)]]
    fig = embedding_map(coords, labels, cats, near, highlight=0, highlight_neighbours=[1, 2])
    assert [t.name for t in fig.data[:2]] == ["animals", "capitals"]
    assert [c[0] for c in fig.data[0].customdata] == [0, 1, 2]
    assert "&lt;script&gt;" in fig.data[0].text[2]
    assert "<script>" not in fig.to_json()
    assert list(fig.data[2].x) == [0, 1, None, 0, 0, None]  # lines to the true neighbours
    fig3 = embedding_map(np.zeros((4, 3)), labels, cats, show_labels=False)
    assert fig3.data[0].type == "scatter3d" and fig3.data[0].mode == "markers"
    with pytest.raises(ValueError):
        embedding_map(np.zeros((4, 4)), labels, cats)


def test_hover_text_and_bars():
    text = hover_text("cat", "animals", [("dog", 0.9213)], "50-d GloVe")
    assert text == "<b>cat</b><br><i>animals</i><br>nearest in 50-d GloVe:<br>  dog  0.92"
    bars = preservation_bars(["UMAP", "PCA"], [0.62, 0.2])
    assert list(bars.data[0].y) == [62.0, 20.0]


def test_preservation_k_leaves_room_for_a_map_to_fail():
    assert [proj.preservation_k(n) for n in (2, 5, 11, 20, 21, 400)] == [1, 2, 5, 9, 10, 10]
    assert proj.random_preservation(5, 2) == 0.5
    assert proj.random_preservation(401, 10) == 0.025
