"""The Makefile's install step is keyed by the content of requirements.txt and pyproject.toml
(not file dates), and makes a shared venv run this checkout's code.

Each test copies the Makefile and the two files into a temporary checkout whose venv holds a
fake ``python`` that logs what pip is asked to do (nothing is installed), then runs real make.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Stands in for the venv's python: logs pip commands; "-P -c <check> DIR" (is the editable
#: install this checkout?) answers from the file `points_at`.
FAKE_PYTHON = """#!/bin/sh
here="$(dirname "$0")/.."
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "pip $*" >> "$here/pip.log"; exit 0; fi
if [ "$1" = "-P" ]; then
  [ "$(cat "$here/points_at" 2>/dev/null)" = "$4" ]; exit $?
fi
exit 0
"""

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.fixture
def checkout(tmp_path):
    work = tmp_path / "checkout"
    work.mkdir()
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, work / name)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    return work, venv


def make(work: Path, venv: Path) -> list[str]:
    """Run the install step; return the pip commands it ran."""
    log = venv / "pip.log"
    log.unlink(missing_ok=True)
    out = subprocess.run(["make", "-s", f"VENV={venv}", f"{venv}/.installed"], cwd=work,
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "MAKEFLAGS": ""})
    assert out.returncode == 0, out.stderr
    return log.read_text().splitlines() if log.exists() else []


def test_installs_once_then_only_when_the_content_changes(checkout):
    work, venv = checkout
    (venv / "points_at").write_text(str(work))
    first = make(work, venv)
    assert any("install -r requirements.txt" in c for c in first)
    assert any("-e ." in c for c in first)
    assert make(work, venv) == []  # nothing changed: no pip at all
    for name in ("requirements.txt", "pyproject.toml"):  # a new date, same content (a checkout)
        os.utime(work / name, (1e9, 2e9))
        assert make(work, venv) == [], f"{name}'s date alone reinstalled"
    with (work / "requirements.txt").open("a") as fh:  # new content: install once
        fh.write("tomli-w==1.2.0\n")
    assert any("install -r requirements.txt" in c for c in make(work, venv))
    assert make(work, venv) == []


def test_a_venv_running_another_checkout_is_pointed_here(checkout):
    work, venv = checkout
    (venv / "points_at").write_text(str(work))
    make(work, venv)
    (venv / "points_at").write_text("/somewhere/else")  # another clone installed itself
    calls = make(work, venv)
    assert len(calls) == 1 and "-e ." in calls[0] and "-r" not in calls[0]


def system_tools(work: Path, fake_bin: Path, uid: int, files: str) -> str:
    """Run ``make system-tools`` with a fake ``id -u`` and a fake ``apt-get`` that logs its
    arguments (nothing is installed); only ``SYSTEM_FILES`` is asked about."""
    fake_bin.mkdir(exist_ok=True)
    (fake_bin / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (fake_bin / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> "{fake_bin}/apt.log"\n')
    for tool in ("id", "apt-get"):
        (fake_bin / tool).chmod(0o755)
    out = subprocess.run(["make", "-s", "system-tools", "SYSTEM_TOOLS=sh",
                          f"SYSTEM_FILES={files}"], cwd=work, capture_output=True, text=True,
                         timeout=60, env={**os.environ, "MAKEFLAGS": "",
                                          "PATH": f"{fake_bin}:{os.environ['PATH']}"})
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_system_tools_installs_a_package_known_by_its_file(checkout, tmp_path):
    """libtasn1-doc has no command: the labelled set's PDF is its file, checked by path."""
    work, _ = checkout
    assert "/usr/share/doc/libtasn1-doc/libtasn1.pdf:libtasn1-doc" in (
        work / "Makefile").read_text()
    fake_bin = tmp_path / "bin"
    files = f"{tmp_path}/missing.pdf:pkg-missing {work / 'Makefile'}:pkg-present"
    out = system_tools(work, fake_bin, 0, files)
    assert "installing pkg-missing" in out
    assert (fake_bin / "apt.log").read_text().splitlines() == [
        "update -qq", "install -y -qq pkg-missing"]
    out = system_tools(work, tmp_path / "bin2", 1000, files)  # not root: say what to install
    assert "missing pkg-missing: their tests will be skipped" in out
    assert not (tmp_path / "bin2" / "apt.log").exists()
    assert system_tools(work, tmp_path / "bin3", 0, f"{work / 'Makefile'}:pkg-present") == ""
