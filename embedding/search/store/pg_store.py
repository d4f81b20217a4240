"""The shared store: named indexes in PostgreSQL with pgvector, seen alike by every replica.

Used when ``DATABASE_URL`` is set: indexes live in the class database (tables
``search_indexes`` and ``search_chunks``, :data:`SCHEMA`, created on first use) beside
classes and students, so one backup holds everything and an index built through one replica
is searchable through any other. A chunk row keeps its unit vector (a pgvector ``vector``),
its text and metadata (``payload``, JSONB) and the order it was added; the index row keeps the
owner and class tags that decide who may delete it and when it is purged.

Search is **exact** (every row of the index compared, in PostgreSQL) until an index has
:data:`HNSW_FROM` chunks: then saving it builds pgvector's HNSW graph (``vector_ip_ops`` on unit
vectors: inner product = cosine), one partial expression index per build, and searches walk it
with ``hnsw.ef_search`` = ``ef``. The switch point is measured by ``bench/bench_pgvector.py``.

A build writes its chunks under a new *generation*; :meth:`PgVectorStore.save` makes that
generation the index and drops the old one in ONE transaction: readers see the old index or
the new one, never half (a build that dies before saving leaves a draft the purge removes).

    Usage: ``store = PgIndexes(ClassDB(url)).create("notes", 384, meta)``; ``store.add(...)``;
    ``store.save()``; ``PgIndexes(db).open("notes").search(query_vec, 5)``.
"""

from __future__ import annotations

import json
import re
import struct
import time
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np

from embedding.search.store.base import Hit, StoreError, _check_batch, _unit_query, _unit_rows

#: An index with at least this many chunks gets an HNSW graph when saved (exact below): at
#: 20,000 chunks of 384 numbers pgvector's exact scan takes about as long as one SBERT query
#: encode, so below it a graph buys nothing a student would notice (bench/bench_pgvector.py).
HNSW_FROM = 20_000
#: pgvector's HNSW knobs for the graphs the app builds (pgvector's own defaults: m = 16,
#: ef_construction = 64; ef_construction must be at least 2·m).
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
DEFAULT_EF_SEARCH = 64
#: pgvector indexes vectors of at most 2,000 numbers; longer ones are always searched exactly.
HNSW_MAX_DIM = 2_000
#: Memory one graph build may use in PostgreSQL (a graph that does not fit builds far slower).
BUILD_MEMORY = "512MB"

#: The store's own tables, created on first use in the class database (``IF NOT EXISTS``:
#: replicas starting together, and databases that have them already, are fine). One row per
#: build of a named index (its "generation"); a build writes its chunks under a new generation
#: and becomes the index when saved (``saved`` set), in one transaction. Chunks keep their
#: vector (pgvector ``vector`` of any dimension: a graph is a partial expression index per
#: generation), text and metadata (``payload``) and the order they were added (``seq``).
SCHEMA = (
    "CREATE EXTENSION IF NOT EXISTS vector",
    """CREATE TABLE IF NOT EXISTS search_indexes (
        generation TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        dim INTEGER NOT NULL,
        meta JSONB NOT NULL,
        owner TEXT NOT NULL DEFAULT '',
        class_code TEXT NOT NULL DEFAULT '',
        created DOUBLE PRECISION NOT NULL,
        saved DOUBLE PRECISION,
        graph TEXT NOT NULL DEFAULT '')""",
    "CREATE UNIQUE INDEX IF NOT EXISTS search_indexes_saved_name ON search_indexes (name) "
    "WHERE saved IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS search_indexes_class ON search_indexes (class_code)",
    """CREATE TABLE IF NOT EXISTS search_chunks (
        generation TEXT NOT NULL REFERENCES search_indexes (generation) ON DELETE CASCADE,
        id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        embedding vector NOT NULL,
        payload JSONB NOT NULL,
        PRIMARY KEY (generation, id))""",
)


def ensure_schema(db) -> None:
    """Create the extension and the store's tables unless they exist (one replica at a time:
    an advisory lock). Raises :class:`StoreError` when the server has no pgvector."""
    with db.transaction() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(4242024)")
        cur.execute("SELECT to_regclass('search_chunks') IS NOT NULL")
        if cur.fetchone()[0]:
            return
        try:
            cur.execute(SCHEMA[0])
        except Exception as exc:
            raise StoreError(
                "This PostgreSQL server has no pgvector extension, which search indexes need: "
                "install pgvector on it (or use the pgvector/pgvector image), or run "
                "CREATE EXTENSION vector as a superuser once.") from exc
        for statement in SCHEMA[1:]:
            cur.execute(statement)


