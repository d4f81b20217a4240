"""The kinds of question an exercise set holds: one class each, with its own prompt, solve and check.

Every kind knows its JSON form (:meth:`to_dict` / :meth:`from_fields`), the choices a student
picks from (:meth:`options`), its wording (:meth:`prompt`), how to compute the right answer
(:meth:`solve`) and how to judge an answer with a hint of its own kind (:meth:`check`).

    >>> q = question_from_dict({"kind": "analogy", "a": "man", "b": "king", "c": "woman"})
    >>> q.prompt()
    "man is to king as woman is to … ? Type GloVe's top answer."
    >>> question_to_dict(q)
    {'kind': 'analogy', 'a': 'man', 'b': 'king', 'c': 'woman'}
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from embedding.classroom.docs import CORPORA, Doc
from embedding.classroom.explain import MAX_TOY_ITEMS, NAMED_VECTOR_LIMITS
from embedding.classroom.solving import Feedback, Solution, ranked, tied
from embedding.classroom.validation import (
    MAX_NAME,
    MAX_PHRASE,
    ExerciseFormatError,
    fields,
    number,
    text,
    typename,
    word,
)
from embedding.formatting import num
from embedding.similarity import cosine_steps

if TYPE_CHECKING:  # pragma: no cover
    from gensim.models import KeyedVectors
    from sentence_transformers import SentenceTransformer

CANDIDATES = (2, 6)  # how many candidate words a "closest word" question offers
#: Cosine at or above which we say a model "cannot tell" two phrases apart.
SAME_COSINE = 0.999
#: How many of GloVe's answers an analogy's key ranks.
ANALOGY_TOP = 10
ORDER_CHOICES = (
    "Neither model",
    "Only SBERT",
    "Only the GloVe average",
    "Both models",
)


def _plain(x: float) -> int | float:
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else float(x)


class _Kind:
    """What every question kind provides (the defaults suit a multiple-choice question)."""

    kind: ClassVar[str]
    label: ClassVar[str]
    #: Models the answer needs: "glove", "sbert".
    needs: ClassVar[tuple[str, ...]] = ()
    #: True when students type their answer instead of picking an option.
    typed: ClassVar[bool] = False
    #: True when every answer is welcome (nothing to grade).
    open_ended: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def options(self, docs: Sequence[Doc] | None = None) -> tuple[str, ...]:
        return ()

    def prompt(self) -> str:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def hint(self, answer: str) -> str:  # pragma: no cover - every kind overrides
        raise NotImplementedError

    def check(self, solution: Solution, answer: str) -> Feedback:
        """A picked option: right if it is among the accepted ones, else this kind's hint."""
        if answer in solution.accepted:
            return Feedback(True, "Right! " + solution.note)
        return Feedback(False, self.hint(answer))

    def explain_wrong(self, solution: Solution, answer: str, kv: Any = None) -> str:
        """Why ``answer`` (a wrong one, e.g. the class's most common) is wrong, with the
        numbers: its own score against the right answer's. Plain text."""
        scores = dict(solution.scores)
        if answer in scores and solution.scores:
            right, best = solution.scores[0]
            return (f"\"{answer}\" scores {num(scores[answer])} ({solution.score_name}); "
                    f"\"{right}\" scores {num(best)}, the highest, so it is the answer.")
        return self.hint(answer).removesuffix(" Try again.")


