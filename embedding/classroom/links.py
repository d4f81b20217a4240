"""An exercise set as one URL parameter (deflated JSON, base64url) and as a QR code.

Nothing is stored on a server: the link carries the whole set, validated when read back, so a
tampered or cut link gives a clear message, never a crash.

    >>> from embedding.classroom.sets import EXAMPLE_SET
    >>> decode_set(encode_set(EXAMPLE_SET)) == EXAMPLE_SET
    True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import zlib

from embedding.classroom.sets import ExerciseSet, from_dict, to_dict
from embedding.classroom.validation import MAX_JSON_BYTES, ExerciseFormatError, strict_json

URL_PARAM = "ex"
#: Longest ``ex`` value we read; a QR code holds about 2,900 bytes, browsers about 8,000.
MAX_TOKEN_CHARS = 6_000


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
    return from_dict(strict_json(text))


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


def qr_png(link: str, scale: int = 6, width: int | None = None) -> bytes:
    """A QR code of ``link`` as PNG bytes (``segno``; raises ``ValueError`` if it cannot fit).

    With ``width``, the largest whole ``scale`` (at least 1) whose image is at most ``width``
    pixels wide: crisp modules, and nothing for ``st.image(png, width=width)`` to resize on
    every run.

    Usage: ``st.image(qr_png(link, width=260), width=260)``
    """
    import segno

    try:
        code = segno.make(link, error="l" if len(link) > 1200 else "m", micro=False)
    except segno.DataOverflowError as exc:
        raise ValueError(
            f"This link ({len(link):,} characters) is too long for a QR code: remove a question."
        ) from exc
    if width is not None:
        scale = max(1, width // code.symbol_size(scale=1, border=2)[0])
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
