"""A student's phone in headless Chromium: profiles, touch swipes and what a page looks like.

Used by the phone tests (tests/test_browser_phone.py) and, as a command, to measure every page
and tab at phone size and save screenshots (docs/phone.md has the before/after table):

    .venv/bin/python -m tests.phone --url http://localhost:8501 [--shots DIR] [--only NAME…]

Every view names its **main result** (the number, chart or table the page is for): the report
gives where it starts on the page, in screens, and the page's length in screens.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.browser import (
    ANDROID_UA,
    CHROMIUM_ARGS,
    DONE,
    IPHONE_UA,
    chromium_path,
    exceptions_shown,
)


@dataclass(frozen=True)
class Phone:
    name: str
    width: int
    height: int
    scale: int
    user_agent: str

    def context(self, browser, scale: int | None = None):
        """A fresh touch context (mobile viewport, touch events, this phone's User-Agent)."""
        return browser.new_context(
            viewport={"width": self.width, "height": self.height},
            device_scale_factor=scale or self.scale, is_mobile=True, has_touch=True,
            user_agent=self.user_agent)


#: The two phones of issue 26: an iPhone 12-15 (390×844 at 3×) and a small Android (360×740).
PHONES = (Phone("390x844", 390, 844, 3, IPHONE_UA), Phone("360x740", 360, 740, 2, ANDROID_UA))
SMALL = PHONES[1]


@dataclass(frozen=True)
class View:
    """One page (or tab) as a student opens it: a path with its query, and a CSS selector for
    its main result (the first match)."""

    name: str
    path: str
    result: str


VIEWS: tuple[View, ...] = (
    View("home", "", '[data-testid="stMain"] [data-testid="stPageLink"]'),
    View("cosine_toy", "cosine_toy", RECOMMENDATION := '[data-testid="stMetric"], '
         '[data-testid="stAlertContentSuccess"]'),
    View("cosine_toy · 2nd steps tab", "cosine_toy?toy_tab=2", RECOMMENDATION),
    View("word_similarity", "word_similarity", '[data-testid="stMetric"]'),
    View("neighbours", "neighbours", '.st-key-nb_chart, [data-testid="stDataFrame"]'),
    View("neighbours · analogies", "neighbours?nb_tab=2",
         '.st-key-nb_an_chart, [data-testid="stDataFrame"]'),
    View("semantic_axes", "semantic_axes", ".st-key-ax_chart"),
    View("semantic_axes · two axes", "semantic_axes?ax_mode=Two+axes", ".st-key-ax_scatter"),
    View("sentence_similarity", "sentence_similarity", '[data-testid="stMetric"]'),
    View("heatmap", "heatmap", ".st-key-heat_chart"),
    View("heatmap · sentences", "heatmap?heat_kind=Sentences", ".st-key-heat_chart"),
    View("word_order", "word_order", '[data-testid="stMetric"]'),
    View("bert_tokens", "bert_tokens", '[data-testid="stDataFrame"]'),
    View("embedding_map", "embedding_map", ".st-key-map_chart"),
    View("embedding_map · 3-D", "embedding_map?map_dims=3", ".st-key-map_chart"),
    View("embedding_map · sentences", "embedding_map?map_set=sentences", ".st-key-map_chart"),
    View("semantic_search", "semantic_search", ".st-key-search_results_chart"),
    View("semantic_search · GloVe vs SBERT", "semantic_search?search_view=GloVe+vs+SBERT",
         ".st-key-search_cmp_glove_chart"),
    View("semantic_search · your documents", "semantic_search?search_view=Your+documents",
         '[data-testid="stFileUploader"]'),
    View("keyword_search", "keyword_search", '[data-testid="stDataFrame"]'),
    View("vector_index", "vector_index", '[data-testid="stMain"] [data-testid="stButton"], '
         '[data-testid="stMetric"]'),
    View("categories", "categories", '[data-testid="stMetric"]'),
    View("categories · genres", "categories?cat_tab=2", '[data-testid="stMetric"]'),
    View("recommendations", "recommendations", '[data-testid="stMain"] .stMarkdown strong'),
    View("recommendations · cold start", "recommendations?rec_tab=2",
         '[data-testid="stMain"] .stMarkdown strong'),
    View("recommendations · toy", "recommendations?rec_tab=3", '[data-testid="stAlert"]'),
    View("x2vec", "x2vec", '[data-testid="stPlotlyChart"]'),
    View("x2vec · train", "x2vec?x2v_tab=2", ".st-key-x2v_loss"),
    View("x2vec · product2vec", "x2vec?x2v_tab=3", ".st-key-x2v_products"),
    View("exercises", "exercises", '[data-testid="stMain"] [data-testid="stForm"], '
         '[data-testid="stMain"] [data-testid="stTextInput"]'),
    View("live_class", "live_class", '[data-testid="stMain"] [data-testid="stTextInput"]'),
)


# ---------------------------------------------------------------- measuring a page

#: The page scrolls inside Streamlit's main section, not the document.
SCROLLER = '[data-testid="stMain"]'
_SCROLL_TOP = f"() => document.querySelector('{SCROLLER}').scrollTop"


def open_view(page, url: str, timeout_ms: int = 180_000) -> None:
    """Open ``url`` and wait until the script has run and every chart is drawn."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_selector(DONE, timeout=timeout_ms)
    # Streamlit loads a chart's code when a page first draws one: wait for that, then the charts
    page.wait_for_load_state("networkidle", timeout=timeout_ms)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(c => c.querySelector('.main-svg, canvas'))""", timeout=timeout_ms)
    settle(page)