@dataclass(frozen=True)
class ToyQuestion(_Kind):
    """You liked ``liked``: which of the other toy vectors is closest by cosine?"""

    liked: str
    vectors: tuple[tuple[str, tuple[float, ...]], ...]
    kind: ClassVar[str] = "toy"
    label: ClassVar[str] = "Toy vectors: which is closest?"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "toy", "liked": self.liked,
                "vectors": {n: [_plain(x) for x in v] for n, v in self.vectors}}

    @classmethod
    def from_fields(cls, d: dict[str, Any], where: str) -> ToyQuestion:
        fields(d, where, ("kind", "liked", "vectors"))
        liked = text(d, "liked", where, MAX_NAME)
        raw = d["vectors"]
        if not isinstance(raw, dict):
            raise ExerciseFormatError(f"{where}: 'vectors' must be an object of name: [numbers].")
        if not 3 <= len(raw) <= MAX_TOY_ITEMS:
            raise ExerciseFormatError(
                f"{where}: give 3 to {MAX_TOY_ITEMS} vectors (the liked one and at least 2 "
                f"others); got {len(raw)}."
            )
        lo, hi = NAMED_VECTOR_LIMITS
        vectors: list[tuple[str, tuple[float, ...]]] = []
        for name, values in raw.items():
            name = name.strip()
            if not name or len(name) > MAX_NAME or ":" in name or any(ord(c) < 32 for c in name):
                raise ExerciseFormatError(
                    f"{where}: the vector name '{name[:MAX_NAME]}' must be 1 to {MAX_NAME} "
                    "characters, without ':' or line breaks."
                )
            if not isinstance(values, list) or not lo <= len(values) <= hi:
                raise ExerciseFormatError(
                    f"{where}: '{name}' must be a list of {lo} to {hi} numbers."
                )
            vectors.append(
                (name, tuple(number(x, f"{where}: a value of '{name}'") for x in values))
            )
        names = [n for n, _ in vectors]
        if len(set(names)) != len(names):
            raise ExerciseFormatError(f"{where}: two vectors have the same name.")
        if len({len(v) for _, v in vectors}) != 1:
            raise ExerciseFormatError(f"{where}: all vectors need the same number of values.")
        if liked not in names:
            raise ExerciseFormatError(f"{where}: 'liked' ({liked}) is not one of the vectors.")
        return cls(liked, tuple(vectors))

    def options(self, docs: Sequence[Doc] | None = None) -> tuple[str, ...]:
        return tuple(n for n, _ in self.vectors if n != self.liked)

    def prompt(self) -> str:
        vecs = "; ".join(f"{n} = [{', '.join(num(x) for x in v)}]" for n, v in self.vectors)
        return (f"Toy vectors: {vecs}. You liked {self.liked}. Which item is the closest to it "
                "by cosine similarity, so the one to recommend?")

    def solve(self, **_: Any) -> Solution:
        vecs = dict(self.vectors)
        steps = tuple((n, cosine_steps(vecs[self.liked], vecs[n])) for n in self.options())
        scores = ranked([(n, s.cosine) for n, s in steps])
        best = scores[0][0]
        return Solution(best, tied(scores), scores, "cosine",
                        f"{best} has the highest cosine with {self.liked} "
                        f"({num(scores[0][1])}), so it points in the most similar direction.",
                        steps)

    def hint(self, answer: str) -> str:
        return (f"Not quite. Cosine compares directions, not sizes: for each item, divide its "
                f"dot product with {self.liked} by the two lengths, and pick the largest. "
                "Try again.")

    def explain_wrong(self, solution: Solution, answer: str, kv: Any = None) -> str:
        steps = dict(solution.steps)
        right = solution.correct
        if answer not in steps or right not in steps:
            return self.hint(answer).removesuffix(" Try again.")
        w, r = steps[answer], steps[right]
        bigger = (" even though its dot product is larger" if w.dot > r.dot else "")
        return (f"cos({self.liked}, {answer}) = {num(w.dot)} / {num(w.norm_u * w.norm_v)} = "
                f"{num(w.cosine)}, but cos({self.liked}, {right}) = {num(r.cosine)}: {answer} "
                f"points in a less similar direction{bigger}. Cosine compares directions, "
                "not sizes.")


