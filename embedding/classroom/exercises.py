"""In-class exercises built from the app's building blocks, shared as a link with no server storage.

An exercise set is a title and up to 12 questions of five kinds: toy-vector cosine ("you liked
Avatar: Ironman or Rainman?"), the closest word (GloVe), word order (can the GloVe average /
SBERT tell two phrases apart?), analogies (a : b :: c : ?) and a search query (which document
comes first?). The whole set travels in ONE URL parameter, ``ex``: compact JSON, deflated,
URL-safe base64. Anything read back (a link or a JSON file) is validated field by field, so a
tampered link gives a clear message, never a crash. The answers are never stored: they are
computed from the models when someone checks, so the key is always right.

    >>> token = encode_set(EXAMPLE_SET)
    >>> decode_set(token) == EXAMPLE_SET
    True
    >>> solve(EXAMPLE_SET.questions[0]).correct      # Avatar [1,2,2] → Ironman or Rainman?
    'Ironman'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import io
import json
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from embedding.classroom.explain import MAX_TOY_ITEMS, NAMED_VECTOR_LIMITS, num
from embedding.similarity import CosineSteps, cosine_steps
from embedding.text import escape_markdown

if TYPE_CHECKING:  # pragma: no cover
    from gensim.models import KeyedVectors
    from sentence_transformers import SentenceTransformer

FORMAT = "embedding-explorer/exercises"
VERSION = 1
URL_PARAM = "ex"
MAX_QUESTIONS = 12
MAX_TITLE = 100
MAX_WORD = 40
MAX_PHRASE = 200
MAX_NAME = 40
CANDIDATES = (2, 6)  # how many candidate words a "closest word" question offers
#: Longest ``ex`` value we read; a QR code holds about 2,900 bytes, browsers about 8,000.
MAX_TOKEN_CHARS = 6_000
#: Largest JSON we accept, from a link (after inflating) or an uploaded file.
MAX_JSON_BYTES = 64 * 1024
#: Cosine at or above which we say a model "cannot tell" two phrases apart.
SAME_COSINE = 0.999
TIE = 1e-6

KINDS = {
    "toy": "Toy vectors: which is closest?",
    "closest": "Which word is closest to X? (GloVe)",
    "order": "Word order: who can tell the phrases apart?",
    "analogy": "Analogy: a is to b as c is to ?",
    "search": "Search: which result comes first? (SBERT)",
}
ORDER_CHOICES = (
    "Neither model",
    "Only SBERT",
    "Only the GloVe average",
    "Both models",
)
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


class ExerciseFormatError(ValueError):
    """A link or file that is not a valid exercise set; the message says what is wrong."""


# ---------------------------------------------------------------- the questions


@dataclass(frozen=True)
class ToyQuestion:
    """You liked ``liked``: which of the other toy vectors is closest by cosine?"""

    liked: str
    vectors: tuple[tuple[str, tuple[float, ...]], ...]
    kind: str = field(default="toy", init=False)


@dataclass(frozen=True)
class ClosestQuestion:
    """Which of ``candidates`` is closest to ``word`` in GloVe?"""

    word: str
    candidates: tuple[str, ...]
    kind: str = field(default="closest", init=False)


@dataclass(frozen=True)
class OrderQuestion:
    """Can the GloVe average and SBERT tell phrase ``a`` from phrase ``b``?"""

    a: str
    b: str
    kind: str = field(default="order", init=False)


@dataclass(frozen=True)
class AnalogyQuestion:
    """``a`` is to ``b`` as ``c`` is to ? (GloVe's top answer for b − a + c)."""

    a: str
    b: str
    c: str
    kind: str = field(default="analogy", init=False)


@dataclass(frozen=True)
class SearchQuestion:
    """Which document of ``corpus`` does SBERT rank first for ``query``? ``expected``: the
    instructor's expected top result (a document label)."""

    query: str
    corpus: str
    expected: str
    kind: str = field(default="search", init=False)


Question = ToyQuestion | ClosestQuestion | OrderQuestion | AnalogyQuestion | SearchQuestion


@dataclass(frozen=True)
class ExerciseSet:
    """A titled list of questions: what a link, a QR code and a JSON file carry."""

    title: str
    questions: tuple[Question, ...]


# ---------------------------------------------------------------- to and from plain data


def question_to_dict(q: Question) -> dict[str, Any]:
    """The JSON form of one question (``kind`` first).

    Usage: ``question_to_dict(AnalogyQuestion("man", "king", "woman"))``
    → ``{"kind": "analogy", "a": "man", "b": "king", "c": "woman"}``
    """
    if isinstance(q, ToyQuestion):
        return {"kind": "toy", "liked": q.liked,
                "vectors": {n: [_plain(x) for x in v] for n, v in q.vectors}}
    if isinstance(q, ClosestQuestion):
        return {"kind": "closest", "word": q.word, "candidates": list(q.candidates)}
    if isinstance(q, OrderQuestion):
        return {"kind": "order", "a": q.a, "b": q.b}
    if isinstance(q, AnalogyQuestion):
        return {"kind": "analogy", "a": q.a, "b": q.b, "c": q.c}
    if isinstance(q, SearchQuestion):
        return {"kind": "search", "query": q.query, "corpus": q.corpus, "expected": q.expected}
    raise TypeError(f"Not a question: {q!r}")


def _plain(x: float) -> int | float:
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else float(x)


def to_dict(ex: ExerciseSet) -> dict[str, Any]:
    """The JSON form of a set, as exported to a file and carried (compressed) in a link.

    Usage: ``json.dumps(to_dict(EXAMPLE_SET))``
    """
    return {"format": FORMAT, "version": VERSION, "title": ex.title,
            "questions": [question_to_dict(q) for q in ex.questions]}


def _fields(d: Any, where: str, required: Sequence[str]) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise ExerciseFormatError(f"{where} must be a JSON object {{…}}, not {_typename(d)}.")
    missing = [k for k in required if k not in d]
    if missing:
        raise ExerciseFormatError(f"{where} is missing the field '{missing[0]}'.")
    extra = [k for k in d if k not in required]
    if extra:
        raise ExerciseFormatError(
            f"{where} has an unknown field '{str(extra[0])[:30]}' "
            f"(allowed: {', '.join(required)})."
        )
    return d


def _typename(x: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false",
            type(None): "null", int: "a number", float: "a number"}.get(type(x), "something else")


def _text(
    d: dict[str, Any], key: str, where: str, max_len: int, *, allow_empty: bool = False
) -> str:
    value = d[key]
    if not isinstance(value, str):
        raise ExerciseFormatError(f"{where}: '{key}' must be text, not {_typename(value)}.")
    value = value.strip()
    if not value and not allow_empty:
        raise ExerciseFormatError(f"{where}: '{key}' is empty.")
    if len(value) > max_len:
        raise ExerciseFormatError(
            f"{where}: '{key}' is {len(value)} characters long; at most {max_len} are allowed."
        )
    if any(ord(c) < 32 and c not in "\t" for c in value):
        raise ExerciseFormatError(f"{where}: '{key}' contains a line break or control character.")
    return value


def _word(d: dict[str, Any], key: str, where: str) -> str:
    w = _text(d, key, where, MAX_WORD)
    if " " in w or "\t" in w:
        raise ExerciseFormatError(f"{where}: '{key}' must be a single word, got '{w}'.")
    return w


def _number(x: Any, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ExerciseFormatError(f"{where} must be a number, not {_typename(x)}.")
    if not math.isfinite(x) or abs(x) > 1e6:
        raise ExerciseFormatError(f"{where} must be a number between -1,000,000 and 1,000,000.")
    return float(x)


def question_from_dict(d: Any, where: str = "Question") -> Question:
    """One question from its JSON form, strictly validated.

    Usage: ``question_from_dict({"kind": "order", "a": "dog bites man", "b": "man bites dog"})``
    Raises :class:`ExerciseFormatError` naming the question and the field at fault.
    """
    if not isinstance(d, dict):
        raise ExerciseFormatError(f"{where} must be a JSON object {{…}}, not {_typename(d)}.")
    kind = d.get("kind")
    if kind not in KINDS:
        shown = str(kind)[:20] if kind is not None else "missing"
        raise ExerciseFormatError(
            f"{where}: 'kind' is {shown!r}; use one of: {', '.join(KINDS)}."
        )
    where = f"{where} ({kind})"
    if kind == "toy":
        _fields(d, where, ("kind", "liked", "vectors"))
        liked = _text(d, "liked", where, MAX_NAME)
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
                (name, tuple(_number(x, f"{where}: a value of '{name}'") for x in values))
            )
        names = [n for n, _ in vectors]
        if len(set(names)) != len(names):
            raise ExerciseFormatError(f"{where}: two vectors have the same name.")
        if len({len(v) for _, v in vectors}) != 1:
            raise ExerciseFormatError(f"{where}: all vectors need the same number of values.")
        if liked not in names:
            raise ExerciseFormatError(f"{where}: 'liked' ({liked}) is not one of the vectors.")
        return ToyQuestion(liked, tuple(vectors))
    if kind == "closest":
        _fields(d, where, ("kind", "word", "candidates"))
        word = _word(d, "word", where)
        cands = d["candidates"]
        lo, hi = CANDIDATES
        if not isinstance(cands, list) or not lo <= len(cands) <= hi:
            raise ExerciseFormatError(f"{where}: 'candidates' must be a list of {lo} to {hi} words.")
        words = tuple(_word({"candidate": c}, "candidate", where) for c in cands)
        if len({w.lower() for w in words}) != len(words):
            raise ExerciseFormatError(f"{where}: a candidate word appears twice.")
        if word.lower() in {w.lower() for w in words}:
            raise ExerciseFormatError(f"{where}: the word '{word}' cannot also be a candidate.")
        return ClosestQuestion(word, words)
    if kind == "order":
        _fields(d, where, ("kind", "a", "b"))
        return OrderQuestion(_text(d, "a", where, MAX_PHRASE), _text(d, "b", where, MAX_PHRASE))
    if kind == "analogy":
        _fields(d, where, ("kind", "a", "b", "c"))
        a, b, c = (_word(d, k, where) for k in "abc")
        return AnalogyQuestion(a, b, c)
    _fields(d, where, ("kind", "query", "corpus", "expected"))
    corpus = d["corpus"]
    if corpus not in CORPORA:
        raise ExerciseFormatError(f"{where}: 'corpus' must be one of: {', '.join(CORPORA)}.")
    return SearchQuestion(
        _text(d, "query", where, MAX_PHRASE), corpus, _text(d, "expected", where, MAX_PHRASE)
    )


def from_dict(d: Any) -> ExerciseSet:
    """An exercise set from its JSON form, strictly validated.

    Usage: ``from_dict(json.loads(Path("set.json").read_text()))``
    Raises :class:`ExerciseFormatError` with a message a person can act on.
    """
    d = _fields(d, "The exercise set", ("format", "version", "title", "questions"))
    if d["format"] != FORMAT:
        raise ExerciseFormatError(
            f"This is not an Embedding Explorer exercise set ('format' should be '{FORMAT}')."
        )
    if d["version"] != VERSION:
        raise ExerciseFormatError(
            f"This exercise set has version {str(d['version'])[:10]}; this app reads version "
            f"{VERSION}."
        )
    title = _text(d, "title", "The exercise set", MAX_TITLE, allow_empty=True)
    qs = d["questions"]
    if not isinstance(qs, list):
        raise ExerciseFormatError("'questions' must be a list.")
    if len(qs) > MAX_QUESTIONS:
        raise ExerciseFormatError(
            f"The set has {len(qs)} questions; at most {MAX_QUESTIONS} fit in a link."
        )
    return ExerciseSet(
        title, tuple(question_from_dict(q, f"Question {i}") for i, q in enumerate(qs, start=1))
    )


def to_json(ex: ExerciseSet) -> str:
    """The set as a readable JSON file.

    Usage: ``Path("set.json").write_text(to_json(ex))``
    """
    return json.dumps(to_dict(ex), ensure_ascii=False, indent=2) + "\n"


def _strict_json(text: str | bytes) -> Any:
    def no_constants(name: str) -> None:
        raise ExerciseFormatError(f"'{name}' is not a number JSON allows.")

    try:
        return json.loads(text, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise ExerciseFormatError(
            f"This is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except RecursionError:
        raise ExerciseFormatError("This JSON is nested too deeply.") from None


def from_json(data: str | bytes) -> ExerciseSet:
    """An exercise set from an uploaded JSON file (bytes or text), strictly validated.

    Usage: ``from_json(uploaded.getvalue())``
    """
    if len(data) > MAX_JSON_BYTES:
        raise ExerciseFormatError(
            f"The file is {len(data) / 1024:.0f} KB; an exercise set is at most "
            f"{MAX_JSON_BYTES // 1024} KB."
        )
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ExerciseFormatError("This is not a text file: export a set as JSON first.") \
                from None
    ex = from_dict(_strict_json(data))
    check_link_size(ex)
    return ex


def check_link_size(ex: ExerciseSet) -> None:
    """Raise :class:`ExerciseFormatError` when ``ex`` is too big to travel in a link.

    Usage: ``check_link_size(ExerciseSet(title, (*questions, new_question)))``
    """
    size = len(encode_set(ex))
    if size > MAX_TOKEN_CHARS:
        raise ExerciseFormatError(
            f"This set would make a link of {size:,} characters (the limit is "
            f"{MAX_TOKEN_CHARS:,}): use fewer questions, shorter phrases or rounder numbers."
        )


def encode_set(ex: ExerciseSet) -> str:
    """The set as one compact URL-safe value: minified JSON, deflated, base64url, no padding.

    Usage: ``f"{base_url}?ex={encode_set(ex)}"``
    """
    raw = json.dumps(to_dict(ex), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def decode_set(token: str) -> ExerciseSet:
    """The set carried by a link's ``ex`` value, validated (tampering gives a clear error).

    Usage: ``decode_set(st.query_params["ex"])``
    """
    token = (token or "").strip()
    if not token:
        raise ExerciseFormatError("The link carries no exercise set.")
    if len(token) > MAX_TOKEN_CHARS:
        raise ExerciseFormatError(
            f"The link's exercise set is {len(token):,} characters long; the limit is "
            f"{MAX_TOKEN_CHARS:,}."
        )
    if not _TOKEN.fullmatch(token):
        raise ExerciseFormatError(
            "The link was changed or cut short (it contains characters a shared link never has)."
        )
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_JSON_BYTES + 1)
        if len(raw) > MAX_JSON_BYTES or inflater.unconsumed_tail:
            raise ExerciseFormatError("The link's exercise set is too large once unpacked.")
        if not inflater.eof:
            raise ExerciseFormatError("The link was cut short: copy the whole link again.")
        text = raw.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, ExerciseFormatError):
            raise
        raise ExerciseFormatError(
            "The link was changed or cut short, so its exercise set cannot be read. Ask for "
            "the link again (or scan the QR code)."
        ) from None
    return from_dict(_strict_json(text))


def share_link(base_url: str, ex: ExerciseSet) -> str:
    """The link that opens ``ex`` on the exercise page at ``base_url``.

    Usage: ``share_link("https://class.example.org/exercises", ex)``
    → ``"https://class.example.org/exercises?ex=eNq…"``
    """
    base = base_url.strip().split("#")[0].split("?")[0].rstrip("/")
    return f"{base}?{URL_PARAM}={encode_set(ex)}"


def fingerprint(ex: ExerciseSet) -> str:
    """A short id of a set's content, for widget keys that must change with the set.

    Usage: ``fingerprint(EXAMPLE_SET)`` → 8 hex digits
    """
    return hashlib.sha256(encode_set(ex).encode()).hexdigest()[:8]


def qr_png(link: str, scale: int = 6) -> bytes:
    """A QR code of ``link`` as PNG bytes (``segno``; raises ``ValueError`` if it cannot fit).

    Usage: ``st.image(qr_png(link))``
    """
    import segno

    try:
        code = segno.make(link, error="l" if len(link) > 1200 else "m", micro=False)
    except segno.DataOverflowError as exc:
        raise ValueError(
            f"This link ({len(link):,} characters) is too long for a QR code: remove a question."
        ) from exc
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def qr_svg(link: str, scale: int = 4) -> str:
    """A QR code of ``link`` as inline SVG markup (for the HTML handout).

    Usage: ``qr_svg("https://example.org/exercises?ex=…")``
    """
    import segno

    try:
        code = segno.make(link, error="l" if len(link) > 1200 else "m", micro=False)
    except segno.DataOverflowError as exc:
        raise ValueError("This link is too long for a QR code.") from exc
    return code.svg_inline(scale=scale, border=2)


# ---------------------------------------------------------------- the documents to search


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


# ---------------------------------------------------------------- what students see


def options(q: Question, docs: Sequence[Doc] | None = None) -> tuple[str, ...]:
    """The choices a student picks from; ``()`` for a typed answer (analogies).

    Usage: ``options(EXAMPLE_SET.questions[0])`` → ``("Ironman", "Rainman")``
    """
    if isinstance(q, ToyQuestion):
        return tuple(n for n, _ in q.vectors if n != q.liked)
    if isinstance(q, ClosestQuestion):
        return q.candidates
    if isinstance(q, OrderQuestion):
        return ORDER_CHOICES
    if isinstance(q, SearchQuestion):
        return tuple(d.label for d in docs or ())
    return ()


def prompt(q: Question) -> str:
    """The question as plain text (it contains the instructor's words: escape before display).

    Usage: ``prompt(AnalogyQuestion("man", "king", "woman"))``
    → ``"man is to king as woman is to … ? Type GloVe's top answer."``
    """
    if isinstance(q, ToyQuestion):
        vecs = "; ".join(f"{n} = [{', '.join(num(x) for x in v)}]" for n, v in q.vectors)
        return (f"Toy vectors: {vecs}. You liked {q.liked}. Which item is the closest to it by "
                "cosine similarity, so the one to recommend?")
    if isinstance(q, ClosestQuestion):
        return (f"In GloVe, which of these words is closest to \"{q.word}\" "
                f"(highest cosine similarity): {', '.join(q.candidates)}?")
    if isinstance(q, OrderQuestion):
        return (f"\"{q.a}\" and \"{q.b}\": which model gives them different vectors (cosine "
                f"below {SAME_COSINE}): the average of GloVe word vectors, SBERT, both or neither?")
    if isinstance(q, AnalogyQuestion):
        return f"{q.a} is to {q.b} as {q.c} is to … ? Type GloVe's top answer."
    return (f"Semantic search (SBERT) over the {CORPORA[q.corpus].lower()}: which document comes "
            f"first for the query \"{q.query}\"?")


# ---------------------------------------------------------------- the answers, computed


@dataclass(frozen=True)
class Solution:
    """The computed answer of a question and the numbers that justify it.

    ``accepted`` holds every answer counted as right (several only on an exact tie),
    ``scores`` the ranking shown in the key (label, score), ``steps`` the worked cosine steps
    for toy vectors and ``note`` one plain-text sentence explaining the result.
    """

    correct: str
    accepted: tuple[str, ...]
    scores: tuple[tuple[str, float], ...]
    score_name: str
    note: str
    steps: tuple[tuple[str, CosineSteps], ...] = ()


def _ranked(pairs: Sequence[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    return tuple(sorted(pairs, key=lambda t: t[1], reverse=True))


def _tied(scores: tuple[tuple[str, float], ...]) -> tuple[str, ...]:
    best = scores[0][1]
    return tuple(n for n, s in scores if best - s <= TIE)


def solve(
    q: Question,
    kv: KeyedVectors | None = None,
    model: SentenceTransformer | None = None,
    docs: Sequence[Doc] | None = None,
    doc_embeddings: np.ndarray | None = None,
) -> Solution:
    """The right answer of ``q``, computed (toy: exact maths; words: GloVe ``kv``; order: both
    ``kv`` and SBERT ``model``; search: ``model`` over ``docs``, whose rows of
    :func:`embed_docs` may be passed as ``doc_embeddings`` to skip re-encoding them).

    Usage: ``solve(ClosestQuestion("frog", ("toad", "car")), kv).correct`` → ``"toad"``

    Raises ``UnknownWordError`` for words GloVe does not know, ``NoKnownWordsError`` for a
    phrase without known words and ``ValueError`` (zero vector, no documents).
    """
    if isinstance(q, ToyQuestion):
        vecs = dict(q.vectors)
        steps = tuple((n, cosine_steps(vecs[q.liked], vecs[n])) for n in options(q))
        scores = _ranked([(n, s.cosine) for n, s in steps])
        accepted = _tied(scores)
        best = scores[0][0]
        return Solution(best, accepted, scores, "cosine",
                        f"{best} has the highest cosine with {q.liked} "
                        f"({num(scores[0][1])}), so it points in the most similar direction.",
                        steps)
    if isinstance(q, ClosestQuestion):
        from embedding.words.vocab import resolve

        key = resolve(kv, q.word)
        scores = _ranked([(c, float(kv.similarity(key, resolve(kv, c)))) for c in q.candidates])
        best = scores[0][0]
        return Solution(best, _tied(scores), scores, "cosine with " + q.word,
                        f"In GloVe, \"{best}\" has the highest cosine with \"{q.word}\" "
                        f"({num(scores[0][1])}).")
    if isinstance(q, OrderQuestion):
        from embedding.sentences.compare import compare_pair

        r = compare_pair(kv, model, q.a, q.b)
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
    if isinstance(q, AnalogyQuestion):
        from embedding.words.vocab import analogy

        top = analogy(kv, q.a, q.b, q.c, k=10)
        return Solution(top[0][0], (top[0][0],), tuple(top), "3CosAdd score",
                        f"The word nearest to {q.b} − {q.a} + {q.c} (the three input words "
                        f"excluded) is \"{top[0][0]}\".")
    if isinstance(q, SearchQuestion):
        if not docs:
            raise ValueError(f"The {CORPORA[q.corpus].lower()} are not available on this server.")
        from embedding.models.sbert import encode

        if doc_embeddings is None:
            doc_embeddings = embed_docs(model, docs)
        if len(doc_embeddings) != len(docs):
            raise ValueError("doc_embeddings must have one row per document.")
        query = encode(model, [q.query])[0]
        sims = np.clip(doc_embeddings @ query, -1.0, 1.0)
        scores = _ranked([(d.label, float(s)) for d, s in zip(docs, sims, strict=True)])
        best = scores[0][0]
        agree = ("as the instructor expected" if best == q.expected else
                 f"(the instructor expected \"{q.expected}\")")
        return Solution(best, _tied(scores), scores[:10], "SBERT cosine with the query",
                        f"SBERT ranks \"{best}\" first {agree}, with cosine "
                        f"{scores[0][1]:.4f}.")
    raise TypeError(f"Not a question: {q!r}")


@dataclass(frozen=True)
class Feedback:
    """Whether a student's answer is right, and a plain-text sentence to show them."""

    ok: bool
    message: str


def check(q: Question, solution: Solution, response: str | None) -> Feedback:
    """Compare a student's ``response`` with the computed ``solution``.

    Usage: ``check(q, solve(q), "Ironman")`` → ``Feedback(ok=True, message="Right! …")``
    """
    answer = (response or "").strip()
    if not answer:
        return Feedback(False, "Choose or type an answer first.")
    if isinstance(q, AnalogyQuestion):
        hit = answer.lower() in {a.lower() for a in solution.accepted}
        if hit:
            return Feedback(True, f"Right! GloVe's top answer is \"{solution.correct}\".")
        rank = next((i for i, (w, _) in enumerate(solution.scores, start=1)
                     if w.lower() == answer.lower()), None)
        if rank:
            return Feedback(False, f"Close: GloVe ranks \"{answer}\" number {rank}, not first. "
                                   "Try again.")
        return Feedback(False, f"Not GloVe's answer: \"{answer}\" is not in its top "
                               f"{len(solution.scores)}. Try again.")
    if answer in solution.accepted:
        return Feedback(True, "Right! " + solution.note)
    return Feedback(False, "Not quite. Think about the direction of the vectors and try again.")


# ---------------------------------------------------------------- handouts


#: More choices than this (e.g. every movie title) print as a blank answer line instead.
MAX_PRINTED_OPTIONS = 12


def _printable_options(q: Question, docs: dict[str, Sequence[Doc]] | None) -> tuple[str, ...]:
    opts = options(q, (docs or {}).get(getattr(q, "corpus", ""), ()))
    return opts if len(opts) <= MAX_PRINTED_OPTIONS else ()


def handout_markdown(ex: ExerciseSet, link: str | None = None,
                     solutions: Sequence[Solution | None] | None = None,
                     docs: dict[str, Sequence[Doc]] | None = None) -> str:
    """A printable handout in Markdown (instructor's text escaped); the key when ``solutions``.

    Usage: ``handout_markdown(ex, link)``
    """
    out = [f"# {escape_markdown(ex.title or 'Exercises')}", ""]
    if link:
        out += [f"Open online: <{link}>", ""]
    for i, q in enumerate(ex.questions, start=1):
        out += [f"## Question {i}", "", escape_markdown(prompt(q)), ""]
        opts = _printable_options(q, docs)
        out += [f"- [ ] {escape_markdown(o)}" for o in opts] or ["Answer: ____________________"]
        out.append("")
    if solutions:
        out += ["# Answer key", ""]
        for i, s in enumerate(solutions, start=1):
            if s is None:
                out += [f"{i}. (could not be computed)"]
                continue
            out += [f"{i}. **{escape_markdown(s.correct)}**: {escape_markdown(s.note)}"]
            out += [f"    - {escape_markdown(n)}: {v:.4f}" for n, v in s.scores[:5]]
        out.append("")
    return "\n".join(out)


_HANDOUT_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:46rem;margin:2rem auto;
line-height:1.5;color:#222;padding:0 1rem}h1{margin-bottom:.2rem}.q{border-top:1px solid #ccc;
padding:.6rem 0;break-inside:avoid}.opt{margin:.15rem 0}.box{display:inline-block;width:.9em;
height:.9em;border:1px solid #333;margin-right:.5em;vertical-align:-.1em}.line{border-bottom:
1px solid #333;width:16rem;height:1.6rem}.link{word-break:break-all;font-size:.85rem;color:#555}
.qr{float:right;margin-left:1rem}table{border-collapse:collapse}td{padding:0 .6rem}
.key{page-break-before:always}
"""


def handout_html(ex: ExerciseSet, link: str | None = None,
                 solutions: Sequence[Solution | None] | None = None,
                 docs: dict[str, Sequence[Doc]] | None = None) -> str:
    """A printable, self-contained HTML handout (every user string escaped), QR code included.

    Usage: ``Path("handout.html").write_text(handout_html(ex, link))``
    """
    e = html.escape
    title = e(ex.title or "Exercises")
    parts = [f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>",
             f"<style>{_HANDOUT_CSS}</style><body>"]
    if link:
        try:
            parts.append(f"<div class=qr>{qr_svg(link)}</div>")
        except ValueError:
            pass
    parts.append(f"<h1>{title}</h1>")
    if link:
        parts.append(f'<p class=link>Open online: <a href="{e(link)}">{e(link)}</a></p>')
    for i, q in enumerate(ex.questions, start=1):
        parts.append(f"<div class=q><h3>Question {i}</h3><p>{e(prompt(q))}</p>")
        opts = _printable_options(q, docs)
        if opts:
            parts += [f"<div class=opt><span class=box></span>{e(o)}</div>" for o in opts]
        else:
            parts.append("<div class=line></div>")
        parts.append("</div>")
    if solutions:
        parts.append("<div class=key><h2>Answer key</h2>")
        for i, s in enumerate(solutions, start=1):
            if s is None:
                parts.append(f"<p>{i}. (could not be computed)</p>")
                continue
            rows = "".join(f"<tr><td>{e(n)}</td><td>{v:.4f}</td></tr>" for n, v in s.scores[:5])
            parts.append(f"<p><b>{i}. {e(s.correct)}</b>: {e(s.note)}</p><table>{rows}</table>")
        parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------- a ready-made set

EXAMPLE_SET = ExerciseSet(
    "Embeddings: warm-up exercises",
    (
        ToyQuestion("Avatar", (("Avatar", (1.0, 2.0, 2.0)), ("Ironman", (3.0, 7.0, 8.0)),
                               ("Rainman", (1.0, -2.0, 6.0)))),
        ClosestQuestion("frog", ("toad", "lizard", "pond", "prince")),
        OrderQuestion("chocolate milk", "milk chocolate"),
        AnalogyQuestion("man", "king", "woman"),
        SearchQuestion("Will it be stormy this evening?", "sentences", BUILTIN_SENTENCES[4]),
    ),
)
