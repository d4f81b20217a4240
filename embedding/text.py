"""Text, the one home: words (tokenize, stem, word_spans), sentences (sentence_spans), and
showing untrusted text literally in Streamlit's Markdown (escape_markdown).

    >>> tokenize("Don't stop!")
    ['do', "n't", 'stop']
    >>> tokenize("Don't stop 4 me", style="words")
    ["don't", 'stop', 'me']
    >>> sentence_spans("Hi there. Bye!")
    [(0, 9), (10, 14)]


Streamlit renders Markdown (and ``$…$`` as LaTeX, ``:red[…]`` as colour, a few HTML tags) in
``st.markdown``, alerts, captions, headers and even radio labels. A student's query, an
instructor's exercise title or the text of an uploaded file may contain any of those, so before
we put them into Markdown we put a backslash before every character that could mean something.
A backslash before punctuation always shows the character itself, so the text reads the same.

    >>> escape_markdown("**hi** <b> $x$")
    '\\\\*\\\\*hi\\\\*\\\\* \\\\<b\\\\> \\\\$x\\\\$'
"""

from __future__ import annotations

import re
from typing import Literal

#: Markdown, HTML, LaTeX (``$``) and Streamlit directive (``:red[…]``) characters.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&\"'=^@%])")


def escape_markdown(text: str) -> str:
    """``text`` on one line with every Markdown/HTML/LaTeX-significant character escaped.

    Usage: ``st.markdown(escape_markdown(user_text))`` shows it literally:
    ``escape_markdown("**hi** <b>")`` → ``"\\*\\*hi\\*\\* \\<b\\>"``

    Line breaks become spaces, so a line of user text cannot start a heading, list or code block.
    """
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))


# ---------------------------------------------------------------------------------------------
# Words

#: GloVe 6B's tokens: "don't" → "do", "n't"; "cat's" → "cat", "'s"; numbers are words too.
_GLOVE_TOKEN = re.compile(r"n't|'[a-z]+|[^\W_]+(?=n't)|[^\W_]+")
#: Whole words of letters of any script ("don't" and "rock'n'roll" stay whole), no digits.
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
#: A word as it stands in a text, for finding where it is (one apostrophe allowed: "don't").
_WORD_SPAN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
#: Endings :func:`stem` strips (the first that fits), longest first where they overlap.
_SUFFIXES = ("'s", "ing", "ers", "er", "ed", "es", "s")

TokenStyle = Literal["glove", "words"]


def tokenize(text: str, style: TokenStyle = "glove") -> list[str]:
    """Lower-case word tokens of ``text`` (curly apostrophes made straight).

    ``style="glove"`` (default) cuts the way GloVe 6B saw text, to look words up in it:
    clitics split ("don't" → "do", "n't"), numbers kept, punctuation and emoji dropped.
    ``style="words"`` keeps whole words of letters of any script, to train on free text:
    contractions stay whole, numbers, punctuation and emoji are dropped.

    Usage: ``tokenize("Milk chocolate, please!")`` → ``["milk", "chocolate", "please"]``
    """
    text = text.lower().replace("’", "'")
    if style == "glove":
        return _GLOVE_TOKEN.findall(text)
    if style == "words":
        return _LETTER_WORD.findall(text)
    raise ValueError(f"Unknown token style {style!r}: use 'glove' or 'words'.")


def stem(word: str) -> str:
    """A crude stem, so that "travelling", "travels" and "traveller" all match "travel".

    Usage: ``stem("Travelling")`` → ``"travel"``

    Lower-cases, strips one common ending (keeping at least three letters), then one letter of a
    doubled final consonant (travell → travel; spell → spel, the same on both sides).
    """
    w = word.lower().replace("’", "'")
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeious":
        w = w[:-1]
    return w


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the words of ``text``, as written (not lower-cased).

    Usage: ``word_spans("Hi, you're here")`` → ``[(0, 2), (4, 10), (11, 15)]``
    """
    return [m.span() for m in _WORD_SPAN.finditer(text)]


# ---------------------------------------------------------------------------------------------
# Sentences

#: End of a sentence: . ! or ? (and closing quotes/brackets), followed by white space.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)")
#: A paragraph break (blank line) also ends a sentence.
_PARAGRAPH = re.compile(r"\n\s*\n")
#: Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st vs etc e.g i.e no fig approx jr sr mt ca".split()
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text`` (blank lines also split).

    Usage: ``[text[a:b] for a, b in sentence_spans(text)]`` gives the sentences themselves.

    "Dr. Smith", "J. Smith" and "the U.S. army" do not end a sentence; surrounding white space
    is not part of a span.
    """
    spans: list[tuple[int, int]] = []
    for p_start, p_end in _paragraphs(text):
        cursor = p_start
        for m in _SENTENCE_END.finditer(text, p_start, p_end):
            before = text[cursor : m.start() + 1]
            last_word = before.rsplit(None, 1)[-1].lower().rstrip(".") if before.split() else ""
            if text[m.start()] == "." and (
                last_word in _ABBREVIATIONS
                or "." in last_word
                or (len(last_word) == 1 and last_word.isalpha())
            ):
                continue  # not a sentence end
            _add_span(spans, text, cursor, m.end())
            cursor = m.end()
        _add_span(spans, text, cursor, p_end)
    return spans


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the paragraphs of ``text`` (split at blank lines, white space trimmed).

    Usage: ``paragraph_spans("a b\n\nc")`` → ``[(0, 3), (5, 6)]``
    """
    spans: list[tuple[int, int]] = []
    for start, end in _paragraphs(text):
        _add_span(spans, text, start, end)
    return spans


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, cursor = [], 0
    for m in _PARAGRAPH.finditer(text):
        out.append((cursor, m.start()))
        cursor = m.end()
    out.append((cursor, len(text)))
    return out


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((start + lead, start + lead + len(stripped)))
