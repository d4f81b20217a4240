"""pyproject.toml declares what the code imports, and requirements.txt pins all of it.

Another engineer adding ``import faiss`` to the core must add ``faiss-cpu`` to pyproject's
dependencies and its exact version to the lock; these tests say which one is missing.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_CODE = [p for d in ("embedding", "ui", "pages") for p in sorted((ROOT / d).rglob("*.py"))]
APP_CODE += [ROOT / "app.py", ROOT / "serve.py"]
FIRST_PARTY = {"embedding", "ui", "pages", "tests", "bench"}


def _name(requirement: str) -> str:
    """``"psycopg[binary]>=3.3"`` → ``"psycopg"`` (PEP 503 normalised)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]).lower()


def _project() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["project"]


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for path in APP_CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - FIRST_PARTY - set(sys.stdlib_module_names) - {"__future__"}


def test_every_third_party_import_of_the_app_is_a_declared_dependency():
    declared = {_name(r) for r in _project()["dependencies"]}
    dists = packages_distributions()
    missing = {}
    for module in sorted(_imported_top_levels()):
        owners = {_name(d) for d in dists.get(module, [module])}
        if not owners & declared:
            missing[module] = sorted(owners)
    assert not missing, f"imported but not in pyproject's dependencies: {missing}"


def test_every_declared_dependency_is_pinned_in_the_lock():
    lock = {_name(line): line for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line and not line.startswith("#")}
    assert all("==" in line for line in lock.values()), "the lock pins exact versions only"
    wanted = _project()["dependencies"] + _project()["optional-dependencies"]["dev"]
    unpinned = sorted(_name(r) for r in wanted if _name(r) not in lock)
    assert not unpinned, f"declared but missing from requirements.txt: {unpinned}"


def test_the_lock_has_the_build_backend_for_the_editable_install():
    lock = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^setuptools==", lock, flags=re.M), "make installs -e . without isolation"


def test_no_file_edits_sys_path():
    """The project is installed editable, so every import resolves without path edits."""
    ours = [p for d in ("embedding", "ui", "pages", "tests", "bench") for p in (ROOT / d).rglob("*.py")]
    ours += [ROOT / "app.py", ROOT / "serve.py", ROOT / "conftest.py"]
    edits = [str(p.relative_to(ROOT)) for p in ours
             if re.search(r"sys\.path\.(insert|append|extend)|sys\.path\s*=", p.read_text())]
    assert edits == [], f"these files edit sys.path: {edits}"
