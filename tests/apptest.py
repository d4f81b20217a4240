"""Open pages the way a user does: through app.py's st.navigation, in this process.

The models are cached with ``st.cache_resource``, which lives for the whole test process, so
they load once for every page test together.
"""

from __future__ import annotations

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
