"""Storage of live class sessions: SQLite by default, PostgreSQL when ``DATABASE_URL`` is set.

One small table per thing a class makes (sessions, students, answers, closed questions, the
instructors' browsers, the class's state on screen) and a ``schema_version`` table so a later
version of the app can migrate the schema on start. SQL is
written once with ``?`` placeholders (psycopg gets ``%s``); upserts use ``ON CONFLICT``, which
both databases speak. SQLite runs in WAL mode with a busy timeout; every connection is used by
one thread at a time (a small pool hands them out). Each write is one transaction: after a
crash an answer is either all there or not at all.

A database that cannot be reached raises :class:`DatabaseUnavailable` (never a driver error),
and for a short, growing back-off (1 s doubling to 15 s) every call fails at once instead of
waiting for a connection again: a class of 300 polling a stopped PostgreSQL costs nothing, and
the log gets one line per cause per minute, not a traceback a second.

    >>> db = ClassDB("sqlite:///:memory:")
    >>> db.dialect
    'sqlite'
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from embedding import config
from embedding.paths import writable_dir

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 3
_POOL_IDLE = 8
#: Back-off after the database could not be reached: first wait, longest wait (seconds).
BACKOFF = (1.0, 15.0)
#: At most one log line per cause within this many seconds.
LOG_EVERY = 60.0
_LOG = logging.getLogger("embedding.classroom.db")

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
    # 2 (live): durable people. ``student`` / ``person`` columns hold a person id: the hash of
    # the browser's identity secret (embedding.classroom.identity), never the secret itself.
    (
        # a nickname the instructor reset (rude): the student cannot rename it again
        "ALTER TABLE class_students ADD COLUMN locked INTEGER NOT NULL DEFAULT 0",
        # instructor sessions: the browsers (people) that may run a class
        """CREATE TABLE class_instructors (
            code TEXT NOT NULL,
            person TEXT NOT NULL,
            created DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (code, person))""",
        # what is on screen: the question (-1 = the lobby), its answer shown, the pace, the
        # join box on the projector; ``version`` grows with every change students must follow
        """CREATE TABLE class_state (
            code TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            question INTEGER NOT NULL DEFAULT -1,
            revealed INTEGER NOT NULL DEFAULT 0,
            pace TEXT NOT NULL DEFAULT 'instructor',
            join_box INTEGER NOT NULL DEFAULT 0,
            updated DOUBLE PRECISION NOT NULL)""",
        # people the instructor removed from a class (they cannot join it again)
        """CREATE TABLE class_removed (
            code TEXT NOT NULL,
            student TEXT NOT NULL,
            removed DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (code, student))""",
        # the exercise builder: who built which set (its fingerprint), so only they reveal its key
        """CREATE TABLE set_owners (
            person TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            created DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (person, fingerprint))""",
        # server-wide secrets shared by every replica (e.g. the key of answer-key links)
        """CREATE TABLE app_secrets (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL)""",
    ),
)


class DatabaseUnavailable(RuntimeError):
    """The class database cannot be reached (down, restarting, wrong address); ``cause`` names
    the driver's error in a few words. Nobody can fix it from the page: it passes by itself."""

    def __init__(self, cause: str) -> None:
        super().__init__(f"The class database cannot be reached ({cause}).")
        self.cause = cause


