"""Open pages the way a user does: through app.py's st.navigation, in this process.

The models are cached with ``st.cache_resource``, which lives for the whole test process, so
they load once for every page test together.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 180


def open_page(rel_path: str, query: dict[str, str] | None = None) -> AppTest:
    """Run app.py, switch to ``rel_path`` (e.g. ``"pages/word_order.py"``) and run it."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(rel_path).run()


def page_files() -> list[str]:
    """Every page file under pages/ (helpers whose name starts with "_" excluded)."""
    return sorted(
        f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")
    )


def shown_text(at: AppTest) -> str:
    """Everything a student reads on the page: markdown, captions, metrics, alerts, tables."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "latex",
                 "info", "warning", "error", "success", "code"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for df in at.dataframe:
        parts.append(df.value.to_string())
    for t in at.table:
        parts.append(t.value.to_string())
    return "\n".join(parts)


def tab_links(at: AppTest) -> dict[str, list[str]]:
    """The page's tab bars that are in the link (``ui.widgets.url_tabs``): ``{key: labels}``.

    Only the open tab of such a bar is drawn; ``?key=N`` opens tab N, :func:`click_tab` clicks
    one in a running session.
    """
    out: dict[str, list[str]] = {}

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if getattr(node, "type", None) == "tab_container" and proto is not None:
            wid = proto.tab_container.id  # "$$ID-<hash>-<key>" when the bar has a key
            if wid.count("-") >= 2:
                out[wid.split("-", 2)[2]] = [t.label for t in node.children.values()]
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return out


def click_tab(at: AppTest, key: str, number: int) -> AppTest:
    """Click tab ``number`` (1-based) of the tab bar ``key``, as a student does, and rerun."""
    at.session_state[key] = tab_links(at)[key][number - 1]
    return at.run()


def count_calls(monkeypatch, targets) -> Counter[str]:
    """Count calls of each ``(owner, name)`` in ``targets`` (a module or object and a function
    name on it) while the test runs; the real function still answers. Returns the counter."""
    calls: Counter[str] = Counter()
    for owner, name in targets:
        real = getattr(owner, name)

        def spy(*args, __name=name, __real=real, **kwargs):
            calls[__name] += 1
            return __real(*args, **kwargs)

        monkeypatch.setattr(owner, name, spy)
    return calls
