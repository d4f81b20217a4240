"""Neighbours, analogies and spelling help, checked against gensim and a brute-force numpy search
on a seeded sample of Google's analogy questions (shipped with gensim)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from gensim.test.utils import datapath

from embedding.words.presets import ANALOGY_PRESETS
from embedding.words.vocab import (
    EmptyWordError,
    UnknownWordError,
    analogy,
    analogy_input_ranks,
    neighbours,
    parse_word_list,
    rank_of,
    resolve,
    split_known,
    suggest,
)

SAMPLE_SIZE, SEED = 50, 6


@pytest.fixture(scope="module")
def unit(kv):
    """Every GloVe vector scaled to length 1, computed here with numpy (not gensim's norms)."""
    v = kv.vectors.astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def questions(kv):
    """50 seeded questions "a b c d" (a is to b as c is to d), all four words in GloVe."""
    with open(datapath("questions-words.txt"), encoding="utf-8") as fh:
        rows = [line.lower().split() for line in fh if not line.startswith(":")]
    rows = [q for q in rows if len(q) == 4 and all(w in kv.key_to_index for w in q)]
    assert len(rows) == 19_544
    return random.Random(SEED).sample(rows, SAMPLE_SIZE)


def brute_3cosadd(kv, unit, a, b, c):
    """All scores for b − a + c, computed from scratch: cosine with the normalised target."""
    ia, ib, ic = (kv.key_to_index[w] for w in (a, b, c))
    target = unit[ib] + unit[ic] - unit[ia]
    return unit @ (target / np.linalg.norm(target))


def brute_3cosmul(kv, unit, a, b, c):
    """Levy & Goldberg's 3CosMul with cosines shifted to [0, 1] and ε = 1e-6 (as gensim)."""
    cos = [(1 + unit @ unit[kv.key_to_index[w]]) / 2 for w in (a, b, c)]
    return cos[1] * cos[2] / (cos[0] + 1e-6)


def top(kv, scores, exclude, k):
    order = np.argsort(-scores, kind="stable")
    out = [(kv.index_to_key[i], float(scores[i])) for i in order[: k + len(exclude)]
           if kv.index_to_key[i] not in exclude]
    return out[:k]


@pytest.mark.slow
def test_analogy_matches_gensim_and_brute_force_on_google_sample(kv, unit, questions):
    for a, b, c, _ in questions:
        ours = analogy(kv, a, b, c, k=5)
        ref = kv.most_similar(positive=[b, c], negative=[a], topn=5)
        brute = top(kv, brute_3cosadd(kv, unit, a, b, c), {a, b, c}, 5)
        assert [w for w, _ in ours] == [w for w, _ in ref] == [w for w, _ in brute], (a, b, c)
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in brute], atol=1e-5)
        assert not {a, b, c} & {w for w, _ in ours}


@pytest.mark.slow
def test_3cosmul_matches_gensim_and_brute_force_on_google_sample(kv, unit, questions):
    for a, b, c, _ in questions[:20]:
        ours = analogy(kv, a, b, c, k=3, method="3cosmul")
        ref = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=3)
        brute = top(kv, brute_3cosmul(kv, unit, a, b, c), {a, b, c}, 3)
        assert [w for w, _ in ours] == [w for w, _ in ref] == [w for w, _ in brute], (a, b, c)
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in brute], rtol=1e-4)


@pytest.mark.slow
def test_accuracy_on_the_sample_is_pinned(kv, questions):
    add = sum(analogy(kv, a, b, c, k=1)[0][0] == d for a, b, c, d in questions)
    mul = sum(analogy(kv, a, b, c, k=1, method="3cosmul")[0][0] == d for a, b, c, d in questions)
    assert (add, mul) == (22, 16)


@pytest.mark.slow
def test_neighbours_match_gensim_and_brute_force(kv, unit, questions):
    for word in sorted({q[0] for q in questions})[:20]:
        ours = neighbours(kv, word, k=8)
        ref = kv.most_similar(word, topn=8)
        brute = top(kv, unit @ unit[kv.key_to_index[word]], {word}, 8)
        assert [w for w, _ in ours] == [w for w, _ in ref] == [w for w, _ in brute], word
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in brute], atol=1e-5)