_GEN = re.compile(r"^[0-9a-f]{32}$")
_COPY = ("COPY search_chunks (generation, id, seq, embedding, payload) "
         "FROM STDIN (FORMAT BINARY)")


def _gen(generation: str) -> str:
    """A generation id checked to be 32 hex digits (it is written into SQL and index names)."""
    if not _GEN.fullmatch(generation):
        raise StoreError("Damaged index row: bad generation id.")
    return generation


def _vector_text(q: np.ndarray) -> str:
    """pgvector's text form of one vector: ``[0.1,0.2]`` (exact for float32 values)."""
    return "[" + ",".join(map(repr, q.astype(np.float64).tolist())) + "]"


def _json(obj: Any) -> str:
    # JSONB cannot hold NUL characters; nothing a reader needs is lost by replacing them.
    return json.dumps(obj, ensure_ascii=False).replace("\\u0000", "\\ufffd")


def _copy_rows(generation: str, ids: list[str], start: int, rows: np.ndarray,
               payloads: list[dict]) -> bytes:
    """The rows as PostgreSQL's binary COPY stream (vectors in pgvector's binary form)."""
    n, dim = rows.shape
    g = generation.encode()
    vec_head = struct.pack(">ihh", 4 + 4 * dim, dim, 0)
    big = rows.astype(">f4")
    out = [b"PGCOPY\n\xff\r\n\x00", struct.pack(">ii", 0, 0)]
    for i in range(n):
        id_b = ids[i].encode()
        pl = b"\x01" + _json(payloads[i]).encode()  # JSONB binary: version 1, then the text
        out.append(struct.pack(">hi", 5, len(g)) + g + struct.pack(">i", len(id_b)) + id_b
                   + struct.pack(">iq", 8, start + i) + vec_head + big[i].tobytes()
                   + struct.pack(">i", len(pl)) + pl)
    out.append(struct.pack(">h", -1))
    return b"".join(out)


def _wrap(exc: Exception) -> StoreError:
    return StoreError(f"The index database cannot be used right now ({type(exc).__name__}): "
                      "try again in a minute, or ask whoever runs the server.")


def _database_errors() -> tuple[type[BaseException], ...]:
    """What an unreachable or failing database raises (the driver's errors, sockets, and the
    class database's own "unavailable" error when it has one)."""
    import embedding.classroom.db as class_db

    errors: tuple[type[BaseException], ...] = (OSError,)
    try:
        import psycopg

        errors += (psycopg.Error,)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    unavailable = getattr(class_db, "DatabaseUnavailable", None)
    return errors + ((unavailable,) if isinstance(unavailable, type) else ())


