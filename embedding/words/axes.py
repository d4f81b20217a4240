"""Semantic axes: a direction between two poles, and where words fall along it.

Pick two poles, say "poor" and "rich". The difference of their (unit-length) vectors is a
direction in the space, an *axis*. A word's position on it is its cosine with the rich pole
minus its cosine with the poor pole:

    score(w) = cos(w, rich) − cos(w, poor) = ŵ · (r̂ − p̂)

Positive means "closer to rich", negative "closer to poor". A pole may hold several words
("man, he, him"); their unit vectors are averaged, which makes the axis less noisy.
The vectors learned how words are *used* in news and Wikipedia text, so an axis shows the
associations of that text, stereotypes included (Bolukbasi et al. 2016; Caliskan et al. 2017).

    >>> axis = make_axis(kv, "poor", "rich")
    >>> [w for w, _ in project(kv, ["beggar", "millionaire"], axis)]
    ['beggar', 'millionaire']
    >>> project(kv, ["millionaire"], axis)[0][1] > 0
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from gensim.models import KeyedVectors

from embedding.similarity import normalize_rows
from embedding.words.vocab import EmptyWordError, parse_word_list, split_known

#: How many of the most frequent words stand in for "the whole vocabulary" in baselines.
BASELINE_POOL = 20_000


@dataclass(frozen=True)
class Axis:
    """A semantic axis from the ``negative`` pole to the ``positive`` pole."""

    negative: tuple[str, ...]
    positive: tuple[str, ...]
    direction: np.ndarray  # mean unit vector of the positive pole − that of the negative pole

    @property
    def name(self) -> str:
        """``poor → rich`` (several words per pole joined with ``/``)."""
        return f"{'/'.join(self.negative)} → {'/'.join(self.positive)}"

    @property
    def low(self) -> str:
        """Short label of the negative end."""
        return "/".join(self.negative)

    @property
    def high(self) -> str:
        """Short label of the positive end."""
        return "/".join(self.positive)


def _pole(kv: KeyedVectors, words: str | Sequence[str], which: str) -> tuple[tuple[str, ...],
                                                                             np.ndarray]:
    items = parse_word_list(words, limit=20) if isinstance(words, str) else list(words)
    keys, unknown = split_known(kv, items)
    if unknown:
        raise unknown[0]
    if not keys:
        raise EmptyWordError(f"Type at least one word for the {which} pole.")
    unit = np.stack([kv.get_vector(k, norm=True) for k in keys]).astype(np.float64)
    return tuple(keys), unit.mean(axis=0)


def make_axis(
    kv: KeyedVectors, negative: str | Sequence[str], positive: str | Sequence[str]
) -> Axis:
    """The axis from ``negative`` to ``positive`` (each a word, "a, b, c" or a list of words).

    Raises :class:`~embedding.words.vocab.UnknownWordError` (with suggestions) for an unknown word,
    :class:`~embedding.words.vocab.EmptyWordError` for an empty pole and ``ValueError`` when both
    poles are the same words.
    Usage: ``make_axis(kv, "cold", "hot").name`` → ``"cold → hot"``
    """
    neg, n = _pole(kv, negative, "first")
    pos, p = _pole(kv, positive, "second")
    if set(neg) == set(pos):
        raise ValueError("The two poles are the same words: pick two different ends.")
    return Axis(neg, pos, p - n)


def scores(kv: KeyedVectors, keys: Sequence[str], axis: Axis) -> np.ndarray:
    """Axis scores of vocabulary ``keys`` (already resolved): cos to positive − cos to negative.

    Usage: ``scores(kv, ["ice", "fire"], make_axis(kv, "cold", "hot"))`` → ``array([-0.1…, 0.…])``
    """
    if not len(keys):
        return np.zeros(0)
    unit = np.stack([kv.get_vector(k, norm=True) for k in keys]).astype(np.float64)
    return unit @ axis.direction


def project(kv: KeyedVectors, words: Sequence[str], axis: Axis) -> list[tuple[str, float]]:
    """Each known word of ``words`` with its score on ``axis``, in input order.

    Unknown words are skipped (use :func:`embedding.words.vocab.split_known` to report them).
    Usage: ``project(kv, ["ice", "fire"], make_axis(kv, "cold", "hot"))``
    """
    keys, _ = split_known(kv, words)
    return [(k, float(s)) for k, s in zip(keys, scores(kv, keys, axis), strict=True)]


def _frequent_unit(kv: KeyedVectors, pool: int) -> np.ndarray:
    """Unit vectors of the ``pool`` most frequent words (a fresh array; ``kv`` is not touched)."""
    return normalize_rows(kv.vectors[:pool], np.float64)


@dataclass(frozen=True)
class Baseline:
    """How scores on an axis spread over the most frequent words: a yardstick for "big"."""

    mean: float
    std: float
    pool: int


def baseline(kv: KeyedVectors, axis: Axis, pool: int = BASELINE_POOL) -> Baseline:
    """Mean and standard deviation of axis scores over the ``pool`` most frequent words.

    Usage: ``baseline(kv, make_axis(kv, "cold", "hot")).std`` → ``0.1…``
    """
    pool = max(1, min(int(pool), len(kv)))
    s = _frequent_unit(kv, pool) @ axis.direction
    return Baseline(float(s.mean()), float(s.std()), pool)


def extremes(
    kv: KeyedVectors, axis: Axis, k: int = 10, pool: int = BASELINE_POOL
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The ``k`` frequent words furthest toward each end: (negative end, positive end).

    Shows what an axis *really* captures; pole words and non-words (numbers, "same-sex") are
    left out.
    Usage: ``low, high = extremes(kv, make_axis(kv, "cold", "hot"), k=5)``
    """
    pool = max(1, min(int(pool), len(kv)))
    s = _frequent_unit(kv, pool) @ axis.direction
    skip = set(axis.negative) | set(axis.positive)
    order = np.argsort(s, kind="stable")
    words = [(kv.index_to_key[i], float(s[i])) for i in order
             if kv.index_to_key[i].isalpha() and kv.index_to_key[i] not in skip]
    return words[:k], words[::-1][:k]


