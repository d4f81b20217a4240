"""Sentences as vectors: the GloVe average (order-blind) and Sentence-BERT (order-aware).

Averaging word vectors gives "chocolate milk" and "milk chocolate" exactly the same vector;
a transformer reads positions, so SBERT tells them apart.

    >>> r = compare_pair(kv, model, "chocolate milk", "milk chocolate")
    >>> round(r.glove_cosine, 3), round(r.sbert_cosine, 2)
    (1.0, 0.98)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from gensim.models import KeyedVectors

from embedding.models.sbert import encode
from embedding.similarity import cosine
from embedding.text import tokenize

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

class NoKnownWordsError(ValueError):
    """None of a text's tokens has a GloVe vector, so there is nothing to average."""

    def __init__(self, text: str, tokens: list[str]):
        self.text, self.tokens = text, tokens
        if tokens:
            msg = (
                f"None of the words in \"{text[:60]}\" is in GloVe's vocabulary "
                f"({', '.join(tokens[:8])}). Try everyday English words."
            )
        else:
            msg = "There are no words to embed here: type some letters or numbers."
        super().__init__(msg)


@dataclass(frozen=True)
class SentenceVector:
    """An averaged GloVe sentence vector and which tokens went into it."""

    vector: np.ndarray
    tokens: tuple[str, ...]
    known: tuple[str, ...]
    unknown: tuple[str, ...]


def glove_sentence_vector(kv: KeyedVectors, text: str) -> SentenceVector:
    """Mean of the GloVe vectors of the known tokens of ``text``.

    Usage: ``glove_sentence_vector(kv, "chocolate milk").vector.shape`` → ``(50,)``

    Unknown tokens are skipped and reported; if none is known, :class:`NoKnownWordsError`.
    """
    tokens = tokenize(text)
    index = kv.key_to_index
    known = [t for t in tokens if t in index]
    unknown = [t for t in tokens if t not in index]
    if not known:
        raise NoKnownWordsError(text, tokens)
    vec = np.mean(np.stack([kv[t] for t in known]), axis=0, dtype=np.float64)
    return SentenceVector(
        vector=vec.astype(np.float32),
        tokens=tuple(tokens),
        known=tuple(known),
        unknown=tuple(unknown),
    )


def sbert_embed(model: SentenceTransformer, texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised SBERT row per text, batched and thread-safe.

    Usage: ``sbert_embed(model, ["a cat", "a dog"]).shape`` → ``(2, 384)``
    """
    return encode(model, list(texts))


@dataclass(frozen=True)
class PairComparison:
    """Two texts scored by both models, for the word-order and sentence pages."""

    a: str
    b: str
    glove_a: SentenceVector
    glove_b: SentenceVector
    glove_cosine: float
    sbert_cosine: float

    @property
    def same_words(self) -> bool:
        """True when both texts use the same bag of known words (GloVe cannot tell them apart)."""
        return sorted(self.glove_a.known) == sorted(self.glove_b.known)


def compare_pair(
    kv: KeyedVectors, model: SentenceTransformer, a: str, b: str
) -> PairComparison:
    """Cosine of ``a`` and ``b`` under the GloVe average and under SBERT.

    Usage: ``compare_pair(kv, model, "dog bites man", "man bites dog").sbert_cosine``
    """
    return compare_pairs(kv, model, [(a, b)])[0]


def compare_pairs(
    kv: KeyedVectors,
    model: SentenceTransformer | None,
    pairs: Sequence[tuple[str, str]],
    embeddings: np.ndarray | None = None,
) -> list[PairComparison]:
    """:func:`compare_pair` for many pairs with a single batched SBERT call.

    Usage: ``compare_pairs(kv, model, [("chocolate milk", "milk chocolate")])``

    ``embeddings`` are SBERT rows of the texts in pair order (a, b, a, b, …) when the caller
    already has them (e.g. from a cache); then ``model`` is not used.
    """
    texts = [t for pair in pairs for t in pair]
    emb = sbert_embed(model, texts) if embeddings is None else np.asarray(embeddings)
    if emb.shape[0] != len(texts):
        raise ValueError(f"Expected {len(texts)} SBERT rows, got {emb.shape[0]}.")
    out = []
    for i, (a, b) in enumerate(pairs):
        ga, gb = glove_sentence_vector(kv, a), glove_sentence_vector(kv, b)
        out.append(
            PairComparison(
                a=a,
                b=b,
                glove_a=ga,
                glove_b=gb,
                glove_cosine=cosine(ga.vector, gb.vector),
                sbert_cosine=float(np.clip(emb[2 * i] @ emb[2 * i + 1], -1.0, 1.0)),
            )
        )
    return out
