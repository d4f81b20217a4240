"""How numbers are shown to people, the one home: a cosine, a score, a toy vector's value.

Pages, explanations, exercise prompts and answer keys all format numbers through here, so the
same number reads the same everywhere (``0.7396`` on the projector, in the key and in the CSV).

    >>> num(3.0), num(2 ** 0.5), num(-0.5), num(0.00001234)
    ('3', '1.4142', '-0.5', '1.234e-05')
"""

from __future__ import annotations

import math


def num(x: float, digits: int = 4) -> str:
    """A number the way a person writes it: ``3`` not ``3.0``, ``-0.5``, ``11.0454``.

    Usage: ``num(3.0)`` → ``"3"``; ``num(2 ** 0.5)`` → ``"1.4142"``
    Numbers closer to 0 than 0.001 keep ``digits`` significant digits instead of becoming
    ``0``: ``num(0.00001234)`` → ``"1.234e-05"``.
    """
    if math.isfinite(x) and abs(x - round(x)) < 1e-9 and (x == 0 or abs(x) >= 1e-3):
        return str(int(round(x)))
    if math.isfinite(x) and 0 < abs(x) < 1e-3:
        return f"{x:.{digits}g}"
    return f"{x:.{digits}f}".rstrip("0").rstrip(".")
