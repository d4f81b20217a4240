"""The scale-out store: the same interface backed by a Qdrant collection (dot product on unit rows).

Used when ``QDRANT_URL`` is set, so every app replica sees the same indexes; tests use
qdrant-client's local mode (``QdrantClient(":memory:")``), which needs no server.

    Usage: ``QdrantStore(QdrantClient(":memory:"), "notes", dim=384).add(ids, vectors)``
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from embedding.search.store.base import (
    Hit,
    StoreError,
    _check_batch,
    _unit_query,
    _unit_rows,
    atomic_write_bytes,
)

_ID_NAMESPACE = uuid.UUID("6f1c1f7e-3a43-4d3e-9a55-3f1f6b9e2a10")


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
