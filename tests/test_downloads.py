"""ui.widgets.downloads: a CSV and an HTML button under a table and a chart, in few elements."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

_APP = """
import pandas as pd
import plotly.graph_objects as go
from ui.widgets import downloads
downloads("demo", df=pd.DataFrame({"a": [1]}), fig=go.Figure(), key="demo")
downloads("table_only", df=pd.DataFrame({"a": [1]}), key="only")
"""


def test_downloads_are_one_row_of_buttons():
    at = AppTest.from_string(_APP, default_timeout=60).run()
    assert not at.exception, at.exception
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Table as CSV", "Chart as HTML", "Table as CSV"]
    rows = list(at.main.children.values())
    assert len(rows) == 2  # one block per call: no empty columns drawn on every run
    assert [len(r.children) for r in rows] == [2, 1]
