"""Results that depend only on their inputs, computed once per server and shared by every session.

A class types the same queries and opens the same default examples: fifty sessions asking for
the same thing cost one computation. Every function here is bounded by ``max_entries`` and keyed
by the data it depends on: texts, labels, bytes, and word vectors by the hash of their content
(:func:`vectors_digest`), never by a label standing in for them. Most are ``st.cache_data``
(each caller gets its own copy); a few (:func:`figure`, the BERT tokens views) are
``st.cache_resource`` and hand every session the SAME object, immutable or read-only, so a
rerun neither copies nor rebuilds it (tables are kept as Arrow tables, what ``st.dataframe``
sends anyway). Nothing here draws a Streamlit element; callers show friendly errors first
(``*_or_stop``).

    >>> from ui import cached
    >>> rows = cached.embed_rows(("a cat", "a dog"))
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import weakref
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import streamlit as st
from gensim.models import KeyedVectors

from embedding.models.providers import SBERT_KEY
from ui import resources

_digests: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_digest_lock = threading.Lock()


def vectors_digest(kv: KeyedVectors) -> str:
    """Content hash of word vectors (their words and numbers), computed once per object.

    The cache key of everything computed from ``kv``: two sessions with the same vectors share
    results, different vectors never do. An upload's file hash is registered by
    :func:`remember_digest` so its 20 MB are not hashed twice.
    """
    with _digest_lock:
        digest = _digests.get(kv)
    if digest is None:
        h = hashlib.blake2b(digest_size=16)
        h.update("\n".join(map(str, kv.index_to_key)).encode())
        h.update(np.ascontiguousarray(kv.vectors).data)
        digest = h.hexdigest()
        with _digest_lock:
            _digests[kv] = digest
    return digest


def remember_digest(kv: KeyedVectors, digest: str) -> None:
    """Record the content hash of ``kv`` (e.g. the sha256 of the file it was parsed from)."""
    with _digest_lock:
        _digests.setdefault(kv, digest)


#: Word vectors hash by content (streamlit would otherwise refuse to hash them).
HASH_FUNCS = {KeyedVectors: vectors_digest}


# ---------------------------------------------------------------- sentence embeddings


@st.cache_data(max_entries=2048, show_spinner=False)
def embed_rows(texts: tuple[str, ...], provider: str = SBERT_KEY) -> np.ndarray:
    """Unit rows of ``texts`` from ``provider`` (default the built-in SBERT), cached by content
    for every session (a class types the same queries and phrases). Read-only. Call
    ``sbert_or_stop`` first for a friendly error."""
    rows = resources.provider(provider).embed(texts)
    rows.setflags(write=False)
    return rows


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


class ToyView(NamedTuple):
    """The cosine calculator's answer for one set of toy vectors, READ-ONLY for every session."""

    steps: MappingProxyType  # name -> CosineSteps against the liked item
    ranking: tuple[str, ...]  # the other items, best first
    table: Any  # pandas DataFrame of :func:`embedding.classroom.explain.ranking_table`
    arrow: pa.Table  # the same table, as st.dataframe sends it


@st.cache_resource(max_entries=256, show_spinner=False)
def toy_view(vectors: tuple[tuple[str, tuple[float, ...]], ...], liked: str) -> ToyView:
    """Every cosine step of ``liked`` against the other ``(name, numbers)`` and the ranking
    table, once per input for every session (a class types the lecture's vectors)."""
    from embedding.classroom.explain import ranking_table, steps_and_ranking

    steps, ranking = steps_and_ranking(dict(vectors), liked)
    table = ranking_table(steps, ranking)
    return ToyView(MappingProxyType(steps), tuple(ranking), table, arrow_table(table))


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


# ---------------------------------------------------------------- figures


@st.cache_resource(max_entries=128, show_spinner=False)
def figure(builder: str, *args, **kwargs):
    """A plotly figure from ``embedding.charts.<builder>`` (e.g. ``"figures.score_bars"``),
    built once per set of inputs and shared by every session: READ-ONLY (never update it;
    ``theme.for_projector`` and downloads copy or only read it).

    Usage: ``fig = cached.figure("figures.score_bars", labels, scores, title="…")``
    """
    import importlib

    module, name = builder.rsplit(".", 1)
    fig = getattr(importlib.import_module(f"embedding.charts.{module}"), name)(*args, **kwargs)
    _SHARED_FIGURES.add(id(fig))
    weakref.finalize(fig, _SHARED_FIGURES.discard, id(fig))
    return fig


