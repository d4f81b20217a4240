"""show_chart: a figure shared by every session is turned into plotly's dict once, not per run."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from ui import cached, widgets


@pytest.fixture
def to_dict_calls(monkeypatch):
    calls: list[int] = []
    original = go.Figure.to_dict

    def counting(self):
        calls.append(id(self))
        return original(self)

    monkeypatch.setattr(go.Figure, "to_dict", counting)
    return calls


def test_a_shared_figure_is_converted_once_per_mode(to_dict_calls):
    fig = cached.figure("figures.score_bars", ["cat", "dog"], [0.9, 0.5], title="memo test")
    assert cached.is_shared_figure(fig)
    first = widgets._prepared(fig, False)
    assert widgets._prepared(fig, False) is first
    assert len(to_dict_calls) == 1
    big = widgets._prepared(fig, True)  # the projector copy: made and converted once too
    made = len(to_dict_calls)
    assert widgets._prepared(fig, True) is big
    assert widgets._prepared(fig, False) is first
    assert len(to_dict_calls) == made
    assert big.to_dict()["layout"]["font"]["size"] > 12
    assert "font" not in first.to_dict()["layout"] or first.to_dict()["layout"]["font"] == {}
    assert first.to_dict()["data"][0]["type"] == "bar"


def test_a_pages_own_figure_is_converted_every_time(to_dict_calls):
    """A figure a page built itself may change between two charts: never reuse its dict."""
    fig = go.Figure(go.Bar(x=[1, 2], y=["a", "b"]))
    assert not cached.is_shared_figure(fig)
    widgets._prepared(fig, False)
    fig.update_layout(title="changed")
    again = widgets._prepared(fig, False)
    assert again.to_dict()["layout"]["title"]["text"] == "changed"
    assert len(to_dict_calls) == 2
