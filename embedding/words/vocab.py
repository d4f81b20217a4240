"""Single words in a word-vector space: lookup with spelling help, similarity, neighbours, analogies.

GloVe 6B is lower-case, so lookups are case-insensitive. An unknown word raises
:class:`UnknownWordError` with close known spellings, so a page can say "did you mean …?".

    >>> round(word_similarity(kv, "Chocolate", "milk"), 3)
    0.755
    >>> analogy(kv, "man", "king", "woman", k=1)[0][0]   # king - man + woman
    'queen'
    >>> [(r.word, r.rank) for r in analogy_input_ranks(kv, "man", "king", "woman")]
    [('man', 995), ('king', 1), ('woman', 196)]

The last line is the fine print of every analogy demo: the three input words are left out of
the answers, and without that rule "king" itself would be the best answer to king - man + woman.
"""

from __future__ import annotations

import difflib
import string
from dataclasses import dataclass

import numpy as np
from gensim.models import KeyedVectors

from embedding.cost import expensive

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


@expensive("spelling suggestions (edits, then up to a 40,000-word scan)")
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
    """The vocabulary key for ``word``: exact match first (a case-sensitive file keeps "Он" and
    "он" apart), then the same word in other capitals (lower, Capitalised, Title, UPPER).

    Usage: ``resolve(kv, "Paris")`` → ``"paris"`` in GloVe (all lower-case), ``"Paris"`` in a
    file that has it; raises :class:`UnknownWordError` (with suggestions) or
    :class:`EmptyWordError`.
    """
    w = word.strip()
    if not w:
        raise EmptyWordError("Type a word first.")
    for candidate in (w, w.lower(), w.capitalize(), w.title(), w.upper()):
        if candidate in kv.key_to_index:
            return candidate
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
    """Cosine similarity of two words, clipped to [-1, 1] (float32 gives 1.0000001 for a word
    with itself).

    Usage: ``word_similarity(kv, "chocolate", "milk")`` → 0.755…
    """
    return max(-1.0, min(1.0, float(kv.similarity(resolve(kv, w1), resolve(kv, w2)))))


