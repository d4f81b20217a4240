"""Keyword vs semantic vs hybrid on our labelled queries: recall@5 and MRR, same run.

    .venv/bin/python bench/bench_hybrid.py

``data/search_queries.csv`` holds queries we wrote for the movie blurbs and the lecture pages,
each with the ids a good search returns, and a kind: *paraphrase* (no shared words),
*exact* (a name, number or rare term) or *mixed*. Lecture chunks count at page level. Rankers:
BM25 (bm25s), GloVe average, SBERT, hybrid = RRF(BM25, SBERT) with k = 60 (the Keyword vs
semantic page's) and hybrid by scores (the Semantic search page's: 0.3 · BM25 / its best +
0.7 · cosine, ``embedding.search.hybrid.fuse_scores``). Also prints
the raw ``bm25s`` retrieve vs our ``Bm25Index.search`` time (ratio; same texts, same run).
"""

from __future__ import annotations

from _timing import alternate  # bench/, the script's folder

from embedding.models.glove import load_glove
from embedding.models.providers import SbertProvider
from embedding.models.sbert import load_sbert
from embedding.search.documents import lecture_corpus, movie_corpus
from embedding.search.fusion import HYBRID_BM25_WEIGHT, evaluate, load_query_set
from embedding.search.hybrid import DEPTH, fuse_scores, label_of, rankers
from embedding.search.keyword import Bm25Index, EmptyQueryError, terms
from embedding.search.retrieval import GloveAverageVectorizer, build_store


def corpus_rankers(corpus: str, kv, model) -> tuple[dict, Bm25Index, list[str]]:
    ids, texts, payloads = movie_corpus() if corpus == "movies" else lecture_corpus()
    bm25 = Bm25Index(ids, texts, payloads)
    sv, gv = SbertProvider(model), GloveAverageVectorizer(kv)
    s_store, g_store = build_store(sv, ids, texts, payloads), build_store(gv, ids, texts, payloads)
    out = rankers(bm25, s_store, sv.embed_query, g_store, gv.embed_query)

    def by_scores(q: str) -> list[str]:
        try:
            kw = bm25.search(q, DEPTH)
        except EmptyQueryError:
            kw = []
        sem = s_store.search(sv.embed_query(q), DEPTH)
        return [label_of(h.id) for h in fuse_scores(kw, sem, HYBRID_BM25_WEIGHT, DEPTH)]

    out[f"hybrid (scores, {HYBRID_BM25_WEIGHT})"] = by_scores
    return out, bm25, texts


def main() -> None:
    kv, model = load_glove(), load_sbert()
    queries = load_query_set()
    print(f"{len(queries)} labelled queries; recall@5 / MRR (lecture chunks counted per page)\n")
    print(f"{'corpus':9} {'ranker':22} {'kind':10} {'n':>3} {'recall@5':>9} {'MRR':>6}")
    for corpus in ("movies", "lectures"):
        sub = [q for q in queries if q.corpus == corpus]
        r, bm25, texts = corpus_rankers(corpus, kv, model)
        for row in evaluate(sub, r, k=5):
            print(f"{corpus:9} {row.ranker:22} {row.kind:10} {row.queries:3d} "
                  f"{row.recall:9.3f} {row.mrr:6.3f}")
        import bm25s

        raw = bm25s.BM25()
        raw.index([terms(t) for t in texts], show_progress=False)
        qs = [q.query for q in sub]
        ours_s, raw_s = alternate(
            lambda qs=qs, b=bm25: [b.search(q, 10) for q in qs],
            lambda qs=qs, raw=raw: [raw.get_scores(known) for q in qs
                                    if (known := [t for t in terms(q) if t in raw.vocab_dict])],
            rounds=20)
        print(f"{corpus:9} BM25 search, ours/raw bm25s get_scores: {ours_s / raw_s:.2f} "
              f"({ours_s / len(qs) * 1e3:.3f} ms vs {raw_s / len(qs) * 1e3:.3f} ms per query)\n")


if __name__ == "__main__":
    main()