#: ids of the figures :func:`figure` shares (read-only, so their serialised form can be reused).
_SHARED_FIGURES: set[int] = set()


def is_shared_figure(fig) -> bool:
    """True when ``fig`` is one of the read-only figures :func:`figure` shares."""
    return id(fig) in _SHARED_FIGURES


# ---------------------------------------------------------------- embedding map
# A map has hundreds or thousands of labels: hashing them (and the hover lists) on every run
# cost the page tens of ms. The public functions fingerprint the labels once (:func:`texts_key`)
# and key the caches by that short string; the labels themselves ride along unhashed (``_``).
# They call the cached functions with keywords: streamlit looks up a positional argument's name
# with inspect.signature, once per argument and call.


def texts_key(texts: Sequence[str]) -> str:
    """A short content hash of ``texts`` (order matters), a cheap cache key for many strings.

    Usage: ``texts_key(("cat", "dog"))`` → a 32-character hex string
    """
    return _texts_key(tuple(texts))


@functools.lru_cache(maxsize=64)
def _texts_key(texts: tuple[str, ...]) -> str:
    # One map run asks for the key of the same labels four times (vectors, hover lists, layout,
    # figure): a tuple of strings hashes in C, so repeats skip the join and the digest.
    joined = "".join(f"{len(t)}:{t}" for t in texts)  # length-prefixed: no separator clash
    return hashlib.blake2b(joined.encode(), digest_size=16).hexdigest()


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=HASH_FUNCS)
def _item_vectors(kind: str, key: str, _labels: tuple[str, ...], kv: KeyedVectors | None,
                  provider: str):
    if kind == "sentences":
        return resources.provider(provider).embed(_labels)
    return (resources.glove() if kv is None else kv)[list(_labels)]


def item_vectors(kind: str, labels: Sequence[str], kv: KeyedVectors | None = None,
                 provider: str = SBERT_KEY):
    """The vectors of a map's items: rows of ``provider`` (default SBERT) for
    ``kind == "sentences"``, else rows of ``kv`` (built-in GloVe when ``None``)."""
    labels = tuple(labels)
    return _item_vectors(kind=kind, key=texts_key(labels), _labels=labels, kv=kv,
                         provider=provider)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=HASH_FUNCS)
def _hover_lists(kind: str, key: str, _labels: tuple[str, ...], kv: KeyedVectors | None,
                 k: int, provider: str):
    from embedding.maps import projection as proj

    return proj.neighbour_lists(item_vectors(kind, _labels, kv, provider), list(_labels), k=k)


def hover_lists(kind: str, labels: Sequence[str], kv: KeyedVectors | None, k: int,
                provider: str = SBERT_KEY):
    """Each point's ``k`` nearest neighbours in the full space (same for every method)."""
    labels = tuple(labels)
    return _hover_lists(kind=kind, key=texts_key(labels), _labels=labels, kv=kv, k=k,
                        provider=provider)


@st.cache_data(max_entries=48, show_spinner=False, hash_funcs=HASH_FUNCS)
def _build_map(kind: str, key: str, _labels: tuple[str, ...], method: str, dims: int,
               params: dict, kv: KeyedVectors | None, k_score: int, provider: str):
    from embedding.maps import projection as proj

    vectors = item_vectors(kind, _labels, kv, provider)
    coords, seconds = proj.timed_project(vectors, method, dims, **params)
    score = proj.neighbour_preservation(vectors, coords, k=k_score, metric="cosine")
    return coords, seconds, score


