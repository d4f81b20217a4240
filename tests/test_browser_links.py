"""Links and history in real headless Chromium: a copied link restores the screen in a fresh
browser, Back leaves a page in one step, and switching the word-vector source keeps the inputs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import exceptions_shown, open_and_wait, wait_rerun

pytestmark = pytest.mark.browser
SELECTED_TAB = '[role="tab"][aria-selected="true"]'


def in_link(page, part: str) -> None:
    """Wait until the address bar holds ``part`` (it changes without a navigation)."""
    page.wait_for_function("(p) => location.search.includes(p)", arg=part, timeout=120_000)


def fresh_page(browser):
    """A page in a new browser context: no cookies, no history, no session (a student's
    browser opening a link someone pasted)."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(120_000)  # like open_and_wait: a busy CI box, not a 30 s default
    return page


@pytest.mark.parametrize("path, tab", [
    ("neighbours?nb_tab=2", "Analogies"),
    ("recommendations?rec_tab=2", "Cold start"),
    ("x2vec?x2v_tab=3", "3 · Product2Vec (X2Vec)"),
    ("categories?cat_tab=2", "Movie genres from plots"),
])
def test_a_copied_link_restores_the_active_tab(path, tab, server_url, browser):
    page = fresh_page(browser)
    try:
        open_and_wait(page, f"{server_url}/{path}")
        assert page.locator(SELECTED_TAB).inner_text().strip().endswith(tab)
        assert exceptions_shown(page) == []
    finally:
        page.context.close()


def test_switching_tabs_writes_the_link_and_a_fresh_browser_reads_it(server_url, browser):
    page = fresh_page(browser)
    try:
        open_and_wait(page, f"{server_url}/neighbours")
        page.get_by_role("tab", name="Analogies").click()
        in_link(page, "nb_tab=2")
        wait_rerun(page)
        again = fresh_page(browser)
        open_and_wait(again, page.url)
        assert again.locator(SELECTED_TAB).inner_text().strip().endswith("Analogies")
        again.context.close()
    finally:
        page.context.close()


def test_back_leaves_the_map_in_one_step(server_url, browser):
    """Opening the map and changing a setting adds one history entry (the page), not ten."""
    page = fresh_page(browser)
    try:
        open_and_wait(page, f"{server_url}/cosine_toy")
        before = page.evaluate("history.length")
        page.locator('[data-testid="stSidebarNav"] a', has_text="Embedding map").click()
        page.wait_for_selector("h1:has-text('Embedding map')")
        page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=180_000)
        wait_rerun(page)
        # the Method radio's option, not a chart's "PCA" text (the comparison chart can be drawn first)
        page.locator('[data-testid="stRadio"]').get_by_text("PCA", exact=True).first.click()
        in_link(page, "map_method=pca")
        wait_rerun(page)
        assert page.evaluate("history.length") == before + 1
        page.go_back()
        page.wait_for_selector("h1:has-text('Cosine calculator')", timeout=60_000)
        assert "/cosine_toy" in page.url
    finally:
        page.context.close()


def test_switching_the_vector_source_keeps_the_inputs(server_url, browser):
    page = fresh_page(browser)
    try:
        open_and_wait(page, f"{server_url}/neighbours")
        box = page.get_by_label("Word", exact=True)
        box.fill("cat")
        box.press("Enter")
        in_link(page, "nb_word=cat")
        wait_rerun(page)
        page.get_by_text("Your own vectors").first.click()  # no file yet: the page stops
        page.get_by_text("Upload a word-vector file").first.wait_for()
        wait_rerun(page)
        page.get_by_text("(built-in)").first.click()
        page.get_by_label("Word", exact=True).wait_for()
        wait_rerun(page)
        expect(page.get_by_label("Word", exact=True)).to_have_value("cat")
        assert exceptions_shown(page) == []
    finally:
        page.context.close()
