"""Documents to search: the built-in corpora we wrote, and files a user uploads.

An upload is judged by its *content*, not its name: ``%PDF-`` bytes are read with pypdf (text
only, a page cap, encrypted files refused), other files must be text (CSV or plain text) in
UTF-8, UTF-16 or UTF-32 (with or without a byte-order mark; Excel's "Unicode text" is UTF-16)
or Windows-1252. Nothing is ever unpickled or executed. Every problem raises
:class:`DocumentError` with a message a student can act on.

A PDF is read as one running text, not page by page: running headers, footers and page numbers
are removed, a word hyphenated at the end of a line is joined again, and a sentence that
continues on the next page stays whole (:func:`join_pages`). Each chunk still says which
page(s) it came from.

    >>> doc = parse_upload("notes.txt", b"Cats purr. Dogs bark.")
    >>> doc.sections[0].text
    'Cats purr. Dogs bark.'
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import logging
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from embedding.paths import DATA
from embedding.recsys.movies import load_movies
from embedding.search.chunking import PieceCounter, chunk_text
from embedding.text import tokenize

MAX_BYTES = 20 * 1024 * 1024  # same as server.maxUploadSize in .streamlit/config.toml
MAX_PDF_PAGES = 50
MAX_CSV_ROWS = 5_000
MAX_CHARS = 2_000_000
MAX_CHUNKS = 5_000


# pypdf logs every oddity of a damaged file; we turn them into one clear DocumentError.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class DocumentError(ValueError):
    """An upload we cannot use; the message says why and what to do instead."""


@dataclass(frozen=True)
class Section:
    """A labelled part of a document: a CSV row, or the whole text of a text file or a PDF.

    ``pages`` (PDF only): ``(offset, page number)`` where each page starts in ``text``.
    """

    label: str
    text: str
    title: str = ""  # a CSV's title column, shown as the result's title
    pages: tuple[tuple[int, int], ...] = ()

    def pages_of(self, start: int, end: int) -> str:
        """``"page 3"`` or ``"pages 3–4"`` for the characters ``start:end`` ("" if no pages)."""
        if not self.pages:
            return ""
        offsets = [o for o, _ in self.pages]
        first = self.pages[max(0, bisect.bisect_right(offsets, start) - 1)][1]
        last = self.pages[max(0, bisect.bisect_right(offsets, max(start, end - 1)) - 1)][1]
        return f"page {first}" if first == last else f"pages {first}–{last}"


@dataclass(frozen=True)
class Document:
    """A parsed document: its name, kind (``pdf``/``csv``/``txt``), sections and any notes."""

    name: str
    kind: str
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def chars(self) -> int:
        return sum(len(s.text) for s in self.sections)


@dataclass(frozen=True)
class DocChunk:
    """A chunk ready to index: a stable id, its text and where it came from
    (``start``/``end``: character offsets in its section's text)."""

    id: str
    text: str
    source: str
    position: str
    title: str = ""  # the section's title (a CSV title column), else empty
    start: int = 0
    end: int = 0


# ---------------------------------------------------------------------------------------------
# Built-in corpora


def movie_corpus() -> tuple[list[str], list[str], list[dict]]:
    """``(ids, texts, payloads)`` of the movie corpus; the text embedded is the plot only.

    Usage: ``ids, texts, payloads = movie_corpus()``
    """
    movies = load_movies()
    ids = [f"movie-{m.id}" for m in movies]
    texts = [m.plot for m in movies]
    payloads = [
        {"title": m.label, "source": "movies.csv", "position": f"row {n + 1}",
         "genres": "|".join(m.genres), "text": m.plot}
        for n, m in enumerate(movies)
    ]
    return ids, texts, payloads


def load_lecture_pages() -> list[Document]:
    """The lecture-like markdown pages in ``data/pages``, one :class:`Document` each.

    Usage: ``[d.name for d in load_lecture_pages()][:1]`` → ``["01-what-is-an-embedding.md"]``
    """
    docs = []
    for path in sorted((DATA / "pages").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        docs.append(Document(path.name, "txt", (Section("text", text),)))
    return docs


def page_title(doc: Document) -> str:
    """The first markdown heading of a document, else its name."""
    for line in doc.sections[0].text.splitlines() if doc.sections else []:
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return doc.name


# ---------------------------------------------------------------------------------------------
# Uploads


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when the bytes look like UTF-16 text without a BOM: most
    even (or odd) bytes are zero, as for Latin text, and the other half mostly are not."""
    sample = data[:8192]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.6 and zeros_even < 0.1:
        return "utf-16-le"
    if zeros_even > 0.6 and zeros_odd < 0.1:
        return "utf-16-be"
    return None


def _looks_like_text(text: str) -> bool:
    return sum(ch.isprintable() or ch.isspace() for ch in text) >= 0.95 * len(text)


def decode_text(data: bytes, name: str = "upload") -> str:
    """The text of ``data``, judged by content: a byte-order mark (UTF-8, UTF-16, UTF-32), else
    UTF-16 recognised by its zero bytes, else UTF-8, else Windows-1252. Raises
    :class:`DocumentError` for binary data.

    Usage: ``decode_text("Café".encode("utf-16"))`` → ``"Café"``
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None) \
        or _utf16_without_bom(data)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DocumentError(
                f"'{name}' starts like {encoding.upper()} text but is damaged further on. Save "
                "it again (UTF-8 is safest) and try again.") from exc
        if not _looks_like_text(text):
            raise DocumentError(f"'{name}' looks like a binary file, not text.")
        return text
    if b"\x00" in data[:8192]:
        raise DocumentError(
            f"'{name}' looks like a binary file, not text. Upload a CSV, a plain-text file or a "
            "PDF."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:  # common for spreadsheets saved on Windows
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise DocumentError(
                f"'{name}' is not readable text (it is not UTF-8). Save it as UTF-8 and try again."
            ) from exc
        if not _looks_like_text(text):
            raise DocumentError(f"'{name}' looks like a binary file, not text.") from None
        return text


_decode_text = decode_text


def sniff_kind(name: str, data: bytes) -> str:
    """``"pdf"``, ``"csv"`` or ``"txt"`` from the bytes (the extension only separates CSV/TXT).

    Usage: ``sniff_kind("x.txt", b"%PDF-1.7 …")`` → ``"pdf"``
    """
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        raise DocumentError(
            f"'{name}' is named like a PDF but its content is not a PDF (it does not start with "
            "%PDF-). It may be damaged or mis-named."
        )
    return "csv" if suffix in {".csv", ".tsv"} else "txt"


def _check_size(name: str, data: bytes) -> None:
    if not data or not data.strip():
        raise DocumentError(f"'{name}' is empty: there is no text to search.")
    if len(data) > MAX_BYTES:
        raise DocumentError(
            f"'{name}' is {len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB."
        )


def _cap_chars(sections: list[Section], notes: list[str]) -> list[Section]:
    out, total = [], 0
    for s in sections:
        if total + len(s.text) > MAX_CHARS:
            notes.append(f"Only the first {MAX_CHARS:,} characters are used.")
            remaining = MAX_CHARS - total
            if remaining > 0:
                out.append(replace(s, text=s.text[:remaining]))
            break
        out.append(s)
        total += len(s.text)
    return out


def read_csv_table(data: bytes, name: str = "upload.csv") -> pd.DataFrame:
    """The CSV as a table of strings (delimiter sniffed; never executes or unpickles).

    Usage: ``read_csv_table(b"title,plot\\nA,Some text\\n").columns.tolist()`` → ``["title", "plot"]``
    """
    _check_size(name, data)
    text = _decode_text(data, name)
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                         nrows=MAX_CSV_ROWS + 1, on_bad_lines="error")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        raise DocumentError(
            f"'{name}' is not a well-formed CSV ({str(exc).splitlines()[0][:120]}). Check that every "
            "row has the same number of columns and that quotes are closed."
        ) from exc
    if df.shape[1] == 0 or df.empty:
        raise DocumentError(f"'{name}' has a header but no rows of data.")
    df.columns = [str(c).strip() for c in df.columns]
    return df


def suggest_text_column(df: pd.DataFrame) -> str:
    """The column that looks most like running text (longest average value).

    Usage: ``suggest_text_column(df)`` → ``"plot"``
    """
    lengths = {c: df[c].astype(str).str.len().mean() for c in df.columns}
    return max(lengths, key=lambda c: lengths[c])


_NUMBER = re.compile(r"^[\s+\-−]*[\d.,\s%€$£]*\d[\d.,\s%€$£eE+\-]*$")


def _parse_csv(name: str, data: bytes, text_column: str | None,
               title_column: str | None = None) -> Document:
    df = read_csv_table(data, name)
    notes: list[str] = []
    if len(df) > MAX_CSV_ROWS:
        df = df.iloc[:MAX_CSV_ROWS]
        notes.append(f"Only the first {MAX_CSV_ROWS:,} rows are used.")
    column = text_column if text_column is not None else suggest_text_column(df)
    if column not in df.columns:
        cols = ", ".join(f"'{c}'" for c in list(df.columns)[:12])
        raise DocumentError(
            f"'{name}' has no column called '{column}'. Its columns are: {cols}."
        )
    if title_column is not None and title_column not in df.columns:
        raise DocumentError(f"'{name}' has no column called '{title_column}' for the titles.")
    titles = (df[title_column].astype(str).str.strip().tolist() if title_column
              else [""] * len(df))
    sections = [
        Section(f"row {n + 1}", str(v).strip(), titles[n][:200])
        for n, v in enumerate(df[column].tolist())
        if str(v).strip()
    ]
    if not sections:
        raise DocumentError(f"The column '{column}' of '{name}' is empty in every row.")
    if all(_NUMBER.match(sec.text) for sec in sections):
        raise DocumentError(
            f"The column '{column}' of '{name}' holds only numbers: there are no words to "
            "search. Pick a column with text (a title, a description, notes)."
        )
    return Document(name, "csv", tuple(_cap_chars(sections, notes)), tuple(notes))


def _parse_pdf(name: str, data: bytes, max_pages: int) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    notes: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")  # some PDFs are "encrypted" with an empty password
                except Exception:  # noqa: BLE001 - unsupported algorithms and the like
                    ok = 0
                if not ok:
                    raise DocumentError(
                        f"'{name}' is password-protected (encrypted). Remove the password "
                        "(e.g. print it to a new PDF) and upload it again."
                    )
            n_pages = len(reader.pages)
            if n_pages == 0:
                raise DocumentError(f"'{name}' has no pages.")
            if n_pages > max_pages:
                notes.append(f"The PDF has {n_pages} pages; only the first {max_pages} are read.")
            page_texts = [reader.pages[i].extract_text() or ""
                          for i in range(min(n_pages, max_pages))]
            text, pages = join_pages(page_texts)
            sections = [Section(f"pages 1–{len(page_texts)}" if len(page_texts) > 1
                                else "page 1", text, pages=pages)] if text else []
    except DocumentError:
        raise
    except FileNotDecryptedError as exc:
        raise DocumentError(f"'{name}' is password-protected (encrypted).") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError) as exc:
        raise DocumentError(
            f"'{name}' is not a readable PDF (it looks damaged or truncated). Try re-saving it "
            "from its original program."
        ) from exc
    if not sections:
        raise DocumentError(
            f"'{name}' contains no extractable text; it may be scanned images. Upload a PDF "
            "with real text, or a .txt file."
        )
    return Document(name, "pdf", tuple(_cap_chars(sections, notes)), tuple(notes))