@dataclass(frozen=True)
class ClosestQuestion(_Kind):
    """Which of ``candidates`` is closest to ``word`` in GloVe?"""

    word: str
    candidates: tuple[str, ...]
    kind: ClassVar[str] = "closest"
    label: ClassVar[str] = "Which word is closest to X? (GloVe)"
    needs: ClassVar[tuple[str, ...]] = ("glove",)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "closest", "word": self.word, "candidates": list(self.candidates)}

    @classmethod
    def from_fields(cls, d: dict[str, Any], where: str) -> ClosestQuestion:
        fields(d, where, ("kind", "word", "candidates"))
        w = word(d, "word", where)
        cands = d["candidates"]
        lo, hi = CANDIDATES
        if not isinstance(cands, list) or not lo <= len(cands) <= hi:
            raise ExerciseFormatError(f"{where}: 'candidates' must be a list of {lo} to {hi} words.")
        words = tuple(word({"candidate": c}, "candidate", where) for c in cands)
        if len({x.lower() for x in words}) != len(words):
            raise ExerciseFormatError(f"{where}: a candidate word appears twice.")
        if w.lower() in {x.lower() for x in words}:
            raise ExerciseFormatError(f"{where}: the word '{w}' cannot also be a candidate.")
        return cls(w, words)

    def options(self, docs: Sequence[Doc] | None = None) -> tuple[str, ...]:
        return self.candidates

    def prompt(self) -> str:
        return (f"In GloVe, which of these words is closest to \"{self.word}\" "
                f"(highest cosine similarity): {', '.join(self.candidates)}?")

    def solve(self, kv: KeyedVectors | None = None, **_: Any) -> Solution:
        from embedding.words.vocab import resolve

        key = resolve(kv, self.word)
        scores = ranked([(c, float(kv.similarity(key, resolve(kv, c))))
                         for c in self.candidates])
        best = scores[0][0]
        return Solution(best, tied(scores), scores, "cosine with " + self.word,
                        f"In GloVe, \"{best}\" has the highest cosine with \"{self.word}\" "
                        f"({num(scores[0][1])}).")

    def hint(self, answer: str) -> str:
        return (f"Not quite. GloVe puts words close together when they appear in similar "
                f"contexts: which candidate would turn up in the same sentences as "
                f"\"{self.word}\"? Meaning is not always what wins. Try again.")

    def explain_wrong(self, solution: Solution, answer: str, kv: Any = None) -> str:
        scores = dict(solution.scores)
        if answer not in scores:
            return self.hint(answer).removesuffix(" Try again.")
        right, best = solution.scores[0]
        rank = [w for w, _ in solution.scores].index(answer) + 1
        return (f"In GloVe, \"{answer}\" has cosine {scores[answer]:.4f} with \"{self.word}\" "
                f"(number {rank} of {len(scores)}), \"{right}\" {best:.4f}: \"{right}\" turns "
                f"up in more of the same contexts as \"{self.word}\". Closeness in GloVe is "
                "shared contexts, not only shared meaning.")


@dataclass(frozen=True)
class OrderQuestion(_Kind):
    """Can the GloVe average and SBERT tell phrase ``a`` from phrase ``b``?"""

    a: str
    b: str
    kind: ClassVar[str] = "order"
    label: ClassVar[str] = "Word order: who can tell the phrases apart?"
    needs: ClassVar[tuple[str, ...]] = ("glove", "sbert")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "order", "a": self.a, "b": self.b}

    @classmethod
    def from_fields(cls, d: dict[str, Any], where: str) -> OrderQuestion:
        fields(d, where, ("kind", "a", "b"))
        return cls(text(d, "a", where, MAX_PHRASE), text(d, "b", where, MAX_PHRASE))

    def options(self, docs: Sequence[Doc] | None = None) -> tuple[str, ...]:
        return ORDER_CHOICES

    def prompt(self) -> str:
        return (f"\"{self.a}\" and \"{self.b}\": which model gives them different vectors "
                f"(cosine below {SAME_COSINE}): the average of GloVe word vectors, SBERT, both "
                "or neither?")

    def solve(self, kv: KeyedVectors | None = None,
              model: SentenceTransformer | None = None, **_: Any) -> Solution:
        from embedding.sentences.compare import compare_pair

        r = compare_pair(kv, model, self.a, self.b)
        glove_apart = r.glove_cosine < SAME_COSINE
        sbert_apart = r.sbert_cosine < SAME_COSINE
        correct = ORDER_CHOICES[(1 if sbert_apart else 0) + (2 if glove_apart else 0)]
        scores = (("GloVe average", r.glove_cosine), ("SBERT", r.sbert_cosine))
        why = ("Both phrases use the same words, and an average forgets their order, so the "
               "GloVe vectors are identical." if r.same_words else
               "The phrases use different words, so even the GloVe average differs.")
        return Solution(correct, (correct,), scores, "cosine of the two phrases",
                        f"{why} SBERT reads word positions: its cosine is "
                        f"{r.sbert_cosine:.4f}.")

    def hint(self, answer: str) -> str:
        return ("Not quite. First: do the two phrases use exactly the same words? An average of "
                "word vectors forgets the order of its words; SBERT reads their positions. "
                "Try again.")

    def explain_wrong(self, solution: Solution, answer: str, kv: Any = None) -> str:
        scores = dict(solution.scores)
        if "GloVe average" not in scores or "SBERT" not in scores:
            return self.hint(answer).removesuffix(" Try again.")

        def verdict(cos: float) -> str:
            return ("cannot tell them apart" if cos >= SAME_COSINE else "tells them apart")

        g, s_ = scores["GloVe average"], scores["SBERT"]
        return (f"The GloVe average gives cosine {g:.4f} ({verdict(g)}) and SBERT {s_:.4f} "
                f"({verdict(s_)}; below {SAME_COSINE} counts as apart), so the answer is "
                f"\"{solution.correct}\", not \"{answer}\".")


