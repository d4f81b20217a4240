"""Categories as candidates: zero-shot classification by cosine with label descriptions.

A classifier without training: embed each category's name or a short description, embed the
text, and give the text the category whose vector is closest (cosine). Better descriptions
move the category vectors, so wording is the whole "training" ("prompting" with words).

    >>> labels = parse_labels("space: rockets and planets\\nfood: cooking and eating")
    >>> [l.name for l in labels]
    ['space', 'food']
    >>> assign(np.array([[1.0, 0.0]]), np.array([[0.9, 0.1], [0.1, 0.9]])).tolist()
    [0]
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from embedding.paths import DATA

#: More labels than this fit no bar chart and no confusion matrix a class can read.
MAX_LABELS = 30
MAX_LABEL_CHARS = 300


class LabelError(ValueError):
    """A label list the classifier cannot use; the message says how to fix it."""


@dataclass(frozen=True)
class Label:
    """One candidate category: its name and the text that is embedded for it."""

    name: str
    description: str

    @property
    def text(self) -> str:
        """What the model reads: the description when there is one, else the name."""
        return self.description or self.name


def parse_labels(text: str | Sequence[str]) -> list[Label]:
    """Labels from lines ``name`` or ``name: description`` (blank lines skipped), checked.

    Usage: ``parse_labels(["sport: a match", "politics"])`` → two :class:`Label`
    Raises :class:`LabelError` for no label, one label, too many, a repeat or a huge line.
    """
    lines = text.splitlines() if isinstance(text, str) else list(text)
    labels, seen = [], {}
    for raw in lines:
        line = " ".join(str(raw).split())
        if not line:
            continue
        name, _, desc = line.partition(":")
        name, desc = name.strip(), desc.strip()
        if not name:
            raise LabelError(f"“{line[:40]}” has a description but no name before the colon.")
        if len(line) > MAX_LABEL_CHARS:
            raise LabelError(f"The label “{name[:40]}” is longer than {MAX_LABEL_CHARS} "
                             "characters: a short description works better.")
        key = name.casefold()
        if key in seen:
            raise LabelError(f"“{name}” appears twice: each category needs its own name.")
        seen[key] = True
        labels.append(Label(name, desc))
    if not labels:
        raise LabelError("Type at least two labels, one per line (for example: sport, politics).")
    if len(labels) == 1:
        raise LabelError(f"Only one label (“{labels[0].name}”): every text would go to it. "
                         "Add at least one more.")
    if len(labels) > MAX_LABELS:
        raise LabelError(f"{len(labels):,} labels is more than {MAX_LABELS}: a bar per label and "
                         "a confusion matrix stop being readable. Keep the ones you compare.")
    return labels


def assign(text_vectors: np.ndarray, label_vectors: np.ndarray) -> np.ndarray:
    """Index of the closest label (cosine) for each text; ties go to the first label.

    Usage: ``assign(plot_vectors, genre_vectors)`` → ``array([3, 0, …])``
    """
    return np.argmax(cosines(text_vectors, label_vectors), axis=1)


def cosines(text_vectors: np.ndarray, label_vectors: np.ndarray) -> np.ndarray:
    """Cosine of every text with every label, shape ``(texts, labels)``; zero rows score 0.

    Usage: ``cosines(vectors, label_vectors)[0]`` → one bar per label
    """
    from embedding.similarity import unit_rows

    t, _ = unit_rows(np.atleast_2d(np.asarray(text_vectors, dtype=np.float32)))
    lab, _ = unit_rows(np.atleast_2d(np.asarray(label_vectors, dtype=np.float32)))
    return np.clip(t @ lab.T, -1.0, 1.0)


@dataclass(frozen=True)
class Evaluation:
    """Accuracy of predicted vs true labels, the majority-class baseline, confusion counts."""

    labels: list[str]
    accuracy: float
    baseline_label: str
    baseline: float
    confusion: np.ndarray  # rows: true label, columns: predicted label


def evaluate(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
             ) -> Evaluation:
    """Accuracy, the share a "always say the most common label" guess gets, and the matrix.

    Usage: ``evaluate(["a", "b"], ["a", "a"], ["a", "b"]).accuracy`` → ``0.5``
    """
    if len(truth) != len(predicted) or not truth:
        raise LabelError("Give one prediction per text, for at least one text.")
    labels = list(labels)
    pos = {name: n for n, name in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        if t in pos and p in pos:
            m[pos[t], pos[p]] += 1
    top, count = Counter(truth).most_common(1)[0]
    hits = sum(t == p for t, p in zip(truth, predicted, strict=True))
    return Evaluation(labels, hits / len(truth), top, count / len(truth), m)


def genre_descriptions() -> list[Label]:
    """Our starting descriptions of the 15 first genres of the movie blurbs (data/ file).

    Usage: ``genre_descriptions()[0]`` → ``Label("Comedy", "a funny story …")``
    """
    with open(DATA / "genre_descriptions.csv", encoding="utf-8", newline="") as fh:
        return [Label(r["genre"], r["description"]) for r in csv.DictReader(fh)]


def labels_to_text(labels: Sequence[Label]) -> str:
    """Labels back to the editable ``name: description`` lines.

    Usage: ``labels_to_text(genre_descriptions()).splitlines()[0]`` → ``"Comedy: a funny …"``
    """
    return "\n".join(f"{lab.name}: {lab.description}" if lab.description else lab.name
                     for lab in labels)
