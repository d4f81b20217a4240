"""The numpy store with an optional HNSW graph: approximate search for large indexes.

Exact search stays the default and the reference. :meth:`HnswStore.build_graph` adds a graph
(:mod:`embedding.search.ann`) over the stored rows; ``search`` then walks it (``ef`` candidates)
unless ``exact=True``. Adding or deleting drops the graph (searches are exact again) until it
is rebuilt, so an answer is never silently computed on a stale graph.

    >>> store = HnswStore(dim=2)
    >>> store.add(["up", "right"], [[0, 1], [1, 0]])
    >>> _ = store.build_graph()
    >>> [hit.id for hit in store.search([0.1, 1], k=1)], store.uses_graph
    (['up'], True)
"""

from __future__ import annotations

from pathlib import Path

from embedding.search.store.base import Hit, StoreError, _unit_query
from embedding.search.store.numpy_store import NumpyStore

GRAPH_FILE = "hnsw.faiss"


class HnswStore(NumpyStore):
    """A :class:`NumpyStore` that can also answer from an HNSW graph.

    Usage: ``store.build_graph(HnswParams(m=16)); store.search(q, 10, ef=64)``;
    ``store.search(q, 10, exact=True)`` is the reference scan.
    """

    def __init__(self, dim: int, path: Path | str | None = None, meta: dict | None = None):
        super().__init__(dim, path, meta)
        self._graph = None  # (HnswIndex, the state tuple it was built from)

    @property
    def uses_graph(self) -> bool:
        """True when a search would walk the graph (built, and nothing changed since)."""
        graph = self._graph
        return graph is not None and graph[1] is self._state

    def build_graph(self, params=None, progress=None):
        """Build the HNSW graph over the current rows; returns the :class:`HnswIndex`."""
        from embedding.search.ann import HnswIndex, HnswParams

        state = self._state
        if not state[1]:
            raise StoreError("The index is empty: add vectors before building a graph.")
        index = HnswIndex.build(state[0], params or HnswParams(), progress)
        self._graph = (index, state)
        return index

    def search(self, vector, k: int = 10, *, exact: bool = False, ef: int | None = None
               ) -> list[Hit]:
        """Approximate top-``k`` from the graph when there is one, else the exact scan."""
        graph = self._graph
        if exact or graph is None or graph[1] is not self._state:
            return super().search(vector, k)
        from embedding.search.ann import DEFAULT_EF

        index, (_, ids, payloads) = graph
        q = _unit_query(vector, self.dim)
        if k < 1:
            return []
        rows, scores = index.search(q, k, ef=ef or DEFAULT_EF)
        return [Hit(ids[r], float(min(1.0, max(-1.0, s))), dict(payloads[r]))
                for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

    def save(self, path: Path | str | None = None) -> Path:
        """Save the rows (``index.npz``) and, when current, the graph beside them."""
        target = super().save(path)
        graph_file = target.parent / GRAPH_FILE
        if self.uses_graph:
            self._graph[0].save(graph_file)
        else:
            graph_file.unlink(missing_ok=True)
        return target

    @classmethod
    def load(cls, path: Path | str) -> HnswStore:
        """Read the rows and, if saved, the graph (rebuilt on demand if it does not match)."""
        from embedding.search.ann import AnnError, HnswIndex, HnswParams

        store = super().load(path)
        graph_file = Path(path) / GRAPH_FILE
        if graph_file.is_file():
            try:
                index = HnswIndex.load(graph_file, HnswParams())
                if index.count == store.count():
                    store._graph = (index, store._state)
            except (AnnError, OSError):
                pass
        return store
