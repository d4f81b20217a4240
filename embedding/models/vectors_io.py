"""Your own word vectors: a plain-text file parsed safely into a gensim ``KeyedVectors``.

Two text formats are common. GloVe writes one word per line followed by its numbers
(``cat 0.12 -0.5 …``); word2vec's text format adds a first line ``<count> <dims>``. Either may
be gzipped. We detect all of this from the bytes (gzip magic, the header's shape), never from
the file name, never unpickle anything, cap the size, and stop at the first bad line with its
number so a student can fix the file.

    >>> kv = parse_vectors(b"cat 1 0\\ndog 0.9 0.1\\n").kv
    >>> round(float(kv.similarity("cat", "dog")), 4)
    0.9939
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from gensim.models import KeyedVectors

#: Largest upload we read, compressed or not (bytes).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest text we accept once gunzipped (bytes): guards against "zip bombs".
MAX_TEXT_BYTES = 64 * 1024 * 1024
MAX_WORDS = 100_000
MAX_DIMS = 1_000
MIN_DIMS = 2
#: Largest number of floats (words × dims) kept in memory for one upload (40 MB as float32).
MAX_VALUES = 10_000_000
MAX_WORD_CHARS = 100

_GZIP_MAGIC = b"\x1f\x8b"


class VectorsFileError(ValueError):
    """A vector file we cannot use; ``line`` is the 1-based line number when one is to blame."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(f"Line {line}: {message}" if line is not None else message)


@dataclass(frozen=True)
class UserVectors:
    """Parsed word vectors and what we learned about the file."""

    kv: KeyedVectors
    format: str  # "GloVe" (no header) or "word2vec" (count/dims header)
    gzipped: bool
    words: int
    dims: int

    def describe(self) -> str:
        """One line for a caption, e.g. ``"1,204 words × 50 dims (GloVe text, gzipped)"``."""
        gz = ", gzipped" if self.gzipped else ""
        return f"{self.words:,} words × {self.dims} dims ({self.format} text{gz})"


