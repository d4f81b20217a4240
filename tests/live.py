"""Driving a live class in Chromium, as a person would: the instructor starts the class, a
student joins and sends an answer. Shared by tests/test_browser_live_class.py and
tests/test_replicas.py (the same steps through the proxy, on either replica).

    code = start_class(teacher, url)
    join(phone, url, code, "Ada")
    send_answer(phone, "Frozen")
    show_answer(teacher, proj, "Most common wrong answer: Dune (1 of 1)")
"""

from __future__ import annotations

from pathlib import Path

from tests.browser import PHONE, open_and_wait, page_activity, page_report, wait_rerun

# (PHONE is tests.browser's, here too for the tests that drive a class)
__all__ = ["METRIC", "PHONE", "join", "send_answer", "show_answer", "start_class"]
#: A metric on the instructor's page or the projector, e.g. ``METRIC.format(label="Answers", n=3)``
METRIC = '[data-testid="stMetric"]:has-text("{label}"):has-text("{n}")'


def start_class(page, url: str) -> str:
    """Open *Live class*, start the live-class example (its first question is the toy one:
    no model needed) as this browser's instructor; the class code."""
    open_and_wait(page, f"{url}/live_class")
    page.get_by_role("button", name="Start the class").click()
    page.wait_for_selector("text=students open", timeout=120_000)
    assert "key=" not in page.url
    return page.url.split("class=")[1][:6]


def join(page, url: str, code: str, nickname: str) -> None:
    """Open the student link and join as ``nickname``."""
    open_and_wait(page, f"{url}/live_class?class={code}")
    page.get_by_placeholder("e.g. Blue Otter").fill(nickname)
    page.get_by_role("button", name="Join").click()
    page.wait_for_selector("text=You're in", timeout=60_000)


def send_answer(page, pick: str) -> None:
    """Pick ``pick`` among the question's options, send it, wait until it is saved."""
    page.locator('[data-testid="stRadio"]').get_by_text(pick, exact=True).click()
    wait_rerun(page)
    page.get_by_role("button", name="Send answer").click()
    page.wait_for_selector(f"text=Saved: {pick}", timeout=60_000)


def show_answer(teacher, proj, shown: str, logs=(), db_url: str | None = None) -> None:
    """The instructor turns *Show the answer* on; wait until the projector shows ``shown``.
    On a timeout the message says what both screens showed, the class's state in the
    database at ``db_url`` and the tail of each server log in ``logs``, so a failure in CI
    can be told apart: a click that never reached the server (the toggle is off, the state
    unchanged), a change the server dropped or undid (the toggle on, the answer hidden), or
    a projector that stopped following (the answer shown in the database)."""
    teacher.get_by_text("Show the answer", exact=True).click()
    try:
        proj.wait_for_selector(f"text={shown}", timeout=60_000)
    except Exception as exc:
        state = "" if db_url is None else f"\nin the database: {_class_state(db_url, teacher)}"
        tails = "".join(f"\n{log}:\n" + "\n".join(
            Path(log).read_text(errors="replace").splitlines()[-25:]) for log in logs)
        raise AssertionError(
            f"the projector never showed {shown!r}\nteacher ({page_activity(teacher)}): "
            f"{page_report(teacher)}\nprojector ({page_activity(proj)}): {page_report(proj)}"
            f"{state}{tails}") from exc


def _class_state(db_url: str, page) -> str:
    """The state of the class ``page`` shows (its code in the link), read from the database."""
    from embedding.classroom.db import ClassDB
    from embedding.classroom.live import Classroom

    db = ClassDB(db_url)
    try:
        return repr(Classroom(db).info(page.url.split("class=")[1][:6]).state)
    except Exception as exc:  # a report: say what went wrong instead
        return f"(could not read it: {exc!r})"
    finally:
        db.close()
