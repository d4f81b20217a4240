"""Named indexes (what the search page lists, opens and deletes) on ONE backend picked once.

The first call looks at ``QDRANT_URL``: set → every named index is a Qdrant collection (shared by
all replicas), unset → each index is a folder under ``writable_dir("indexes")`` holding one
``index.npz``. The choice is made once per process; :func:`use_backend` swaps it (tests, tools).

    Usage: ``store = create_index("notes", 384, {"model": "all-MiniLM-L6-v2"})``; add, then
    ``store.save()``; later ``open_index("notes").search(query_vec, 5)``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from embedding import config
from embedding.paths import writable_dir
from embedding.search.store.base import StoreError, VectorStore
from embedding.search.store.hnsw_store import GRAPH_FILE, HnswStore
from embedding.search.store.numpy_store import INDEX_FILE, NumpyStore
from embedding.search.store.qdrant_store import QdrantStore

META_FILE = "meta.json"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_QDRANT_PREFIX = "ee_"


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


def _index_dir(name: str) -> Path:
    return writable_dir("indexes") / validate_index_name(name)


def _remove_folder(folder: Path) -> bool:
    """Delete an index folder; True when it held an index file."""
    if not folder.is_dir():
        return False
    existed = (folder / INDEX_FILE).is_file()
    # Move aside first (atomic), then remove: a reader never sees a half-deleted index.
    trash = folder.with_name(f".deleted-{folder.name}-{uuid.uuid4().hex[:8]}")
    os.replace(folder, trash)
    shutil.rmtree(trash, ignore_errors=True)
    return existed


class IndexBackend(Protocol):
    """Where named indexes live: create, open, list and delete them by name."""

    name: str

    def create(self, name: str, dim: int, meta: dict | None, ann: bool = False
               ) -> VectorStore: ...

    def open(self, name: str) -> VectorStore: ...

    def names(self) -> list[str]: ...

    def delete(self, name: str) -> bool: ...


class NumpyIndexes:
    """Each index is a folder ``<data>/indexes/<name>/index.npz`` (the data folder is read at
    each call, so ``EMBEDDING_EXPLORER_DATA`` may point elsewhere in tests)."""

    name = "numpy"

    def create(self, name: str, dim: int, meta: dict | None, ann: bool = False
               ) -> VectorStore:
        return (HnswStore if ann else NumpyStore)(dim, _index_dir(name), meta)

    def open(self, name: str) -> VectorStore:
        folder = _index_dir(name)
        if not (folder / INDEX_FILE).is_file():
            raise StoreError(f"There is no index called '{name}'.")
        return (HnswStore if (folder / GRAPH_FILE).is_file() else NumpyStore).load(folder)

    def names(self) -> list[str]:
        root = writable_dir("indexes")
        return sorted(
            p.name for p in root.iterdir()
            if p.is_dir() and _NAME.fullmatch(p.name) and (p / INDEX_FILE).is_file()
        )

    def delete(self, name: str) -> bool:
        return _remove_folder(_index_dir(name))


class QdrantIndexes:
    """Each index is a collection ``ee_<name>``; its metadata sits in ``<name>/meta.json``."""

    name = "qdrant"

    def __init__(self, client_factory: Callable[[], Any]):
        self._factory = client_factory
        self._client: Any = None
        self._lock = threading.Lock()

    def client(self) -> Any:
        """One client per process, made on first use (a bad URL fails here, not at import)."""
        with self._lock:
            if self._client is None:
                self._client = self._factory()
            return self._client

    def create(self, name: str, dim: int, meta: dict | None, ann: bool = False
               ) -> VectorStore:
        # Qdrant always indexes with HNSW (m=16, ef_construct=100) once a collection passes
        # its indexing threshold (10,000 vectors by default); below that it scans exactly.
        coll = _QDRANT_PREFIX + validate_index_name(name)
        client = self.client()
        if client.collection_exists(coll):
            client.delete_collection(coll)
        return QdrantStore(client, coll, dim, meta, meta_path=_index_dir(name) / META_FILE)

    def open(self, name: str) -> VectorStore:
        coll = _QDRANT_PREFIX + validate_index_name(name)
        client = self.client()
        if not client.collection_exists(coll):
            raise StoreError(f"There is no index called '{name}'.")
        meta_file = _index_dir(name) / META_FILE
        meta = json.loads(meta_file.read_text("utf-8")) if meta_file.is_file() else {}
        return QdrantStore(client, coll, 0, meta, meta_path=meta_file)

    def names(self) -> list[str]:
        cols = self.client().get_collections().collections
        return sorted(c.name[len(_QDRANT_PREFIX):] for c in cols
                      if c.name.startswith(_QDRANT_PREFIX))

    def delete(self, name: str) -> bool:
        coll = _QDRANT_PREFIX + validate_index_name(name)
        client = self.client()
        existed = False
        if client.collection_exists(coll):
            client.delete_collection(coll)
            existed = True
        folder = _index_dir(name)
        _remove_folder(folder)  # the metadata sidecar
        return existed


def _qdrant_client_from_env() -> Any:
    from qdrant_client import QdrantClient

    return QdrantClient(url=config.qdrant_url())


def pick_backend() -> IndexBackend:
    """The backend the environment asks for: Qdrant when ``QDRANT_URL`` is set, else numpy."""
    if config.qdrant_url():
        return QdrantIndexes(_qdrant_client_from_env)
    return NumpyIndexes()


_backend: IndexBackend | None = None
_backend_lock = threading.Lock()


def backend() -> IndexBackend:
    """The process's index backend, picked on first use and kept."""
    global _backend
    with _backend_lock:
        if _backend is None:
            _backend = pick_backend()
        return _backend


def use_backend(chosen: IndexBackend | None) -> None:
    """Replace the process's backend (``None``: pick again from the environment on next use).

    Usage (tests): ``use_backend(QdrantIndexes(lambda: QdrantClient(":memory:")))``
    """
    global _backend
    with _backend_lock:
        _backend = chosen


def backend_name() -> str:
    """``"qdrant"`` or ``"numpy"``: the backend named indexes live on."""
    return backend().name


def create_index(name: str, dim: int, meta: dict | None = None, *, ann: bool = False
                 ) -> VectorStore:
    """A new, empty named index on the configured backend (replacing nothing until saved).

    Usage: ``store = create_index("notes", 384, {"model": "all-MiniLM-L6-v2"})``; add, then
    ``store.save()``. With numpy the old index (if any) stays readable until ``save``.
    ``ann=True`` (numpy backend): an :class:`HnswStore`; call ``build_graph()`` before saving
    to search approximately (exact stays the default until a graph exists).
    """
    return backend().create(name, dim, meta, ann)


def open_index(name: str) -> VectorStore:
    """An existing named index (raises :class:`StoreError` when there is none).

    Usage: ``open_index("notes").search(query_vec, 5)``
    """
    return backend().open(name)


def list_indexes() -> list[str]:
    """Names of the saved indexes, sorted. Usage: ``list_indexes()`` → ``["notes"]``"""
    return backend().names()


def delete_index(name: str) -> bool:
    """Delete a named index; returns False when it did not exist.

    Usage: ``delete_index("notes")``
    """
    return backend().delete(name)
