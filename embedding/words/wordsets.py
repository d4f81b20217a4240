"""Things to put on a map: themed word lists, the most frequent words, your words, sentences.

Every set is a list of :class:`MapItem` (a label and a category that colours the map). The
themed words (``data/word_sets.csv``) and the short sentences (``data/map_sentences.csv``)
were written for this app; every themed word is in GloVe 6B's lower-case vocabulary.

    >>> items = themed_words(["animals", "capitals"])
    >>> items[0]
    MapItem(label='dog', category='animals')
    >>> [i.label for i in top_words(kv, 5)]
    ['the', 'of', 'to', 'and', 'in']
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from gensim.models import KeyedVectors

from embedding.paths import DATA
from embedding.words.vocab import UnknownWordError, resolve

WORD_SETS_CSV = DATA / "word_sets.csv"
SENTENCES_CSV = DATA / "map_sentences.csv"
#: The categories shown when the page opens (the rest are one click away).
DEFAULT_CATEGORIES: tuple[str, ...] = ("animals", "countries", "capitals", "foods", "emotions",
                                       "jobs", "numbers", "colours", "sports")
MAX_TOP_WORDS = 5_000
MAX_USER_ITEMS = 500
OWN_WORDS = "your words"
OWN_SENTENCES = "your sentences"
_WORDLIKE = re.compile(r"^[a-z][a-z'-]*$")


@dataclass(frozen=True)
class MapItem:
    """One point of a map: what it shows (word or sentence) and its colour group."""

    label: str
    category: str


@lru_cache(maxsize=1)
def _word_rows() -> tuple[MapItem, ...]:
    with WORD_SETS_CSV.open(encoding="utf-8", newline="") as f:
        return tuple(MapItem(r["word"].strip(), r["category"].strip()) for r in csv.DictReader(f))


@lru_cache(maxsize=1)
def _sentence_rows() -> tuple[MapItem, ...]:
    with SENTENCES_CSV.open(encoding="utf-8", newline="") as f:
        return tuple(MapItem(r["sentence"].strip(), r["topic"].strip())
                     for r in csv.DictReader(f))


def word_categories() -> list[str]:
    """The themes of the built-in word lists, in file order.

    Usage: ``word_categories()[:3]`` → ``["animals", "countries", "capitals"]``
    """
    return list(dict.fromkeys(i.category for i in _word_rows()))


def themed_words(categories=None) -> list[MapItem]:
    """The built-in words of the chosen themes (all themes when ``categories`` is None).

    Usage: ``themed_words(["colours"])[0]`` → ``MapItem("red", "colours")``
    """
    wanted = None if categories is None else set(categories)
    unknown = (wanted or set()) - set(word_categories())
    if unknown:
        raise ValueError(f"No built-in word list called {', '.join(sorted(unknown))}.")
    return [i for i in _word_rows() if wanted is None or i.category in wanted]


def sentence_topics() -> list[str]:
    """The topics of the built-in sentences, in file order.

    Usage: ``sentence_topics()[0]`` → ``"sport"``
    """
    return list(dict.fromkeys(i.category for i in _sentence_rows()))


def builtin_sentences(topics=None) -> list[MapItem]:
    """The built-in short sentences of the chosen topics (all when ``topics`` is None).

    Usage: ``builtin_sentences(["weather"])[0].label`` → ``"Heavy rain is expected …"``
    """
    wanted = None if topics is None else set(topics)
    return [i for i in _sentence_rows() if wanted is None or i.category in wanted]


def frequency_band(rank: int) -> str:
    """The colour group of the word at frequency ``rank`` (1 = most frequent).

    Usage: ``frequency_band(250)`` → ``"top 101–500"``
    """
    for hi, lo in ((100, 1), (500, 101), (1_000, 501), (2_000, 1_001), (5_000, 2_001)):
        if rank <= hi:
            return f"top {lo:,}–{hi:,}"
    return "rarer"


def top_words(kv: KeyedVectors, n: int = 1_000) -> list[MapItem]:
    """The ``n`` most frequent real words of the vocabulary (punctuation and numbers skipped).

    Usage: ``top_words(kv, 3)`` → ``[MapItem("the", "top 1–100"), …]``; ``n`` ≤ 5,000.
    GloVe's vocabulary is stored most frequent first, so this is a walk down ``index_to_key``.
    """
    n = max(1, min(int(n), MAX_TOP_WORDS))
    out: list[MapItem] = []
    for word in kv.index_to_key:
        if _WORDLIKE.match(word):
            out.append(MapItem(word, frequency_band(len(out) + 1)))
            if len(out) == n:
                break
    return out


def parse_tagged_lines(text: str, default: str, limit: int = MAX_USER_ITEMS,
                       split_commas: bool = True) -> list[MapItem]:
    """Items typed in a box: one per line (and per comma for words), ``category: …`` tags a line.

    Usage: ``parse_tagged_lines("fruit: apple, pear\\ncar", "your words")`` →
    ``[MapItem("apple", "fruit"), MapItem("pear", "fruit"), MapItem("car", "your words")]``.
    For sentences (``split_commas=False``) the tag is ``topic | sentence``. Exact duplicates are
    dropped (capitals are kept: a case-sensitive vector file has both "Он" and "он";
    :func:`resolve_items` merges words that resolve to one key); at most ``limit`` items are kept.
    """
    sep = ":" if split_commas else "|"
    seen: set[str] = set()
    out: list[MapItem] = []
    for line in (text or "").splitlines():
        category = default
        if sep in line:
            tag, rest = line.split(sep, 1)
            if tag.strip() and len(tag.strip()) <= 40:
                category, line = " ".join(tag.split()), rest
        parts = line.replace(";", ",").split(",") if split_commas else [line]
        for part in parts:
            label = " ".join(part.split())
            if label and label not in seen:
                seen.add(label)
                out.append(MapItem(label, category))
                if len(out) >= limit:
                    return out
    return out


def resolve_items(kv: KeyedVectors,
                  items: list[MapItem]) -> tuple[list[MapItem], list[UnknownWordError]]:
    """Split typed words into known ones (spelled as in the vocabulary) and unknown ones.

    Usage: ``known, unknown = resolve_items(kv, parse_tagged_lines("Cat, dgo", "mine"))`` →
    ``known == [MapItem("cat", "mine")]``, ``unknown[0].suggestions`` → ``["dog", …]``.
    A word typed twice in different cases appears once.
    """
    known: list[MapItem] = []
    unknown: list[UnknownWordError] = []
    seen: set[str] = set()
    for item in items:
        try:
            key = resolve(kv, item.label)
        except UnknownWordError as exc:
            unknown.append(exc)
            continue
        except ValueError:  # an empty entry
            continue
        if key not in seen:
            seen.add(key)
            known.append(MapItem(key, item.category))
    return known, unknown
