"""What every subject shares: content hashes of word vectors (cache keys), read-only shared
figures, a cheap key for many strings, Arrow tables."""

from __future__ import annotations

import functools
import hashlib
import threading
import weakref
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import streamlit as st
from gensim.models import KeyedVectors

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


def arrow_table(df):
    """``df`` as the Arrow table ``st.dataframe`` makes of it (index and column levels kept in
    the pandas metadata), made once in a cached function instead of on every run."""

    return pa.Table.from_pandas(df)


