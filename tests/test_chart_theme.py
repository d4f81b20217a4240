"""embedding.charts.theme: one palette, one set of margins, fonts a projector can read."""

from __future__ import annotations

import numpy as np
import pytest

from embedding.charts import beyond, figures, maps, theme


def every_builder():
    coords = np.arange(12, dtype=float).reshape(6, 2)
    words = ["cat", "dog", "fish", "paris", "rome", "oslo"]
    cats = ["animals"] * 3 + ["capitals"] * 3
    return {
        "score_bars": figures.score_bars(["a", "b"], [0.9, 0.4], highlight=1),
        "heatmap": figures.similarity_heatmap(["a", "b"], [[1, 0.5], [0.5, 1]]),
        "comparison": figures.model_comparison(["x / y"], [0.9], [0.5]),
        "strips": figures.vector_strips({"a": [1, -1], "b": [0.5, 0.2]}),
        "arrows": figures.vector_arrows({"a": [1, 2], "b": [2, 1]}),
        "loss": beyond.loss_curve([3.0, 2.0]),
        "diagram": beyond.skipgram_diagram(["the", "cat", "sat"], 1, 1),
        "word_map": beyond.word_map(words, coords, {"cat": "yours"}),
        "map": maps.embedding_map(coords, words, cats),
        "preservation": maps.preservation_bars(["UMAP", "PCA"], [0.6, 0.2]),
    }


def test_every_chart_uses_the_shared_margins_and_palette():
    for name, fig in every_builder().items():
        m = fig.layout.margin
        assert (m.l, m.r, m.b) == (10, 10, 10), name
        assert m.t in (10, 30, 40), name
    bars = every_builder()["score_bars"].data[0].marker.color
    assert list(bars) == [theme.PALETTE[0], theme.PALETTE[1]]
    map_colours = [t.marker.color for t in every_builder()["map"].data]
    assert map_colours == [theme.PALETTE[0], theme.PALETTE[1]]  # the same palette as bars


def test_thirteen_groups_get_thirteen_colours():
    assert len({theme.colour(i) for i in range(13)}) == 13


def test_projector_copy_enlarges_every_font_and_leaves_the_original():
    fig = figures.score_bars(["Ironman", "Rainman"], [0.9959, 0.4685], title="t")
    big = theme.for_projector(fig)
    assert big.layout.font.size == round(12 * theme.PROJECTOR_SCALE) == 20
    assert big.data[0].textfont.size == 20
    assert big.layout.xaxis.tickfont.size == 20 and big.layout.yaxis.tickfont.size == 20
    assert big.layout.legend.font.size == 20
    assert big.layout.uniformtext.minsize == theme.PROJECTOR_MIN_TEXT  # bar values never shrink
    assert big.layout.xaxis.automargin is True  # room for the bigger tick labels
    assert big.layout.xaxis.title.text == "cosine similarity"  # only the font changes
    assert big.layout.xaxis.tickfont.color == theme.TEXT  # dark ticks on a projector
    assert fig.layout.font.size is None and fig.data[0].textfont.size is None  # untouched


def test_projector_scales_explicit_sizes_and_annotations():
    diagram = theme.for_projector(beyond.skipgram_diagram(["the", "cat", "sat"], 1, 1), 2.0)
    assert diagram.data[0].textfont.size == 30  # was 15
    assert diagram.layout.annotations[-1].font.size == 28  # the caption, was 14
    scene = theme.for_projector(maps.embedding_map(np.eye(3), ["a", "b", "c"], ["x"] * 3))
    assert scene.layout.scene.xaxis.title.font.size == 20