# ---------------------------------------------------------------------------------------------
# PDF layout: pages → one running text

#: A line that is only a page number: "7", "- 7 -", "Page 7", "7 of 36", "vii".
_PAGE_NUMBER = re.compile(r"^[\s\-–—]*(page\s*)?(\d+|[ivxlcdm]+)(\s*(of|/)\s*\d+)?[\s\-–—]*$",
                          re.IGNORECASE)
#: How many lines at the top and at the bottom of a page may be a running header or footer.
EDGE_LINES = 3
#: A word cut at the end of a line ("manip-" + "ulation"): lower-case letters on both sides.
_HYPHENATED = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
#: A table of contents' dot leader (". . . . ." or "....."), which would read as many sentences.
_DOT_LEADER = re.compile(r"\.(?:[ \t]?\.){3,}")
#: An identifier cut after an underscore ("ASN1_" + "MAX_NAME_SIZE").
_UNDERSCORE_BREAK = re.compile(r"(?<=\w_)\n(?=\w)")


def _edge_key(line: str) -> str:
    """A running header's shape: digits folded, so "Chapter 2: Setup 7" ≈ "Chapter 2: Setup 8"."""
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


#: A header or footer carries its page number at one end: "Chapter 3: Ranking 5", "12 Usage".
_NUMBERED = re.compile(r"^\d+\s|\s\d+$")


