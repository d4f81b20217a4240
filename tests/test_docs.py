"""The README and docs/: every relative link and image resolves (files and #anchors), the quick
start has its two commands, and every docs page is reachable from the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
MARKDOWN = [ROOT / "README.md", *DOCS]

#: [text](target) and ![alt](target); a target ends at whitespace or ")" (titles are not used).
_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_CODE = re.compile(r"`[^`\n]*`")


def links(text: str) -> list[str]:
    """The link targets of a markdown text, outside code blocks and inline code.

    >>> links("see [a](docs/a.md#x), `[b](no.md)` and ![c](i.png)")
    ['docs/a.md#x', 'i.png']
    """
    text = _CODE.sub("", _FENCE.sub("", text))
    return _LINK.findall(text)


def anchors(text: str) -> set[str]:
    """GitHub's anchors for a markdown text's headings (lower case, punctuation dropped,
    spaces to hyphens; repeated headings get -1, -2 …).

    >>> sorted(anchors("# Load and burst: a whole class\\n## Tests\\n## Tests"))
    ['load-and-burst-a-whole-class', 'tests', 'tests-1']
    """
    seen: dict[str, int] = {}
    out = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", _FENCE.sub("", text), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", "")).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    text = path.read_text(encoding="utf-8")
    bad = []
    for target in links(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, flags=re.I):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            bad.append(f"{target} (no such file)")
        elif not dest.is_relative_to(root.resolve()):
            bad.append(f"{target} (outside the project)")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(
                dest.read_text(encoding="utf-8")):
            bad.append(f"{target} (no heading #{anchor} in {dest.name})")
    return bad


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path):
    assert broken_links(path) == []


def test_the_link_checker_can_fail(tmp_path):
    (tmp_path / "there.md").write_text("# A heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("[ok](there.md) [ok](there.md#a-heading) [web](https://example.org/x)\n"
                    "[gone](missing.md) [anchor](there.md#nope) ![img](pic.png)\n"
                    "`[code](ignored.md)`\n", encoding="utf-8")
    assert broken_links(page, root=tmp_path) == ["missing.md (no such file)",
                                  "there.md#nope (no heading #nope in there.md)",
                                  "pic.png (no such file)"]


def test_readme_quick_start_has_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("#")[0].strip() for block in re.findall(r"```bash\n(.*?)```", quick,
                                                                 flags=re.S)
                for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


def test_every_docs_page_is_linked_from_the_readme_or_the_docs_index():
    linked = {(ROOT / t.partition("#")[0]).resolve()
              for t in links((ROOT / "README.md").read_text(encoding="utf-8"))}
    linked |= {(ROOT / "docs" / t.partition("#")[0]).resolve()
               for t in links((ROOT / "docs" / "README.md").read_text(encoding="utf-8"))}
    orphans = [p.name for p in DOCS if p.resolve() not in linked and p.name != "README.md"]
    assert orphans == [], "link these docs pages from docs/README.md"


def test_every_docs_page_has_a_title_and_a_way_back():
    for page in DOCS:
        text = page.read_text(encoding="utf-8")
        assert text.startswith("# "), f"{page.name}: start with a '# Title'"
        assert "](../README.md)" in text, f"{page.name}: link back to the README"
