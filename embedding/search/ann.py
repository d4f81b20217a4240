"""Approximate nearest neighbours: an HNSW graph (faiss-cpu) next to the exact numpy scan.

The exact scan compares the query with every stored vector. HNSW links each vector to about
``2·M`` neighbours in a layered graph and walks it greedily toward the query, keeping the
``ef`` best candidates seen so far: a larger ``ef`` checks more of the graph (slower, closer to
exact), a larger ``M`` makes a denser graph (bigger, slower to build, better recall). The
answer can miss true neighbours, so we always measure **recall@10 against the exact scan**.

    >>> vectors = synthetic_chunks(2_000, dim=32, seed=0)
    >>> index = HnswIndex.build(vectors, HnswParams(m=16, ef_construction=40))
    >>> exact = exact_search(vectors, vectors[:50], 10)
    >>> recall_at_10(index.search(vectors[:50], 10, ef=64)[0], exact) > 0.9
    True

faiss-cpu was chosen by measurement (``bench/bench_ann.py``, GloVe 400k, one thread): it ships
wheels for every platform we run on (hnswlib needs a compiler) and its HNSW reached recall@10
0.967 at ef = 64 in 1.1 ms per query, against 68 ms for the exact scan.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embedding.search.store.base import atomic_write_bytes, top_k
from embedding.similarity import unit_rows

#: faiss's own defaults for a new HNSW index (M = 32 in faiss's docs; IndexHNSWFlat(d, 16) is
#: what most tutorials build, efConstruction = 40, efSearch = 16).
DEFAULT_M = 16
DEFAULT_EF_CONSTRUCTION = 40
DEFAULT_EF = 64
#: Allowed knob ranges (the page offers these; larger ones cost minutes on a 2-core server).
M_RANGE = (4, 64)
EF_RANGE = (1, 1024)
#: Vectors added per faiss call while building, so progress can be reported.
BUILD_BATCH = 20_000

_faiss_lock = threading.Lock()


class AnnError(ValueError):
    """A setting or input the index cannot use; the message says what to change."""


def _faiss():
    import faiss

    faiss.omp_set_num_threads(1)  # one core per build/search: the server has two for a class
    return faiss


@dataclass(frozen=True)
class HnswParams:
    """The build-time knobs: graph degree ``m`` and the candidate list while building."""

    m: int = DEFAULT_M
    ef_construction: int = DEFAULT_EF_CONSTRUCTION

    def __post_init__(self) -> None:
        if not M_RANGE[0] <= int(self.m) <= M_RANGE[1]:
            raise AnnError(f"M must be between {M_RANGE[0]} and {M_RANGE[1]} (got {self.m}).")
        if not EF_RANGE[0] <= int(self.ef_construction) <= EF_RANGE[1]:
            raise AnnError(f"efConstruction must be between {EF_RANGE[0]} and {EF_RANGE[1]}.")

    @property
    def tag(self) -> str:
        """A file-name tag: ``"M16-efc40"``."""
        return f"M{self.m}-efc{self.ef_construction}"


def _as_unit_matrix(vectors) -> np.ndarray:
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise AnnError(f"Expected a 2-D array of vectors, got shape {arr.shape}.")
    unit, norms = unit_rows(arr)
    if not np.all(np.isfinite(arr)) or np.any(norms == 0):
        raise AnnError("Every vector needs finite numbers and a length above zero.")
    return np.ascontiguousarray(unit, dtype=np.float32)


class HnswIndex:
    """An HNSW graph over unit vectors (inner product = cosine), searched with a chosen ``ef``.

    Usage: ``HnswIndex.build(unit_vectors, HnswParams(16, 40)).search(q, 10, ef=64)``
    → ``(rows, scores)``; rows are positions in the vectors given to :meth:`build`.
    Read-only after building: one index can serve every session (search is thread-safe).
    """

    def __init__(self, index, params: HnswParams, build_seconds: float = 0.0):
        self._index = index
        self.params = params
        self.build_seconds = float(build_seconds)

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @classmethod
    def build(cls, vectors, params: HnswParams = HnswParams(),
              progress: Callable[[int, int], None] | None = None) -> HnswIndex:
        """Insert every vector into a new graph (one thread); ``progress(done, total)``.

        Usage: ``HnswIndex.build(kv.vectors, HnswParams(m=16), progress=bar)``
        """
        unit = _as_unit_matrix(vectors)
        faiss = _faiss()
        index = faiss.IndexHNSWFlat(unit.shape[1], int(params.m), faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = int(params.ef_construction)
        total = unit.shape[0]
        t0 = time.perf_counter()
        for start in range(0, total, BUILD_BATCH):
            index.add(unit[start:start + BUILD_BATCH])
            if progress is not None:
                progress(min(total, start + BUILD_BATCH), total)
        return cls(index, params, time.perf_counter() - t0)

    def search(self, queries, k: int = 10, ef: int = DEFAULT_EF) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` approximate best rows per query and their cosines, best first.

        Usage: ``rows, scores = index.search(q, 10, ef=64)`` (``q`` one vector or a matrix)
        """
        if not EF_RANGE[0] <= int(ef) <= EF_RANGE[1]:
            raise AnnError(f"ef must be between {EF_RANGE[0]} and {EF_RANGE[1]} (got {ef}).")
        q = _as_unit_matrix(queries)
        if q.shape[1] != self.dim:
            raise AnnError(f"The query has {q.shape[1]} numbers but the index stores {self.dim}.")
        faiss = _faiss()
        k = max(1, min(int(k), self.count))
        params = faiss.SearchParametersHNSW(efSearch=max(int(ef), k))
        scores, rows = self._index.search(q, k, params=params)  # per-call ef: no shared state
        return rows.astype(np.int64), scores.astype(np.float32)

    def memory_bytes(self) -> int:
        """Bytes the index holds: the vectors plus the graph's links (its serialised size)."""
        return int(_faiss().serialize_index(self._index).nbytes)

    # -- persistence -------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        return _faiss().serialize_index(self._index).tobytes()

    def save(self, path: Path | str) -> Path:
        """Write the index atomically (a crash leaves the old file or none, never half)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, self.to_bytes())
        return path

    @classmethod
    def load(cls, path: Path | str, params: HnswParams) -> HnswIndex:
        """Read a saved index (faiss's own binary format; no pickles)."""
        data = np.fromfile(path, dtype=np.uint8)
        try:
            index = _faiss().deserialize_index(data)
        except RuntimeError as exc:
            raise AnnError(f"The saved index {Path(path).name} is damaged.") from exc
        return cls(index, params)


# ---------------------------------------------------------------------------------------------
# The reference, and measuring against it


def exact_search(vectors: np.ndarray, queries, k: int = 10) -> np.ndarray:
    """Reference answer: the exact top-``k`` rows by cosine for each query (numpy scan).

    Usage: ``exact_search(unit_vectors, queries, 10)`` → ``array of shape (n_queries, 10)``
    ``vectors`` must already be unit rows (what the store keeps).
    """
    q = _as_unit_matrix(queries)
    return np.stack([top_k(vectors @ row, k) for row in q])


def recall_at_10(approx_rows: np.ndarray, exact_rows: np.ndarray) -> float:
    """Mean share of the exact top-k rows that the approximate top-k found (k = row length).

    Usage: ``recall_at_10(index.search(q, 10)[0], exact_search(v, q, 10))`` → ``0.97``
    """
    a, e = np.atleast_2d(approx_rows), np.atleast_2d(exact_rows)
    if a.shape[0] != e.shape[0] or e.shape[1] == 0:
        raise AnnError("Compare the same queries, with at least one exact neighbour each.")
    return float(np.mean([len(set(x.tolist()) & set(y.tolist())) / len(y)
                          for x, y in zip(a, e, strict=True)]))


@dataclass(frozen=True)
class CurvePoint:
    """One point of the recall/latency curve: ``ef``, recall@k and ms per query (both sides)."""

    ef: int
    recall: float
    ann_ms: float
    exact_ms: float

    @property
    def speedup(self) -> float:
        return self.exact_ms / self.ann_ms if self.ann_ms else float("inf")


def timed_exact(vectors: np.ndarray, queries: np.ndarray, k: int = 10
                ) -> tuple[np.ndarray, float]:
    """The exact answer and its median milliseconds per query (one query at a time)."""
    rows, times = [], []
    for q in _as_unit_matrix(queries):
        t0 = time.perf_counter()
        rows.append(top_k(vectors @ q, k))
        times.append(time.perf_counter() - t0)
    return np.stack(rows), float(np.median(times) * 1e3)


def ef_curve(index: HnswIndex, vectors: np.ndarray, queries: np.ndarray,
             efs: Sequence[int], k: int = 10) -> list[CurvePoint]:
    """Recall@k and latency for each ``ef``, against the exact scan timed in the same call.

    Usage: ``ef_curve(index, unit_vectors, queries, [16, 32, 64, 128])``
    Queries run one at a time, alternating ANN and exact, so a busy machine slows both alike.
    """
    q = _as_unit_matrix(queries)
    exact, exact_ms = timed_exact(vectors, q, k)
    out = []
    for ef in efs:
        rows, times = [], []
        for row in q:
            t0 = time.perf_counter()
            rows.append(index.search(row, k, ef=int(ef))[0][0])
            times.append(time.perf_counter() - t0)
        out.append(CurvePoint(int(ef), recall_at_10(np.stack(rows), exact),
                              float(np.median(times) * 1e3), exact_ms))
    return out


def warm_compare(vectors: np.ndarray, index: HnswIndex, query, k: int = 10, ef: int = DEFAULT_EF,
                 repeats: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                             float, float]:
    """One query both ways, timed like :func:`ef_curve`: the median of ``repeats`` warm runs
    (one untimed run each first, then exact and HNSW alternating), so the two numbers compare
    with the curve's medians rather than with a cold first call.

    Usage: ``exact, exact_scores, rows, scores, exact_ms, ann_ms = warm_compare(v, idx, v[3])``
    """
    q = _as_unit_matrix(query)[0]
    exact = top_k(vectors @ q, k)
    rows, scores = index.search(q, k, ef=ef)  # the untimed warm-up runs
    t_exact, t_ann = [], []
    for _ in range(max(1, int(repeats))):
        t0 = time.perf_counter()
        top_k(vectors @ q, k)
        t1 = time.perf_counter()
        index.search(q, k, ef=ef)
        t2 = time.perf_counter()
        t_exact.append(t1 - t0)
        t_ann.append(t2 - t1)
    return (exact, (vectors[exact] @ q).astype(np.float32), rows[0], scores[0],
            float(np.median(t_exact) * 1e3), float(np.median(t_ann) * 1e3))


# ---------------------------------------------------------------------------------------------
# Data to index, and the on-disk cache

#: The data sets *Exact vs approximate* indexes (what :func:`dataset_vectors` builds).
DATASETS = {"glove": "All 400,000 GloVe words (50 numbers each)",
            "chunks": "100,000 synthetic chunks (384 numbers each, like SBERT)"}


def dataset_vectors(dataset: str, kv=None) -> np.ndarray:
    """Unit float32 rows of a teaching data set: ``"glove"`` (every word of ``kv``, GloVe by
    default) or ``"chunks"`` (:func:`synthetic_chunks`, 100,000 × 384).

    Usage: ``dataset_vectors("chunks").shape`` → ``(100000, 384)``
    """
    if dataset == "glove":
        if kv is None:
            from embedding.models.glove import load_glove

            kv = load_glove()
        rows, _ = unit_rows(np.asarray(kv.vectors, dtype=np.float32))
        return np.ascontiguousarray(rows, dtype=np.float32)
    if dataset == "chunks":
        return synthetic_chunks(100_000, 384)
    raise AnnError(f"Unknown data set {dataset!r}: pick one of {', '.join(DATASETS)}.")



def synthetic_chunks(n: int = 100_000, dim: int = 384, topics: int = 500, seed: int = 0
                     ) -> np.ndarray:
    """``n`` unit vectors that look like a chunk store: ``topics`` clusters plus noise.

    Usage: ``synthetic_chunks(100_000)`` → float32 (100000, 384), ~150 MB
    Random uniform vectors would be the worst case for any index (every point is about as far
    from every other); real chunks cluster by topic, so these do too.
    """
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((topics, dim), dtype=np.float32)
    out = centres[rng.integers(0, topics, n)]
    out += rng.standard_normal((n, dim), dtype=np.float32) * 0.9
    return _as_unit_matrix(out)


def fingerprint(vectors: np.ndarray) -> str:
    """A short hash of a matrix's shape and contents (a cached index is for these vectors).

    Usage: ``fingerprint(np.eye(3, dtype=np.float32))`` → ``"…"`` (16 hex digits)
    """
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    h = hashlib.sha256(str(arr.shape).encode())
    h.update(memoryview(arr).cast("B"))
    return h.hexdigest()[:16]


def cached_index(folder: Path, vectors: np.ndarray, params: HnswParams,
                 progress: Callable[[int, int], None] | None = None) -> HnswIndex:
    """The index for ``vectors`` from ``folder`` if built before, else built and saved there.

    Usage: ``cached_index(writable_dir("ann", "glove"), unit, HnswParams(16, 40), progress=cb)``
    The file name holds the knobs and the vectors' fingerprint, so other vectors or knobs
    never read a stale graph. Build time is kept next to it (a loaded index reports it too).
    """
    fp = fingerprint(vectors)
    path = Path(folder) / f"hnsw-{params.tag}-{fp}.faiss"
    seconds = path.with_suffix(".seconds")
    if path.is_file():
        try:
            index = HnswIndex.load(path, params)
            if index.count == len(vectors):
                index.build_seconds = float(seconds.read_text()) if seconds.is_file() else 0.0
                return index
        except (AnnError, OSError, ValueError):
            pass
    index = HnswIndex.build(vectors, params, progress)
    try:
        index.save(path)
        atomic_write_bytes(seconds, f"{index.build_seconds:.3f}".encode())
    except OSError:  # a read-only disk only costs the cache
        pass
    return index
