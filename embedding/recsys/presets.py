"""Ready-made examples for the recommendations page: demo viewers and the movies they liked.

Teaching content, kept apart from the maths in :mod:`embedding.recsys.recommend`; every title
is checked against ``data/movies.csv`` in ``tests/test_recommend.py``.

    >>> USERS[1].name
    'Ben, horror fan'
"""

from __future__ import annotations

from embedding.recsys.recommend import User

#: Demo viewers for the cold-start "new movie" exercise: who would this new film suit?
USERS: tuple[User, ...] = (
    User("Ada, space nerd", ("Interstellar", "The Martian", "Gravity", "Arrival")),
    User("Ben, horror fan", ("The Shining", "Hereditary", "The Conjuring", "Get Out")),
    User("Chloe, family movie nights", ("Toy Story", "WALL-E", "The Iron Giant",
                                        "E.T. the Extra-Terrestrial")),
    User("Dev, crime and heists", ("The Godfather", "Heat", "Ocean's Eleven",
                                   "The Usual Suspects")),
    User("Eva, true stories", ("Hidden Figures", "Apollo 13", "The Right Stuff", "First Man")),
)
