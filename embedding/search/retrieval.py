"""Semantic search: embed the query, find the stored vectors closest to it, explain the ranking.

The pipeline of the lecture: objects (movie blurbs, pages → chunks) → a vectorizer (averaged
GloVe or a sentence transformer) → a vector store → retrieval and ranking by cosine. Averaged
GloVe mostly rewards shared or related *words*; SBERT reads the whole sentence, so "a film
about space travel" finds a blurb about a wormhole and Saturn that never says "space".

    >>> from embedding.models.providers import SbertProvider
    >>> sbert = SbertProvider(model)
    >>> texts = ["A wormhole near Saturn takes a crew to another galaxy.",
    ...          "A young chef cooks in a famous Paris restaurant."]
    >>> store = build_store(sbert, ["m1", "m2"], texts,
    ...                     [{"title": "Interstellar"}, {"title": "Ratatouille"}])
    >>> hits = semantic_search(sbert.embed_query("a film about space travel"), store, k=1)
    >>> hits[0].payload["title"]
    'Interstellar'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from embedding.models.providers import EmbeddingProvider
from embedding.search.store import Hit, NumpyStore, StoreError, VectorStore
from embedding.sentences.compare import NoKnownWordsError
from embedding.similarity import normalize_rows
from embedding.text import escape_markdown, sentence_spans, stem, tokenize, word_spans

if TYPE_CHECKING:  # pragma: no cover
    from gensim.models import KeyedVectors

#: Texts per call to the model when indexing: large enough to keep the model busy, small
#: enough to update a progress bar every few seconds.
INDEX_BATCH = 256

#: Words too common to be worth highlighting as a "shared word".
STOPWORDS = frozenset(
    """a an the and or but of to in on at for with about from by as is are was were be been
    it its this that these those i you he she we they me him her us them my your his our their
    what which who whom how why when where there here not no do does did so than then into over
    film movie story one some any all""".split()
)


# ---------------------------------------------------------------------------------------------
# Search


def semantic_search(query_vec: np.ndarray | Sequence[float], store: VectorStore, k: int = 5
                    ) -> list[Hit]:
    """The ``k`` stored items most similar (cosine) to ``query_vec``, best first.

    Usage: ``semantic_search(model_vec, store, k=5)`` → ``[Hit(id, score, payload), …]``

    The same top-k as a brute-force scan (``tests/reference.py``) for every backend.
    Raises :class:`~embedding.search.store.StoreError` for a zero vector or the wrong dimension.
    """
    if int(k) < 1:
        raise StoreError(f"Ask for at least one result (k={k}).")
    return store.search(query_vec, int(k))


def ranks_of(query_vec, store: VectorStore, ids: Sequence[str]) -> dict[str, int]:
    """The 1-based rank of each of ``ids`` in the full ranking of ``store`` for ``query_vec``.

    Usage: ``ranks_of(glove_query, glove_store, ["movie-1"])`` → ``{"movie-1": 57}``
    (how far down another vectorizer puts a result; ids not stored are left out).
    """
    order = {h.id: n for n, h in enumerate(store.search(query_vec, store.count()), 1)}
    return {i: order[i] for i in ids if i in order}


# ---------------------------------------------------------------------------------------------
# Vectorizers: text → unit vectors (sentence models are embedding providers)


class GloveAverageVectorizer:
    """Averaged GloVe word vectors (order-blind; a text with no known word gets a zero row).

    Usage: ``GloveAverageVectorizer(kv).embed(["a cat", "a dog"]).shape`` → ``(2, 50)``
    """

    name = "GloVe average"

    def __init__(self, kv: KeyedVectors):
        self.kv = kv
        self.dim = int(kv.vector_size)

    @property
    def fingerprint(self) -> str:
        return f"glove-avg-{len(self.kv.key_to_index)}x{self.dim}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        index, vectors = self.kv.key_to_index, self.kv.vectors
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for n, text in enumerate(texts):
            rows = [index[t] for t in tokenize(text) if t in index]
            if rows:
                out[n] = vectors[rows].mean(axis=0)
        return normalize_rows(out)  # a text with no known word stays a zero row

    def embed_query(self, text: str) -> np.ndarray:
        """One unit vector; raises :class:`NoKnownWordsError` when no word is in GloVe."""
        vec = self.embed([text])[0]
        if not np.any(vec):
            raise NoKnownWordsError(text, tokenize(text))
        return vec


#: Texts in, unit vectors out: the GloVe average or any embedding provider (SBERT, remote, …).
Vectorizer = GloveAverageVectorizer | EmbeddingProvider


# ---------------------------------------------------------------------------------------------
# Indexing


def index_texts(
    store: VectorStore,
    vectorizer: Vectorizer,
    ids: Sequence[str],
    texts: Sequence[str],
    payloads: Sequence[Mapping[str, Any]] | None = None,
    *,
    batch: int = INDEX_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed ``texts`` in batches and add them to ``store``; returns how many were added.

    Usage: ``index_texts(store, SbertProvider(model), ids, texts, payloads, progress=cb)``
    where ``cb(done, total)`` updates a progress bar.

    Texts are visited shortest first (what ``SentenceTransformer.encode`` does inside one call)
    so each model batch pads to similar lengths, and stored in one ``add`` at the end, so
    throughput matches one raw ``encode`` of all texts.
    """
    texts = list(texts)
    ids = [str(i) for i in ids]
    if len(ids) != len(texts):
        raise StoreError(f"{len(ids)} ids for {len(texts)} texts: give one id per text.")
    total = len(texts)
    if total == 0:
        return 0
    order = np.argsort([len(t) for t in texts], kind="stable")  # shortest first
    out = np.empty((total, store.dim), dtype=np.float32)
    done = 0
    for start in range(0, total, batch):
        rows = order[start : start + batch]
        out[rows] = vectorizer.embed([texts[r] for r in rows])
        done += len(rows)
        if progress is not None:
            progress(done, total)
    keep = np.flatnonzero(np.any(out != 0, axis=1))  # GloVe: texts with no known word
    store.add([ids[r] for r in keep], out[keep],
              None if payloads is None else [payloads[r] for r in keep])
    return int(keep.size)


