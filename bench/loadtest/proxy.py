"""The scale-out set-up on loopback: the real deploy/nginx.conf in front of Streamlit replicas.

``render_nginx`` rewrites the config for this machine (loopback backends and port, files under a
temporary folder, Streamlit's static folder from the installed package); :class:`Proxy` runs
nginx with it. Used by the load test's ``--proxy-burst`` and by tests/test_deploy.py.

    conf = render_nginx(tmp, [8601, 8602], 8600); proxy = Proxy(conf, tmp); proxy.start()
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from .server import ROOT, cpu_seconds, runqueue_wait_seconds

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
#: Where deploy/proxy.Dockerfile puts Streamlit's static folder in the proxy image.
IMAGE_STATIC_ROOT = "/srv/streamlit-static"


def nginx_binary() -> str | None:
    """Debian's nginx (``apt-get install nginx``), or ``None``."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                     else None)


def streamlit_static() -> Path:
    """The installed streamlit package's static folder (index.html and the app shell)."""
    import streamlit

    return Path(streamlit.__file__).parent / "static"


#: Compressed ahead of time, as deploy/proxy.Dockerfile does (nginx ``gzip_static``).
PRECOMPRESS = (".js", ".css", ".html", ".json", ".svg")
#: The mime.types nginx packages ship (the config includes it relative to its own folder).
MIME_TYPES = ("/etc/nginx/mime.types", "/usr/local/etc/nginx/mime.types")


def precompressed_static(cache: Path | None = None) -> Path:
    """Streamlit's static folder with a ``.gz`` beside each text file, as the proxy image has
    it: hard links to the installed files (copies across file systems) plus ``gzip -6`` of
    each, made once per streamlit version under ``.cache/``."""
    import gzip
    import os

    import streamlit

    src = streamlit_static()
    root = (cache or ROOT / ".cache") / f"nginx-static-{streamlit.__version__}"
    done = root / ".complete"
    if done.exists():
        return root
    work = root.with_name(root.name + f".tmp{os.getpid()}")
    for path in src.rglob("*"):
        if path.is_dir():
            continue
        dest = work / path.relative_to(src)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, dest)
        except OSError:
            shutil.copy2(path, dest)
        if path.suffix in PRECOMPRESS and path.stat().st_size > 1024:
            dest.with_name(dest.name + ".gz").write_bytes(
                gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))
    (work / ".complete").touch()
    try:
        work.rename(root)
    except OSError:  # another process made it first
        shutil.rmtree(work, ignore_errors=True)
    return root


