"""One look for every chart: the palette, the margins, and font sizes a projector can read.

Builders colour with :func:`colour` (or the named colours below) and finish with :func:`layout`;
a page in presentation mode passes the finished figure through :func:`for_projector`, which
returns a copy with every font (ticks, axis titles, legend, bar values, point labels,
annotations) enlarged and bar values never shrunk below a readable size.

    >>> import plotly.graph_objects as go
    >>> fig = layout(go.Figure(go.Bar(x=[1], y=["cat"], text=["0.9"])), height=300, title="t")
    >>> fig.layout.margin.t, fig.layout.height
    (40, 300)
    >>> big = for_projector(fig)
    >>> big.layout.font.size, big.data[0].textfont.size, fig.layout.font.size is None
    (20, 20, True)
"""

from __future__ import annotations

import plotly.graph_objects as go

#: Categorical colours, in order of use: the ten Tableau colours, then ten darker ones for maps
#: with many groups (a map of 13 themes must not repeat a colour).
PALETTE: tuple[str, ...] = (
    "#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6", "#9D755D",
    "#BAB0AC", "#EECA3B",
    "#1616A7", "#00A08B", "#862A16", "#750D86", "#6C7C32", "#AF0038", "#0D2A63", "#B68100",
    "#DA16FF", "#620042",
)
BLUE, ORANGE, RED = PALETTE[0], PALETTE[1], PALETTE[3]
#: Points and boxes in the background (other words, words outside a window).
MUTED = PALETTE[8]
#: Lines and grey text inside a chart (zero lines, neutral bands).
GREY = "#888888"
#: Text on a projector: the app theme's near-black (.streamlit/config.toml textColor), not
#: the light grey Streamlit gives chart ticks and titles on screen.
TEXT = "#111111"
#: The focused point on a map and the lines to its neighbours.
HIGHLIGHT = "#FF1744"

#: Plotly's own base font size: fonts not set explicitly are this size on screen.
BASE_FONT = 12
#: Presentation mode: every font is this many times larger (a projector at 1280×720).
PROJECTOR_SCALE = 1.65
#: Smallest bar value on a projector; plotly shrinks text inside thin bars otherwise.
PROJECTOR_MIN_TEXT = 16

_MARGIN = {"l": 10, "r": 10, "b": 10}


def colour(i: int) -> str:
    """The ``i``-th categorical colour (wrapping around).

    Usage: ``colour(0)`` → ``"#4C78A8"``
    """
    return PALETTE[i % len(PALETTE)]


def layout(fig: go.Figure, *, height: int, title: str | None = None, top: int = 40,
           **extra) -> go.Figure:
    """The shared layout: ``height`` px, the common margins (``top`` px above the plot for a
    title or a legend), ``title`` when given, and any other layout settings in ``extra``.

    Usage: ``layout(fig, height=420, title="Projection on poor → rich", top=30)``
    """
    settings = {"height": height, "margin": {**_MARGIN, "t": top}, **extra}
    if title is not None:
        settings["title"] = title
    fig.update_layout(**settings)
    return fig


def _scaled(size, scale: float, default: int = BASE_FONT):
    """A font size (or per-point list of sizes) times ``scale``; unset → the scaled default."""
    if isinstance(size, list | tuple):
        return [round((s or default) * scale) for s in size]
    return round((size or default) * scale)


