"""Phones: the one place that knows a student holds the app in one hand at 360-390 px.

Three things, each static and free of user text:

* :func:`on_phone` tells a page it is drawn for a phone (the browser's User-Agent, read once
  per session), so the page can decide what comes first and what folds away, and
  :func:`ui.widgets.show_chart` can draw the phone version of a chart
  (``embedding.charts.theme.for_phone``).
* :data:`PHONE_CSS`, for any screen narrower than 640 px (Streamlit's own phone breakpoint) or
  a touch screen: less empty space above the title, titles that fit, and targets a finger can
  hit (WCAG 2.2's 24×24 px at least: radio options, toggles, the sidebar's links and button).
  It styles Streamlit's own elements through their ``data-testid`` attributes, which Streamlit
  keeps stable for its tests; tests/test_browser_phone.py measures every rule's effect, so a
  Streamlit release that renames one fails there, not silently on a phone.
* :data:`TOUCH_JS`, on touch screens: a finger that lands on a Plotly chart scrolls the page
  (Plotly would take it to pan or zoom, and cancel the scroll), and a tap is one click, so a
  tap selects a point of the map the first time instead of only hovering it.

``app.py`` calls :func:`install` once per run.

    >>> is_phone_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148")
    True
    >>> is_phone_agent("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Mobile/15E148")
    False
"""

from __future__ import annotations

import re

import streamlit as st

#: Session key: ``True``/``False`` forces phone mode (tests); unset, the User-Agent decides.
PHONE_KEY = "_phone"

_PHONE_AGENT = re.compile(r"Mobi|iPhone|iPod|Android.+Mobile|Windows Phone|Opera Mini", re.I)
_TABLET_AGENT = re.compile(r"iPad|Tablet|Kindle|Silk", re.I)


def is_phone_agent(user_agent: str) -> bool:
    """Whether a User-Agent string is a phone's ("Mobi" is in every phone browser's, and in
    no desktop's; tablets get the desktop layout, they are as wide as a small laptop)."""
    return bool(_PHONE_AGENT.search(user_agent)) and not _TABLET_AGENT.search(user_agent)


def on_phone() -> bool:
    """True when this session's browser is a phone (or :data:`PHONE_KEY` says so).

    Usage: ``kv_box = st.expander("Word vectors") if on_phone() else st.container()``
    """
    state = st.session_state
    if PHONE_KEY not in state:
        headers = st.context.headers
        state[PHONE_KEY] = (headers.get("Sec-CH-UA-Mobile") == "?1"
                            or is_phone_agent(headers.get("User-Agent", "")))
    return bool(state[PHONE_KEY])


#: Static CSS (no user text ever goes in here) for phones and touch screens; see the module
#: docstring. 44 px is the size Apple and Google recommend for a finger; WCAG 2.2 AA asks 24.
PHONE_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 4.25rem; padding-bottom: 4rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 2rem; line-height: 1.2; padding-top: 0.5rem; }
  [data-testid="stMainBlockContainer"] h2 { font-size: 1.5rem; }
  [data-testid="stMainBlockContainer"] h3 { font-size: 1.3rem; }
  [data-testid="stMainBlockContainer"] h1, [data-testid="stMainBlockContainer"] h2,
  [data-testid="stMainBlockContainer"] h3 { overflow-wrap: normal; word-break: normal; hyphens: auto; }
}
@media (max-width: 640px), (pointer: coarse) {
  [data-testid="stRadio"] [role="radiogroup"] { gap: 0.25rem 1.25rem; }
  [data-testid="stRadio"] [role="radiogroup"] > label { min-height: 2.5rem; margin: 0; align-items: center; }
  [data-testid="stCheckbox"] label { min-height: 2.5rem; align-items: center; }
  [data-testid="stSidebarNavLink"] { min-height: 2.75rem; align-items: center; }
  [data-testid="stExpandSidebarButton"] { min-width: 2.75rem; min-height: 2.75rem; width: auto; gap: 0.25rem; padding: 0 0.5rem; }
  [data-testid="stExpandSidebarButton"]::after { content: "Pages"; font-size: 1rem; }
  [data-testid="stSidebarCollapseButton"] button { min-width: 2.75rem; min-height: 2.75rem; }
  [data-testid="stPlotlyChart"] .modebar-container { display: none; }
  [data-testid="stMultiSelectTagsContainer"] input { min-width: 2.75rem; }
}
</style>"""

#: Static script (no user text), installed once per browser tab; does nothing without touch.
#: A finger that lands on a Plotly chart is hidden from Plotly, its moves too (Plotly would
#: cancel the page's scroll to pan, zoom, select or turn a 3-D chart), so the page scrolls. A
#: tap (a touch that hardly moved, under 0.6 s) is replayed to the chart as the mouse's move,
#: press and release at that spot, so one tap hovers and clicks at once (Plotly's own touch
#: handling hovers first and clicks on a second tap; iPhones do the same with the mouse events
#: they make up). The modebar keeps its own touch handling.
TOUCH_JS = """<script>
(() => {
  if (window.__touchCharts) return;
  window.__touchCharts = true;
  const onChart = (el) => el instanceof Element && el.closest(".js-plotly-plot")
                          && !el.closest(".modebar");
  let tap = null;
  document.addEventListener("touchstart", (e) => {
    if (!onChart(e.target)) { tap = null; return; }
    e.stopPropagation();
    const t = e.touches[0];
    tap = e.touches.length === 1 ? {x: t.clientX, y: t.clientY, time: e.timeStamp} : null;
  }, {capture: true, passive: true});
  // a 3-D chart listens to the finger's moves itself (and cancels the scroll): not on a phone
  document.addEventListener("touchmove", (e) => {
    if (onChart(e.target)) e.stopPropagation();
  }, {capture: true, passive: true});
  document.addEventListener("touchend", (e) => {
    if (!tap || !onChart(e.target)) return;
    const t = e.changedTouches[0], start = tap;
    tap = null;
    if (Math.hypot(t.clientX - start.x, t.clientY - start.y) > 10
        || e.timeStamp - start.time > 600) return;
    e.preventDefault();
    e.stopPropagation();
    const el = document.elementFromPoint(t.clientX, t.clientY);
    if (!el) return;
    const at = {bubbles: true, cancelable: true, view: window, button: 0,
                clientX: t.clientX, clientY: t.clientY, screenX: t.screenX, screenY: t.screenY};
    el.dispatchEvent(new MouseEvent("mousemove", {...at, buttons: 0}));
    el.dispatchEvent(new MouseEvent("mousedown", {...at, buttons: 1}));
    el.dispatchEvent(new MouseEvent("mouseup", {...at, buttons: 0}));
  }, {capture: true, passive: false});
})();
</script>"""


def install() -> None:
    """The phone CSS and the touch script, once per run (app.py, before the page runs)."""
    st.html(PHONE_CSS)
    st.sidebar.html(TOUCH_JS, unsafe_allow_javascript=True)