def settle(page, frames: int = 20, most: int = 600) -> None:
    """Wait until the page's height has not changed for ``frames`` animation frames (tables
    and charts size themselves after the script has finished), at most ``most`` frames."""
    page.evaluate(
        """([frames, most]) => new Promise(done => {
            const main = document.querySelector('[data-testid="stMain"]');
            let last = -1, same = 0, n = 0;
            const tick = () => {
                const h = main.scrollHeight;
                same = h === last ? same + 1 : 0;
                last = h;
                if (same >= frames || ++n >= most) done(); else requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
        })""", [frames, most])


def scroll_top(page) -> float:
    return page.evaluate(_SCROLL_TOP)


def layout_numbers(page, result: str) -> dict:
    """Page length and where the main result starts, both in px of the scrolling page, and
    the viewport height; ``result_top`` is None when the selector matches nothing."""
    return page.evaluate(
        """(sel) => {
            const main = document.querySelector('[data-testid="stMain"]');
            const el = document.querySelector(sel);
            const top = el ? el.getBoundingClientRect().top + main.scrollTop : null;
            return {length: main.scrollHeight, result_top: top,
                    result_height: el ? el.getBoundingClientRect().height : null,
                    viewport: window.innerHeight};
        }""", result)


def overflowing(page) -> list[str]:
    """Elements whose right edge is beyond the viewport (a page that scrolls sideways), except
    inside elements that scroll on their own (tables, code) or are hidden off-screen (the
    collapsed sidebar)."""
    return page.evaluate(
        """() => {
            const W = document.documentElement.clientWidth;
            const out = [];
            const main = document.querySelector('[data-testid="stMain"]');
            if (main.scrollWidth > main.clientWidth + 1) out.push(`main scrolls: ${main.scrollWidth}px`);
            for (const el of main.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.right <= W + 1) continue;
                let clipped = false;
                for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
                    const s = getComputedStyle(p);
                    if (/(auto|scroll|hidden|clip)/.test(s.overflowX) && p.getBoundingClientRect().right <= W + 1) {
                        clipped = true; break;
                    }
                }
                if (!clipped) out.push(`${el.tagName.toLowerCase()}${el.dataset.testid ? '[' + el.dataset.testid + ']' : ''} right=${Math.round(r.right)}`);
            }
            return out.slice(0, 10);
        }""")


def swipe(page, x: float, y: float, dy: float = -300, steps: int = 8) -> float:
    """A one-finger vertical swipe (real touch events through Chromium's input pipeline, as a
    finger makes them) starting at (x, y); returns how far the page scrolled, in px."""
    cdp = page.context.new_cdp_session(page)
    before = scroll_top(page)
    try:
        cdp.send("Input.dispatchTouchEvent",
                 {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for i in range(1, steps + 1):
            cdp.send("Input.dispatchTouchEvent",
                     {"type": "touchMove", "touchPoints": [{"x": x, "y": y + dy * i / steps}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        # the scroll lands in a later frame: wait for two animation frames, not a fixed time
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    finally:
        cdp.detach()
    return scroll_top(page) - before


# ---------------------------------------------------------------- the command

def measure(url: str, names: list[str] | None, shots: Path | None, phone: Phone) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        ctx = phone.context(browser)
        for view in VIEWS:
            if names and not any(n in view.name for n in names):
                continue
            page = ctx.new_page()
            print(view.name, file=sys.stderr, flush=True)
            try:
                open_view(page, f"{url}/{view.path}")
                nums = layout_numbers(page, view.result)
                row = {"view": view.name, **nums, "errors": exceptions_shown(page),
                       "overflow": overflowing(page)}
                rows.append(row)
                if shots is not None:
                    shots.mkdir(parents=True, exist_ok=True)
                    stem = view.name.replace(" · ", "-").replace(" ", "_")
                    page.screenshot(path=str(shots / f"{stem}.png"))
                    full = nums["length"]
                    page.set_viewport_size({"width": phone.width, "height": int(full)})
                    page.wait_for_selector(DONE)
                    page.screenshot(path=str(shots / f"{stem}-full.png"))
                    page.set_viewport_size({"width": phone.width, "height": phone.height})
            finally:
                page.close()
        browser.close()
    return rows


#: A result counts as seen when this much of it (a number whole; a chart's title and first
#: rows) is on screen.
SEEN_PX = 200


def screens_to_result(row: dict) -> float | None:
    """How far down the page the main result is seen, in screens: ≤ 1 is the first screen."""
    if row["result_top"] is None:
        return None
    return (row["result_top"] + min(row["result_height"], SEEN_PX)) / row["viewport"]


def report(rows: list[dict]) -> str:
    lines = ["| page | screens to the main result | page length (screens) |", "|---|---|---|"]
    for r in rows:
        at = screens_to_result(r)
        lines.append(f"| {r['view']} | {'not shown' if at is None else f'{at:.2f}'} | "
                     f"{r['length'] / r['viewport']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8501")
    parser.add_argument("--phone", default=SMALL.name, choices=[p.name for p in PHONES])
    parser.add_argument("--shots", type=Path, help="save a first-screen and a full screenshot")
    parser.add_argument("--only", nargs="*", help="views whose name contains one of these")
    args = parser.parse_args(argv)
    phone = next(p for p in PHONES if p.name == args.phone)
    rows = measure(args.url.rstrip("/"), args.only, args.shots, phone)
    print(report(rows))
    for r in rows:
        if r["errors"] or r["overflow"]:
            print(f"{r['view']}: errors {r['errors']} overflow {r['overflow']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