def for_projector(fig: go.Figure, scale: float = PROJECTOR_SCALE) -> go.Figure:
    """A copy of ``fig`` with every font ``scale`` times larger, for presentation mode.

    Axis ticks and titles, the legend, the title, annotations, bar values and point labels grow;
    axes make room for their larger labels (automargin), and bar values are never shrunk below
    :data:`PROJECTOR_MIN_TEXT` px. The original figure (e.g. for a download) is left alone.

    Usage: ``st.plotly_chart(for_projector(fig) if presenting else fig)``
    """
    spec = fig.to_dict()  # go.Figure(fig) is not safe while other threads copy fig
    big = go.Figure(spec)
    lay = big.layout
    base = _scaled(lay.font.size, scale)
    big.update_layout(
        font_size=base, font_color=TEXT, legend_font_color=TEXT, legend_font_size=_scaled(lay.legend.font.size, scale),
        legend_title_font_size=_scaled(lay.legend.title.font.size, scale),
        title_font_size=_scaled(lay.title.font.size, scale, default=17),
        hoverlabel_font_size=_scaled(lay.hoverlabel.font.size, scale, default=13),
        uniformtext={"minsize": PROJECTOR_MIN_TEXT, "mode": "show"},
    )
    axis = {"automargin": True, "tickfont": {"size": base, "color": TEXT},
            "title": {"font": {"size": base, "color": TEXT}}}
    big.update_xaxes(**axis)
    big.update_yaxes(**axis)
    if "scene" in spec["layout"]:  # a 3-D chart (lay.scene is truthy even on a 2-D one)
        axis3 = {key: value for key, value in axis.items() if key != "automargin"}
        big.update_scenes(xaxis=axis3, yaxis=axis3, zaxis=axis3)
    rows = max((len(t.y) for t in big.data if t.type == "bar" and t.orientation == "h"
                and t.y is not None), default=0)
    if rows and lay.height:  # one row per bar: room for a tick label and a value each
        big.update_layout(height=max(lay.height, 120 + rows * round(2.2 * base)))
    if any(t.type == "heatmap" for t in big.data) and lay.height:  # room for the colour bar
        big.update_layout(height=lay.height + 2 * base)
    for note in big.layout.annotations:
        note.font.size = _scaled(note.font.size, scale)
    for trace in big.data:
        if trace.type == "bar":
            trace.textfont.size = _scaled(trace.textfont.size, scale)
        elif trace.type in ("scatter", "scattergl", "scatter3d") and trace.text is not None:
            trace.textfont.size = _scaled(trace.textfont.size, scale)
        elif trace.type == "heatmap":
            trace.colorbar.tickfont.size = base
            if trace.texttemplate:
                trace.textfont.size = _scaled(trace.textfont.size, scale)
    return big


#: Smallest text on a phone, in px (tick labels, legends, bar values, point labels, cells).
PHONE_MIN_TEXT = 12
#: A phone chart is about this wide (a 360-390 px screen less Streamlit's 16 px padding).
PHONE_WIDTH = 330
#: Characters of a chart title per line on a phone (a 15 px title in about 330 px).
PHONE_TITLE_CHARS = 38
PHONE_TITLE_FONT = 15
#: The height at which a 3-D chart's whole cube, seen from (2.2, 2.2, 1.3), fits a phone's width.
PHONE_3D_HEIGHT = 330


