"""The one reader of data/movies.csv: checks, and the views built on it agree."""

from __future__ import annotations

import pytest

from embedding.recsys.movies import Movie, MovieDataError, load_movies
from embedding.search import documents

HEADER = "id,title,year,genres,plot\n"


def _csv(tmp_path, text: str):
    path = tmp_path / "movies.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_are_stripped_and_genres_split(tmp_path):
    path = _csv(tmp_path, HEADER + '7, Moon ,2009,Sci-Fi| Drama |,"  A lone worker on the moon.  "\n')
    assert load_movies(path) == [Movie(7, "Moon", 2009, ("Sci-Fi", "Drama"),
                                       "A lone worker on the moon.")]


@pytest.mark.parametrize(("text", "message"), [
    ("name,year\nX,1999\n", "no 'id' column"),
    (HEADER + "1,Moon,soon,Sci-Fi,A plot.\n", "Line 2: 'year' must be a whole number"),
    (HEADER + "x1,Moon,2009,Sci-Fi,A plot.\n", "Line 2: 'id' must be a whole number"),
    (HEADER + "1,Moon,2009,Sci-Fi,A plot.\n1,Heat,1995,Crime,Another plot.\n",
     "Line 3: the id 1 is used twice"),
    (HEADER + "1,Moon,2009\n", "fewer than 5 fields"),
    (HEADER + "1,,2009,Sci-Fi,A plot.\n", "empty title or plot"),
])
def test_bad_files_say_what_is_wrong(tmp_path, text, message):
    with pytest.raises(MovieDataError, match=message):
        load_movies(_csv(tmp_path, text))


def test_search_corpus_is_a_view_of_the_one_loader():
    shipped = load_movies()
    ids, texts, payloads = documents.movie_corpus()
    assert ids == [f"movie-{m.id}" for m in shipped]
    assert texts == [m.plot for m in shipped]
    assert [p["genres"] for p in payloads] == ["|".join(m.genres) for m in shipped]
    assert payloads[0] == {"title": "Interstellar (2014)", "source": "movies.csv",
                           "position": "row 1", "genres": "Sci-Fi|Drama|Adventure",
                           "text": shipped[0].plot}
