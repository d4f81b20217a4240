"""Every page and tab on a student's phone, in real headless Chromium with touch (issue 26).

At both phones of :data:`tests.phone.PHONES` (390×844 at 3×, 360×740 at 2×; mobile viewport,
touch events, a phone's User-Agent) every view of :data:`tests.phone.VIEWS` (each page, and each
tab opened by its link) must show:

* no exception box;
* nothing that makes the page scroll sideways (tables and code scroll on their own);
* 0 violations of axe-core's WCAG 2.2 A/AA rules, *target size* (24×24 px) included, with the
  one exception of tests/test_browser_a11y.py (the sidebar's list markup, Streamlit's own);
* a one-finger vertical swipe that starts on a chart scrolls the page (Plotly would pan or
  zoom the chart and cancel the scroll).

And on the 2-D map one tap on a dot selects it (Plotly's touch handling only hovers on the
first tap), and the page says "tap", not "click".

One browser; each phone is one context with one tab that goes from view to view (a new
Streamlit session each time, as a student opening a link), so the cost is the pages' own.
"""

from __future__ import annotations

import pytest

from tests.browser import exceptions_shown, wait_rerun
from tests.phone import PHONES, SCROLLER, VIEWS, open_view, overflowing, settle, swipe
from tests.test_browser_a11y import axe_js  # noqa: F401
from tests.test_browser_a11y import violations as a11y_violations

pytestmark = pytest.mark.browser

#: axe-core's tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA (target-size is wcag22aa).
WCAG22 = {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}


def violations(page, axe: str) -> list[str]:
    """axe-core's WCAG 2.2 A/AA violations on ``page``, one line per rule and element."""
    return a11y_violations(page, axe, WCAG22)


@pytest.fixture(scope="module", params=PHONES, ids=[p.name for p in PHONES])
def phone_tab(request, browser):
    """One tab of a phone (its own context), shared by every view at that phone size."""
    context = request.param.context(browser)
    page = context.new_page()
    yield page
    context.close()


def swipe_on_first_chart(page) -> tuple[float, float] | None:
    """Swipe a finger up (or down, near the page's end) from the middle of the page's first
    chart; returns (px the page scrolled, px it could have scrolled that way), or None when
    the view has no chart or the page does not scroll at all."""
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    if not chart.count():
        return None
    # the chart's top 80 px below the top of the screen (as far as the page allows)
    spot = page.evaluate(
        """([sel, scroller]) => {
            const main = document.querySelector(scroller);
            const chart = document.querySelector(sel);
            main.scrollTop += chart.getBoundingClientRect().top - 80;
            const r = chart.getBoundingClientRect();
            const y = Math.min(r.top + Math.min(r.height / 2, 200), window.innerHeight - 60);
            return {x: r.left + r.width / 2, y: Math.max(y, r.top + 10),
                    down: main.scrollHeight - main.clientHeight - main.scrollTop,
                    up: main.scrollTop};
        }""", ['[data-testid="stPlotlyChart"]', SCROLLER])
    settle(page, frames=5)
    if spot["down"] >= 120:
        return swipe(page, spot["x"], spot["y"], dy=-250), spot["down"]
    if spot["up"] >= 120:
        return -swipe(page, spot["x"], spot["y"], dy=250), spot["up"]
    return None


@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
def test_view_on_a_phone(view, phone_tab, server_url, axe_js):  # noqa: F811
    page = phone_tab
    open_view(page, f"{server_url}/{view.path}")
    assert exceptions_shown(page) == []
    assert overflowing(page) == [], "the page scrolls sideways"
    assert violations(page, axe_js) == []
    swiped = swipe_on_first_chart(page)
    if swiped is not None:
        moved, room = swiped
        assert moved >= min(100, room), (
            f"a swipe from the chart scrolled the page {moved:.0f} px (room {room:.0f} px)")


def test_one_tap_selects_a_dot_on_the_map(server_url, browser):
    """A tap on a dot of the 2-D map picks its word in the search box the first time (Plotly's
    own touch handling only hovers on a first tap), and the page asks for a tap, not a click."""
    context = PHONES[0].context(browser)
    try:
        page = context.new_page()
        open_view(page, f"{server_url}/embedding_map")
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "tap a point" in text and "click" not in text.lower()
        dot = page.locator(".st-key-map_chart .scatterlayer .point").nth(7)
        dot.scroll_into_view_if_needed()
        settle(page, frames=5)
        word = dot.evaluate("""el => {  // the dot's own word, as plotly drew it
            const trace = el.closest('.trace').__data__[0].trace;
            return trace.text[el.__data__.i]; }""")
        box = dot.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        cdp = context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent",
                 {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        page.wait_for_function("() => new URL(location.href).searchParams.has('map_find')",
                               timeout=60_000)
        wait_rerun(page)
        assert page.evaluate("() => new URL(location.href).searchParams.get('map_find')") == word
    finally:
        context.close()
