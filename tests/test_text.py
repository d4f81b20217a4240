"""Markdown escaping of untrusted text: every active character, shown literally."""

from __future__ import annotations

import re

import pytest

from embedding.text import escape_markdown, sentence_spans, stem, tokenize, word_spans

#: Everything the search page and the exercise page escaped before they shared one function.
ACTIVE = "\\`*_{}[]()#+-.!|<>~:$&\"'=^@%"


def test_every_active_character_gets_a_backslash():
    assert escape_markdown(ACTIVE) == "".join("\\" + c for c in ACTIVE)


def test_letters_digits_spaces_and_other_scripts_are_left_alone():
    assert escape_markdown("Día 2 日本語 🚀 ok") == "Día 2 日本語 🚀 ok"


def test_latex_html_links_and_directives_stay_literal():
    out = escape_markdown("$x^2$ <b>hi</b> [x](javascript:y) :red[z] `code`")
    assert out == r"\$x\^2\$ \<b\>hi\</b\> \[x\]\(javascript\:y\) \:red\[z\] \`code\`"
    assert re.sub(r"\\(.)", r"\1", out) == "$x^2$ <b>hi</b> [x](javascript:y) :red[z] `code`"


def test_line_breaks_become_spaces():
    assert escape_markdown("# a\r\n- b\n\n1. c") == r"\# a  \- b  1\. c"


# --- words ------------------------------------------------------------------------------------



def test_glove_tokens_split_clitics_and_keep_numbers():
    assert tokenize("Milk chocolate, please!") == ["milk", "chocolate", "please"]
    assert tokenize("Don’t stop, it's 42") == ["do", "n't", "stop", "it", "'s", "42"]
    assert tokenize("🍫 !!! ...") == []


def test_word_tokens_keep_letters_of_any_script_and_drop_the_rest():
    assert tokenize("Don't panic: 42 Ça va! 🙂 <b>Привет</b>", style="words") == [
        "don't", "panic", "ça", "va", "b", "привет", "b"]
    assert tokenize("rock’n’roll", style="words") == ["rock'n'roll"]


def test_unknown_token_style_is_refused():
    with pytest.raises(ValueError, match="style"):
        tokenize("a b", style="bpe")  # type: ignore[arg-type]


@pytest.mark.parametrize(("word", "expected"), [
    ("Travelling", "travel"), ("travels", "travel"), ("travel", "travel"),
    ("Saturn's", "saturn"), ("spell", "spel"), ("spelling", "spel"), ("cats", "cat"),
    ("is", "is"), ("boss", "bos"), ("jumped", "jump"),
])
def test_stem(word, expected):
    assert stem(word) == expected


def test_word_spans_point_into_the_original_text():
    text = "Hi, you're HERE_now"
    assert [text[a:b] for a, b in word_spans(text)] == ["Hi", "you're", "HERE", "now"]


# --- sentences --------------------------------------------------------------------------------


def test_sentence_splitting_keeps_abbreviations_and_quotes():
    text = 'Dr. Smith met J. Doe in the U.S. army. He said "hi!" Then left?  Yes.\n\n# Heading'
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Dr. Smith met J. Doe in the U.S. army.", 'He said "hi!"', "Then left?", "Yes.",
        "# Heading",
    ]
    assert sentence_spans("  \n\n ") == []
