"""Sentence embeddings (any provider), phrase comparisons, the word-order table and BERT's
WordPiece views."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import streamlit as st

from embedding.models.providers import SBERT_KEY
from ui import resources
from ui.cached.common import arrow_table, figure

# ---------------------------------------------------------------- sentence embeddings


@st.cache_data(max_entries=2048, show_spinner=False)
def embed_rows(texts: tuple[str, ...], provider: str = SBERT_KEY) -> np.ndarray:
    """Unit rows of ``texts`` from ``provider`` (default the built-in SBERT), cached by content
    for every session (a class types the same queries and phrases). Read-only. Call
    ``sbert_or_stop`` first for a friendly error."""
    rows = resources.provider(provider).embed(texts)
    rows.setflags(write=False)
    return rows


# ---------------------------------------------------------------- sentences


@st.cache_data(max_entries=512, show_spinner=False)
def compare_phrases(pairs: tuple[tuple[str, str], ...]):
    """:func:`embedding.sentences.compare.compare_pairs` of ``pairs`` with GloVe averages and
    SBERT (rows from :func:`embed_rows`), shared by sessions; raises ``NoKnownWordsError``."""
    from embedding.sentences.compare import compare_pairs

    return compare_pairs(resources.glove(), resources.sbert(), list(pairs),
                         embeddings=embed_rows(tuple(t for p in pairs for t in p)))


class PairsView(NamedTuple):
    """A fixed list of phrase pairs compared once for every session (READ-ONLY)."""

    results: tuple  # PairComparison per pair
    table: Any  # pandas DataFrame of :func:`embedding.sentences.compare.pairs_table`
    arrow: pa.Table  # the same table, as st.dataframe sends it
    figure: Any  # GloVe average vs SBERT bars (a shared :func:`figure`)


@st.cache_resource(max_entries=8, show_spinner=False)
def pairs_view(pairs: tuple[tuple[str, str], ...]) -> PairsView:
    """:func:`compare_phrases` of ``pairs`` (e.g. a page's presets) with its table and chart,
    built once per server; raises ``NoKnownWordsError``."""
    from embedding.sentences.compare import pairs_table

    results = tuple(compare_phrases(pairs))
    table = pairs_table(results)
    fig = figure("figures.model_comparison", tuple(table["pair"]),
                 tuple(table["GloVe average"]), tuple(table["SBERT"]))
    return PairsView(results, table, arrow_table(table), fig)


class WordpieceView(NamedTuple):
    """The BERT tokens page's view of one input, shared READ-ONLY by every session."""

    table: Any  # embedding.sentences.wordpiece.TokenTable (frozen)
    splits: tuple  # the words cut into pieces (frozen SplitWord)
    lecture: pa.Table  # lecture_table: one column per token
    splits_table: pa.Table  # one row per word cut into pieces
    long: Any  # long_table as a pandas DataFrame, for the CSV download (read it only)


@st.cache_resource(max_entries=256, show_spinner=False)
def wordpiece_view(a: str, b: str | None) -> WordpieceView:
    """The sentence model's WordPiece table of ``a`` (and ``b``) and the tables the page shows,
    built once per input for every session. Call ``sbert_or_stop`` first."""
    from embedding.sentences import wordpiece as wp

    model = resources.sbert()
    table = wp.tokenize_pair(model.tokenizer, a, b, max_length=int(model.max_seq_length))
    splits = tuple(wp.split_words(table))
    return WordpieceView(table, splits, arrow_table(wp.lecture_table(table)),
                         arrow_table(wp.splits_table(list(splits))), wp.long_table(table))


@st.cache_resource(max_entries=8, show_spinner=False)
def wordpiece_examples(shown: tuple[str, ...], extra: tuple[str, ...] = ()):
    """The vocabulary's make-up and the pieces of the (constant) words ``shown`` and ``extra``:
    ``(facts, {word: pieces}, table of the pieces of shown)``, READ-ONLY for every session."""
    from embedding.sentences import wordpiece as wp

    tokenizer = resources.sbert().tokenizer
    pieces = {w: wp.word_pieces(tokenizer, w) for w in (*shown, *extra)}
    table = wp.pieces_table({w: pieces[w] for w in shown})
    return wp.vocab_facts(tokenizer), MappingProxyType(pieces), arrow_table(table)


@st.cache_resource(max_entries=512, show_spinner=False)
def masked_example(a: str, b: str | None, seed: int):
    """BERT's masking recipe on the tokens of ``a`` (and ``b``) with draw ``seed``: ``(example,
    table of the picked positions)``, shared READ-ONLY by every session."""
    from embedding.sentences import wordpiece as wp

    ex = wp.mask_for_pretraining(resources.sbert().tokenizer, wordpiece_view(a, b).table, seed)
    return ex, arrow_table(wp.masked_table(ex))


@st.cache_data(max_entries=16, show_spinner=False)
def wordpiece_lengths(texts: tuple[str, ...]) -> tuple[list[int], int]:
    """Word pieces per text as the built-in SBERT counts them ([CLS] and [SEP] included), and
    how many it reads (its ``max_seq_length``): longer texts are cut when embedded."""
    model = resources.sbert()
    ids = model.tokenizer(list(texts), add_special_tokens=True)["input_ids"] if texts else []
    return [len(row) for row in ids], int(model.max_seq_length)




@st.cache_data(max_entries=1024, show_spinner=False)
def readability(text: str):
    """:func:`embedding.sentences.wordpiece.readability` of ``text`` for the built-in SBERT's
    tokenizer (which words it cannot read), shared by sessions. Call ``sbert_or_stop`` first."""
    from embedding.sentences.wordpiece import readability as words_unread

    return words_unread(resources.sbert().tokenizer, text)