@dataclass(frozen=True)
class AnalogyQuestion(_Kind):
    """``a`` is to ``b`` as ``c`` is to ? (GloVe's top answer for b − a + c)."""

    a: str
    b: str
    c: str
    kind: ClassVar[str] = "analogy"
    label: ClassVar[str] = "Analogy: a is to b as c is to ?"
    needs: ClassVar[tuple[str, ...]] = ("glove",)
    typed: ClassVar[bool] = True

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "analogy", "a": self.a, "b": self.b, "c": self.c}

    @classmethod
    def from_fields(cls, d: dict[str, Any], where: str) -> AnalogyQuestion:
        fields(d, where, ("kind", "a", "b", "c"))
        a, b, c = (word(d, k, where) for k in "abc")
        return cls(a, b, c)

    def prompt(self) -> str:
        return f"{self.a} is to {self.b} as {self.c} is to … ? Type GloVe's top answer."

    def solve(self, kv: KeyedVectors | None = None, **_: Any) -> Solution:
        from embedding.words.vocab import analogy

        top = analogy(kv, self.a, self.b, self.c, k=ANALOGY_TOP)
        return Solution(top[0][0], (top[0][0],), tuple(top), "3CosAdd score",
                        f"The word nearest to {self.b} − {self.a} + {self.c} (the three input "
                        f"words excluded) is \"{top[0][0]}\".")

    def check(self, solution: Solution, answer: str) -> Feedback:
        if answer.lower() in {a.lower() for a in solution.accepted}:
            return Feedback(True, f"Right! GloVe's top answer is \"{solution.correct}\".")
        rank = next((i for i, (w, _) in enumerate(solution.scores, start=1)
                     if w.lower() == answer.lower()), None)
        if rank:
            return Feedback(False, f"Close: GloVe ranks \"{answer}\" number {rank}, not first. "
                                   "Try again.")
        return Feedback(False, self.hint(answer))

    def hint(self, answer: str) -> str:
        if answer.lower() in {self.a.lower(), self.b.lower(), self.c.lower()}:
            return (f"\"{answer}\" is one of the three input words, and the analogy excludes "
                    f"them (otherwise {self.b} − {self.a} + {self.c} would usually land back on "
                    "an input). Try another word.")
        return (f"Not GloVe's answer: \"{answer}\" is not in its top {ANALOGY_TOP}. Think of the step "
                f"from {self.a} to {self.b} and take the same step from {self.c}. Try again.")

    def explain_wrong(self, solution: Solution, answer: str, kv: Any = None) -> str:
        right, best = solution.scores[0] if solution.scores else (solution.correct, 0.0)
        lowered = answer.lower()
        if lowered in {self.a.lower(), self.b.lower(), self.c.lower()}:
            return self.hint(answer).removesuffix(" Try another word.")
        top = [w.lower() for w, _ in solution.scores]
        if lowered in top:
            rank, score = top.index(lowered) + 1, solution.scores[top.index(lowered)][1]
        elif kv is not None:
            from embedding.words.vocab import UnknownWordError, analogy_rank

            try:
                rank, score = analogy_rank(kv, self.a, self.b, self.c, answer)
            except UnknownWordError:
                return f"\"{answer}\" is not in GloVe's vocabulary, so GloVe cannot answer it."
        else:
            return self.hint(answer).removesuffix(" Try again.")
        return (f"GloVe ranks \"{answer}\" number {rank:,} for {self.b} − {self.a} + {self.c} "
                f"(score {score:.4f}); \"{right}\" is number 1 ({best:.4f}). The nearest word "
                "to the arithmetic wins, even when people would pick another.")


