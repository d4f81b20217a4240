"""Scans over every GloVe word: ranks, neighbours, analogies, semantic axes, small word maps."""

from __future__ import annotations

from typing import Any, NamedTuple

import pyarrow as pa
import streamlit as st
from gensim.models import KeyedVectors

from ui.cached.common import HASH_FUNCS, arrow_table, figure

# ---------------------------------------------------------------- scans over every word


@st.cache_data(max_entries=1024, show_spinner=False, hash_funcs=HASH_FUNCS)
def word_rank(kv: KeyedVectors, a: str, b: str) -> int:
    """:func:`embedding.words.vocab.word_rank` (a scan over every word), shared by sessions."""
    from embedding.words import vocab

    return vocab.word_rank(kv, a, b)


@st.cache_data(max_entries=1024, show_spinner=False, hash_funcs=HASH_FUNCS)
def neighbours(kv: KeyedVectors, word: str, k: int) -> list[tuple[str, float]]:
    """:func:`embedding.words.vocab.neighbours` (a scan over every word), shared by sessions."""
    from embedding.words import vocab

    return vocab.neighbours(kv, word, k=k)


@st.cache_data(max_entries=512, show_spinner=False, hash_funcs=HASH_FUNCS)
def analogy(kv: KeyedVectors, a: str, b: str, c: str, k: int, method: str):
    """:func:`embedding.words.vocab.analogy` and the inputs' ranks (two scans), shared."""
    from embedding.words import vocab

    return (vocab.analogy(kv, a, b, c, k=k, method=method),
            vocab.analogy_input_ranks(kv, a, b, c, method=method))


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=HASH_FUNCS)
def also_bought(wv: KeyedVectors, basket: tuple[str, ...], k: int) -> list[tuple[str, float]]:
    """:func:`embedding.recsys.baskets.also_bought` (Product2Vec suggestions), shared."""
    from embedding.recsys import baskets

    return baskets.also_bought(wv, list(basket), k=k)


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=HASH_FUNCS)
def axis_view(kv: KeyedVectors, negative: str, positive: str, k: int = 12):
    """A semantic axis from pole texts, its baseline over frequent words and its ``k`` most
    extreme frequent words at each end: ``(axis, baseline, (low, high))``, shared."""
    from embedding.words import axes

    axis = axes.make_axis(kv, negative, positive)
    return axis, axes.baseline(kv, axis), axes.extremes(kv, axis, k=k)


@st.cache_resource(max_entries=512, show_spinner=False, hash_funcs=HASH_FUNCS)
def known_words(kv: KeyedVectors, words: tuple[str, ...]) -> tuple[tuple[str, ...], tuple]:
    """:func:`embedding.words.vocab.split_known`: the vocabulary keys of the known ``words`` and
    an ``UnknownWordError`` per unknown one, whose spelling suggestions (tens of ms per word)
    are looked for once per input for every session. READ-ONLY."""
    from embedding.words.vocab import split_known

    keys, unknown = split_known(kv, list(words))
    return tuple(keys), tuple(unknown)


class AxisPlacement(NamedTuple):
    """Words placed on one semantic axis or two, shared READ-ONLY by every session."""

    keys: tuple[str, ...]  # the known words, as the vocabulary spells them
    unknown: tuple  # an UnknownWordError (with suggestions) per unknown word
    figure: Any  # strip (one axis) or scatter (two), a shared :func:`figure`; None if no keys
    table: Any  # pandas DataFrame (axis_table / axes_table), for the download; None if no keys
    arrow: pa.Table | None  # the same table, as st.dataframe sends it


@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs=HASH_FUNCS)
def axis_placement(kv: KeyedVectors, words: tuple[str, ...], poles: tuple[str, str],
                   poles2: tuple[str, str] | None = None) -> AxisPlacement:
    """``words`` placed on the axis ``poles`` (from, to), and on ``poles2`` too when given:
    the chart and the table, built once per input for every session. Call it after
    :func:`axis_view` of the same poles succeeded (that one raises the friendly errors)."""
    from embedding.words import axes

    keys, unknown = known_words(kv, words)
    if not keys:
        return AxisPlacement((), unknown, None, None, None)
    axis, base, _ = axis_view(kv, *poles)
    x = axes.scores(kv, list(keys), axis)
    if poles2 is None:
        fig = figure("axes.axis_strip", keys, x, axis, base)
        table = axes.axis_table(keys, x, axis, base)
    else:
        axis2 = axis_view(kv, *poles2)[0]
        y = axes.scores(kv, list(keys), axis2)
        fig = figure("axes.axes_scatter", keys, x, y, axis, axis2)
        table = axes.axes_table(keys, x, y, axis, axis2)
    return AxisPlacement(keys, unknown, fig, table, arrow_table(table))


@st.cache_data(max_entries=128, show_spinner=False, hash_funcs=HASH_FUNCS)
def word_map(wv: KeyedVectors, words: tuple[str, ...], method: str = "pca"):
    """:func:`embedding.maps.wordmap.word_map` (PCA or UMAP of trained vectors), shared."""
    from embedding.maps import wordmap

    return wordmap.word_map(wv, list(words), method)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=HASH_FUNCS)
def pca_map(wv: KeyedVectors, words: tuple[str, ...]):
    """:func:`embedding.maps.wordmap.pca_map` of ``words`` in ``wv``, shared."""
    from embedding.maps import wordmap

    return wordmap.pca_map(wv, list(words))


