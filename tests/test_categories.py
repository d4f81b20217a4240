"""Zero-shot categories: label checks, and genre-from-plot above the majority baseline."""

from __future__ import annotations

import numpy as np
import pytest

from embedding.search.categories import (
    MAX_LABELS,
    LabelError,
    assign,
    cosines,
    evaluate,
    genre_descriptions,
    labels_to_text,
    parse_labels,
)


@pytest.mark.parametrize("text, message", [
    ("", "at least two labels"),
    ("\n  \n", "at least two labels"),
    ("sport", "Only one label"),
    ("sport\npolitics\nSport", "appears twice"),
    ("\n".join(f"label {i}" for i in range(1_000)), "1,000 labels is more than"),
    (": no name", "no name"),
    ("x: " + "long " * 100 + "\ny", "longer than"),
])
def test_bad_label_lists_give_clear_messages(text, message):
    with pytest.raises(LabelError, match=message):
        parse_labels(text)


def test_labels_parse_and_round_trip():
    labels = parse_labels("sport:  a match \n\npolitics")
    assert [(lab.name, lab.text) for lab in labels] == [("sport", "a match"),
                                                        ("politics", "politics")]
    assert parse_labels(labels_to_text(labels)) == labels
    assert len(parse_labels([f"l{i}" for i in range(MAX_LABELS)])) == MAX_LABELS


def test_assign_and_evaluate_by_hand():
    scores = cosines(np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]]),
                     np.array([[1.0, 1.0], [0.0, 1.0]]))
    assert scores[0].tolist() == pytest.approx([1 / np.sqrt(2), 0.0])
    assert assign(np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[1, 1], [0, 1]])).tolist() == [
        0, 1]
    ev = evaluate(["a", "a", "b", "a"], ["a", "b", "b", "b"], ["a", "b"])
    assert ev.accuracy == 0.5 and (ev.baseline_label, ev.baseline) == ("a", 0.75)
    assert ev.confusion.tolist() == [[1, 2], [0, 1]]


@pytest.mark.slow  # encodes every movie plot: make test, not make check
def test_genre_from_plot_beats_the_majority_baseline(model):
    from embedding.models.providers import SbertProvider
    from embedding.search.documents import movie_corpus

    _, texts, payloads = movie_corpus()
    truth = [p["genres"].split("|")[0] for p in payloads]
    labels = genre_descriptions()
    vec = SbertProvider(model)
    picked = assign(vec.embed(texts), vec.embed([lab.text for lab in labels]))
    ev = evaluate(truth, [labels[i].name for i in picked], [lab.name for lab in labels])
    majority = max(truth.count(g) for g in set(truth)) / len(truth)  # computed here: 65/397
    assert ev.baseline == pytest.approx(majority) and round(majority, 3) == 0.164
    assert ev.accuracy > majority
    assert round(ev.accuracy, 3) == 0.239
    assert ev.confusion.sum() == 397
