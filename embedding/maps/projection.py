"""Maps of embedding space: squeeze 50 or 384 dimensions into 2 or 3 you can look at.

A map can never keep every distance of the full space, so each method chooses what to keep:
PCA keeps the directions of largest spread (straight projection, global shape, fast), t-SNE
keeps each point's closest neighbours (clusters, but distances between clusters mean little),
UMAP keeps neighbours too and more of the global layout, and is much faster than t-SNE.
:func:`neighbour_preservation` measures how honest a map is: the share of each point's k
nearest neighbours in the full space that are still among its k nearest on the map.

    >>> project(kv[["cat", "dog", "paris", "rome", "red", "blue"]], "pca", dims=2).shape
    (6, 2)
    >>> vectors = kv[kv.index_to_key[:300]]             # the 300 most frequent GloVe words
    >>> round(neighbour_preservation(vectors, project(vectors, "pca"), k=10), 2)
    0.2

A flat PCA picture keeps only a fifth of each word's ten nearest neighbours; UMAP keeps far more.

UMAP's numba code is compiled on first use (tens of seconds); ``NUMBA_CACHE_DIR`` (set by
``make run`` and the Docker image, see :mod:`embedding.config`) keeps the compiled code in
``.cache/numba`` between runs and :func:`warm_up` compiles the rest at server
start. UMAP and t-SNE runs are serialised by :data:`PROJECTION_LOCK`, because numba's thread
pool aborts the whole process when two threads enter it at once.
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np

from embedding.similarity import normalize_rows

METHODS: tuple[str, ...] = ("umap", "tsne", "pca")
METHOD_NAMES: dict[str, str] = {"umap": "UMAP", "tsne": "t-SNE", "pca": "PCA"}
#: Distance measures offered for UMAP/t-SNE (scipy's names in parentheses where they differ).
METRICS: tuple[str, ...] = ("cosine", "euclidean", "manhattan", "correlation")
_SCIPY_METRIC = {"manhattan": "cityblock"}

#: One UMAP/t-SNE run at a time per process (numba's workqueue is not re-entrant).
PROJECTION_LOCK = threading.Lock()

#: t-SNE is far slower than UMAP; pages map at most this many points with it.
TSNE_MAX_POINTS = 1_000

_umap_ready = threading.Event()  # set once UMAP's numba code has run in this process
_BLOCK = 512  # rows per block of the distance matrix (keeps memory at ~20 MB for 5,000 points)


def _as_matrix(vectors, name: str = "vectors") -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (one row per point), got {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contain a value that is not a finite number.")
    return x


def _metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"Unknown metric '{metric}': use one of {', '.join(METRICS)}.")
    return _SCIPY_METRIC.get(metric, metric)


def nearest_neighbours(vectors, k: int = 10, metric: str = "euclidean") -> tuple[np.ndarray,
                                                                                  np.ndarray]:
    """Exact ``k`` nearest neighbours of every row among the other rows (itself excluded).

    Usage: ``idx, dist = nearest_neighbours(X, k=5, metric="cosine")``; ``idx[i]`` lists the
    rows closest to row ``i``, closest first (ties broken by row order), ``dist`` their distances.
    Computed in blocks, so 5,000 points need about 20 MB.
    """
    from scipy.spatial.distance import cdist

    x = _as_matrix(vectors)
    n = x.shape[0]
    k = int(k)
    if not 1 <= k < n:
        raise ValueError(f"k must be between 1 and {n - 1} for {n} points, got {k}.")
    scipy_metric = _metric(metric)
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float64)
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        d = cdist(x[start:stop], x, scipy_metric)
        d = np.nan_to_num(d, nan=np.inf)  # zero vectors have no cosine/correlation
        rows = np.arange(stop - start)
        d[rows, rows + start] = np.inf  # never your own neighbour
        part = np.argpartition(d, k - 1, axis=1)[:, :k]
        pd_ = np.take_along_axis(d, part, axis=1)
        order = np.lexsort((part, pd_), axis=1)
        idx[start:stop] = np.take_along_axis(part, order, axis=1)
        dist[start:stop] = np.take_along_axis(pd_, order, axis=1)
    return idx, dist


#: Neighbours compared by the preservation score when there are enough points.
PRESERVATION_K = 10


def preservation_k(n: int, k: int = PRESERVATION_K) -> int:
    """How many neighbours the preservation score compares on a map of ``n`` points.

    ``k`` when there are enough points, otherwise at most half of the other points: with
    k = n − 1 every other point is a neighbour and any map, even a random one, keeps 100%.
    Usage: ``preservation_k(400)`` → 10; ``preservation_k(5)`` → 2
    """
    return max(1, min(int(k), (int(n) - 1) // 2))


def random_preservation(n: int, k: int) -> float:
    """The share of neighbours a map with the points thrown at random keeps: k / (n − 1).

    Usage: ``random_preservation(5, preservation_k(5))`` → 0.5
    """
    return min(1.0, k / max(1, int(n) - 1))


def neighbour_preservation(vectors, coords, k: int = 10, metric: str = "cosine") -> float:
    """Share of each point's ``k`` nearest neighbours in the full space kept on the map.

    Usage: ``neighbour_preservation(X, project(X), k=10)`` → 0.62… (1.0 = every neighbourhood
    kept; random coordinates score about k/(n-1)). Full-space neighbours use ``metric``; map
    neighbours use straight-line (euclidean) distance, as the eye does. ``k`` is capped at n-1.
    """
    x, c = _as_matrix(vectors), _as_matrix(coords, "coords")
    if x.shape[0] != c.shape[0]:
        raise ValueError(f"{x.shape[0]} vectors but {c.shape[0]} map points.")
    n = x.shape[0]
    if n < 2:
        raise ValueError("At least 2 points are needed to talk about neighbours.")
    k = max(1, min(int(k), n - 1))
    full, _ = nearest_neighbours(x, k, metric)
    flat, _ = nearest_neighbours(c, k, "euclidean")
    kept = sum(len(set(a).intersection(b)) for a, b in zip(full.tolist(), flat.tolist(), strict=True))
    return kept / (n * k)


def interactive_epochs(n: int) -> int:
    """UMAP optimisation epochs for a map drawn while a student waits.

    Usage: ``interactive_epochs(2000)`` → 200. umap-learn uses 500 below 10,000 points; the
    layout is settled long before that: on the 359 words of the map's word sets, 300 epochs keep
    the same share of true neighbours as 500 (0.63-0.64 for seeds 42-44) in 40 % of the time,
    which is what a class pays when everyone changes the seed at once.
    """
    if n <= 1_000:
        return 300
    return 200


def _umap(x: np.ndarray, dims: int, seed: int | None, n_neighbors: int = 15,
          min_dist: float = 0.1, metric: str = "cosine", n_epochs: int | None = None,
          **extra) -> np.ndarray:
    import umap

    n = x.shape[0]
    k = max(2, min(int(n_neighbors), n - 1))
    # Exact neighbours from a blocked distance matrix: faster than umap-learn's small-data
    # path (a Python loop over every pair) and than pynndescent's compile time above 4,096.
    idx, dist = nearest_neighbours(x, k - 1, metric)
    knn_idx = np.hstack([np.arange(n)[:, None], idx])  # umap counts each point as its own
    knn_dist = np.hstack([np.zeros((n, 1)), dist]).astype(np.float32)  # first neighbour
    reducer = umap.UMAP(
        n_components=dims, n_neighbors=k, min_dist=float(min_dist), metric=metric,
        n_epochs=n_epochs, random_state=seed, n_jobs=1 if seed is not None else -1,
        precomputed_knn=(knn_idx, knn_dist, None), **extra,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no search index": we never call .transform
        coords = reducer.fit_transform(x.astype(np.float32))
    _umap_ready.set()
    return coords


def umap_ready() -> bool:
    """True once UMAP has run in this process (its code is compiled: maps now take seconds).

    Usage: ``if not umap_ready(): print("first map: compiling, about a minute")``
    """
    return _umap_ready.is_set()


def _tsne(x: np.ndarray, dims: int, seed: int | None, perplexity: float = 30.0,
          metric: str = "cosine", max_iter: int = 500, **extra) -> np.ndarray:
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    n = x.shape[0]
    perp = float(max(1.0, min(float(perplexity), (n - 1) / 3)))
    tsne = TSNE(n_components=dims, perplexity=perp, metric=_metric(metric), init="pca",
                random_state=seed, max_iter=max(250, int(max_iter)), n_jobs=1, **extra)
    # One OpenMP thread: on a busy 2-core server scikit-learn's Barnes-Hut threads spin against
    # each other and run 5-40x slower than a single thread.
    with warnings.catch_warnings(), threadpool_limits(1, user_api="openmp"):
        warnings.simplefilter("ignore")
        return tsne.fit_transform(x)


def _pca(x: np.ndarray, dims: int, seed: int | None, **extra) -> np.ndarray:
    from sklearn.decomposition import PCA

    return PCA(n_components=dims, random_state=seed, **extra).fit_transform(x)


def project(vectors, method: str = "umap", dims: int = 2, **params) -> np.ndarray:
    """Coordinates of every row of ``vectors`` on a ``dims``-dimensional map (n × dims).

    Usage: ``project(X, "umap", dims=2, seed=42, n_neighbors=15, min_dist=0.1,
    metric="cosine")``; ``project(X, "tsne", perplexity=30)``; ``project(X, "pca", dims=3)``.

    ``seed`` (default 42) makes UMAP reproducible: the same seed gives the whole class the same
    picture (``seed=None`` lets UMAP use both cores, and the picture changes every run).
    Other keywords go to umap-learn's ``UMAP`` / scikit-learn's ``TSNE`` / ``PCA``.
    UMAP and t-SNE hold :data:`PROJECTION_LOCK` while they run.
    """
    return timed_project(vectors, method, dims, **params)[0]


def timed_project(vectors, method: str = "umap", dims: int = 2,
                  **params) -> tuple[np.ndarray, float]:
    """:func:`project` and the seconds the projection itself took (not the wait for the lock).

    Usage: ``coords, seconds = timed_project(X, "pca")``
    """
    if method not in METHODS:
        raise ValueError(f"Unknown method '{method}': use one of {', '.join(METHODS)}.")
    if dims not in (2, 3):
        raise ValueError(f"A map has 2 or 3 dimensions, not {dims}.")
    x = _as_matrix(vectors)
    n = x.shape[0]
    if n < dims + 2:
        raise ValueError(f"A {dims}-D map needs at least {dims + 2} points; got {n}.")
    seed = params.pop("seed", 42)
    seed = None if seed is None else int(seed)
    if method == "pca":
        if x.shape[1] < dims:
            raise ValueError(f"{x.shape[1]}-dimensional vectors cannot give a {dims}-D PCA map.")
        t0 = time.perf_counter()
        coords = _pca(x, dims, seed, **params)
        return coords, time.perf_counter() - t0
    if "metric" in params:
        _metric(params["metric"])
    runner = _umap if method == "umap" else _tsne
    with PROJECTION_LOCK:
        t0 = time.perf_counter()
        coords = np.asarray(runner(x, dims, seed, **params), dtype=np.float64)
        return coords, time.perf_counter() - t0


@dataclass(frozen=True)
class Neighbour:
    """A point's neighbour in the full space: who, how similar, and where it landed on the map."""

    index: int
    label: str
    similarity: float  # cosine similarity in the full space
    map_rank: int  # 1 = closest point on the map


