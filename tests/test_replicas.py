"""The tested deployment: nginx (the real deploy/nginx.conf, on loopback) in front of two real
replicas of the app and ONE PostgreSQL with pgvector, all started here, driven in Chromium.

Each replica has its own empty data folder, so whatever one replica shows of another's work
came through the database. A browser is pinned to a replica by the proxy's own sticky cookie
(``ee_route``), with keys found by asking the proxy which replica answers them.
"""

from __future__ import annotations

import subprocess
import urllib.request

import pytest

from bench.loadtest.proxy import nginx_binary, render_nginx
from embedding.classroom.db import ClassDB
from tests.browser import (
    _free_port,
    exceptions_shown,
    open_and_wait,
    start_server,
    wait_healthy,
    wait_rerun,
)
from tests.pg import fresh_database

pytestmark = [pytest.mark.server, pytest.mark.browser]


def _upstream(base: str, key: str) -> str:
    req = urllib.request.Request(f"{base}/_stcore/health", headers={"Cookie": f"ee_route={key}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers["X-Upstream"]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, postgres_server):
    """``(proxy URL, route keys, database URL, data folders, replica processes)``."""
    nginx = nginx_binary()
    if nginx is None:
        import os

        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("nginx is missing in CI: make's system-tools should have installed it")
        pytest.skip("nginx not installed (apt-get install nginx)")
    tmp = tmp_path_factory.mktemp("deploy")
    url = fresh_database(postgres_server)
    folders = [tmp / "replica-1", tmp / "replica-2"]
    replicas = []
    try:
        for folder in folders:
            folder.mkdir()
            replicas.append(start_server({"DATABASE_URL": url, "EMBEDDING_EXPLORER_DATA":
                                          str(folder), "EMBEDDING_EXPLORER_WARMUP": "0"}))
        ports = [int(u.rsplit(":", 1)[1]) for u, _ in replicas]
        listen = _free_port()
        conf = render_nginx(tmp, ports, listen, tag_upstream=True)
        proxy = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{listen}"
        try:
            wait_healthy(base, proxy, timeout=30)
            keys: dict[int, str] = {}
            for i in range(200):  # the proxy's own hash decides: ask it
                port = int(_upstream(base, f"k{i}").rsplit(":", 1)[1])
                keys.setdefault(port, f"k{i}")
                if len(keys) == 2:
                    break
            assert sorted(keys) == sorted(ports), keys
            yield base, [keys[p] for p in ports], url, folders, [proc for _, proc in replicas]
        finally:
            proxy.terminate()
            proxy.wait(timeout=20)
    finally:
        for _, proc in replicas:
            proc.terminate()
        for _, proc in replicas:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _tab(browser, base: str, key: str):
    """A browser tab that the proxy sends to the replica of ``key``."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.add_cookies([{"name": "ee_route", "value": key, "url": base}])
    return context, context.new_page()


def test_an_index_built_through_one_replica_is_searched_through_the_other(deployment, browser):
    base, keys, url, folders, procs = deployment
    builder_ctx, builder = _tab(browser, base, keys[0])
    reader_ctx, reader = _tab(browser, base, keys[1])
    try:
        open_and_wait(builder, f"{base}/semantic_search?search_view=Your+documents")
        builder.get_by_text("No file at hand?").click()
        wait_rerun(builder)
        build = builder.get_by_role("button", name="Build index")
        build.wait_for(timeout=180_000)  # the sample is read and chunked first
        build.click(timeout=60_000)
        builder.get_by_text("Pick it under").first.wait_for(timeout=300_000)  # the success
        assert exceptions_shown(builder) == []
        db = ClassDB(url)
        rows = db.query("SELECT name, owner <> '' FROM search_indexes WHERE saved IS NOT NULL")
        chunks = db.query("SELECT COUNT(*) FROM search_chunks")[0][0]
        db.close()
        assert rows == [("lecture-pages", True)] and chunks > 10
        assert not any((f / "indexes").exists() and any((f / "indexes").iterdir())
                       for f in folders), "an index went to a replica's disk, not the database"

        open_and_wait(reader, f"{base}/semantic_search?search_corpus=index:lecture-pages"
                              "&search_q=what+does+cosine+similarity+measure")
        reader.get_by_text(f"of {chunks:,} in").first.wait_for(timeout=180_000)
        reader.get_by_text("The matching chunks").first.wait_for(timeout=60_000)
        assert exceptions_shown(reader) == []
        # the reader's replica did not build it, so it may not delete it either
        open_and_wait(reader, f"{base}/semantic_search?search_view=Your+documents")
        reader.get_by_text("can be deleted only by the session that built it").first.wait_for(
            timeout=60_000)

        # the builder's replica dies: its browser lands on the other one, the index is there
        procs[0].kill()
        procs[0].wait(timeout=30)
        open_and_wait(builder, f"{base}/semantic_search?search_corpus=index:lecture-pages"
                               "&search_q=how+are+words+turned+into+vectors")
        builder.get_by_text(f"of {chunks:,} in").first.wait_for(timeout=180_000)
        assert exceptions_shown(builder) == []
    finally:
        builder_ctx.close()
        reader_ctx.close()