@dataclass(frozen=True)
class AxisPreset:
    """A ready-made axis with a word list to project and what it tends to reveal."""

    negative: str
    positive: str
    words: str
    note: str

    @property
    def label(self) -> str:
        """How the page lists it: ``poor → rich``."""
        return f"{self.negative} → {self.positive}"


#: Axes to start from; each note says what the axis really shows on GloVe 6B 50d (checked).
AXIS_PRESETS: tuple[AxisPreset, ...] = (
    AxisPreset(
        "man", "woman",
        "nurse, receptionist, homemaker, librarian, teacher, doctor, lawyer, scientist, "
        "programmer, engineer, carpenter, pilot, soldier, boss",
        "Jobs have no sex, yet nurse, receptionist and homemaker land far toward *woman* and "
        "boss, engineer and scientist toward *man*: the vectors learned who the 2014 news and "
        "Wikipedia text wrote about doing which job. This is the bias Bolukbasi et al. (2016) "
        "measured, and any system built on these vectors inherits it.",
    ),
    AxisPreset(
        "poor", "rich",
        "caviar, champagne, yacht, golf, polo, opera, beans, bread, bus, bicycle, slum, "
        "mansion, shelter, welfare",
        "Welfare, bus, shelter and bicycle lean *poor*: class associations from the text. But "
        "caviar, beans and bread lean *rich* because 'rich' also describes food (a rich "
        "sauce). One word per pole mixes all its senses: try `wealthy` as the second pole.",
    ),
    AxisPreset(
        "cold", "hot",
        "ice, snow, winter, arctic, fridge, soup, coffee, pepper, summer, desert, sun, fire, "
        "volcano, oven",
        "A surprise: temperature does *not* come out. Fire, volcano and desert fall on the "
        "*cold* side, coffee, soup and pepper on the *hot* side: in news text 'hot' is mostly "
        "spicy food, hot topics and hit music, and 'cold' is often the Cold War. An axis is "
        "only as good as its pole words.",
    ),
    AxisPreset(
        "tiny", "huge",
        "ant, mouse, cat, dog, horse, elephant, whale, pebble, boulder, village, city, "
        "planet, atom, galaxy",
        "Size is barely recovered: mouse and ant are 'tiny', but so are elephant, whale and "
        "planet. Words are placed by the company they keep, not by the size of what they "
        "name; 'huge' keeps company with money and news ('huge losses').",
    ),
    AxisPreset(
        "young", "old",
        "baby, child, teenager, student, intern, parent, grandmother, retiree, senator, "
        "professor, skateboard, pension, toy",
        "Retiree and grandmother lean *old*, student and child *young*: age associations in "
        "the text. Note how close to 0 baby and teenager stay: 'old' is also used for things "
        "(an old house), which blurs the axis.",
    ),
    AxisPreset(
        "safe", "dangerous",
        "home, school, hospital, library, park, street, forest, ocean, airport, war, "
        "knife, spider, snake, dog",
        "Snake, spider, war and knife lean *dangerous*; hospital, library and home *safe*. "
        "The vectors learned what the text treats as a threat, not measured risk.",
    ),
)