def _gunzip(data: bytes, max_text_bytes: int) -> bytes:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip wrapper
    out = bytearray()
    chunk = data
    try:
        while chunk:
            out += d.decompress(chunk, max_text_bytes + 1 - len(out))
            if len(out) > max_text_bytes:
                raise VectorsFileError(
                    f"Once unzipped, this file is larger than {max_text_bytes // 2**20} MB. "
                    "Keep the most frequent words only (e.g. `head -n 50000 vectors.txt`)."
                )
            chunk = d.unconsumed_tail
        out += d.flush()
    except zlib.error as exc:
        raise VectorsFileError(f"The file starts like gzip but is damaged ({exc}).") from exc
    if not d.eof:
        raise VectorsFileError("The gzip file is cut short: upload the complete file.")
    return bytes(out)


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:65536]:
        raise VectorsFileError(
            "This is a binary file, not text. Upload word vectors as plain text (GloVe .txt or "
            "word2vec text format); binary .bin, .npy or pickle files are not accepted."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise VectorsFileError(
            "this is not UTF-8 text. Save the file as UTF-8 plain text "
            "(binary word2vec files are not accepted).",
            line=line,
        ) from exc


def _is_header(tokens: list[str]) -> bool:
    return len(tokens) == 2 and all(t.isdigit() for t in tokens)


def _bad_number(parts: list[str], lineno: int, dims: int) -> VectorsFileError:
    for col, tok in enumerate(parts[1:], start=1):
        try:
            float(tok)
        except ValueError:
            shown = tok if len(tok) <= 20 else tok[:20] + "…"
            return VectorsFileError(
                f"'{shown}' (number {col} of {dims} after the word '{parts[0][:40]}') "
                "is not a number.",
                line=lineno,
            )
    return VectorsFileError("a value is not a number.", line=lineno)  # pragma: no cover


def parse_vectors(
    data: bytes,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_text_bytes: int = MAX_TEXT_BYTES,
    max_words: int = MAX_WORDS,
    max_dims: int = MAX_DIMS,
    max_values: int = MAX_VALUES,
) -> UserVectors:
    """Word vectors from the bytes of a GloVe or word2vec text file (optionally gzipped).

    Usage: ``parse_vectors(Path("mine.txt.gz").read_bytes()).kv.most_similar("cat")``

    Raises :class:`VectorsFileError` with a line number for: a binary or non-UTF-8 file,
    a damaged gzip, too large a file, lines with the wrong number of values, values that are
    not finite numbers, all-zero vectors, repeated words, a word2vec header that does not
    match the file, fewer than 2 words or more than ``max_words``.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_vectors expects the file's bytes.")
    data = bytes(data)
    if len(data) > max_bytes:
        raise VectorsFileError(
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB. "
            "Keep the most frequent words only, or gzip it."
        )
    gzipped = data[:2] == _GZIP_MAGIC
    raw = _gunzip(data, max_text_bytes) if gzipped else data
    if len(raw) > max_text_bytes:
        raise VectorsFileError(f"The text is larger than {max_text_bytes // 2**20} MB.")
    text = _decode(raw)
    if not text.strip():
        raise VectorsFileError("The file is empty: it needs one word and its numbers per line.")

    lines = text.split("\n")
    first_idx = next(i for i, ln in enumerate(lines) if ln.strip())
    first = lines[first_idx].split()
    header_count: int | None = None
    dims: int
    if _is_header(first):
        fmt = "word2vec"
        header_count, dims = int(first[0]), int(first[1])
        body_start = first_idx + 1
    else:
        fmt = "GloVe"
        dims = len(first) - 1
        body_start = first_idx
    if dims < MIN_DIMS:
        raise VectorsFileError(
            f"each word needs at least {MIN_DIMS} numbers after it; found {max(dims, 0)}.",
            line=first_idx + 1,
        )
    if dims > max_dims:
        raise VectorsFileError(
            f"{dims} dimensions is more than the limit of {max_dims}.", line=first_idx + 1
        )
    if header_count is not None and header_count > max_words:
        raise VectorsFileError(
            f"the header announces {header_count:,} words; the limit is {max_words:,}.",
            line=first_idx + 1,
        )

    words: list[str] = []
    first_seen: dict[str, int] = {}
    rows: list[np.ndarray] = []
    for i in range(body_start, len(lines)):
        parts = lines[i].split()
        if not parts:
            continue
        lineno = i + 1
        if len(parts) != dims + 1:
            found = len(parts) - 1
            raise VectorsFileError(
                f"expected a word and {dims} numbers (like the first line), found "
                f"{found} value{'s' if found != 1 else ''} after '{parts[0][:40]}'.",
                line=lineno,
            )
        word = parts[0]
        if len(word) > MAX_WORD_CHARS:
            raise VectorsFileError(
                f"a word of {len(word)} characters is too long (limit {MAX_WORD_CHARS}).",
                line=lineno,
            )
        if word in first_seen:
            raise VectorsFileError(
                f"'{word[:40]}' appears twice (first on line {first_seen[word]}); "
                "each word may have only one vector.",
                line=lineno,
            )
        try:
            row = np.array(parts[1:], dtype=np.float32)
        except ValueError:
            raise _bad_number(parts, lineno, dims) from None
        if not np.isfinite(row).all():
            raise VectorsFileError(
                f"the vector of '{word[:40]}' contains a value that is not a finite number "
                "(nan, inf or too large for float32).",
                line=lineno,
            )
        if not row.any():
            raise VectorsFileError(
                f"the vector of '{word[:40]}' is all zeros: it has no direction, so no "
                "cosine can be computed. Remove that line.",
                line=lineno,
            )
        first_seen[word] = lineno
        words.append(word)
        rows.append(row)
        if len(words) > max_words:
            raise VectorsFileError(
                f"more than {max_words:,} words. Keep the most frequent ones only.", line=lineno
            )
        if len(words) * dims > max_values:
            raise VectorsFileError(
                f"{len(words):,} words × {dims} dims is more numbers than the limit of "
                f"{max_values:,}. Keep fewer words.",
                line=lineno,
            )

    if header_count is not None and header_count != len(words):
        raise VectorsFileError(
            f"the word2vec header says {header_count:,} words but the file has {len(words):,}.",
            line=first_idx + 1,
        )
    if len(words) < 2:
        raise VectorsFileError("The file needs at least 2 words to compare anything.")

    matrix = np.vstack(rows)
    kv = KeyedVectors(vector_size=dims, count=0, dtype=np.float32)
    kv.add_vectors(words, matrix)
    kv.fill_norms()
    return UserVectors(kv=kv, format=fmt, gzipped=gzipped, words=len(words), dims=dims)
