"""The browser client: a real headless Chromium tab (Playwright, Debian's chromium) acting like a
student, timed from action to the end of the run it triggers."""

from __future__ import annotations

import random
import time

from .actions import QUERIES, WORDS, next_actions
from .protocol import ACTION_TIMEOUT
from .stats import Stats

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

_COUNT_RUNS = """
window.__stRuns = 0; window.__stMsgs = 0; window.__stLastMsg = 0;
const _WS = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new _WS(...args);
  ws.addEventListener('message', () => { window.__stMsgs++; window.__stLastMsg = performance.now(); });
  return ws;
};
window.WebSocket.prototype = _WS.prototype;
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
new MutationObserver((ms) => {
  for (const m of ms) {
    if (m.target.getAttribute('data-test-script-state') === 'notRunning'
        && m.oldValue !== 'notRunning') window.__stRuns++;
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""


async def _browser_wait_run(page, runs_before: int, msgs_before: int = -1) -> None:
    """Wait for the end of a run: the app's script state went back to notRunning. A very short
    run can flip running -> notRunning inside one render, unseen by the observer; then the
    server's answer (websocket messages) followed by a settled notRunning state counts too."""
    settled = (f"(window.__stMsgs > {msgs_before} && "
               "performance.now() - window.__stLastMsg > 250 && "
               "document.querySelector('[data-test-script-state]')?.getAttribute("
               "'data-test-script-state') === 'notRunning')")
    cond = f"window.__stRuns > {runs_before}" + (f" || {settled}" if msgs_before >= 0 else "")
    await page.wait_for_function(cond, timeout=ACTION_TIMEOUT * 1000)


async def browser_student(browser, base: str, stats: Stats, pages: list[str], until: float,
                          rng: random.Random, first_page: str) -> None:
    """A real Chromium tab doing what a student does, timed from action to end of the run."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    await ctx.add_init_script(_COUNT_RUNS)
    page = await ctx.new_page()
    current = None

    async def goto(path: str) -> float:
        nonlocal current
        t0 = time.perf_counter()
        await page.goto(f"{base}/{path}", wait_until="domcontentloaded",
                        timeout=ACTION_TIMEOUT * 1000)
        await _browser_wait_run(page, 0)
        current = path
        return time.perf_counter() - t0

    async def check() -> None:
        n = await page.locator('[data-testid="stException"]').count()
        if n:
            stats.errors.append(f"browser: exception shown on '{current}'")

    try:
        stats.add("arrive", await goto(first_page))
        await check()
        async for action, path in next_actions(pages, rng, until):
            if action in ("cosine", "search") and current != path:
                stats.add("browser-open", await goto(path))  # go to the page, then type
                await check()
            t0 = time.perf_counter()
            inputs = page.locator('[data-testid="stTextInput"] input, '
                                  '[data-testid="stNumberInput"] input')
            if action in ("cosine", "search") and await inputs.count():
                box = inputs.first
                is_number = await box.get_attribute("type") == "number"
                new = (f"{rng.uniform(-3, 3):.2f}" if is_number else
                       rng.choice(WORDS if action == "cosine" else QUERIES))
                if new == await box.input_value():
                    new = new + ("1" if is_number else " s")
                before, msgs = await page.evaluate("[window.__stRuns, window.__stMsgs]")
                await box.fill(new)
                await box.press("Enter")
                await _browser_wait_run(page, before, msgs)
            else:
                await goto(path)
            stats.add(f"browser-{action}", time.perf_counter() - t0)
            await check()
    except Exception as exc:  # noqa: BLE001
        stats.errors.append(f"browser session on '{current}': {type(exc).__name__}: "
                            f"{exc}"[:300])
    finally:
        await ctx.close()
