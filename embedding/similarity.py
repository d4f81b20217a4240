"""Cosine similarity, with the worked steps a student would write on paper.

cos(u, v) = u·v / (‖u‖ ‖v‖): 1 when two vectors point the same way, 0 when they are
orthogonal, -1 when they point in opposite directions. Length does not matter, only direction.

    >>> round(cosine([1, 2, 2], [3, 7, 8]), 4)
    0.9959
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

ArrayLike = Sequence[float] | np.ndarray


def _as_vector(x: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D vector, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains a value that is not a finite number.")
    return arr


def _check_pair(u: ArrayLike, v: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a, b = _as_vector(u, "u"), _as_vector(v, "v")
    if a.shape != b.shape:
        raise ValueError(f"Vectors must have the same length ({a.size} vs {b.size}).")
    return a, b


def _zero_check(norm: float, name: str) -> None:
    if norm == 0.0:
        raise ValueError(
            f"{name} is the zero vector: it has no direction, so its cosine with anything "
            "is undefined. Change at least one of its numbers."
        )


def zero_vectors(vectors: Mapping[str, ArrayLike]) -> list[str]:
    """Names of the vectors that are all zeros: they have no direction, so no cosine.

    Usage: ``zero_vectors({"Avatar": [0, 0, 0], "Ironman": [3, 7, 8]})`` → ``["Avatar"]``
    """
    return [name for name, v in vectors.items() if not np.any(np.asarray(v, dtype=np.float64))]


def cosine(u: ArrayLike, v: ArrayLike) -> float:
    """Cosine similarity of two vectors of the same length.

    Usage: ``cosine([1, 2, 2], [3, 7, 8])`` → 0.99589…

    Raises ``ValueError`` for a zero vector, mismatched lengths or non-finite values.
    """
    a, b = _check_pair(u, v)
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    _zero_check(na, "The first vector")
    _zero_check(nb, "The second vector")
    return float(np.clip(np.dot(a, b) / (na * nb), -1.0, 1.0))


def angle_degrees(cos: float) -> float:
    """The angle between two vectors whose cosine is ``cos``, in degrees (0 to 180).

    The cosine is clipped to [-1, 1] first: float32 rounding makes a word's cosine with
    itself 1.0000001, and ``math.acos`` of that is an error, not 0°.
    Usage: ``angle_degrees(0.5)`` → 60.0; ``angle_degrees(1.0000001)`` → 0.0
    """
    return math.degrees(math.acos(max(-1.0, min(1.0, float(cos)))))


@dataclass(frozen=True)
class CosineSteps:
    """Every intermediate number of a cosine computation, for the worked-steps view."""

    u: tuple[float, ...]
    v: tuple[float, ...]
    products: tuple[float, ...]  # u_i * v_i, term by term
    dot: float
    sum_sq_u: float  # ‖u‖² = Σ u_i²
    sum_sq_v: float
    norm_u: float
    norm_v: float
    cosine: float
    angle_deg: float


def cosine_steps(u: ArrayLike, v: ArrayLike) -> CosineSteps:
    """The dot product term by term, both norms, the cosine and the angle in degrees.

    Usage: ``s = cosine_steps([1, 2, 2], [3, 7, 8]); s.dot, s.norm_u, s.cosine`` → 33, 3.0, 0.9959
    """
    a, b = _check_pair(u, v)
    products = a * b
    sq_u, sq_v = float(np.dot(a, a)), float(np.dot(b, b))
    nu, nv = math.sqrt(sq_u), math.sqrt(sq_v)
    _zero_check(nu, "The first vector")
    _zero_check(nv, "The second vector")
    dot = float(products.sum())
    cos = max(-1.0, min(1.0, dot / (nu * nv)))
    return CosineSteps(
        u=tuple(float(x) for x in a),
        v=tuple(float(x) for x in b),
        products=tuple(float(x) for x in products),
        dot=dot,
        sum_sq_u=sq_u,
        sum_sq_v=sq_v,
        norm_u=nu,
        norm_v=nv,
        cosine=cos,
        angle_deg=angle_degrees(cos),
    )


def unit_rows(matrix: ArrayLike, dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Every row of ``matrix`` scaled to length 1 (as ``dtype``), and the lengths it had.

    Usage: ``unit, lengths = unit_rows([[3.0, 4.0], [0.0, 0.0]])``
    → ``[[0.6, 0.8], [0, 0]]`` and ``[[5.0], [0.0]]``

    A zero row has no direction: it stays zero and its length is 0, so a caller that cannot use
    one checks ``lengths == 0``. A 1-D array is one vector: its length is a 0-d array.
    The one place the app divides vectors by their length (stores, recommender, GloVe averages).
    """
    m = np.asarray(matrix, dtype=dtype)
    lengths = np.linalg.norm(m, axis=-1, keepdims=True) if m.ndim > 1 else np.linalg.norm(m)
    return m / np.where(lengths == 0, 1, lengths), np.asarray(lengths)


def normalize_rows(matrix: ArrayLike, dtype: type = np.float32) -> np.ndarray:
    """Scale every row to unit length (zero rows stay zero); ``float32`` unless ``dtype``.

    Usage: ``normalize_rows(np.array([[3.0, 4.0]]))`` → ``[[0.6, 0.8]]``
    """
    return unit_rows(matrix, dtype)[0]


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """All pairwise cosines of the rows of ``vectors`` (n×d → n×n, diagonal 1), as float64.

    Usage: ``cosine_matrix(np.eye(2))`` → ``[[1, 0], [0, 1]]``

    Always computed and returned in float64, whatever the input (float32 GloVe or SBERT rows,
    lists of ints), so the heat-map's numbers do not depend on where the vectors came from.
    """
    unit = normalize_rows(vectors, np.float64)
    return np.clip(unit @ unit.T, -1.0, 1.0)


def rank_by_cosine(query: ArrayLike, items: dict[str, ArrayLike]) -> list[tuple[str, float]]:
    """Items sorted by cosine with ``query``, most similar first.

    Usage: ``rank_by_cosine([1, 2, 2], {"Ironman": [3, 7, 8], "Rainman": [1, -2, 6]})``
    → ``[("Ironman", 0.9959), ("Rainman", 0.4685)]``
    """
    scored = [(name, cosine(query, vec)) for name, vec in items.items()]
    return sorted(scored, key=lambda t: t[1], reverse=True)