def _prefix(line: str) -> str:
    """The first two words of a line's shape ("chapter #:"): headers share it, page after page."""
    return " ".join(_edge_key(line).split()[:2])


def _edges(lines: list[str]) -> list[int]:
    """Indices of the (up to :data:`EDGE_LINES`) first and last non-blank lines."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:EDGE_LINES] + filled[-EDGE_LINES:]))


def join_pages(pages: list[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    r"""The pages of a PDF as one running text, and ``(offset, page number)`` of each page.

    Usage: ``text, pages = join_pages([page.extract_text() for page in reader.pages])``

    * page numbers alone on a line at the top or bottom of a page are removed;
    * a running header or footer (a line at the top or bottom that repeats, digits aside, on
      two or more pages of a document of three or more pages, or that ends or starts with a
      page number and begins like the first or last line of half the pages) is removed;
    * a word hyphenated at a line end (``manip-`` / ``ulation``) is joined, within a page and
      across a page break; so is an identifier cut after ``_``;
    * a table of contents' dot leaders (". . . . 12") become "… 12";
    * pages are joined with a line break, not a paragraph break, so a sentence that runs over
      a page break stays one sentence.

    >>> join_pages(["Intro 1\nCats purr when they are con-", "Intro 2\ntent. Dogs bark.\n2",
    ...             "Intro 3\nBirds sing."])[0]
    'Cats purr when they are content. Dogs bark.\nBirds sing.'
    """
    split = [(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n") for text in pages]
    seen, firsts, lasts = Counter(), Counter(), Counter()
    if len(split) >= 3:
        for lines in split:
            seen.update({_edge_key(lines[i]) for i in _edges(lines)})
            filled = [line for line in lines if line.strip()]
            if filled:
                firsts[_prefix(filled[0])] += 1
                lasts[_prefix(filled[-1])] += 1
    cleaned: list[str] = []
    for lines in split:
        drop = set()
        edges = _edges(lines)
        filled = [i for i, line in enumerate(lines) if line.strip()]
        alone = len(filled) < 2  # a page of one line keeps it
        for i in edges:
            line = lines[i].strip()
            repeated = len(line) < 120 and seen[_edge_key(line)] >= 2
            # "Chapter 3: Ranking 5" on the one page of its chapter: shaped like the headers
            shaped = (_NUMBERED.search(line) is not None and len(line) < 120 and (
                (i == filled[0] and 2 * firsts[_prefix(line)] >= len(split))
                or (i == filled[-1] and 2 * lasts[_prefix(line)] >= len(split))))
            if _PAGE_NUMBER.match(line) or (not alone and (repeated or shaped)):
                drop.add(i)
        kept = "\n".join(line.rstrip() for i, line in enumerate(lines) if i not in drop).strip()
        kept = _UNDERSCORE_BREAK.sub("", _HYPHENATED.sub("", _DOT_LEADER.sub(" …", kept)))
        cleaned.append(kept)
    text, offsets = "", []
    for number, page in enumerate(cleaned, 1):
        if not page:
            continue
        if text and re.search(r"[a-z]-$", text) and page[:1].islower():
            text = text[:-1]  # "con-" | "tent": one word again
        elif text and re.search(r"\w_$", text) and re.match(r"\w", page):
            pass
        elif text:
            text += "\n"
        offsets.append((len(text), number))
        text += page
    return text, tuple(offsets)


def parse_upload(name: str, data: bytes, text_column: str | None = None,
                 max_pages: int = MAX_PDF_PAGES, title_column: str | None = None) -> Document:
    """A :class:`Document` from uploaded bytes, or :class:`DocumentError` with the reason.

    Usage: ``parse_upload(f.name, f.getvalue(), text_column="plot")``

    PDF: the running text of the first ``max_pages`` pages (:func:`join_pages`), one section
    that knows where each page starts. CSV: one section per
    row of ``text_column`` (default: the column with the longest values), titled by
    ``title_column`` if given; a column of numbers only is refused. TXT: one section.
    """
    name = Path(name or "upload").name[:120]
    _check_size(name, data)
    kind = sniff_kind(name, data)
    if kind == "pdf":
        return _parse_pdf(name, data, max_pages)
    if kind == "csv":
        return _parse_csv(name, data, text_column, title_column)
    notes: list[str] = []
    text = _decode_text(data, name).strip()
    if not text:
        raise DocumentError(f"'{name}' is empty: there is no text to search.")
    return Document(name, "txt", tuple(_cap_chars([Section("text", text)], notes)), tuple(notes))


def chunk_documents(docs: list[Document], method: str = "sentences", size: int = 3,
                    overlap: int = 0, max_chunks: int = MAX_CHUNKS,
                    count: PieceCounter | None = None) -> tuple[list[DocChunk], bool]:
    """Chunks of every section of every document, and whether ``max_chunks`` cut the list.

    Usage: ``chunks, truncated = chunk_documents([doc], "tokens", size=100, overlap=20)``;
    ``chunk_documents([doc], "pieces", 128, 32, count=tokenizer_counter)`` packs sentences up
    to 128 of the model's word pieces.

    Positions read "page 3 · chunk 2" (PDF: the page(s) the chunk spans), "row 12" (CSV, one
    chunk) or "chunk 5" (text).
    """
    out: list[DocChunk] = []
    for doc in docs:
        for section in doc.sections:
            # a chunk with no word (a table of contents' ". . . . 12") has nothing to embed
            pieces = [c for c in chunk_text(section.text, method, size, overlap, count=count)
                      if tokenize(c.text, style="words")]
            for c in pieces:
                if len(out) >= max_chunks:
                    return out, True
                if section.pages:
                    where = [section.pages_of(c.start, c.end)]
                else:
                    where = [] if section.label == "text" else [section.label]
                if len(pieces) > 1 or not where:
                    where.append(f"chunk {c.index + 1}")
                out.append(DocChunk(
                    id=f"{doc.name}#{section.label}#{c.index}",
                    text=c.text,
                    source=doc.name,
                    position=" · ".join(where),
                    title=section.title,
                    start=c.start,
                    end=c.end,
                ))
    return out, False


def lecture_corpus(method: str = "sentences", size: int = 3, overlap: int = 1
                   ) -> tuple[list[str], list[str], list[dict]]:
    """``(ids, texts, payloads)`` of the lecture pages cut into chunks.

    Usage: ``ids, texts, payloads = lecture_corpus("sentences", 3, 1)``
    """
    docs = load_lecture_pages()
    titles = {d.name: page_title(d) for d in docs}
    chunks, _ = chunk_documents(docs, method, size, overlap)
    payloads = [{"title": titles[c.source], "source": c.source, "position": c.position,
                 "text": c.text} for c in chunks]
    return [c.id for c in chunks], [c.text for c in chunks], payloads


def sample_upload() -> tuple[str, bytes]:
    """A ready-made "upload" for a class with no file at hand: all lecture pages in one text.

    Usage: ``name, data = sample_upload(); parse_upload(name, data)``
    """
    text = "\n\n".join(d.sections[0].text.strip() for d in load_lecture_pages())
    return "lecture-pages.txt", text.encode("utf-8")
