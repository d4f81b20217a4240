"""Storage of live class sessions: SQLite by default, PostgreSQL when ``DATABASE_URL`` is set.

One small table per thing a class makes (sessions, students, answers, closed questions) and a
``schema_version`` table so a later version of the app can migrate the schema on start. SQL is
written once with ``?`` placeholders (psycopg gets ``%s``); upserts use ``ON CONFLICT``, which
both databases speak. SQLite runs in WAL mode with a busy timeout; every connection is used by
one thread at a time (a small pool hands them out). Each write is one transaction: after a
crash an answer is either all there or not at all.

    >>> db = ClassDB("sqlite:///:memory:")
    >>> db.dialect
    'sqlite'
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from embedding import config
from embedding.paths import writable_dir

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000
_POOL_IDLE = 8

#: Each migration brings the schema from version i to i + 1 (index 0: the first schema).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE class_sessions (
            code TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL,
            title TEXT NOT NULL,
            set_json TEXT NOT NULL,
            created DOUBLE PRECISION NOT NULL,
            expires DOUBLE PRECISION NOT NULL,
            ended INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE class_students (
            code TEXT NOT NULL,
            student TEXT NOT NULL,
            nickname TEXT NOT NULL,
            joined DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (code, student))""",
        """CREATE TABLE class_answers (
            code TEXT NOT NULL,
            student TEXT NOT NULL,
            question INTEGER NOT NULL,
            answer TEXT NOT NULL,
            updated DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (code, student, question))""",
        """CREATE TABLE class_closed (
            code TEXT NOT NULL,
            question INTEGER NOT NULL,
            PRIMARY KEY (code, question))""",
        """CREATE TABLE class_indexes (
            name TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            code TEXT)""",
    ),
)


def default_url() -> str:
    """``DATABASE_URL`` if set, else an SQLite file in the app's writable data folder.

    Usage: ``ClassDB(default_url())``
    """
    url = config.database_url()
    if url:
        return url
    return "sqlite:///" + str(writable_dir("classroom") / "classroom.sqlite3")


class ClassDB:
    """A handle on the class database; thread-safe (share one per process).

    Usage: ``db = ClassDB(default_url()); db.execute("SELECT 1")``
    """

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            self.dialect = "sqlite"
            self._path = url[len("sqlite:///"):]
            if self._path != ":memory:":
                Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        elif url.startswith(("postgresql://", "postgres://")):
            self.dialect = "postgres"
        else:
            raise ValueError("DATABASE_URL must start with postgresql:// (or sqlite:///path).")
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._lock = threading.RLock()
        self._memory = None  # ":memory:" has one shared connection (tests, doctests)
        self.migrate()

    # ------------------------------------------------------------ connections

    def _open(self) -> Any:
        if self.dialect == "sqlite":
            if self._path == ":memory:":
                if self._memory is None:
                    self._memory = sqlite3.connect(":memory:", isolation_level=None,
                                                   check_same_thread=False)
                return self._memory
            conn = sqlite3.connect(self._path, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            return conn
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    @contextlib.contextmanager
    def _conn(self) -> Iterator[Any]:
        """A connection for this thread alone while the block runs, back to the pool after."""
        if self.dialect == "sqlite" and self._path == ":memory:":
            with self._lock:
                yield self._open()
            return
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._open()
        try:
            yield conn
        except Exception:
            with contextlib.suppress(Exception):
                conn.close()
            raise
        if self._idle.qsize() < _POOL_IDLE:
            self._idle.put(conn)
        else:
            conn.close()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor whose statements commit together (or not at all).

        Usage: ``with db.transaction() as cur: cur.execute(...)``
        """
        with self._conn() as conn:
            if self.dialect == "sqlite":
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield _Cursor(self, conn.cursor())
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            else:
                with conn.transaction(), conn.cursor() as cur:
                    yield _Cursor(self, cur)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one writing statement in its own transaction; the number of rows it touched."""
        with self.transaction() as cur:
            return cur.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """All rows of one reading statement."""
        with self._conn() as conn:
            if self.dialect == "sqlite":
                return [tuple(r) for r in conn.execute(sql, tuple(params)).fetchall()]
            with conn.cursor() as cur:
                cur.execute(self._sql(sql), tuple(params))
                return [tuple(r) for r in cur.fetchall()]

    # ------------------------------------------------------------ schema

    def schema_version(self) -> int:
        """The version of the schema in the database (0 before the first start)."""
        rows = self.query("SELECT MAX(version) FROM schema_version")
        return int(rows[0][0] or 0)

    def migrate(self) -> int:
        """Create or upgrade the schema to :data:`SCHEMA_VERSION` (safe with replicas starting
        together: PostgreSQL takes an advisory lock, SQLite an immediate transaction).
        Returns the version now in force."""
        with self.transaction() as cur:
            if self.dialect == "postgres":
                cur.execute("SELECT pg_advisory_xact_lock(4242013)")
            cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            cur.execute("SELECT MAX(version) FROM schema_version")
            current = int(cur.fetchone()[0] or 0)
            for version in range(current, SCHEMA_VERSION):
                for statement in MIGRATIONS[version]:
                    cur.execute(statement)
                cur.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))
        return SCHEMA_VERSION

    def close(self) -> None:
        """Close every idle connection (the pool refills on next use)."""
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break
        if self._memory is not None:
            self._memory.close()
            self._memory = None


class _Cursor:
    """A cursor that takes ``?`` placeholders on both databases."""

    def __init__(self, db: ClassDB, cur: Any) -> None:
        self._db, self._cur = db, cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._cur.execute(self._db._sql(sql), tuple(params))
        return self._cur.rowcount

    def fetchone(self) -> tuple | None:
        row = self._cur.fetchone()
        return None if row is None else tuple(row)

    def fetchall(self) -> list[tuple]:
        return [tuple(r) for r in self._cur.fetchall()]
