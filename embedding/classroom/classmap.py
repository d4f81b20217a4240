"""The class map: everything a class typed for one prompt, on one map, grouped and counted.

Identical answers (ignoring case and spaces) become one point with a count; each point is a
GloVe average (words) or an SBERT row (sentences); PCA (few points, stable) or UMAP places them
in 2-D and k-means on the full vectors colours the groups.

    >>> import numpy as np
    >>> m = build_map(["sea", "Sea", "wave"], lambda t: (np.eye(3)[: len(t)], []))
    >>> list(zip(m.labels, m.counts))
    [('sea', 2), ('wave', 1)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from embedding.classroom.live import summarise
from embedding.similarity import normalize_rows

if TYPE_CHECKING:  # pragma: no cover
    from gensim.models import KeyedVectors

#: Below this many distinct answers the map uses PCA even when UMAP is asked for.
UMAP_MIN_POINTS = 12
MAX_GROUPS = 6

Embed = Callable[[list[str]], tuple[np.ndarray, list[str]]]


@dataclass(frozen=True)
class ClassMap:
    """Distinct answers with their counts, 2-D coordinates and group numbers.

    ``skipped`` lists answers that could not be placed (no word GloVe knows).
    """

    labels: tuple[str, ...]
    counts: tuple[int, ...]
    coords: np.ndarray
    groups: tuple[int, ...]
    skipped: tuple[str, ...]
    method: str


def glove_rows(kv: KeyedVectors, texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """GloVe averages of ``texts`` (lower-cased) for those with a known word; and the rest.

    Usage: ``rows, skipped = glove_rows(kv, ["sea", "zzzq"])`` → 1 row, ``["zzzq"]``
    """
    from embedding.sentences.compare import NoKnownWordsError, glove_sentence_vector

    rows, skipped = [], []
    for t in texts:
        try:
            rows.append(glove_sentence_vector(kv, t.lower()).vector)
        except NoKnownWordsError:
            skipped.append(t)
    dim = kv.vector_size
    return (np.stack(rows) if rows else np.zeros((0, dim), np.float32)), skipped


def groups_for(rows: np.ndarray, seed: int = 0) -> tuple[int, ...]:
    """k-means groups of the (unit) rows, k ≈ √(n/2) capped at :data:`MAX_GROUPS`.

    Usage: ``groups_for(np.eye(2))`` → ``(0, 0)``
    """
    n = len(rows)
    k = min(MAX_GROUPS, max(1, round(math.sqrt(n / 2))))
    if n < 3 or k == 1:
        return (0,) * n
    from sklearn.cluster import KMeans

    unit = normalize_rows(rows, np.asarray(rows).dtype)
    labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(unit)
    return tuple(int(x) for x in labels)


def build_map(answers: Sequence[str], embed: Embed, method: str = "pca",
              seed: int = 42) -> ClassMap:
    """The class map of ``answers``; ``embed(texts)`` returns (one row per placed text, the
    texts it could not place), in order.

    Usage: ``build_map(answers, lambda t: glove_rows(kv, t), method="umap")``
    """
    from embedding.maps.projection import project

    counted = summarise(list(answers)).counts
    texts = [a for a, _ in counted]
    rows, skipped = embed(texts)
    kept = [(a, n) for a, n in counted if a not in set(skipped)]
    rows = np.asarray(rows, dtype=np.float64)
    n = len(kept)
    if n == 0:
        return ClassMap((), (), np.zeros((0, 2)), (), tuple(skipped), method)
    if n <= 2:
        coords = np.array([[0.0, 0.0], [1.0, 0.0]])[:n]
        used = "pca"
    elif method == "umap" and n >= UMAP_MIN_POINTS:
        coords = project(rows, "umap", dims=2, seed=seed, n_neighbors=min(15, n - 1),
                         metric="cosine")
        used = "umap"
    else:
        coords = project(rows, "pca", dims=2)
        used = "pca"
    return ClassMap(tuple(a for a, _ in kept), tuple(c for _, c in kept),
                    np.asarray(coords, dtype=float), groups_for(rows), tuple(skipped), used)
