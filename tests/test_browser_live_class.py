"""A live class in real Chromium: an instructor, a projector and three phone students, each
student in their own browser context (own cookies: own identity); answers reach the projector
without a reload, a reload keeps the student, and the key never shows where students look."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import DONE, exceptions_shown, open_and_wait
from tests.live import METRIC, PHONE, join, send_answer, show_answer, start_class
from tests.test_browser_a11y import axe_js, violations  # noqa: F401 (axe_js: a fixture)

pytestmark = pytest.mark.browser


def test_three_students_answer_and_the_projector_updates_live(server_url, browser, axe_js):  # noqa: F811
    contexts = []

    def new_context(**kw):
        ctx = browser.new_context(**kw)
        contexts.append(ctx)
        return ctx

    try:
        desk = new_context(viewport={"width": 1280, "height": 720})
        teacher = desk.new_page()
        code = start_class(teacher, server_url)
        # the projector: the same browser (the instructor's identity), its own tab
        proj = desk.new_page()
        open_and_wait(proj, f"{server_url}/live_class?class={code}&view=projector&present=1")
        proj.wait_for_selector(f'.st-key-class_bigcode:has-text("{code}")')

        picks = {"Ada": "Frozen", "Bo": "Dune", "Cy": "Dune"}
        students = {}
        for nickname in picks:
            s = new_context(**PHONE).new_page()
            join(s, server_url, code, nickname)
            students[nickname] = s
        proj.wait_for_selector("text=Ada · Bo · Cy", timeout=30_000)  # the lobby fills up

        teacher.get_by_role("button", name="Next").click()
        for nickname, pick in picks.items():
            s = students[nickname]
            s.wait_for_selector("text=Question 1 of 5", timeout=30_000)  # followed by itself
            send_answer(s, pick)
        proj.wait_for_selector(METRIC.format(label="Answers", n=3), timeout=30_000)

        # A reload keeps the student: same nickname, the saved answer, no Join button.
        bo = students["Bo"]
        bo.reload()
        bo.wait_for_selector(DONE)
        bo.wait_for_selector("text=Saved: Dune", timeout=60_000)
        assert bo.get_by_role("button", name="Join").count() == 0
        teacher.wait_for_selector(METRIC.format(label="Students joined", n=3), timeout=30_000)

        # Ada types a new nickname and has not sent it when the class moves on: her screen
        # follows (the verdict appears) and what she typed is still there.
        ada = students["Ada"]
        ada.get_by_text("Change your nickname").click()
        ada.get_by_placeholder("e.g. Blue Otter").fill("Adele")
        show_answer(teacher, proj, "Most common wrong answer: Dune (2 of 3)")
        ada.wait_for_selector("text=Right!", timeout=30_000)
        expect(ada.get_by_placeholder("e.g. Blue Otter")).to_have_value("Adele")
        proj.wait_for_selector('[data-testid="stMetric"]:has-text("33%")', timeout=30_000)
        bo.wait_for_selector("text=The answer is Frozen", timeout=30_000)
        for page in (teacher, proj, *students.values()):
            assert exceptions_shown(page) == []
        assert "key=" not in proj.url
        for s in students.values():
            assert "Most common wrong answer" not in s.content()
        # WCAG 2 A/AA (axe-core) on the three views, with the answer shown: the instructor's
        # controls, the projector's bars and counts, a phone with its verdict
        for page in (teacher, proj, bo):
            assert violations(page, axe_js) == [], page.url
    finally:
        for ctx in contexts:
            ctx.close()
