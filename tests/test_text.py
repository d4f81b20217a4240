"""Markdown escaping of untrusted text: every active character, shown literally."""

from __future__ import annotations

import re

from embedding.text import escape_markdown

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
