"""The tested deployment: nginx (the real deploy/nginx.conf, on loopback) in front of two real
replicas of the app and ONE PostgreSQL with pgvector, all started here, driven in Chromium.

Each replica has its own empty data folder, so whatever one replica shows of another's work
came through the database. A browser is pinned to a replica by the proxy's own sticky cookie
(``ee_route``), with keys found by asking the proxy which replica answers them; its identity
is the app's own cookie (``ee_person``), the same on every replica.

A test may kill a replica (the proxy must then send its browsers to the other one); the
``deploy`` fixture starts it again, on its port, before the next test, so each test starts
with both replicas up and pinned as it expects, in any order.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.loadtest.proxy import nginx_binary, render_nginx
from embedding.classroom.db import ClassDB
from embedding.classroom.identity import COOKIE, person_id
from embedding.classroom.live import Classroom
from tests.browser import (
    DONE,
    _free_port,
    exceptions_shown,
    open_and_wait,
    server_log,
    start_server,
    wait_healthy,
    wait_rerun,
)
from tests.live import METRIC, PHONE, join, send_answer, show_answer, start_class
from tests.pg import fresh_database

# one deployment for the module: under pytest-xdist its tests stay on one worker
pytestmark = [pytest.mark.server, pytest.mark.browser, pytest.mark.xdist_group("replicas")]
READY = f'{DONE}[data-test-connection-state="CONNECTED"]'  # drawn, and its websocket open


def _upstream(base: str, key: str) -> str:
    """The replica (``host:port``) that answered a request carrying route ``key``: the last
    one nginx tried (``$upstream_addr`` lists every one it tried)."""
    req = urllib.request.Request(f"{base}/_stcore/health", headers={"Cookie": f"ee_route={key}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers["X-Upstream"].rsplit(", ", 1)[-1]


@dataclass
class Deployment:
    base: str  # the proxy's URL
    keys: list[str]  # keys[i]: a route cookie the proxy sends to replica i
    db_url: str
    folders: list[Path]
    ports: list[int]
    procs: list[subprocess.Popen]

    def replica(self, i: int) -> str:
        return f"127.0.0.1:{self.ports[i]}"

    def logs(self) -> list[Path]:
        """The replicas' server logs (tests.browser.start_server writes them)."""
        return [server_log(port) for port in self.ports]

    def spawn(self, i: int) -> subprocess.Popen:
        """Start replica ``i`` on its port, with its own data folder; its process."""
        return start_server({"DATABASE_URL": self.db_url, "EMBEDDING_EXPLORER_WARMUP": "0",
                             "EMBEDDING_EXPLORER_DATA": str(self.folders[i])},
                            port=self.ports[i])[1]

    def kill(self, i: int) -> None:
        """Replica ``i`` dies (SIGKILL: no goodbye to its browsers or its database pool)."""
        self.procs[i].kill()
        self.procs[i].wait(timeout=30)

    def revive(self, timeout: float = 60) -> None:
        """Start every dead replica again on its port; return once the proxy sends each key
        to its own replica again (nginx keeps a failed replica out for ``fail_timeout``)."""
        for i, proc in enumerate(self.procs):
            if proc.poll() is not None:
                self.procs[i] = self.spawn(i)
        deadline = time.monotonic() + timeout
        for i, key in enumerate(self.keys):
            while (got := _upstream(self.base, key)) != self.replica(i):
                assert time.monotonic() < deadline, f"key {key} still goes to {got}"
                time.sleep(0.5)  # polling the proxy's choice, not a synchronisation

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, postgres_server):
    """Two replicas, nginx in front, one PostgreSQL database: a :class:`Deployment`."""
    nginx = nginx_binary()
    if nginx is None:
        import os

        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("nginx is missing in CI: make's system-tools should have installed it")
        pytest.skip("nginx not installed (apt-get install nginx)")
    tmp = tmp_path_factory.mktemp("deploy")
    folders = [tmp / "replica-1", tmp / "replica-2"]
    for folder in folders:
        folder.mkdir()
    dep = Deployment(base="", keys=[], db_url=fresh_database(postgres_server), folders=folders,
                     ports=[_free_port(), _free_port()], procs=[])
    try:
        for i in range(2):
            dep.procs.append(dep.spawn(i))
        listen = _free_port()
        conf = render_nginx(tmp, dep.ports, listen, tag_upstream=True)
        proxy = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dep.base = f"http://127.0.0.1:{listen}"
        try:
            wait_healthy(dep.base, proxy, timeout=30)
            keys: dict[str, str] = {}
            for i in range(200):  # the proxy's own hash decides: ask it
                keys.setdefault(_upstream(dep.base, f"k{i}"), f"k{i}")
                if len(keys) == 2:
                    break
            dep.keys = [keys[dep.replica(i)] for i in range(2)]
            yield dep
        finally:
            proxy.terminate()
            proxy.wait(timeout=20)
    finally:
        dep.stop()


