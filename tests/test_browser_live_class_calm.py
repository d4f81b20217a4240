"""Calm states in real Chromium: the class database stops (a real PostgreSQL, stopped and
started again), the class is ended, then deleted from another tab; the instructor's page, the
projector and a student's phone stay open the whole time. No page ever shows an exception
box, each says calmly what happened, each comes back by itself (no reload) when the database
does, and the server logs at most one line per cause (no traceback), not one a second."""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from embedding.classroom import exercises as exs
from embedding.classroom.db import LOG_EVERY, ClassDB
from embedding.classroom.identity import new_secret, person_id
from embedding.classroom.live import Classroom
from tests.browser import (
    PHONE,
    READY,
    ROOT,
    class_desk,
    exceptions_shown,
    start_server,
    stop_server,
)
from tests.pg import fresh_database, started_or_skip

pytestmark = pytest.mark.browser
QUIZ = exs.ExerciseSet("Calm test", (exs.ToyQuestion("Latte", (
    ("Latte", (1.0, 2.0, 3.0)), ("Mocha", (1.0, 2.0, 2.5)), ("Juice", (-3.0, 1.0, 0.5)))),))
#: How long the database stays down: long enough for several retries of every open page
#: (the back-off doubles from 1 s: attempts at about 0, 1, 3 and 7 s), far under LOG_EVERY.
OUTAGE_S = 10.0
DOWN = "text=The class database cannot be reached right now"


@pytest.fixture()
def pg():
    server = started_or_skip()
    yield server
    server.stop()


def log_lines(path, start: int) -> list[str]:
    return path.read_text(errors="replace")[start:].splitlines()


def test_database_down_ended_and_deleted_are_calm_on_every_screen(browser, pg, tmp_path):
    assert OUTAGE_S < LOG_EVERY
    (ROOT / ".cache").mkdir(exist_ok=True)
    db_url = fresh_database(pg.url)
    teacher_secret = new_secret()
    teacher_id = person_id(teacher_secret)
    live = Classroom(ClassDB(db_url))
    code, _ = live.start(QUIZ, instructor=teacher_id)
    url, proc = start_server({"DATABASE_URL": db_url, "EMBEDDING_EXPLORER_WARMUP": "0",
                              "EMBEDDING_EXPLORER_DATA": str(tmp_path / "data")})
    log = ROOT / ".cache" / f"server-{url.rsplit(':', 1)[1]}.log"
    start = 0  # where this server's lines begin (the log is appended to)
    contexts = []
    try:
        desk, teacher, proj = class_desk(browser, url, code, teacher_secret)
        student_ctx = browser.new_context(**PHONE)
        contexts += [desk, student_ctx]
        student = student_ctx.new_page()
        student.goto(f"{url}/live_class?class={code}", wait_until="commit")
        student.get_by_placeholder("e.g. Blue Otter").fill("Ada", timeout=120_000)
        student.get_by_role("button", name="Join").click()
        student.wait_for_selector("text=You're in", timeout=60_000)
        teacher.wait_for_selector(READY, timeout=60_000)
        teacher.get_by_role("button", name="Next").click()
        student.wait_for_selector("text=Question 1 of 1", timeout=30_000)
        student.locator('[data-testid="stRadio"]').get_by_text("Mocha", exact=True).click()
        student.get_by_role("button", name="Send answer").click()
        student.wait_for_selector("text=Saved: Mocha", timeout=30_000)
        proj.wait_for_selector('[data-testid="stMetric"]:has-text("Answers"):has-text("1")',
                               timeout=30_000)
        screens = {"instructor": teacher, "projector": proj, "student": student}
        start = len(log.read_text(errors="replace"))

        # 1. The database stops: every screen says so calmly, then comes back by itself.
        pg.stop(remove=False)
        for page in screens.values():
            page.wait_for_selector(DOWN, timeout=30_000)
        outage_end = time.monotonic() + OUTAGE_S
        while time.monotonic() < outage_end:  # the outage lasts; the screens keep polling
            for name, page in screens.items():
                assert exceptions_shown(page) == [], name
                assert page.locator(DOWN).count() == 1, name
            teacher.wait_for_timeout(1_000)  # pace of the checks, not a synchronisation
        pg.start()
        student.wait_for_selector("text=Saved: Mocha", timeout=60_000)
        proj.wait_for_selector('[data-testid="stMetric"]:has-text("Answers"):has-text("1")',
                               timeout=60_000)
        teacher.wait_for_selector("text=You liked Latte", timeout=60_000)
        for name, page in screens.items():
            assert page.locator(DOWN).count() == 0, name
        down_lines = [x for x in log_lines(log, start) if "unreachable" in x]

        # 2. The instructor ends the class.
        teacher.get_by_text("Export, end or delete the class").click()
        teacher.get_by_role("button", name="End the class").click()
        student.wait_for_selector("text=The instructor has ended this class", timeout=30_000)
        proj.wait_for_selector("text=This class has ended", timeout=30_000)
        teacher.wait_for_selector("text=You ended this class", timeout=30_000)
        student.wait_for_selector("text=1. Mocha")  # the student's own answers stay

        # 3. The class is deleted from another tab (the database, as that tab would).
        assert Classroom(ClassDB(db_url)).delete(code, teacher_id) > 0  # (a fresh pool)
        for page in screens.values():
            page.wait_for_selector(f"text=The class {code} was deleted by its instructor",
                                   timeout=30_000)
        for name, page in screens.items():
            assert exceptions_shown(page) == [], name
    finally:
        for ctx in contexts:
            ctx.close()
        stop_server(proc, timeout=20)

    lines = log_lines(log, start)
    assert not [x for x in lines if "Traceback" in x or "ClassError" in x], lines[-40:]
    # one line per cause while it lasted (its cause: the driver's error class), then one
    # "reachable again"
    causes = Counter(re.search(r"retrying within \d+ s: (\w+)", x)[1] for x in down_lines)
    assert causes and max(causes.values()) == 1, down_lines
    assert sum("reachable again" in x for x in lines) <= 1, lines