def neighbours(kv: KeyedVectors, word: str, k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` words closest to ``word`` by cosine, the word itself excluded.

    Usage: ``neighbours(kv, "frog", k=3)`` → ``[("toad", 0.79…), …]``
    """
    key = resolve(kv, word)
    k = max(1, min(int(k), len(kv) - 1))
    return [(w, float(s)) for w, s in kv.most_similar(key, topn=k)]


#: The two ways of scoring an analogy answer, as the page names them.
ANALOGY_METHODS = {"3cosadd": "3CosAdd (add & subtract)", "3cosmul": "3CosMul (multiply & divide)"}


def _analogy_scores(kv: KeyedVectors, ka: str, kb: str, kc: str, method: str, topn: int | None):
    """gensim's scores for b - a + c: top ``topn`` (inputs excluded) or, for ``None``, all words."""
    if method == "3cosmul":
        return kv.most_similar_cosmul(positive=[kb, kc], negative=[ka], topn=topn)
    if method == "3cosadd":
        return kv.most_similar(positive=[kb, kc], negative=[ka], topn=topn)
    raise ValueError(f"Unknown analogy method '{method}': use '3cosadd' or '3cosmul'.")


def analogy(
    kv: KeyedVectors, a: str, b: str, c: str, k: int = 5, method: str = "3cosadd"
) -> list[tuple[str, float]]:
    """"``a`` is to ``b`` as ``c`` is to ?": words nearest b − a + c, inputs excluded.

    Usage: ``analogy(kv, "man", "king", "woman")[0]`` → ``("queen", 0.85…)``

    ``method`` is ``"3cosadd"`` (gensim ``most_similar``: cosine with the unit-length mean of
    b, c and −a, each unit length first) or ``"3cosmul"`` (``most_similar_cosmul``, Levy &
    Goldberg 2014: cos(x,b)·cos(x,c) / (cos(x,a) + ε), cosines shifted to [0, 1]). The search
    runs over the whole vocabulary; a, b and c themselves are never returned.
    """
    ka, kb, kc = resolve(kv, a), resolve(kv, b), resolve(kv, c)
    k = max(1, min(int(k), len(kv) - 3))
    return [(w, float(s)) for w, s in _analogy_scores(kv, ka, kb, kc, method, k)]


@dataclass(frozen=True)
class InputRank:
    """Where an input word of an analogy would rank had it not been excluded (1 = best)."""

    word: str
    role: str  # "a", "b" or "c" of "a is to b as c is to ?"
    rank: int
    score: float


def analogy_input_ranks(
    kv: KeyedVectors, a: str, b: str, c: str, method: str = "3cosadd"
) -> list[InputRank]:
    """The rank and score each input word would have among ALL words for b − a + c.

    Rank 1 is the best; ties share the better rank. Scores are the same as :func:`analogy`'s.
    Usage: ``analogy_input_ranks(kv, "man", "king", "woman")[1]`` →
    ``InputRank("king", "b", 1, 0.88…)``: "king" would beat "queen" if it were allowed.
    """
    keys = resolve(kv, a), resolve(kv, b), resolve(kv, c)
    scores = np.asarray(_analogy_scores(kv, *keys, method, None))
    out = []
    for role, key in zip("abc", keys, strict=True):
        score = scores[kv.key_to_index[key]]
        out.append(InputRank(key, role, int(np.count_nonzero(scores > score)) + 1, float(score)))
    return out


def analogy_rank(kv: KeyedVectors, a: str, b: str, c: str, word: str,
                 method: str = "3cosadd") -> tuple[int, float]:
    """Where ``word`` ranks as an answer to "a is to b as c is to ?" among ALL words (the
    inputs excluded, as in :func:`analogy`), and its score: 1 is GloVe's answer.

    Usage: ``analogy_rank(kv, "man", "king", "woman", "princess")`` → ``(rank, score)``
    Raises :class:`UnknownWordError` when ``word`` is not in the vocabulary.
    """
    keys = resolve(kv, a), resolve(kv, b), resolve(kv, c)
    key = resolve(kv, word)
    scores = np.array(_analogy_scores(kv, *keys, method, None), dtype=np.float64)
    for k in keys:
        scores[kv.key_to_index[k]] = -np.inf
    score = scores[kv.key_to_index[key]]
    return int(np.count_nonzero(scores > score)) + 1, float(score)


def rank_of(kv: KeyedVectors, word: str, results: list[tuple[str, float]]) -> int | None:
    """1-based position of ``word`` in an answer list, ``None`` when it is not there.

    Usage: ``rank_of(kv, "Queen", analogy(kv, "man", "king", "woman"))`` → ``1``
    """
    w = word.strip().lower()
    for i, (key, _) in enumerate(results, start=1):
        if key.lower() == w:
            return i
    return None


def parse_word_list(text: str, limit: int = 200) -> list[str]:
    """Words from a box of text, split on commas and new lines, exact duplicates dropped, capped.

    Capitals are kept as typed: :func:`resolve` finds "Cat" in GloVe as "cat", and a
    case-sensitive vector file keeps "Он" and "он" apart (:func:`split_known` drops words that
    resolve to the same key). Usage: ``parse_word_list("cat, dog\\ncat")`` → ``["cat", "dog"]``
    """
    seen: dict[str, None] = {}
    for part in text.replace("\n", ",").replace(";", ",").split(","):
        w = part.strip()
        if w and w not in seen:
            seen[w] = None
        if len(seen) >= limit:
            break
    return list(seen)


def word_rank(kv: KeyedVectors, w1: str, w2: str) -> int:
    """Where ``w2`` ranks among the neighbours of ``w1`` (1 = the very closest word).

    Usage: ``word_rank(kv, "king", "queen")`` → 2 or so
    """
    return int(kv.rank(resolve(kv, w1), resolve(kv, w2)))


def split_known(kv: KeyedVectors, words: list[str]) -> tuple[list[str], list[UnknownWordError]]:
    """Vocabulary keys for the known ``words`` (duplicates dropped) and errors for the unknown.

    Usage: ``split_known(kv, ["Cat", "dgo"])`` → ``(["cat"], [UnknownWordError("dgo", ["dog", …])])``
    """
    keys: dict[str, None] = {}
    unknown: list[UnknownWordError] = []
    for w in words:
        try:
            keys[resolve(kv, w)] = None
        except UnknownWordError as exc:
            unknown.append(exc)
        except EmptyWordError:
            continue
    return list(keys), unknown
