"""ui/cached is split by subject; the package names every public function of its modules, so
pages keep calling ``cached.<name>`` and no module's function is forgotten (or shadowed)."""

from __future__ import annotations

import ast
from pathlib import Path

import ui.cached as cached

HERE = Path(cached.__file__).resolve().parent


def _public(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    names |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
              if isinstance(t, ast.Name) and t.id.isupper()}
    return {n for n in names if not n.startswith("_")}


def test_the_package_names_every_public_function_of_its_modules():
    for module in sorted(HERE.glob("*.py")):
        if module.name == "__init__.py":
            continue
        missing = {n for n in _public(module)
                   if getattr(cached, n, None) is not getattr(
                       __import__(f"ui.cached.{module.stem}", fromlist=[n]), n)}
        assert not missing, f"ui/cached/__init__.py does not re-export {sorted(missing)} " \
                            f"from {module.name}"


def test_no_name_is_defined_in_two_modules():
    seen: dict[str, str] = {}
    for module in sorted(HERE.glob("*.py")):
        if module.name == "__init__.py":
            continue
        for name in _public(module):
            assert name not in seen, f"{name} is in both {seen[name]} and {module.name}"
            seen[name] = module.name
