"""The real server in a subprocess and headless Chromium (Debian's) driven by Playwright.

Fixtures (registered in conftest.py): ``server_url`` (one server for the test session) and
``browser`` (one Chromium). Use :func:`open_and_wait` to open a page and wait for Streamlit to
finish running it, never a sleep.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
#: Streamlit has finished running the page and its websocket is connected.
READY = f'{DONE}[data-test-connection-state="CONNECTED"]'

#: Chrome on Android and Safari on an iPhone, as a server sees them (User-Agent): the app
#: draws its phone layout for them (ui.phone.on_phone).
ANDROID_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/156.0.0.0 Mobile Safari/537.36")
IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1")
#: A student's phone for ``browser.new_context(**PHONE)``: an iPhone 12-15's screen, touch and
#: User-Agent (tests/phone.py has both phones of the phone check).
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "user_agent": IPHONE_UA}


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Poll /_stcore/health until the server answers ok (or fail with its output)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # polling interval of a readiness check, not synchronisation
    raise TimeoutError(f"server at {url} not healthy after {timeout}s")


def server_log(port: int) -> Path:
    """Where :func:`start_server` writes the output of the server on ``port``."""
    return ROOT / ".cache" / f"server-{port}.log"


def start_server(env: dict[str, str] | None = None, port: int | None = None):
    """Start ``streamlit run serve.py`` (the app with its identity cookie, as ``make run``) on
    a free loopback port (or ``port``, e.g. to restart a server); returns (url, process)."""
    port = port or _free_port()
    log = open(server_log(port), "a")  # noqa: SIM115 - closed by caller
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
    except Exception:
        proc.kill()
        raise
    return url, proc


def stop_server(proc: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a server from :func:`start_server` (SIGTERM, then SIGKILL after ``timeout`` s)."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def server_url():
    (ROOT / ".cache").mkdir(exist_ok=True)
    url, proc = start_server({"EMBEDDING_EXPLORER_WARMUP": "1"})
    yield url
    stop_server(proc, timeout=20)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: `make test` should have installed it")
        pytest.skip("chromium not installed (sudo apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # expect(...) waits up to a minute by default (Playwright's 5 s is short for a loaded box
    # running two workers; a test that fails still fails, only later)
    expect.set_options(timeout=60_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def class_desk(browser, url: str, code: str, secret: str):
    """The instructor's desk in a live-class test: a 1280×720 browser context with the
    instructor's identity cookie (``secret``, see ``embedding.classroom.identity``) and two
    tabs, the class's control view and its projector view, opened without waiting for them
    to be drawn. Returns ``(context, control page, projector page)``; the caller closes the
    context."""
    from embedding.classroom.identity import COOKIE

    desk = browser.new_context(viewport={"width": 1280, "height": 720})
    desk.add_cookies([{"name": COOKIE, "value": secret, "url": url}])
    teacher = desk.new_page()
    teacher.goto(f"{url}/live_class?class={code}", wait_until="commit")
    proj = desk.new_page()
    proj.goto(f"{url}/live_class?class={code}&view=projector&present=1", wait_until="commit")
    return desk, teacher, proj


def open_and_wait(page, url: str, timeout_ms: int = 180_000) -> None:
    """Open ``url`` and wait until Streamlit has finished running the page script.

    The script being done does not mean every element is drawn: a fresh tab loads some
    components (text inputs among them) lazily and draws them up to seconds later, empty for a
    moment. Read a widget's value with ``expect(locator).to_have_value(...)``, which waits."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=timeout_ms)  # every page has a title
    page.wait_for_selector(DONE, timeout=timeout_ms)


def wait_rerun(page, timeout_ms: int = 120_000) -> None:
    """After an interaction: wait for the rerun to start (if it has not already) and finish."""
    page.wait_for_selector(DONE, timeout=timeout_ms)


def exceptions_shown(page) -> list[str]:
    """Text of every Streamlit exception box on the page."""
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]


def page_report(page, chars: int = 700) -> str:
    """What a page shows, for the message of a failed wait: its link, script and connection
    states, exception boxes, alerts, toggles (on or off) and the start of its text."""
    try:
        app = page.locator('[data-testid="stApp"]')
        boxes = page.locator('input[type="checkbox"]')  # toggles and checkboxes
        main = page.locator("main")
        text = " ".join(main.first.inner_text().split())[:chars] if main.count() else "(none)"
        return (f"url={page.url} script={app.get_attribute('data-test-script-state')} "
                f"connection={app.get_attribute('data-test-connection-state')} "
                f"exceptions={exceptions_shown(page)} "
                f"alerts={page.get_by_role('alert').all_inner_texts()} toggles="
                f"{[(b.get_attribute('aria-label'), b.is_checked()) for b in boxes.all()]}"
                f"\n  text: {text}")
    except Exception as exc:  # a report: say what went wrong instead
        return f"(could not read the page: {exc!r})"


#: How many times the page's script state changed in 3 s (a page that follows the class every
#: second runs and stops twice a second or more; 0: it stopped following). For a failure's
#: report only: it watches for 3 s, it does not wait for anything.
_RUNS_IN_3S = """() => new Promise(done => {
  let n = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  const watch = new MutationObserver(ms => { n += ms.length; });
  watch.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
  setTimeout(() => { watch.disconnect(); done(n); }, 3000);
})"""


def page_activity(page) -> str:
    """``script state changes in 3 s: N``, for a failure's report (see ``_RUNS_IN_3S``)."""
    try:
        return f"script state changes in 3 s: {page.evaluate(_RUNS_IN_3S)}"
    except Exception as exc:  # a report: say what went wrong instead
        return f"(could not watch it: {exc!r})"


def run_coroutine(coro):
    """``asyncio.run(coro)`` in a fresh thread.

    Playwright's sync API keeps an event loop running in the main thread for the whole test
    session (the ``browser`` fixture), and ``asyncio.run`` refuses to start inside it.
    """
    import asyncio
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
