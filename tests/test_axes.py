"""Semantic axes: the score is cos(w, to) − cos(w, from), exactly; the presets' notes are true."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from embedding.charts.axes import axes_scatter, axis_strip
from embedding.words.axes import baseline, extremes, leanings, make_axis, project, scores
from embedding.words.presets import AXIS_PRESETS
from embedding.words.vocab import EmptyWordError, UnknownWordError, parse_word_list


def test_score_is_difference_of_cosines(kv):
    axis = make_axis(kv, "poor", "rich")
    assert axis.name == "poor → rich"
    for word, score in project(kv, ["beggar", "millionaire", "caviar", "bus"], axis):
        expected = kv.similarity(word, "rich") - kv.similarity(word, "poor")
        assert score == pytest.approx(float(expected), abs=1e-6)
    assert dict(project(kv, ["beggar", "millionaire"], axis))["millionaire"] > 0


def test_several_words_per_pole_average_their_cosines(kv):
    axis = make_axis(kv, "man, he", ["woman", "she"])
    assert axis.negative == ("man", "he") and axis.name == "man/he → woman/she"
    got = dict(project(kv, ["nurse"], axis))["nurse"]
    expected = (kv.similarity("nurse", "woman") + kv.similarity("nurse", "she")
                - kv.similarity("nurse", "man") - kv.similarity("nurse", "he")) / 2
    assert got == pytest.approx(float(expected), abs=1e-6)


def test_project_keeps_order_skips_unknown_and_resolves_case(kv):
    axis = make_axis(kv, "cold", "hot")
    assert [w for w, _ in project(kv, ["Fire", "qqzzx", "ice", "fire"], axis)] == ["fire", "ice"]
    assert scores(kv, [], axis).shape == (0,)


def test_bad_poles_raise_friendly_errors(kv):
    with pytest.raises(UnknownWordError) as info:
        make_axis(kv, "colld", "hot")
    assert "cold" in info.value.suggestions
    with pytest.raises(EmptyWordError):
        make_axis(kv, " , ", "hot")
    with pytest.raises(ValueError, match="same words"):
        make_axis(kv, "Hot", "hot")


def test_baseline_and_extremes(kv):
    axis = make_axis(kv, "safe", "dangerous")
    base = baseline(kv, axis, pool=1000)
    s = kv.get_normed_vectors()[:1000].astype(np.float64) @ axis.direction
    assert (base.mean, base.std, base.pool) == pytest.approx((s.mean(), s.std(), 1000))
    low, high = extremes(kv, axis, k=8)
    assert len(low) == len(high) == 8
    assert [v for _, v in low] == sorted(v for _, v in low)
    assert [v for _, v in high] == sorted((v for _, v in high), reverse=True)
    words = [w for w, _ in low + high]
    assert all(w.isalpha() for w in words) and not {"safe", "dangerous"} & set(words)


def lean(kv, preset) -> dict[str, float]:
    axis = make_axis(kv, preset.negative, preset.positive)
    return dict(project(kv, parse_word_list(preset.words), axis))


def test_preset_notes_say_what_the_vectors_really_show(kv):
    """Each preset's note makes claims; they must hold on the real vectors."""
    by = {p.label: p for p in AXIS_PRESETS}
    assert all(not lean(kv, p).keys() ^ set(parse_word_list(p.words)) for p in AXIS_PRESETS)
    g = lean(kv, by["man → woman"])
    assert min(g["nurse"], g["receptionist"], g["homemaker"]) > 0.1
    assert max(g["boss"], g["engineer"], g["scientist"]) < -0.05
    r = lean(kv, by["poor → rich"])
    assert max(r["welfare"], r["bus"], r["shelter"], r["bicycle"]) < -0.2
    assert min(r["caviar"], r["beans"], r["bread"]) > 0.15
    t = lean(kv, by["cold → hot"])
    assert max(t["fire"], t["volcano"], t["desert"]) < 0 < min(t["coffee"], t["soup"],
                                                                t["pepper"])
    z = lean(kv, by["tiny → huge"])
    assert max(z["mouse"], z["ant"], z["elephant"], z["whale"], z["planet"]) < 0
    y = lean(kv, by["young → old"])
    assert min(y["retiree"], y["grandmother"]) > 0.1 and max(y["student"], y["child"]) < -0.05
    assert abs(y["baby"]) < 0.01 and abs(y["teenager"]) < 0.01
    d = lean(kv, by["safe → dangerous"])
    assert min(d["snake"], d["spider"], d["war"], d["knife"]) > 0.1
    assert max(d["hospital"], d["library"], d["home"]) < -0.15


