"""A labelled set of real documents: questions, the passage that answers each, and hit rates.

``data/labelled/documents.csv`` names three long documents that installed packages ship (a
GNU manual in Info format, a PDF manual, a Python package's README), by path and checksum, so
no text is copied into the repository. ``data/labelled/questions.csv`` holds questions written
before any search was run, each with a short quote of its answering passage. A chunk *finds*
the passage when it holds at least half of the quote, so the score does not depend on how the
text was cut.

    >>> locate("Cats purr.\\nDogs bark-\\ning loudly.", "dogs BARKING loudly")
    (11, 32)
    >>> hit_rank([(0, 10), (11, 31)], (11, 30))
    2
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embedding.paths import DATA
from embedding.search.documents import Document, Section, parse_upload

LABELLED = DATA / "labelled"
_ALNUM = re.compile(r"[^\W_]", re.UNICODE)


class LabelledSetError(RuntimeError):
    """A labelled document is missing or changed, or a quote is not in it."""


@dataclass(frozen=True)
class LabelledDocument:
    """One document of the set: its id, title, licence, the parsed text, and whether its bytes
    are the ones the questions were written against (sha256)."""

    id: str
    title: str
    licence: str
    document: Document
    checksum_ok: bool


@dataclass(frozen=True)
class LabelledQuestion:
    """A question, its document, its kind (paraphrase/exact/mixed), the quote of its answer and
    where the quote is in the document's text (``span``)."""

    doc: str
    kind: str
    question: str
    answer: str
    span: tuple[int, int]


def _read_bytes(kind: str, locator: str) -> tuple[str, bytes]:
    if kind == "dist-metadata":
        from importlib.metadata import PackageNotFoundError, distribution

        try:
            text = distribution(locator).read_text("METADATA")
        except PackageNotFoundError as exc:
            raise LabelledSetError(f"The package {locator} is not installed.") from exc
        if text is None:
            raise LabelledSetError(f"The package {locator} has no METADATA.")
        return f"{locator}-README.txt", text.encode("utf-8")
    path = Path(locator)
    if not path.is_file():
        raise LabelledSetError(f"{locator} is not installed on this machine.")
    data = path.read_bytes()
    if kind == "info.gz":
        return path.name.removesuffix(".gz") + ".txt", data
    return path.name, data


def load_documents(path: Path | None = None) -> list[LabelledDocument]:
    """Every document of ``documents.csv``, read and parsed like an upload.

    Usage: ``[d.id for d in load_documents()]`` → ``["grep-manual", "libtasn1-manual", …]``
    Raises :class:`LabelledSetError` when a document is not installed.
    """
    out = []
    with open(path or LABELLED / "documents.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            name, data = _read_bytes(row["kind"], row["locator"])
            ok = hashlib.sha256(data).hexdigest() == row["sha256"]
            if row["kind"] == "info.gz":
                data = gzip.decompress(data)
            out.append(LabelledDocument(row["id"], row["title"], row["licence"],
                                        parse_upload(name, data), ok))
    return out


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased with only letters and digits kept, and each kept character's
    offset in ``text`` (so a quote matches whatever the spacing, hyphens or quotes)."""
    keep = [(m.start(), m.group().lower()) for m in _ALNUM.finditer(text)]
    return "".join(c for _, c in keep), [i for i, _ in keep]


def locate(text: str, quote: str) -> tuple[int, int]:
    """``(start, end)`` of ``quote`` in ``text``, comparing letters and digits only (case,
    spaces, punctuation and line-end hyphens ignored). Raises :class:`LabelledSetError` when
    it is missing or found twice.

    Usage: ``locate(doc_text, "1 if no lines were selected")`` → ``(48211, 48238)``
    """
    folded, offsets = _folded(text)
    needle, _ = _folded(quote)
    if not needle:
        raise LabelledSetError(f"The quote {quote!r} has no letters or digits.")
    at = folded.find(needle)
    if at < 0:
        raise LabelledSetError(f"The quote {quote!r} is not in the document.")
    if folded.find(needle, at + 1) >= 0:
        raise LabelledSetError(f"The quote {quote!r} is in the document twice: quote more.")
    return offsets[at], offsets[at + len(needle) - 1] + 1


def load_questions(docs: Sequence[LabelledDocument], path: Path | None = None
                   ) -> list[LabelledQuestion]:
    """The questions of ``questions.csv`` with their answers located in ``docs``.

    Usage: ``qs = load_questions(load_documents())``
    """
    texts = {d.id: _text(d.document) for d in docs}
    with open(path or LABELLED / "questions.csv", encoding="utf-8", newline="") as fh:
        return [LabelledQuestion(r["doc"], r["kind"], r["question"], r["answer"],
                                 locate(texts[r["doc"]], r["answer"]))
                for r in csv.DictReader(fh)]


def _text(doc: Document) -> str:
    if len(doc.sections) != 1:
        raise LabelledSetError(f"{doc.name} should be one text (a PDF, TXT), not a table.")
    return doc.sections[0].text


def single_section(doc: Document) -> Section:
    """The one section of a text or PDF document (where chunk offsets point)."""
    _text(doc)
    return doc.sections[0]


def hit_rank(chunks: Sequence[tuple[int, int]], span: tuple[int, int]) -> int | None:
    """The 1-based rank of the first chunk ``(start, end)`` that holds at least half of the
    answer ``span`` (or, for a chunk shorter than half the answer, lies inside it); ``None``
    when no chunk of the ranking does.

    Usage: ``hit_rank([(c.start, c.end) for c in ranked_chunks], question.span)`` → ``2``
    """
    a, b = span
    need = (b - a) / 2
    for rank, (start, end) in enumerate(chunks, 1):
        overlap = min(b, end) - max(a, start)
        if overlap > 0 and (overlap >= need or (start >= a and end <= b)):
            return rank
    return None


@dataclass(frozen=True)
class PassageScore:
    """Top-1 and top-3 hit rates and MRR of one ranker over some questions."""

    ranker: str
    questions: int
    top1: float
    top3: float
    mrr: float
    ranks: tuple[int | None, ...]


def score_rankings(name: str, ranks: Sequence[int | None]) -> PassageScore:
    """Hit rates and MRR from the rank of the answering passage for each question.

    Usage: ``score_rankings("BM25", [1, None, 3])`` → top-1 1/3, top-3 2/3, MRR (1 + 1/3)/3
    """
    r = list(ranks)
    n = len(r)
    if not n:
        return PassageScore(name, 0, 0.0, 0.0, 0.0, ())
    return PassageScore(
        name, n,
        float(np.mean([x is not None and x <= 1 for x in r])),
        float(np.mean([x is not None and x <= 3 for x in r])),
        float(np.mean([1.0 / x if x else 0.0 for x in r])),
        tuple(r),
    )


#: A ranker: a question → chunk offsets, best first.
Ranker = Callable[[str], Sequence[tuple[int, int]]]
