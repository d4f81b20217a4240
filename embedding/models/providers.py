"""Embedding providers: texts in, unit vectors out, whoever computes them.

Every sentence vector in the app comes through an :class:`EmbeddingProvider`: the built-in
SBERT (the default, on this server), another local sentence-transformers folder, or an
OpenAI-compatible ``/v1/embeddings`` endpoint (:mod:`embedding.models.remote`). Each has a
stable ``key``, a short ``name``, a one-line ``description`` and ``embed(texts)``, which
returns one L2-normalised float32 row per text.

    >>> provider = SbertProvider(load_sbert())
    >>> provider.embed(["milk chocolate", "chocolate milk"]).shape
    (2, 384)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from embedding.models.sbert import describe_sbert, encode

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

#: Key of the built-in sentence model: the default everywhere, never calls out.
SBERT_KEY = "sbert"


class ProviderError(RuntimeError):
    """A provider could not embed the texts; ``str(exc)`` is a message a student can read
    (what went wrong and what to do), never a traceback and never a key."""

    def __init__(self, provider: str, message: str):
        super().__init__(message)
        self.provider = provider


class EmbeddingProvider(ABC):
    """Something that turns texts into unit vectors.

    Subclasses set ``key`` (stable id for caches and pickers), ``name`` (a short label),
    ``description`` (one line for a caption) and ``remote`` (True when ``embed`` sends the texts
    to another machine), and implement :meth:`embed` and :attr:`dim`.
    """

    key: str
    name: str
    description: str
    remote: bool = False

    @property
    @abstractmethod
    def dim(self) -> int:
        """Numbers per vector (a remote model may only know it after its first answer: 0)."""

    @property
    def fingerprint(self) -> str:
        """What the vectors depend on (a stale cached index has another fingerprint)."""
        return f"{self.key}-{self.dim}"

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text; ``(0, dim)`` for no texts.

        Raises :class:`ProviderError` with a readable message when the texts cannot be embedded.
        """

    def embed_query(self, text: str) -> np.ndarray:
        """The unit vector of one text.

        Usage: ``provider.embed_query("space travel").shape`` → ``(384,)``
        """
        return self.embed([text])[0]


class SbertProvider(EmbeddingProvider):
    """A sentence-transformers model on this server, through the locked
    :func:`embedding.models.sbert.encode` (the built-in MiniLM, or any local folder).

    Usage: ``SbertProvider(load_sbert()).embed(["a cat"]).shape`` → ``(1, 384)``
    """

    def __init__(self, model: SentenceTransformer, *, key: str = SBERT_KEY,
                 name: str = "SBERT", label: str | None = None, batch_size: int = 64):
        self.model = model
        self.key, self.name = key, name
        self.label = label or describe_sbert()
        self.batch_size = batch_size
        self._dim = int(model.get_embedding_dimension() or 0)
        self.description = f"{self.label}, {self._dim} numbers, runs on this server"

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def fingerprint(self) -> str:
        # the built-in key keeps the fingerprint of the indexes cached before providers existed
        return f"{self.key}-{self.label}-{self._dim}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return encode(self.model, texts, batch_size=self.batch_size)
