"""The real models: GloVe lookups and sentence vectors, with known values."""

import gzip

import numpy as np
import pytest

from embedding.models.glove import ModelLoadError, load_glove, load_glove_text
from embedding.models.providers import SbertProvider
from embedding.sentences.compare import (
    NoKnownWordsError,
    compare_pair,
    compare_pairs,
    glove_sentence_vector,
    pair_cosines,
)
from embedding.words.vocab import UnknownWordError, analogy, resolve, word_similarity


def test_glove_package_vocabulary(kv):
    assert len(kv) == 400_000  # not doubled by empty rows
    assert kv.vector_size == 50
    assert kv.index_to_key[:3] == ["the", ",", "."]
    assert np.linalg.norm(kv["the"]) > 0


def test_word_similarity_chocolate_milk(kv):
    assert word_similarity(kv, "chocolate", "milk") == pytest.approx(0.755, abs=5e-4)
    assert word_similarity(kv, "Chocolate", " MILK ") == pytest.approx(0.755, abs=5e-4)


def test_king_minus_man_plus_woman_is_queen(kv):
    assert analogy(kv, "man", "king", "woman", k=1)[0][0] == "queen"


def test_unknown_word_has_suggestions(kv):
    with pytest.raises(UnknownWordError) as info:
        resolve(kv, "chocolatte")
    assert info.value.word == "chocolatte"
    assert "chocolate" in info.value.suggestions
    with pytest.raises(UnknownWordError):
        word_similarity(kv, "milk", "🍫🍫")


def test_glove_sentence_vector_reports_unknown(kv):
    sv = glove_sentence_vector(kv, "chocolate milk xqzzyv")
    assert sv.known == ("chocolate", "milk") and sv.unknown == ("xqzzyv",)
    assert np.allclose(sv.vector, (kv["chocolate"] + kv["milk"]) / 2, atol=1e-6)
    with pytest.raises(NoKnownWordsError):
        glove_sentence_vector(kv, "xqzzyv zzqqx")
    with pytest.raises(NoKnownWordsError):
        glove_sentence_vector(kv, "   ")


def test_sbert_provider_shape_and_norm(model):
    emb = SbertProvider(model).embed(["a cat", "a dog", "the stock market"])
    assert emb.shape == (3, 384) and emb.dtype == np.float32
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert emb[0] @ emb[1] > emb[0] @ emb[2]
    assert SbertProvider(model).embed([]).shape == (0, 384)
    raw = model.encode(["a cat"], normalize_embeddings=True, show_progress_bar=False)
    assert SbertProvider(model).embed(["a cat"]).tolist() == raw.tolist()  # same numbers


def test_pair_cosines_match_compare_pairs(kv, model):
    pairs = [("dog bites man", "man bites dog"), ("a cat", "the stock market")]
    rows = SbertProvider(model).embed([t for p in pairs for t in p])
    got = pair_cosines(rows)
    assert got == [r.sbert_cosine for r in compare_pairs(kv, model, pairs)]
    assert got[0] == float(rows[0] @ rows[1]) and got[0] > got[1]
    with pytest.raises(ValueError):
        pair_cosines(rows[:3])


def test_word_order_demo(kv, model):
    r = compare_pair(kv, model, "chocolate milk", "milk chocolate")
    assert r.same_words
    assert r.glove_cosine == pytest.approx(1.0, abs=1e-6)
    assert r.sbert_cosine == pytest.approx(0.98, abs=0.01)
    assert r.sbert_cosine < 0.999
    bigger = compare_pair(kv, model, "dog bites man", "man bites dog")
    assert bigger.glove_cosine == pytest.approx(1.0, abs=1e-6)
    assert bigger.sbert_cosine < r.sbert_cosine


def test_glove_text_file_formats(tmp_path):
    rows = ["cat 0.1 0.2 0.3", "dog 0.1 0.25 0.3", "car -0.5 0.1 0.9"]
    glove = tmp_path / "tiny.txt"
    glove.write_text("\n".join(rows) + "\n")
    w2v = tmp_path / "tiny.txt.gz"
    with gzip.open(w2v, "wt") as fh:
        fh.write("3 3\n" + "\n".join(rows) + "\n")
    for path in (glove, w2v):
        kv = load_glove(str(path))
        assert len(kv) == 3 and kv.vector_size == 3
        assert kv.most_similar("cat", topn=1)[0][0] == "dog"


def test_glove_path_errors(tmp_path):
    with pytest.raises(ModelLoadError, match="not a file"):
        load_glove_text(tmp_path / "missing.txt")
    bad = tmp_path / "model.pkl"
    bad.write_bytes(b"\x80\x04not a pickle we would ever load")
    with pytest.raises(ModelLoadError, match="not a text vector file"):
        load_glove_text(bad)
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(b"\xff\xfe\x00binary\x00junk")
    with pytest.raises(ModelLoadError):
        load_glove_text(garbage)


def test_glove_path_ragged_rows_are_an_error_not_padding(tmp_path):
    ragged = tmp_path / "ragged.txt"
    ragged.write_text("hello 0.1 0.2\nworld 0.3\n")
    with pytest.raises(ModelLoadError, match="Line 2"):
        load_glove(str(ragged))
