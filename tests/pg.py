"""A throw-away PostgreSQL cluster for the tests: Debian's binaries, a temp folder, a free port.

``postgres_server`` (session fixture) starts one cluster as a non-root user (``nobody`` when
the tests run as root, since PostgreSQL refuses to run as root) and yields its base URL;
:func:`fresh_database` makes an empty database for one test. When the binaries are missing
or the cluster cannot start, the tests are skipped locally and FAIL in CI (``CI=true``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


def _as_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def postgres_server():
    bindir = _bin_dir()
    if bindir is None:
        _unavailable("no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the psycopg package is not installed")
    tmp = Path(tempfile.mkdtemp(prefix="pgtest-"))
    data, port = tmp / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(tmp, "nobody")
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    try:
        subprocess.run(_as_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                                 "-A", "trust", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True, env=env, timeout=120)
        opts = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c max_connections=200"
        subprocess.run(_as_user([str(bindir / "pg_ctl"), "-D", str(data), "-l",
                                 str(tmp / "log"), "-o", opts, "-w", "-t", "60", "start"]),
                       check=True, capture_output=True, env=env, timeout=90)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        out = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(tmp, ignore_errors=True)
        _unavailable(f"the cluster did not start ({exc}; {out.decode(errors='replace')[-300:]})")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                 "stop"]), capture_output=True, env=env, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


def fresh_database(server: str) -> str:
    """A new empty database on ``server``; its URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"
