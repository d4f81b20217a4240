"""Semantic search in real headless Chromium against the real server."""

from __future__ import annotations

import pytest

from tests.browser import exceptions_shown, open_and_wait, wait_rerun

pytestmark = pytest.mark.browser


def shown(page) -> str:
    return "\n".join(page.locator('[data-testid="stMarkdownContainer"]').all_inner_texts())


def test_search_movies_type_a_query_and_stay_safe(server_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        open_and_wait(page, f"{server_url}/semantic_search")
        page.get_by_text("Interstellar (2014)").first.wait_for(timeout=180_000)
        assert exceptions_shown(page) == []

        box = page.get_by_label("Search for")
        box.fill("a movie about cooking")
        box.press("Enter")
        page.get_by_text("Julie & Julia (2009)").first.wait_for(timeout=120_000)
        wait_rerun(page)
        assert "search_q=a+movie+about+cooking" in page.url  # a shareable link
        assert page.locator("strong", has_text="cook").count() >= 1  # highlighted words

        box.fill('<img src=x onerror="alert(1)"> space **bold**')
        box.press("Enter")
        page.wait_for_url("**search_q=%3Cimg*", timeout=120_000)
        wait_rerun(page)
        page.get_by_text("Top 5 of 397").first.wait_for(timeout=120_000)
        assert page.locator('img[src="x"]').count() == 0  # shown as text, never as HTML
        assert dialogs == [] and exceptions_shown(page) == []
    finally:
        page.close()


def test_keyword_vs_semantic_and_categories_in_chromium(server_url, browser, tmp_path):
    """Issue 16 pages at projector size: the lists, the preset's reason, the genre accuracy."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        open_and_wait(page, f"{server_url}/keyword_search")
        page.get_by_text("Hybrid (RRF, k = 60)").first.wait_for(timeout=180_000)
        page.get_by_text("found by both keyword and semantic").first.wait_for(timeout=180_000)
        page.get_by_text("How good is each?").first.wait_for(timeout=180_000)  # quality table
        assert exceptions_shown(page) == []
        page.screenshot(path=str(tmp_path / "keyword_search.png"))
        open_and_wait(page, f"{server_url}/categories")
        page.get_by_text("SBERT says").first.wait_for(timeout=180_000)
        page.get_by_role("tab", name="Movie genres from plots").click()
        page.get_by_text("23.9%").first.wait_for(timeout=180_000)
        assert exceptions_shown(page) == []
        page.screenshot(path=str(tmp_path / "categories.png"))
    finally:
        page.close()
