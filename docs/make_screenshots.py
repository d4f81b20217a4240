"""The README's screenshots, made by a script so they never go stale: ``make screenshots``.

Starts the app (its own server on a free loopback port, or ``--url`` of a running one), opens
each shot in Debian's headless Chromium at 1280×720, waits until Streamlit has finished and the
charts are drawn (never a sleep), and writes ``docs/screenshots/<name>.png``.

    make screenshots                                   # the README's shots, 1280×720
    .venv/bin/python -m docs.make_screenshots --phone  # the same at 390×844, touch, into phone/
    .venv/bin/python -m docs.make_screenshots --all-pages --phone --full-page   # every page
    .venv/bin/python -m docs.make_screenshots --only word_order --out /tmp/shots

``tests/test_screenshots.py`` fails when the README shows a screenshot that is not made here,
or whose page is no longer in the catalogue.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 720}
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@dataclass(frozen=True)
class Shot:
    """One screenshot: the page (catalogue stem) and its link settings, what must be drawn
    before the picture is taken, and the alt text the README uses."""

    page: str
    query: str = ""
    wait_for: tuple[str, ...] = ()
    alt: str = ""
    present: bool = False  # presentation mode: big fonts, the result first, no side notes

    def url(self, base: str) -> str:
        query = "&".join(q for q in (self.query, "present=1" if self.present else "") if q)
        return f"{base}/{'' if self.page == 'home' else self.page}" + (f"?{query}" if query
                                                                       else "")


#: The README's screenshots, by file name (docs/screenshots/<name>.png).
SHOTS: dict[str, Shot] = {
    "home": Shot("home", alt="The home page: every topic of the lecture, by section"),
    "cosine_toy": Shot("cosine_toy", wait_for=(CHART,),
                       alt="The cosine calculator: you liked Avatar, recommend Ironman or "
                           "Rainman? Every step worked out"),
    "word_order": Shot("word_order", wait_for=(CHART,),
                       alt='The word-order page: averaged GloVe cannot tell "chocolate milk" '
                           'from "milk chocolate", SBERT can'),
    "embedding_map": Shot("embedding_map", wait_for=(CHART,), present=True,
                          alt="A UMAP map of 268 GloVe words on a projector, coloured by theme"),
}


def take(page, shot: Shot, base: str, path: Path, *, full_page: bool,
         timeout_ms: int = 240_000) -> None:
    """Open ``shot`` in the Playwright ``page`` and write its screenshot to ``path``."""
    page.goto(shot.url(base), wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_selector(DONE, timeout=timeout_ms)
    for selector in shot.wait_for:
        page.locator(selector).first.wait_for(timeout=timeout_ms)
    if CHART in shot.wait_for:  # plotly has drawn its axes or points, not just the frame
        page.locator(f"{CHART} .main-svg").first.wait_for(timeout=timeout_ms)
    page.wait_for_selector(DONE, timeout=timeout_ms)
    errors = page.query_selector_all('[data-testid="stException"]')
    if errors:
        raise RuntimeError(f"{shot.page}: the page shows an error: {errors[0].inner_text()}")
    page.evaluate("() => document.fonts.ready")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")


def shots_for(args) -> dict[str, Shot]:
    if args.all_pages:
        from ui.catalog import PAGES

        return {p.stem: SHOTS.get(p.stem, Shot(p.stem)) for p in PAGES}
    if args.only:
        unknown = [n for n in args.only if n not in SHOTS]
        if unknown:
            raise SystemExit(f"unknown shot(s) {unknown}; known: {', '.join(SHOTS)}")
        return {n: SHOTS[n] for n in args.only}
    return dict(SHOTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--phone", action="store_true",
                        help="390×844, touch, an iPhone's User-Agent (into phone/)")
    parser.add_argument("--all-pages", action="store_true", help="every page of the catalogue")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these shots")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not a screen")
    parser.add_argument("--out", type=Path, help="folder (default docs/screenshots[/phone])")
    parser.add_argument("--url", help="a running server (default: start one)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, chromium_path, start_server
    from tests.phone import PHONES

    out = args.out or (OUT / "phone" if args.phone else OUT)
    shots = shots_for(args)
    server = None
    base = args.url
    if base is None:
        (ROOT / ".cache").mkdir(exist_ok=True)
        base, server = start_server({"EMBEDDING_EXPLORER_WARMUP": "1"})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            # a phone: touch, mobile viewport and an iPhone's User-Agent (the server draws the
            # phone layout for it, ui.phone.on_phone), at 2x to keep the files small
            context = (PHONES[0].context(browser, scale=2) if args.phone else
                       browser.new_context(viewport=DESKTOP, device_scale_factor=1))
            page = context.new_page()
            for name, shot in shots.items():
                if args.phone:  # nobody holds a projector in their hand
                    shot = replace(shot, present=False)
                path = out / f"{name}.png"
                take(page, shot, base.rstrip("/"), path, full_page=args.full_page)
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
