"""Worked steps of a cosine computation, written out the way a student would on paper.

Every number is computed from the vectors (never typed in), so the steps are always right:

    >>> from embedding.similarity import cosine_steps
    >>> s = cosine_steps([1, 2, 2], [3, 7, 8])
    >>> worked_steps(s, "e_1", "e_2")["norm_u"]
    '\\\\lVert e_1 \\\\rVert = \\\\sqrt{1^2 + 2^2 + 2^2} = \\\\sqrt{9} = 3'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from embedding.formatting import num
from embedding.similarity import CosineSteps, cosine_steps

NAMED_VECTOR_LIMITS = (2, 10)  # dimensions a toy vector may have
MAX_TOY_ITEMS = 12


def _tex(x: float) -> str:
    """:func:`num` for LaTeX: ``1.234e-05`` becomes ``1.234 \\times 10^{-5}``."""
    text = num(x)
    mantissa, e, exponent = text.partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if e else text


def _paren(x: float) -> str:
    return f"({_tex(x)})" if x < 0 else _tex(x)


def sqrt_text(sum_sq: float) -> str:
    """``√n`` in LaTeX, simplified to an integer when n is a perfect square.

    Usage: ``sqrt_text(9)`` → ``"3"``; ``sqrt_text(122)`` → ``"\\\\sqrt{122}"``
    """
    root = math.sqrt(sum_sq)
    if abs(root - round(root)) < 1e-9:
        return _tex(root)
    return rf"\sqrt{{{_tex(sum_sq)}}}"


def _latex_name(name: str) -> str:
    """A vector name safe for LaTeX: simple names like e_1 stay maths, others become text."""
    if re.fullmatch(r"[A-Za-z](_\{?\w+\}?)?", name):
        return name
    cleaned = re.sub(r"[^\w \-]", "", name)[:30] or "v"
    return rf"\text{{{cleaned}}}"


def worked_steps(s: CosineSteps, name_u: str = "u", name_v: str = "v") -> dict[str, str]:
    """LaTeX lines for: the dot product term by term, both norms, the fraction, cosine, angle.

    Usage: ``worked_steps(cosine_steps([1, 2, 2], [3, 7, 8]), "e_1", "e_2")["cosine"]``
    → ``'\\cos(e_1, e_2) = \\frac{33}{3 \\cdot \\sqrt{122}} = \\frac{33}{33.1361} \\approx 0.9959'``
    """
    u, v = _latex_name(name_u), _latex_name(name_v)
    terms = " + ".join(rf"{_paren(a)} \cdot {_paren(b)}" for a, b in zip(s.u, s.v, strict=True))
    prods = " + ".join(_paren(p) for p in s.products)
    dot = rf"{u} \cdot {v} = {terms} = {prods} = {_tex(s.dot)}"

    def norm_line(name: str, xs: tuple[float, ...], sum_sq: float) -> str:
        squares = " + ".join(f"{_paren(x)}^2" for x in xs)
        line = rf"\lVert {name} \rVert = \sqrt{{{squares}}} = \sqrt{{{_tex(sum_sq)}}}"
        root = math.sqrt(sum_sq)
        exact = abs(root - round(root)) < 1e-9
        return line + (f" = {_tex(root)}" if exact else rf" \approx {_tex(root)}")

    denom = rf"{sqrt_text(s.sum_sq_u)} \cdot {sqrt_text(s.sum_sq_v)}"
    cosine = (
        rf"\cos({u}, {v}) = \frac{{{_tex(s.dot)}}}{{{denom}}}"
        rf" = \frac{{{_tex(s.dot)}}}{{{_tex(s.norm_u * s.norm_v)}}} \approx {_tex(s.cosine)}"
    )
    angle = rf"\theta = \arccos({_tex(s.cosine)}) \approx {s.angle_deg:.1f}^\circ"
    return {
        "dot": dot,
        "norm_u": norm_line(u, s.u, s.sum_sq_u),
        "norm_v": norm_line(v, s.v, s.sum_sq_v),
        "cosine": cosine,
        "angle": angle,
    }


#: The worked steps' titles, in order, with the key of :func:`worked_steps` each one shows.
STEP_TITLES = (
    ("**1. Dot product**: multiply matching numbers, then add them up.", ("dot",)),
    ("**2. Lengths (norms)**: square root of the sum of squares.", ("norm_u", "norm_v")),
    ("**3. Cosine**: dot product divided by the product of the lengths.", ("cosine",)),
    ("**4. Angle** between the two arrows.", ("angle",)),
)


def _rows(terms: Sequence[str], per_row: int) -> list[str]:
    """``terms`` joined by ``+``, ``per_row`` to a line: the lines of a long sum."""
    return [" + ".join(terms[i:i + per_row]) for i in range(0, len(terms), per_row)]


def _aligned(first: str, steps: Sequence[Sequence[str]], relation: Sequence[str]) -> str:
    """A left-aligned LaTeX block: ``first`` on its own line, then each step's lines, the
    first one after its relation (``=`` or ``≈``), the others after a ``+``."""
    lines = [rf"&{first}"]
    for rel, rows in zip(relation, steps, strict=True):
        lines.append(rf"&{rel} {rows[0]}")
        lines += [rf"&\quad + {row}" for row in rows[1:]]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


#: Terms of a sum per line in :func:`worked_steps_narrow` (three fit a phone's width).
NARROW_TERMS = 3


def worked_steps_narrow(s: CosineSteps, name_u: str = "u", name_v: str = "v") -> dict[str, str]:
    """The same steps as :func:`worked_steps` for a narrow screen (a phone): one equality per
    line, at most :data:`NARROW_TERMS` terms of a sum per line, and each length squared first
    (a square root cannot break across lines). Nothing is left out or rounded differently.

    Usage: ``worked_steps_narrow(cosine_steps([1, 2, 2], [3, 7, 8]), "A", "B")["dot"]``
    """
    u, v = _latex_name(name_u), _latex_name(name_v)
    k = NARROW_TERMS
    terms = [rf"{_paren(a)} \cdot {_paren(b)}" for a, b in zip(s.u, s.v, strict=True)]
    dot = _aligned(rf"{u} \cdot {v}", [_rows(terms, k), _rows([_paren(p) for p in s.products], k),
                                       [_tex(s.dot)]], ["=", "=", "="])

    def norm(name: str, xs: tuple[float, ...], sum_sq: float) -> str:
        root = math.sqrt(sum_sq)
        exact = abs(root - round(root)) < 1e-9
        squares = _aligned(rf"\lVert {name} \rVert^2", [_rows([f"{_paren(x)}^2" for x in xs], k),
                                                        [_tex(sum_sq)]], ["=", "="])
        length = rf"\lVert {name} \rVert = \sqrt{{{_tex(sum_sq)}}}"
        return squares + "\n$$\n\n$$\n" + length + (f" = {_tex(root)}" if exact
                                                    else rf" \approx {_tex(root)}")

    denom = rf"{sqrt_text(s.sum_sq_u)} \cdot {sqrt_text(s.sum_sq_v)}"
    cosine = _aligned(rf"\cos({u}, {v})",
                      [[rf"\frac{{{_tex(s.dot)}}}{{{denom}}}"],
                       [rf"\frac{{{_tex(s.dot)}}}{{{_tex(s.norm_u * s.norm_v)}}}"],
                       [_tex(s.cosine)]], ["=", "=", r"\approx"])
    return {"dot": dot, "norm_u": norm(u, s.u, s.sum_sq_u), "norm_v": norm(v, s.v, s.sum_sq_v),
            "cosine": cosine, "angle": worked_steps(s, name_u, name_v)["angle"]}  # it fits


def worked_steps_markdown(s: CosineSteps, name_u: str = "u", name_v: str = "v", *,
                          narrow: bool = False) -> str:
    """:func:`worked_steps` as one Markdown text: each step's title, then its formulas as
    display maths (``$$ … $$``). One element on a page instead of nine. ``narrow`` writes
    :func:`worked_steps_narrow` instead, for a phone: no line wider than about 320 px.

    Usage: ``st.markdown(worked_steps_markdown(cosine_steps([1, 2, 2], [3, 7, 8]), "A", "B"))``
    """
    lines = (worked_steps_narrow if narrow else worked_steps)(s, name_u, name_v)
    return "\n\n".join(title + "".join(f"\n\n$$\n{lines[k]}\n$$" for k in keys)
                        for title, keys in STEP_TITLES)


class VectorParseError(ValueError):
    """A toy-vector box that cannot be read; the message names the line and the fix."""


#: Minus signs pasted from slides and word processors (U+2212 minus, dashes, full-width).
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-",
                        "\uff0d": "-"})
#: A comma between two digits ("1,5"): a decimal comma, or two numbers written tightly.
_DIGIT_COMMA = re.compile(r"\d,\d")


def parse_named_vectors(text: str) -> dict[str, list[float]]:
    """Read lines like ``Avatar: 1, 2, 2`` into ``{"Avatar": [1, 2, 2]}``.

    Usage: ``parse_named_vectors("Avatar: 1, 2, 2\\nIronman: 3 7 8")``

    All vectors must have the same 2–10 dimensions; names must be unique; at most 12 items.
    Raises :class:`VectorParseError` with the line number and what to change.
    """
    out: dict[str, list[float]] = {}
    lines = [ln for ln in (text or "").splitlines() if ln.strip()]
    if len(lines) < 2:
        raise VectorParseError("Give at least two vectors, one per line, like `Avatar: 1, 2, 2`.")
    if len(lines) > MAX_TOY_ITEMS:
        raise VectorParseError(f"At most {MAX_TOY_ITEMS} vectors, please (got {len(lines)}).")
    lo, hi = NAMED_VECTOR_LIMITS
    for i, line in enumerate(lines, start=1):
        if ":" not in line:
            raise VectorParseError(f"Line {i}: write a name, a colon, then numbers, e.g. `Avatar: 1, 2, 2`.")
        name, _, nums = line.partition(":")
        name = name.strip()[:40]
        if not name:
            raise VectorParseError(f"Line {i}: the vector needs a name before the colon.")
        if name in out:
            raise VectorParseError(f"Line {i}: the name '{name}' is used twice.")
        nums = nums.translate(_MINUS).strip().strip("[]()")
        groups = [g for g in re.split(r"[\s;]+", nums) if g.strip(",")]
        if len(groups) > 1 and any(_DIGIT_COMMA.search(g) for g in groups):
            example = next(g for g in groups if _DIGIT_COMMA.search(g))
            raise VectorParseError(
                f"Line {i}: is '{example[:20]}' a decimal comma? Write decimals with a point "
                f"({example.replace(',', '.')[:20]}), and separate numbers with spaces or with "
                "a comma and a space (1, 5)."
            )
        parts = [p for p in re.split(r"[,\s;]+", nums) if p]
        try:
            values = [float(p) for p in parts]
        except ValueError:
            bad = next(p for p in parts if not _is_float(p))
            raise VectorParseError(f"Line {i}: '{bad[:20]}' is not a number.") from None
        if not all(math.isfinite(x) and abs(x) <= 1e6 for x in values):
            raise VectorParseError(f"Line {i}: use ordinary numbers between -1,000,000 and 1,000,000.")
        if not lo <= len(values) <= hi:
            raise VectorParseError(f"Line {i}: '{name}' has {len(values)} numbers; use {lo} to {hi}.")
        out[name] = values
    dims = {len(v) for v in out.values()}
    if len(dims) > 1:
        detail = ", ".join(f"{n} has {len(v)}" for n, v in out.items())
        raise VectorParseError(f"All vectors need the same number of dimensions ({detail}).")
    return out


def _is_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def format_named_vectors(vectors: dict[str, list[float]]) -> str:
    """The inverse of :func:`parse_named_vectors`, for presets and shareable links.

    Usage: ``format_named_vectors({"Avatar": [1, 2, 2]})`` → ``"Avatar: 1, 2, 2"``
    """
    return "\n".join(f"{n}: {', '.join(num(x) for x in v)}" for n, v in vectors.items())


def steps_and_ranking(vectors: Mapping[str, Sequence[float]], liked: str
              ) -> tuple[dict[str, CosineSteps], list[str]]:
    """The cosine steps of ``liked`` against every other vector, and the others ranked by
    cosine, best first (the in-class exercise's answer). No vector may be all zeros.

    Usage: ``steps_and_ranking({"A": [1, 2, 2], "B": [3, 7, 8], "C": [1, -2, 6]}, "A")[1]`` → ``["B", "C"]``
    """
    others = [n for n in vectors if n != liked]
    steps = {n: cosine_steps(vectors[liked], vectors[n]) for n in others}
    return steps, sorted(others, key=lambda n: steps[n].cosine, reverse=True)


def ranking_table(steps: Mapping[str, CosineSteps], ranking: Sequence[str]) -> pd.DataFrame:
    """One row per item, best first: cosine (4 decimals), angle in degrees, dot product.

    Usage: ``ranking_table(*steps_and_ranking(vectors, "Avatar"))``
    """
    return pd.DataFrame({
        "item": list(ranking),
        "cosine": [round(steps[n].cosine, 4) for n in ranking],
        "angle (°)": [round(steps[n].angle_deg, 1) for n in ranking],
        "dot product": [num(steps[n].dot) for n in ranking],
    })
