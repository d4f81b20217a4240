"""Lazy tabs in real Chromium: only the open tab is drawn, so a tab's content must appear when
it is clicked, and what a student set in one tab must still be there after a visit to another
(values in the link come back from it; the others are kept with ``persist_state``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import READY, exceptions_shown, open_and_wait

SLIDERS = '[data-testid="stSlider"] input[type="range"]'

pytestmark = pytest.mark.browser


def shows(page, text: str) -> None:
    """Wait until the open tab shows ``text`` (its rerun drew it) and the run has ended with
    the websocket connected."""
    page.locator('[role="tabpanel"]:visible').get_by_text(text).first.wait_for(timeout=120_000)
    page.wait_for_selector(READY, timeout=120_000)


def described(page) -> str:
    """What the page looks like, for an assertion's message: its link, script and connection
    state, how many sliders it has and the start of the open tab's text."""
    app = page.locator('[data-testid="stApp"]')
    panel = page.locator('[role="tabpanel"]:visible')
    text = panel.first.inner_text()[:600] if panel.count() else "(no open tab)"
    return (f"url={page.url} script={app.get_attribute('data-test-script-state')} "
            f"connection={app.get_attribute('data-test-connection-state')} "
            f"sliders={page.locator(SLIDERS).count()} exceptions={exceptions_shown(page)}\n"
            f"open tab: {text}")


def open_tab(page, name: str, text: str) -> None:
    page.get_by_role("tab", name=name).click()
    shows(page, text)


@pytest.fixture
def page(browser):
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.set_default_timeout(120_000)
    yield page
    page.context.close()


def test_word2vec_tabs_draw_when_clicked_and_keep_the_centre_word(server_url, page):
    open_and_wait(page, f"{server_url}/x2vec")
    centre = page.locator('[data-testid="stSlider"]', has_text="Centre word").locator(
        'input[type="range"]')
    centre.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    # the tab's run has the new centre word when its training examples start from it
    shows(page, "quick → the")
    open_tab(page, "2 · Train Word2Vec", "Training loss")
    open_tab(page, "3 · Product2Vec (X2Vec)", "Customers who bought")
    open_tab(page, "1 · What skip-gram learns", "At this position")
    try:
        expect(centre).to_have_attribute("aria-valuetext", "2. quick", timeout=10_000)
        expect(page.locator('[role="tabpanel"]:visible').get_by_text("quick → the")).to_be_visible(
            timeout=10_000)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{described(page)}") from None
    assert exceptions_shown(page) == []


def test_categories_text_survives_a_visit_to_the_genres(server_url, page):
    open_and_wait(page, f"{server_url}/categories")
    box = page.get_by_label("A text to classify")
    box.fill("The striker scored twice in the final.")
    box.press("Control+Enter")
    page.locator('[data-testid="stMetricValue"]', has_text="sport").first.wait_for()
    open_tab(page, "Movie genres from plots", "Accuracy (first genre)")
    open_tab(page, "Your labels", "SBERT says")
    expect(box).to_have_value("The striker scored twice in the final.")
    expect(page.locator('[data-testid="stMetricValue"]').first).to_contain_text("sport")
    assert exceptions_shown(page) == []
