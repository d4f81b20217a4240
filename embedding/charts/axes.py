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
    rows = 6  # stagger neighbours over rows, labels above and below, so they do not overlap
    ys = [(i % rows) - (rows - 1) / 2 for i in range(len(order))]
    lim = max(0.05, float(np.abs(vals).max(initial=0.0))) * 1.2
    if base is not None:
        lim = max(lim, abs(base.mean) + 1.2 * base.std)
    # a label near either end reads inward, so the chart's edge never cuts it (on a phone,
    # "homemaker" at the far right lost its last letters)
    sideways = ["left" if v > 0.5 * lim else "right" if v < -0.5 * lim else "center"
                for v in vals[order]]
    fig = go.Figure(go.Scatter(
        x=vals[order], y=ys, mode="markers+text", text=[labels[i] for i in order],
        textposition=[f"{'top' if i % 2 else 'bottom'} {s}" for i, s in enumerate(sideways)],
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
    fig.update_yaxes(visible=False, range=[-rows / 2 - 0.4, rows / 2 + 0.2])
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