class PgVectorStore:
    """One build of a named index in PostgreSQL (the :class:`VectorStore` interface).

    Usage: ``store.add(ids, vectors, payloads)``; ``store.search(q, 10)`` (exact unless the
    index has a graph; ``exact=True`` forces the scan, ``ef=`` sets the graph's search effort);
    ``store.save()`` makes this build the index everyone sees.
    """

    def __init__(self, db, name: str, generation: str, dim: int, meta: dict | None = None,
                 graph: str = "", want_graph: bool = False, saved: bool = False):
        self.db, self.name, self.generation = db, name, _gen(generation)
        self.dim = int(dim)
        self.meta: dict[str, Any] = dict(meta or {})
        self.graph = graph
        self.want_graph = want_graph
        self.saved = saved
        self.ef_search = DEFAULT_EF_SEARCH  # the graph's search effort when ``ef`` is not given

    # -- writing -------------------------------------------------------------------------------
    def add(self, ids, vectors, payloads=None) -> None:
        """Insert or replace (same id) a batch, in one transaction (binary COPY)."""
        rows = _unit_rows(vectors, self.dim)
        ids, pl = _check_batch(ids, rows.shape[0], payloads)
        if not ids:
            return
        try:
            with self.db.transaction() as cur:
                cur.execute("DELETE FROM search_chunks WHERE generation = ? AND id = ANY(?)",
                            (self.generation, ids))
                cur.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM search_chunks "
                            "WHERE generation = ?", (self.generation,))
                start = int(cur.fetchone()[0])
                with cur.raw.copy(_COPY) as copy:
                    copy.write(_copy_rows(self.generation, ids, start, rows, pl))
        except _database_errors() as exc:
            raise _wrap(exc) from exc

    def delete(self, ids) -> int:
        """Remove ids (unknown ones ignored); returns how many were removed."""
        ids = [str(i) for i in ids]
        if not ids:
            return 0
        try:
            return self.db.execute("DELETE FROM search_chunks WHERE generation = ? "
                                   "AND id = ANY(?)", (self.generation, ids))
        except _database_errors() as exc:
            raise _wrap(exc) from exc

    def save(self) -> None:
        """Make this build the index called ``name`` for everyone (one transaction), after
        building its HNSW graph when it is large (or was asked for one)."""
        if not self.graph and self.dim <= HNSW_MAX_DIM and (
                self.want_graph or self.count() >= HNSW_FROM):
            self.build_graph()
        try:
            with self.db.transaction() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(?))", ("index:" + self.name,))
                cur.execute("SELECT generation, graph FROM search_indexes WHERE name = ? "
                            "AND saved IS NOT NULL AND generation <> ?",
                            (self.name, self.generation))
                _drop(cur, cur.fetchall())
                cur.execute("UPDATE search_indexes SET saved = ?, meta = ?, owner = ?, "
                            "class_code = ? WHERE generation = ?",
                            (time.time(), _json(self.meta), str(self.meta.get("owner") or ""),
                             str(self.meta.get("class") or ""), self.generation))
            self.db.execute("ANALYZE search_chunks")  # the planner learns the new build's size
        except _database_errors() as exc:
            raise _wrap(exc) from exc
        self.saved = True

    def build_graph(self, m: int = HNSW_M, ef_construction: int = HNSW_EF_CONSTRUCTION,
                    progress: Callable[[int, int], None] | None = None) -> float:
        """Build pgvector's HNSW graph over this build's rows (one core); returns seconds.

        Usage: ``store.build_graph(m=16, ef_construction=64)``; searches then walk it.
        """
        if self.dim > HNSW_MAX_DIM:
            raise StoreError(f"pgvector indexes at most {HNSW_MAX_DIM} numbers per vector; "
                             f"this index has {self.dim}: its searches stay exact.")
        m, efc = int(m), max(int(ef_construction), 2 * int(m))
        g, t0 = self.generation, time.perf_counter()
        try:
            with self.db.transaction() as cur:
                cur.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
                cur.execute("SET LOCAL max_parallel_maintenance_workers = 0")  # one core
                cur.execute(f"DROP INDEX IF EXISTS search_chunks_hnsw_{g}")
                cur.execute(f"CREATE INDEX search_chunks_hnsw_{g} ON search_chunks USING hnsw "
                            f"((embedding::vector({self.dim})) vector_ip_ops) "
                            f"WITH (m = {m}, ef_construction = {efc}) "
                            f"WHERE generation = '{g}'")
                graph = f"hnsw m={m} ef_construction={efc}"
                cur.execute("UPDATE search_indexes SET graph = ? WHERE generation = ?",
                            (graph, g))
        except _database_errors() as exc:
            raise _wrap(exc) from exc
        self.graph = graph
        return time.perf_counter() - t0

    # -- reading -------------------------------------------------------------------------------
    @property
    def uses_graph(self) -> bool:
        """True when a search walks pgvector's HNSW graph (approximate)."""
        return bool(self.graph)

    def search(self, vector, k: int = 10, *, exact: bool = False, ef: int | None = None
               ) -> list[Hit]:
        """The ``k`` stored vectors with the highest cosine, best first (exact scan, or the
        HNSW graph with ``hnsw.ef_search = ef`` when the index has one)."""
        q = _unit_query(vector, self.dim)
        if k < 1:
            return []
        k, g, dim = int(k), self.generation, self.dim
        qtext = _vector_text(q)
        try:
            if self.graph and not exact:
                ef = min(max(int(ef or self.ef_search), k), 1000)
                dist = f"(embedding::vector({dim})) <#> %s::vector({dim})"
                with self.db.connection() as conn, conn.pipeline(), conn.transaction():
                    # one round trip: the settings and the query travel together
                    conn.execute(f"SET LOCAL hnsw.ef_search = {ef}")
                    # the graph was asked for: never "fetch this build's rows and sort
                    # them", which the planner may prefer while its statistics lag
                    conn.execute("SET LOCAL enable_sort = off")
                    cur = conn.execute(f"SELECT id, payload, {dist} FROM search_chunks "
                                       f"WHERE generation = '{g}' ORDER BY {dist} LIMIT {k}",
                                       (qtext, qtext))
                    rows = cur.fetchall()
            else:  # no cast: the expression matches no graph, so PostgreSQL scans
                rows = self.db.query("SELECT id, payload, embedding <#> ?::vector AS d "
                                     "FROM search_chunks WHERE generation = ? "
                                     f"ORDER BY d, seq LIMIT {k}", (qtext, g))
        except _database_errors() as exc:
            raise _wrap(exc) from exc
        return [Hit(str(i), float(min(1.0, max(-1.0, -d))), dict(p or {})) for i, p, d in rows]

    def count(self) -> int:
        """How many chunks this build holds."""
        try:
            return int(self.db.query("SELECT COUNT(*) FROM search_chunks WHERE generation = ?",
                                     (self.generation,))[0][0])
        except _database_errors() as exc:
            raise _wrap(exc) from exc

    def ids(self) -> list[str]:
        """Every id, in the order they were added."""
        return [r[0] for r in self.db.query("SELECT id FROM search_chunks WHERE generation = ? "
                                            "ORDER BY seq", (self.generation,))]

    def payloads(self) -> list[dict[str, Any]]:
        """Every payload, in the order the ids were added."""
        return [dict(r[0]) for r in self.db.query(
            "SELECT payload FROM search_chunks WHERE generation = ? ORDER BY seq",
            (self.generation,))]

    def vectors(self) -> np.ndarray:
        """Every stored unit vector, in the order added (float32, ``(n, dim)``)."""
        rows = self.db.query("SELECT embedding::text FROM search_chunks WHERE generation = ? "
                             "ORDER BY seq", (self.generation,))
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.array([json.loads(r[0]) for r in rows], dtype=np.float32)

    def size_bytes(self) -> int:
        """Bytes on disk: the chunk rows' vectors and payloads, plus the graph if any."""
        row = self.db.query("SELECT COALESCE(SUM(pg_column_size(embedding) "
                            "+ pg_column_size(payload)), 0) FROM search_chunks "
                            "WHERE generation = ?", (self.generation,))
        size = int(row[0][0])
        if self.graph:
            rel = self.db.query(f"SELECT pg_relation_size(to_regclass("
                                f"'search_chunks_hnsw_{self.generation}'))")
            size += int(rel[0][0] or 0)
        return size