def build_map(kind: str, labels: Sequence[str], method: str, dims: int, params: dict,
              kv: KeyedVectors | None, k_score: int, provider: str = SBERT_KEY):
    """Coordinates, seconds taken and ``k_score``-neighbour preservation score of one map."""
    labels = tuple(labels)
    return _build_map(kind=kind, key=texts_key(labels), _labels=labels, method=method, dims=dims,
                      params=params, kv=kv, k_score=k_score, provider=provider)


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=HASH_FUNCS)
def _map_figure(kind: str, key: str, categories_key: str, _labels: tuple[str, ...],
                _categories: tuple[str, ...], method: str, dims: int, params: dict,
                kv: KeyedVectors | None, k_score: int, provider: str, k_hover: int,
                show_labels: bool, highlight: int | None, highlight_neighbours: tuple[int, ...],
                axis_name: str, space: str):
    coords = build_map(kind, _labels, method, dims, params, kv, k_score, provider)[0]
    near = hover_lists(kind, _labels, kv, k_hover, provider)
    return figure("maps.embedding_map", coords, _labels, list(_categories), near,
                  show_labels=show_labels, highlight=highlight,
                  highlight_neighbours=list(highlight_neighbours), axis_name=axis_name,
                  space=space)


def map_figure(kind: str, labels: Sequence[str], categories: Sequence[str], method: str,
               dims: int, params: dict, kv: KeyedVectors | None, k_score: int,
               provider: str = SBERT_KEY, *, k_hover: int, show_labels: bool,
               highlight: int | None, highlight_neighbours: Sequence[int], axis_name: str,
               space: str):
    """The embedding map figure of :func:`build_map`'s coordinates with :func:`hover_lists`
    (``embedding.charts.maps.embedding_map``), shared by every session: READ-ONLY.

    Keyed by fingerprints, so a rerun that hits costs microseconds, not a hash of every label.
    """
    labels, categories = tuple(labels), tuple(categories)
    return _map_figure(kind=kind, key=texts_key(labels), categories_key=texts_key(categories),
                       _labels=labels, _categories=categories, method=method, dims=dims,
                       params=params, kv=kv, k_score=k_score, provider=provider,
                       k_hover=k_hover, show_labels=show_labels, highlight=highlight,
                       highlight_neighbours=tuple(highlight_neighbours), axis_name=axis_name,
                       space=space)


# ---------------------------------------------------------------- exercise builder


@st.cache_resource(max_entries=8, ttl=600, show_spinner=False)
def exercise_corpus(name: str):
    """The documents of a built-in exercise corpus as a tuple of frozen ``Doc`` (``None`` when
    it is missing), shared by every session without a copy per call (the movie blurbs took
    half a millisecond to unpickle on every run)."""
    from embedding.classroom import exercises as exs

    docs = exs.corpus_docs(name)
    return None if docs is None else tuple(docs)


@st.cache_data(max_entries=256, show_spinner=False)
def exercise_solution(question_json: str):
    """The computed solution of one question, given as JSON so it caches by content.

    Loads only the models the question's kind needs (call the ``*_or_stop`` helpers first).
    """
    from embedding.classroom import exercises as exs

    q = exs.question_from_dict(json.loads(question_json))
    need = q.needs
    kv = resources.glove() if "glove" in need else None
    model = resources.sbert() if "sbert" in need else None
    docs = emb = None
    if isinstance(q, exs.SearchQuestion):
        docs = exercise_corpus(q.corpus)
        if docs:
            emb = resources.exercise_corpus_embeddings(q.corpus, tuple(d.text for d in docs))
    return exs.solve(q, kv, model, docs, emb)


@st.cache_data(max_entries=256, show_spinner=False)
def qr_png(link: str, scale: int = 6, width: int | None = None) -> bytes:
    """:func:`embedding.classroom.links.qr_png` (tens of ms of pure Python per code), once per
    link (and ``width``); raises ``ValueError`` when the link cannot fit."""
    from embedding.classroom.links import qr_png as make_qr

    return make_qr(link, scale=scale, width=width)


# ---------------------------------------------------------------- uploads (semantic search)


@st.cache_data(max_entries=8, show_spinner=False)
def parsed_upload(name: str, data: bytes, column: str | None, title_column: str | None = None):
    """An uploaded document parsed once (by file name, bytes and the chosen CSV columns)."""
    from embedding.search.documents import parse_upload

    return parse_upload(name, data, text_column=column, title_column=title_column)


@st.cache_data(max_entries=8, show_spinner=False)
def csv_columns(name: str, data: bytes) -> tuple[list[str], str]:
    """A CSV upload's columns and the one that looks like text."""
    from embedding.search.documents import read_csv_table, suggest_text_column

    df = read_csv_table(data, name)
    return list(df.columns), suggest_text_column(df)


# ---------------------------------------------------------------- exact vs approximate (HNSW)

