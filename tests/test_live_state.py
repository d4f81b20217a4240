"""A live class's state in the database: one seat per person, the question on screen, the pace,
removing people, the cheap version check, migrating a version-1 database, and a database that
goes away (calm errors, back-off, one log line per cause per minute). SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from embedding.classroom import db as dbmod
from embedding.classroom import exercises as exs
from embedding.classroom.db import ClassDB, DatabaseUnavailable
from embedding.classroom.live import STUDENT_PACED, ClassError, Classroom, Pulse
from tests.test_classroom_db import Clock, db, db_url  # noqa: F401  (fixtures)

T = "teacher"
SET = exs.LIVE_EXAMPLE_SET  # toy, closest, explore, order, analogy


def test_a_person_has_one_seat_however_often_they_join(db):  # noqa: F811
    live = Classroom(db)
    code, _ = live.start(SET, T)
    assert live.seat(code, "p1") is None
    for nickname in ("Ada", "Ada", "Ada L."):  # a reload, a restart, a rename
        live.join(code, "p1", nickname)
    live.join(code, "p2", "")
    assert live.student_count(code) == 2
    assert live.seat(code, "p1").nickname == "Ada L."
    assert [s.nickname for s in live.roster(code, T)] == ["Ada L.", "Anonymous"]


def test_instructor_paced_students_answer_the_question_on_screen(db):  # noqa: F811
    live = Classroom(db)
    code, _ = live.start(SET, T)
    live.join(code, "p1", "Ada")
    assert live.info(code).state.question == -1  # the lobby
    with pytest.raises(ClassError, match="has not started yet") as err:
        live.submit(code, "p1", 0, "Frozen")
    assert err.value.reason == "moved"
    v0 = live.pulse(code).version
    live.go_to(code, T, 0)
    assert live.pulse(code) == Pulse("live", v0 + 1)  # students' screens follow
    live.submit(code, "p1", 0, "Dune")
    with pytest.raises(ClassError, match="moved on to question 1"):
        live.submit(code, "p1", 1, "tea")
    live.go_to(code, T, 2)  # the Explore step
    with pytest.raises(ClassError, match="nothing to answer"):
        live.submit(code, "p1", 2, "x")
    live.go_to(code, T, 0)
    live.reveal(code, T)
    state = live.info(code).state
    assert state.revealed and state.question == 0
    with pytest.raises(ClassError, match="on the projector now"):
        live.submit(code, "p1", 0, "Frozen")  # no changing it once the answer shows
    assert live.my_answers(code, "p1") == {0: "Dune"}
    assert live.shown_answers(code, 0) == ["Dune"]
    live.go_to(code, T, 1)
    assert not live.info(code).state.revealed  # a new question starts hidden
    assert live.shown_answers(code, 0) == []
    live.set_pace(code, T, STUDENT_PACED)
    live.submit(code, "p1", 4, "tokyo")  # any open question in student-paced mode
    with pytest.raises(ClassError, match="Only the instructor"):
        live.go_to(code, "p1", 3)
    with pytest.raises(ClassError, match="not part of the class"):
        live.go_to(code, T, 99)


def test_every_change_students_follow_bumps_the_version_once(db):  # noqa: F811
    live = Classroom(db, pulse_ttl=0)
    code, _ = live.start(SET, T)
    live.join(code, "p1", "Ada")
    seen = [live.pulse(code).version]
    for change in (lambda: live.go_to(code, T, 0), lambda: live.close_question(code, T, 0),
                   lambda: live.reveal(code, T), lambda: live.set_pace(code, T, STUDENT_PACED),
                   lambda: live.show_join_box(code, T, True),
                   lambda: live.reset_nickname(code, T, "p1"),
                   lambda: live.end(code, T)):
        change()
        seen.append(live.pulse(code).version)
    assert seen == list(range(seen[0], seen[0] + len(seen)))
    live.join(code, "p2", "Bo")  # joining and answering do not make every screen redraw
    assert live.pulse(code).version == seen[-1]
    assert live.pulse(code).status == "ended"
    live.delete(code, T)
    assert live.pulse(code) == Pulse("missing", -1)


def test_the_pulse_is_shared_for_a_moment_and_forgotten_on_change(db):  # noqa: F811
    live = Classroom(db, pulse_ttl=60)
    code, _ = live.start(SET, T)
    calls = []
    real = db.query
    db.query = lambda *a, **k: calls.append(a[0]) or real(*a, **k)
    try:
        for _ in range(50):  # fifty students polling within the same moment: one query
            live.pulse(code)
        assert len(calls) == 1
        live.go_to(code, T, 0)  # this process changed it: no stale answer here
        assert live.pulse(code).version == 2
    finally:
        db.query = real


def test_removed_people_lose_their_seat_and_cannot_come_back(db):  # noqa: F811
    live = Classroom(db)
    code, _ = live.start(SET, T, pace=STUDENT_PACED)
    live.join(code, "dup", "Ada (laptop)")
    live.join(code, "rude", "something rude")
    live.submit(code, "dup", 0, "Frozen")
    live.submit(code, "rude", 0, "Dune")
    live.remove_student(code, T, "dup")
    assert live.student_count(code) == 1 and [a.student for a in live.answers(code, T)] == [
        "rude"]
    with pytest.raises(ClassError, match="removed you") as err:
        live.seat(code, "dup")
    assert err.value.reason == "removed"
    with pytest.raises(ClassError, match="removed you"):
        live.join(code, "dup", "again")
    live.reset_nickname(code, T, "rude")
    joined = live.join(code, "rude", "still rude")  # cannot rename it back
    assert joined.nickname == "Anonymous" and joined.locked
    assert live.answers(code, T)[0].nickname == "Anonymous"  # the answers stay
    with pytest.raises(ClassError, match="Only the instructor"):
        live.remove_student(code, "rude", "dup")


def test_a_version_1_database_is_migrated_and_keeps_its_classes(tmp_path):
    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path)
    for statement in dbmod.MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version VALUES (1)")
    import json
    import time

    from embedding.classroom.sets import to_dict

    conn.execute("INSERT INTO class_sessions VALUES ('KAXFEP', 'h', 't', ?, ?, ?, 0)",
                 (json.dumps(to_dict(SET)), time.time(), time.time() + 3600))
    conn.execute("INSERT INTO class_students VALUES ('KAXFEP', 'old', 'Ada', 1.0)")
    conn.commit()
    conn.close()
    db = ClassDB(f"sqlite:///{path}")  # noqa: F811
    assert db.schema_version() == 2
    live = Classroom(db)
    info = live.info("KAXFEP")
    assert info.state.question == -1 and info.state.version == 0  # no state row yet
    assert live.seat("KAXFEP", "old").nickname == "Ada"
    assert live.claim("KAXFEP", "wrong", T) is False
    db.close()


# ---------------------------------------------------------------- the database goes away


class Broken(sqlite3.OperationalError):
    pass


def test_a_database_that_goes_away_fails_calmly_backs_off_and_logs_once(tmp_path, caplog,
                                                                        monkeypatch):
    db = ClassDB(f"sqlite:///{tmp_path / 'c.sqlite3'}")  # noqa: F811
    live = Classroom(db, pulse_ttl=0)
    code, _ = live.start(SET, T)
    opened = []

    def down():
        opened.append(1)
        raise sqlite3.OperationalError("unable to open database file")

    db.close()
    monkeypatch.setattr(db, "_open", down)
    monkeypatch.setattr(db, "_idle", type(db._idle)())  # no pooled connection left
    caplog.set_level(logging.WARNING, logger="embedding.classroom.db")
    for _ in range(200):  # a class polling: 200 calls
        with pytest.raises(DatabaseUnavailable):
            live.pulse(code)
    assert len(opened) == 1  # the back-off: one try, then every call fails at once
    lines = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(lines) == 1 and "Traceback" not in caplog.text
    monkeypatch.setattr(db, "_down_until", 0.0)  # the back-off is over: one more try
    with pytest.raises(DatabaseUnavailable):
        live.pulse(code)
    assert len(opened) == 2 and db._backoff == 2 * dbmod.BACKOFF[0]
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1
    monkeypatch.undo()  # the database is back
    db._down_until = 0.0
    assert live.pulse(code).status == "live"  # recovers without a restart
    assert db._backoff == 0.0


def test_a_connection_lost_in_a_restart_is_logged_as_such_and_reopened_at_once(tmp_path,
                                                                                caplog):
    db = ClassDB(f"sqlite:///{tmp_path / 'c.sqlite3'}")  # noqa: F811
    live = Classroom(db, pulse_ttl=0)
    code, _ = live.start(SET, T)

    class Dropped:  # a pooled connection whose database restarted under it
        def execute(self, *args):
            raise sqlite3.OperationalError("disk I/O error")

        def close(self):
            pass

    db._idle.put(Dropped())
    caplog.set_level(logging.WARNING, logger="embedding.classroom.db")
    with pytest.raises(DatabaseUnavailable):
        live.pulse(code)
    [line] = [r.getMessage() for r in caplog.records]
    assert "connection lost" in line and "reconnecting at the next call" in line, line
    assert "within 0 s" not in line and db._backoff == 0.0  # no back-off: nothing to wait for
    assert live.pulse(code).status == "live"  # the next call opens a fresh connection


def test_rate_limited_log_writes_one_line_per_cause_per_minute(caplog):
    clock = Clock(0.0)
    log = dbmod._RateLimitedLog(clock=clock)
    caplog.set_level(logging.WARNING, logger="embedding.classroom.db")
    written = [log.warning("OperationalError", "down") for _ in range(100)]
    written.append(log.warning("InterfaceError", "other cause"))
    clock.t += 59
    written.append(log.warning("OperationalError", "down"))
    clock.t += 1
    written.append(log.warning("OperationalError", "down"))
    assert written.count(True) == 3
    assert "(100 more since the last line)" in caplog.records[-1].getMessage()


def test_a_replica_starts_before_its_database():
    db = ClassDB("postgresql://nobody@127.0.0.1:9/none")  # noqa: F811 - nothing listens on 9
    with pytest.raises(DatabaseUnavailable):
        Classroom(db).info("KAXFEP")


# ---------------------------------------------------------------- explore steps, set owners


def test_an_explore_step_travels_like_a_question_and_is_validated():
    step = exs.question_from_dict({"kind": "explore", "page": "word_order",
                                   "params": {"order_a": "chocolate milk",
                                              "order_b": "milk chocolate"},
                                   "note": "Who tells them apart?"})
    assert step.link_query() == "order_a=chocolate+milk&order_b=milk+chocolate"
    lesson = exs.ExerciseSet("Lesson", (step, exs.AnalogyQuestion("man", "king", "woman")))
    assert exs.decode_set(exs.encode_set(lesson)) == lesson
    assert exs.from_json(exs.to_json(lesson)) == lesson
    assert "Who tells them apart?" in exs.handout_markdown(lesson, "http://x/exercises?ex=1")
    for bad, message in [
        ({"page": "../etc/passwd"}, "page's address"), ({"page": "Word Order"}, "page's address"),
        ({"params": {"Bad Name": "x"}}, "not a setting name"),
        ({"params": {f"p{i}": "x" for i in range(13)}}, "at most 12"),
        ({"params": {"a": "x" * 1001}}, "at most 1000"), ({"params": {"a": 3}}, "must be text"),
        ({"note": "n" * 301}, "at most 300"), ({"extra": 1}, "unknown field")]:
        d = {"kind": "explore", "page": "word_order", "params": {}, "note": "", **bad}
        with pytest.raises(exs.ExerciseFormatError, match=message):
            exs.question_from_dict(d)


def test_set_owners_record_sign_and_purge(tmp_path):
    from embedding.classroom.owners import SetOwners

    clock = Clock(1_000_000.0)
    url = f"sqlite:///{tmp_path / 'o.sqlite3'}"
    owners = SetOwners(ClassDB(url), clock=clock)
    owners.record("ada", "fp1")
    assert owners.owns("ada", "fp1") and not owners.owns("bob", "fp1")
    key = owners.key_for("fp1")
    other_replica = SetOwners(ClassDB(url))  # same database: the same signing secret
    assert other_replica.key_matches("fp1", key) and not other_replica.key_matches("fp2", key)
    assert not owners.key_matches("fp1", key[:-1] + ("0" if key[-1] != "0" else "1"))
    assert not owners.key_matches("fp1", None)
    clock.t += 181 * 86_400
    owners.record("bob", "fp2")
    assert owners.purge() == 1 and owners.owns("bob", "fp2") and not owners.owns("ada", "fp1")