@pytest.fixture()
def deploy(deployment):
    """The module's deployment with both replicas up (a test before may have killed one)."""
    deployment.revive()
    return deployment


def _tab(browser, base: str, key: str, **options):
    """A browser tab that the proxy sends to the replica of ``key``."""
    context = browser.new_context(**(options or {"viewport": {"width": 1280, "height": 720}}))
    context.add_cookies([{"name": "ee_route", "value": key, "url": base}])
    return context, context.new_page()


def _served_by(context, base: str) -> str:
    """The replica the proxy sends this browser context to right now (its cookies)."""
    return context.request.get(f"{base}/_stcore/health").headers["x-upstream"].rsplit(", ")[-1]


def test_an_index_built_through_one_replica_is_searched_through_the_other(deploy, browser):
    base, keys = deploy.base, deploy.keys
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
        db = ClassDB(deploy.db_url)
        rows = db.query("SELECT name, owner <> '' FROM search_indexes WHERE saved IS NOT NULL")
        chunks = db.query("SELECT COUNT(*) FROM search_chunks")[0][0]
        db.close()
        assert rows == [("lecture-pages", True)] and chunks > 10
        assert not any((f / "indexes").exists() and any((f / "indexes").iterdir())
                       for f in deploy.folders), "an index went to a replica's disk, not the database"

        open_and_wait(reader, f"{base}/semantic_search?search_corpus=index:lecture-pages"
                              "&search_q=what+does+cosine+similarity+measure")
        reader.get_by_text(f"of {chunks:,} in").first.wait_for(timeout=180_000)
        reader.get_by_text("The matching chunks").first.wait_for(timeout=60_000)
        assert exceptions_shown(reader) == []
        # the reader's replica did not build it, so it may not delete it either
        open_and_wait(reader, f"{base}/semantic_search?search_view=Your+documents")
        reader.get_by_text("can be deleted only by the session that built it").first.wait_for(
            timeout=60_000)
        assert _served_by(builder_ctx, base) == deploy.replica(0)
        assert _served_by(reader_ctx, base) == deploy.replica(1)

        # the builder's replica dies: its browser lands on the other one, the index is there
        deploy.kill(0)
        open_and_wait(builder, f"{base}/semantic_search?search_corpus=index:lecture-pages"
                               "&search_q=how+are+words+turned+into+vectors")
        builder.get_by_text(f"of {chunks:,} in").first.wait_for(timeout=180_000)
        assert exceptions_shown(builder) == []
        assert _served_by(builder_ctx, base) == deploy.replica(1)
        # ... and it is still the builder there (the same person, by the identity cookie):
        # it may delete its index, which the reader on that replica may not
        open_and_wait(builder, f"{base}/semantic_search?search_view=Your+documents")
        assert builder.get_by_text("can be deleted only by").count() == 0
        builder.get_by_role("button", name="Delete…").click()
        builder.get_by_role("button", name="Yes, delete it").click()
        builder.get_by_text("No saved indexes yet").first.wait_for(timeout=60_000)
        db = ClassDB(deploy.db_url)
        left = db.query("SELECT COUNT(*) FROM search_indexes WHERE name = 'lecture-pages'")
        db.close()
        assert left == [(0,)]
        assert exceptions_shown(builder) == []
    finally:
        builder_ctx.close()
        reader_ctx.close()


