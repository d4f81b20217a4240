"""Exact scan vs HNSW (faiss-cpu) over all 400,000 GloVe words and a 100k-chunk store, one run.

    .venv/bin/python bench/bench_ann.py [--quick]

Goal (issue 16): at recall@10 >= 0.95 over the 400,000 GloVe words, query latency <= 0.2x
the exact numpy scan; build time reported. For each data set: build time (one thread), memory,
and the recall/latency curve as ef moves, exact and HNSW queries alternating one at a time.
Also our ``HnswIndex.search`` vs the raw ``faiss`` call on the same index (wrapper overhead).
``--quick`` uses 50,000 words and 20,000 chunks (a smoke run, not the goal).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _timing import alternate  # bench/, the script's folder

from embedding.models.glove import load_glove
from embedding.search.ann import (
    HnswIndex,
    HnswParams,
    ef_curve,
    synthetic_chunks,
)
from embedding.similarity import unit_rows

EFS = [8, 16, 32, 64, 128, 256]
QUERIES = 300


def run(name: str, vectors: np.ndarray, params: HnswParams) -> None:
    rng = np.random.default_rng(1)
    queries = vectors[rng.choice(len(vectors), QUERIES, replace=False)]
    queries = queries + rng.standard_normal(queries.shape, dtype=np.float32) * 0.05
    t0 = time.perf_counter()
    index = HnswIndex.build(vectors, params)
    build = time.perf_counter() - t0
    print(f"\n{name}: {len(vectors):,} x {vectors.shape[1]}, HNSW {params.tag}, "
          f"build {build:.1f} s (one thread), index {index.memory_bytes() / 2**20:.0f} MB "
          f"(the vectors alone: {vectors.nbytes / 2**20:.0f} MB)")
    print(f"{'ef':>5} {'recall@10':>10} {'HNSW ms':>8} {'exact ms':>9} {'ratio':>6}")
    goal = None
    for p in ef_curve(index, vectors, queries, EFS, k=10):
        ratio = p.ann_ms / p.exact_ms
        print(f"{p.ef:5d} {p.recall:10.3f} {p.ann_ms:8.3f} {p.exact_ms:9.3f} {ratio:6.3f}")
        if goal is None and p.recall >= 0.95:
            goal = (p.ef, p.recall, ratio)
    if goal:
        ef, recall, ratio = goal
        verdict = "MET" if ratio <= 0.2 else "NOT met"
        print(f"goal: smallest ef with recall@10 >= 0.95 is {ef} (recall {recall:.3f}); "
              f"latency {ratio:.3f}x the exact scan (goal <= 0.2x): {verdict}")
    else:
        print("goal: recall@10 >= 0.95 NOT reached at any ef tried")
    import faiss

    raw, q1 = index._index, np.ascontiguousarray(queries[:1] / np.linalg.norm(queries[:1]))
    sp = faiss.SearchParametersHNSW(efSearch=64)
    ours, raw_s = alternate(lambda: index.search(q1, 10, ef=64),
                            lambda: raw.search(q1, 10, params=sp), rounds=300)
    print(f"one query at ef=64, ours/raw faiss: {ours / raw_s:.2f} "
          f"({ours * 1e3:.3f} ms vs {raw_s * 1e3:.3f} ms)")


def main() -> None:
    quick = "--quick" in sys.argv
    kv = load_glove()
    words, _ = unit_rows(np.asarray(kv.vectors, dtype=np.float32))
    words = np.ascontiguousarray(words[:50_000] if quick else words, dtype=np.float32)
    run("GloVe words", words, HnswParams(16, 40))
    run("synthetic chunks", synthetic_chunks(20_000 if quick else 100_000), HnswParams(16, 40))


if __name__ == "__main__":
    main()
