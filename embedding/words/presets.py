"""Ready-made examples for the word pages: semantic axes (poles, words to place, what they show)
and analogies (king − man + woman).

Teaching content, kept apart from the maths in :mod:`embedding.words.axes` and
:mod:`embedding.words.vocab`; every note is
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
        "boss far toward *man*; engineer and scientist sit on the *man* side too, within the "
        "band of typical words: the vectors learned who the 2014 news and "
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


@dataclass(frozen=True)
class AnalogyPreset:
    """A ready-made analogy "a is to b as c is to ?" with the answer people expect."""

    a: str
    b: str
    c: str
    expected: str
    note: str = ""

    @property
    def label(self) -> str:
        """How the page lists it: ``king − man + woman``."""
        return f"{self.b} − {self.a} + {self.c}"


#: Classic analogies (checked on GloVe 6B 50d), a biased one and two that fail, on purpose.
ANALOGY_PRESETS: tuple[AnalogyPreset, ...] = (
    AnalogyPreset("man", "king", "woman", "queen", "The textbook example."),
    AnalogyPreset("france", "paris", "italy", "rome", "Capital of a country."),
    AnalogyPreset("walk", "walking", "swim", "swimming", "Grammar: the -ing form."),
    AnalogyPreset("germany", "berlin", "japan", "tokyo", "Capital of a country."),
    AnalogyPreset("good", "better", "bad", "worse", "Comparative of an irregular adjective."),
    AnalogyPreset("go", "went", "take", "took", "Past tense of an irregular verb."),
    AnalogyPreset("cat", "kitten", "dog", "puppy", "Young animals."),
    AnalogyPreset("man", "doctor", "woman", "nurse",
                  "A stereotype learned from the training text, not a fact about the world."),
    AnalogyPreset("usa", "dollar", "japan", "yen",
                  "A miss: 'yen' is only 9th. Analogies are not magic."),
    AnalogyPreset("mouse", "mice", "child", "children",
                  "A near miss: the irregular plural 'children' comes 4th."),
)