def test_exact_score_pinned(kv):
    g = lean(kv, AXIS_PRESETS[0])
    assert round(g["nurse"], 4) == 0.1436 and round(g["boss"], 4) == -0.2418


def test_figures(kv):
    axis = make_axis(kv, "cold", "hot")
    fig = axis_strip(["ice", "fire", "soup"], [0.1, -0.09, 0.05], axis, baseline(kv, axis))
    assert list(fig.data[0].x) == [-0.09, 0.05, 0.1]
    assert list(fig.data[0].text) == ["fire", "soup", "ice"]
    base = baseline(kv, axis)
    inside = base.mean + base.std / 2  # leans a little toward hot, yet a typical word
    assert base.side(inside) == 0 and base.side(base.mean + 2 * base.std) == 1
    assert leanings([inside, base.mean - 2 * base.std], axis, base) == ["neither (typical)", "cold"]
    colours = axis_strip(["a", "b"], [inside, base.mean + 2 * base.std], axis, base).data[0]
    assert colours.marker.color[0] != colours.marker.color[1]  # grey inside the band
    assert "closer to hot" in fig.layout.xaxis.title.text
    other = make_axis(kv, "poor", "rich")
    fig2 = axes_scatter(["ice"], [0.1], [0.2], axis, other)
    assert fig2.data[0].type == "scatter" and "rich" in fig2.layout.yaxis.title.text


def test_labels_at_either_end_of_an_axis_read_inward(kv):
    """A word far toward a pole is labelled on the side facing the middle, so the chart's edge
    never cuts its name (on a 330 px phone chart, "homemaker" lost its last letters)."""
    axis = make_axis(kv, "man", "woman")
    fig = axis_strip(["far left", "middle", "far right"], [-0.3, 0.0, 0.3], axis)
    assert [p.split()[1] for p in fig.data[0].textposition] == ["right", "center", "left"]


def test_a_few_words_sit_in_the_middle_of_the_strip(kv):
    """Three words far apart share one row, the one just below the middle, not the bottom edge
    (there they left the band above them empty)."""
    axis = make_axis(kv, "man", "woman")
    fig = axis_strip(["king", "doctor", "queen"], [-0.3, 0.0, 0.3], axis)
    assert list(fig.data[0].y) == [-0.5, -0.5, -0.5]


def test_no_two_labels_in_a_row_overlap_on_a_phone_for_any_preset(kv):
    """Every preset's words on its axis: within one row, each label ends before the next one
    starts, at the width of a phone's chart (at 360 px "engineer" and "soldier" once printed
    over each other near the middle)."""
    from embedding.charts.axes import ROWS, label_extent

    for preset in AXIS_PRESETS:
        axis = make_axis(kv, preset.negative, preset.positive)
        words = parse_word_list(preset.words)
        fig = axis_strip(words, scores(kv, words, axis), axis, baseline(kv, axis))
        trace = fig.data[0]
        lim = fig.layout.xaxis.range[1]
        spans: dict[tuple[float, str], list[tuple[float, float]]] = {}
        for x, y, text, pos in zip(trace.x, trace.y, trace.text, trace.textposition, strict=True):
            above, side = pos.split()
            spans.setdefault((y, above), []).append(label_extent(x, text, side, lim))
        assert len({y for y, _ in spans}) <= ROWS
        for row in spans.values():
            row.sort()
            assert all(a[1] < b[0] for a, b in itertools.pairwise(row)), (preset.label, row)
