"""Move an SQLite deployment into PostgreSQL: its classes, students, answers and search indexes.

    python -m embedding.classroom.copy --to postgresql://user:pw@host/db
    python -m embedding.classroom.copy --from var/classroom/classroom.sqlite3 \\
        --indexes var/indexes --to postgresql://…

By default it reads the data folder the app itself uses (``EMBEDDING_EXPLORER_DATA``, else
``var/``): ``classroom/classroom.sqlite3`` and the numpy store's ``indexes/`` folders. Both
databases are brought to the app's schema first (the app's own migrations), then every class
table is copied row by row (a row already in PostgreSQL is kept: running it twice copies
nothing twice) and every saved index becomes a pgvector index with the same name, owner, class,
texts and metadata (an index already in PostgreSQL is left alone). Stop the app first, so no
answer arrives in SQLite while it copies; then start it with ``DATABASE_URL`` set.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from embedding import config
from embedding.classroom.db import ClassDB

_SKIP = {"schema_version"}


@dataclass
class CopyReport:
    """How many rows per table and how many indexes were copied (and skipped as present)."""

    rows: dict[str, int]
    indexes: list[str]
    skipped_indexes: list[str]

    def lines(self) -> list[str]:
        out = [f"{table}: {n} rows copied" for table, n in sorted(self.rows.items())]
        out.append(f"indexes copied: {', '.join(self.indexes) or 'none'}")
        if self.skipped_indexes:
            out.append(f"already in PostgreSQL, left alone: {', '.join(self.skipped_indexes)}")
        return out


def _columns(db: ClassDB, table: str) -> list[str]:
    if db.dialect == "sqlite":
        return [r[1] for r in db.query(f'PRAGMA table_info("{table}")')]
    return [r[0] for r in db.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = current_schema() ORDER BY ordinal_position", (table,))]


def copy_tables(source: ClassDB, target: ClassDB) -> dict[str, int]:
    """Copy every table's rows from SQLite (``ON CONFLICT DO NOTHING``: what is there stays);
    rows inserted per table."""
    copied: dict[str, int] = {}
    target_tables = {r[0] for r in target.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
    source_tables = [r[0] for r in source.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    tables = [t for t in source_tables if t not in _SKIP and t in target_tables]
    with target.transaction() as cur:
        for table in tables:
            cols = [c for c in _columns(source, table) if c in set(_columns(target, table))]
            names = ", ".join(f'"{c}"' for c in cols)
            rows = source.query(f'SELECT {names} FROM "{table}"')
            marks = ", ".join("?" for _ in cols)
            n = 0
            for row in rows:
                n += max(0, cur.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks}) '
                                        "ON CONFLICT DO NOTHING", row))
            copied[table] = n
    return copied


def copy_indexes(folder: Path, target: ClassDB) -> tuple[list[str], list[str]]:
    """Every numpy index under ``folder`` into pgvector; ``(copied, already_there)`` names."""
    from embedding.search.store import GRAPH_FILE, INDEX_FILE, NumpyStore, PgIndexes

    indexes = PgIndexes(lambda: target)
    present = set(indexes.names())
    copied, skipped = [], []
    if not folder.is_dir():
        return copied, skipped
    for sub in sorted(p for p in folder.iterdir() if (p / INDEX_FILE).is_file()):
        if sub.name in present:
            skipped.append(sub.name)
            continue
        store = NumpyStore.load(sub)
        new = indexes.create(sub.name, store.dim, store.meta,
                             ann=(sub / GRAPH_FILE).is_file())
        vectors, ids, payloads = store._state
        for start in range(0, len(ids), 5_000):
            new.add(ids[start:start + 5_000], vectors[start:start + 5_000],
                    payloads[start:start + 5_000])
        new.save()
        copied.append(sub.name)
    return copied, skipped


def copy_deployment(sqlite_path: Path, index_folder: Path, target_url: str) -> CopyReport:
    """Copy one SQLite deployment (class file + index folders) into ``target_url``."""
    if not target_url.startswith(("postgresql://", "postgres://")):
        raise ValueError("--to must be a postgresql:// URL")
    target = ClassDB(target_url)
    rows: dict[str, int] = {}
    if sqlite_path.is_file():
        source = ClassDB(f"sqlite:///{sqlite_path}")
        try:
            rows = copy_tables(source, target)
        finally:
            source.close()
    copied, skipped = copy_indexes(index_folder, target)
    target.close()
    return CopyReport(rows, copied, skipped)


def main(argv: list[str] | None = None) -> int:
    data = config.data_dir()
    parser = argparse.ArgumentParser(
        prog="python -m embedding.classroom.copy",
        description="Copy an SQLite deployment's classes and search indexes into PostgreSQL.")
    parser.add_argument("--from", dest="source", type=Path,
                        default=data / "classroom" / "classroom.sqlite3",
                        help="the SQLite class file (default: the data folder's)")
    parser.add_argument("--indexes", type=Path, default=data / "indexes",
                        help="the numpy store's index folders (default: the data folder's)")
    parser.add_argument("--to", required=True, help="postgresql://… (with pgvector)")
    args = parser.parse_args(argv)
    if not args.source.is_file() and not args.indexes.is_dir():
        print(f"Nothing to copy: neither {args.source} nor {args.indexes} exists.",
              file=sys.stderr)
        return 2
    report = copy_deployment(args.source, args.indexes, args.to)
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
