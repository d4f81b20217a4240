"""Lazy tabs in real Chromium: only the open tab is drawn, so a tab's content must appear when
it is clicked, and what a student set in one tab must still be there after a visit to another
(values in the link come back from it; the others are kept with ``persist_state``)."""

from __future__ import annotations

import pytest

from tests.browser import exceptions_shown, open_and_wait, wait_rerun

pytestmark = pytest.mark.browser


def shows(page, text: str) -> None:
    """Wait until the open tab shows ``text`` (its rerun drew it)."""
    page.locator('[role="tabpanel"]:visible').get_by_text(text).first.wait_for(timeout=120_000)
    wait_rerun(page)


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
    centre = page.locator('[data-testid="stSlider"] input[type="range"]').nth(1)
    centre.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.locator('[data-testid="stSliderThumbValue"]', has_text="2. quick").wait_for()
    wait_rerun(page)
    open_tab(page, "2 · Train Word2Vec", "Training loss")
    open_tab(page, "3 · Product2Vec (X2Vec)", "Customers who bought")
    open_tab(page, "1 · What skip-gram learns", "Centre word")
    assert centre.get_attribute("aria-valuetext") == "2. quick"
    assert exceptions_shown(page) == []


def test_categories_text_survives_a_visit_to_the_genres(server_url, page):
    open_and_wait(page, f"{server_url}/categories")
    box = page.get_by_label("A text to classify")
    box.fill("The striker scored twice in the final.")
    box.press("Control+Enter")
    page.locator('[data-testid="stMetricValue"]', has_text="sport").first.wait_for()
    open_tab(page, "Movie genres from plots", "Accuracy (first genre)")
    open_tab(page, "Your labels", "SBERT says")
    assert box.input_value() == "The striker scored twice in the final."
    assert "sport" in page.locator('[data-testid="stMetricValue"]').first.inner_text()
    assert exceptions_shown(page) == []
