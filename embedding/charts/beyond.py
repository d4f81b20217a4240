"""Figures for "Beyond words": the skip-gram diagram, training loss, maps of trained vectors.

Builders only (data in, ``go.Figure`` out); pages call ``st.plotly_chart(fig)``.

    >>> fig = skipgram_diagram(["the", "cat", "sat", "on", "the", "mat"], centre=2, window=2)
    >>> len(fig.layout.annotations) >= 4
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from embedding.charts.theme import BLUE, GREY, MUTED, ORANGE, colour, layout

CENTRE, CONTEXT, OUTSIDE = ORANGE, BLUE, MUTED


def skipgram_diagram(tokens: Sequence[str], centre: int, window: int, sg: bool = True,
                     narrow: bool = False) -> go.Figure:
    """The sentence as a row of word boxes: the centre word, its context window, and arrows.

    Skip-gram: arrows from the centre word (top) to every context word it must predict.
    CBOW: arrows from every context word to the centre word it must predict.
    ``narrow`` (a phone, about 330 px): the sentence reads down a column instead, the centre
    word beside it, so every word has a box as wide as the chart allows (twelve words in a
    row of 330 px overlapped).

    Usage: ``skipgram_diagram("the cat sat on the mat".split(), centre=2, window=2)``
    """
    if not tokens:
        raise ValueError("The sentence has no words to draw.")
    centre = max(0, min(int(centre), len(tokens) - 1))
    lo, hi = max(0, centre - window), min(len(tokens) - 1, centre + window)
    colours = [CENTRE if i == centre else CONTEXT if lo <= i <= hi else OUTSIDE
               for i in range(len(tokens))]
    label = ("skip-gram: the centre word predicts each context word" if sg
             else "CBOW: the context words together predict the centre word")
    if narrow:
        return _skipgram_column(tokens, centre, lo, hi, colours, sg, label)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=list(range(len(tokens))), y=[0] * len(tokens), mode="markers+text", text=list(tokens),
        textposition="middle center", textfont={"color": "white", "size": 15},
        marker={"symbol": "square", "size": 58, "color": colours}, hoverinfo="skip",
        showlegend=False))
    fig.add_trace(go.Scatter(
        x=[centre], y=[1.6], mode="markers+text", text=[tokens[centre]],
        textposition="middle center", textfont={"color": "white", "size": 15},
        marker={"symbol": "square", "size": 64, "color": CENTRE}, hoverinfo="skip",
        showlegend=False))
    for j in range(lo, hi + 1):
        if j == centre:
            continue
        if sg:  # centre → context
            tail, head = (centre, 1.6), (j, 0.0)
        else:  # context → centre
            tail, head = (j, 0.0), (centre, 1.6)
        fig.add_annotation(x=head[0], y=head[1] + (0.38 if sg else -0.42), ax=tail[0],
                           ay=tail[1] + (-0.42 if sg else 0.38), xref="x", yref="y", axref="x",
                           ayref="y", showarrow=True, arrowhead=3, arrowsize=1.3, arrowwidth=2,
                           arrowcolor=CONTEXT, text="")
    fig.add_annotation(x=centre, y=2.35, text=label, showarrow=False, font={"size": 14})
    fig.update_xaxes(visible=False, range=[-0.7, len(tokens) - 0.3])
    fig.update_yaxes(visible=False, range=[-0.6, 2.6])
    layout(fig, height=300, top=10, plot_bgcolor="white")
    return fig


def _skipgram_column(tokens: Sequence[str], centre: int, lo: int, hi: int,
                     colours: list[str], sg: bool, label: str) -> go.Figure:
    """:func:`skipgram_diagram` for a phone: the words top to bottom in wide boxes (x -0.55
    to 0.55), the centre word again on the right (x 1.45 to 2.55) with the arrows between."""
    n = len(tokens)
    fig = go.Figure()
    for i, fill in enumerate(colours):
        fig.add_shape(type="rect", x0=-0.55, x1=0.55, y0=-i - 0.4, y1=-i + 0.4, fillcolor=fill,
                      line_width=0, layer="below")
    fig.add_shape(type="rect", x0=1.45, x1=2.55, y0=-centre - 0.45, y1=-centre + 0.45,
                  fillcolor=CENTRE, line_width=0, layer="below")
    fig.add_trace(go.Scatter(
        x=[0.0] * n + [2.0], y=[-i for i in range(n)] + [-centre], mode="text",
        text=[*tokens, tokens[centre]], textposition="middle center",
        textfont={"color": "white", "size": 15}, hoverinfo="skip", showlegend=False))
    for j in range(lo, hi + 1):
        if j == centre:
            continue
        word, centre_side = (0.6, -j), (1.4, -centre)
        tail, head = (centre_side, word) if sg else (word, centre_side)
        fig.add_annotation(x=head[0], y=head[1], ax=tail[0], ay=tail[1], xref="x", yref="y",
                           axref="x", ayref="y", showarrow=True, arrowhead=3, arrowsize=1.3,
                           arrowwidth=2, arrowcolor=CONTEXT, text="")
    first, rest = label.split(": ", 1)
    fig.add_annotation(x=0.5, xref="paper", y=0.75, yref="y", yanchor="bottom",
                       text=f"{first}:<br>{rest}", showarrow=False, font={"size": 14})
    fig.update_xaxes(visible=False, range=[-0.6, 2.6])
    fig.update_yaxes(visible=False, range=[-n + 0.45, 1.75])
    layout(fig, height=34 * n + 80, top=10, plot_bgcolor="white")
    return fig


def loss_curve(losses: Sequence[float], title: str = "Training loss per epoch") -> go.Figure:
    """Bars of each epoch's loss (gensim's summed negative-sampling loss over that epoch).

    Usage: ``loss_curve([802644.0, 638293.0, 603319.0])``
    """
    epochs = list(range(1, len(losses) + 1))
    fig = go.Figure(go.Bar(x=epochs, y=list(losses), marker_color=colour(0),
                           hovertemplate="epoch %{x}: loss %{y:,.0f}<extra></extra>"))
    layout(fig, height=300, title=title)
    fig.update_xaxes(title="epoch", dtick=1 if len(epochs) <= 15 else 5)
    fig.update_yaxes(title="loss of the epoch")
    return fig


def _pca_layout(fig: go.Figure, explained: tuple[float, float] | None, title: str,
                height: int) -> go.Figure:
    """Axis titles of a PCA map (with the share of the spread each axis shows) and the layout."""
    axis = ("PC1", "PC2")
    if explained is not None:
        axis = (f"PC1 ({explained[0]:.0%} of the spread)", f"PC2 ({explained[1]:.0%})")
    fig.update_xaxes(title=axis[0], zeroline=False)
    fig.update_yaxes(title=axis[1], zeroline=False)
    return layout(fig, height=height, title=title, legend={"orientation": "h"})


def word_map(words: Sequence[str], xy: np.ndarray, highlight: Mapping[str, str] | None = None,
             explained: tuple[float, float] | None = None, title: str = "",
             method: str = "pca") -> go.Figure:
    """A 2-D scatter of labelled points; ``highlight`` maps some words to a group name.
    ``method="umap"``: axes named UMAP 1 and 2, without tick numbers (they mean nothing there).

    Usage: ``word_map(["cat", "dog"], np.array([[0, 1], [1, 0]]), {"cat": "your word"})``
    """
    highlight = dict(highlight or {})
    xy = np.asarray(xy, dtype=float)
    groups = ["other words"] + [g for g in dict.fromkeys(highlight.values())]
    fig = go.Figure()
    for gi, group in enumerate(groups):
        idx = [i for i, w in enumerate(words) if highlight.get(w, "other words") == group]
        if not idx:
            continue
        other = group == "other words"
        fig.add_trace(go.Scatter(
            x=xy[idx, 0], y=xy[idx, 1], mode="markers+text", name=group,
            text=[words[i] for i in idx], textposition="top center",
            textfont={"size": 10 if other else 14, "color": GREY if other else None},
            marker={"size": 6 if other else 12, "color": OUTSIDE if other else colour(gi)},
            hovertemplate="%{text}<extra></extra>"))
    fig = _pca_layout(fig, explained, title, height=560)
    if method == "umap":
        fig.update_xaxes(title="UMAP 1", showticklabels=False)
        fig.update_yaxes(title="UMAP 2", showticklabels=False)
    return fig


def grouped_map(labels: Sequence[str], xy: np.ndarray, groups: Sequence[str],
                hover: Sequence[str] | None = None, explained: tuple[float, float] | None = None,
                title: str = "", show_labels: bool = True) -> go.Figure:
    """A 2-D scatter coloured by group (e.g. products by shopping mission), each point named
    on the map unless ``show_labels`` is False (a phone: 56 names in 330 px are a blot; a tap
    names a point).

    Usage: ``grouped_map(["milk", "cereal"], xy, ["Breakfast", "Breakfast"])``
    """
    xy = np.asarray(xy, dtype=float)
    hover = list(hover) if hover is not None else list(labels)
    fig = go.Figure()
    for gi, group in enumerate(dict.fromkeys(groups)):
        idx = [i for i, g in enumerate(groups) if g == group]
        fig.add_trace(go.Scatter(
            x=xy[idx, 0], y=xy[idx, 1], mode="markers+text" if show_labels else "markers",
            name=group,
            text=[labels[i] for i in idx], textposition="top center",
            customdata=[hover[i] for i in idx],
            marker={"size": 11, "color": colour(gi)},
            hovertemplate="%{customdata}<extra></extra>"))
    return _pca_layout(fig, explained, title, height=600)