def axis_strip(
    labels: Sequence[str], values: Sequence[float], axis: Axis, base: Baseline | None = None
) -> go.Figure:
    """Words as dots on one horizontal axis, labelled, with the usual spread shaded.

    Usage: ``axis_strip(["ice", "fire"], [-0.2, 0.3], axis, baseline(kv, axis))``
    """
    vals = np.asarray(values, dtype=float)
    order = np.argsort(vals, kind="stable")
    colors = ["#E45756" if v < 0 else "#4C78A8" for v in vals[order]]
    rows = 6  # stagger neighbours over rows, labels above and below, so they do not overlap
    ys = [(i % rows) - (rows - 1) / 2 for i in range(len(order))]
    fig = go.Figure(go.Scatter(
        x=vals[order], y=ys, mode="markers+text", text=[labels[i] for i in order],
        textposition=["top center" if i % 2 else "bottom center" for i in range(len(order))],
        marker={"size": 12, "color": colors},
        hovertemplate="%{text}: %{x:.3f}<extra></extra>", showlegend=False,
    ))
    lim = max(0.05, float(np.abs(vals).max(initial=0.0))) * 1.2
    if base is not None:
        fig.add_vrect(x0=base.mean - base.std, x1=base.mean + base.std, fillcolor="#BAB0AC",
                      opacity=0.25, line_width=0, annotation_text="typical word (±1 sd)",
                      annotation_position="bottom left")
        lim = max(lim, abs(base.mean) + 1.2 * base.std)
    fig.add_vline(x=0, line_dash="dot", line_color="#888")
    fig.update_xaxes(range=[-lim, lim], title=f"← closer to {axis.low}      score      "
                     f"closer to {axis.high} →", zeroline=False)
    fig.update_yaxes(visible=False, range=[-rows / 2 - 0.4, rows / 2 + 0.2])
    fig.update_layout(height=420, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title=f"Projection on {axis.name}")
    return fig


def axes_scatter(
    labels: Sequence[str], x: Sequence[float], y: Sequence[float], x_axis: Axis, y_axis: Axis
) -> go.Figure:
    """Words placed by their scores on two axes, with the four quadrants marked.

    Usage: ``axes_scatter(["ice", "fire"], [-0.2, 0.3], [0.1, -0.1], cold_hot, small_big)``
    """
    fig = go.Figure(go.Scatter(
        x=list(x), y=list(y), mode="markers+text", text=list(labels), textposition="top center",
        marker={"size": 11, "color": "#4C78A8"},
        hovertemplate="%{text}<br>x %{x:.3f}<br>y %{y:.3f}<extra></extra>", showlegend=False,
    ))
    fig.add_vline(x=0, line_dash="dot", line_color="#888")
    fig.add_hline(y=0, line_dash="dot", line_color="#888")
    fig.update_xaxes(title=f"← {x_axis.low}      {x_axis.high} →")
    fig.update_yaxes(title=f"← {y_axis.low}      {y_axis.high} →")
    fig.update_layout(height=560, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title=f"{x_axis.name}  ×  {y_axis.name}")
    return fig
