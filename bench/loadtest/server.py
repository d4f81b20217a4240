"""The servers under test: ``streamlit run`` on a free loopback port, its CPU, RSS and run log.

    srv = Server("serve.py", workdir); srv.start(); ...; srv.stop()
"""

from __future__ import annotations

import asyncio
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable  # the interpreter running the load test (the project venv)
RESULTS = ROOT / "bench" / "results"
#: What the servers run: the ASGI entry (serve.py: the app plus its identity-cookie middleware)
#: once it exists, as `make run` and the Docker image do; else the router itself.
APP_ENTRY = "serve.py" if (ROOT / "serve.py").exists() else "app.py"
EXTRA_FLAGS: list[str] = []  # more `streamlit run` flags (e.g. --runner.postScriptGC false)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            kids = (task / "children").read_text().split()
            out += [int(k) for k in kids]
    except OSError:
        pass
    return out


def _process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc)."""
    out, todo, seen = [], [pid], set()
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            out.append(p)
            todo += _children(p)
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB (VmRSS from /proc)."""
    total = 0
    for p in _process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and all its descendants (from /proc)."""
    total = 0
    for p in _process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def runqueue_wait_seconds(pid: int) -> float:
    """Seconds the threads of ``pid`` and its descendants spent ready to run but waiting for a
    core (``/proc/<pid>/task/*/schedstat``, second field): how much the rest of the box took.
    A lower bound: threads that ended (Streamlit's script threads end with their run) are not
    counted, the event loop's thread and the long-lived workers are."""
    total = 0
    for p in _process_tree(pid):
        try:
            tasks = list(Path(f"/proc/{p}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                total += int((task / "schedstat").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e9


class Server:
    """One ``streamlit run`` process on a free loopback port, with its script-run log."""

    def __init__(self, script: str, workdir: Path, timed: bool = True):
        self.script, self.port = script, free_port()
        self.runlog = workdir / f"runs-{Path(script).stem}-{self.port}.tsv"
        self.log = workdir / f"server-{Path(script).stem}-{self.port}.log"
        self.timed = timed
        self.proc: subprocess.Popen | None = None
        self.rss_samples: list[tuple[float, float]] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> float:
        env = dict(os.environ)
        env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
                   NUMBA_CACHE_DIR=str(ROOT / ".cache" / "numba"), RUNLOG=str(self.runlog),
                   PYTHONUNBUFFERED="1")
        env.setdefault("EMBEDDING_EXPLORER_DATA", str(ROOT / ".cache" / "loadtest-data"))
        cli = [PY, str(ROOT / "bench" / "timed_server.py")] if self.timed else [
            PY, "-m", "streamlit"]
        cmd = cli + ["run", self.script, "--server.headless", "true", *EXTRA_FLAGS,
                     "--server.address", "127.0.0.1", "--server.port", str(self.port),
                     "--browser.gatherUsageStats", "false"]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early, see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.2)  # polling the health endpoint of a starting process
        raise RuntimeError(f"server not healthy after {timeout}s, see {self.log}")

    def rss(self) -> float:
        return rss_mb(self.proc.pid) if self.proc else math.nan

    def cpu(self) -> float:
        """CPU seconds the server process (and its children) used so far."""
        return cpu_seconds(self.proc.pid) if self.proc else math.nan

    def waited(self) -> float:
        """Seconds its threads so far waited for a core (see :func:`runqueue_wait_seconds`)."""
        return runqueue_wait_seconds(self.proc.pid) if self.proc else math.nan

    async def wait_idle(self, max_wait: float = 300, busy: float = 0.15) -> float:
        """Wait until the server's background warm-up (models, UMAP compile) is done: two
        one-second windows in a row using less than ``busy`` CPU-seconds. Returns the wait."""
        t0, quiet = time.perf_counter(), 0
        last = cpu_seconds(self.proc.pid)
        while time.perf_counter() - t0 < max_wait and quiet < 2:
            await asyncio.sleep(1.0)  # a measurement window, not synchronisation
            now = cpu_seconds(self.proc.pid)
            quiet = quiet + 1 if now - last < busy else 0
            last = now
        return time.perf_counter() - t0

    def sample_rss(self) -> float:
        v = self.rss()
        self.rss_samples.append((time.time(), v))
        return v

    def runs(self, since: float, until: float | None = None, by_page: bool = False,
             cpu: bool = False) -> list[float] | dict[str, list[float]]:
        """Server-side script run times (s) of runs that ended in ``[since, until]``; with
        ``cpu``, the CPU seconds of each run's script thread instead of its wall time, for the
        runs that *started* in that window (a run logs its line after its answer was sent)."""
        from streamlit.util import calc_hash

        names = {calc_hash(p): p or "home" for p in page_paths()}  # browsers send hashes
        pages: dict[str, list[float]] = {}
        if self.runlog.exists():
            for line in self.runlog.read_text().splitlines():
                end, secs, page, *rest = line.split("\t")
                page = names.get(page, page)
                at = float(end) - (float(secs) if cpu else 0.0)
                if at >= since and (until is None or at <= until):
                    value = float(rest[0]) if cpu and rest else float(secs)
                    pages.setdefault(page, []).append(value)
        if by_page:
            return pages
        return [v for vs in pages.values() for v in vs]

    def terminate(self) -> None:
        """Ask the server to stop (SIGTERM to its process group); :meth:`stop` waits."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def stop_all(servers: list[Server]) -> None:
    """Stop several servers at once (each takes a few seconds to shut down)."""
    for s in servers:
        s.terminate()
    for s in servers:
        s.stop()


def page_paths() -> list[str]:
    """URL paths of the app's pages that exist now ("" is home), in catalogue order (``ui`` comes
    from the project's editable install, like every other import)."""
    from ui.catalog import available

    return [("" if p.path == "pages/home.py" else Path(p.path).stem) for p in available(ROOT)]

