"""Scale-out set-up: compose.yaml is coherent, and deploy/nginx.conf really proxies Streamlit.

Docker cannot run here, so the compose file is checked as data. nginx can: when it is installed
the real config is started in front of two real Streamlit replicas (the bare bench app) on
loopback, and a websocket session runs through it, sticky to one replica by its cookie.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from bench.loadtest.proxy import nginx_binary, render_nginx, streamlit_static
from tests.browser import exceptions_shown, open_and_wait, run_coroutine

ROOT = Path(__file__).resolve().parents[1]

COMPOSE = ROOT / "compose.yaml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
NGINX = nginx_binary()


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_runs_the_tested_set_replicas_proxy_and_postgres(compose):
    """Exactly what tests/test_replicas.py starts: app replicas, nginx, PostgreSQL + pgvector
    (no untested services: the Qdrant store was removed, pgvector is the scale-out store)."""
    services = compose["services"]
    assert set(services) == {"app", "proxy", "postgres"}
    app = services["app"]
    assert app["deploy"]["replicas"] >= 2
    assert not any("QDRANT" in k for k in app["environment"])
    assert services["postgres"]["image"].startswith("pgvector/pgvector:pg")
    assert app["environment"]["HF_HUB_OFFLINE"] == "1"
    assert "/_stcore/health" in " ".join(app["healthcheck"]["test"])
    assert "ports" not in app, "replicas are reached through the proxy only"
    proxy = services["proxy"]
    proxy_image = (ROOT / proxy["build"]["dockerfile"]).read_text(encoding="utf-8")
    assert "COPY deploy/nginx.conf /etc/nginx/nginx.conf" in proxy_image
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"


def test_dockerfile_runs_the_app_offline():
    text = (ROOT / compose_dockerfile()).read_text(encoding="utf-8")
    assert "requirements.txt" in text and '"run", "serve.py"' in text  # with the identity cookie
    assert "HF_HUB_OFFLINE=1" in text
    assert "USER " in text, "the server must not run as root"


def compose_dockerfile() -> str:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data["services"]["app"]["build"]["dockerfile"]


def test_nginx_forwards_host_with_port_and_upgrades_websockets():
    conf = NGINX_CONF.read_text(encoding="utf-8")
    # Streamlit compares Origin (with port) to Host: "$host" drops the port and breaks sessions.
    assert "proxy_set_header Host $host;" not in conf
    stream = conf[conf.index("location /_stcore/stream"):]
    stream = stream[: stream.index("}")]
    assert "proxy_set_header Upgrade $http_upgrade" in stream
    assert "proxy_http_version 1.1" in stream
    assert re.search(r"hash \$route_key consistent", conf)
    max_upload = re.search(r"maxUploadSize = (\d+)", (ROOT / ".streamlit/config.toml").read_text())
    assert f"client_max_body_size {max_upload.group(1)}m" in conf


# --- the real nginx in front of two real replicas ---------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _render(tmp: Path, backends: list[int], listen: int) -> Path:
    """deploy/nginx.conf on loopback, saying which replica answered (``X-Upstream``)."""
    return render_nginx(tmp, backends, listen, tag_upstream=True)


def _need_nginx() -> None:
    """Skip without nginx locally; in CI (``CI=true``, where make installs it) fail instead."""
    if NGINX is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("nginx is missing in CI: make's system-tools should have installed it")
        pytest.skip("nginx not installed (apt-get install nginx)")


@pytest.mark.server
def test_nginx_config_is_valid(tmp_path):
    _need_nginx()
    conf = _render(tmp_path, [_free_port(), _free_port()], _free_port())
    r = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)  # polling a starting server's health endpoint
    raise TimeoutError(url)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """Two bare Streamlit replicas behind the real nginx config; yields the proxy's base URL."""
    _need_nginx()
    tmp = tmp_path_factory.mktemp("proxy")
    ports = [_free_port(), _free_port()]
    procs = []
    env = dict(os.environ, EMBEDDING_EXPLORER_WARMUP="0")
    for p in ports:
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "bench/bare_app.py",
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(p)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    listen = _free_port()
    conf = _render(tmp, ports, listen)
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for p in ports:
            _wait_http(f"http://127.0.0.1:{p}/_stcore/health")
        _wait_http(f"http://127.0.0.1:{listen}/_stcore/health")
        yield f"http://127.0.0.1:{listen}", ports
    finally:
        for proc in [nginx, *procs]:
            proc.terminate()
        for proc in [nginx, *procs]:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _get(url: str, cookie: str | None = None):
    req = urllib.request.Request(url, headers={"Cookie": f"ee_route={cookie}"} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.headers, r.read()


@pytest.mark.server
def test_health_through_the_proxy(proxied):
    base, _ = proxied
    status, _, body = _get(f"{base}/_stcore/health")
    assert status == 200 and body == b"ok"


@pytest.mark.server
def test_sessions_stick_to_one_replica_and_spread_over_both(proxied):
    base, ports = proxied
    _, headers, _ = _get(f"{base}/")
    cookie = headers.get("Set-Cookie", "")
    assert cookie.startswith("ee_route="), headers
    key = cookie.split(";")[0].split("=", 1)[1]
    seen = {_get(f"{base}/_stcore/health", key)[1]["X-Upstream"] for _ in range(6)}
    assert len(seen) == 1, f"one tab's requests went to several replicas: {seen}"
    spread = {_get(f"{base}/_stcore/health", f"student-{i}")[1]["X-Upstream"] for i in range(24)}
    assert spread == {f"127.0.0.1:{p}" for p in ports}, spread


@pytest.mark.server
def test_a_websocket_session_runs_through_the_proxy(proxied):
    base, _ = proxied
    from bench.loadtest import ProtocolSession, Stats

    async def one_session() -> tuple[float, list]:
        stats = Stats()
        s = ProtocolSession(base, stats)
        await s.connect()
        try:
            seconds, _ = await s.run("")
        finally:
            await s.close()
        return seconds, stats.errors

    seconds, errors = run_coroutine(one_session())
    assert errors == [] and seconds > 0


def test_compose_shares_one_postgres_for_live_classes(compose):
    services = compose["services"]
    url = services["app"]["environment"]["DATABASE_URL"]
    pg = services["postgres"]["environment"]
    assert url == (f"postgresql://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/"
                   f"{pg['POSTGRES_DB']}")
    assert services["app"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert any(v.startswith("postgres-data:") for v in services["postgres"]["volumes"])


def test_the_proxy_image_ships_the_app_shell_of_the_pinned_streamlit():
    image = (ROOT / "deploy" / "proxy.Dockerfile").read_text(encoding="utf-8")
    pin = re.search(r"^streamlit==([\w.]+)$", (ROOT / "requirements.txt").read_text(), re.M)
    assert f"streamlit=={pin.group(1)}" in image, "proxy and app must ship the same app shell"
    assert "/srv/streamlit-static" in image and "/srv/streamlit-static" in NGINX_CONF.read_text()
    assert "gzip -6 -k" in image and "gzip_static on;" in NGINX_CONF.read_text()


@pytest.mark.server
def test_nginx_serves_the_app_shell_itself_compressed_and_cached(proxied):
    """A script of the app shell comes from nginx (no replica named), gzipped once, cached a
    year, with its JavaScript type; health still comes from a replica."""
    base, _ = proxied
    html = _get(f"{base}/")[2].decode()
    script = re.search(r'src="\./(static/js/[^"]+\.js)"', html).group(1)
    req = urllib.request.Request(f"{base}/{script}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as r:
        headers, body = r.headers, r.read()
    assert headers["X-Upstream"] in (None, ""), f"a replica served {script}"
    assert headers["Content-Encoding"] == "gzip"
    # a module script as text/plain is refused by the browser (blank page): mime.types included
    assert headers["Content-Type"] == "application/javascript", headers["Content-Type"]
    # compressed ahead of time (gzip_static): a length, where on-the-fly gzip streams chunks
    assert int(headers["Content-Length"]) == len(body), "compressed per request, not once"
    assert "immutable" in headers["Cache-Control"] and "max-age=31536000" in headers["Cache-Control"]
    import gzip

    assert gzip.decompress(body) == (streamlit_static() / script).read_bytes()
    assert _get(f"{base}/_stcore/health")[1]["X-Upstream"], "health must come from a replica"


@pytest.mark.server
def test_nginx_answers_the_page_itself_and_the_base_path_probes(proxied):
    """"/" and every page path get Streamlit's index.html from nginx (never cached, with the
    route cookie); the favicon too; the browser's base-path probes get nginx's 404; anything
    else under a prefix still reaches a replica."""
    base, _ = proxied
    index = (streamlit_static() / "index.html").read_bytes()
    for path in ("/", "/word_similarity", "/live_class?class=KAXFEP"):
        status, headers, body = _get(f"{base}{path}")
        assert status == 200 and body == index, path
        assert headers["X-Upstream"] in (None, ""), f"a replica served {path}"
        assert headers["Cache-Control"] == "no-cache"
        assert headers["Set-Cookie"].startswith("ee_route="), path
    status, headers, body = _get(f"{base}/favicon.png")
    assert body == (streamlit_static() / "favicon.png").read_bytes()
    assert headers["X-Upstream"] in (None, "")
    for probe in ("/word_similarity/_stcore/health", "/x2vec/_stcore/host-config"):
        with pytest.raises(urllib.error.HTTPError) as e:
            _get(f"{base}{probe}")
        assert e.value.code == 404 and not e.value.headers["X-Upstream"], probe
    status, _, body = _get(f"{base}/_stcore/host-config")
    assert status == 200 and b"allowedOrigins" in body, "host-config comes from a replica"


@pytest.mark.server
@pytest.mark.browser
def test_chromium_draws_the_app_through_the_proxy(proxied, browser):
    """A real browser through nginx: every module script runs (a wrong Content-Type leaves
    the page blank), the websocket connects, the page is drawn without an error."""
    base, _ = proxied
    page = browser.new_page()
    try:
        open_and_wait(page, f"{base}/", timeout_ms=60_000)
        assert page.locator("h1").first.inner_text() == "Bare page"
        assert not exceptions_shown(page)
    finally:
        page.close()


def test_docker_image_takes_cpu_torch_and_leaves_local_files_out():
    text = (ROOT / compose_dockerfile()).read_text(encoding="utf-8")
    cpu = text.index("download.pytorch.org/whl/cpu")
    assert cpu < text.index("pip install -r requirements.txt"), "CPU torch before the lock"
    ignored = {line.strip().rstrip("/") for line in
               (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".venv", ".cache", "var", ".git"} <= ignored
