"""The embedded default store: exact cosine search in numpy (one matrix-vector product + top-k).

At classroom size (thousands, even 100,000 chunks) the exact scan takes milliseconds and is
always right, so it is the default and the reference every other backend is checked against.
A saved store is ONE ``index.npz`` (vectors + ids + JSON metadata, never pickles), written to a
temporary file and moved in place: a crash mid-write leaves the previous index intact.

    >>> store = NumpyStore(dim=3)
    >>> store.add(["a", "b"], [[1, 0, 0], [0, 1, 1]], [{"text": "x"}, {"text": "y"}])
    >>> store.search([0, 1, 0], k=1)[0].id
    'b'
"""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from embedding.search.store.base import (
    Hit,
    StoreError,
    _check_batch,
    _unit_query,
    _unit_rows,
    atomic_write_bytes,
    top_k,
)

INDEX_FILE = "index.npz"


def _json_array(obj: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(obj, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)


def _from_json_array(arr: np.ndarray) -> Any:
    return json.loads(arr.tobytes().decode("utf-8"))


class NumpyStore:
    """Exact cosine search over L2-normalised float32 rows, optionally saved to a folder.

    Usage: ``NumpyStore(dim=384, path=writable_dir("indexes", "notes"))``; ``save()`` writes
    ``index.npz`` atomically and ``NumpyStore.load(folder)`` reads it back.

    Thread-safe: writers take a lock; a search reads a consistent snapshot of the arrays.
    """

    def __init__(self, dim: int, path: Path | str | None = None, meta: dict | None = None):
        if int(dim) < 1:
            raise StoreError(f"The dimension must be at least 1 (got {dim}).")
        self.dim = int(dim)
        self.path = Path(path) if path is not None else None
        self.meta: dict[str, Any] = dict(meta or {})
        self._lock = threading.Lock()
        # (vectors, ids, payloads) replaced as a whole by writers, so a search that grabbed
        # it sees one consistent version while another thread adds or deletes.
        self._state: tuple[np.ndarray, list[str], list[dict[str, Any]]] = (
            np.zeros((0, self.dim), dtype=np.float32), [], [])
        self._row: dict[str, int] = {}

    # -- writing -------------------------------------------------------------------------------
    def add(self, ids, vectors, payloads=None) -> None:
        """Insert or replace (same id) a batch of vectors with their payloads.

        Usage: ``store.add(["d1"], [[0.1, 0.2, 0.3]], [{"text": "hello"}])``
        """
        rows = _unit_rows(vectors, self.dim)
        ids, pl = _check_batch(ids, rows.shape[0], payloads)
        with self._lock:
            if any(i in self._row for i in ids):
                self._delete_locked(ids)
            vectors, old_ids, old_payloads = self._state
            start = len(old_ids)
            vectors = np.concatenate([vectors, rows]) if start else rows
            self._state = (vectors, old_ids + ids, old_payloads + pl)
            self._row = {**self._row, **{i: start + n for n, i in enumerate(ids)}}

    def delete(self, ids) -> int:
        """Remove the given ids (unknown ids are ignored); returns how many were removed.

        Usage: ``store.delete(["d1"])`` → ``1``
        """
        with self._lock:
            return self._delete_locked([str(i) for i in ids])

    def _delete_locked(self, ids: list[str]) -> int:
        drop = {self._row[i] for i in ids if i in self._row}
        if not drop:
            return 0
        vectors, old_ids, old_payloads = self._state
        keep = np.array([r for r in range(len(old_ids)) if r not in drop], dtype=np.int64)
        new_ids = [old_ids[r] for r in keep]
        self._state = (np.ascontiguousarray(vectors[keep]), new_ids,
                       [old_payloads[r] for r in keep])
        self._row = {i: n for n, i in enumerate(new_ids)}
        return len(drop)

    # -- reading -------------------------------------------------------------------------------
    def count(self) -> int:
        """How many vectors are stored. Usage: ``store.count()`` → ``2``"""
        return len(self._state[1])

    def search(self, vector, k: int = 10) -> list[Hit]:
        """The ``k`` stored vectors with the highest cosine to ``vector``, best first.

        Usage: ``store.search(query_vec, k=5)`` → ``[Hit(id, score, payload), …]``
        """
        q = _unit_query(vector, self.dim)
        vectors, ids, payloads = self._state  # one consistent snapshot
        if not ids:
            return []
        scores = vectors @ q
        return [
            Hit(ids[r], float(min(1.0, max(-1.0, scores[r]))), dict(payloads[r]))
            for r in top_k(scores, k)
        ]

    def vectors(self) -> np.ndarray:
        """A read-only view of the stored unit vectors (row order = :meth:`ids`)."""
        v = self._state[0].view()
        v.flags.writeable = False
        return v

    def vectors_of(self, ids) -> np.ndarray:
        """The stored unit vectors of ``ids`` (one row each, in the order given).

        Usage: ``store.vectors_of(["b"]) @ query`` → the cosines of a re-ranking stage.
        Raises :class:`StoreError` for an id that is not stored.
        """
        vectors, _, _ = self._state
        row = self._row
        missing = [i for i in ids if str(i) not in row]
        if missing:
            raise StoreError(f"Not in this index: {', '.join(map(str, missing[:5]))}.")
        return vectors[[row[str(i)] for i in ids]] if len(ids) else vectors[:0]

    def ids(self) -> list[str]:
        """The stored ids in row order."""
        return list(self._state[1])

    def payloads(self) -> list[dict[str, Any]]:
        """Copies of the stored payloads in row order."""
        return [dict(p) for p in self._state[2]]

    # -- persistence ---------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The whole index as ``.npz`` bytes (arrays and UTF-8 JSON only; no pickles)."""
        vectors, ids, payloads = self._state
        header = {"dim": self.dim, "meta": self.meta, "ids": ids, "payloads": payloads,
                  "saved": time.time()}
        buf = io.BytesIO()
        np.savez(buf, vectors=vectors, header=_json_array(header))
        return buf.getvalue()

    def save(self, path: Path | str | None = None) -> Path:
        """Write the index to ``<folder>/index.npz`` atomically; returns the file path.

        Usage: ``store.save()`` (the folder given at construction) or ``store.save(folder)``
        """
        folder = Path(path) if path is not None else self.path
        if folder is None:
            raise StoreError("This store has no folder: pass one to save(folder).")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / INDEX_FILE
        atomic_write_bytes(target, self.to_bytes())
        self.path = folder
        return target

    @classmethod
    def load(cls, path: Path | str) -> NumpyStore:
        """Read an index saved by :meth:`save` (``allow_pickle=False``).

        Usage: ``NumpyStore.load(writable_dir("indexes", "notes"))``
        """
        folder = Path(path)
        target = folder / INDEX_FILE
        if not target.is_file():
            raise StoreError(f"No index found in '{folder.name}'.")
        try:
            with np.load(target, allow_pickle=False) as npz:
                vectors = np.ascontiguousarray(npz["vectors"], dtype=np.float32)
                header = _from_json_array(npz["header"])
            dim = int(header["dim"])
            ids = [str(i) for i in header["ids"]]
            payloads = [dict(p) for p in header["payloads"]]
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
            raise StoreError(f"The index '{folder.name}' is damaged and cannot be read.") from exc
        if vectors.shape != (len(ids), dim) or len(payloads) != len(ids):
            raise StoreError(f"The index '{folder.name}' is inconsistent and cannot be read.")
        store = cls(dim, folder, header.get("meta") or {})  # a subclass loads as itself
        store._state = (vectors, ids, payloads)
        store._row = {i: n for n, i in enumerate(ids)}
        return store
