"""The exercise builder and live classes: corpora, computed answer keys, QR codes."""

from __future__ import annotations

import json

import streamlit as st

from ui import resources

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


