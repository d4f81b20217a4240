"""BM25, reciprocal rank fusion, two-stage re-ranking and the quality metrics, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from embedding.search.fusion import (
    evaluate,
    load_query_set,
    recall_at_k,
    reciprocal_rank,
    reciprocal_rank_fusion,
    scale_by_best,
    score_fusion,
    two_stage,
)
from embedding.search.hybrid import (
    fuse_hits,
    fuse_scores,
    label_of,
    retrieve_and_rerank,
    search_by,
)
from embedding.search.keyword import Bm25Index, EmptyQueryError, terms
from embedding.search.store import Hit, NumpyStore


def test_bm25_scores_match_a_hand_computed_example():
    docs = ["cat sat mat", "dog sat down hill", "cat cat eats"]
    index = Bm25Index(["d0", "d1", "d2"], docs)
    # N = 3, "cat" in 2 texts: idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln(1.6)
    # lengths 3, 4, 3 → avg 10/3; Lucene: idf · tf / (tf + k1·(1 − b + b·len/avg))
    idf = math.log(1.6)
    d0 = idf * 1 / (1 + 1.5 * (0.25 + 0.75 * 3 / (10 / 3)))
    d2 = idf * 2 / (2 + 1.5 * (0.25 + 0.75 * 3 / (10 / 3)))
    assert index.scores("cat").tolist() == pytest.approx([d0, 0.0, d2], rel=1e-6)
    assert (round(d0, 4), round(d2, 4)) == (0.1969, 0.2775)
    assert [h.id for h in index.search("the cat", 5)] == ["d2", "d0"]  # "the" is a stop word
    assert index.search("unicorn", 5) == []  # no shared word → nothing, not a crash


def test_bm25_empty_query_is_a_clear_message():
    index = Bm25Index(["a"], ["some text"])
    for query in ("", "   ", "?!", "the of a"):
        with pytest.raises(EmptyQueryError, match="at least one word"):
            index.search(query, 3)
    assert terms("A film about the Moon") == ["moon"]


def test_rrf_on_a_tiny_example():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]], k=1)
    # a: 1/2 + 1/3, c: 1/4 + 1/2, b: 1/3, d: 1/4
    assert [i for i, _ in fused] == ["a", "c", "b", "d"]
    assert [s for _, s in fused] == pytest.approx([5 / 6, 3 / 4, 1 / 3, 1 / 4])
    assert [i for i, _ in reciprocal_rank_fusion([["x", "y"], ["y", "x"]], k=60)] == ["x", "y"]
    assert reciprocal_rank_fusion([["a", "a", "b"]], k=0, top=1) == [("a", 1.0)]
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=-1)
    hits = fuse_hits([[Hit("a", 9.0, {"t": 1})], [Hit("b", 0.5, {"t": 2}), Hit("a", 0.4)]],
                     k=60, top=2)
    assert [(h.id, h.payload) for h in hits] == [("a", {"t": 1}), ("b", {"t": 2})]
    assert hits[0].score == pytest.approx(1 / 61 + 1 / 62)


def test_score_fusion_on_a_tiny_example():
    assert scale_by_best({"a": 4.0, "b": 1.0, "c": 0.0}) == {"a": 1.0, "b": 0.25, "c": 0.0}
    assert scale_by_best({"a": 0.0}) == {"a": 0.0} and scale_by_best({}) == {}
    # a: 0.3·1 + 0.7·0.2, b: 0.3·0.5, c: 0.7·0.9 (no keyword), d: 0.7·0 (cosine clipped)
    fused = score_fusion([{"a": 1.0, "b": 0.5}, {"c": 0.9, "a": 0.2}], [0.3, 0.7])
    assert [i for i, _ in fused] == ["c", "a", "b"]
    assert [s for _, s in fused] == pytest.approx([0.63, 0.44, 0.15])
    assert score_fusion([{"x": 1.0}, {"y": 1.0}], [0.5, 0.5], top=1) == [("x", 0.5)]  # first seen
    with pytest.raises(ValueError, match="one per list"):
        score_fusion([{"a": 1.0}], [0.5, 0.5])
    with pytest.raises(ValueError, match="0 or more"):
        score_fusion([{"a": 1.0}], [-0.1])

    keyword = [Hit("a", 8.0, {"t": 1}), Hit("b", 2.0, {"t": 2})]
    semantic = [Hit("c", 0.8, {"t": 3}), Hit("a", 0.4, {"t": 1}), Hit("d", -0.2, {"t": 4})]
    hits = fuse_scores(keyword, semantic, bm25_weight=0.3, top=3)
    # a: 0.3·8/8 + 0.7·0.4 = 0.58, c: 0.7·0.8 = 0.56, b: 0.3·2/8 = 0.075, d: 0.7·0 = 0
    assert [(h.id, h.payload) for h in hits] == [("a", {"t": 1}), ("c", {"t": 3}),
                                                  ("b", {"t": 2})]
    assert [h.score for h in hits] == pytest.approx([0.58, 0.56, 0.075])
    assert [h.id for h in fuse_scores(keyword, semantic, 0.0)] == ["c", "a", "b", "d"]
    assert [h.id for h in fuse_scores(keyword, semantic, 1.0)][:2] == ["a", "b"]
    with pytest.raises(ValueError, match="between 0 and 1"):
        fuse_scores(keyword, semantic, 1.5)


def test_hybrid_search_adds_scaled_bm25_to_the_cosine():
    ids = ["hal", "chef", "crew"]
    bm25 = Bm25Index(ids, ["HAL 9000 will not open the pod bay doors.",
                           "A young chef cooks in Paris.", "A crew flies to Jupiter."])
    store = NumpyStore(dim=2)
    store.add(ids, [[0.6, 0.8], [0.0, 1.0], [1.0, 0.0]])  # cosines with [1, 0]: 0.6, 0, 1
    q = np.array([1.0, 0.0])
    ranked = search_by("hybrid", "HAL", q, store, bm25, k=3)
    # hal: 0.3·1 + 0.7·0.6 = 0.72 (the only keyword match) beats crew: 0.7·1 = 0.7
    assert [h.id for h in ranked.hits] == ["hal", "crew", "chef"]
    assert [h.score for h in ranked.hits] == pytest.approx([0.72, 0.7, 0.0])
    assert ranked.keyword_rank == {"hal": 1} and ranked.semantic_rank["crew"] == 1
    # more weight on meaning: crew first
    heavier = search_by("hybrid", "HAL", q, store, bm25, k=3, bm25_weight=0.2)
    assert [h.id for h in heavier.hits][:2] == ["crew", "hal"]


def test_two_stage_keeps_count_and_reranks_only_candidates():
    store = NumpyStore(2)
    store.add(["a", "b", "c", "d"], [[1, 0], [0, 1], [2, 1], [1, -1]])
    out = retrieve_and_rerank([Hit("b", 3.0), Hit("d", 2.0), Hit("c", 1.0)], store,
                              np.array([1.0, 0.0]), k=2)
    assert [i for i, _ in out.final] == ["c", "d"]  # "a" is best but was never a candidate
    assert out.kept == 1 and out.kept_share == 0.5  # stage 1's own top 2 was b, d
    assert two_stage([], lambda ids: [], k=3).kept_share == 0.0


def test_recall_and_mrr():
    assert recall_at_k(["a", "x", "b"], {"a", "b"}, k=2) == 0.5
    assert recall_at_k(["x", "a", "a"], {"a"}, k=2) == 1.0
    assert reciprocal_rank(["x", "y", "a"], {"a"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], {"a"}) == 0.0
    assert label_of("06-vector-databases.md#text#2") == "06-vector-databases.md"
    assert label_of("movie-1") == "movie-1"


def test_the_labelled_query_set_is_sound():
    qs = load_query_set()
    assert len(qs) >= 30 and {q.kind for q in qs} == {"paraphrase", "exact", "mixed"}
    assert {q.corpus for q in qs} == {"movies", "lectures"}
    assert all(q.relevant and q.why for q in qs)
    res = evaluate(qs[:2], {"perfect": lambda q: sorted(next(x.relevant for x in qs
                                                              if x.query == q))}, k=5)
    assert res[0].recall == 1.0 and res[0].mrr == 1.0


@pytest.mark.slow  # indexes and queries the lecture corpus three ways: make test, not make check
def test_keyword_beats_semantic_on_exact_and_loses_on_paraphrase(model):
    from embedding.models.providers import SbertProvider
    from embedding.search.documents import movie_corpus
    from embedding.search.retrieval import build_store

    ids, texts, payloads = movie_corpus()
    bm25, vec = Bm25Index(ids, texts, payloads), SbertProvider(model)
    store = build_store(vec, ids, texts, payloads)
    qs = [q for q in load_query_set() if q.corpus == "movies"]
    res = {(r.ranker, r.kind): r for r in evaluate(qs, {
        "keyword": lambda q: [h.id for h in bm25.search(q, 100)],
        "semantic": lambda q: [h.id for h in store.search(vec.embed_query(q), 100)],
    })}
    assert res["keyword", "paraphrase"].recall < res["semantic", "paraphrase"].recall
    assert res["keyword", "exact"].mrr > res["semantic", "exact"].mrr
