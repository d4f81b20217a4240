"""Your own word vectors: good files parse to exact numbers, bad files give clear line errors."""

from __future__ import annotations

import gzip
import pickle

import numpy as np
import pytest

from embedding.models.vectors_io import VectorsFileError, parse_vectors

GLOVE = b"avatar 1 2 2\nironman 3 7 8\nrainman 1 -2 6\n"
W2V = b"3 3\navatar 1 2 2\nironman 3 7 8\nrainman 1 -2 6\n"


def _error(data: bytes, **kw) -> VectorsFileError:
    with pytest.raises(VectorsFileError) as info:
        parse_vectors(data, **kw)
    return info.value


def test_glove_text_parses_with_exact_cosines():
    uv = parse_vectors(GLOVE)
    assert (uv.format, uv.gzipped, uv.words, uv.dims) == ("GloVe", False, 3, 3)
    assert uv.kv.index_to_key == ["avatar", "ironman", "rainman"]
    assert uv.kv.norms is not None  # filled: safe to share read-only
    assert uv.kv.similarity("avatar", "ironman") == pytest.approx(33 / (3 * np.sqrt(122)), 1e-6)
    assert uv.kv.similarity("avatar", "rainman") == pytest.approx(9 / (3 * np.sqrt(41)), 1e-6)
    assert uv.kv.most_similar("avatar", topn=1)[0][0] == "ironman"
    assert uv.describe() == "3 words × 3 dims (GloVe text)"


def test_word2vec_header_is_detected_and_gives_the_same_vectors():
    uv = parse_vectors(W2V)
    assert (uv.format, uv.words, uv.dims) == ("word2vec", 3, 3)
    np.testing.assert_array_equal(uv.kv["rainman"], np.array([1, -2, 6], dtype=np.float32))


@pytest.mark.parametrize("payload", [GLOVE, W2V])
def test_gzip_is_detected_by_content_not_name(payload):
    uv = parse_vectors(gzip.compress(payload))
    assert uv.gzipped and uv.words == 3
    assert uv.describe().endswith("gzipped)")


def test_crlf_bom_blank_lines_and_tabs_are_fine():
    data = "\ufeffcafé\t0.5 0.5\r\n\r\nthé -1 2.5e-1\r\n".encode()
    uv = parse_vectors(data)
    assert uv.kv.index_to_key == ["café", "thé"]
    assert uv.kv["thé"].tolist() == [-1.0, 0.25]


def test_wrong_dimension_names_the_line():
    err = _error(b"a 1 2 3\nb 1 2\nc 1 2 3\n")
    assert err.line == 2
    assert "Line 2" in str(err) and "expected a word and 3 numbers" in str(err)
    assert "found 2 values after 'b'" in str(err)


def test_word2vec_header_dims_mismatch():
    err = _error(b"2 4\na 1 2 3\nb 1 2 3\n")
    assert err.line == 2 and "4 numbers" in str(err)


def test_word2vec_header_count_mismatch():
    err = _error(b"5 2\na 1 2\nb 1 2\n")
    assert err.line == 1 and "says 5 words but the file has 2" in str(err)


def test_non_number_names_line_and_value():
    err = _error(b"a 1 2\nb 1 x2\n")
    assert err.line == 2 and "'x2' (number 2 of 2 after the word 'b') is not a number" in str(err)


@pytest.mark.parametrize("bad", [b"nan", b"inf", b"-inf", b"1e60"])
def test_non_finite_values_are_rejected(bad):
    with np.errstate(over="ignore"):
        err = _error(b"a 1 2\nb 3 4\nc 1 " + bad + b"\n")
    assert err.line == 3 and "not a finite number" in str(err)


def test_zero_vector_is_rejected():
    err = _error(b"a 1 2\nz 0 0\n")
    assert err.line == 2 and "all zeros" in str(err)


def test_duplicate_word_points_at_both_lines():
    err = _error(b"a 1 2\nb 3 4\na 5 6\n")
    assert err.line == 3 and "'a' appears twice (first on line 1)" in str(err)


@pytest.mark.parametrize("data", [b"", b"   \n\n", gzip.compress(b"", mtime=0)],
                         ids=["empty", "blank lines", "empty gzip"])
def test_empty_file(data):
    assert "empty" in str(_error(data))


def test_one_word_is_not_enough():
    assert "at least 2 words" in str(_error(b"a 1 2\n"))


def test_one_dimension_is_not_enough():
    err = _error(b"a 1\nb 2\n")
    assert err.line == 1 and "at least 2 numbers" in str(err)


def test_oversize_file_and_too_many_words():
    assert "limit is 1 MB" in str(_error(b"a 1 2\n" * 200_000, max_bytes=2**20))
    lines = b"".join(b"w%d 1 2\n" % i for i in range(11))
    err = _error(lines, max_words=10)
    assert err.line == 11 and "more than 10 words" in str(err)
    assert "limit of 20" in str(_error(lines, max_values=20))


def test_gzip_bomb_is_stopped_before_it_fills_memory():
    bomb = gzip.compress(b"a 1 2\n" * 400_000)  # 2.4 MB of text, a few KB zipped
    assert len(bomb) < 50_000
    assert "larger than 1 MB" in str(_error(bomb, max_text_bytes=2**20))


def test_truncated_and_damaged_gzip():
    good = gzip.compress(GLOVE * 50)
    assert "cut short" in str(_error(good[: len(good) // 2]))
    assert "damaged" in str(_error(good[:10] + b"\xff" * 40))


def test_binary_garbage_and_pickles_are_never_loaded():
    assert "binary file" in str(_error(pickle.dumps({"a": [1, 2]})))
    assert "binary file" in str(_error(np.arange(64, dtype=np.float32).tobytes()))
    err = _error(b"a 1 2\nb \xff\xfe 3\n")
    assert err.line == 2 and "not UTF-8" in str(err)


def test_not_bytes_is_a_type_error():
    with pytest.raises(TypeError):
        parse_vectors("a 1 2\nb 3 4\n")  # type: ignore[arg-type]
