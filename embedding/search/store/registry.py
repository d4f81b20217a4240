"""Named indexes (what the search page lists, opens and deletes) on ONE backend picked once.

The first call looks at ``DATABASE_URL``: set → every named index lives in that PostgreSQL
database with pgvector (:mod:`.pg_store`, shared by all replicas, beside the classes), unset →
each index is a folder under ``writable_dir("indexes")`` holding one ``index.npz`` (the
zero-set-up default). The choice is made once per process; :func:`use_backend` swaps it.

    Usage: ``store = create_index("notes", 384, {"model": "all-MiniLM-L6-v2"})``; add, then
    ``store.save()``; later ``open_index("notes").search(query_vec, 5)``.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import uuid
from pathlib import Path
from typing import Any, Protocol

from embedding import config
from embedding.paths import writable_dir
from embedding.search.store.base import StoreError, VectorStore
from embedding.search.store.hnsw_store import GRAPH_FILE, HnswStore
from embedding.search.store.numpy_store import INDEX_FILE, NumpyStore
from embedding.search.store.pg_store import PgIndexes

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


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


def _class_db_from_env() -> Any:
    from embedding.classroom.db import ClassDB

    return ClassDB(config.database_url())


def pick_backend() -> IndexBackend:
    """The backend the environment asks for: PostgreSQL + pgvector when ``DATABASE_URL`` is
    set (the class database: every replica sees the same indexes), else numpy files."""
    if config.database_url():
        return PgIndexes(_class_db_from_env)
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

    Usage (tests): ``use_backend(PgIndexes(lambda: ClassDB(url)))``
    """
    global _backend
    with _backend_lock:
        _backend = chosen


def backend_name() -> str:
    """``"pgvector"`` or ``"numpy"``: the backend named indexes live on."""
    return backend().name


def create_index(name: str, dim: int, meta: dict | None = None, *, ann: bool = False
                 ) -> VectorStore:
    """A new, empty named index on the configured backend (replacing nothing until saved).

    Usage: ``store = create_index("notes", 384, {"model": "all-MiniLM-L6-v2"})``; add, then
    ``store.save()``. The old index (if any) stays readable until ``save``.
    ``ann=True``: numpy gives an :class:`HnswStore` (call ``build_graph()`` before saving to
    search approximately); pgvector builds its HNSW graph when saving. pgvector also builds
    one for any index of :data:`~.pg_store.HNSW_FROM` chunks or more.
    """
    return backend().create(validate_index_name(name), dim, meta, ann)


def open_index(name: str) -> VectorStore:
    """An existing named index (raises :class:`StoreError` when there is none).

    Usage: ``open_index("notes").search(query_vec, 5)``
    """
    return backend().open(validate_index_name(name))


def list_indexes() -> list[str]:
    """Names of the saved indexes, sorted. Usage: ``list_indexes()`` → ``["notes"]``"""
    return backend().names()


def delete_index(name: str) -> bool:
    """Delete a named index; returns False when it did not exist.

    Usage: ``delete_index("notes")``
    """
    return backend().delete(validate_index_name(name))
