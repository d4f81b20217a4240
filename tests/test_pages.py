"""Every page renders through the router without an exception."""

from __future__ import annotations

import pytest

from tests.apptest import open_page, page_files


@pytest.mark.parametrize("page", page_files())
def test_page_renders(page, kv, model):
    at = open_page(page)
    assert not at.exception, at.exception


def test_catalogue_and_pages_folder_agree():
    """Every page file is routed, and every routed page exists (none left as a placeholder)."""
    from tests.apptest import ROOT
    from ui.catalog import PAGES, available

    assert sorted(p.path for p in PAGES) == page_files()
    assert len(available(ROOT)) == len(PAGES)