#: The ef values of the recall/latency curve, and how many queries measure it.
ANN_EFS = (8, 16, 32, 64, 128, 256, 512)
ANN_CURVE_QUERIES = 100


@st.cache_data(max_entries=8, show_spinner="Measuring recall and latency at every ef…")
def ann_curve(dataset: str, m: int):
    """The recall/latency curve of a finished graph, measured once per server (exact scan timed
    in the same run). Call only when :func:`resources.ann_index` is not ``None``."""
    from embedding.search.ann import ef_curve

    vectors, built = resources.ann_vectors(dataset), resources.ann_index(dataset, m)
    rng = np.random.default_rng(7)
    queries = vectors[rng.choice(len(vectors), ANN_CURVE_QUERIES, replace=False)]
    queries = queries + rng.standard_normal(queries.shape).astype(np.float32) * 0.05
    return ef_curve(built.index, vectors, queries, ANN_EFS)


@st.cache_data(max_entries=256, show_spinner=False)
def ann_compare(dataset: str, m: int, row: int, ef: int, k: int = 10):
    """Exact and HNSW top-``k`` rows for the stored vector ``row`` used as the query, with the
    milliseconds each took (measured live, once per input)."""
    import time

    from embedding.search.store import top_k

    vectors, built = resources.ann_vectors(dataset), resources.ann_index(dataset, m)
    q = vectors[row]
    t0 = time.perf_counter()
    exact = top_k(vectors @ q, k)
    t1 = time.perf_counter()
    rows, scores = built.index.search(q, k, ef=ef)
    t2 = time.perf_counter()
    return exact, (vectors[exact] @ q), rows[0], scores[0], (t1 - t0) * 1e3, (t2 - t1) * 1e3


# ---------------------------------------------------------------- keyword vs semantic quality


@st.cache_data(max_entries=2, show_spinner="Scoring keyword, semantic and hybrid search on our "
                                            "labelled queries…")
def search_quality(rrf_k: int = 60) -> list[dict]:
    """Recall@5 and MRR of BM25, GloVe average, SBERT and hybrid on ``data/search_queries.csv``
    (lecture chunks counted per page), one row per corpus, ranker and kind of query."""
    from embedding.search.fusion import evaluate, load_query_set
    from embedding.search.hybrid import rankers
    from embedding.search.retrieval import GloveAverageVectorizer

    glove_vec = GloveAverageVectorizer(resources.glove())
    rows = []
    queries = load_query_set()
    for corpus in ("movies", "lectures"):
        sub = [q for q in queries if q.corpus == corpus]
        qvec = dict(zip([q.query for q in sub], embed_rows(tuple(q.query for q in sub)),
                        strict=True))
        ranked = rankers(resources.bm25_index(corpus), resources.builtin_store(corpus, "sbert"),
                         qvec.__getitem__, resources.builtin_store(corpus, "glove"),
                         glove_vec.embed_query, rrf_k)
        results = evaluate(sub, ranked, k=5)
        rows += [{"corpus": corpus, "ranker": r.ranker, "queries": r.kind, "n": r.queries,
                  "recall@5": round(r.recall, 3), "MRR": round(r.mrr, 3)}
                 for r in results]
    return rows


@st.cache_data(max_entries=16, show_spinner=False)
def wordpiece_lengths(texts: tuple[str, ...]) -> tuple[list[int], int]:
    """Word pieces per text as the built-in SBERT counts them ([CLS] and [SEP] included), and
    how many it reads (its ``max_seq_length``): longer texts are cut when embedded."""
    model = resources.sbert()
    ids = model.tokenizer(list(texts), add_special_tokens=True)["input_ids"] if texts else []
    return [len(row) for row in ids], int(model.max_seq_length)


def arrow_table(df):
    """``df`` as the Arrow table ``st.dataframe`` makes of it (index and column levels kept in
    the pandas metadata), made once in a cached function instead of on every run."""
    import pyarrow as pa

    return pa.Table.from_pandas(df)


@st.cache_data(max_entries=128, show_spinner=False)  # up to 50 chunk texts each
def _result_view(source: str, query: str, ranked: tuple[tuple[str, float], ...], _hits):
    import pandas as pd

    from embedding.search.retrieval import highlight, result_rows

    rows = result_rows(_hits, query)
    df = pd.DataFrame([r.__dict__ for r in rows])
    return rows, df, arrow_table(df), [highlight(r.text, query) for r in rows]


