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
import pandas as pd
from gensim.models import KeyedVectors

from embedding.cost import expensive
from embedding.similarity import normalize_rows
from embedding.words.vocab import EmptyWordError, parse_word_list, split_known

#: How many of the most frequent words stand in for "the whole vocabulary" in baselines.
BASELINE_POOL = 20_000
#: What a score inside the typical band leans toward.
NEUTRAL = "neither (typical)"


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

    def side(self, score: float) -> int:
        """+1 above the typical band (mean ± 1 sd), −1 below it, 0 inside it.

        Usage: ``Baseline(0.05, 0.1, 20_000).side(0.08)`` → 0 (a typical word: no clear lean)
        """
        if score > self.mean + self.std:
            return 1
        if score < self.mean - self.std:
            return -1
        return 0


def leanings(values: Sequence[float], axis: Axis, base: Baseline) -> list[str]:
    """Which end each score clearly leans toward, judged against the typical band, not by sign
    alone: ``axis.high``, ``axis.low`` or ``"neither (typical)"`` inside the band.

    Usage: ``leanings([0.3, 0.0], make_axis(kv, "cold", "hot"), base)`` → ``["hot", "neither (typical)"]``
    """
    names = {1: axis.high, -1: axis.low, 0: NEUTRAL}
    return [names[base.side(float(v))] for v in values]


def axis_table(keys: Sequence[str], x: np.ndarray, axis: Axis, base: Baseline) -> pd.DataFrame:
    """Words with their score on ``axis`` (4 decimals) and what they lean toward, lowest first.

    Usage: ``axis_table(keys, scores(kv, keys, axis), axis, baseline(kv, axis))``
    """
    table = pd.DataFrame({"word": list(keys), "score": np.round(x, 4),
                          "leans toward": leanings(x, axis, base)})
    return table.sort_values("score", kind="stable").reset_index(drop=True)


def axes_table(keys: Sequence[str], x: np.ndarray, y: np.ndarray, axis: Axis,
               axis2: Axis) -> pd.DataFrame:
    """Words with their scores on two axes (4 decimals), in the order given.

    Usage: ``axes_table(keys, scores(kv, keys, a1), scores(kv, keys, a2), a1, a2)``
    """
    return pd.DataFrame({"word": list(keys), f"score on {axis.name}": np.round(x, 4),
                         f"score on {axis2.name}": np.round(y, 4)})


@expensive("a scan of the frequent words")
def baseline(kv: KeyedVectors, axis: Axis, pool: int = BASELINE_POOL) -> Baseline:
    """Mean and standard deviation of axis scores over the ``pool`` most frequent words.

    Usage: ``baseline(kv, make_axis(kv, "cold", "hot")).std`` → ``0.1…``
    """
    pool = max(1, min(int(pool), len(kv)))
    s = _frequent_unit(kv, pool) @ axis.direction
    return Baseline(float(s.mean()), float(s.std()), pool)


@expensive("a scan of the frequent words")
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
