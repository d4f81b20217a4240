"""Presentation mode on a projector (1280×720, ``present=1``) in real headless Chromium.

Screenshots land in .cache/screens/present_*.png: look at them after a layout change.
"""

from __future__ import annotations

import pytest

from embedding.charts import theme
from tests.browser import ROOT, exceptions_shown, open_and_wait

pytestmark = pytest.mark.browser
PROJECTOR = {"width": 1280, "height": 720}
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'


def screenshot(page, name: str) -> None:
    (ROOT / ".cache" / "screens").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ROOT / ".cache" / "screens" / f"present_{name}.png"))


def font_px(page, selector: str) -> list[float]:
    return page.evaluate(
        "(s) => [...document.querySelectorAll(s)].map(e => parseFloat(getComputedStyle(e).fontSize))",
        selector)


@pytest.mark.parametrize("path, name", [
    ("word_similarity?present=1", "word_similarity"),
    ("semantic_search?present=1", "semantic_search"),
    ("embedding_map?present=1&map_method=pca&map_find=cat", "embedding_map"),
    ("semantic_axes?present=1", "semantic_axes"),
    ("semantic_axes?present=1&ax_mode=Two+axes", "semantic_axes_two"),
])
def test_projector_first_screen_shows_the_chart(path, name, server_url, browser):
    page = browser.new_page(viewport=PROJECTOR)
    try:
        open_and_wait(page, f"{server_url}/{path}")
        chart = page.locator(CHART).first
        chart.wait_for(timeout=180_000)
        page.locator(f"{CHART} .xtick text, {CHART} .legendtext").first.wait_for()
        screenshot(page, name)
        assert exceptions_shown(page) == []
        sidebar = page.locator('[data-testid="stSidebar"]').bounding_box()
        assert sidebar is None or sidebar["x"] + sidebar["width"] <= 0  # collapsed
        box = chart.bounding_box()
        assert box["y"] + box["height"] / 2 < PROJECTOR["height"]  # on the first screen
        big = round(theme.BASE_FONT * theme.PROJECTOR_SCALE)
        ticks = font_px(page, f"{CHART} .xtick text, {CHART} .ytick text, {CHART} .legendtext")
        assert ticks and min(ticks) >= big
        if name == "semantic_search":
            values = font_px(page, f"{CHART} .bartext")
            assert values and min(values) >= theme.PROJECTOR_MIN_TEXT
        if name == "embedding_map":  # only the focused word and its 5 true neighbours named
            named = page.locator(f"{CHART} .textpoint text").all_text_contents()
            assert "cat" in named and 2 <= len(named) <= 6, named
    finally:
        page.close()


def test_projector_mode_off_keeps_the_sidebar_and_small_fonts(server_url, browser):
    page = browser.new_page(viewport=PROJECTOR)
    try:
        open_and_wait(page, f"{server_url}/semantic_search")
        page.locator(f"{CHART} .bartext").first.wait_for(timeout=180_000)
        assert page.locator('[data-testid="stSidebar"]').bounding_box()["width"] > 200
        assert max(font_px(page, f"{CHART} .ytick text")) < 14
    finally:
        page.close()


def test_projector_first_screen_shows_the_toy_exercise_answer(server_url, browser):
    """Toy exercise → real vectors: the real embeddings' answer ("Recommend Iron Man") is on the
    projector's first screen, whole (it started at 690 px of 720 below the toy table)."""
    page = browser.new_page(viewport=PROJECTOR)
    try:
        open_and_wait(page, f"{server_url}/recommendations?present=1&rec_tab=3")
        answer = page.locator('[data-testid="stAlert"]', has_text="Recommend")
        answer.wait_for(timeout=180_000)
        screenshot(page, "recommendations_toy")
        assert exceptions_shown(page) == []
        box = answer.bounding_box()
        assert box["y"] + box["height"] <= PROJECTOR["height"]
    finally:
        page.close()
