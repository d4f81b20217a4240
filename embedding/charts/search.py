"""Charts for the inside of a vector database: the recall/latency curve, labels, confusion.

    >>> from embedding.search.ann import CurvePoint
    >>> fig = recall_curve([CurvePoint(16, 0.72, 0.2, 85.0), CurvePoint(64, 0.87, 0.3, 85.0)], 64)
    >>> [t.name for t in fig.data]
    ['HNSW, one point per ef', 'ef = 64 (yours)']
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from embedding.charts.theme import colour, layout


def recall_curve(points: Sequence, current_ef: int | None = None) -> go.Figure:
    """Recall@10 against milliseconds per query as ``ef`` moves (points: ``CurvePoint``).

    Usage: ``recall_curve(ef_curve(index, vectors, queries, [16, 64, 256]), current_ef=64)``
    """
    fig = go.Figure(go.Scatter(
        x=[p.ann_ms for p in points], y=[p.recall for p in points], mode="lines+markers+text",
        # labels below and to the right of the rising curve: the first points sit at the left
        # edge, where a label to their left was cut, and above them the next point's line runs
        text=[f"ef={p.ef}" for p in points], textposition="bottom right",
        name="HNSW, one point per ef",
        marker_color=colour(0), hovertemplate="%{text}: recall %{y:.3f}, %{x:.3f} ms<extra></extra>"))
    chosen = [p for p in points if p.ef == current_ef]
    if chosen:
        fig.add_trace(go.Scatter(x=[chosen[0].ann_ms], y=[chosen[0].recall], mode="markers",
                                 marker={"size": 16, "color": colour(1), "symbol": "star"},
                                 name=f"ef = {current_ef} (yours)"))
    if points:
        fig.add_hline(y=0.95, line_dash="dot", annotation_text="recall 0.95",
                      annotation_position="bottom right")
    layout(fig, height=380, title="Recall@10 vs time per query", legend={"orientation": "h"})
    fig.update_xaxes(title="ms per query (HNSW), log scale", type="log")
    # from a tenth below the lowest recall (0 for a poor graph): the curve fills the plot
    low = min((p.recall for p in points), default=0.0)
    fig.update_yaxes(title="recall@10 vs the exact scan",
                     range=[round(max(0.0, math.floor(low * 10) / 10 - 0.1), 2), 1.05])
    return fig


def label_bars(labels: Sequence[str], scores_by_model: dict[str, Sequence[float]]) -> go.Figure:
    """One bar per label (cosine with the text), a colour per model, side by side.

    Usage: ``label_bars(["sport", "politics"], {"SBERT": [0.4, 0.1], "GloVe": [0.8, 0.7]})``
    """
    fig = go.Figure()
    for n, (name, scores) in enumerate(scores_by_model.items()):
        fig.add_trace(go.Bar(name=name, x=list(scores), y=list(labels), orientation="h",
                             marker_color=colour(n), text=[f"{s:.3f}" for s in scores],
                             textposition="auto", cliponaxis=False))
    layout(fig, height=max(240, 70 + 34 * len(labels) * max(1, len(scores_by_model))),
           barmode="group", legend={"orientation": "h"})
    # room beside a short bar for its value written outside it (a small negative cosine's
    # "-0.026" was drawn over the labels and cut to "26")
    every = [float(s) for scores in scores_by_model.values() for s in scores] or [0.0]
    low, high = min(0.0, *every), max(0.0, *every)
    pad = 0.18 * max(high - low, 0.1)
    fig.update_xaxes(title="cosine with the text",
                     range=[low - (pad if low < 0 else 0), high + pad])
    fig.update_yaxes(autorange="reversed")
    return fig


def confusion(labels: Sequence[str], matrix: np.ndarray, title: str = "") -> go.Figure:
    """Counts of true (rows) vs predicted (columns) labels as a heat-map with numbers.

    Usage: ``confusion(["a", "b"], np.array([[3, 1], [0, 2]]))``
    """
    m = np.asarray(matrix)
    fig = go.Figure(go.Heatmap(z=m, x=list(labels), y=list(labels), colorscale="Blues",
                               text=m, texttemplate="%{text}", showscale=False,
                               hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    layout(fig, height=max(320, 120 + 26 * len(labels)), title=title)
    fig.update_xaxes(title="predicted", tickangle=-45)
    fig.update_yaxes(title="true first genre", autorange="reversed")
    return fig
