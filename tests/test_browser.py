"""The real server in real headless Chromium: every page opens with no exception shown."""

from __future__ import annotations

import pytest

from embedding.catalog import available
from tests.browser import ROOT, exceptions_shown, open_and_wait, wait_rerun

pytestmark = pytest.mark.browser
PAGES = [p for p in available(ROOT)]


def url_path(path: str) -> str:
    stem = path.removeprefix("pages/").removesuffix(".py")
    return "" if stem == "home" else stem


@pytest.mark.parametrize("info", PAGES, ids=[p.path for p in PAGES])
def test_every_page_opens_without_exception(info, server_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        open_and_wait(page, f"{server_url}/{url_path(info.path)}")
        assert page.locator("h1").first.inner_text().strip()
        assert exceptions_shown(page) == []
        (ROOT / ".cache" / "screens").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ROOT / ".cache" / "screens" / f"{url_path(info.path) or 'home'}.png"))
    finally:
        page.close()


def test_word_order_in_browser(server_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        open_and_wait(page, f"{server_url}/word_order")
        metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert metrics[:2] == ["1.000", "0.980"]
        first = page.get_by_label("First phrase")
        first.fill("dog bites man")
        first.press("Enter")
        wait_rerun(page)
        box = page.get_by_label("Second phrase")
        box.fill("man bites dog")
        box.press("Enter")
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=\"stMetricValue\"]')[1]"
            "?.innerText !== '0.980'", timeout=120_000)
        wait_rerun(page)
        assert exceptions_shown(page) == []
        metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert metrics[0] == "1.000" and float(metrics[1]) < 0.95  # SBERT sees the order
    finally:
        page.close()
