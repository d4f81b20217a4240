"""Driving a live class in Chromium, as a person would: the instructor starts the class, a
student joins and sends an answer. Shared by tests/test_browser_live_class.py and
tests/test_replicas.py (the same steps through the proxy, on either replica).

    code = start_class(teacher, url)
    join(phone, url, code, "Ada")
    send_answer(phone, "Frozen")
"""

from __future__ import annotations

from tests.browser import PHONE, open_and_wait, wait_rerun

__all__ = ["METRIC", "PHONE", "join", "send_answer", "start_class"]  # PHONE: tests.browser's
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
