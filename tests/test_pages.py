"""Every page renders through the router without an exception."""

from __future__ import annotations

import pytest

from tests.apptest import open_page, page_files


@pytest.mark.parametrize("page", page_files())
def test_page_renders(page, kv, model):
    at = open_page(page)
    assert not at.exception, at.exception
