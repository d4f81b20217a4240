"""What every vector store shares: the result type, the error type, the interface and the checks.

A store keeps unit-length float32 rows, so cosine is a dot product; every backend runs the same
input checks here so a wrong dimension or a zero vector gives the same message everywhere.

    >>> top_k(np.array([0.1, 0.9, 0.5]), 2).tolist()
    [1, 2]
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from embedding.similarity import unit_rows


class StoreError(ValueError):
    """A problem with an index the user can act on (bad name, wrong dimension, damaged file)."""


@dataclass(frozen=True)
class Hit:
    """One search result: the stored id, its cosine score with the query, and its payload."""

    id: str
    score: float
    payload: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class VectorStore(Protocol):
    """What every backend offers. Vectors are L2-normalised on the way in."""

    dim: int
    meta: dict[str, Any]

    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray | Sequence[Sequence[float]],
        payloads: Sequence[Mapping[str, Any]] | None = None,
    ) -> None: ...

    def search(self, vector: np.ndarray | Sequence[float], k: int = 10) -> list[Hit]: ...

    def delete(self, ids: Sequence[str]) -> int: ...

    def count(self) -> int: ...

    def save(self) -> None: ...


# ---------------------------------------------------------------------------------------------
# Shared checks


def _unit_rows(vectors, dim: int) -> np.ndarray:
    """``vectors`` as a C-contiguous float32 (n, dim) array with rows scaled to length 1."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise StoreError(f"Expected vectors of dimension {dim}, got an array of shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise StoreError("A vector contains a value that is not a finite number.")
    unit, lengths = unit_rows(arr)
    if np.any(lengths == 0):
        raise StoreError("A zero vector has no direction, so it cannot be searched by cosine.")
    return np.ascontiguousarray(unit, dtype=np.float32)


def _unit_query(vector, dim: int) -> np.ndarray:
    q = np.asarray(vector, dtype=np.float32).reshape(-1)
    if q.shape[0] != dim:
        raise StoreError(f"The query has {q.shape[0]} numbers but this index stores {dim}.")
    if not np.all(np.isfinite(q)):
        raise StoreError("The query vector contains a value that is not a finite number.")
    unit, length = unit_rows(q)
    if length == 0:
        raise StoreError("The query is the zero vector: it has no direction to compare.")
    return unit


def _check_batch(ids: Sequence[str], n: int, payloads) -> tuple[list[str], list[dict]]:
    ids = [str(i) for i in ids]
    if len(ids) != n:
        raise StoreError(f"{len(ids)} ids for {n} vectors: give one id per vector.")
    if len(set(ids)) != len(ids):
        raise StoreError("The same id appears twice in one batch.")
    if payloads is None:
        pl = [{} for _ in ids]
    else:
        pl = [dict(p) for p in payloads]
        if len(pl) != n:
            raise StoreError(f"{len(pl)} payloads for {n} vectors: give one payload per vector.")
    return ids, pl


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Row numbers of the ``k`` largest ``scores``, best first (ties: lower row first).

    Usage: ``top_k(np.array([0.1, 0.9, 0.5]), 2)`` → ``array([1, 2])``
    """
    n = scores.shape[0]
    k = max(0, min(int(k), n))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    if k < n:
        part = np.argpartition(-scores, k - 1)[:k]
    else:
        part = np.arange(n)
    # Sort the candidates by score (descending), then by row number for a stable order.
    order = np.lexsort((part, -scores[part]))
    return part[order]


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    Usage: ``atomic_write_bytes(Path("var/x.json"), b"{}")``

    The bytes go to a temporary file in the same folder, are flushed to disk, and the file is
    moved over ``path`` with ``os.replace`` (atomic on POSIX and Windows).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(dir_fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dir_fd)
