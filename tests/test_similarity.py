"""Cosine and its worked steps, with the lecture's in-class exercise as exact numbers."""

import math
import re

import numpy as np
import pytest

from embedding.classroom.explain import (
    VectorParseError,
    format_named_vectors,
    parse_named_vectors,
    sqrt_text,
    worked_steps,
    worked_steps_markdown,
)
from embedding.formatting import num
from embedding.similarity import (
    angle_degrees,
    cosine,
    cosine_matrix,
    cosine_steps,
    normalize_rows,
    rank_by_cosine,
    unit_rows,
    zero_vectors,
)

AVATAR, IRONMAN, RAINMAN = [1, 2, 2], [3, 7, 8], [1, -2, 6]


def test_cosine_lecture_values():
    assert cosine(AVATAR, IRONMAN) == pytest.approx(0.99589, abs=5e-6)
    assert cosine(AVATAR, RAINMAN) == pytest.approx(0.46852, abs=5e-6)
    assert cosine(AVATAR, IRONMAN) == pytest.approx(33 / (3 * math.sqrt(122)))
    assert cosine(AVATAR, RAINMAN) == pytest.approx(9 / (3 * math.sqrt(41)))


def test_cosine_is_direction_only_and_bounded():
    assert cosine([1, 1], [10, 10]) == pytest.approx(1.0)
    assert cosine([0, 1], [0, -1]) == pytest.approx(-1.0)
    assert cosine([1, 0], [0, 5]) == pytest.approx(0.0)


@pytest.mark.parametrize("u,v", [([0, 0, 0], [1, 2, 3]), ([1, 2], [0, 0])])
def test_zero_vector_raises_clear_error(u, v):
    with pytest.raises(ValueError, match="zero vector"):
        cosine(u, v)
    with pytest.raises(ValueError, match="zero vector"):
        cosine_steps(u, v)


