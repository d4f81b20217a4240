"""A shared exercise link in real headless Chromium against the real server: same set, same link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from embedding.classroom import exercises as exs
from tests.browser import exceptions_shown, open_and_wait, wait_rerun

pytestmark = pytest.mark.browser
SHARED = exs.ExerciseSet(
    "Browser quiz",
    (exs.ToyQuestion("Avatar", (("Avatar", (1.0, 2.0, 2.0)), ("Ironman", (3.0, 7.0, 8.0)),
                                ("Rainman", (1.0, -2.0, 6.0)))),),
)


def test_shared_link_opens_the_same_set(server_url, browser):
    token = exs.encode_set(SHARED)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        open_and_wait(page, f"{server_url}/exercises?ex={token}")
        assert exceptions_shown(page) == []
        expect(page.get_by_role("heading", name="Browser quiz")).to_be_visible(timeout=60_000)
        assert f"ex={token}" in page.url  # the address bar still reproduces the screen
        page.get_by_text("Ironman", exact=True).click()
        wait_rerun(page)
        page.get_by_role("button", name="Check my answer").click()
        page.wait_for_selector('[data-testid="stAlertContentSuccess"]', timeout=120_000)
        expect(page.get_by_text("Right!").first).to_be_visible(timeout=60_000)
        # A student's link never reaches the answer key: no reveal toggle, a line saying whose it is.
        assert page.get_by_text("Reveal the answer key").count() == 0
        key_note = page.get_by_text("The answer key is for the person who built this set")
        expect(key_note).to_be_visible(timeout=60_000)
        assert exceptions_shown(page) == []

        # The Build tab of the same session: the link and QR code use the real address.
        page.get_by_text("Build (instructor)").click()
        page.wait_for_selector('[data-testid="stImage"]', timeout=120_000)
        wait_rerun(page)
        link = page.locator('[data-testid="stCode"] code').first.inner_text().strip()
        assert link == f"{server_url}/exercises?ex={token}"
        assert exceptions_shown(page) == []
    finally:
        page.close()