def result_view(source: str, query: str, hits) -> tuple[list, object, object, list[str]]:
    """One ranked list as the search pages show it, made once per list and shared:
    ``(result_rows, DataFrame, its Arrow table, each text with the query's words in bold)``.

    ``source`` names where the hits come from (a built-in corpus, or a saved index and its
    build), so the hits' ids and scores key the cache without hashing their texts.
    """
    return _result_view(source=source, query=query,
                        ranked=tuple((str(h.id), float(h.score)) for h in hits), _hits=hits)


@st.cache_data(max_entries=2, show_spinner=False)
def search_quality_table(rrf_k: int = 60):
    """:func:`search_quality` as the page shows it: recall@5 and MRR per corpus and kind of
    query (rows) and ranker (columns), and how many queries each corpus has."""
    import pandas as pd

    quality = pd.DataFrame(search_quality(rrf_k))
    table = quality.pivot_table(index=["corpus", "queries"], columns="ranker",
                                values=["recall@5", "MRR"], sort=False)
    n_all = quality[quality["queries"] == "all"].groupby("corpus")["n"].first()
    return arrow_table(table), {c: int(n) for c, n in n_all.items()}


def _keyword_searches(corpus: str, stamp: str, query: str):
    """The SBERT store and the top 100 of BM25, SBERT and GloVe average for ``query``, with
    the messages for a query BM25 or GloVe cannot read: ``(store, qvec, kw, sem, glo, notes)``."""
    from embedding.search.hybrid import DEPTH
    from embedding.search.keyword import EmptyQueryError
    from embedding.sentences.compare import NoKnownWordsError
    from embedding.text import escape_markdown

    if corpus.startswith("index:"):
        s_store, bm25, g_store = resources.saved_index_side(corpus.removeprefix("index:"), stamp)
    else:
        bm25, s_store = resources.bm25_index(corpus), resources.builtin_store(corpus, "sbert")
        g_store = resources.builtin_store(corpus, "glove")
    notes: list[tuple[str, str]] = []
    qvec = embed_rows((query,))[0]
    try:
        kw = bm25.search(query, DEPTH)
    except EmptyQueryError as exc:
        notes.append((str(exc), ":material/edit:"))
        kw = []
    try:
        glo = g_store.search(_glove_average().embed_query(query), DEPTH)
    except NoKnownWordsError as exc:
        notes.append((escape_markdown(str(exc)), ":material/translate:"))
        glo = []
    return s_store, qvec, kw, s_store.search(qvec, DEPTH), glo, notes


@st.cache_data(max_entries=256, show_spinner=False)
def keyword_view(corpus: str, stamp: str, query: str, k: int, rrf_k: int) -> dict:
    """The Keyword vs semantic page's four lists for one query, computed once per input and
    shared by sessions: BM25, GloVe average, SBERT and hybrid (RRF) top ``k`` as tables
    (``★`` = in both the keyword and the semantic top ``k``).

    ``corpus`` is a built-in corpus or ``"index:<name>"`` (a saved numpy index, ``stamp`` its
    creation time and size). Returns a dict: ``notes`` (messages for the user: (text, icon)),
    ``lists`` ((title, Arrow table (:func:`arrow_table`) or ``None``) ×4), ``both`` and
    ``count``. Stores are fetched here (shared resources); call the page's ``*_or_stop`` and
    store checks first.
    """
    import pandas as pd

    from embedding.search.hybrid import fuse_hits
    from embedding.search.retrieval import result_rows

    s_store, _, kw, sem, glo, notes = _keyword_searches(corpus, stamp, query)
    both = {h.id for h in kw[:k]} & {h.id for h in sem[:k]}

    def ranked(hits, score_name: str):
        if not hits:
            return None
        rows = result_rows(hits, query)
        df = pd.DataFrame({
            "title": [("★ " if h.id in both else "") + r.title
                      + (f" · {r.position}" if corpus != "movies" else "")
                      for r, h in zip(rows, hits, strict=True)],
            score_name: [round(h.score, 3) for h in hits]})
        df.index = range(1, len(df) + 1)
        return arrow_table(df)

    lists = [("Keyword (BM25)", ranked(kw[:k], "BM25")),
             ("GloVe average", ranked(glo[:k], "cosine")),
             ("Semantic (SBERT)", ranked(sem[:k], "cosine")),
             (f"Hybrid (RRF, k = {rrf_k})", ranked(fuse_hits([kw, sem], rrf_k, k), "RRF score"))]
    return {"notes": notes, "lists": lists, "both": len(both), "count": s_store.count()}