@dataclass(frozen=True)
class SearchQuestion(_Kind):
    """Which document of ``corpus`` does SBERT rank first for ``query``? ``expected``: the
    instructor's expected top result (a document label)."""

    query: str
    corpus: str
    expected: str
    kind: ClassVar[str] = "search"
    label: ClassVar[str] = "Search: which result comes first? (SBERT)"
    needs: ClassVar[tuple[str, ...]] = ("sbert",)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "search", "query": self.query, "corpus": self.corpus,
                "expected": self.expected}

    @classmethod
    def from_fields(cls, d: dict[str, Any], where: str) -> SearchQuestion:
        fields(d, where, ("kind", "query", "corpus", "expected"))
        corpus = d["corpus"]
        if corpus not in CORPORA:
            raise ExerciseFormatError(f"{where}: 'corpus' must be one of: {', '.join(CORPORA)}.")
        return cls(text(d, "query", where, MAX_PHRASE), corpus,
                   text(d, "expected", where, MAX_PHRASE))

    def options(self, docs: Sequence[Doc] | None = None) -> tuple[str, ...]:
        return tuple(d.label for d in docs or ())

    def prompt(self) -> str:
        return (f"Semantic search (SBERT) over the {CORPORA[self.corpus].lower()}: which "
                f"document comes first for the query \"{self.query}\"?")

    def solve(self, model: SentenceTransformer | None = None,
              docs: Sequence[Doc] | None = None,
              doc_embeddings: np.ndarray | None = None, **_: Any) -> Solution:
        if not docs:
            raise ValueError(
                f"The {CORPORA[self.corpus].lower()} are not available on this server.")
        from embedding.classroom.docs import embed_docs
        from embedding.models.sbert import encode

        if doc_embeddings is None:
            doc_embeddings = embed_docs(model, docs)
        if len(doc_embeddings) != len(docs):
            raise ValueError("doc_embeddings must have one row per document.")
        query = encode(model, [self.query])[0]
        sims = np.clip(doc_embeddings @ query, -1.0, 1.0)
        scores = ranked([(d.label, float(s)) for d, s in zip(docs, sims, strict=True)])
        best = scores[0][0]
        agree = ("as the instructor expected" if best == self.expected else
                 f"(the instructor expected \"{self.expected}\")")
        return Solution(best, tied(scores), scores[:10], "SBERT cosine with the query",
                        f"SBERT ranks \"{best}\" first {agree}, with cosine "
                        f"{scores[0][1]:.4f}.")

    def hint(self, answer: str) -> str:
        return ("Not quite. SBERT compares meanings, not shared words: which document is about "
                "the same thing as the query, even in other words? Try again.")

    def explain_wrong(self, solution: Solution, answer: str, kv: Any = None) -> str:
        labels = [w for w, _ in solution.scores]
        if answer not in labels or not solution.scores:
            return (f"\"{answer}\" is not in SBERT's top {len(labels)} for this query. "
                    + self.hint(answer).removesuffix(" Try again.").removeprefix("Not quite. "))
        right, best = solution.scores[0]
        rank = labels.index(answer) + 1
        return (f"SBERT gives \"{answer}\" cosine {solution.scores[rank - 1][1]:.4f} with the "
                f"query (number {rank}); \"{right}\" has {best:.4f}. SBERT compares meanings, "
                "not shared words.")


