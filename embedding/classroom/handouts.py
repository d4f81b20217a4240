"""Printable handouts of an exercise set (Markdown and self-contained HTML with the QR code),
optionally with the answer key. Every string the instructor typed is escaped.

    >>> from embedding.classroom.sets import EXAMPLE_SET
    >>> handout_markdown(EXAMPLE_SET).splitlines()[2]
    '## Question 1'
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from embedding.classroom.docs import Doc
from embedding.classroom.links import qr_svg
from embedding.classroom.questions import Question
from embedding.classroom.sets import ExerciseSet
from embedding.classroom.solving import Solution
from embedding.text import escape_markdown

#: More choices than this (e.g. every movie title) print as a blank answer line instead.
MAX_PRINTED_OPTIONS = 12


def _printable_options(q: Question, docs: dict[str, Sequence[Doc]] | None) -> tuple[str, ...]:
    opts = q.options((docs or {}).get(getattr(q, "corpus", ""), ()))
    return opts if len(opts) <= MAX_PRINTED_OPTIONS else ()


def handout_markdown(ex: ExerciseSet, link: str | None = None,
                     solutions: Sequence[Solution | None] | None = None,
                     docs: dict[str, Sequence[Doc]] | None = None) -> str:
    """A printable handout in Markdown (instructor's text escaped); the key when ``solutions``.

    Usage: ``handout_markdown(ex, link)``
    """
    out = [f"# {escape_markdown(ex.title or 'Exercises')}", ""]
    if link:
        out += [f"Open online: <{link}>", ""]
    for i, q in enumerate(ex.questions, start=1):
        out += [f"## Question {i}", "", escape_markdown(q.prompt()), ""]
        opts = _printable_options(q, docs)
        out += [f"- [ ] {escape_markdown(o)}" for o in opts] or ["Answer: ____________________"]
        out.append("")
    if solutions:
        out += ["# Answer key", ""]
        for i, s in enumerate(solutions, start=1):
            if s is None:
                out += [f"{i}. (could not be computed)"]
                continue
            out += [f"{i}. **{escape_markdown(s.correct)}**: {escape_markdown(s.note)}"]
            out += [f"    - {escape_markdown(n)}: {v:.4f}" for n, v in s.scores[:5]]
        out.append("")
    return "\n".join(out)


_HANDOUT_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:46rem;margin:2rem auto;
line-height:1.5;color:#222;padding:0 1rem}h1{margin-bottom:.2rem}.q{border-top:1px solid #ccc;
padding:.6rem 0;break-inside:avoid}.opt{margin:.15rem 0}.box{display:inline-block;width:.9em;
height:.9em;border:1px solid #333;margin-right:.5em;vertical-align:-.1em}.line{border-bottom:
1px solid #333;width:16rem;height:1.6rem}.link{word-break:break-all;font-size:.85rem;color:#555}
.qr{float:right;margin-left:1rem}table{border-collapse:collapse}td{padding:0 .6rem}
.key{page-break-before:always}
"""


def handout_html(ex: ExerciseSet, link: str | None = None,
                 solutions: Sequence[Solution | None] | None = None,
                 docs: dict[str, Sequence[Doc]] | None = None) -> str:
    """A printable, self-contained HTML handout (every user string escaped), QR code included.

    Usage: ``Path("handout.html").write_text(handout_html(ex, link))``
    """
    e = html.escape
    title = e(ex.title or "Exercises")
    parts = [f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>",
             f"<style>{_HANDOUT_CSS}</style><body>"]
    if link:
        try:
            parts.append(f"<div class=qr>{qr_svg(link)}</div>")
        except ValueError:
            pass
    parts.append(f"<h1>{title}</h1>")
    if link:
        parts.append(f'<p class=link>Open online: <a href="{e(link)}">{e(link)}</a></p>')
    for i, q in enumerate(ex.questions, start=1):
        parts.append(f"<div class=q><h3>Question {i}</h3><p>{e(q.prompt())}</p>")
        opts = _printable_options(q, docs)
        if opts:
            parts += [f"<div class=opt><span class=box></span>{e(o)}</div>" for o in opts]
        else:
            parts.append("<div class=line></div>")
        parts.append("</div>")
    if solutions:
        parts.append("<div class=key><h2>Answer key</h2>")
        for i, s in enumerate(solutions, start=1):
            if s is None:
                parts.append(f"<p>{i}. (could not be computed)</p>")
                continue
            rows = "".join(f"<tr><td>{e(n)}</td><td>{v:.4f}</td></tr>" for n, v in s.scores[:5])
            parts.append(f"<p><b>{i}. {e(s.correct)}</b>: {e(s.note)}</p><table>{rows}</table>")
        parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts)
