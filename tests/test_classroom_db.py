"""Live class storage, the same suite on SQLite and on a real PostgreSQL started by the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from embedding.classroom import exercises as exs
from embedding.classroom.db import SCHEMA_VERSION, ClassDB
from embedding.classroom.live import (
    CLASS_TABLES,
    CODE_ALPHABET,
    MAX_NICKNAME,
    RATE_LIMIT,
    STUDENT_PACED,
    ClassError,
    Classroom,
    RateLimited,
    RateLimiter,
    clean_nickname,
    normalise_code,
    summarise,
)
from tests.pg import fresh_database

ROOT = Path(__file__).resolve().parents[1]
SET = exs.EXAMPLE_SET
TABLES = CLASS_TABLES
T = "teacher-person-id"  # the instructor's person id (a hash in real life)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.server)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'class.sqlite3'}"
    return fresh_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def db(db_url):
    handle = ClassDB(db_url)
    yield handle
    handle.close()


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def _rows(db: ClassDB, code: str) -> dict[str, int]:
    return {t: db.query(f"SELECT COUNT(*) FROM {t} WHERE code = ?", (code,))[0][0]
            for t in TABLES}


def test_schema_is_created_once_and_versioned(db, db_url):
    assert db.schema_version() == SCHEMA_VERSION == 2
    live = Classroom(db)
    code, _ = live.start(SET, T, pace=STUDENT_PACED)
    again = ClassDB(db_url)  # a second replica starting: no new version row, data kept
    assert again.schema_version() == 2
    assert db.query("SELECT COUNT(*) FROM schema_version") == [(2,)]
    assert Classroom(again).info(code).exercise == SET
    again.close()


def test_a_class_round_trip(db):
    live = Classroom(db)
    code, token = live.start(SET, T, pace=STUDENT_PACED)
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    assert len(token) >= 32  # 24 random bytes = 192 bits, base64url
    assert live.info(code.lower()).exercise == SET  # codes are case-insensitive
    assert live.join(code, "s1", "  Ada  ").nickname == "Ada"
    assert live.join(code, "s2", "").nickname == "Anonymous"
    live.submit(code, "s1", 0, "Rainman")
    live.submit(code, "s1", 0, "Ironman")  # changed: still one answer
    live.submit(code, "s2", 0, "Ironman")
    live.submit(code, "s2", 3, " queen ")
    got = [(a.nickname, a.question, a.answer) for a in live.answers(code, T)]
    assert sorted(got) == [("Ada", 0, "Ironman"), ("Anonymous", 0, "Ironman"),
                           ("Anonymous", 3, "queen")]
    assert live.my_answers(code, "s2") == {0: "Ironman", 3: "queen"}
    assert live.student_count(code) == 2
    live.close_question(code, T, 0)
    with pytest.raises(ClassError, match="closed this question"):
        live.submit(code, "s1", 0, "Rainman")
    assert live.info(code).closed == {0}
    live.close_question(code, T, 0, closed=False)
    live.submit(code, "s1", 0, "Rainman")
    assert {a.student: a.answer for a in live.answers(code, T, 0)}["s1"] == "Rainman"
    with pytest.raises(ClassError, match="not part of the class"):
        live.submit(code, "s1", 99, "x")
    with pytest.raises(ClassError, match="Join the class first"):
        live.submit(code, "stranger", 1, "toad")
    live.end(code, T)
    with pytest.raises(ClassError, match="ended"):
        live.submit(code, "s1", 1, "toad")


def test_fifty_concurrent_students_each_stored_exactly_once(db):
    live = Classroom(db)
    code, token = live.start(SET, T, pace=STUDENT_PACED)
    errors: list[BaseException] = []
    start = threading.Barrier(50)

    def student(i: int) -> None:
        try:
            start.wait()
            live.join(code, f"s{i}", f"student {i}")
            live.submit(code, f"s{i}", 0, "Rainman")
            live.submit(code, f"s{i}", 0, "Ironman" if i % 2 else "Rainman")  # a change
            live.submit(code, f"s{i}", 3, f"word{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    q0 = live.answers(code, T, 0)
    assert len(q0) == 50 and len({a.student for a in q0}) == 50
    assert sum(a.answer == "Ironman" for a in q0) == 25
    assert sorted(a.answer for a in live.answers(code, T, 3)) == sorted(
        f"word{i}" for i in range(50))
    assert _rows(db, code)["class_answers"] == 100


@pytest.mark.parametrize("bad", ["", "ABC", "ABCDEFG", "IIIIII", "<script>", "x" * 10_000])
def test_wrong_codes_are_explained(db, bad):
    with pytest.raises(ClassError, match="class code|no class"):
        Classroom(db).info(bad)


def test_unknown_and_expired_codes(db):
    clock = Clock()
    live = Classroom(db, clock=clock)
    code, _ = live.start(SET, T, hours=1)
    other = "".join(reversed(code)) if "".join(reversed(code)) != code else "ACDEFG"
    with pytest.raises(ClassError, match=f"no class with the code {other}"):
        live.info(other)
    clock.t += 3601
    with pytest.raises(ClassError, match="expired"):
        live.join(code, "s1", "late")
    assert _rows(db, code)["class_students"] == 0


def test_only_the_instructors_browser_or_the_key_runs_the_class(db):
    live = Classroom(db)
    code, token = live.start(SET, T)
    code2, token2 = live.start(SET, "other-teacher")
    assert live.is_instructor(code, T) and not live.is_instructor(code, "student-1")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in ("", None, flipped, token[:-4], token + "x", token2, token.upper()):
        assert not live.claim(code, bad, "laptop")  # a wrong key binds nothing
    assert not live.is_instructor(code, "laptop")
    for who in ("laptop", "", None, "other-teacher"):
        with pytest.raises(ClassError, match="Only the instructor"):
            live.answers(code, who)
        with pytest.raises(ClassError):
            live.delete(code, who)
    assert live.claim(code, token, "laptop")  # the instructor's second device
    assert live.is_instructor(code, "laptop") and live.answers(code, "laptop") == []
    assert not live.is_instructor(code2, "laptop")
    fresh = live.new_key(code, T)  # a new link: the old key stops working, devices stay
    assert not live.claim(code, token, "phone") and live.claim(code, fresh, "phone")
    assert live.is_instructor(code, "laptop")
    assert not live.is_instructor("ZZZZZZ", T)
    assert _rows(db, code)["class_sessions"] == 1  # nothing deleted
    assert token not in str(db.query("SELECT * FROM class_sessions"))  # only its hash


def test_huge_nickname_is_cut_and_html_stored_verbatim(db):
    live = Classroom(db)
    code, token = live.start(SET, T, pace=STUDENT_PACED)
    joined = live.join(code, "s1", "x" * 1_000_000)
    assert joined.nickname == "x" * MAX_NICKNAME and "cut to 30" in joined.note
    live.join(code, "s2", "<b>Eve</b>\n<script>alert(1)</script>")
    live.submit(code, "s2", 3, "<img src=x onerror=alert(1)>")
    stored = {a.student: (a.nickname, a.answer) for a in live.answers(code, T)}
    assert stored["s2"] == ("<b>Eve</b> <script>alert(1)</s", "<img src=x onerror=alert(1)>")
    longest = db.query("SELECT MAX(LENGTH(nickname)) FROM class_students WHERE code = ?", (code,))
    assert longest == [(30,)]
    with pytest.raises(ClassError, match="at most 200"):
        live.submit(code, "s1", 3, "y" * 1_000_000)
    with pytest.raises(ClassError, match="Type or choose"):
        live.submit(code, "s1", 3, "   ")
    assert len(live.answers(code, T)) == 1


def test_a_flood_from_one_student_is_rate_limited(db):
    clock = Clock(0.0)
    live = Classroom(db, limiter=RateLimiter(clock=clock))
    code, token = live.start(SET, T, pace=STUDENT_PACED)
    live.join(code, "s1")
    live.join(code, "s2")
    for i in range(RATE_LIMIT):
        live.submit(code, "s1", 3, f"w{i}")
    with pytest.raises(RateLimited, match="Too many answers.*wait 10 seconds"):
        live.submit(code, "s1", 3, "flood")
    live.submit(code, "s2", 3, "other")  # another student is not held up
    assert {a.student: a.answer for a in live.answers(code, T)} == {
        "s1": f"w{RATE_LIMIT - 1}", "s2": "other"}
    clock.t += 10.0
    live.submit(code, "s1", 3, "later")
    assert {a.student: a.answer for a in live.answers(code, T)}["s1"] == "later"


def test_delete_removes_everything_of_that_class_only(db):
    live = Classroom(db)
    code, token = live.start(SET, T, pace=STUDENT_PACED)
    keep, keep_token = live.start(SET, T, pace=STUDENT_PACED)
    for c in (code, keep):
        live.join(c, "s1", "Ada")
        live.submit(c, "s1", 0, "Ironman")
    live.close_question(code, T, 1)
    assert _rows(db, code) == {"class_answers": 1, "class_students": 1, "class_closed": 1,
                               "class_instructors": 1, "class_state": 1, "class_removed": 0,
                               "class_sessions": 1}
    assert live.delete(code, T) == 6
    assert _rows(db, code) == dict.fromkeys(TABLES, 0)
    with pytest.raises(ClassError, match="no class"):
        live.info(code)
    assert len(live.answers(keep, T)) == 1


def test_csv_export(db):
    live = Classroom(db)
    code, token = live.start(SET, T, pace=STUDENT_PACED)
    live.join(code, "s1", "=HYPERLINK(1)")
    live.submit(code, "s1", 3, "queen")
    lines = live.csv(code, T).splitlines()
    assert lines[0] == "nickname,student,question,answer,updated_utc"
    assert lines[1].startswith("'=HYPERLINK(1),s1,4,queen,20")  # formulas defused


_WRITER = """
import sys
from embedding.classroom.db import ClassDB
from embedding.classroom.live import Classroom, RateLimiter
live = Classroom(ClassDB(sys.argv[1]), limiter=RateLimiter(10**9, 1.0))
code = sys.argv[2]
i = 0
while True:
    live.join(code, f"s{i}", f"n{i}")
    live.submit(code, f"s{i}", 3, f"answer-{i}")
    print(i, flush=True)   # the student saw "Saved" for answer i
    i += 1
