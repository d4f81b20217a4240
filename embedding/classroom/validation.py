"""Strict reading of exercise data: every field checked, every error a sentence a person can act on.

The helpers take a JSON object (a ``dict``), the name of a field and ``where`` (e.g.
``"Question 2 (analogy)"``) so the message names exactly what is wrong.

    >>> word({"a": "frog"}, "a", "Question 1")
    'frog'
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

MAX_WORD = 40
MAX_PHRASE = 200
MAX_NAME = 40
#: Largest JSON we accept, from a link (after inflating) or an uploaded file.
MAX_JSON_BYTES = 64 * 1024


class ExerciseFormatError(ValueError):
    """A link or file that is not a valid exercise set; the message says what is wrong."""


def typename(x: Any) -> str:
    """A JSON value's type in plain words. Usage: ``typename([])`` → ``"a list"``"""
    return {dict: "an object", list: "a list", str: "text", bool: "true/false",
            type(None): "null", int: "a number", float: "a number"}.get(type(x), "something else")


def fields(d: Any, where: str, required: Sequence[str]) -> dict[str, Any]:
    """``d`` if it is an object with exactly the ``required`` keys, else a clear error.

    Usage: ``fields({"a": 1}, "Question 1", ("a",))`` → ``{"a": 1}``
    """
    if not isinstance(d, dict):
        raise ExerciseFormatError(f"{where} must be a JSON object {{…}}, not {typename(d)}.")
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


def text(
    d: dict[str, Any], key: str, where: str, max_len: int, *, allow_empty: bool = False
) -> str:
    """The stripped text of ``d[key]``: non-empty (unless allowed), short, one line.

    Usage: ``text({"q": " hi "}, "q", "Question 1", 200)`` → ``"hi"``
    """
    value = d[key]
    if not isinstance(value, str):
        raise ExerciseFormatError(f"{where}: '{key}' must be text, not {typename(value)}.")
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


def word(d: dict[str, Any], key: str, where: str) -> str:
    """A single word (no spaces) of at most :data:`MAX_WORD` characters."""
    w = text(d, key, where, MAX_WORD)
    if " " in w or "\t" in w:
        raise ExerciseFormatError(f"{where}: '{key}' must be a single word, got '{w}'.")
    return w


def number(x: Any, where: str) -> float:
    """A finite JSON number within ±1,000,000 (``true``/``false`` refused)."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ExerciseFormatError(f"{where} must be a number, not {typename(x)}.")
    if not math.isfinite(x) or abs(x) > 1e6:
        raise ExerciseFormatError(f"{where} must be a number between -1,000,000 and 1,000,000.")
    return float(x)


def strict_json(data: str | bytes) -> Any:
    """``json.loads`` that refuses NaN/Infinity and explains syntax errors with line and column.

    Usage: ``strict_json('{"a": 1}')`` → ``{"a": 1}``
    """
    def no_constants(name: str) -> None:
        raise ExerciseFormatError(f"'{name}' is not a number JSON allows.")

    try:
        return json.loads(data, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise ExerciseFormatError(
            f"This is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except RecursionError:
        raise ExerciseFormatError("This JSON is nested too deeply.") from None