def _unreachable(exc: BaseException) -> bool:
    """True for errors that mean "cannot reach the database", not "this statement is wrong"."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "unable to open" in text or "disk i/o" in text
    try:
        import psycopg
    except ImportError:  # pragma: no cover - SQLite-only installs
        return False
    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))


class _RateLimitedLog:
    """One log line per cause per :data:`LOG_EVERY` seconds, with how many were left out."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._last: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def warning(self, cause: str, message: str) -> bool:
        now = self.clock()
        with self._lock:
            last, skipped = self._last.get(cause, (None, 0))
            if last is not None and now - last < LOG_EVERY:
                self._last[cause] = (last, skipped + 1)
                return False
            self._last[cause] = (now, 0)
        more = f" ({skipped} more since the last line)" if skipped else ""
        _LOG.warning("%s%s", message, more)
        return True


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
        self.log = _RateLimitedLog()
        self._down_until = 0.0  # monotonic time before which calls fail at once
        self._backoff = 0.0
        self._down_cause = ""
        self._migrated = False
        try:
            self.migrate()
        except DatabaseUnavailable:
            pass  # retried on first use: a replica may start before its database

    # ------------------------------------------------------------ reachability

    def available(self) -> bool:
        """False while the back-off after a failed connection lasts (no connection tried)."""
        return time.monotonic() >= self._down_until

    def _failed(self, exc: BaseException, stale: bool = False) -> DatabaseUnavailable:
        """Note a failure; start (or double) the back-off unless only a pooled connection went
        stale (the database restarted): then the next call simply opens a fresh one."""
        cause = type(exc).__name__ + ": " + (str(exc).strip().splitlines() or [""])[0][:120]
        if not stale or self._backoff:
            self._backoff = min(BACKOFF[1], max(BACKOFF[0], self._backoff * 2))
            self._down_until = time.monotonic() + self._backoff
        self._down_cause = cause
        if self._backoff:
            self.log.warning(type(exc).__name__, f"Class database unreachable, retrying within "
                                                 f"{self._backoff:.0f} s: {cause}")
        else:  # no back-off: the next call opens a fresh connection at once
            self.log.warning("stale " + type(exc).__name__,
                             f"Class database connection lost (did the database restart?), "
                             f"reconnecting at the next call: {cause}")
        if self.dialect == "postgres":
            self.close()  # every pooled connection is as stale as this one
        return DatabaseUnavailable(type(exc).__name__)

    def _ok(self) -> None:
        if self._backoff:
            _LOG.warning("Class database reachable again.")
        self._backoff = 0.0

    def _check(self) -> None:
        if not self.available():
            raise DatabaseUnavailable(self._down_cause.split(":")[0] or "waiting to retry")
        if not self._migrated:
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

        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)

    @contextlib.contextmanager
    def _conn(self) -> Iterator[Any]:
        """A connection for this thread alone while the block runs, back to the pool after.

        Raises :class:`DatabaseUnavailable` when the database cannot be reached."""
        if self.dialect == "sqlite" and self._path == ":memory:":
            with self._lock:
                yield self._open()
            return
        pooled = True
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            pooled = False
            try:
                conn = self._open()
            except Exception as exc:
                if _unreachable(exc):
                    raise self._failed(exc) from None
                raise
        try:
            yield conn
        except Exception as exc:
            with contextlib.suppress(Exception):
                conn.close()
            if _unreachable(exc):
                raise self._failed(exc, stale=pooled) from None
            raise
        self._ok()
        if self._idle.qsize() < _POOL_IDLE:
            self._idle.put(conn)
        else:
            conn.close()

    def connection(self) -> contextlib.AbstractContextManager[Any]:
        """The driver's connection, for this thread alone while the block runs (e.g. to hold a
        PostgreSQL session-level advisory lock). Usage: ``with db.connection() as conn: …``"""
        return self._conn()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor whose statements commit together (or not at all).

        Usage: ``with db.transaction() as cur: cur.execute(...)``
        """
        self._check()
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
        self._check()
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
        self._migrated = True  # set first: transaction() below must not migrate again
        try:
            self._migrate()
        except BaseException:
            self._migrated = False
            raise
        return SCHEMA_VERSION

    def _migrate(self) -> None:
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

    def close(self) -> None:
        """Close every idle connection (the pool refills on next use)."""
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(Exception):
                conn.close()
        if self._memory is not None:
            self._memory.close()
            self._memory = None


class _Cursor:
    """A cursor that takes ``?`` placeholders on both databases."""

    def __init__(self, db: ClassDB, cur: Any) -> None:
        self._db, self._cur = db, cur

    @property
    def raw(self) -> Any:
        """The driver's own cursor (e.g. psycopg's ``copy``), for what ``?`` SQL cannot say."""
        return self._cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._cur.execute(self._db._sql(sql), tuple(params))
        return self._cur.rowcount

    def fetchone(self) -> tuple | None:
        row = self._cur.fetchone()
        return None if row is None else tuple(row)

    def fetchall(self) -> list[tuple]:
        return [tuple(r) for r in self._cur.fetchall()]