@dataclass
class Room:
    """A live class run through the deployment (see :func:`_class_answered`)."""

    code: str
    desk: Any  # the instructor's browser context: their page and the projector
    teacher: Any
    proj: Any
    phones: dict[str, Any]  # nickname -> page
    phone_ctx: dict[str, Any]  # nickname -> browser context


@contextmanager
def _class_answered(browser, deploy: Deployment, students: dict[str, tuple[int, str]]):
    """An instructor on replica 1 starts a class and opens its projector there; each student
    (``{nickname: (replica, pick)}``) joins on their replica and answers question 1. Checks
    on the way: each tab is where it should be, the projector lists the lobby, every phone
    follows the instructor's *Next*, the instructor counts the students and the answers."""
    base, keys = deploy.base, deploy.keys
    desk, teacher = _tab(browser, base, keys[0])
    contexts = [desk]
    try:
        code = start_class(teacher, base)
        proj = desk.new_page()
        open_and_wait(proj, f"{base}/live_class?class={code}&view=projector&present=1")
        phones, phone_ctx = {}, {}
        for nickname, (replica, _) in students.items():
            phone_ctx[nickname], phones[nickname] = _tab(browser, base, keys[replica], **PHONE)
            contexts.append(phone_ctx[nickname])
            join(phones[nickname], base, code, nickname)
        assert _served_by(desk, base) == deploy.replica(0)
        for nickname, (replica, _) in students.items():
            assert _served_by(phone_ctx[nickname], base) == deploy.replica(replica), nickname
        proj.wait_for_selector("text=" + " · ".join(students), timeout=30_000)  # the lobby
        teacher.get_by_role("button", name="Next").click()
        for nickname, (_, pick) in students.items():
            phones[nickname].wait_for_selector("text=Question 1 of 5", timeout=30_000)
            send_answer(phones[nickname], pick)
        n = len(students)
        proj.wait_for_selector(METRIC.format(label="Answers", n=n), timeout=30_000)
        teacher.wait_for_selector(METRIC.format(label="Students joined", n=n), timeout=30_000)
        yield Room(code, desk, teacher, proj, phones, phone_ctx)
    finally:
        for ctx in contexts:
            ctx.close()


def test_a_class_started_on_one_replica_is_answered_on_the_other(deploy, browser):
    # the instructor and the projector on replica 1, the students on replica 2
    with _class_answered(browser, deploy, {"Ada": (1, "Frozen"), "Bo": (1, "Dune")}) as room:
        show_answer(room.teacher, room.proj, "Most common wrong answer: Dune (1 of 2)",
                    deploy.logs(), deploy.db_url)
        room.proj.wait_for_selector(METRIC.format(label="Correct", n="50%"), timeout=30_000)
        room.phones["Bo"].wait_for_selector("text=The answer is Frozen", timeout=30_000)
        room.phones["Ada"].wait_for_selector("text=Right!", timeout=30_000)
        for page in (room.teacher, room.proj, *room.phones.values()):
            assert exceptions_shown(page) == []


def _reload(page) -> None:
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=120_000)
    page.wait_for_selector(READY, timeout=120_000)


