"""The documents a search question ranks: built-in sentences or the movie blurbs.

    >>> builtin_docs()[4].label
    'Heavy rain and strong winds are expected along the coast tonight.'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from embedding.classroom.validation import MAX_PHRASE

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

CORPORA = {"sentences": "Built-in sentences", "movies": "Movie blurbs (data/movies.csv)"}

#: A small corpus for search questions, written for this app.
BUILTIN_SENTENCES: tuple[str, ...] = (
    "The chef simmered tomatoes with garlic for a rich pasta sauce.",
    "Our team won the football match in the final minute.",
    "The spacecraft entered orbit around Mars after a seven-month journey.",
    "She adopted a playful kitten from the animal shelter.",
    "Heavy rain and strong winds are expected along the coast tonight.",
    "The central bank raised interest rates to slow inflation.",
    "He practised the violin every evening before the concert.",
    "The new phone has a brighter screen and a longer battery life.",
    "Doctors recommend a short walk after meals to help digestion.",
    "The museum opened an exhibition of ancient Egyptian jewellery.",
)
MAX_MOVIES = 1_000


@dataclass(frozen=True)
class Doc:
    """One searchable document: a short ``label`` students pick from, and the ``text``."""

    label: str
    text: str


def builtin_docs() -> list[Doc]:
    """The built-in sentences as documents (label = the sentence).

    Usage: ``builtin_docs()[0].label``
    """
    return [Doc(s, s) for s in BUILTIN_SENTENCES]


def movie_docs() -> list[Doc] | None:
    """The movie blurbs of ``data/movies.csv``, exactly as the Semantic search page embeds them
    (the plot only, labelled "Title (year)"), or ``None`` when the file is missing or unreadable.

    Usage: ``movie_docs()[0].label`` → ``"Interstellar (2014)"``

    ``None`` is not an error: a search question then says "not available on this server".
    """
    try:
        from embedding.search.documents import movie_corpus

        _, texts, payloads = movie_corpus()
    except (ImportError, OSError, KeyError, ValueError, TypeError):
        return None
    docs: dict[str, Doc] = {}
    for text, payload in zip(texts, payloads, strict=True):
        label = str(payload.get("title", "")).strip()[:MAX_PHRASE]
        if label and str(text).strip() and label not in docs:
            docs[label] = Doc(label, str(text))
        if len(docs) >= MAX_MOVIES:
            break
    return list(docs.values()) or None


def corpus_docs(corpus: str) -> list[Doc] | None:
    """The documents of a named corpus (``"sentences"`` or ``"movies"``), ``None`` if missing.

    Usage: ``corpus_docs("sentences")``
    """
    if corpus == "sentences":
        return builtin_docs()
    if corpus == "movies":
        return movie_docs()
    raise ValueError(f"Unknown corpus '{corpus}'.")


def embed_docs(model: SentenceTransformer, docs: Sequence[Doc]) -> np.ndarray:
    """One L2-normalised SBERT row per document (thread-safe; cache it, it is the slow part).

    Usage: ``embed_docs(model, builtin_docs()).shape`` → ``(10, 384)``
    """
    from embedding.models.sbert import encode

    return encode(model, [d.text for d in docs])
