"""Plotly builders for embedding maps: coordinates in, an interactive scatter out.

Points are coloured by category (click a legend entry to hide one), hover shows each point's
nearest neighbours in the *full* space, and a highlighted point gets lines to those true
neighbours, so students see where the map tells the truth and where it does not.

    >>> coords = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
    >>> fig = embedding_map(coords, ["cat", "dog", "paris"], ["animals", "animals", "capitals"])
    >>> [t.name for t in fig.data]
    ['animals', 'capitals']
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from embedding.charts.theme import HIGHLIGHT, colour, layout

#: Above this many points a 2-D map is drawn with WebGL (smooth with 5,000 points).
WEBGL_FROM = 1_000
#: Most points a 3-D map shows: without a GPU a browser draws a 3-D scene in software, and
#: 2,000 points took 4–9 s (pages cap the set and say so; the 2-D map has no such limit).
MAX_3D_POINTS = 1_000
LABEL_CHARS = 28


def short_label(label: str, width: int = LABEL_CHARS) -> str:
    """A label cut to ``width`` characters with an ellipsis, for text on the map.

    Usage: ``short_label("The striker scored twice in the second half.", 20)``
    → ``"The striker scored…"``
    """
    label = " ".join(label.split())
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def hover_text(label: str, category: str, neighbours: Sequence[tuple[str, float]] = (),
               space: str = "full space") -> str:
    """Hover box: the label (escaped, wrapped), its category and its nearest neighbours.

    Usage: ``hover_text("cat", "animals", [("dog", 0.92)], "50-d GloVe")``
    """
    lines = [f"<b>{html.escape(line)}</b>" for line in textwrap.wrap(label, 60)[:6]] or ["<b></b>"]
    lines.append(f"<i>{html.escape(category)}</i>")
    if neighbours:
        lines.append(f"nearest in {html.escape(space)}:")
        lines += [f"  {html.escape(short_label(n, 40))}  {s:.2f}" for n, s in neighbours]
    return "<br>".join(lines)


def embedding_map(
    coords,
    labels: Sequence[str],
    categories: Sequence[str],
    neighbours: Sequence[Sequence[tuple[str, float]]] | None = None,
    *,
    show_labels: bool = True,
    highlight: int | None = None,
    highlight_neighbours: Sequence[int] = (),
    axis_name: str = "UMAP",
    space: str = "full space",
    title: str = "",
) -> go.Figure:
    """A 2-D or 3-D scatter of ``coords`` (n × 2 or n × 3), one trace per category.

    Usage: ``embedding_map(coords, words, cats, neighbours=hover_lists, highlight=3,
    highlight_neighbours=[5, 9], axis_name="UMAP", space="50-d GloVe")``. Each point's
    ``customdata`` is its row number, so a selection tells the page which point was clicked.
    """
    xy = np.asarray(coords, dtype=float)
    n, dims = xy.shape if xy.ndim == 2 else (0, 0)
    if dims not in (2, 3) or n != len(labels) or n != len(categories):
        raise ValueError("coords must be n × 2 or n × 3 with one label and category per row.")
    order = list(dict.fromkeys(categories))
    webgl = dims == 2 and n > WEBGL_FROM
    fig = go.Figure()
    for ci, cat in enumerate(order):
        rows = [i for i in range(n) if categories[i] == cat]
        hover = [hover_text(labels[i], cat, neighbours[i] if neighbours else (), space)
                 for i in rows]
        common = dict(name=cat, customdata=[[i] for i in rows], hovertext=hover,
                      hovertemplate="%{hovertext}<extra></extra>")
        col = colour(ci)
        if dims == 2:
            trace = go.Scattergl if webgl else go.Scatter
            fig.add_trace(trace(x=xy[rows, 0], y=xy[rows, 1], textposition="top center",
                                text=[html.escape(short_label(labels[i])) for i in rows],
                                mode="markers+text" if show_labels else "markers",
                                textfont={"size": 11, "color": col},
                                marker={"size": 7 if n <= 1000 else 5, "color": col,
                                        "opacity": 0.85}, **common))
        else:
            # 3-D: markers only, opaque (text labels and transparency are what a browser
            # without a GPU draws slowly); names come on hover and for the focused point.
            fig.add_trace(go.Scatter3d(x=xy[rows, 0], y=xy[rows, 1], z=xy[rows, 2],
                                       mode="markers", marker={"size": 3.5, "color": col},
                                       **common))
    if highlight is not None and 0 <= highlight < n:
        _add_highlight(fig, xy, labels, highlight, list(highlight_neighbours),
                       name_neighbours=not show_labels)
    axes = [f"{axis_name} {i + 1}" for i in range(dims)]
    layout(fig, height=620, title=title,
           legend={"title": {"text": "click to hide/show"}, "itemsizing": "constant"},
           dragmode="pan" if dims == 2 else None, hoverlabel={"align": "left"})
    if dims == 2:
        fig.update_xaxes(title=axes[0], showticklabels=False, zeroline=False)
        fig.update_yaxes(title=axes[1], showticklabels=False, zeroline=False,
                         scaleanchor="x", scaleratio=1)
    else:
        fig.update_layout(scene={"xaxis_title": axes[0], "yaxis_title": axes[1],
                                 "zaxis_title": axes[2], "aspectmode": "data",
                                 "xaxis": {"showticklabels": False},
                                 "yaxis": {"showticklabels": False},
                                 "zaxis": {"showticklabels": False}})
    return fig


def _add_highlight(fig: go.Figure, xy: np.ndarray, labels: Sequence[str], focus: int,
                   near: list[int], name_neighbours: bool = False) -> None:
    """The focused point as a star, rings and dotted lines to its true neighbours; with
    ``name_neighbours`` (the other labels are hidden) the neighbours are named too."""
    dims = xy.shape[1]
    seg: list[list[float | None]] = [[] for _ in range(dims)]
    for j in near:
        for d in range(dims):
            seg[d] += [xy[focus, d], xy[j, d], None]
    ring = {"size": 13, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": HIGHLIGHT}}
    star = {"size": 18 if dims == 2 else 8, "color": HIGHLIGHT, "symbol": "star" if dims == 2
            else "diamond", "line": {"width": 1, "color": "white"}}
    name = f"{short_label(labels[focus], 20)}: true neighbours"
    if dims == 2:
        fig.add_trace(go.Scatter(x=seg[0], y=seg[1], mode="lines", name=name, hoverinfo="skip",
                                 line={"color": HIGHLIGHT, "width": 1.5, "dash": "dot"}))
        fig.add_trace(go.Scatter(x=xy[near, 0], y=xy[near, 1], hoverinfo="skip", marker=ring,
                                 mode="markers+text" if name_neighbours else "markers",
                                 text=[html.escape(short_label(labels[j])) for j in near],
                                 textposition="top center", textfont={"color": HIGHLIGHT},
                                 showlegend=False))
        fig.add_trace(go.Scatter(x=[xy[focus, 0]], y=[xy[focus, 1]], mode="markers+text",
                                 text=[html.escape(short_label(labels[focus]))],
                                 textposition="bottom center", hoverinfo="skip",
                                 textfont={"size": 14, "color": HIGHLIGHT}, marker=star,
                                 showlegend=False))
    else:
        fig.add_trace(go.Scatter3d(x=seg[0], y=seg[1], z=seg[2], mode="lines", name=name,
                                   hoverinfo="skip", line={"color": HIGHLIGHT, "width": 4}))
        fig.add_trace(go.Scatter3d(x=xy[near, 0], y=xy[near, 1], z=xy[near, 2], mode="text",
                                   text=[html.escape(short_label(labels[j])) for j in near],
                                   hoverinfo="skip", textfont={"color": HIGHLIGHT},
                                   showlegend=False))
        fig.add_trace(go.Scatter3d(x=[xy[focus, 0]], y=[xy[focus, 1]], z=[xy[focus, 2]],
                                   mode="markers+text", hoverinfo="skip", marker=star,
                                   text=[html.escape(short_label(labels[focus]))],
                                   textfont={"size": 14, "color": HIGHLIGHT}, showlegend=False))


def preservation_bars(methods: Sequence[str], scores: Sequence[float], k: int = 10) -> go.Figure:
    """Bars of neighbour-preservation scores (0–100 %) for several maps of the same points.

    Usage: ``preservation_bars(["UMAP", "t-SNE", "PCA"], [0.62, 0.58, 0.21])``
    """
    fig = go.Figure(go.Bar(x=list(methods), y=[100 * s for s in scores],
                           marker_color=[colour(i) for i in range(len(methods))],
                           text=[f"{100 * s:.0f}%" for s in scores], textposition="auto",
                           hovertemplate="%{x}: %{y:.1f}%<extra></extra>"))
    layout(fig, height=320, title=f"Share of the {k} true nearest neighbours kept on the map")
    fig.update_yaxes(title="neighbours kept (%)", range=[0, 100])
    return fig
