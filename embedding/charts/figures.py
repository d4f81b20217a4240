"""Plotly figure builders: data in, ``go.Figure`` out; pages call ``st.plotly_chart(fig)``.

    >>> fig = similarity_heatmap(["cat", "dog"], [[1.0, 0.92], [0.92, 1.0]])
    >>> fig.data[0].type
    'heatmap'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from embedding.charts.theme import colour, layout


def vector_arrows(vectors: Mapping[str, Sequence[float]]) -> go.Figure:
    """Arrows from the origin for 2-D or 3-D vectors (raises ``ValueError`` for other sizes).

    Usage: ``vector_arrows({"Avatar": [1, 2, 2], "Ironman": [3, 7, 8]})``
    """
    items = [(name, np.asarray(v, dtype=float)) for name, v in vectors.items()]
    dims = {v.size for _, v in items}
    if len(dims) != 1 or dims.pop() not in (2, 3):
        raise ValueError("Arrows can be drawn for 2-D or 3-D vectors only.")
    fig = go.Figure()
    if items[0][1].size == 2:
        for i, (name, v) in enumerate(items):
            fig.add_trace(go.Scatter(x=[0, v[0]], y=[0, v[1]], mode="lines+markers+text",
                                     name=name, text=["", name], textposition="top center",
                                     line={"color": colour(i), "width": 3},
                                     marker={"size": [0, 10], "symbol": "arrow",
                                             "angleref": "previous"}))
        lim = max(1.0, float(max(np.abs(v).max() for _, v in items))) * 1.15
        fig.update_xaxes(range=[-lim, lim], zeroline=True)
        fig.update_yaxes(range=[-lim, lim], zeroline=True, scaleanchor="x", scaleratio=1)
    else:
        for i, (name, v) in enumerate(items):
            fig.add_trace(go.Scatter3d(x=[0, v[0]], y=[0, v[1]], z=[0, v[2]],
                                       mode="lines+text", name=name, text=["", name],
                                       line={"color": colour(i), "width": 6}))
            fig.add_trace(go.Cone(x=[v[0]], y=[v[1]], z=[v[2]], u=[v[0]], v=[v[1]], w=[v[2]],
                                  sizemode="absolute", sizeref=0.08 * float(np.linalg.norm(v)),
                                  anchor="tip", showscale=False, name=name,
                                  colorscale=[[0, colour(i)], [1, colour(i)]], hoverinfo="skip"))
        fig.update_layout(scene={"aspectmode": "data"})
    layout(fig, height=480, top=30, legend={"orientation": "h"})
    return fig


def short_number(x: float) -> str:
    """A cosine in at most four characters for a small cell: two decimals, no leading zero.

    Usage: ``[short_number(x) for x in (0.78, -0.031, 1.0)]`` → ``['.78', '−.03', '1']``
    """
    text = f"{x:.2f}"
    if text in ("1.00", "-1.00"):
        return text[:-3].replace("-", "−")
    return text.replace("0.", ".", 1).replace("-", "−")


#: Text in a heat-map's cells on a narrow chart: about 7 px a character at 12 px, and a cell
#: needs this many px for its four characters (".78", "−.03").
SHORT_CELL_PX = 22
FULL_CELL_PX = 34


def similarity_heatmap(labels: Sequence[str], matrix, title: str = "", *,
                       width: int | None = None, hover_names: Sequence[str] | None = None
                       ) -> go.Figure:
    """A labelled cosine matrix with the value written in every cell.

    ``width`` (px, e.g. a phone's chart) fits the cells' text to it: two decimals where a cell
    has room, the short form (``.78``) where it has less, none where even that would not fit
    (hover shows it); the colour bar then only appears when the cells have no text.
    ``hover_names`` name the rows and columns on hover (e.g. whole sentences when the labels
    are numbers).

    Usage: ``similarity_heatmap(["cat", "dog"], [[1, .92], [.92, 1]])``
    """
    m = np.asarray(matrix, dtype=float)
    short = [lbl if len(lbl) <= 40 else lbl[:37] + "…" for lbl in labels]
    text, template, scale = np.round(m, 2), "%{text}", True
    if width is not None:
        cell = (width - 20 - 7 * max((len(lbl) for lbl in short), default=1)) / max(1, len(m))
        if cell < SHORT_CELL_PX:
            text, template = None, None
        elif cell < FULL_CELL_PX:
            text = np.vectorize(short_number)(m)
        scale = text is None
    names = list(hover_names) if hover_names is not None else short
    hover = [[f"{names[i]} · {names[j]}" for j in range(len(m))] for i in range(len(m))]
    fig = go.Figure(go.Heatmap(z=m, x=short, y=short, zmin=-1 if m.min() < 0 else 0, zmax=1,
                               colorscale="Viridis", text=text, texttemplate=template,
                               customdata=hover, showscale=scale,
                               hovertemplate="%{customdata}<br>cosine %{z:.3f}<extra></extra>",
                               colorbar={"title": "cosine"}))
    side = max(360, min(900, 60 + 42 * len(labels)))
    if width is not None:  # square cells: the grid as tall as it is wide, plus its labels
        side = min(side, width + 60)
    layout(fig, height=side, title=title)
    fig.update_xaxes(type="category")  # labels like "1", "2" are names, not numbers
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def score_bars(labels: Sequence[str], scores: Sequence[float], title: str = "",
               highlight: int | None = None, x_title: str = "cosine similarity") -> go.Figure:
    """Horizontal bars of cosine scores (or another score, named by ``x_title``), best at the top.

    Usage: ``score_bars(["Ironman", "Rainman"], [0.9959, 0.4685])``
    """
    colors = [colour(1) if i == highlight else colour(0) for i in range(len(labels))]
    fig = go.Figure(go.Bar(x=list(scores), y=list(labels), orientation="h", marker_color=colors,
                           text=[f"{s:.4f}" for s in scores], textposition="auto",
                           hovertemplate="%{y}: %{x:.4f}<extra></extra>"))
    layout(fig, height=max(220, 60 + 32 * len(labels)), title=title)
    fig.update_xaxes(title=x_title, range=[min(0.0, min(scores, default=0)) , 1.05])
    fig.update_yaxes(autorange="reversed")
    return fig


def model_comparison(pair_labels: Sequence[str], glove_scores: Sequence[float],
                     sbert_scores: Sequence[float], *, horizontal: bool = False) -> go.Figure:
    """Grouped bars: GloVe-average vs SBERT cosine for each pair of texts.

    ``horizontal`` lays the bars across, each pair's label on two lines beside its bars and the
    legend above them: the shape for a narrow (phone) chart, where upright labels get cut.

    Usage: ``model_comparison(["chocolate milk / milk chocolate"], [1.0], [0.98])``
    """
    low = min([0.0, *glove_scores, *sbert_scores])
    if horizontal:
        labels = [label.replace(" / ", " /<br>", 1) for label in pair_labels]
        fig = go.Figure()
        for name, scores, i in (("GloVe average", glove_scores, 0), ("SBERT", sbert_scores, 1)):
            fig.add_trace(go.Bar(name=name, y=labels, x=list(scores), orientation="h",
                                 marker_color=colour(i), text=[f"{s:.3f}" for s in scores],
                                 textposition="inside", insidetextanchor="end",
                                 hovertemplate="%{y}: %{x:.3f}<extra>" + name + "</extra>"))
        layout(fig, height=80 + 46 * len(labels), top=30, barmode="group",
               legend={"orientation": "h", "x": 0, "xref": "container", "y": 1.0,
                       "yanchor": "bottom"})
        fig.update_xaxes(title="cosine", range=[low, 1.0])
        fig.update_yaxes(autorange="reversed")
        return fig
    fig = go.Figure()
    fig.add_trace(go.Bar(name="GloVe average", x=list(pair_labels), y=list(glove_scores),
                         marker_color=colour(0), text=[f"{s:.3f}" for s in glove_scores]))
    fig.add_trace(go.Bar(name="SBERT", x=list(pair_labels), y=list(sbert_scores),
                         marker_color=colour(1), text=[f"{s:.3f}" for s in sbert_scores]))
    layout(fig, height=420, top=30, barmode="group",
           yaxis={"title": "cosine", "range": [low, 1.05]}, legend={"orientation": "h"})
    return fig


def vector_strips(rows: Mapping[str, Sequence[float]], title: str = "") -> go.Figure:
    """Vectors drawn as coloured strips (one row each, one cell per dimension), to compare by eye.

    Usage: ``vector_strips({"chocolate milk": v1, "milk chocolate": v2})``
    """
    names = list(rows)
    z = np.asarray([np.asarray(rows[n], dtype=float) for n in names])
    lim = float(np.abs(z).max()) or 1.0
    fig = go.Figure(go.Heatmap(z=z, y=names, colorscale="RdBu", zmin=-lim, zmax=lim,
                               hovertemplate="%{y}<br>dimension %{x}: %{z:.3f}<extra></extra>",
                               colorbar={"title": "value"}))
    layout(fig, height=120 + 50 * len(names), title=title)
    fig.update_xaxes(title="dimension")
    return fig
