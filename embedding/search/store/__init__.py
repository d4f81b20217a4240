"""A vector store: vectors with ids and payloads, and "which stored vectors are most similar?".

Every vector is scaled to length 1 when it is added, so cosine is a dot product. Three parts:
:mod:`.numpy_store` (exact scan, the default and the reference), :mod:`.pg_store` (PostgreSQL
with pgvector, for replicas: the class database) and :mod:`.registry` (named indexes on the
backend picked once from ``DATABASE_URL``); :mod:`.hnsw_store` adds an optional approximate
(HNSW) graph to the numpy store for large indexes; :mod:`.base` holds what they share.

    >>> store = NumpyStore(dim=2)
    >>> store.add(["up", "right"], [[0, 2], [3, 0]])
    >>> [hit.id for hit in store.search([1, 1], k=2)]
    ['up', 'right']
"""

from embedding.search.store.base import (
    Hit,
    StoreError,
    VectorStore,
    atomic_write_bytes,
    top_k,
)
from embedding.search.store.hnsw_store import GRAPH_FILE, HnswStore
from embedding.search.store.numpy_store import INDEX_FILE, NumpyStore
from embedding.search.store.pg_store import PgIndexes, PgVectorStore
from embedding.search.store.registry import (
    backend_name,
    create_index,
    delete_index,
    list_indexes,
    open_index,
    suggest_index_name,
    use_backend,
    validate_index_name,
)

__all__ = [
    "GRAPH_FILE", "INDEX_FILE", "Hit", "HnswStore", "NumpyStore", "PgIndexes", "PgVectorStore",
    "StoreError", "VectorStore",
    "atomic_write_bytes", "backend_name", "create_index", "delete_index", "list_indexes",
    "open_index", "suggest_index_name", "top_k", "use_backend", "validate_index_name",
]
