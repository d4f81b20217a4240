"""The same HNSW comparison inside PostgreSQL: pgvector's graph beside FAISS's, same M and ef.

*Exact vs approximate* indexes a teaching data set (:data:`embedding.search.ann.DATASETS`)
with FAISS in the app's process; when a database is configured it can also load the same
vectors into PostgreSQL and build pgvector's HNSW graph with the same ``M`` (ef_construction
40 like FAISS, or 2·M where pgvector needs at least that), then ask both the same queries at
the same ``ef`` (``hnsw.ef_search``). These builds are named ``_ann-<dataset>-m<M>``: the
leading ``_`` is not a valid index name, so they never show among the students' indexes.

    Usage: ``store = build_pg_graph(indexes, "glove", 16, vectors, progress)``;
    ``measure_pg(store, vectors, queries, exact_rows, ef=64)`` → ``PgPoint``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from embedding.search.ann import DEFAULT_EF_CONSTRUCTION, recall_at_10
from embedding.search.store.base import StoreError
from embedding.search.store.pg_store import PgIndexes, PgVectorStore

#: Rows sent per COPY while loading (progress is reported after each).
LOAD_BATCH = 20_000


def pg_graph_name(dataset: str, m: int) -> str:
    """The internal index name of a teaching graph: ``_ann-glove-m16``."""
    return f"_ann-{dataset}-m{int(m)}"


def pg_ef_construction(m: int) -> int:
    """FAISS's efConstruction (40), raised to pgvector's minimum of 2·M when M is larger."""
    return max(DEFAULT_EF_CONSTRUCTION, 2 * int(m))


def open_pg_graph(indexes: PgIndexes, dataset: str, m: int) -> PgVectorStore | None:
    """The saved teaching graph, or ``None`` when it has not been built."""
    try:
        store = indexes.open(pg_graph_name(dataset, m))
    except StoreError as exc:
        if "no index called" in str(exc):
            return None
        raise
    return store if store.uses_graph else None


def build_pg_graph(indexes: PgIndexes, dataset: str, m: int, vectors: np.ndarray,
                   progress: Callable[[int, int], None] | None = None) -> PgVectorStore:
    """Load ``vectors`` into PostgreSQL (ids = row numbers) and build pgvector's graph; once
    per database: a replica that finds it built (or being built by another) waits and reuses
    it. ``progress(done, total)`` counts rows loaded, then rows in the graph.
    """
    name = pg_graph_name(dataset, m)
    db = indexes.db
    with db.connection() as conn:  # a session-level advisory lock: one builder per database
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", ("ann:" + name,))
        try:
            found = open_pg_graph(indexes, dataset, m)
            if found is not None:
                return found
            total = len(vectors)
            store = indexes.create(name, vectors.shape[1], {"dataset": dataset, "m": int(m)})
            t0 = time.perf_counter()
            for start in range(0, total, LOAD_BATCH):
                stop = min(total, start + LOAD_BATCH)
                store.add([str(i) for i in range(start, stop)], vectors[start:stop])
                if progress is not None:
                    progress(stop // 2, total)  # loading is the first half of the bar
            load_seconds = time.perf_counter() - t0
            watcher = _ProgressWatcher(indexes, total, progress)
            watcher.start()
            try:
                seconds = store.build_graph(int(m), pg_ef_construction(m))
            finally:
                watcher.stop()
            store.meta.update(build_seconds=round(seconds, 3), load_seconds=round(load_seconds, 3))
            store.save()
            return store
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", ("ann:" + name,))


class _ProgressWatcher(threading.Thread):
    """Polls ``pg_stat_progress_create_index`` (rows already in the graph) while it builds."""

    def __init__(self, indexes: PgIndexes, total: int, progress):
        super().__init__(name="index-build-progress", daemon=True)  # (quiet in ui/resources)
        self.indexes, self.total, self.progress = indexes, total, progress
        self._finished = threading.Event()

    def run(self) -> None:
        while self.progress is not None and not self._finished.wait(1.0):
            try:
                rows = self.indexes.db.query(
                    "SELECT tuples_done FROM pg_stat_progress_create_index "
                    "WHERE relid = 'search_chunks'::regclass")
            except Exception:  # noqa: BLE001 - progress is best effort
                continue
            if rows and rows[0][0]:
                done = min(self.total, int(rows[0][0]))
                self.progress(self.total // 2 + done // 2, self.total)

    def stop(self) -> None:
        self._finished.set()
        self.join(timeout=5)


@dataclass(frozen=True)
class PgPoint:
    """pgvector's HNSW on the same queries: recall@k against the exact answer, median ms per
    query (through SQL, the round trip included), and what the build cost."""

    ef: int
    recall: float
    ms: float
    build_seconds: float
    size_bytes: int


def measure_pg(store: PgVectorStore, queries: np.ndarray, exact_rows: np.ndarray,
               ef: int, k: int = 10) -> PgPoint:
    """Ask pgvector's graph each query once (after one untimed warm-up query).

    Usage: ``measure_pg(store, queries, exact_search(vectors, queries), ef=64)``
    """
    store.search(queries[0], k, ef=ef)
    rows, times = [], []
    for q in queries:
        t0 = time.perf_counter()
        hits = store.search(q, k, ef=ef)
        times.append(time.perf_counter() - t0)
        found = [int(h.id) for h in hits] + [-1] * (k - len(hits))
        rows.append(found[:k])
    return PgPoint(int(ef), recall_at_10(np.array(rows), exact_rows),
                   float(np.median(times) * 1e3),
                   float(store.meta.get("build_seconds") or 0.0), store.size_bytes())