def _wrapped(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters with ``<br>``; a title that
    already has line breaks or markup is left alone."""
    import textwrap

    if not text or "<" in text or len(text) <= width:
        return text
    return "<br>".join(textwrap.wrap(text, width))


def _legend_rows(names: list[str], width: int = PHONE_WIDTH) -> int:
    """Rows a horizontal legend of ``names`` takes at 12 px in ``width`` px (plotly lines the
    items up in columns as wide as the widest one)."""
    if not names:
        return 0
    item = 40 + 7 * max(len(n) for n in names)  # symbol, gap, about 7 px a character
    return -(-len(names) // max(1, width // item))


def above_legend(lay) -> bool:
    """Whether a figure's layout ``lay`` puts a one-line legend above its plot."""
    return lay.legend.orientation == "h" and (lay.legend.y or 0) >= 1


def for_phone(fig: go.Figure, height: int | None = None) -> go.Figure:
    """A copy of ``fig`` for a phone held in one hand (a chart about 330 px wide).

    Text is never smaller than :data:`PHONE_MIN_TEXT` px (ticks, legend, bar values, point
    labels, heat-map cells); a legend goes below the plot in rows, and the chart grows by
    its height so the plot keeps its size; a long title wraps, and a chart without one loses
    the empty band kept above the plot for it (the chart shrinks by it); the chart never pans or zooms
    (a finger on it scrolls the page: ``ui.phone``); a colour bar gets thin. ``height``
    replaces the chart's height (before the legend's rows are added). The original is left
    alone.

    Usage: ``st.plotly_chart(for_phone(fig) if on_phone() else fig)``
    """
    spec = fig.to_dict()  # go.Figure(fig) is not safe while other threads copy fig
    small = go.Figure(spec)
    lay = small.layout
    base = max(PHONE_MIN_TEXT, lay.font.size or BASE_FONT)
    title = lay.title.text or ""
    small.update_layout(
        font_size=base, dragmode=False, hovermode=lay.hovermode or "closest",
        title_text=_wrapped(title, PHONE_TITLE_CHARS) if title else None,
        title_font_size=PHONE_TITLE_FONT,
        uniformtext={"minsize": PHONE_MIN_TEXT, "mode": "show"},
    )
    grow = 0
    if title and len(title) > PHONE_TITLE_CHARS and "<" not in title:
        extra = _wrapped(title, PHONE_TITLE_CHARS).count("<br>")
        small.layout.margin.t = (lay.margin.t or 40) + 18 * extra
        grow += 18 * extra
    high_notes = any((n.yref or "") == "paper" and (n.y or 0) >= 1 for n in lay.annotations)
    if not title and not above_legend(lay) and not high_notes and (lay.margin.t or 0) > 10:
        # no empty band above an untitled plot: the chart shrinks by it, the plot keeps its size
        grow -= lay.margin.t - 10
        small.layout.margin.t = 10
    small.update_xaxes(fixedrange=True)
    small.update_yaxes(fixedrange=True)
    if "scene" in spec["layout"]:  # a 3-D chart: step back so the whole cube fits the width
        # plotly's 3-D view has a fixed vertical angle: a shorter chart draws the cube smaller,
        # so the camera comes nearer by as much and the cube keeps the width it fits in
        near = min(1.0, ((height or lay.height or 450) - 20) / (PHONE_3D_HEIGHT - 20))
        # and looks a little below the cube's middle: the axis names hang under the cube, so
        # the cube itself sits higher, with no empty band above it
        small.update_scenes(camera_eye={"x": 2.2 * near, "y": 2.2 * near, "z": 1.3 * near},
                            camera_center={"x": 0, "y": 0, "z": -0.25 * near})
    named = [t.name for t in small.data
             if t.showlegend is not False and t.name and t.type not in ("heatmap", "cone")]
    above = above_legend(lay)
    if above:  # a builder put a one-line legend above the plot: it stays there
        small.update_layout(legend_font_size=base)
    elif len(named) > 1 or (named and lay.showlegend):
        rows = _legend_rows(named)
        has_title = bool(lay.xaxis.title.text) if "xaxis" in spec["layout"] else False
        # tick labels and the axis title, in px (a 3-D chart's axes are inside its plot)
        below = 0 if "scene" in spec["layout"] else 30 + (22 if has_title else 0)
        plot = (height or lay.height or 450) - (lay.margin.t or 40) - 40
        small.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left",
                                    "yanchor": "top", "y": -below / max(plot, 100),
                                    "title": {"text": ""}, "font": {"size": base}})
        grow += 20 * rows + below
    for note in small.layout.annotations:
        note.font.size = max(PHONE_MIN_TEXT, note.font.size or base)
        text = note.text or ""
        if (note.showarrow is False and (note.xref or "x") != "paper"
                and len(text) > PHONE_TITLE_CHARS and "<" not in text):
            # a sentence placed over a data point runs off a narrow chart: centred, wrapped
            note.update(text=_wrapped(text, PHONE_TITLE_CHARS), xref="paper", x=0.5,
                        xanchor="center")
    for trace in small.data:
        if trace.type in ("scatter", "scattergl", "scatter3d", "bar") and trace.text is not None:
            size = trace.textfont.size
            if isinstance(size, list | tuple):
                trace.textfont.size = [max(PHONE_MIN_TEXT, s or base) for s in size]
            else:
                trace.textfont.size = max(PHONE_MIN_TEXT, size or base)
        elif trace.type == "heatmap":
            trace.colorbar.thickness = 10
            trace.colorbar.title.text = ""
            trace.colorbar.tickfont.size = base
            if trace.texttemplate:
                trace.textfont.size = PHONE_MIN_TEXT
    if height or grow:
        small.update_layout(height=(height or lay.height or 450) + grow)
    return small
