"""Data that does not pile up: the purge of expired classes (and the indexes built in them),
and the command that copies an SQLite deployment into PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from embedding.classroom import exercises as exs
from embedding.classroom.db import ClassDB
from embedding.classroom.live import STUDENT_PACED, Classroom
from embedding.classroom.retention import DAY, class_tables, purge
from embedding.search.store import NumpyStore, PgIndexes
from tests.conftest import ROOT
from tests.pg import fresh_database

SET = exs.EXAMPLE_SET


class Clock:
    def __init__(self, t: float):
        self.t = t

    def __call__(self) -> float:
        return self.t


def _count(db: ClassDB, code: str) -> int:
    return sum(db.query(f'SELECT COUNT(*) FROM "{t}" WHERE code = ?', (code,))[0][0]
               for t in class_tables(db))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.server)])
def db(request, tmp_path):
    if request.param == "sqlite":
        handle = ClassDB(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    else:
        handle = ClassDB(fresh_database(request.getfixturevalue("postgres_server")))
    yield handle
    handle.close()


def test_purge_removes_expired_classes_and_their_indexes_only(db, tmp_path):
    t0 = 1_000_000_000.0
    clock = Clock(t0)
    live = Classroom(db, clock=clock)
    old, _ = live.start(SET, "teacher", hours=1, pace=STUDENT_PACED)
    live.join(old, "s1", "Ada")
    live.submit(old, "s1", 0, "Ironman")
    live.close_question(old, "teacher", 1)
    clock.t = t0 + 5 * DAY
    recent, _ = live.start(SET, "teacher", hours=1, pace=STUDENT_PACED)
    live.join(recent, "s1", "Ada")
    live.submit(recent, "s1", 0, "Ironman")
    # an index built in each class, and one outside any class
    folder = tmp_path / "indexes"
    pg = PgIndexes(lambda: db) if db.dialect == "postgres" else None
    for name, code in (("old-notes", old), ("recent-notes", recent), ("mine", "")):
        meta = {"owner": "o1", "class": code}
        if pg is not None:
            store = pg.create(name, 2, meta)
        else:
            store = NumpyStore(2, folder / name, meta)
        store.add(["a"], [[1, 0]], [{"text": "t"}])
        store.save()
    before, recent_rows = _count(db, old), _count(db, recent)
    assert before >= 4 and recent_rows >= 3  # session, student, answer (, closed question)

    now = t0 + 1 * 3600 + 7 * DAY + 60  # the old class expired 7 days and a minute ago
    report = purge(db, now=now, keep_days=7, index_root=None if pg else folder)
    assert (report.classes, report.indexes) == (1, 1)
    assert _count(db, old) == 0 and _count(db, recent) == recent_rows
    left = pg.names() if pg else sorted(p.name for p in folder.iterdir())
    assert left == ["mine", "recent-notes"]
    assert "1 expired class and 1 index" in report.sentence()
    assert purge(db, now=now, keep_days=7, index_root=None if pg else folder).classes == 0
    assert purge(db, now=now + 100 * DAY, keep_days=0).classes == 0  # 0 keeps everything


@pytest.mark.server
def test_purge_drops_unfinished_pgvector_builds_after_a_day(postgres_server):
    db = ClassDB(fresh_database(postgres_server))
    indexes = PgIndexes(lambda: db)
    draft = indexes.create("crashed", 2, {})
    draft.add(["a"], [[1, 0]])
    done = indexes.create("done", 2, {})
    done.save()
    assert purge(db, keep_days=7).drafts == 0  # a build in progress is left alone
    db.execute("UPDATE search_indexes SET created = created - 2 * 86400")
    report = purge(db, keep_days=7)
    assert report.drafts == 1 and indexes.names() == ["done"]
    assert db.query("SELECT COUNT(*) FROM search_chunks") == [(0,)]
    db.close()


@pytest.mark.server
@pytest.mark.slow
def test_copy_an_sqlite_deployment_into_postgresql(tmp_path, postgres_server):
    """The command a deployer runs: classes, answers and indexes arrive; running it twice
    copies nothing twice."""
    sqlite = tmp_path / "classroom" / "classroom.sqlite3"
    source = ClassDB(f"sqlite:///{sqlite}")
    live = Classroom(source)
    code, _ = live.start(SET, "teacher", pace=STUDENT_PACED)
    live.join(code, "s1", "Ada")
    live.submit(code, "s1", 3, "queen")
    source.close()
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(50, 8)).astype(np.float32)
    store = NumpyStore(8, tmp_path / "indexes" / "notes",
                       {"owner": "o1", "class": code, "model": "m"})
    store.add([f"c{i}" for i in range(50)], vectors, [{"text": f"chunk {i}"} for i in range(50)])
    store.save()
    url = fresh_database(postgres_server)
    cmd = [sys.executable, "-m", "embedding.classroom.copy", "--from", str(sqlite),
           "--indexes", str(tmp_path / "indexes"), "--to", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "class_answers: 1 rows copied" in out.stdout and "indexes copied: notes" in out.stdout

    target = ClassDB(url)
    copied = Classroom(target)
    assert copied.info(code).exercise == SET
    assert [(a.nickname, a.answer) for a in copied.answers(code, "teacher")] == [("Ada", "queen")]
    again = PgIndexes(lambda: target).open("notes")
    assert again.count() == 50 and again.meta["class"] == code
    hits = again.search(vectors[7], 3)
    assert hits[0].id == "c7" and hits[0].payload == {"text": "chunk 7"}
    assert target.query("SELECT owner, class_code FROM search_indexes") == [("o1", code)]

    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0 and "class_answers: 0 rows copied" in out.stdout
    assert "left alone: notes" in out.stdout
    assert target.query("SELECT COUNT(*) FROM search_chunks") == [(50,)]
    target.close()
