"""Our Word2Vec trainer and recommender vs the raw libraries, same run, calls alternating.

    .venv/bin/python bench/bench_beyond_words.py

- train_word2vec (bounded, seeded, loss + per-epoch callback) vs a bare gensim ``Word2Vec`` with
  the same settings, on gensim's Lee corpus and on the basket data;
- recommend() through the vector store (semantic_search, liked movies excluded) vs one numpy
  matrix-vector product and argsort, on random 384-d vectors the size of the movie corpus.

Prints median times and the ratio ours/raw (1.00 = no overhead). Only ratios from one run are
comparable on a shared, noisy machine.
"""

from __future__ import annotations

import numpy as np
from _timing import alternate  # bench/, the script's folder
from gensim.models import Word2Vec

from embedding.recsys import baskets as bk
from embedding.recsys import corpus as corpora
from embedding.recsys import recommend as rec
from embedding.recsys import word2vec as w2v
from embedding.search.store import NumpyStore


def report(name: str, ours: float, raw: float) -> None:
    print(f"{name:<44} ours {ours * 1e3:9.2f} ms   raw {raw * 1e3:9.2f} ms   "
          f"ratio {ours / raw:5.2f}")


def bench_training(corpus: corpora.Corpus, params: w2v.Word2VecParams, rounds: int) -> None:
    sentences = [list(s) for s in corpus.sentences]

    def raw():
        Word2Vec(sentences, sg=int(params.sg), vector_size=params.vector_size,
                 window=params.window, negative=params.negative, epochs=params.epochs,
                 min_count=params.min_count, sample=params.sample, seed=params.seed, workers=1)

    ours, bare = alternate(lambda: w2v.train_word2vec(corpus, params, lambda r: None), raw, rounds)
    report(f"Word2Vec {corpus.name} ({corpus.n_tokens:,} tokens)", ours, bare)


def bench_recommend(rounds: int) -> None:
    rng = np.random.default_rng(0)
    m = rng.normal(size=(400, 384)).astype(np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    store = NumpyStore(dim=384)
    store.add([f"m{i}" for i in range(len(m))], m)
    liked = [3, 17, 42]

    def raw():
        taste = m[liked].mean(axis=0)
        scores = m @ (taste / np.linalg.norm(taste))
        scores[liked] = -np.inf
        return np.argsort(-scores)[:10]

    ours, bare = alternate(lambda: rec.recommend(store, liked, k=10), raw, rounds)
    report("recommend 10 of 400 movies (384-d)", ours, bare)


def main() -> None:
    bench_training(corpora.builtin_corpus(), w2v.Word2VecParams(epochs=3), rounds=3)
    bench_training(bk.basket_corpus(bk.load_baskets()), bk.PRODUCT2VEC_PARAMS, rounds=5)
    bench_recommend(rounds=200)


if __name__ == "__main__":
    main()
