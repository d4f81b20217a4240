"""The embedding map: vectors, hover lists, layouts and figures keyed by a fingerprint of the
labels."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from gensim.models import KeyedVectors

from embedding.models.providers import SBERT_KEY
from ui import resources
from ui.cached.common import HASH_FUNCS, figure, texts_key

# ---------------------------------------------------------------- embedding map
# A map has hundreds or thousands of labels: hashing them (and the hover lists) on every run
# cost the page tens of ms. The public functions fingerprint the labels once (:func:`texts_key`)
# and key the caches by that short string; the labels themselves ride along unhashed (``_``).
# They call the cached functions with keywords: streamlit looks up a positional argument's name
# with inspect.signature, once per argument and call.


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


