"""The embedding map in real headless Chromium against the real server: see it, click a point."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import exceptions_shown, open_and_wait, wait_rerun

pytestmark = pytest.mark.browser


def test_map_shows_a_plotly_chart_and_a_click_lists_neighbours(server_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    try:
        open_and_wait(page, f"{server_url}/embedding_map?map_method=pca")
        chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
        chart.wait_for(timeout=180_000)
        assert exceptions_shown(page) == []
        expect(page.locator("g.legend text", has_text="animals")).to_have_count(1)
        expect(page.get_by_text("Neighbour preservation (10 nearest)")).to_have_count(1)

        box = chart.locator("g.trace.scatter path.point").nth(5).bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        # plotly selects the clicked point, Streamlit reruns and lists its true neighbours
        page.get_by_text("Nearest to “").first.wait_for(timeout=120_000)
        wait_rerun(page)
        assert "map_find=" in page.url  # the chosen word is in the shareable link
        expect(page.get_by_text("of these 10 true neighbours are also among")).to_have_count(1)
        assert exceptions_shown(page) == []
    finally:
        page.close()
