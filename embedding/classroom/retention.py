"""Data that does not pile up: expired classes, and the indexes built in them, are purged.

A class is kept ``EMBEDDING_EXPLORER_KEEP_DAYS`` days (7 by default) after it expires (12 h after
it started, or earlier if ended), so the instructor can still download the answers the next
day; then :func:`purge` deletes it from every class table (every table with a ``code`` column,
so tables added by later migrations are covered too) together with the search indexes built
inside it (pgvector rows and graphs, or the numpy store's folders) and pgvector drafts of
builds that never finished. The server runs it once an hour (``ui.resources``); it is safe to
run on several replicas at once (each delete is idempotent).

    >>> from embedding.classroom.db import ClassDB
    >>> purge(ClassDB("sqlite:///:memory:"), keep_days=7).classes
    0
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from embedding.classroom.db import ClassDB

DAY = 86_400.0
#: A pgvector build that was never saved is dropped after this long (a crashed upload).
DRAFT_HOURS = 24.0
#: How often the server purges (seconds).
EVERY = 3_600.0


@dataclass(frozen=True)
class PurgeReport:
    """What one purge removed, and when it ran (epoch seconds)."""

    at: float
    classes: int
    indexes: int
    drafts: int = 0

    def sentence(self) -> str:
        """For the instructor's page: ``"Purged 2 expired classes and 1 index at 14:02 UTC."``"""
        when = time.strftime("%H:%M UTC", time.gmtime(self.at))
        return (f"Last purge {when}: {self.classes} expired class"
                f"{'es' if self.classes != 1 else ''} and {self.indexes} index"
                f"{'es' if self.indexes != 1 else ''} built in them removed.")


def class_tables(db: ClassDB) -> list[str]:
    """Every table with a ``code`` column (the class tables, whatever migration added them)."""
    if db.dialect == "sqlite":
        names = [r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%'")]
        return sorted(n for n in names
                      if any(c[1] == "code" for c in db.query(f'PRAGMA table_info("{n}")')))
    return sorted(r[0] for r in db.query(
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'code' "
        "AND table_schema = current_schema()"))


def expired_codes(db: ClassDB, now: float | None = None, keep_days: float = 7.0) -> list[str]:
    """Codes of the classes whose keeping time is over (none when ``keep_days`` is 0)."""
    if keep_days <= 0:
        return []
    now = time.time() if now is None else now
    return [r[0] for r in db.query("SELECT code FROM class_sessions WHERE expires < ? "
                                   "ORDER BY code", (now - keep_days * DAY,))]


def _numpy_indexes_of(codes: set[str], root: Path) -> list[Path]:
    """Folders of numpy-store indexes whose metadata names one of ``codes`` as their class."""
    from embedding.search.store import StoreError
    from embedding.search.store.numpy_store import INDEX_FILE, NumpyStore

    found = []
    if not root.is_dir():
        return found
    for folder in sorted(root.iterdir()):
        if not (folder / INDEX_FILE).is_file():
            continue
        try:
            meta = NumpyStore.load(folder).meta
        except StoreError:
            continue
        if meta.get("class") and meta["class"] in codes:
            found.append(folder)
    return found


def purge(db: ClassDB, now: float | None = None, keep_days: float = 7.0,
          index_root: Path | None = None) -> PurgeReport:
    """Delete the classes kept past ``keep_days`` after expiry, their rows in every class
    table and the search indexes built in them; returns what was removed.

    ``index_root``: the numpy store's ``indexes`` folder (SQLite deployments); on PostgreSQL
    the pgvector indexes are found by their ``class_code``.
    """
    now = time.time() if now is None else now
    codes = expired_codes(db, now, keep_days)
    indexes = drafts = 0
    if codes:
        tables = class_tables(db)
        with db.transaction() as cur:
            for table in tables:
                for code in codes:
                    cur.execute(f'DELETE FROM "{table}" WHERE code = ?', (code,))
    if db.dialect == "postgres":
        from embedding.search.store.pg_store import _drop, ensure_schema

        ensure_schema(db)
        with db.transaction() as cur:
            if codes:
                cur.execute("SELECT generation, graph FROM search_indexes "
                            "WHERE class_code = ANY(?) AND saved IS NOT NULL", (codes,))
                indexes = _drop(cur, cur.fetchall())
            cur.execute("SELECT generation, graph FROM search_indexes WHERE saved IS NULL "
                        "AND created < ?", (now - DRAFT_HOURS * 3600,))
            drafts = _drop(cur, cur.fetchall())
    if codes and index_root is not None:
        from embedding.search.store.registry import _remove_folder

        for folder in _numpy_indexes_of(set(codes), Path(index_root)):
            indexes += bool(_remove_folder(folder))
    return PurgeReport(now, len(codes), indexes, drafts)