def test_neighbours_known_values_and_case(kv):
    hits = neighbours(kv, "Frog", k=3)
    assert [w for w, _ in hits] == ["snake", "ape", "toad"]
    assert round(hits[0][1], 4) == 0.8445
    assert len(neighbours(kv, "frog", k=0)) == 1  # k is clamped to at least one


def test_input_ranks_agree_with_brute_force(kv, unit, questions):
    for a, b, c, _ in questions[:15]:
        scores = brute_3cosadd(kv, unit, a, b, c)
        for r in analogy_input_ranks(kv, a, b, c):
            own = scores[kv.key_to_index[r.word]]
            assert r.rank == int(np.count_nonzero(scores > own + 1e-9)) + 1, (a, b, c, r)
            assert r.score == pytest.approx(own, abs=1e-5)


def test_king_would_beat_queen_if_inputs_were_allowed(kv):
    ranks = analogy_input_ranks(kv, "man", "king", "woman")
    assert [(r.word, r.role, r.rank) for r in ranks] == [
        ("man", "a", 995), ("king", "b", 1), ("woman", "c", 196)]
    assert ranks[1].score > analogy(kv, "man", "king", "woman", k=1)[0][1]
    cosmul = analogy_input_ranks(kv, "man", "king", "woman", method="3cosmul")
    assert [r.role for r in cosmul] == ["a", "b", "c"]


def test_presets_give_the_ranks_their_notes_claim(kv):
    got = {p.expected: rank_of(kv, p.expected, analogy(kv, p.a, p.b, p.c, k=10))
           for p in ANALOGY_PRESETS}
    assert got == {"queen": 1, "rome": 1, "swimming": 1, "tokyo": 1, "worse": 1, "took": 1,
                   "puppy": 1, "nurse": 1, "yen": 9, "children": 4}
    assert ANALOGY_PRESETS[0].label == "king − man + woman"


def test_unknown_method_is_refused(kv):
    with pytest.raises(ValueError, match="3cosadd"):
        analogy(kv, "man", "king", "woman", method="cosine")


def test_misspelled_words_get_suggestions(kv):
    assert suggest(kv, "chocolte")[0] == "chocolate"
    assert "queen" in suggest(kv, "qeen")
    assert suggest(kv, "embedingz") == ["embedding", "embeddings"]
    assert suggest(kv, "zzqqxx") == []
    with pytest.raises(UnknownWordError) as info:
        neighbours(kv, "kingg")
    assert info.value.word == "kingg" and info.value.suggestions[0] == "king"
    assert "Did you mean: king" in str(info.value)
    with pytest.raises(UnknownWordError) as info:
        analogy(kv, "man", "king", "womann")
    assert info.value.word == "womann" and "woman" in info.value.suggestions
    with pytest.raises(UnknownWordError):
        analogy_input_ranks(kv, "man", "😀", "woman")


def test_empty_and_odd_input(kv):
    with pytest.raises(EmptyWordError):
        neighbours(kv, "   ")
    with pytest.raises(UnknownWordError) as info:
        resolve(kv, "ice cream")
    assert info.value.suggestions[0] == "ice-cream"
    assert suggest(kv, "x" * 500) == []


def test_case_sensitive_vectors_keep_their_capitals():
    """A novel's own vectors: "Он" (a sentence start) and "он" are different words there."""
    from gensim.models import KeyedVectors

    cased = KeyedVectors(3)
    cased.add_vectors(["Он", "он", "Paris", "Moscow"],
                      np.eye(4, 3, dtype=np.float32) + 0.1)
    assert parse_word_list("Он, он, он\nParis") == ["Он", "он", "Paris"]
    assert [resolve(cased, w) for w in ("Он", "он", "paris", "MOSCOW")] == [
        "Он", "он", "Paris", "Moscow"]
    keys, unknown = split_known(cased, parse_word_list("Он, он, paris, Paris"))
    assert keys == ["Он", "он", "Paris"] and not unknown


def test_glove_still_finds_words_typed_in_capitals(kv):
    keys, _ = split_known(kv, parse_word_list("Cat, cat, CAT, Paris"))
    assert keys == ["cat", "paris"]