@st.cache_data(max_entries=256, show_spinner=False)
def two_stage_view(corpus: str, stamp: str, query: str, first: str) -> dict | None:
    """``first`` (``"BM25"`` or ``"GloVe average"``)'s top 100 for ``query`` re-ranked by SBERT
    (:func:`embedding.search.hybrid.retrieve_and_rerank`), shared: ``None`` when the first
    stage found nothing, else ``kept``, ``n``, ``candidates`` and ``table`` (Arrow)."""
    import pandas as pd

    from embedding.search.hybrid import retrieve_and_rerank

    s_store, qvec, kw, sem, glo, _ = _keyword_searches(corpus, stamp, query)
    stage1 = kw if first == "BM25" else glo
    two = retrieve_and_rerank(stage1, s_store, qvec, k=10)
    if not two.final:
        return None
    exact_top = {h.id for h in sem[:10]}
    payload = {h.id: h.payload for h in stage1}
    return {"kept": two.kept_share, "n": len(two.final), "candidates": len(two.candidates),
            "table": arrow_table(pd.DataFrame({
                "#": range(1, len(two.final) + 1),
                "title": [str(payload[i].get("title", i)) for i, _ in two.final],
                "SBERT cosine": [round(s, 4) for _, s in two.final],
                f"rank in {first}": [two.candidates.index(i) + 1 for i, _ in two.final],
                "in SBERT's own top 10": ["yes" if i in exact_top else "no"
                                          for i, _ in two.final]}))}


# ---------------------------------------------------------------- categories as candidates


def _glove_average():
    from embedding.search.retrieval import GloveAverageVectorizer

    return GloveAverageVectorizer(resources.glove())


@st.cache_data(max_entries=256, show_spinner=False)
def category_scores(label_texts: tuple[str, ...], text: str) -> dict[str, np.ndarray]:
    """Cosine of ``text`` with each label text by model: ``"SBERT"``, and ``"GloVe average"``
    when GloVe knows a word of the text; shared by sessions (call ``*_or_stop`` first)."""
    from embedding.search.categories import cosines

    scores = {"SBERT": cosines(embed_rows((text,)), embed_rows(label_texts))[0]}
    glove_vec = _glove_average()
    g = glove_vec.embed([text])
    if g.any():
        scores["GloVe average"] = cosines(g, glove_vec.embed(list(label_texts)))[0]
    return scores


@st.cache_data(max_entries=64, show_spinner=False)
def genre_evaluation(names: tuple[str, ...], texts: tuple[str, ...]) -> dict:
    """First genre of every built-in film predicted from its plot by the closest of the genre
    descriptions ``texts`` (named ``names``), with SBERT and with GloVe averages, against the
    real first genre: ``{"films", "unknown", "counts", "SBERT": Evaluation, "GloVe average":
    Evaluation}``, shared by sessions."""
    from embedding.search.categories import assign, evaluate
    from embedding.search.documents import movie_corpus

    ids, _, payloads = movie_corpus()
    truth = [p["genres"].split("|")[0] for p in payloads]
    g_store = resources.builtin_store("movies", "glove")
    g_ids = set(g_store.ids())
    gold = {"SBERT": truth,
            "GloVe average": [t for i, t in zip(ids, truth, strict=True) if i in g_ids]}
    plots = {"SBERT": resources.builtin_store("movies", "sbert").vectors_of(ids),
             "GloVe average": g_store.vectors_of([i for i in ids if i in g_ids])}
    labels = {"SBERT": embed_rows(texts), "GloVe average": _glove_average().embed(list(texts))}
    out: dict = {"films": len(ids), "unknown": [n for n in names if n not in set(truth)],
                 "counts": [truth.count(n) for n in names]}
    for model in ("SBERT", "GloVe average"):
        predicted = [names[i] for i in assign(plots[model], labels[model])]
        out[model] = evaluate(gold[model], predicted,
                              list(names) + sorted(set(gold[model]) - set(names)))
    return out


