"""Ready-made semantic axes for the Semantic axes page: poles, words to place, what they show.

Teaching content, kept apart from the maths in :mod:`embedding.words.axes`; every note is
checked against the real vectors in ``tests/test_axes.py``.

    >>> AXIS_PRESETS[1].label
    'poor → rich'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AxisPreset:
    """A ready-made axis with a word list to project and what it tends to reveal."""

    negative: str
    positive: str
    words: str
    note: str

    @property
    def label(self) -> str:
        """How the page lists it: ``poor → rich``."""
        return f"{self.negative} → {self.positive}"


#: Axes to start from; each note says what the axis really shows on GloVe 6B 50d (checked).
AXIS_PRESETS: tuple[AxisPreset, ...] = (
    AxisPreset(
        "man", "woman",
        "nurse, receptionist, homemaker, librarian, teacher, doctor, lawyer, scientist, "
        "programmer, engineer, carpenter, pilot, soldier, boss",
        "Jobs have no sex, yet nurse, receptionist and homemaker land far toward *woman* and "
        "boss, engineer and scientist toward *man*: the vectors learned who the 2014 news and "
        "Wikipedia text wrote about doing which job. This is the bias Bolukbasi et al. (2016) "
        "measured, and any system built on these vectors inherits it.",
    ),
    AxisPreset(
        "poor", "rich",
        "caviar, champagne, yacht, golf, polo, opera, beans, bread, bus, bicycle, slum, "
        "mansion, shelter, welfare",
        "Welfare, bus, shelter and bicycle lean *poor*: class associations from the text. But "
        "caviar, beans and bread lean *rich* because 'rich' also describes food (a rich "
        "sauce). One word per pole mixes all its senses: try `wealthy` as the second pole.",
    ),
    AxisPreset(
        "cold", "hot",
        "ice, snow, winter, arctic, fridge, soup, coffee, pepper, summer, desert, sun, fire, "
        "volcano, oven",
        "A surprise: temperature does *not* come out. Fire, volcano and desert fall on the "
        "*cold* side, coffee, soup and pepper on the *hot* side: in news text 'hot' is mostly "
        "spicy food, hot topics and hit music, and 'cold' is often the Cold War. An axis is "
        "only as good as its pole words.",
    ),
    AxisPreset(
        "tiny", "huge",
        "ant, mouse, cat, dog, horse, elephant, whale, pebble, boulder, village, city, "
        "planet, atom, galaxy",
        "Size is barely recovered: mouse and ant are 'tiny', but so are elephant, whale and "
        "planet. Words are placed by the company they keep, not by the size of what they "
        "name; 'huge' keeps company with money and news ('huge losses').",
    ),
    AxisPreset(
        "young", "old",
        "baby, child, teenager, student, intern, parent, grandmother, retiree, senator, "
        "professor, skateboard, pension, toy",
        "Retiree and grandmother lean *old*, student and child *young*: age associations in "
        "the text. Note how close to 0 baby and teenager stay: 'old' is also used for things "
        "(an old house), which blurs the axis.",
    ),
    AxisPreset(
        "safe", "dangerous",
        "home, school, hospital, library, park, street, forest, ocean, airport, war, "
        "knife, spider, snake, dog",
        "Snake, spider, war and knife lean *dangerous*; hospital, library and home *safe*. "
        "The vectors learned what the text treats as a threat, not measured risk.",
    ),
)
