"""The real server in real headless Chromium: every page opens with no exception shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import ROOT, exceptions_shown, open_and_wait, start_server, wait_rerun
from ui.catalog import available

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
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
        wait_rerun(page)
        metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert metrics[:2] == ["1.000", "0.980"]
        metric = "document.querySelectorAll('[data-testid=\"stMetricValue\"]')"
        first = page.get_by_label("First phrase")
        first.fill("dog bites man")
        first.press("Enter")  # now "dog bites man" vs "milk chocolate": GloVe below 1
        page.wait_for_function(f"() => {metric}[0]?.innerText !== '1.000'", timeout=120_000)
        box = page.get_by_label("Second phrase")
        box.fill("man bites dog")
        box.press("Enter")  # same words again: GloVe back to 1.000
        page.wait_for_function(f"() => {metric}[0]?.innerText === '1.000'", timeout=120_000)
        wait_rerun(page)
        assert exceptions_shown(page) == []
        metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert metrics[0] == "1.000" and float(metrics[1]) < 0.95  # SBERT sees the order
    finally:
        page.close()


def test_shared_link_is_the_first_request_of_a_fresh_server(browser):
    """A student opens an instructor's link before anyone opened the app: same state, full app."""
    url, proc = start_server({"EMBEDDING_EXPLORER_WARMUP": "0"})
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        open_and_wait(page, f"{url}/word_similarity?wordsim_a=king&wordsim_b=queen")
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
        wait_rerun(page)
        # expect(...) waits: a fresh tab draws its text inputs (lazily loaded) after the run
        expect(page.locator("h1").first).to_have_text("Word similarity")
        expect(page.get_by_label("First word")).to_have_value("king")
        expect(page.get_by_label("Second word")).to_have_value("queen")
        expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("0.7839")
        expect(page.locator('[data-testid="stSidebarNav"]')).to_contain_text("Cosine calculator")
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "ui" not in nav.split()  # the router's sidebar
        assert exceptions_shown(page) == []
    finally:
        page.close()
        proc.kill()
        proc.wait(timeout=20)