def test_mismatched_and_non_finite_inputs():
    with pytest.raises(ValueError, match="same length"):
        cosine([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        cosine([1, float("nan")], [1, 2])


def test_cosine_steps_numbers():
    s = cosine_steps(AVATAR, IRONMAN)
    assert s.products == (3.0, 14.0, 16.0)
    assert s.dot == 33.0
    assert (s.sum_sq_u, s.sum_sq_v) == (9.0, 122.0)
    assert s.norm_u == 3.0
    assert s.norm_v == pytest.approx(math.sqrt(122))
    assert s.cosine == pytest.approx(0.99589, abs=5e-6)
    assert s.angle_deg == pytest.approx(math.degrees(math.acos(33 / (3 * math.sqrt(122)))))


def test_worked_steps_show_corrected_slide_values():
    lines = worked_steps(cosine_steps(AVATAR, IRONMAN), "e_1", "e_2")
    assert lines["dot"].endswith("= 3 + 14 + 16 = 33")
    assert r"\sqrt{9} = 3" in lines["norm_u"] and "17" not in lines["norm_u"]
    assert r"\frac{33}{3 \cdot \sqrt{122}}" in lines["cosine"]
    assert lines["cosine"].endswith("0.9959")
    rain = worked_steps(cosine_steps(AVATAR, RAINMAN), "e_1", "e_3")
    assert r"\frac{9}{3 \cdot \sqrt{41}}" in rain["cosine"] and rain["cosine"].endswith("0.4685")
    assert "(-2)" in rain["dot"] and "(-4)" in rain["dot"]


def test_worked_steps_markdown_is_every_step_in_order_as_display_maths():
    steps = cosine_steps(AVATAR, IRONMAN)
    text = worked_steps_markdown(steps, "e_1", "e_2")
    lines = worked_steps(steps, "e_1", "e_2")
    parts = ["**1. Dot product**", lines["dot"], "**2. Lengths", lines["norm_u"],
             lines["norm_v"], "**3. Cosine**", lines["cosine"], "**4. Angle**", lines["angle"]]
    where = [text.index(p) for p in parts]
    assert where == sorted(where)
    assert text.count("$$") == 10 and f"$$\n{lines['cosine']}\n$$" in text


def test_narrow_steps_break_every_line_and_keep_every_number():
    """A phone's steps: one equality a line, three terms at most, the same numbers."""
    from embedding.classroom.explain import NARROW_TERMS, worked_steps_narrow

    steps = cosine_steps([1, 2, 2, 4, 5, -6, 7], [3, 7, 8, 1, 1, 1, 1])
    narrow, wide = worked_steps_narrow(steps, "e_1", "e_2"), worked_steps(steps, "e_1", "e_2")
    for line in "\n".join(narrow.values()).splitlines():
        assert line.count(" + ") <= NARROW_TERMS - 1 + line.count(r"\quad +"), line
        assert line.count("=") + line.count(r"\approx") <= 2, line
    for key in ("dot", "norm_u", "norm_v", "cosine"):  # every number of the wide line is there
        numbers = re.findall(r"\d+(?:\.\d+)?", wide[key])
        assert all(n in narrow[key] for n in numbers), key
    assert narrow["dot"].endswith("&= 43\n\\end{aligned}")
    assert narrow["angle"] == wide["angle"]
    text = worked_steps_markdown(steps, "e_1", "e_2", narrow=True)
    assert text.count("$$") == 14  # the two lengths take a block each for ‖u‖² and ‖u‖


def test_ranking_table_answers_the_exercise_with_its_steps():
    from embedding.classroom.explain import ranking_table, steps_and_ranking

    steps, ranking = steps_and_ranking({"Avatar": AVATAR, "Rainman": RAINMAN,
                                        "Ironman": IRONMAN}, "Avatar")
    assert ranking == ["Ironman", "Rainman"] and steps["Ironman"].dot == 33.0
    table = ranking_table(steps, ranking)
    assert table.to_dict("list") == {"item": ["Ironman", "Rainman"], "cosine": [0.9959, 0.4685],
                                     "angle (°)": [5.2, 62.1], "dot product": ["33", "9"]}


def test_ranking_answers_the_exercise():
    ranked = rank_by_cosine(AVATAR, {"Rainman": RAINMAN, "Ironman": IRONMAN})
    assert [n for n, _ in ranked] == ["Ironman", "Rainman"]
    assert round(ranked[0][1], 4) == 0.9959 and round(ranked[1][1], 4) == 0.4685


def test_cosine_matrix_symmetric_unit_diagonal():
    m = cosine_matrix(np.array([AVATAR, IRONMAN, RAINMAN], dtype=float))
    assert np.allclose(np.diag(m), 1.0) and np.allclose(m, m.T)
    assert m[0, 1] == pytest.approx(0.99589, abs=5e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_cosine_matrix_is_float64_for_every_input(dtype):
    """GloVe rows (float32), SBERT rows (float32) and typed numbers all give float64 cosines,
    as exact as a float64 computation."""
    v = np.array([AVATAR, IRONMAN, RAINMAN, [0, 0, 0]], dtype=dtype)
    m = cosine_matrix(v)
    assert m.dtype == np.float64
    assert m[0, 2] == pytest.approx(cosine(AVATAR, RAINMAN), abs=1e-15)  # float32 is off by ~1e-8
    assert m[3].tolist() == [0.0, 0.0, 0.0, 0.0]  # a zero row has no direction: cosine 0


def test_number_formatting():
    assert num(3.0) == "3" and num(-0.5) == "-0.5" and num(math.sqrt(2)) == "1.4142"
    assert sqrt_text(9) == "3" and sqrt_text(122) == r"\sqrt{122}"


def test_parse_named_vectors_round_trip():
    text = "Avatar: 1, 2, 2\nIronman: [3 7 8]\n\nRainman: 1; -2; 6"
    parsed = parse_named_vectors(text)
    assert parsed == {"Avatar": [1, 2, 2], "Ironman": [3, 7, 8], "Rainman": [1, -2, 6]}
    assert parse_named_vectors(format_named_vectors(parsed)) == parsed


@pytest.mark.parametrize("text,message", [
    ("", "at least two"),
    ("Avatar: 1, 2, 2", "at least two"),
    ("Avatar 1 2 2\nb: 1 2 3", "Line 1"),
    ("a: 1, x, 2\nb: 1 2 3", "'x' is not a number"),
    ("a: 1 2 3\nb: 1 2", "same number of dimensions"),
    ("a: 1\nb: 2", "use 2 to 10"),
    ("a: 1 2 3 4 5 6 7 8 9 10 11\nb: 1 2", "use 2 to 10"),
    ("a: 1 2\na: 3 4", "used twice"),
    (": 1 2\nb: 3 4", "needs a name"),
    ("a: inf 2\nb: 3 4", "ordinary numbers"),
])
def test_parse_named_vectors_errors(text, message):
    with pytest.raises(VectorParseError, match=message):
        parse_named_vectors(text)


def test_unit_rows_keeps_zero_rows_and_reports_lengths():
    unit, lengths = unit_rows([[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]])
    assert unit.dtype == np.float32 and lengths.shape == (3, 1)
    assert unit.tolist() == [[pytest.approx(0.6), pytest.approx(0.8)], [0.0, 0.0], [0.0, -1.0]]
    assert lengths.ravel().tolist() == [5.0, 0.0, 2.0]
    vec, length = unit_rows([0.0, 5.0], np.float64)
    assert vec.dtype == np.float64 and vec.tolist() == [0.0, 1.0] and float(length) == 5.0
    assert normalize_rows([[0.0, 2.0]], np.float64).tolist() == [[0.0, 1.0]]


def test_angle_is_clipped_for_float32_rounding(kv):
    self_cos = float(kv.similarity("war", "war"))
    assert self_cos > 1.0  # float32: 1.0000001, which math.acos refuses
    assert angle_degrees(self_cos) == 0.0 and angle_degrees(-1.0000002) == 180.0
    assert angle_degrees(0.5) == pytest.approx(60.0)
    assert cosine_steps([1e-8, 2e-8], [2e-8, 4e-8]).angle_deg == 0.0


def test_decimal_comma_is_asked_about_not_read_as_more_numbers():
    with pytest.raises(VectorParseError, match="'1,5' a decimal comma.*1.5"):
        parse_named_vectors("A: 1,5 2,5\nB: 1 2")
    with pytest.raises(VectorParseError, match="decimal comma"):
        parse_named_vectors("A: 0,5; 1,5\nB: 1 2")
    tight = parse_named_vectors("A: 1,2,2\nB: 1, 2, 3\nC: 1 2 3")  # commas between numbers
    assert list(tight.values()) == [[1, 2, 2], [1, 2, 3], [1, 2, 3]]


def test_minus_signs_pasted_from_slides_are_read():
    parsed = parse_named_vectors("A: \u22122, 1, \u20133\nB: [\u22121 \u22121 \u22121]")
    assert parsed == {"A": [-2, 1, -3], "B": [-1, -1, -1]}


def test_tiny_numbers_keep_their_significant_digits():
    assert num(0.00001234) == "1.234e-05" and num(0.0005) == "0.0005" and num(1e-10) == "1e-10"
    assert num(0.0) == "0" and num(0.7551) == "0.7551" and num(-0.5) == "-0.5"
    lines = worked_steps(cosine_steps([1e-5, 2e-5], [3e-5, 1e-5]), "u", "v")
    assert lines["dot"].endswith(r"= 3 \times 10^{-10} + 2 \times 10^{-10} = 5 \times 10^{-10}")
    assert r"\frac{5 \times 10^{-10}}" in lines["cosine"] and lines["cosine"].endswith("0.7071")
    assert " 0 + 0 = 0" not in lines["dot"]


def test_zero_vectors_are_named():
    assert zero_vectors({"Avatar": [0, 0, 0], "Ironman": [3, 7, 8], "x": [0.0, -0.0]}) == [
        "Avatar", "x"]
