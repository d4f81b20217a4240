"""Chunking: cut a long text into pieces small enough to embed, each with its position.

A sentence model reads about 256 word pieces and squeezes them into one vector, so a whole
book would blur into a single point. We cut it into chunks (a few sentences, or a fixed number
of words) and embed every chunk on its own. Overlap repeats the end of one chunk at the start
of the next, so an idea that straddles a cut still appears whole somewhere.

    >>> [c.text for c in chunk_by_tokens("one two three four five", size=3, overlap=1)]
    ['one two three', 'three four five']

What the model reads is counted in *word pieces*, not words (all-MiniLM-L6-v2 reads 256, [CLS]
and [SEP] included, and ignores the rest), so :func:`chunk_by_pieces` packs whole sentences up
to a budget of pieces counted by the model's own tokenizer (``count``):

    >>> words = lambda texts: [len(t.split()) for t in texts]  # a stand-in tokenizer
    >>> [c.text for c in chunk_by_pieces("Cats purr. Dogs bark loudly. Birds sing.", size=7,
    ...                                  count=words)]
    ['Cats purr. Dogs bark loudly.', 'Birds sing.']
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from embedding.text import paragraph_spans, sentence_spans

_WORD = re.compile(r"\S+")
#: What a word-piece tokenizer would see as separate tokens: runs of letters/digits, or one mark.
_PIECE_GUESS = re.compile(r"\w+|[^\w\s]")

#: Texts in, the number of word pieces of each out (without [CLS]/[SEP]).
PieceCounter = Callable[[Sequence[str]], Sequence[int]]
#: [CLS] and [SEP]: the two pieces the model adds to every chunk.
SPECIAL_PIECES = 2


def guess_pieces(texts: Sequence[str]) -> list[int]:
    """A lower bound of the word pieces of each text without a tokenizer: its words and marks.

    Usage: ``guess_pieces(["Don't panic!"])`` → ``[5]``
    """
    return [len(_PIECE_GUESS.findall(t)) for t in texts]


@dataclass(frozen=True)
class Chunk:
    """One piece of a text: its number, its text, and where it sits (character offsets)."""

    index: int
    text: str
    start: int
    end: int


def _check(size: int, overlap: int, unit: str) -> None:
    if size < 1:
        raise ValueError(f"A chunk must hold at least 1 {unit} (got {size}).")
    if overlap < 0:
        raise ValueError(f"Overlap cannot be negative (got {overlap}).")
    if overlap >= size:
        raise ValueError(
            f"Overlap ({overlap} {unit}) must be smaller than the chunk size ({size} {unit}), "
            "otherwise the next chunk would never move forward."
        )


def _windows(n: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Index windows ``[i, j)`` over ``n`` items: ``size`` each, stepping ``size - overlap``."""
    if n == 0:
        return []
    step = size - overlap
    out = []
    i = 0
    while True:
        j = min(i + size, n)
        out.append((i, j))
        if j >= n:
            return out
        i += step


def chunk_by_sentences(text: str, size: int = 3, overlap: int = 0) -> list[Chunk]:
    """Chunks of ``size`` whole sentences; consecutive chunks share ``overlap`` sentences.

    Usage: ``chunk_by_sentences("A. B. C.", size=2, overlap=1)`` → chunks "A. B." and "B. C."

    Raises ``ValueError`` when ``size < 1``, ``overlap < 0`` or ``overlap >= size``.
    """
    _check(size, overlap, "sentences")
    spans = sentence_spans(text or "")
    return [
        Chunk(k, text[spans[i][0] : spans[j - 1][1]], spans[i][0], spans[j - 1][1])
        for k, (i, j) in enumerate(_windows(len(spans), size, overlap))
    ]


#: A paragraph shorter than this many words (a heading) is joined to the paragraph after it.
HEADING_WORDS = 8


def chunk_by_paragraphs(text: str, size: int = 3, overlap: int = 0) -> list[Chunk]:
    """Chunks that end where paragraphs end: a paragraph of up to ``size`` sentences is one
    chunk, a longer one is cut into windows of ``size`` sentences sharing ``overlap``, and a
    short line (a heading) joins the paragraph after it. No chunk straddles two paragraphs.

    Usage: ``[c.text for c in chunk_by_paragraphs("# Bread\n\nKnead. Bake.\n\nEat.", 3)]``
    → ``["# Bread\n\nKnead. Bake.", "Eat."]``
    """
    _check(size, overlap, "sentences")
    text = text or ""
    groups: list[tuple[int, int]] = []
    pending: int | None = None
    for start, end in paragraph_spans(text):
        if pending is not None:
            start, pending = pending, None
        if len(text[start:end].split()) < HEADING_WORDS:
            pending = start
            continue
        groups.append((start, end))
    if pending is not None:  # a short last paragraph: its own chunk
        groups.append((pending, len(text.rstrip())))
    sentences = sentence_spans(text)
    out: list[Chunk] = []
    for start, end in groups:
        inside = [s for s in sentences if start <= s[0] < end]
        for i, j in _windows(len(inside), size, overlap):
            a, b = inside[i][0] if i else start, inside[j - 1][1]
            out.append(Chunk(len(out), text[a:b], a, b))
    return out