def _drop(cur, generations: list[tuple]) -> int:
    """Delete builds (``(generation, graph)`` rows) with their chunks and graphs."""
    for generation, graph in generations:
        g = _gen(generation)
        if graph:
            cur.execute(f"DROP INDEX IF EXISTS search_chunks_hnsw_{g}")
        cur.execute("DELETE FROM search_indexes WHERE generation = ?", (g,))
    return len(generations)


class PgIndexes:
    """Named indexes in the class database (the registry's backend when ``DATABASE_URL`` is
    set). Usage: ``PgIndexes(ClassDB(url)).names()``"""

    name = "pgvector"

    def __init__(self, db_factory: Callable[[], Any]):
        self._factory = db_factory
        self._db = None

    @property
    def db(self):
        """The class database, opened (and given the store's tables) on first use."""
        if self._db is None:
            try:
                db = self._factory()
                ensure_schema(db)
            except _database_errors() as exc:
                raise _wrap(exc) from exc
            self._db = db
        return self._db

    def create(self, name: str, dim: int, meta: dict | None, ann: bool = False
               ) -> PgVectorStore:
        """A new build of ``name`` (a draft: the old index stays until :meth:`save`)."""
        if int(dim) < 1:
            raise StoreError(f"The dimension must be at least 1 (got {dim}).")
        meta = dict(meta or {})
        generation = uuid.uuid4().hex
        try:
            self.db.execute("INSERT INTO search_indexes (generation, name, dim, meta, owner, "
                            "class_code, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (generation, name, int(dim), _json(meta),
                             str(meta.get("owner") or ""), str(meta.get("class") or ""),
                             time.time()))
        except _database_errors() as exc:
            raise _wrap(exc) from exc
        return PgVectorStore(self.db, name, generation, dim, meta, want_graph=ann)

    def open(self, name: str) -> PgVectorStore:
        try:
            rows = self.db.query("SELECT generation, dim, meta, graph FROM search_indexes "
                                 "WHERE name = ? AND saved IS NOT NULL", (name,))
        except _database_errors() as exc:
            raise _wrap(exc) from exc
        if not rows:
            raise StoreError(f"There is no index called '{name}'.")
        generation, dim, meta, graph = rows[0]
        return PgVectorStore(self.db, name, generation, dim, dict(meta or {}), graph,
                             saved=True)

    def names(self) -> list[str]:
        try:
            return [r[0] for r in self.db.query(
                "SELECT name FROM search_indexes WHERE saved IS NOT NULL "
                "AND left(name, 1) <> '_' ORDER BY name")]  # "_…": the app's own (ann_pg)
        except _database_errors() as exc:
            raise _wrap(exc) from exc

    def delete(self, name: str) -> bool:
        try:
            with self.db.transaction() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(?))", ("index:" + name,))
                cur.execute("SELECT generation, graph, saved FROM search_indexes "
                            "WHERE name = ?", (name,))
                rows = cur.fetchall()
                _drop(cur, [(g, graph) for g, graph, _ in rows])
        except _database_errors() as exc:
            raise _wrap(exc) from exc
        return any(saved is not None for _, _, saved in rows)
