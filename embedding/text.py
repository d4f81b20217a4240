"""Showing untrusted text literally in Streamlit's Markdown.

Streamlit renders Markdown (and ``$…$`` as LaTeX, ``:red[…]`` as colour, a few HTML tags) in
``st.markdown``, alerts, captions, headers and even radio labels. A student's query, an
instructor's exercise title or the text of an uploaded file may contain any of those, so before
we put them into Markdown we put a backslash before every character that could mean something.
A backslash before punctuation always shows the character itself, so the text reads the same.

    >>> escape_markdown("**hi** <b> $x$")
    '\\\\*\\\\*hi\\\\*\\\\* \\\\<b\\\\> \\\\$x\\\\$'
"""

from __future__ import annotations

import re

#: Markdown, HTML, LaTeX (``$``) and Streamlit directive (``:red[…]``) characters.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&\"'=^@%])")


def escape_markdown(text: str) -> str:
    """``text`` on one line with every Markdown/HTML/LaTeX-significant character escaped.

    Usage: ``st.markdown(escape_markdown(user_text))`` shows it literally:
    ``escape_markdown("**hi** <b>")`` → ``"\\*\\*hi\\*\\* \\<b\\>"``

    Line breaks become spaces, so a line of user text cannot start a heading, list or code block.
    """
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
