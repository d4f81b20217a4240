"""A vector store: vectors with ids and payloads, and "which stored vectors are most similar?".

Every vector is scaled to length 1 when it is added, so the cosine of two vectors is just their
dot product and a search is one matrix-vector product followed by a top-k. At classroom size
(thousands, even 100,000 chunks) that exact scan takes milliseconds and is always right, so
:class:`NumpyStore` is the default; :class:`QdrantStore` talks to a Qdrant server when the
environment variable ``QDRANT_URL`` is set (or to qdrant-client's local mode in tests).

    >>> store = NumpyStore(dim=3)
    >>> store.add(["a", "b"], [[1, 0, 0], [0, 1, 1]], [{"text": "x"}, {"text": "y"}])
    >>> store.search([0, 1, 0], k=1)[0].id
    'b'

Named indexes live under ``embedding.paths.writable_dir("indexes", name)`` as ONE ``.npz``
file (vectors + ids + JSON metadata, never pickles), written to a temporary file and moved in
place with ``os.replace``: a crash mid-write leaves the previous index intact.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from embedding.paths import writable_dir
from embedding.similarity import unit_rows

QDRANT_ENV = "QDRANT_URL"
INDEX_FILE = "index.npz"
META_FILE = "meta.json"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_QDRANT_PREFIX = "ee_"
_ID_NAMESPACE = uuid.UUID("6f1c1f7e-3a43-4d3e-9a55-3f1f6b9e2a10")


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


# ---------------------------------------------------------------------------------------------
# Embedded default: exact inner product in numpy


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
        store = cls(dim, folder, header.get("meta") or {})
        store._state = (vectors, ids, payloads)
        store._row = {i: n for n, i in enumerate(ids)}
        return store


# ---------------------------------------------------------------------------------------------
# Scale-out backend: Qdrant


def _point_id(item_id: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, item_id))


class QdrantStore:
    """The same interface backed by a Qdrant collection (dot product on unit vectors).

    Usage: ``QdrantStore(QdrantClient(url=os.environ["QDRANT_URL"]), "notes", dim=384)``;
    in tests ``QdrantClient(":memory:")`` or ``QdrantClient(path=folder)`` (local mode).

    Qdrant ids must be integers or UUIDs, so each string id becomes a UUID5 and the original id
    travels in the payload. The server persists every write; :meth:`save` only writes ``meta``.
    """

    def __init__(self, client, collection: str, dim: int, meta: dict | None = None,
                 meta_path: Path | str | None = None):
        from qdrant_client import models

        self._m = models
        self.client = client
        self.collection = collection
        self.meta_path = Path(meta_path) if meta_path is not None else None
        self.meta: dict[str, Any] = dict(meta or {})
        if client.collection_exists(collection):
            info = client.get_collection(collection)
            self.dim = int(info.config.params.vectors.size)
            if dim and int(dim) != self.dim:
                raise StoreError(
                    f"The index stores vectors of dimension {self.dim}, not {dim}."
                )
        else:
            if int(dim) < 1:
                raise StoreError(f"The dimension must be at least 1 (got {dim}).")
            self.dim = int(dim)
            client.create_collection(
                collection,
                vectors_config=models.VectorParams(size=self.dim, distance=models.Distance.DOT),
            )

    def add(self, ids, vectors, payloads=None) -> None:
        """Insert or replace (same id) a batch. Usage: as :meth:`NumpyStore.add`."""
        rows = _unit_rows(vectors, self.dim)
        ids, pl = _check_batch(ids, rows.shape[0], payloads)
        points = [
            self._m.PointStruct(id=_point_id(i), vector=row.tolist(), payload={**p, "_id": i})
            for i, row, p in zip(ids, rows, pl, strict=True)
        ]
        if points:
            self.client.upsert(self.collection, points=points, wait=True)

    def search(self, vector, k: int = 10) -> list[Hit]:
        """The ``k`` most similar stored vectors. Usage: as :meth:`NumpyStore.search`."""
        q = _unit_query(vector, self.dim)
        if k < 1:
            return []
        res = self.client.query_points(
            self.collection, query=q.tolist(), limit=int(k), with_payload=True
        )
        out = []
        for p in res.points:
            payload = dict(p.payload or {})
            item_id = str(payload.pop("_id", p.id))
            out.append(Hit(item_id, float(min(1.0, max(-1.0, p.score))), payload))
        return out

    def delete(self, ids) -> int:
        """Remove ids (unknown ones ignored); returns how many existed."""
        pids = [_point_id(str(i)) for i in ids]
        if not pids:
            return 0
        found = self.client.retrieve(self.collection, ids=pids, with_payload=False)
        if found:
            self.client.delete(
                self.collection,
                points_selector=self._m.PointIdsList(points=[p.id for p in found]),
                wait=True,
            )
        return len(found)

    def count(self) -> int:
        """How many vectors are stored."""
        return int(self.client.count(self.collection, exact=True).count)

    def save(self) -> None:
        """Qdrant persists every write itself; only the metadata sidecar is written here."""
        if self.meta_path is not None:
            self.meta_path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(
                self.meta_path, json.dumps(self.meta, ensure_ascii=False).encode("utf-8")
            )


# ---------------------------------------------------------------------------------------------
# Named indexes (what the search page lists, opens and deletes)


def validate_index_name(name: str) -> str:
    """A safe index name (1-40 of a-z, 0-9, "-" and "_"; starts with a letter or digit).

    Usage: ``validate_index_name("lecture-notes")`` → ``"lecture-notes"``; ``"../etc"`` raises
    :class:`StoreError`. The name becomes a folder, so no dots, slashes or spaces.
    """
    clean = (name or "").strip()
    if not _NAME.fullmatch(clean):
        raise StoreError(
            f"'{clean[:50]}' cannot be an index name. Use 1 to 40 lower-case letters, digits, "
            "'-' or '_', starting with a letter or digit (for example: lecture-notes)."
        )
    return clean


def suggest_index_name(text: str) -> str:
    """A valid index name made from any text (e.g. an uploaded file name).

    Usage: ``suggest_index_name("My Notes (v2).pdf")`` → ``"my-notes-v2"``
    """
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", text or "")
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-_")[:40].strip("-_")
    return slug or "my-index"


def backend_name() -> str:
    """``"qdrant"`` when ``QDRANT_URL`` is set, else ``"numpy"``."""
    return "qdrant" if os.environ.get(QDRANT_ENV) else "numpy"


def _qdrant_client():
    from qdrant_client import QdrantClient

    return QdrantClient(url=os.environ[QDRANT_ENV])


def _index_dir(name: str) -> Path:
    return writable_dir("indexes") / validate_index_name(name)


def create_index(name: str, dim: int, meta: dict | None = None) -> VectorStore:
    """A new, empty named index on the configured backend (replacing nothing until saved).

    Usage: ``store = create_index("notes", 384, {"model": "all-MiniLM-L6-v2"})``; add, then
    ``store.save()``. With numpy the old index (if any) stays readable until ``save``.
    """
    folder = _index_dir(name)
    if backend_name() == "qdrant":
        client = _qdrant_client()
        coll = _QDRANT_PREFIX + validate_index_name(name)
        if client.collection_exists(coll):
            client.delete_collection(coll)
        return QdrantStore(client, coll, dim, meta, meta_path=folder / META_FILE)
    return NumpyStore(dim, folder, meta)


def open_index(name: str) -> VectorStore:
    """An existing named index (raises :class:`StoreError` when there is none).

    Usage: ``open_index("notes").search(query_vec, 5)``
    """
    folder = _index_dir(name)
    if backend_name() == "qdrant":
        client = _qdrant_client()
        coll = _QDRANT_PREFIX + validate_index_name(name)
        if not client.collection_exists(coll):
            raise StoreError(f"There is no index called '{name}'.")
        meta_file = folder / META_FILE
        meta = json.loads(meta_file.read_text("utf-8")) if meta_file.is_file() else {}
        return QdrantStore(client, coll, 0, meta, meta_path=meta_file)
    if not (folder / INDEX_FILE).is_file():
        raise StoreError(f"There is no index called '{name}'.")
    return NumpyStore.load(folder)


def list_indexes() -> list[str]:
    """Names of the saved indexes, sorted. Usage: ``list_indexes()`` → ``["notes"]``"""
    if backend_name() == "qdrant":
        cols = _qdrant_client().get_collections().collections
        return sorted(c.name[len(_QDRANT_PREFIX):] for c in cols
                      if c.name.startswith(_QDRANT_PREFIX))
    root = writable_dir("indexes")
    return sorted(
        p.name for p in root.iterdir()
        if p.is_dir() and _NAME.fullmatch(p.name) and (p / INDEX_FILE).is_file()
    )


def delete_index(name: str) -> bool:
    """Delete a named index; returns False when it did not exist.

    Usage: ``delete_index("notes")``
    """
    folder = _index_dir(name)
    existed = False
    if backend_name() == "qdrant":
        client = _qdrant_client()
        coll = _QDRANT_PREFIX + validate_index_name(name)
        if client.collection_exists(coll):
            client.delete_collection(coll)
            existed = True
    if folder.is_dir():
        existed = existed or (folder / INDEX_FILE).is_file()
        # Move aside first (atomic), then remove: a reader never sees a half-deleted index.
        trash = folder.with_name(f".deleted-{folder.name}-{uuid.uuid4().hex[:8]}")
        os.replace(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)
    return existed