def chunk_by_tokens(text: str, size: int = 100, overlap: int = 20) -> list[Chunk]:
    """Chunks of ``size`` words (white-space tokens); consecutive chunks share ``overlap``.

    Usage: ``chunk_by_tokens(book, size=120, overlap=20)``

    The chunk keeps the original spacing between its words. Raises ``ValueError`` when
    ``size < 1``, ``overlap < 0`` or ``overlap >= size``.
    """
    _check(size, overlap, "words")
    text = text or ""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    return [
        Chunk(k, text[words[i][0] : words[j - 1][1]], words[i][0], words[j - 1][1])
        for k, (i, j) in enumerate(_windows(len(words), size, overlap))
    ]


def chunk_by_pieces(text: str, size: int = 128, overlap: int = 0,
                    count: PieceCounter | None = None) -> list[Chunk]:
    """Whole sentences packed into chunks of at most ``size`` word pieces ([CLS] and [SEP]
    included), as the model's tokenizer ``count`` counts them; consecutive chunks share the last
    whole sentences of up to ``overlap`` pieces. A sentence longer than ``size`` pieces (a long
    list without full stops) is cut into runs of whole words of about equal size that fit.

    Usage: ``chunk_by_pieces(text, 128, 32, count=sbert_piece_counter)``; without ``count``,
    :func:`guess_pieces` (words and marks) stands in.

    Raises ``ValueError`` when ``size`` leaves no room for a piece, ``overlap < 0`` or
    ``overlap >= size``.
    """
    _check(size - SPECIAL_PIECES, overlap, "word pieces")
    budget = size - SPECIAL_PIECES
    text = text or ""
    units: list[tuple[int, int]] = []
    spans = sentence_spans(text)
    counter = count or guess_pieces
    lengths = list(counter([text[a:b] for a, b in spans])) if spans else []
    sizes: list[int] = []
    for (a, b), n in zip(spans, lengths, strict=True):
        if n <= budget:
            units.append((a, b))
            sizes.append(int(n))
            continue
        words = [m.span() for m in _WORD.finditer(text, a, b)]  # (already within text)
        for run, pieces in _runs(words, counter([text[x:y] for x, y in words]), budget):
            units.append(run)
            sizes.append(pieces)
    out: list[Chunk] = []
    i = 0
    while i < len(units):
        j, used = i, 0
        while j < len(units) and (j == i or used + sizes[j] <= budget):
            used += sizes[j]
            j += 1
        a, b = units[i][0], units[j - 1][1]
        out.append(Chunk(len(out), text[a:b], a, b))
        if j >= len(units):
            break
        back, shared = j, 0  # step back over whole sentences that fit in the overlap
        while back - 1 > i and shared + sizes[back - 1] <= overlap:
            back -= 1
            shared += sizes[back]
        i = back
    return out


def _runs(words: list[tuple[int, int]], pieces: Sequence[int],
          budget: int) -> list[tuple[tuple[int, int], int]]:
    """A sentence too long for one chunk as runs of whole words of about equal size, each of
    at most ``budget`` pieces (a word-piece tokenizer splits at white space first, so a run's
    pieces are the sum of its words'; a single word over the budget is a run of its own):
    ``[((start, end), pieces), …]``.

    >>> _runs([(0, 1), (2, 3), (4, 5), (6, 7)], [2, 2, 2, 2], budget=5)
    [((0, 3), 4), ((4, 7), 4)]
    """
    total = sum(pieces)
    target = min(budget, math.ceil(total / math.ceil(total / budget)))  # equal parts
    out: list[tuple[tuple[int, int], int]] = []
    first, used = 0, 0
    for k, n in enumerate(pieces):
        if k > first and used + n > target:
            out.append(((words[first][0], words[k - 1][1]), used))
            first, used = k, 0
        used += int(n)
    out.append(((words[first][0], words[-1][1]), used))
    return out


#: The chunking methods, as :func:`chunk_text` names them.
METHODS = ("pieces", "paragraphs", "sentences", "tokens")


def chunk_text(text: str, method: str = "sentences", size: int = 3, overlap: int = 0,
               count: PieceCounter | None = None) -> list[Chunk]:
    """Dispatch on ``method`` (``"pieces"``, ``"paragraphs"``, ``"sentences"`` or ``"tokens"``);
    ``count`` counts word pieces for ``"pieces"``.

    Usage: ``chunk_text(text, "tokens", size=100, overlap=20)``
    """
    if method == "pieces":
        return chunk_by_pieces(text, size, overlap, count)
    if method == "paragraphs":
        return chunk_by_paragraphs(text, size, overlap)
    if method == "sentences":
        return chunk_by_sentences(text, size, overlap)
    if method == "tokens":
        return chunk_by_tokens(text, size, overlap)
    raise ValueError(f"Unknown chunking method '{method}': use 'pieces', 'paragraphs', "
                     "'sentences' or 'tokens'.")
