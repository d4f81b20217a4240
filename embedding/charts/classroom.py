"""Figures for a live class on the projector: how the class answered, and the class map.

    >>> answer_bars([("queen", 3), ("king", 1)], correct={"queen"}).data[0].x
    (3, 1)
"""

from __future__ import annotations

import html
import math
from collections.abc import Collection, Sequence

import numpy as np
import plotly.graph_objects as go

from embedding.charts.theme import BLUE, PALETTE, RED, colour, layout

RIGHT, WRONG, NEUTRAL = PALETTE[2], RED, BLUE
MAX_BARS = 15


def _short(label: str, width: int = 40) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def answer_bars(counts: Sequence[tuple[str, int]],
                correct: Collection[str] | None = None) -> go.Figure:
    """Horizontal bars, one per distinct answer (most common on top), green when right, red
    when wrong (grey-blue when there is no right answer). Answer text is escaped for plotly.

    Usage: ``answer_bars(results.counts, correct=set(solution.accepted))``
    """
    shown = list(counts)[:MAX_BARS]
    labels = [html.escape(_short(a)) for a, _ in shown]
    colours = [NEUTRAL if correct is None else RIGHT if a in correct else WRONG
               for a, _ in shown]
    fig = go.Figure(go.Bar(x=tuple(n for _, n in shown), y=labels, orientation="h",
                           marker_color=colours, text=[str(n) for _, n in shown],
                           textposition="auto", hovertemplate="%{y}: %{x}<extra></extra>"))
    most = max((n for _, n in shown), default=1)
    fig.update_layout(yaxis={"autorange": "reversed"}, xaxis_title="students",
                      xaxis={"dtick": max(1, math.ceil(most / 8)), "rangemode": "tozero"})
    return layout(fig, height=max(220, 40 * len(shown) + 60), top=10)


def class_map_figure(labels: Sequence[str], counts: Sequence[int], coords, groups: Sequence[int],
                     axis_name: str = "PCA") -> go.Figure:
    """Every distinct answer as a labelled point, sized by how many typed it, coloured by group.

    Usage: ``class_map_figure(m.labels, m.counts, m.coords, m.groups, "UMAP")``
    """
    xy = np.asarray(coords, dtype=float).reshape(-1, 2)
    fig = go.Figure()
    for g in sorted(set(groups)):
        idx = [i for i, x in enumerate(groups) if x == g]
        text = [html.escape(_short(labels[i], 30)) + (f" ×{counts[i]}" if counts[i] > 1 else "")
                for i in idx]
        fig.add_trace(go.Scatter(
            x=xy[idx, 0], y=xy[idx, 1], mode="markers+text", text=text,
            textposition="top center", name=f"Group {g + 1}",
            marker={"size": [14 + 8 * np.sqrt(counts[i] - 1) for i in idx],
                    "color": colour(g), "line": {"width": 1, "color": "white"}},
            hovertemplate="%{text}<extra></extra>"))
    fig.update_layout(showlegend=len(set(groups)) > 1,
                      xaxis={"title": f"{axis_name} 1", "showticklabels": False},
                      yaxis={"title": f"{axis_name} 2", "showticklabels": False})
    return layout(fig, height=520, top=10)