def neighbour_lists(vectors, labels: list[str], k: int = 5) -> list[list[tuple[str, float]]]:
    """For every point, its ``k`` nearest other points in the full space, by cosine.

    Usage: ``neighbour_lists(kv[words], words, k=5)[0]`` → ``[("dog", 0.92), …]``
    """
    x = _as_matrix(vectors)
    if len(labels) != x.shape[0]:
        raise ValueError(f"{len(labels)} labels for {x.shape[0]} vectors.")
    k = max(1, min(int(k), x.shape[0] - 1))
    idx, dist = nearest_neighbours(x, k, "cosine")
    return [[(labels[j], float(1.0 - d)) for j, d in zip(row, drow, strict=True)]
            for row, drow in zip(idx.tolist(), dist.tolist(), strict=True)]


def point_neighbours(vectors, coords, labels: list[str], index: int,
                     k: int = 10) -> list[Neighbour]:
    """Point ``index``'s ``k`` nearest points in the full space, with their rank on the map.

    Usage: ``point_neighbours(X, coords, words, words.index("cat"), k=5)[0].map_rank`` → 1
    when the true nearest neighbour is also the closest dot on the map.
    """
    x, c = _as_matrix(vectors), _as_matrix(coords, "coords")
    n = x.shape[0]
    if not 0 <= index < n:
        raise IndexError(f"No point number {index} among {n}.")
    k = max(1, min(int(k), n - 1))
    unit = normalize_rows(x, np.float64)
    sims = unit @ unit[index]
    sims[index] = -np.inf
    order = np.lexsort((np.arange(n), -sims))[:k]
    map_d = np.linalg.norm(c - c[index], axis=1)
    map_d[index] = -np.inf
    map_rank = np.empty(n, dtype=np.int64)
    map_rank[np.lexsort((np.arange(n), map_d))] = np.arange(n)  # own point gets rank 0
    return [Neighbour(int(j), labels[j], float(sims[j]), int(map_rank[j])) for j in order]


def warm_up() -> float:
    """Compile UMAP's numba code with a tiny map, so the first real map is quick; seconds taken.

    Usage: ``warm_up()`` at server start (``ui.resources`` runs it in the background).
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 8))
    project(x, "umap", dims=2, n_neighbors=5, n_epochs=20)
    return time.perf_counter() - t0