@dataclass(frozen=True)
class PiecesQuestion(_Kind):
    """Which of ``words`` does BERT's WordPiece tokenizer cut into the most pieces?"""

    words: tuple[str, ...]
    kind: ClassVar[str] = "pieces"
    label: ClassVar[str] = "WordPiece: which word does BERT cut into the most pieces?"
    needs: ClassVar[tuple[str, ...]] = ("sbert",)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "pieces", "words": list(self.words)}

    @classmethod
    def from_fields(cls, d: dict[str, Any], where: str) -> PiecesQuestion:
        fields(d, where, ("kind", "words"))
        raw = d["words"]
        lo, hi = CANDIDATES
        if not isinstance(raw, list) or not lo <= len(raw) <= hi:
            raise ExerciseFormatError(f"{where}: 'words' must be a list of {lo} to {hi} words.")
        words = tuple(word({"word": w}, "word", where) for w in raw)
        if len({w.lower() for w in words}) != len(words):
            raise ExerciseFormatError(f"{where}: a word appears twice.")
        return cls(words)

    def options(self, docs: Sequence[Doc] | None = None) -> tuple[str, ...]:
        return self.words

    def prompt(self) -> str:
        return ("BERT reads text as word pieces from a vocabulary of 30,522. Which of these "
                f"words does it cut into the most pieces: {', '.join(self.words)}?")

    def pieces(self, model: SentenceTransformer) -> dict[str, tuple[str, ...]]:
        """Each word's WordPieces, from the sentence model's own tokenizer."""
        from embedding.sentences.wordpiece import word_pieces

        return {w: word_pieces(model.tokenizer, w) for w in self.words}

    def solve(self, model: SentenceTransformer | None = None, **_: Any) -> Solution:
        cut = self.pieces(model)
        scores = ranked([(w, float(len(p))) for w, p in cut.items()])
        best = scores[0][0]
        shown = "; ".join(f"{w} → {' '.join(cut[w])}" for w, _ in scores)
        return Solution(best, tied(scores), scores, "word pieces",
                        f"BERT cuts \"{best}\" into {len(cut[best])} pieces ({shown}). "
                        "Frequent words have their own entry; rare ones are spelled from "
                        "pieces.")

    def hint(self, answer: str) -> str:
        return ("Not quite. Length is not what counts: BERT keeps frequent words whole and "
                "spells rare ones from pieces. Which word would you rarely read? Try again.")

    def explain_wrong(self, solution: Solution, answer: str, kv: Any = None) -> str:
        scores = dict(solution.scores)
        if answer not in scores or not solution.scores:
            return self.hint(answer).removesuffix(" Try again.")
        right, most = solution.scores[0]
        return (f"\"{answer}\" is {int(scores[answer])} piece"
                f"{'s' * (int(scores[answer]) != 1)}, \"{right}\" {int(most)}: "
                "how long a word is does not matter, how often BERT's training text used it "
                "does (frequent words have their own entry).")


#: The models a class map can use.
MAP_MODELS = {"glove": "GloVe (words)", "sbert": "SBERT (sentences)"}


@dataclass(frozen=True)
class ClassMapQuestion(_Kind):
    """Every student types a word (GloVe) or a sentence (SBERT) about ``topic``; the projector
    shows all of them on one live map. There is no right answer."""

    topic: str
    model: str = "glove"
    kind: ClassVar[str] = "classmap"
    label: ClassVar[str] = "Class map: everyone adds a word or sentence"
    typed: ClassVar[bool] = True
    open_ended: ClassVar[bool] = True

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "classmap", "topic": self.topic, "model": self.model}

    @classmethod
    def from_fields(cls, d: dict[str, Any], where: str) -> ClassMapQuestion:
        fields(d, where, ("kind", "topic", "model"))
        if d["model"] not in MAP_MODELS:
            raise ExerciseFormatError(f"{where}: 'model' must be one of: {', '.join(MAP_MODELS)}.")
        return cls(text(d, "topic", where, MAX_PHRASE), d["model"])

    @property
    def needs(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.model,)

    def prompt(self) -> str:
        what = "a word" if self.model == "glove" else "a short sentence"
        return f"Type {what} that comes to mind for \"{self.topic}\"."

    def solve(self, **_: Any) -> Solution:
        return Solution("", (), (), "", "An open question: every answer goes on the class map, "
                        "and there is no wrong one.")

    def check(self, solution: Solution, answer: str) -> Feedback:
        return Feedback(True, f"Thanks! In a live class, \"{answer}\" appears on the class map.")

    def hint(self, answer: str) -> str:
        return ""


