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
    first = widgets._prepared(fig, "screen")
    assert widgets._prepared(fig, "screen") is first
    assert len(to_dict_calls) == 1
    big = widgets._prepared(fig, "projector")  # the projector copy: made and converted once too
    made = len(to_dict_calls)
    assert widgets._prepared(fig, "projector") is big
    assert widgets._prepared(fig, "screen") is first
    assert len(to_dict_calls) == made
    assert big.to_dict()["layout"]["font"]["size"] > 12
    assert "font" not in first.to_dict()["layout"] or first.to_dict()["layout"]["font"] == {}
    assert first.to_dict()["data"][0]["type"] == "bar"
    small = widgets._prepared(fig, "phone")  # the phone copy: once too, and once per height
    made = len(to_dict_calls)
    assert widgets._prepared(fig, "phone") is small
    assert widgets._prepared(fig, "phone", 300) is not small
    assert len(to_dict_calls) == made + 2
    assert small.to_dict()["layout"]["dragmode"] is False


def test_a_pages_own_figure_is_converted_every_time(to_dict_calls):
    """A figure a page built itself may change between two charts: never reuse its dict."""
    fig = go.Figure(go.Bar(x=[1, 2], y=["a", "b"]))
    assert not cached.is_shared_figure(fig)
    widgets._prepared(fig, "screen")
    fig.update_layout(title="changed")
    again = widgets._prepared(fig, "screen")
    assert again.to_dict()["layout"]["title"]["text"] == "changed"
    assert len(to_dict_calls) == 2


def test_many_sessions_meeting_a_new_shared_figure_convert_it_once(monkeypatch):
    """The first conversion waits (up to 1 s) for a second one to start: without the lock in
    show_chart a second session starts converting; with it, nobody does, and all reuse one."""
    import threading

    fig = cached.figure("figures.score_bars", ["owl", "emu"], [0.7, 0.3], title="burst test")
    original, calls, second = go.Figure.to_dict, [], threading.Event()

    def slow_to_dict(self):
        calls.append(id(self))
        if len(calls) == 1:
            second.wait(timeout=1.0)  # a second caller would arrive now, if it could
        else:
            second.set()
        return original(self)

    monkeypatch.setattr(go.Figure, "to_dict", slow_to_dict)
    start, got = threading.Barrier(8), []

    def draw() -> None:
        start.wait()
        got.append(widgets._prepared(fig, "screen"))

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(p) for p in got}) == 1
