"""Semantic search speed vs the raw libraries, measured in the same run.

    .venv/bin/python bench/bench_search.py [--quick]

1. Indexing throughput: our ``index_texts`` (batched encode through the locked
   ``embedding.models.sbert.encode`` + ``NumpyStore.add``) vs one raw ``SentenceTransformer.encode``
   of the same texts. Target: ours/raw throughput >= 0.90.
2. One query over 100,000 chunks, end to end (encode + ``semantic_search``), p50, vs raw
   ``model.encode`` + one exact numpy scan + argpartition of the same vectors. Target: <= 1.15.
   The 100k corpus is random unit vectors (encoding 100k real chunks would take many minutes;
   the scan costs the same whatever the numbers are).
Calls alternate so a noisy, shared machine affects both sides alike.
"""

from __future__ import annotations

import sys

import numpy as np
from _timing import alternate  # bench/, the script's folder

from embedding.models.providers import SbertProvider
from embedding.models.sbert import encode, load_sbert
from embedding.search.documents import lecture_corpus, movie_corpus
from embedding.search.retrieval import index_texts, semantic_search
from embedding.search.store import NumpyStore

QUERIES = ["a film about space travel", "how do I bake bread", "who built the roman roads",
           "a love story on a ship", "what is cosine similarity", "a heist in las vegas",
           "robots that feel lonely", "a boxer's last fight"]


def bench_indexing(model, texts: list[str], rounds: int) -> tuple[float, float]:
    vec = SbertProvider(model)
    ids = [str(i) for i in range(len(texts))]
    counts: list[int] = []

    def ours():
        store = NumpyStore(vec.dim)
        index_texts(store, vec, ids, texts)
        counts.append(store.count())

    def raw():
        model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                     show_progress_bar=False)

    result = alternate(ours, raw, rounds)
    assert counts and set(counts) == {len(texts)}
    return result


def bench_query(model, n: int, rounds: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((n, 384), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = NumpyStore(384)
    store.add([str(i) for i in range(n)], vectors, [{"row": i} for i in range(n)])
    raw_matrix = store.vectors()  # the same unit vectors, for the raw side
    vec = SbertProvider(model)

    def ours(q: str):
        return semantic_search(vec.embed_query(q), store, 10)

    def raw(q: str):
        qv = model.encode([q], normalize_embeddings=True, convert_to_numpy=True,
                          show_progress_bar=False)[0]
        scores = raw_matrix @ qv
        top = np.argpartition(-scores, 9)[:10]
        return top[np.argsort(-scores[top])]

    for q in QUERIES[:2]:  # warm up both paths
        ours(q), raw(q)
    check_ours = [int(h.id) for h in ours(QUERIES[0])]
    assert check_ours == raw(QUERIES[0]).tolist(), "ours and raw disagree on the top 10"
    return alternate(ours, raw, rounds, inputs=QUERIES)


def main() -> None:
    quick = "--quick" in sys.argv
    model = load_sbert()
    _, movies, _ = movie_corpus()
    _, chunks, _ = lecture_corpus()
    texts = movies + chunks if quick else (movies + chunks) * 2
    encode(model, texts[:64])  # warm up
    ours, raw = bench_indexing(model, texts, rounds=1 if quick else 2)
    print(f"Indexing {len(texts):,} texts: ours {ours:6.2f} s ({len(texts) / ours:6.1f}/s)   "
          f"raw encode {raw:6.2f} s ({len(texts) / raw:6.1f}/s)   "
          f"throughput ratio ours/raw {raw / ours:4.2f}  (target >= 0.90)")
    n = 100_000
    ours, raw = bench_query(model, n, rounds=2 if quick else 6)
    print(f"Query over {n:,} chunks (encode + exact top-10, p50): ours {ours * 1e3:6.2f} ms   "
          f"raw encode + numpy scan {raw * 1e3:6.2f} ms   ratio {ours / raw:4.2f}  "
          "(target <= 1.15)")


if __name__ == "__main__":
    main()