#: Limits of an Explore step's preset: settings, length of a setting's name and value.
MAX_EXPLORE_PARAMS = 12
MAX_PARAM_VALUE = 1_000
MAX_EXPLORE_NOTE = 300
_PAGE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class ExploreStep(_Kind):
    """Not a question: the instructor sends the class to a page of the app with a preset.

    ``page`` is the page's address (its file name without ``.py``, e.g. ``word_order``),
    ``params`` its link settings (the same names the page puts in its own links, e.g.
    ``order_a``), ``note`` what to look at. Each student's screen offers to open it; nothing
    is answered or stored. JSON::

        {"kind": "explore", "page": "word_order",
         "params": {"order_a": "chocolate milk", "order_b": "milk chocolate"},
         "note": "Which model sees a difference?"}
    """

    page: str
    params: tuple[tuple[str, str], ...] = ()
    note: str = ""
    kind: ClassVar[str] = "explore"
    label: ClassVar[str] = "Explore: the class opens a page with a preset"
    open_ended: ClassVar[bool] = True

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "explore", "page": self.page, "params": dict(self.params),
                "note": self.note}

    @classmethod
    def from_fields(cls, d: dict[str, Any], where: str) -> ExploreStep:
        fields(d, where, ("kind", "page", "params", "note"))
        page = d["page"]
        if not isinstance(page, str) or not _PAGE_NAME.fullmatch(page):
            raise ExerciseFormatError(f"{where}: 'page' must be a page's address such as "
                                      "'word_order' (lower-case letters, digits, _).")
        raw = d["params"]
        if not isinstance(raw, dict) or len(raw) > MAX_EXPLORE_PARAMS:
            raise ExerciseFormatError(f"{where}: 'params' must be an object of at most "
                                      f"{MAX_EXPLORE_PARAMS} settings, name: text.")
        params = []
        for name, value in raw.items():
            if not _PAGE_NAME.fullmatch(str(name)):
                raise ExerciseFormatError(f"{where}: the setting '{str(name)[:30]}' is not a "
                                          "setting name (lower-case letters, digits, _).")
            params.append((name, text({name: value}, name, where, MAX_PARAM_VALUE)))
        note = text(d, "note", where, MAX_EXPLORE_NOTE, allow_empty=True)
        return cls(page, tuple(params), note)

    def prompt(self) -> str:
        return self.note or f"Open the page “{self.page}” and explore."

    def link_query(self) -> str:
        """The preset as a query string (``order_a=chocolate+milk&…``)."""
        from urllib.parse import urlencode

        return urlencode(self.params)

    def solve(self, **_: Any) -> Solution:
        return Solution("", (), (), "", "An Explore step: nothing to answer.")

    def check(self, solution: Solution, answer: str) -> Feedback:
        return Feedback(True, "Nothing to answer: open the page and explore.")

    def hint(self, answer: str) -> str:
        return ""


Question = (ToyQuestion | ClosestQuestion | OrderQuestion | AnalogyQuestion | SearchQuestion
            | PiecesQuestion | ClassMapQuestion | ExploreStep)
QUESTION_TYPES: dict[str, type[Question]] = {
    cls.kind: cls
    for cls in (ToyQuestion, ClosestQuestion, OrderQuestion, AnalogyQuestion, SearchQuestion,
                PiecesQuestion, ClassMapQuestion, ExploreStep)
}
KINDS: dict[str, str] = {k: cls.label for k, cls in QUESTION_TYPES.items()}


def question_to_dict(q: Question) -> dict[str, Any]:
    """The JSON form of one question (``kind`` first).

    Usage: ``question_to_dict(AnalogyQuestion("man", "king", "woman"))``
    → ``{"kind": "analogy", "a": "man", "b": "king", "c": "woman"}``
    """
    if not isinstance(q, _Kind):
        raise TypeError(f"Not a question: {q!r}")
    return q.to_dict()


def question_from_dict(d: Any, where: str = "Question") -> Question:
    """One question from its JSON form, strictly validated.

    Usage: ``question_from_dict({"kind": "order", "a": "dog bites man", "b": "man bites dog"})``
    Raises :class:`ExerciseFormatError` naming the question and the field at fault.
    """
    if not isinstance(d, dict):
        raise ExerciseFormatError(f"{where} must be a JSON object {{…}}, not {typename(d)}.")
    kind = d.get("kind")
    if kind not in QUESTION_TYPES:
        shown = str(kind)[:20] if kind is not None else "missing"
        raise ExerciseFormatError(
            f"{where}: 'kind' is {shown!r}; use one of: {', '.join(KINDS)}."
        )
    return QUESTION_TYPES[kind].from_fields(d, f"{where} ({kind})")


def options(q: Question, docs: Sequence[Doc] | None = None) -> tuple[str, ...]:
    """The choices a student picks from; ``()`` for a typed answer (analogies).

    Usage: ``options(ToyQuestion("a", (("a", (1, 0)), ("b", (1, 1)), ("c", (0, 1)))))``
    → ``("b", "c")``
    """
    return q.options(docs)


def prompt(q: Question) -> str:
    """The question as plain text (it contains the instructor's words: escape before display).

    Usage: ``prompt(AnalogyQuestion("man", "king", "woman"))``
    → ``"man is to king as woman is to … ? Type GloVe's top answer."``
    """
    return q.prompt()
