"""Combining rankings: hybrid search by reciprocal rank fusion, two-stage retrieval, and quality.

Keyword (BM25) and semantic (cosine) scores live on different scales, so hybrid search fuses
*ranks*: each list gives an item ``1 / (k + rank)`` and the sums are sorted (RRF, Cormack et
al. 2009; ``k = 60`` is the usual constant, and the one Elasticsearch and Qdrant use). Two-stage
retrieval asks a cheap ranker for 100 candidates and lets an expensive one re-rank them.

    >>> fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], k=60)
    >>> [item for item, _ in fused]
    ['a', 'c', 'b']

Score fusion keeps *how much* better one item is than the next: scores on one scale (a cosine
is already 0–1 for related texts; BM25 is divided by its best score) are added with weights (a
convex combination, as Elasticsearch's linear retriever and Weaviate's relative score fusion).

    >>> bm25, cosine = {"a": 8.0, "b": 2.0}, {"c": 0.8, "a": 0.4, "d": 0.2}
    >>> fused = score_fusion([scale_by_best(bm25), cosine], [0.5, 0.5])
    >>> [(item, round(score, 3)) for item, score in fused]
    [('a', 0.7), ('c', 0.4), ('b', 0.125), ('d', 0.1)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

#: The usual RRF constant: larger k flattens the difference between rank 1 and rank 10.
RRF_K = 60

#: BM25's weight in hybrid score fusion, SBERT's is 1 minus it. Measured on the labelled
#: documents (``bench/bench_documents.py``, table in docs/search.md): 0.2 to 0.4 all find the
#: answer in the top 3 for 90% of the questions or more; 0.3 is the middle of that range.
HYBRID_BM25_WEIGHT = 0.3


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K,
                           top: int | None = None) -> list[tuple[str, float]]:
    """Items of several best-first rankings, by ``Σ 1/(k + rank)`` (rank from 1), best first.

    Usage: ``reciprocal_rank_fusion([bm25_ids, sbert_ids], k=60, top=10)``
    Ties keep the order in which items were first seen. An item missing from a list gets
    nothing from it.
    """
    if int(k) < 0:
        raise ValueError(f"The RRF constant k must be 0 or more (got {k}).")
    score: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(dict.fromkeys(ranking), 1):  # a repeat counts once
            score[item] = score.get(item, 0.0) + 1.0 / (int(k) + rank)
    fused = sorted(score.items(), key=lambda kv: -kv[1])  # stable: first seen wins ties
    return fused if top is None else fused[: int(top)]


def scale_by_best(scores: Mapping[str, float]) -> dict[str, float]:
    """Each score divided by the best one, so the best is 1 and no match is 0: BM25 has no
    fixed scale (it grows with the query's length and its words' rarity), this gives it one.

    Usage: ``scale_by_best({"a": 4.0, "b": 1.0})`` → ``{"a": 1.0, "b": 0.25}`` (all 0 when the
    best is 0 or less)
    """
    best = max(scores.values(), default=0.0)
    if best <= 0:
        return {item: 0.0 for item in scores}
    return {item: max(0.0, float(s)) / best for item, s in scores.items()}


def score_fusion(lists: Sequence[Mapping[str, float]], weights: Sequence[float],
                 top: int | None = None) -> list[tuple[str, float]]:
    """Items of several scored lists by ``Σ weight · score``, best first: a convex combination
    when the weights add up to 1 and each list's scores lie in 0–1 (cosines clipped at 0,
    BM25 by :func:`scale_by_best`).

    Usage: ``score_fusion([scale_by_best(bm25), cosines], [0.3, 0.7], top=10)`` (each list:
    item → score). An item missing from a list gets 0 from it (a list is a method's top 100:
    no keyword in common, or too far in meaning to be listed). Ties keep the order in which
    items were first seen.
    """
    if len(lists) != len(weights):
        raise ValueError(f"{len(weights)} weights for {len(lists)} lists: give one per list.")
    if any(w < 0 for w in weights):
        raise ValueError(f"Fusion weights must be 0 or more (got {list(weights)}).")
    score: dict[str, float] = {}
    for scores, w in zip(lists, weights, strict=True):
        for item, s in scores.items():
            score[item] = score.get(item, 0.0) + float(w) * float(s)
    fused = sorted(score.items(), key=lambda kv: -kv[1])  # stable: first seen wins ties
    return fused if top is None else fused[: int(top)]


@dataclass(frozen=True)
class TwoStage:
    """The result of retrieve-then-rerank.

    ``candidates``: what stage 1 returned (best first); ``final``: the re-ranked top ``k`` with
    stage-2 scores; ``kept``: how many of stage 1's own top ``k`` are in the final top ``k``.
    """

    candidates: list[str]
    final: list[tuple[str, float]]
    kept: int

    @property
    def kept_share(self) -> float:
        """Share of the final top k that stage 1 already had in its own top k."""
        return self.kept / len(self.final) if self.final else 0.0


def two_stage(candidates: Sequence[str], rerank: Callable[[Sequence[str]], Sequence[float]],
              k: int = 10) -> TwoStage:
    """Re-rank stage 1's ``candidates`` by ``rerank(ids) → scores`` and keep the best ``k``.

    Usage: ``two_stage(bm25_top100_ids, lambda ids: sbert_scores(ids), k=10).kept_share``
    """
    cands = list(dict.fromkeys(candidates))
    if not cands:
        return TwoStage([], [], 0)
    scores = np.asarray(rerank(cands), dtype=np.float64)
    order = np.lexsort((np.arange(len(cands)), -scores))[: int(k)]
    final = [(cands[r], float(scores[r])) for r in order]
    first = set(cands[: int(k)])
    return TwoStage(cands, final, sum(1 for i, _ in final if i in first))


# ---------------------------------------------------------------------------------------------
# Quality against a labelled query set


def recall_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int = 5) -> float:
    """Share of the relevant items found in the first ``k`` results.

    Usage: ``recall_at_k(["a", "x", "b"], {"a", "b"}, k=2)`` → ``0.5``
    """
    rel = set(relevant)
    if not rel:
        raise ValueError("A labelled query needs at least one relevant id.")
    return len(rel.intersection(list(dict.fromkeys(ranked))[: int(k)])) / len(rel)


def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str]) -> float:
    """``1 / rank`` of the first relevant result (0 when none is found): MRR is its mean.

    Usage: ``reciprocal_rank(["x", "a"], {"a"})`` → ``0.5``
    """
    rel = set(relevant)
    for rank, item in enumerate(dict.fromkeys(ranked), 1):
        if item in rel:
            return 1.0 / rank
    return 0.0


def dedupe(ranked: Iterable[str]) -> list[str]:
    """The ranking with repeats removed, first occurrence kept (chunks → their pages).

    Usage: ``dedupe(["p1", "p2", "p1"])`` → ``["p1", "p2"]``
    """
    return list(dict.fromkeys(ranked))


@dataclass(frozen=True)
class LabelledQuery:
    """One row of ``data/search_queries.csv``: a query and the ids a good search returns."""

    corpus: str
    kind: str
    query: str
    relevant: frozenset[str]
    why: str


def load_query_set(path=None) -> list[LabelledQuery]:
    """The labelled queries we wrote (movie ids ``movie-N``; lecture page file names).

    Usage: ``[q.query for q in load_query_set() if q.kind == "exact"][:1]`` → ``["Saturn"]``
    """
    import csv

    from embedding.paths import DATA

    with open(path or DATA / "search_queries.csv", encoding="utf-8", newline="") as fh:
        return [LabelledQuery(r["corpus"], r["kind"], r["query"],
                              frozenset(r["relevant"].split()), r["why"])
                for r in csv.DictReader(fh)]


@dataclass(frozen=True)
class Quality:
    """Mean recall@k and MRR of one ranker over a set of labelled queries."""

    ranker: str
    kind: str
    queries: int
    recall: float
    mrr: float


def evaluate(queries: Sequence[LabelledQuery], rankers: dict[str, Callable[[str], list[str]]],
             k: int = 5) -> list[Quality]:
    """Recall@k and MRR per ranker, for all queries and per kind (paraphrase/exact/mixed).

    Usage: ``evaluate(qs, {"keyword": lambda q: ids_of(bm25.search(q, 100))})``; each ranker
    returns ids at the level of the labels (pages, not chunks), best first.
    """
    out = []
    for name, rank in rankers.items():
        ranked = {q.query: dedupe(rank(q.query)) for q in queries}
        for kind in ("all", *dict.fromkeys(q.kind for q in queries)):
            sub = [q for q in queries if kind in ("all", q.kind)]
            out.append(Quality(
                name, kind, len(sub),
                float(np.mean([recall_at_k(ranked[q.query], q.relevant, k) for q in sub])),
                float(np.mean([reciprocal_rank(ranked[q.query], q.relevant) for q in sub])),
            ))
    return out
