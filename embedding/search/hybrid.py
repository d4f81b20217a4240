"""Keyword, semantic and hybrid search over one corpus, and retrieve-then-rerank.

The three lists the Semantic search page shows side by side: BM25 (words), a vector store
(meaning), and their reciprocal rank fusion. Two-stage search asks a cheap first stage (BM25 or
the GloVe average) for 100 candidates and re-ranks only those with SBERT.

    >>> from embedding.search.store import NumpyStore
    >>> ids = ["hal", "chef", "crew"]
    >>> bm25 = Bm25Index(ids, ["HAL 9000 will not open the pod bay doors.",
    ...                        "A young chef cooks in Paris.", "A crew flies to Jupiter."])
    >>> store = NumpyStore(dim=2)                    # toy 2-d "meanings" instead of SBERT's
    >>> store.add(ids, [[0.2, 1.0], [0.0, 1.0], [1.0, 0.1]])
    >>> lists = side_by_side(bm25, store, np.array([1.0, 0.0]), "HAL 9000", k=2)
    >>> [[h.id for h in hits] for hits in (lists.keyword, lists.semantic, lists.hybrid)]
    [['hal'], ['crew', 'hal'], ['hal', 'crew']]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from embedding.search.fusion import (
    HYBRID_BM25_WEIGHT,
    RRF_K,
    TwoStage,
    reciprocal_rank_fusion,
    scale_by_best,
    score_fusion,
    two_stage,
)
from embedding.search.keyword import Bm25Index, EmptyQueryError
from embedding.search.store import Hit, NumpyStore

#: How many results each list contributes to the fusion and to stage 1 of two-stage search.
DEPTH = 100


def label_of(item_id: str) -> str:
    """The id a labelled query names: a lecture chunk ``page.md#text#3`` → ``page.md``.

    Usage: ``label_of("06-vector-databases.md#text#2")`` → ``"06-vector-databases.md"``
    """
    return str(item_id).split("#", 1)[0]


def fuse_hits(lists: Sequence[Sequence[Hit]], k: int = RRF_K, top: int = 10) -> list[Hit]:
    """Reciprocal rank fusion of ranked hit lists; each hit's score becomes its RRF score.

    Usage: ``fuse_hits([bm25_hits, sbert_hits], k=60, top=10)``
    """
    payload = {}
    for hits in lists:
        for h in hits:
            payload.setdefault(h.id, h.payload)
    fused = reciprocal_rank_fusion([[h.id for h in hits] for hits in lists], k=k, top=top)
    return [Hit(i, s, dict(payload[i])) for i, s in fused]


def fuse_scores(keyword: Sequence[Hit], semantic: Sequence[Hit],
                bm25_weight: float = HYBRID_BM25_WEIGHT, top: int = 10) -> list[Hit]:
    """Score fusion of a keyword and a semantic hit list: ``bm25_weight · BM25 / best BM25 +
    (1 − bm25_weight) · cosine`` (cosine clipped at 0; a hit missing from a list gets 0 from
    it); each hit's score becomes the fused score, 0 to 1.

    Usage: ``fuse_scores(bm25.search(q, 100), store.search(q_vec, 100), 0.3, top=10)``
    """
    if not 0.0 <= float(bm25_weight) <= 1.0:
        raise ValueError(f"The BM25 weight must be between 0 and 1 (got {bm25_weight}).")
    payload = {}
    for hits in (keyword, semantic):
        for h in hits:
            payload.setdefault(h.id, h.payload)
    fused = score_fusion([scale_by_best({h.id: h.score for h in keyword}),
                          {h.id: max(0.0, h.score) for h in semantic}],
                         [float(bm25_weight), 1.0 - float(bm25_weight)], top)
    return [Hit(i, s, dict(payload[i])) for i, s in fused]


@dataclass(frozen=True)
class SideBySide:
    """Keyword, semantic and hybrid top-k lists for one query."""

    keyword: list[Hit]
    semantic: list[Hit]
    hybrid: list[Hit]
    rrf_k: int

    def overlap(self) -> set[str]:
        """Ids that both the keyword and the semantic list found."""
        return {h.id for h in self.keyword} & {h.id for h in self.semantic}


def side_by_side(bm25: Bm25Index, store: NumpyStore, query_vec: np.ndarray, query: str,
                 k: int = 5, rrf_k: int = RRF_K, depth: int = DEPTH) -> SideBySide:
    """The three lists for ``query`` (``query_vec``: the query embedded like the ``store``).

    Usage: ``side_by_side(bm25, sbert_store, embed_query(q), q, k=5).hybrid``
    The hybrid list fuses each list's top ``depth``, not just the ``k`` shown.
    """
    kw = bm25.search(query, max(k, depth))
    sem = store.search(query_vec, max(k, depth))
    return SideBySide(kw[:k], sem[:k], fuse_hits([kw, sem], rrf_k, k), int(rrf_k))


def retrieve_and_rerank(first_stage: Sequence[Hit], store: NumpyStore, query_vec: np.ndarray,
                        k: int = 10) -> TwoStage:
    """Re-rank stage 1's hits by cosine with ``query_vec`` in ``store`` (e.g. SBERT).

    Usage: ``retrieve_and_rerank(bm25.search(q, 100), sbert_store, sbert_q, k=10).kept_share``
    """
    q = np.asarray(query_vec, dtype=np.float32).reshape(-1)
    return two_stage([h.id for h in first_stage],
                     lambda ids: store.vectors_of(list(ids)) @ q, k=k)


def rankers(bm25: Bm25Index, sbert_store: NumpyStore, sbert_query: Callable[[str], np.ndarray],
            glove_store: NumpyStore, glove_query: Callable[[str], np.ndarray],
            rrf_k: int = RRF_K, depth: int = DEPTH) -> dict[str, Callable[[str], list[str]]]:
    """The four rankers the quality table compares, each query → label-level ids, best first.

    Usage: ``evaluate(queries, rankers(bm25, s_store, sbert.embed_query, g_store,
    glove.embed_query))``. A query GloVe cannot embed (no known word) ranks nothing.
    """
    from embedding.sentences.compare import NoKnownWordsError

    def labels(hits: Sequence[Hit]) -> list[str]:
        return [label_of(h.id) for h in hits]

    def glove(q: str) -> list[str]:
        try:
            return labels(glove_store.search(glove_query(q), depth))
        except NoKnownWordsError:
            return []

    def keyword_hits(q: str) -> list[Hit]:
        try:
            return bm25.search(q, depth)
        except EmptyQueryError:
            return []

    return {
        "keyword (BM25)": lambda q: labels(keyword_hits(q)),
        "GloVe average": glove,
        "semantic (SBERT)": lambda q: labels(sbert_store.search(sbert_query(q), depth)),
        f"hybrid (RRF, k={rrf_k})": lambda q: labels(fuse_hits(
            [keyword_hits(q), sbert_store.search(sbert_query(q), depth)], rrf_k, depth)),
    }


# ---------------------------------------------------------------------------------------------
# One search, three methods, and why each hit matched

#: The methods the Semantic search page offers for every index, by code.
METHODS = {"hybrid": "Hybrid (SBERT + BM25)", "sbert": "Semantic (SBERT)",
           "bm25": "Keyword (BM25)"}


@dataclass(frozen=True)
class Ranked:
    """A ranked list from one method, with each hit's rank in the semantic and the keyword
    list (``None``: not in that list's top :data:`DEPTH`), so hybrid results can say why."""

    method: str
    hits: list[Hit]
    semantic_rank: dict[str, int]
    keyword_rank: dict[str, int]


def search_by(method: str, query: str, query_vec: np.ndarray | None, store: NumpyStore | None,
              bm25: Bm25Index | None, k: int = 5, bm25_weight: float = HYBRID_BM25_WEIGHT,
              depth: int = DEPTH) -> Ranked:
    """The top ``k`` for ``query`` by ``method``: ``"sbert"`` (cosine in ``store``),
    ``"bm25"`` (keyword) or ``"hybrid"`` (score fusion of both lists' top ``depth``, BM25
    weighted ``bm25_weight``: :func:`fuse_scores`).

    Usage: ``search_by("hybrid", q, sbert.embed_query(q), store, bm25, k=5).hits``
    A query BM25 cannot look up (only stop words) gives no keyword hits; hybrid then equals
    the semantic list.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown search method {method!r}: use one of {', '.join(METHODS)}.")
    sem: list[Hit] = []
    kw: list[Hit] = []
    if method in ("sbert", "hybrid"):
        sem = store.search(query_vec, max(k, depth) if method == "hybrid" else k)
    if method in ("bm25", "hybrid"):
        try:
            kw = bm25.search(query, max(k, depth) if method == "hybrid" else k)
        except EmptyQueryError:
            if method == "bm25":
                raise
    hits = ({"sbert": sem[:k], "bm25": kw[:k]}.get(method)
            or fuse_scores(kw, sem, bm25_weight, k))
    return Ranked(method, hits, {h.id: n for n, h in enumerate(sem, 1)},
                  {h.id: n for n, h in enumerate(kw, 1)})


def why_matched(ranked: Ranked, query: str, best: list[tuple[str, float]] | None = None,
                semantic: str = "SBERT") -> list[str]:
    """One line per hit saying why it is there: the query words BM25 matched, the chunk's
    sentence closest to the query (``best``, from
    :func:`embedding.search.retrieval.best_sentences`), and for hybrid both ranks
    (``semantic`` names the model of the semantic list: SBERT, or the provider chosen).

    Usage: ``why_matched(search_by("bm25", q, None, None, bm25), q)`` →
    ``["matched: exit, status", …]``
    """
    from embedding.search.retrieval import matched_terms

    out = []
    for n, h in enumerate(ranked.hits):
        parts = []
        if ranked.method == "hybrid":
            s, w = ranked.semantic_rank.get(h.id), ranked.keyword_rank.get(h.id)
            parts.append(f"{semantic} #{s}" if s else f"{semantic}: not in its top {DEPTH}")
            parts.append(f"BM25 #{w}" if w else "BM25: no query word")
        if ranked.method in ("bm25", "hybrid"):
            words = matched_terms(query, str(h.payload.get("text", "")))
            if words or ranked.method == "bm25":
                parts.append("words: " + (", ".join(words) if words else "none"))
        if best is not None and n < len(best) and ranked.method in ("sbert", "hybrid"):
            parts.append(f"closest sentence ({best[n][1]:.2f}): “{best[n][0][:160]}”")
        out.append(" · ".join(parts))
    return out