"""


def test_sigkill_while_answers_stream_in_loses_nothing_confirmed(db, db_url):
    live = Classroom(db)
    code, token = live.start(SET, T, pace=STUDENT_PACED)
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, db_url, code], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    confirmed = []
    for line in proc.stdout:
        confirmed.append(int(line))
        if len(confirmed) >= 150:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    confirmed += [int(x) for x in proc.stdout.read().split()]
    reopened = ClassDB(db_url)  # "restart": a new handle on the same database
    stored = {a.student: a.answer for a in Classroom(reopened).answers(code, T, 3)}
    for i in confirmed:
        assert stored[f"s{i}"] == f"answer-{i}"
    assert all(v == f"answer-{k[1:]}" for k, v in stored.items())  # nothing half-written
    assert len(stored) in (len(confirmed), len(confirmed) + 1)  # at most one unconfirmed
    if reopened.dialect == "sqlite":
        assert reopened.query("PRAGMA integrity_check") == [("ok",)]
    reopened.close()


# ---------------------------------------------------------------- pure helpers


def test_codes_nicknames_and_summaries():
    assert normalise_code(" kax-fep ") == "KAXFEP"
    assert not set("IOLSZB01258") & set(CODE_ALPHABET)
    assert clean_nickname("a\x00b\u202e c").nickname == "a b c"
    assert clean_nickname(None).nickname == "Anonymous"
    r = summarise(["Queen", "queen ", "king", "prince", "king", "king"],
                  lambda a: a.casefold() == "queen")
    assert r.counts == (("king", 3), ("Queen", 2), ("prince", 1))
    assert (r.total, r.correct, r.top_wrong, r.top_wrong_count) == (6, 2, "king", 3)
    assert r.share_correct == pytest.approx(1 / 3)
    assert summarise(["a"]).correct is None


def test_class_map_groups_and_counts(kv):
    from embedding.classroom.classmap import build_map, glove_rows

    words = ["whale", "Whale", "shark", "dolphin", "fish", "wave", "sand", "beach", "salt",
             "blue", "zzqxv"]
    m = build_map(words, lambda t: glove_rows(kv, t))
    assert dict(zip(m.labels, m.counts, strict=True))["whale"] == 2
    assert m.skipped == ("zzqxv",) and len(m.labels) == 9 and m.coords.shape == (9, 2)
    assert m.method == "pca" and len(set(m.groups)) == 2  # k = round(sqrt(9 / 2))
    g = dict(zip(m.labels, m.groups, strict=True))
    assert g["whale"] == g["shark"] == g["dolphin"]
