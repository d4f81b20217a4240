"""The HNSW index against the exact scan: recall measured, never assumed."""

from __future__ import annotations

import numpy as np
import pytest

from embedding.search.ann import (
    AnnError,
    HnswIndex,
    HnswParams,
    cached_index,
    ef_curve,
    exact_search,
    recall_at_10,
    synthetic_chunks,
)
from embedding.search.store import HnswStore, StoreError, create_index, open_index, registry

DIM = 32


@pytest.fixture(scope="module")
def data():
    """Random directions: the hard case for a graph index (no clusters to lean on)."""
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((6_000, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = rng.standard_normal((200, DIM)).astype(np.float32)
    return vectors, queries, exact_search(vectors, queries, 10)


@pytest.fixture(scope="module")
def index(data):
    return HnswIndex.build(data[0], HnswParams(m=16, ef_construction=40))


def test_recall_is_high_but_the_index_is_not_an_exact_scan(data, index):
    vectors, queries, exact = data
    curve = {p.ef: p.recall for p in ef_curve(index, vectors, queries, [1, 16, 128])}
    assert curve[128] >= 0.95  # silently wrong → fails here
    assert curve[1] < 0.9  # silently exact (a brute-force "index") → fails here
    assert curve[1] <= curve[16] <= curve[128]
    rows, scores = index.search(queries[:3], 10, ef=128)
    assert rows.shape == (3, 10) and np.all(np.diff(scores, axis=1) <= 1e-6)
    # the scores are true cosines of the rows returned
    unit_q = queries[:3] / np.linalg.norm(queries[:3], axis=1, keepdims=True)
    assert scores[0] == pytest.approx(vectors[rows[0]] @ unit_q[0], abs=1e-5)


def test_recall_at_10_counts_shared_rows():
    assert recall_at_10(np.array([[1, 2, 3, 4]]), np.array([[4, 3, 9, 8]])) == 0.5
    assert recall_at_10(np.array([[1], [2]]), np.array([[1], [3]])) == 0.5
    with pytest.raises(AnnError):
        recall_at_10(np.array([[1]]), np.array([[1], [2]]))


def test_bad_settings_give_clear_messages(index):
    with pytest.raises(AnnError, match="M must be between 4 and 64"):
        HnswParams(m=1000)
    with pytest.raises(AnnError, match="ef must be between"):
        index.search(np.ones(DIM), 10, ef=0)
    with pytest.raises(AnnError, match="has 3 numbers"):
        index.search(np.ones(3), 10)
    with pytest.raises(AnnError, match="length above zero"):
        HnswIndex.build(np.zeros((3, 4)))


def test_cached_index_is_reused_and_keyed_by_the_vectors(tmp_path, data):
    vectors = data[0][:500]
    calls = []
    first = cached_index(tmp_path, vectors, HnswParams(8, 20), lambda d, t: calls.append(d))
    assert calls == [500] and len(list(tmp_path.glob("*.faiss"))) == 1
    again = cached_index(tmp_path, vectors, HnswParams(8, 20), lambda d, t: calls.append(d))
    assert calls == [500]  # loaded from disk, not rebuilt
    assert again.count == 500 and again.build_seconds == pytest.approx(first.build_seconds,
                                                                       abs=1e-3)
    q = vectors[:5]
    assert np.array_equal(first.search(q, 5, ef=64)[0], again.search(q, 5, ef=64)[0])
    cached_index(tmp_path, vectors[:400], HnswParams(8, 20))  # other vectors → another file
    assert len(list(tmp_path.glob("*.faiss"))) == 2


def test_synthetic_chunks_cluster_like_real_chunks():
    v = synthetic_chunks(2_000, dim=64, topics=20, seed=1)
    assert v.shape == (2_000, 64) and v.dtype == np.float32
    assert np.linalg.norm(v, axis=1) == pytest.approx(np.ones(2_000), abs=1e-5)
    best = np.sort(v[:50] @ v.T, axis=1)[:, -2]  # nearest other chunk
    assert best.mean() > 0.4  # random directions in 64-d would give about 0.35 at best


def test_hnsw_store_searches_the_graph_until_the_rows_change(tmp_path, data):
    vectors, queries, exact = data
    store = HnswStore(DIM, tmp_path / "ix")
    ids = [f"c{i}" for i in range(len(vectors))]
    store.add(ids, vectors, [{"n": i} for i in range(len(vectors))])
    assert not store.uses_graph
    store.build_graph(HnswParams(16, 40))
    assert store.uses_graph
    got = [[int(h.id[1:]) for h in store.search(q, 10, ef=128)] for q in queries[:50]]
    assert recall_at_10(np.array(got), exact[:50]) >= 0.95
    ref = store.search(queries[0], 10, exact=True)
    assert [int(h.id[1:]) for h in ref] == exact[0].tolist()
    store.save()
    again = open_index_from(tmp_path / "ix")
    assert again.uses_graph and again.count() == len(vectors)
    store.add(["new"], [vectors[0]])
    assert not store.uses_graph  # a stale graph is never used
    assert store.search(vectors[0], 2)[0].id in {"new", "c0"}


def open_index_from(folder):
    return HnswStore.load(folder)


def test_named_ann_index_round_trip(tmp_path, monkeypatch, data):
    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    monkeypatch.delenv("QDRANT_URL", raising=False)
    registry.use_backend(None)
    try:
        store = create_index("big", DIM, {"model": "m"}, ann=True)
        store.add([str(i) for i in range(300)], data[0][:300])
        store.build_graph(HnswParams(8, 20))
        store.save()
        again = open_index("big")
        assert isinstance(again, HnswStore) and again.uses_graph
        with pytest.raises(StoreError, match="empty"):
            create_index("empty", DIM, ann=True).build_graph()
    finally:
        registry.use_backend(None)


def test_make_graphs_saves_what_the_page_loads(tmp_path, monkeypatch):
    """`make graphs` (embedding.search.graphs) builds before class where the page looks."""
    from embedding.search import graphs
    from ui import resources

    small = synthetic_chunks(1_000, dim=8, seed=3)
    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(graphs, "dataset_vectors", lambda dataset: small)
    assert not resources.ann_on_disk("chunks", 8)
    assert graphs.main(["--datasets", "chunks", "--m", "8"]) == 0
    assert resources.ann_on_disk("chunks", 8) and not resources.ann_on_disk("chunks", 16)
