"""An exercise set (a title and its questions) and its JSON form, strictly validated on the way in.

    >>> from_json(to_json(EXAMPLE_SET)) == EXAMPLE_SET
    True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from embedding.classroom.docs import BUILTIN_SENTENCES
from embedding.classroom.questions import (
    AnalogyQuestion,
    ClosestQuestion,
    ExploreStep,
    OrderQuestion,
    Question,
    SearchQuestion,
    ToyQuestion,
    question_from_dict,
)
from embedding.classroom.validation import (
    MAX_JSON_BYTES,
    ExerciseFormatError,
    fields,
    strict_json,
    text,
)

FORMAT = "embedding-explorer/exercises"
VERSION = 1
MAX_QUESTIONS = 12
MAX_TITLE = 100


@dataclass(frozen=True)
class ExerciseSet:
    """A titled list of questions: what a link, a QR code and a JSON file carry."""

    title: str
    questions: tuple[Question, ...]


def to_dict(ex: ExerciseSet) -> dict[str, Any]:
    """The JSON form of a set, as exported to a file and carried (compressed) in a link.

    Usage: ``json.dumps(to_dict(EXAMPLE_SET))``
    """
    return {"format": FORMAT, "version": VERSION, "title": ex.title,
            "questions": [q.to_dict() for q in ex.questions]}


def from_dict(d: Any) -> ExerciseSet:
    """An exercise set from its JSON form, strictly validated.

    Usage: ``from_dict(json.loads(Path("set.json").read_text()))``
    Raises :class:`ExerciseFormatError` with a message a person can act on.
    """
    d = fields(d, "The exercise set", ("format", "version", "title", "questions"))
    if d["format"] != FORMAT:
        raise ExerciseFormatError(
            f"This is not an Embedding Explorer exercise set ('format' should be '{FORMAT}')."
        )
    if d["version"] != VERSION:
        raise ExerciseFormatError(
            f"This exercise set has version {str(d['version'])[:10]}; this app reads version "
            f"{VERSION}."
        )
    title = text(d, "title", "The exercise set", MAX_TITLE, allow_empty=True)
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


def from_json(data: str | bytes) -> ExerciseSet:
    """An exercise set from an uploaded JSON file (bytes or text), strictly validated (it must
    also fit in a link).

    Usage: ``from_json(uploaded.getvalue())``
    """
    from embedding.classroom.links import check_link_size

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
    ex = from_dict(strict_json(data))
    check_link_size(ex)
    return ex


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

#: The live class's own example (never the builder's EXAMPLE_SET: a set anyone can open in the
#: exercise builder has its key one toggle away there). Reached only through a live class, whose
#: key is the instructor's.
LIVE_EXAMPLE_SET = ExerciseSet(
    "Live-class example",
    (
        ToyQuestion("Shrek", (("Shrek", (2.0, 3.0, 1.0)), ("Frozen", (4.0, 5.0, 3.0)),
                              ("Dune", (8.0, 2.0, 9.0)), ("Toy Story", (1.0, 2.0, 0.0)))),
        ClosestQuestion("coffee", ("milk", "tea", "sugar", "bean")),
        ExploreStep("word_order", (("order_a", "chocolate milk"), ("order_b", "milk chocolate")),
                    "Swap the two words: which model's score changes?"),
        OrderQuestion("the dog bit the man", "the man bit the dog"),
        AnalogyQuestion("france", "paris", "japan"),
    ),
)