# ---------------------------------------------------------------- Word2Vec (trained live)


def _trained_key(result) -> str:
    """A trained model by the content of its vectors and its settings (digest made once)."""
    return f"{vectors_digest(result.wv)}:{result.params!r}"


def _w2v_hash_funcs() -> dict:
    from embedding.recsys.word2vec import TrainedVectors

    return {TrainedVectors: _trained_key}


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=_w2v_hash_funcs())
def word2vec_neighbours(result, word: str, k: int = 10) -> MappingProxyType:
    """What the training tab shows about ``word`` in a trained model, made once per model and
    word and shared READ-ONLY by every session: ``hits`` (neighbour, cosine), ``unknown`` (the
    ``UnknownWordError`` or ``None``), ``word`` as the vocabulary spells it, ``problems``
    (``word2vec.diagnose``), ``table`` (Arrow) and ``figure`` of the hits, and ``map_words``:
    the word, its neighbours and the 60 most frequent longer words."""
    import pandas as pd

    from embedding.recsys import word2vec as w2v
    from embedding.words import vocab

    wv = result.wv
    hits: list[tuple[str, float]] = []
    unknown = None
    if word:
        try:
            hits = vocab.neighbours(wv, word, k=k)
        except vocab.UnknownWordError as exc:
            unknown = exc
    key = vocab.resolve(wv, word) if hits else None
    problems = w2v.diagnose(result, key) if hits else w2v.diagnose(result)
    focus = [key] + [h for h, _ in hits] if hits else []
    view: dict[str, Any] = {
        "hits": hits, "unknown": unknown, "word": key, "problems": problems,
        "map_words": tuple(focus + w2v.frequent_words(wv, 60, min_chars=4)),
        "groups": {**{w: "neighbours" for w in focus[1:]}, **({key: "your word"} if key else {})},
        "df": None, "table": None, "figure": None}
    if hits:
        df = pd.DataFrame(hits, columns=["neighbour", "cosine"]).round({"cosine": 4})
        df.insert(0, "rank", range(1, len(hits) + 1))
        view.update(df=df, table=pa.Table.from_pandas(df, preserve_index=False), figure=figure(
            "figures.score_bars", [h for h, _ in hits], [s for _, s in hits],
            title=f"Closest to '{word}'" + (" (unreliable: see the warning)" if problems else "")))
    return MappingProxyType(view)


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=_w2v_hash_funcs())
def word2vec_map(result, word: str, method: str) -> MappingProxyType:
    """The map of :func:`word2vec_neighbours`' ``map_words`` (``"pca"`` or ``"umap"``) with its
    figure, shared READ-ONLY: ``map`` (``WordMap``) and ``figure``; raises ``ValueError`` when
    too few words are known."""
    near = word2vec_neighbours(result, word)
    wmap = word_map(result.wv, near["map_words"], method)
    title = "Your word, its neighbours and the 60 most frequent longer words"
    fig = figure("beyond.word_map", list(wmap.words), wmap.xy, near["groups"], wmap.explained,
                 title=title, method=method)  # shared like every figure (serialised once)
    return MappingProxyType({"map": wmap, "figure": fig})


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=_w2v_hash_funcs())
def product2vec_view(result, colour: str) -> MappingProxyType:
    """The Product2Vec tab's shared READ-ONLY results for a trained basket model: ``purity``,
    the products' PCA map ``figure`` coloured by ``colour`` (``"mission"`` or ``"aisle"``) and
    its table ``df``, and six ``sample`` baskets (``df`` and Arrow ``table``)."""
    import pandas as pd

    from embedding.recsys import baskets as bk

    pmap = pca_map(result.wv, tuple(q.name for q in bk.PRODUCTS))
    prods = [bk.BY_NAME[n] for n in pmap.words]
    fig = figure("beyond.grouped_map", [q.label for q in prods], pmap.xy,
                 [q.mission if colour == "mission" else q.aisle for q in prods],
                 hover=[f"{q.label}: {q.mission} · aisle {q.aisle}" for q in prods],
                 explained=pmap.explained, title=f"Products coloured by {colour}")
    df = pd.DataFrame({"product": [q.label for q in prods], "mission": [q.mission for q in prods],
                       "aisle": [q.aisle for q in prods], "x": pmap.xy[:, 0].round(4),
                       "y": pmap.xy[:, 1].round(4)})
    baskets, _ = resources.basket_corpus()
    sample = pd.DataFrame({"basket": range(1, 7),
                           "products (a 'sentence')": [", ".join(p.replace("_", " ") for p in b)
                                                       for b in baskets[:6]]})
    return MappingProxyType({"purity": bk.neighbour_purity(result.wv), "figure": fig, "df": df,
                             "sample": sample, "sample_table": pa.Table.from_pandas(sample)})


