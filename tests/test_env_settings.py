"""Environment variables: one module reads them (embedding/config.py), nothing sets them, and
the table in docs/configuration.md, the Makefile and the Docker image agree with it."""

from __future__ import annotations

import ast
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from embedding import config

ROOT = Path(__file__).resolve().parents[1]
#: Code that runs inside the server.
APP_CODE = [p for d in ("embedding", "ui", "pages") for p in sorted((ROOT / d).rglob("*.py"))]
APP_CODE += [ROOT / "app.py", ROOT / "serve.py"]


def _env_uses(tree: ast.AST) -> tuple[list[int], list[int]]:
    """(lines reading the environment, lines writing it)."""
    reads, writes = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "putenv",
                                                               "unsetenv", "getenvb"}:
            reads.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            inner = node.func.value
            if (node.func.attr in {"setdefault", "update", "pop", "clear", "__setitem__"}
                    and isinstance(inner, ast.Attribute) and inner.attr == "environ"):
                writes.append(node.lineno)
            if node.func.attr in {"putenv", "unsetenv"}:
                writes.append(node.lineno)
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for t in targets:
                if (isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute)
                        and t.value.attr == "environ"):
                    writes.append(node.lineno)
    return reads, writes


def test_env_scanner_can_fail():
    reads, writes = _env_uses(ast.parse(
        "import os\nos.environ.setdefault('A', '1')\nos.environ['B'] = '2'\nx = os.getenv('C')"
    ))
    assert sorted(writes) == [2, 3] and reads
    assert _env_uses(ast.parse("d = {}\nd.setdefault('A', 1)")) == ([], [])


def test_nothing_in_the_app_sets_an_environment_variable():
    bad = [f"{p.relative_to(ROOT)}:{line}" for p in APP_CODE
           for line in _env_uses(ast.parse(p.read_text(encoding="utf-8")))[1]]
    assert not bad, "environment changed at: " + ", ".join(bad)


def test_only_config_reads_the_environment():
    bad = [f"{p.relative_to(ROOT)}:{line}" for p in APP_CODE if p.name != "config.py"
           for line in _env_uses(ast.parse(p.read_text(encoding="utf-8")))[0]]
    assert not bad, "read the environment through embedding.config instead: " + ", ".join(bad)


@pytest.mark.slow
def test_importing_the_app_leaves_the_environment_alone():
    """Import every module of the core and the UI layer in a fresh process: env unchanged."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for d in ("embedding", "ui") for p in (ROOT / d).rglob("*.py")
    )
    code = (
        "import importlib, json, os, sys\n"
        "import streamlit\n"  # sets MPLBACKEND on import: Streamlit's business, not ours
        "before = dict(os.environ)\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "after = dict(os.environ)\n"
        "print(json.dumps(sorted(k for k in before.keys() | after.keys()"
        " if before.get(k) != after.get(k))))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in config.SETTINGS}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_docs_table_matches_config():
    """docs/configuration.md's table is ``python -m embedding.config`` verbatim."""
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    lines = page.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| variable |"))
    table = "\n".join(itertools.takewhile(lambda line: line.startswith("|"), lines[start:]))
    assert table == config.markdown_table(), (
        "docs/configuration.md's table is out of date: paste `python -m embedding.config`"
    )
    names = re.findall(r"^\| `([A-Z_]+)` \|", table, flags=re.M)
    assert names == list(config.SETTINGS)


def test_makefile_exports_the_library_defaults():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    exported = dict(re.findall(r"^export (\w+) := (.*)$", text, flags=re.M))
    expected = config.library_defaults()
    assert set(exported) == set(expected)
    for name, value in expected.items():
        assert exported[name].replace("$(CURDIR)", str(ROOT)) == value, name


def test_docker_image_sets_the_library_variables():
    text = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    env_lines = " ".join(re.findall(r"^ENV (.*)$", text, flags=re.M))
    for name in config.library_defaults():
        assert re.search(rf"\b{name}=", env_lines), name


def test_accessors_read_the_environment_each_call(monkeypatch, tmp_path):
    for name in config.SETTINGS:
        monkeypatch.delenv(name, raising=False)
    assert config.glove_path() is None and config.sbert_model() is None
    assert config.database_url() is None and config.instructor_key() is None
    assert config.keep_days() == 7
    assert config.data_dir() == ROOT / "var"
    assert config.warm_up_enabled() is True
    assert config.torch_threads() == 1

    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    monkeypatch.setenv("EMBEDDING_EXPLORER_WARMUP", "0")
    monkeypatch.setenv("EMBEDDING_EXPLORER_TORCH_THREADS", "3")
    monkeypatch.setenv("EMBEDDING_EXPLORER_KEEP_DAYS", "0.5")
    monkeypatch.setenv("GLOVE_PATH", "")  # empty counts as unset
    assert config.data_dir() == tmp_path
    assert config.warm_up_enabled() is False
    assert config.torch_threads() == 3
    assert config.keep_days() == 0.5
    assert config.glove_path() is None


@pytest.mark.parametrize("value", ["0", "-2"])
def test_torch_threads_at_least_one(monkeypatch, value):
    monkeypatch.setenv("EMBEDDING_EXPLORER_TORCH_THREADS", value)
    assert config.torch_threads() == 1
