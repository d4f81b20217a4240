"""3-D maps stay light for a browser without a GPU: markers only, at most MAX_3D_POINTS."""

from __future__ import annotations

import numpy as np

from embedding.charts.maps import MAX_3D_POINTS, embedding_map
from tests.apptest import open_page, shown_text


def test_3d_map_sends_markers_only_and_names_only_the_focus_and_its_neighbours():
    coords = np.random.default_rng(0).normal(size=(8, 3))
    words = [f"w{i}" for i in range(8)]
    fig = embedding_map(coords, words, ["a"] * 4 + ["b"] * 4, show_labels=True, highlight=0,
                        highlight_neighbours=[1, 2])
    points = [t for t in fig.data if t.customdata is not None]
    assert [t.mode for t in points] == ["markers", "markers"] and all(t.text is None for t in points)
    assert all(t.marker.opacity is None for t in points)  # opaque: no depth sorting
    named = [list(t.text) for t in fig.data if t.text is not None]
    assert named == [["w1", "w2"], ["w0"]]  # the neighbours, then the focused point


def test_3d_map_of_many_words_is_capped_and_says_so(kv, model):
    at = open_page("pages/embedding_map.py", {"map_set": "top", "map_n": "2000",
                                              "map_dims": "3", "map_method": "pca"})
    assert not at.exception
    assert f"A 3-D map shows the first {MAX_3D_POINTS:,} of these 2,000 words" in shown_text(at)
    two_d = open_page("pages/embedding_map.py", {"map_set": "top", "map_n": "2000",
                                                 "map_method": "pca"})
    assert "A 3-D map shows" not in shown_text(two_d)