@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs=_w2v_hash_funcs())
def product2vec_suggestions(result, basket: tuple[str, ...], k: int = 5) -> MappingProxyType:
    """"Customers also buy" for ``basket`` (:func:`embedding.recsys.baskets.also_bought`) as a
    ``df`` and its Arrow ``table``, shared READ-ONLY by every session."""
    import pandas as pd

    from embedding.recsys import baskets as bk

    hits = bk.also_bought(result.wv, list(basket), k=k)
    df = pd.DataFrame({"suggestion": [bk.BY_NAME[h].label for h, _ in hits],
                       "cosine": [round(s, 4) for _, s in hits],
                       "mission": [bk.BY_NAME[h].mission for h, _ in hits]})
    df.insert(0, "rank", range(1, len(hits) + 1))
    return MappingProxyType({"df": df, "table": pa.Table.from_pandas(df, preserve_index=False)})


# ---------------------------------------------------------------- movie recommendations


@st.cache_resource(max_entries=8, show_spinner=False)
def movie_choices(provider: str = SBERT_KEY) -> MappingProxyType:
    """The movie pickers' options for the movies of ``provider``'s recommender (built already:
    the page waits for it first), made once and shared READ-ONLY: ``labels`` (tuple),
    ``row_of`` (label → row), ``by_id`` (movie id → label), ``index`` (title or label → row)."""
    from embedding.recsys import recommend as rec

    movies = (resources.movie_recommender() if provider == SBERT_KEY
              else resources.provider_movie_recommender(provider))[0]
    labels = tuple(m.label for m in movies)
    return MappingProxyType({"labels": labels, "row_of": {lab: i for i, lab in enumerate(labels)},
                             "by_id": {m.id: m.label for m in movies},
                             "index": rec.title_index(movies)})


@st.cache_resource(max_entries=512, show_spinner=False)
def recommendations(provider: str, liked: tuple[int, ...] = (), query: str = "",
                    k: int = 5) -> MappingProxyType:
    """The ``k`` movies closest to the taste of the ``liked`` rows (or to ``query`` when none),
    each with its reasons (``recommend.explain_hits``), shared READ-ONLY by every session:
    ``results``, ``against`` (what the scores compare with), the scores' ``figure`` and the
    download table ``df``. Raises the provider's error (``ProviderError``, ``ModelLoadError``);
    call after the recommender is built."""
    import pandas as pd

    from embedding.recsys import recommend as rec

    movies, store = (resources.movie_recommender() if provider == SBERT_KEY
                     else resources.provider_movie_recommender(provider))
    emb = store.vectors()

    def embed(texts: list[str]) -> np.ndarray:
        return embed_rows(tuple(texts), provider)

    if liked:
        hits = rec.recommend(store, list(liked), k=k)
        refs = emb[list(liked)]
        against = "your taste" if len(liked) > 1 else movies[liked[0]].title
    else:
        refs = embed([query])
        hits = rec.rank(store, refs[0], k=k)
        against = "what you typed"
    results = rec.explain_hits(movies, emb, hits, refs, embed, list(liked))
    rows = [movies[r.row] for r in results]
    fig = figure("figures.score_bars", [f"{n}. {m.title}" for n, m in enumerate(rows, start=1)],
                 [r.score for r in results], title=f"Cosine with {against}")
    df = pd.DataFrame({
        "rank": range(1, len(results) + 1), "title": [m.title for m in rows],
        "year": [m.year for m in rows], "cosine": [round(r.score, 4) for r in results],
        "genres": [", ".join(m.genres) for m in rows],
        "shared genres": [", ".join(r.shared) for r in results],
        "closest sentence": [r.sentence.sentence for r in results],
        "sentence cosine": [round(r.sentence.score, 4) for r in results]})
    return MappingProxyType({"results": tuple(results), "against": against, "figure": fig,
                             "df": df})
