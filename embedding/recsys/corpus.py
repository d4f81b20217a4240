"""Corpora for Word2Vec: text or item sequences read into tokenised sentences, bounded.

Word2Vec learns from sentences of tokens. A text is cut into sentences (at . ! ? and line
breaks) of lower-case words; a sequence file ("X2Vec": playlists, baskets) has one sequence
per line with its items kept as they are. Either is capped at :data:`MAX_TOKENS` tokens so
training stays quick on a shared server, and an upload is checked by its content first.

    >>> corpus_from_text("The cat sat. The dog ran.").sentences
    (('the', 'cat', 'sat'), ('the', 'dog', 'ran'))
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from embedding.text import tokenize

#: Largest uploaded text file we read, in bytes (the rest of the server stays responsive).
MAX_UPLOAD_BYTES = 2_000_000
#: At most this many tokens of a corpus are used for training (the rest is cut, with a note).
MAX_TOKENS = 120_000
#: A sentence longer than this is cut into pieces (gensim ignores words past 10,000 anyway).
MAX_SENTENCE_TOKENS = 1_000

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")


class CorpusError(ValueError):
    """A corpus that cannot be trained on (not text, empty, too few words); the message says why."""


@dataclass(frozen=True)
class Corpus:
    """Tokenised sentences ready for Word2Vec, and what was cut to keep training bounded.

    Usage: ``corpus = corpus_from_text("The cat sat. The dog ran."); corpus.n_tokens`` → 6
    """

    sentences: tuple[tuple[str, ...], ...]
    name: str
    truncated: bool = False  # True when the text had more than MAX_TOKENS tokens

    @cached_property
    def n_tokens(self) -> int:
        """How many tokens the sentences hold (counted once per corpus: pages ask every run)."""
        return sum(len(s) for s in self.sentences)

    @cached_property
    def key(self) -> str:
        """A short fingerprint of the content (same text → same key), for caching; computed
        once per corpus object (a walk over every token)."""
        h = zlib.crc32("\n".join(" ".join(s) for s in self.sentences).encode("utf-8"))
        return f"{self.name}:{self.n_tokens}:{h:08x}"


def corpus_from_text(text: str, name: str = "text", max_tokens: int = MAX_TOKENS) -> Corpus:
    """Split ``text`` into sentences (at . ! ? and line breaks) of lower-case word tokens.

    Usage: ``corpus_from_text("A cat. A dog.").sentences`` → ``(("a", "cat"), ("a", "dog"))``

    One-word sentences are dropped (they have no context); at most ``max_tokens`` tokens are
    kept and ``truncated`` says so. Raises :class:`CorpusError` when nothing is left.
    """
    sentences: list[tuple[str, ...]] = []
    total = 0
    truncated = False
    for chunk in _SENTENCE_END.split(text):
        words = tokenize(chunk, style="words")
        for start in range(0, len(words), MAX_SENTENCE_TOKENS):
            piece = words[start:start + MAX_SENTENCE_TOKENS]
            if len(piece) < 2:
                continue
            if total + len(piece) > max_tokens:
                piece = piece[: max_tokens - total]
                truncated = True
            if len(piece) >= 2:
                sentences.append(tuple(piece))
                total += len(piece)
            if truncated:
                break
        if truncated:
            break
    if not sentences:
        raise CorpusError(
            "There are no sentences with words in this text. Upload plain text with some "
            "sentences in it (numbers, symbols and emoji are ignored)."
        )
    return Corpus(tuple(sentences), name, truncated)


_ITEM_SPLIT = re.compile(r"[\s,;]+")
#: Longest item name kept in a sequence corpus (longer ones are cut).
MAX_ITEM_CHARS = 60


def corpus_from_sequences(text: str, name: str = "sequences",
                          max_tokens: int = MAX_TOKENS) -> Corpus:
    """One sequence per line (a playlist, a basket, a session), items split on spaces, commas,
    semicolons or tabs and kept as they are (case included): the input of any "X2Vec".

    Usage: ``corpus_from_sequences("song_a song_b\nsong_b, song_c").sentences``
    → ``(("song_a", "song_b"), ("song_b", "song_c"))``
    """
    sentences: list[tuple[str, ...]] = []
    total = 0
    truncated = False
    for line in text.splitlines():
        items = [t[:MAX_ITEM_CHARS] for t in _ITEM_SPLIT.split(line.strip()) if t]
        items = items[:MAX_SENTENCE_TOKENS]
        if total + len(items) > max_tokens:
            items, truncated = items[: max_tokens - total], True
        if len(items) >= 2:
            sentences.append(tuple(items))
            total += len(items)
        if truncated:
            break
    if not sentences:
        raise CorpusError(
            "No line has two or more items. Put one sequence per line (a playlist, a basket…), "
            "its items separated by spaces or commas."
        )
    return Corpus(tuple(sentences), name, truncated)


def corpus_from_upload(data: bytes, name: str = "upload", sequences: bool = False) -> Corpus:
    """Validate an uploaded file by its content, then read it as UTF-8 text (or, with
    ``sequences=True``, as one sequence of items per line, see :func:`corpus_from_sequences`).

    Usage: ``corpus_from_upload(b"The cat sat on the mat. The dog sat on the log.")``

    Raises :class:`CorpusError` (with a message a student can act on) for a file that is too
    big, binary (a PDF, an image, a zip…), not UTF-8, or without sentences.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise CorpusError(
            f"That file is {len(data) / 1e6:.1f} MB; the trainer reads at most "
            f"{MAX_UPLOAD_BYTES / 1e6:.0f} MB of text. Upload a shorter text file."
        )
    if b"\x00" in data[:65536]:
        raise CorpusError(
            "That file looks binary (a PDF, an image, a Word document?), not plain text. "
            "Save it as a .txt file (UTF-8) and upload that."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"That file is not UTF-8 text (byte {exc.start} cannot be read). Open it in an "
            "editor and save it as UTF-8 plain text."
        ) from None
    if sequences:
        return corpus_from_sequences(text, name=name)
    return corpus_from_text(text, name=name)


def builtin_corpus() -> Corpus:
    """The Lee background corpus that ships with gensim: 300 news stories, ~58,000 words.

    Usage: ``builtin_corpus().n_tokens`` → 58,000 or so
    """
    from gensim.test.utils import datapath

    text = Path(datapath("lee_background.cor")).read_text(encoding="utf-8")
    return corpus_from_text(text, name="lee_background")


def vocabulary_size(corpus: Corpus, min_count: int) -> int:
    """How many distinct words appear at least ``min_count`` times (Word2Vec's vocabulary).

    Usage: ``vocabulary_size(corpus_from_text("a b. a c."), 2)`` → 1
    """
    counts = Counter(w for s in corpus.sentences for w in s)
    return sum(1 for c in counts.values() if c >= min_count)
