"""Accessibility: axe-core's WCAG 2 A and AA rules on every page in real headless Chromium.

axe-core (the npm package, pinned in the Makefile's AXE_VERSION) is installed by ``make test``
into .cache/node_modules; when it is missing and npm is on PATH this test installs it the same
way. Without npm the test is skipped locally and fails in CI.

One exception, on purpose: the sidebar's page list is markup Streamlit itself renders
(``<ul>`` with ``<div>`` children, ``<li>`` outside a list) that an app cannot change; the
``list``/``listitem`` rules skip the sidebar navigation and still check the rest of the page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from embedding.classroom import exercises as exs
from tests.browser import READY, ROOT, open_and_wait, wait_rerun
from ui.catalog import available

pytestmark = pytest.mark.browser
AXE_JS = ROOT / ".cache" / "node_modules" / "axe-core" / "axe.min.js"
SIDEBAR_NAV = '[data-testid="stSidebarNav"]'
STREAMLIT_LIST_RULES = ["list", "listitem"]  # the sidebar's own markup, see the module doc
WCAG = {"type": "tag", "values": ["wcag2a", "wcag2aa"]}


def axe_version() -> str:
    """The version ``make test`` installs (one pin, in the Makefile)."""
    return re.search(r"^AXE_VERSION\s*:?=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)[1]


@pytest.fixture(scope="session")
def axe_js() -> str:
    if not AXE_JS.is_file():
        npm = shutil.which("npm")
        if npm is None:
            if os.environ.get("CI"):
                pytest.fail("npm is missing in CI: axe-core cannot be installed")
            pytest.skip("npm not installed: cannot install axe-core (sudo apt-get install npm)")
        subprocess.run([npm, "install", "--prefix", str(ROOT / ".cache"), "--no-save",
                        "--no-audit", "--no-fund", f"axe-core@{axe_version()}"], check=True,
                       capture_output=True, timeout=300)
    return AXE_JS.read_text(encoding="utf-8")


def violations(page, axe_js: str, wcag: dict = WCAG) -> list[str]:
    """axe-core's violations of ``wcag`` (WCAG 2 A/AA by default) on ``page``, one line per rule
    and element. Waits until the page is drawn and its websocket connected first: while
    Streamlit reconnects it greys out every widget label (rgba(17,17,17,0.4), #a0a0a0 on
    white, 2.6:1; checked by stopping the server under an open page), which is not the page a
    student reads."""
    page.wait_for_selector(READY, timeout=120_000)
    page.add_script_tag(content=axe_js)
    found = page.evaluate(
        """async ([wcag, listRules, nav]) => {
            const others = await axe.run(document, {runOnly: wcag,
                rules: Object.fromEntries(listRules.map(r => [r, {enabled: false}]))});
            const lists = await axe.run({exclude: [[nav]]},
                {runOnly: {type: "rule", values: listRules}});
            return [...others.violations, ...lists.violations].flatMap(v => v.nodes.map(
                n => `${v.id}: ${n.target.join(" ")} :: ${n.failureSummary.split("\\n")[1] || ""}`));
        }""",
        [wcag, STREAMLIT_LIST_RULES, SIDEBAR_NAV])
    return found


def url_path(path: str) -> str:
    stem = path.removeprefix("pages/").removesuffix(".py")
    return "" if stem == "home" else stem


PAGES = [url_path(p.path) for p in available(ROOT)]


@pytest.mark.parametrize("path", PAGES, ids=[p or "home" for p in PAGES])
def test_every_page_meets_wcag_aa(path, server_url, browser, axe_js):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        open_and_wait(page, f"{server_url}/{path}")
        assert violations(page, axe_js) == []
    finally:
        page.close()


def test_qr_code_and_presentation_mode_meet_wcag_aa(server_url, browser, axe_js):
    """The exercise builder's share section (QR code image) and a page on the projector."""
    token = exs.encode_set(exs.EXAMPLE_SET)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        open_and_wait(page, f"{server_url}/exercises?ex={token}")
        page.get_by_text("Build (instructor)").click()
        page.wait_for_selector('[data-testid="stImage"] img', timeout=120_000)
        wait_rerun(page)
        assert page.locator('[data-testid="stImage"] img').first.get_attribute("alt")
        assert violations(page, axe_js) == []
        open_and_wait(page, f"{server_url}/semantic_search?present=1")
        page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=120_000)
        assert violations(page, axe_js) == []
    finally:
        page.close()
