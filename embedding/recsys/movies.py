"""The built-in movie corpus: short blurbs we wrote, one row per movie in ``data/movies.csv``.

Semantic search embeds each plot, the recommender embeds "title. genres. plot", and the
exercise builder asks search questions about them. All of them read the file through
:func:`load_movies`, which checks it row by row, so a damaged or foreign CSV gives one clear
:class:`MovieDataError` instead of a half-read corpus.

    >>> movies = load_movies()
    >>> movies[0].label, movies[0].genres
    ('Interstellar (2014)', ('Sci-Fi', 'Drama', 'Adventure'))
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from embedding.paths import DATA

MOVIES_FILE = DATA / "movies.csv"
#: The columns of ``movies.csv``, in order; genres are separated by ``|``.
COLUMNS = ("id", "title", "year", "genres", "plot")


class MovieDataError(ValueError):
    """A movie file that cannot be used (a missing column, a bad number…); says where."""


@dataclass(frozen=True)
class Movie:
    """One movie of the built-in corpus."""

    id: int
    title: str
    year: int
    genres: tuple[str, ...]
    plot: str

    @property
    def label(self) -> str:
        """``"Alien (1979)"``: unique enough for pickers."""
        return f"{self.title} ({self.year})"

    @property
    def text(self) -> str:
        """What gets embedded: ``"Alien. Sci-Fi, Horror. The crew of …"``."""
        return f"{self.title}. {', '.join(self.genres)}. {self.plot}"


def _int(value: str, column: str, line: int) -> int:
    try:
        return int(value)
    except ValueError:
        raise MovieDataError(
            f"Line {line}: '{column}' must be a whole number, not '{value[:20]}'."
        ) from None


def load_movies(path: Path | str = MOVIES_FILE) -> list[Movie]:
    """The movies of a ``movies.csv`` (id,title,year,genres,plot), in file order.

    Usage: ``load_movies()[0].title`` → ``"Interstellar"``

    Text is stripped and genres split by ``|``. Raises ``OSError`` when the file cannot be read
    and :class:`MovieDataError` for a missing column, an empty title or plot, a non-numeric id
    or year, or an id used twice.
    """
    with Path(path).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise MovieDataError(f"The movie file has no '{missing[0]}' column "
                                 f"(expected: {', '.join(COLUMNS)}).")
        movies: list[Movie] = []
        seen: set[int] = set()
        for row in reader:
            line = reader.line_num
            if any(row[c] is None for c in COLUMNS):
                raise MovieDataError(f"Line {line} has fewer than {len(COLUMNS)} fields.")
            title, plot = row["title"].strip(), row["plot"].strip()
            if not title or not plot:
                raise MovieDataError(f"Line {line} has an empty title or plot.")
            movie = Movie(_int(row["id"].strip(), "id", line), title,
                          _int(row["year"].strip(), "year", line),
                          tuple(g.strip() for g in row["genres"].split("|") if g.strip()), plot)
            if movie.id in seen:
                raise MovieDataError(f"Line {line}: the id {movie.id} is used twice.")
            seen.add(movie.id)
            movies.append(movie)
    return movies