def test_killing_a_replica_mid_class_moves_its_people_to_the_other(deploy, browser):
    base = deploy.base
    # the instructor, the projector, Ada and Bo on replica 1 (it dies), Cy on replica 2
    students = {"Ada": (0, "Dune"), "Bo": (0, "Dune"), "Cy": (1, "Frozen")}
    with _class_answered(browser, deploy, students) as room:
        teacher, proj, phones = room.teacher, room.proj, room.phones
        deploy.kill(0)
        for nickname in ("Ada", "Bo"):  # a reload lands on replica 2: the same student
            page = phones[nickname]
            _reload(page)
            assert _served_by(room.phone_ctx[nickname], base) == deploy.replica(1)
            page.wait_for_selector(f"text=you are {nickname}", timeout=60_000)
            page.wait_for_selector(f"text=Saved: {students[nickname][1]}", timeout=60_000)
            assert page.get_by_role("button", name="Join").count() == 0
        send_answer(phones["Ada"], "Frozen")  # and they can change it there
        # the projector, not reloaded, is back by itself (Streamlit reconnects; nginx sends
        # the websocket to replica 2), and follows the class there (the answer, below)
        proj.wait_for_selector(READY, timeout=120_000)
        # the instructor: still the instructor on replica 2, with no key in the address
        _reload(teacher)
        assert _served_by(room.desk, base) == deploy.replica(1)
        teacher.get_by_role("button", name="Next").wait_for(timeout=60_000)
        assert "key=" not in teacher.url and "key=" not in proj.url
        teacher.wait_for_selector(METRIC.format(label="Students joined", n=3), timeout=30_000)
        proj.wait_for_selector(METRIC.format(label="Answers", n=3), timeout=30_000)

        show_answer(teacher, proj, "Most common wrong answer: Dune (1 of 3)", deploy.logs(),
                    deploy.db_url)
        proj.wait_for_selector(METRIC.format(label="Correct", n="67%"), timeout=30_000)
        phones["Bo"].wait_for_selector("text=The answer is Frozen", timeout=30_000)
        for nickname in ("Ada", "Cy"):  # Ada's changed answer counts, on the replica she moved to
            phones[nickname].wait_for_selector("text=Right!", timeout=30_000)
        for page in (teacher, proj, *phones.values()):
            assert exceptions_shown(page) == []

        # in the database: three people, one answer each, Ada's the changed one
        secret = next(c["value"] for c in room.desk.cookies() if c["name"] == COOKIE)
        live = Classroom(ClassDB(deploy.db_url))
        assert live.student_count(room.code) == 3
        stored = live.answers(room.code, person_id(secret), 0)
        assert sorted((a.nickname, a.answer) for a in stored) == [
            ("Ada", "Frozen"), ("Bo", "Dune"), ("Cy", "Frozen")]
        live.db.close()


def test_a_tab_that_moved_can_upload_after_its_replica_returns(deploy, browser, tmp_path):
    """After a failover a tab's websocket stays on the replica it moved to, while its uploads
    and downloads follow the route cookie back to the replica that returned. That one answers
    404 (it does not hold the session, embedding.replicas; Streamlit's media store is per
    process) and nginx passes the request to the other replica. Before, the student saw
    "Request failed with status code 400" on the file, and the download was cancelled."""
    base, keys = deploy.base, deploy.keys
    ctx, page = _tab(browser, base, keys[0])
    try:
        open_and_wait(page, f"{base}/semantic_search?search_view=Your+documents")
        deploy.kill(0)
        _reload(page)
        assert _served_by(ctx, base) == deploy.replica(1)
        deploy.revive()  # replica 1 is back: the route cookie points there, the websocket not
        doc = tmp_path / "notes.txt"
        doc.write_text("Cosine similarity measures the angle between two vectors. " * 40)
        page.locator('input[type="file"]').first.set_input_files(str(doc))
        error = page.get_by_test_id("stFileChipIconError")
        error.or_(page.get_by_text("1 part with text")).first.wait_for(timeout=60_000)
        assert error.count() == 0, page.get_by_role("alert").all_inner_texts()
        # the parts' table as CSV: made by the session on replica 2, fetched through the proxy
        with page.expect_download(timeout=60_000) as got:
            page.locator(".st-key-search_chunks_dl_csv button").click()
        assert "Cosine similarity" in Path(got.value.path()).read_text(encoding="utf-8")
    finally:
        ctx.close()
