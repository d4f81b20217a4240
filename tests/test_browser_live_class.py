"""A live class in real Chromium: an instructor and three students, each in their own browser
context (own cookies, own Streamlit session); the answers appear on the instructor's screen
without a reload."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import exceptions_shown, open_and_wait, wait_rerun

pytestmark = pytest.mark.browser
ANSWERS = '[data-testid="stMetric"]:has-text("Answers"):has-text("{n}")'


def test_three_students_answer_and_the_projector_updates_live(server_url, browser):
    contexts = []

    def new_page():
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        contexts.append(ctx)
        return ctx.new_page()

    try:
        teacher = new_page()
        open_and_wait(teacher, f"{server_url}/live_class")
        teacher.get_by_role("button", name="Start the class").click()
        teacher.wait_for_selector('h1:has-text("Class code")', timeout=120_000)
        query = parse_qs(urlparse(teacher.url).query)
        code, token = query["class"][0], query["key"][0]
        assert len(code) == 6 and len(token) >= 32
        teacher.wait_for_selector(ANSWERS.format(n=0), timeout=60_000)

        picks = {"Ada": "Ironman", "Bo": "Rainman", "Cy": "Rainman"}
        for nickname, pick in picks.items():
            student = new_page()
            open_and_wait(student, f"{server_url}/live_class?class={code}")
            assert token not in student.content()
            student.get_by_placeholder("e.g. Blue Otter").fill(nickname)
            student.get_by_role("button", name="Join").click()
            student.wait_for_selector(f'text=You joined as {nickname}', timeout=60_000)
            wait_rerun(student)
            student.get_by_text(pick, exact=True).first.click()
            wait_rerun(student)
            student.get_by_role("button", name="Send answer").first.click()
            student.wait_for_selector(f'text=Saved: {pick}', timeout=60_000)
            assert exceptions_shown(student) == []
            html = student.content()
            assert token not in html and "Most common wrong answer" not in html

        # The instructor did nothing: the live fragment brings the answers in by itself.
        teacher.wait_for_selector(ANSWERS.format(n=3), timeout=30_000)
        teacher.wait_for_selector('[data-testid="stMetric"]:has-text("Students joined")'
                                  ':has-text("3")', timeout=30_000)
        teacher.get_by_text("Show the answer").click()
        teacher.wait_for_selector('text=Most common wrong answer: Rainman (2 of 3)',
                                  timeout=60_000)
        teacher.wait_for_selector('[data-testid="stMetric"]:has-text("33%")', timeout=30_000)
        assert exceptions_shown(teacher) == []
    finally:
        for ctx in contexts:
            ctx.close()