def render_nginx(tmp: Path, backends: list[int], listen: int, *, serve_static: bool = True,
                 tag_upstream: bool = False, precompressed: bool = True,
                 serve_page: bool = True) -> Path:
    """deploy/nginx.conf for loopback: ``backends`` ports, ``listen`` port, files under ``tmp``.

    ``serve_static=False`` drops the locations nginx answers itself (the app shell, the page,
    the favicon, the base-path probes: every request goes through Python, as before);
    ``tag_upstream`` adds an ``X-Upstream`` header naming the replica that answered (empty when
    nginx answered itself); ``precompressed=False`` compresses the shell on every request, as
    before ``gzip_static``; ``serve_page=False`` sends the page (index.html), the favicon and
    the base-path probes to Python, as before nginx answered them (for the bench's before/after).
    """
    conf = NGINX_CONF.read_text(encoding="utf-8")
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in backends)
    conf, n = re.subn(r"^\s*server app:8501[^;]*;", servers, conf, flags=re.M)
    assert n == 1, "deploy/nginx.conf: expected one 'server app:8501' upstream line"
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    if not serve_static:  # every location nginx answers itself goes (files, page, 404 probes)
        conf, n = re.subn(r"\n[ \t]*location [^{]*\{[^}]*(?:streamlit-static|return 404)[^}]*\}",
                          "", conf)
        assert n >= 2, "deploy/nginx.conf: expected the shell and page locations"
    if not serve_page:
        conf, n = re.subn(r"\n[ \t]*location (?:[^{]*favicon[^{]*\{[^}]*|[^{]*\{[^}]*"
                          r"(?:index\.html|return 404)[^}]*)\}", "", conf)
        assert n == 3, "deploy/nginx.conf: expected the page, favicon and probe locations"
    if precompressed:
        conf = conf.replace(IMAGE_STATIC_ROOT, str(precompressed_static()))
    else:
        conf = conf.replace(IMAGE_STATIC_ROOT, str(streamlit_static()))
        conf = conf.replace("gzip_static on;", "gzip_static off;")
    mime = next((m for m in MIME_TYPES if Path(m).exists()), None)
    assert "include mime.types;" in conf, "deploy/nginx.conf: expected 'include mime.types;'"
    if mime:
        conf = conf.replace("include mime.types;", f"include {mime};")
    if tag_upstream:
        conf = conf.replace("server {", "server {\n        add_header X-Upstream $upstream_addr "
                                        "always;", 1)
    conf = conf.replace("worker_processes auto;", f"worker_processes 1;\npid {tmp}/nginx.pid;\n"
                        f"error_log {tmp}/error.log;\ndaemon off;")
    conf = conf.replace("http {", f"http {{\n    access_log off;\n    client_body_temp_path {tmp};"
                        f"\n    proxy_temp_path {tmp}/proxy;", 1)
    path = tmp / "nginx.conf"
    path.write_text(conf, encoding="utf-8")
    return path


class Proxy:
    """nginx running ``conf`` in the foreground; ``base`` is its URL. Looks like a
    :class:`~loadtest.server.Server` to the scenarios (RSS and script runs of its replicas)."""

    def __init__(self, conf: Path, tmp: Path, listen: int, replicas: list):
        self.conf, self.tmp, self.replicas = conf, tmp, replicas
        self.base = f"http://127.0.0.1:{listen}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        self.proc = subprocess.Popen([nginx_binary(), "-c", str(self.conf), "-p", str(self.tmp)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)  # polling the health endpoint of a starting proxy
        raise RuntimeError(f"nginx not answering after {timeout}s, see {self.tmp}/error.log")

    def rss(self) -> float:
        return sum(r.rss() for r in self.replicas) if self.replicas else math.nan

    def cpu(self) -> float:
        """CPU seconds used so far by the replicas and nginx (master and workers)."""
        return sum(r.cpu() for r in self.replicas) + self.nginx_cpu()

    def waited(self) -> float:
        """Seconds the replicas' and nginx's threads waited for a core so far."""
        return sum(r.waited() for r in self.replicas) + (
            runqueue_wait_seconds(self.proc.pid) if self.proc else 0.0)

    def nginx_cpu(self) -> float:
        return cpu_seconds(self.proc.pid) if self.proc else math.nan

    @property
    def rss_samples(self) -> list[tuple[float, float]]:
        """(time, MB summed over the replicas), from the replicas' own samples."""
        per = [r.rss_samples for r in self.replicas]
        return [(t, sum(s[i][1] for s in per)) for i, (t, _) in enumerate(per[0])
                if all(len(s) > i for s in per)] if per else []

    def sample_rss(self) -> float:
        return sum(r.sample_rss() for r in self.replicas)

    async def wait_idle(self, max_wait: float = 300, busy: float = 0.15) -> float:
        """Wait until every replica is idle (see :meth:`Server.wait_idle`)."""
        return sum([await r.wait_idle(max_wait, busy) for r in self.replicas])

    def runs(self, since: float, until: float | None = None, by_page: bool = False,
             **kw) -> list[float] | dict[str, list[float]]:
        if not by_page:
            return [v for r in self.replicas for v in r.runs(since, until, **kw)]
        pages: dict[str, list[float]] = {}
        for r in self.replicas:
            for page, values in r.runs(since, until, by_page=True, **kw).items():
                pages.setdefault(page, []).extend(values)
        return pages

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
