"""Presentation mode (present=1): every page renders, and its charts carry projector fonts."""

from __future__ import annotations

import json

import pytest

from embedding.charts import theme
from tests.apptest import open_page, page_files


@pytest.mark.slow
@pytest.mark.parametrize("page", page_files())
def test_page_renders_in_presentation_mode(page, kv, model):
    at = open_page(page, {"present": "1"})
    assert not at.exception, at.exception


def test_charts_use_projector_fonts_in_presentation_mode(kv, model):
    """Word similarity's chart: 12 px plotly default on screen, 20 px on the projector."""
    normal = open_page("pages/word_similarity.py")
    present = open_page("pages/word_similarity.py", {"present": "1"})

    def font(at) -> int | None:
        charts = at.get("plotly_chart")
        assert charts, "no chart on the page"
        return json.loads(charts[0].proto.spec)["layout"].get("font", {}).get("size")

    assert font(normal) is None
    assert font(present) == round(theme.BASE_FONT * theme.PROJECTOR_SCALE)