def corpus_fingerprint(vectorizer: Vectorizer, ids: Sequence[str], texts: Sequence[str]) -> str:
    """A short hash of the vectorizer and the exact texts (detects a stale cached index).

    Usage: ``corpus_fingerprint(vec, ids, texts)`` → ``"3f2a…"``
    """
    h = hashlib.sha256(vectorizer.fingerprint.encode())
    h.update(json.dumps([list(map(str, ids)), list(texts)], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()[:16]


def build_store(
    vectorizer: Vectorizer,
    ids: Sequence[str],
    texts: Sequence[str],
    payloads: Sequence[Mapping[str, Any]] | None = None,
    *,
    cache_dir=None,
    progress: Callable[[int, int], None] | None = None,
) -> NumpyStore:
    """An in-memory store of ``texts``, reusing ``cache_dir/index.npz`` when it is still valid.

    Usage: ``build_store(SbertProvider(model), ids, plots, payloads,
    cache_dir=writable_dir("cache", "movies-sbert"))``

    The cache is keyed by :func:`corpus_fingerprint`; a stale or damaged cache is rebuilt, so
    a server restart does not re-encode the built-in corpora.
    """
    fp = corpus_fingerprint(vectorizer, ids, texts)
    if cache_dir is not None:
        try:
            cached = NumpyStore.load(cache_dir)
            if cached.meta.get("fingerprint") == fp:
                return cached
        except StoreError:
            pass
    store = NumpyStore(vectorizer.dim, cache_dir, {"fingerprint": fp, "vectorizer":
                                                    vectorizer.name})
    index_texts(store, vectorizer, ids, texts, payloads, progress=progress)
    if cache_dir is not None:
        try:
            store.save()
        except OSError:  # a read-only disk only costs the cache
            pass
    return store


# ---------------------------------------------------------------------------------------------
# Explaining results

def query_terms(query: str) -> set[str]:
    """Stems of the query's content words (stop words dropped).

    Usage: ``query_terms("a film about space travel")`` → ``{"space", "travel"}``
    """
    return {stem(t) for t in tokenize(query) if t not in STOPWORDS and t.isalnum()}


def shared_words(query: str, text: str) -> list[str]:
    """Words of ``text`` that match a query word (same stem), in order, without repeats.

    Usage: ``shared_words("space travel", "They travel far")`` → ``["travel"]``
    """
    terms, out = query_terms(query), []
    for a, b in word_spans(text):
        w = text[a:b]
        if stem(w) in terms and w.lower() not in out:
            out.append(w.lower())
    return out


def highlight(text: str, query: str) -> str:
    """Markdown of ``text`` (safely escaped) with the words it shares with ``query`` in bold.

    Usage: ``highlight("Astronauts travel to Mars.", "space travel")``
    → ``"Astronauts **travel** to Mars\\."``
    """
    terms = query_terms(query)
    parts, cursor = [], 0
    for a, b in word_spans(text):
        if stem(text[a:b]) in terms:
            parts.append(escape_markdown(text[cursor:a]))
            parts.append(f"**{escape_markdown(text[a:b])}**")
            cursor = b
    parts.append(escape_markdown(text[cursor:]))
    return "".join(parts)


def best_sentences(embed: Callable[[list[str]], np.ndarray], query_vec: np.ndarray,
                   texts: Sequence[str], max_sentences: int = 12) -> list[tuple[str, float]]:
    """For each text, its sentence closest to the query (cosine) and that cosine: why SBERT
    ranked the chunk where it did. All sentences are embedded in one call of ``embed`` (texts →
    unit rows); a text of one sentence is its own best sentence.

    Usage: ``best_sentences(sbert.embed, sbert.embed_query(q), [h.payload["text"] for h in hits])``
    → ``[("Use -r to search directories recursively.", 0.61), …]``
    """
    q = np.asarray(query_vec, dtype=np.float32).reshape(-1)
    spans = [[text[a:b] for a, b in sentence_spans(text)][:max_sentences] or [text]
             for text in texts]
    flat = [s for group in spans for s in group]
    if not flat:
        return []
    scores = np.asarray(embed(flat), dtype=np.float32) @ q
    out, i = [], 0
    for group in spans:
        part = scores[i : i + len(group)]
        best = int(np.argmax(part))
        out.append((" ".join(group[best].split()), float(part[best])))
        i += len(group)
    return out


def matched_terms(query: str, text: str) -> list[str]:
    """The query's words that BM25 found in ``text`` (stop words left out), as the query
    wrote them: why keyword search ranked the chunk where it did.

    Usage: ``matched_terms("grep exit status", "The exit status is 0")`` → ``["exit", "status"]``
    """
    from embedding.search.keyword import terms

    present = set(terms(text))
    return list(dict.fromkeys(t for t in terms(query) if t in present))


@dataclass(frozen=True)
class ResultRow:
    """One ranked result, flattened for a table."""

    rank: int
    score: float
    title: str
    source: str
    position: str
    text: str
    shared: str


def result_rows(hits: Sequence[Hit], query: str) -> list[ResultRow]:
    """Table rows for ``hits``: rank, cosine, title/source, position, text, shared words.

    Usage: ``pd.DataFrame(result_rows(hits, query))``
    """
    rows = []
    for n, h in enumerate(hits, 1):
        p = h.payload
        words = shared_words(query, str(p.get("text", "")))
        rows.append(ResultRow(
            rank=n,
            score=round(h.score, 4),
            title=str(p.get("title") or p.get("source") or h.id),
            source=str(p.get("source", "")),
            position=str(p.get("position", "")),
            text=str(p.get("text", "")),
            shared=", ".join(words) if words else "none",
        ))
    return rows


def chart_label(rank: int, title: str, width: int = 48) -> str:
    """A short, unique, markup-free bar label: ``"1. Interstellar (2014)"``.

    Plotly renders a few HTML tags in labels, so angle brackets from user files are replaced.
    Usage: ``chart_label(1, "<b>notes</b>.txt")`` → ``"1. ‹b›notes‹/b›.txt"``
    """
    clean = " ".join(str(title).split()).replace("<", "‹").replace(">", "›")
    if len(clean) > width:
        clean = clean[: width - 1] + "…"
    return f"{rank}. {clean}"