@pytest.mark.slow  # 200 projector copies in 8 threads: make test, not make check
def test_projector_copies_of_one_shared_figure_in_many_threads_at_once():
    """Fifty sessions in presentation mode draw the same cached figure at once: each thread's
    copy must be whole (``go.Figure(fig)`` read a shared figure while another thread copied it,
    and gave a bar trace the type scatter: ValueError 'textposition' on the page)."""
    import threading

    shared = figures.score_bars([f"w{i}" for i in range(8)], [0.9 - i / 10 for i in range(8)])
    start, errors = threading.Barrier(8), []

    def copy_many() -> None:
        start.wait()
        try:
            for _ in range(25):
                assert theme.for_projector(shared).data[0].type == "bar"
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(repr(exc)[:200])

    threads = [threading.Thread(target=copy_many) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.parametrize("name", list(every_builder()))
def test_a_phone_copy_never_pans_or_zooms_and_leaves_the_original_alone(name):
    """A finger on a chart must scroll the page (issue 26): no drag mode, every axis fixed."""
    fig = every_builder()[name]
    before = fig.to_dict()
    small = theme.for_phone(fig)
    assert small.layout.dragmode is False
    for axis in [*small.select_xaxes(), *small.select_yaxes()]:
        assert axis.fixedrange is True, name
    assert fig.to_dict() == before  # the shared figure is read, never changed
    assert fig.layout.dragmode is not False


def test_a_phone_legend_sits_below_the_plot_and_the_chart_grows_by_it():
    fig = every_builder()["map"]
    small = theme.for_phone(fig, height=300)
    assert small.layout.legend.orientation == "h"
    assert small.layout.legend.y < 0 and small.layout.legend.yanchor == "top"
    assert small.layout.height > 300  # room for the legend's rows under the plot
    assert not small.layout.legend.title.text  # "click to hide/show" is not for a finger


def test_phone_text_is_at_least_the_minimum():
    small = theme.for_phone(every_builder()["score_bars"])
    assert small.layout.font.size >= theme.PHONE_MIN_TEXT
    assert all(t.textfont.size >= theme.PHONE_MIN_TEXT for t in small.data if t.text is not None)


def test_a_long_note_over_a_data_point_is_centred_and_wrapped_on_a_phone():
    """The skip-gram diagram's sentence stood over the centre word and ran off a phone."""
    fig = beyond.skipgram_diagram(["the", "quick", "brown", "fox", "jumps"], 0, 2)
    small = theme.for_phone(fig)
    note = next(a for a in small.layout.annotations if a.text and "predicts" in a.text)
    assert note.xref == "paper" and note.x == 0.5
    assert "<br>" in note.text
    original = next(a for a in fig.layout.annotations if a.text and "predicts" in a.text)
    assert original.xref in (None, "x") and "<br>" not in original.text


def test_an_untitled_chart_has_no_empty_band_above_it_on_a_phone():
    """Categories' bars kept 40 px above the plot for a title they do not have."""
    fig = figures.score_bars(["a", "b"], [0.5, 0.2])  # no title: 40 px above the plot
    small = theme.for_phone(fig)
    assert fig.layout.margin.t == 40 and small.layout.margin.t == 10
    assert small.layout.height == fig.layout.height - 30  # the plot keeps its size
    titled = theme.for_phone(figures.score_bars(["a", "b"], [0.5, 0.2], title="Scores"))
    assert titled.layout.margin.t == 40


def test_the_skipgram_diagram_reads_down_a_column_on_a_phone():
    """Nine words in a row of 330 px overlapped: a phone gets one word a row."""
    words = "the quick brown fox jumps over the lazy dog".split()
    fig = beyond.skipgram_diagram(words, 3, 2, narrow=True)
    boxes = [s for s in fig.layout.shapes if s.x0 == -0.55]
    assert len(boxes) == len(words)
    assert [round(-(b.y0 + b.y1) / 2) for b in boxes] == list(range(len(words)))  # one a row
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 4  # two context words each side of "fox"
    note = next(a for a in fig.layout.annotations if a.text and "predicts" in a.text)
    assert note.text == "skip-gram:<br>the centre word predicts each context word"
    assert theme.for_phone(fig).layout.annotations[-1].text == note.text  # fits: left alone


def test_the_recall_curve_fills_its_plot_and_labels_its_points_to_the_right():
    """On a phone the ef labels of the first points were cut at the left edge, and the curve
    used the top third of a plot that started at recall 0."""
    from embedding.charts.search import recall_curve
    from embedding.search.ann import CurvePoint

    fig = recall_curve([CurvePoint(8, 0.678, 0.175, 52.0), CurvePoint(512, 0.977, 1.7, 52.0)])
    assert tuple(fig.layout.yaxis.range) == (0.5, 1.05)  # a tenth below 0.6
    assert fig.data[0].textposition == "bottom right"
    poor = recall_curve([CurvePoint(8, 0.05, 0.1, 52.0)])
    assert poor.layout.yaxis.range[0] == 0.0
