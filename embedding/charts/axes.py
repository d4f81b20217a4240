"""Charts of semantic axes: words as dots along one axis, or placed by two axes at once.

Figures in, nothing drawn: the Semantic axes page passes them to ``st.plotly_chart``.

Usage: ``st.plotly_chart(axis_strip(keys, scores(kv, keys, axis), axis, baseline(kv, axis)))``
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from embedding.charts.theme import BLUE, GREY, MUTED, RED, layout
from embedding.words.axes import Axis, Baseline

#: Rows the words of :func:`axis_strip` are spread over. A row's labels go above or below its
#: dots: two tracks a row, and a gap between rows holds a label of each without touching.
ROWS = 6
#: The narrowest plot the strip is drawn in (a phone: 360 px wide, less the margins), and the
#: width of one character of its labels there, in pixels: labels are kept apart for this size.
PLOT_PX, CHAR_PX = 280, 7.0
#: The rows from the middle of the chart outward: a few words sit in its middle, not along
#: the bottom edge with an empty band above them.
_MIDDLE_OUT = sorted(range(ROWS), key=lambda r: (abs(r - (ROWS - 1) / 2), r))
#: The tracks in the order they are filled: above every row first, then below (not below the
#: lowest row: the band's "typical word" note is there), each from the middle outward.
TRACKS = (tuple((r, "top") for r in _MIDDLE_OUT)
          + tuple((r, "bottom") for r in _MIDDLE_OUT if r > 0))


def label_extent(x: float, label: str, side: str, lim: float) -> tuple[float, float]:
    """Where a label sits along an axis drawn from ``-lim`` to ``lim`` (data units), on the
    narrowest plot: centred on its dot, or reading inward (``side``: "left" ends at the dot).

    >>> [round(x, 4) for x in label_extent(0.0, "soup", "center", 0.3)]
    [-0.0364, 0.0364]
    """
    half = (len(label) * CHAR_PX + 6) / PLOT_PX * lim  # 2·lim over PLOT_PX, half of the width
    if side == "left":
        return x - 2 * half, x
    if side == "right":
        return x, x + 2 * half
    return x - half, x + half


def label_tracks(xs: Sequence[float], labels: Sequence[str], sides: Sequence[str],
                 lim: float) -> list[tuple[int, str]]:
    """A track (row, "top" or "bottom", see :data:`TRACKS`) for each word, given in order
    along the axis, so that no two labels in one track overlap on the narrowest plot: each
    goes to the first track whose last label ends before it starts; when every track is
    taken, to the one that frees up first.

    >>> label_tracks([0.0, 0.001, 0.2], ["cat", "dog", "eel"], ["center"] * 3, 0.3)
    [(2, 'top'), (3, 'top'), (2, 'top')]
    """
    ends = dict.fromkeys(TRACKS, float("-inf"))
    tracks = []
    for x, label, side in zip(xs, labels, sides, strict=True):
        start, end = label_extent(x, label, side, lim)
        track = next((t for t in TRACKS if ends[t] < start), None) or min(TRACKS, key=ends.get)
        ends[track] = end
        tracks.append(track)
    return tracks


def axis_strip(
    labels: Sequence[str], values: Sequence[float], axis: Axis, base: Baseline | None = None
) -> go.Figure:
    """Words as dots on one horizontal axis, labelled, with the usual spread shaded.

    Usage: ``axis_strip(["ice", "fire"], [-0.2, 0.3], axis, baseline(kv, axis))``
    """
    vals = np.asarray(values, dtype=float)
    order = np.argsort(vals, kind="stable")
    # a dot inside the typical band (mean ± 1 sd) leans toward neither end: grey, not by sign
    side = base.side if base is not None else (lambda v: -1 if v < 0 else 1)
    colors = [{-1: RED, 0: GREY, 1: BLUE}[side(float(v))] for v in vals[order]]
    lim = max(0.05, float(np.abs(vals).max(initial=0.0))) * 1.2
    if base is not None:
        lim = max(lim, abs(base.mean) + 1.2 * base.std)
    # a label near either end reads inward, so the chart's edge never cuts it (on a phone,
    # "homemaker" at the far right lost its last letters)
    sideways = ["left" if v > 0.5 * lim else "right" if v < -0.5 * lim else "center"
                for v in vals[order]]
    names = [labels[i] for i in order]
    tracks = label_tracks([float(v) for v in vals[order]], names, sideways, lim)
    ys = [r - (ROWS - 1) / 2 for r, _ in tracks]
    fig = go.Figure(go.Scatter(
        x=vals[order], y=ys, mode="markers+text", text=names,
        textposition=[f"{t} {s}" for (_, t), s in zip(tracks, sideways, strict=True)],
        marker={"size": 12, "color": colors},
        hovertemplate="%{text}: %{x:.3f}<extra></extra>", showlegend=False,
    ))
    if base is not None:
        fig.add_vrect(x0=base.mean - base.std, x1=base.mean + base.std, fillcolor=MUTED,
                      opacity=0.25, line_width=0, annotation_text="typical word (±1 sd)",
                      annotation_position="bottom left")
    fig.add_vline(x=0, line_dash="dot", line_color=GREY)
    fig.update_xaxes(range=[-lim, lim], title=f"← closer to {axis.low}      score      "
                     f"closer to {axis.high} →", zeroline=False)
    fig.update_yaxes(visible=False, range=[-ROWS / 2 - 0.4, ROWS / 2 + 0.2])
    return layout(fig, height=420, top=30, title=f"Projection on {axis.name}")


def axes_scatter(
    labels: Sequence[str], x: Sequence[float], y: Sequence[float], x_axis: Axis, y_axis: Axis
) -> go.Figure:
    """Words placed by their scores on two axes, with the four quadrants marked.

    Usage: ``axes_scatter(["ice", "fire"], [-0.2, 0.3], [0.1, -0.1], cold_hot, small_big)``
    """
    fig = go.Figure(go.Scatter(
        x=list(x), y=list(y), mode="markers+text", text=list(labels), textposition="top center",
        marker={"size": 11, "color": BLUE},
        hovertemplate="%{text}<br>x %{x:.3f}<br>y %{y:.3f}<extra></extra>", showlegend=False,
    ))
    fig.add_vline(x=0, line_dash="dot", line_color=GREY)
    fig.add_hline(y=0, line_dash="dot", line_color=GREY)
    fig.update_xaxes(title=f"← {x_axis.low}      {x_axis.high} →")
    fig.update_yaxes(title=f"← {y_axis.low}      {y_axis.high} →")
    return layout(fig, height=560, top=30, title=f"{x_axis.name}  ×  {y_axis.name}")
