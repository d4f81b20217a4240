"""Single words in a word-vector space: lookup with spelling help, similarity, neighbours, analogies.

GloVe 6B is lower-case, so lookups are case-insensitive. An unknown word raises
:class:`UnknownWordError` with close known spellings, so a page can say "did you mean …?".

    >>> round(word_similarity(kv, "Chocolate", "milk"), 3)
    0.755
    >>> analogy(kv, "man", "king", "woman", k=1)[0][0]   # king - man + woman
    'queen'
"""

from __future__ import annotations

import difflib
import string

import numpy as np
from gensim.models import KeyedVectors

#: How many of the most frequent words the slower fuzzy fallback looks through.
FUZZY_POOL = 40_000
_LETTERS = string.ascii_lowercase + "-'"


class UnknownWordError(KeyError):
    """A word that is not in the vocabulary, with close spellings to offer."""

    def __init__(self, word: str, suggestions: list[str]):
        super().__init__(word)
        self.word, self.suggestions = word, suggestions

    def __str__(self) -> str:
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"'{self.word}' is not in the vocabulary.{hint}"


class EmptyWordError(ValueError):
    """An empty box where a word was expected."""


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + transposes + replaces + inserts)


def suggest(kv: KeyedVectors, word: str, n: int = 5) -> list[str]:
    """Known words spelled like ``word``, most frequent first (empty list if none is close).

    Usage: ``suggest(kv, "chocolat")`` → ``["chocolate", …]``
    """
    w = word.strip().lower()
    if not w or len(w) > 40:
        return []
    index = kv.key_to_index
    one = {c for c in _edits1(w) if c in index} - {w}
    found = sorted(one, key=index.__getitem__)
    if len(found) < n and len(w) <= 12:
        two = {c2 for c in _edits1(w) for c2 in _edits1(c) if c2 in index} - one - {w}
        found += sorted(two, key=index.__getitem__)[: n - len(found)]
    if not found:
        pool = kv.index_to_key[:FUZZY_POOL]
        found = difflib.get_close_matches(w, pool, n=n, cutoff=0.75)
    return found[:n]


def resolve(kv: KeyedVectors, word: str) -> str:
    """The vocabulary key for ``word``: exact match first, then lower-case.

    Usage: ``resolve(kv, "Paris")`` → ``"paris"``; raises :class:`UnknownWordError`
    (with suggestions) or :class:`EmptyWordError`.
    """
    w = word.strip()
    if not w:
        raise EmptyWordError("Type a word first.")
    if w in kv.key_to_index:
        return w
    if w.lower() in kv.key_to_index:
        return w.lower()
    suggestions = suggest(kv, w)
    if " " in w and not suggestions:
        suggestions = [p for p in w.lower().split() if p in kv.key_to_index][:5]
    raise UnknownWordError(w, suggestions)


def vector(kv: KeyedVectors, word: str) -> np.ndarray:
    """The vector of ``word`` (case-insensitive).

    Usage: ``vector(kv, "King").shape`` → ``(50,)``
    """
    return kv[resolve(kv, word)]


def word_similarity(kv: KeyedVectors, w1: str, w2: str) -> float:
    """Cosine similarity of two words.

    Usage: ``word_similarity(kv, "chocolate", "milk")`` → 0.755…
    """
    return float(kv.similarity(resolve(kv, w1), resolve(kv, w2)))


def neighbours(kv: KeyedVectors, word: str, k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` words closest to ``word`` by cosine, the word itself excluded.

    Usage: ``neighbours(kv, "frog", k=3)`` → ``[("toad", 0.79…), …]``
    """
    key = resolve(kv, word)
    k = max(1, min(int(k), len(kv) - 1))
    return [(w, float(s)) for w, s in kv.most_similar(key, topn=k)]


def analogy(
    kv: KeyedVectors, a: str, b: str, c: str, k: int = 5, method: str = "3cosadd"
) -> list[tuple[str, float]]:
    """"``a`` is to ``b`` as ``c`` is to ?": words nearest b − a + c, inputs excluded.

    Usage: ``analogy(kv, "man", "king", "woman")[0]`` → ``("queen", 0.85…)``

    ``method`` is ``"3cosadd"`` (gensim ``most_similar``) or ``"3cosmul"``
    (``most_similar_cosmul``, Levy & Goldberg 2014).
    """
    ka, kb, kc = resolve(kv, a), resolve(kv, b), resolve(kv, c)
    k = max(1, min(int(k), len(kv) - 3))
    if method == "3cosmul":
        hits = kv.most_similar_cosmul(positive=[kb, kc], negative=[ka], topn=k)
    elif method == "3cosadd":
        hits = kv.most_similar(positive=[kb, kc], negative=[ka], topn=k)
    else:
        raise ValueError(f"Unknown analogy method '{method}': use '3cosadd' or '3cosmul'.")
    return [(w, float(s)) for w, s in hits]


def parse_word_list(text: str, limit: int = 200) -> list[str]:
    """Words from a box of text, split on commas and new lines, duplicates dropped, capped.

    Usage: ``parse_word_list("cat, dog\\nCat")`` → ``["cat", "dog"]``
    """
    seen: dict[str, None] = {}
    for part in text.replace("\n", ",").replace(";", ",").split(","):
        w = part.strip()
        if w and w.lower() not in seen:
            seen[w.lower()] = None
        if len(seen) >= limit:
            break
    return list(seen)
