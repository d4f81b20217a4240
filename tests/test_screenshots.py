"""The README's screenshots come from docs/make_screenshots.py (``make screenshots``): each one
it shows is a shot the script makes, of a page still in the catalogue, at 1280×720."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from docs.make_screenshots import DESKTOP, OUT, SHOTS, Shot, take
from ui.catalog import PAGES

ROOT = Path(__file__).resolve().parents[1]


def readme_shots() -> list[str]:
    """The names of the screenshots the README shows (``docs/screenshots/<name>.png``)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"!\[[^\]]*\]\(docs/screenshots/([\w-]+)\.png\)", text)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_the_readme_shows_screenshots():
    assert len(readme_shots()) >= 3


def problems(name: str, shots: dict[str, Shot] = SHOTS) -> list[str]:
    """What is wrong with the README's screenshot ``name`` (nothing: ``[]``)."""
    if name not in shots:
        return [f"README shows {name}.png, which `make screenshots` does not make"]
    page = shots[name].page
    out = []
    if page not in {p.stem for p in PAGES} or not (ROOT / "pages" / f"{page}.py").is_file():
        out.append(f"{name}.png shows the page {page!r}, which is no longer in the app")
    path = OUT / f"{name}.png"
    if not path.is_file():
        out.append(f"{name}.png is missing: run `make screenshots`")
    elif png_size(path) != (DESKTOP["width"], DESKTOP["height"]):
        out.append(f"{name}.png is not {DESKTOP['width']}x{DESKTOP['height']}")
    return out


@pytest.mark.parametrize("name", readme_shots())
def test_each_readme_screenshot_is_made_by_the_script_of_a_live_page(name):
    assert problems(name) == []


def test_no_stale_screenshots():
    """Every picture in docs/screenshots/ is one the README shows (phone/ is the phone's)."""
    assert sorted(p.stem for p in OUT.glob("*.png")) == sorted(readme_shots())


def test_every_shot_is_of_a_catalogue_page():
    stems = {p.stem for p in PAGES}
    assert {s.page for s in SHOTS.values()} <= stems


def test_a_missing_page_is_caught():
    """A shot of a page that left the app, and a shot the script does not make, are caught."""
    shots = {**SHOTS, "word_order": Shot("no_such_page")}
    assert "no longer in the app" in problems("word_order", shots)[0]
    assert "does not make" in problems("not_a_shot")[0]


@pytest.mark.browser
def test_the_script_takes_a_shot(server_url, browser, tmp_path):
    page = browser.new_page(viewport=DESKTOP)
    try:
        take(page, SHOTS["word_order"], server_url, tmp_path / "shot.png", full_page=False)
    finally:
        page.close()
    assert png_size(tmp_path / "shot.png") == (1280, 720)
