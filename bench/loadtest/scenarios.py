"""Load patterns: probe every page, RSS with sessions, a burst of fresh sessions, a steady class."""

from __future__ import annotations

import asyncio
import math
import random
import shutil
import statistics
import time

from .actions import next_actions, widget_values
from .browser import CHROMIUM_ARGS, browser_student
from .protocol import PAGE_WIDGETS, ProtocolSession
from .server import Server
from .stats import Stats, summary


async def protocol_student(base: str, stats: Stats, pages: list[str], until: float,
                           rng: random.Random, first_page: str) -> None:
    """Arrive on a page, then act every 5-15 s at random until ``until`` (monotonic)."""
    s = ProtocolSession(base, stats)
    try:
        stats.add("arrive", await s.arrive(first_page))
        stats.arrivals.append(s.traffic.as_dict())
        async for action, page in next_actions(pages, rng, until, wait=s.wait):
            seconds, _ = await s.run(page, widget_values(action, page, rng))
            stats.add(action, seconds)
    except Exception as exc:  # noqa: BLE001 - every failure is a reported error
        stats.errors.append(f"protocol session: {type(exc).__name__}: {exc}"[:300])
    finally:
        stats.traffic.append(s.traffic.as_dict())
        try:
            await s.close()
        except Exception:  # noqa: BLE001
            pass


#: Seconds a page's first run in a fresh server may take (models load, numba compiles).
COLD_TIMEOUT = 900.0


async def rss_sampler(servers: list[Server], stop: asyncio.Event) -> None:
    while not stop.is_set():
        for s in servers:
            s.sample_rss()
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            pass


async def probe(server: Server, pages: list[str]) -> dict:
    """Open every page once in one session: first-open times, widgets learned, models loaded."""
    stats = Stats()
    s = ProtocolSession(server.base, stats)
    await s.connect()
    times = {}
    try:
        for path in pages:  # cold: models loading, UMAP compiling (slow on a busy box)
            seconds, drawn = await s.run(path, timeout=COLD_TIMEOUT)
            PAGE_WIDGETS[path] = drawn
            times[path or "home"] = round(seconds, 3)
        # a second pass: warm numbers (caches filled, models loaded)
        warm = {}
        for path in pages:
            seconds, _ = await s.run(path)
            warm[path or "home"] = round(seconds, 3)
    finally:
        await s.close()
    return {"first_open_s": times, "warm_open_s": warm, "errors": stats.errors,
            "shown_errors": stats.shown_errors,
            "widgets": {p or "home": [f"{w.kind}:{w.label}" for w in ws]
                        for p, ws in PAGE_WIDGETS.items()}}


async def rss_with_sessions(server: Server, pages: list[str], n: int = 10) -> dict:
    """RSS with both models loaded (the probe loaded them) and ``n`` sessions connected."""
    stats = Stats()
    sessions = [ProtocolSession(server.base, stats) for _ in range(n)]
    before = server.rss()
    try:
        for i, s in enumerate(sessions):
            await s.connect()
            await s.run(pages[i % len(pages)])
        during = server.rss()
    finally:
        for s in sessions:
            await s.close()
    return {"sessions": n, "rss_before_mb": round(before, 1), "rss_mb": round(during, 1),
            "errors": stats.errors}


async def burst(server: Server, page: str, n: int, window: float = 1.0) -> dict:
    """``n`` fresh sessions arrive within ``window`` seconds and open ``page``."""
    stats = Stats()
    sessions = [ProtocolSession(server.base, stats) for _ in range(n)]
    start_wall, t0 = time.time(), time.perf_counter()
    finishes: list[float] = []

    async def one(i: int, s: ProtocolSession) -> None:
        await asyncio.sleep(window * i / n)  # staggered arrival inside the window
        try:
            stats.add("open", await s.arrive(page))
            stats.arrivals.append(s.traffic.as_dict())
            finishes.append(time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001
            stats.errors.append(f"burst session: {type(exc).__name__}: {exc}"[:300])

    rss0 = server.rss()
    peak = [rss0]

    async def watch() -> None:
        while len(finishes) + len(stats.errors) < n:
            peak.append(server.rss())
            await asyncio.sleep(0.5)

    watcher = asyncio.create_task(watch())
    await asyncio.gather(*(one(i, s) for i, s in enumerate(sessions)))
    watcher.cancel()
    end_wall = time.time()
    for s in sessions:
        try:
            await s.close()
        except Exception:  # noqa: BLE001
            pass
    lat = stats.all()
    return {"page": page or "home", "sessions": n, "served": len(finishes),
            "whole_burst_s": round(max(finishes), 3) if finishes else math.nan,
            "client": summary(lat), "server_runs": summary(server.runs(start_wall, end_wall)),
            "errors": stats.errors, "shown_errors": sorted(set(stats.shown_errors))[:5],
            "rss_mb_peak": round(max(peak), 1)}


async def steady(server: Server, pages: list[str], n: int, duration: float, browsers: int,
                 seed: int = 0, arrive_within: float = 5.0) -> dict:
    """``n`` sessions (``browsers`` of them real Chromium) arrive as fresh browsers within
    ``arrive_within`` seconds, then act every 5-15 s until ``duration`` is over.

    Besides latencies: the CPU seconds the servers (replicas and proxy) and this load generator
    used during the step, and what crossed the wire per fresh arrival and per session."""
    stats = Stats()
    rng = random.Random(seed)
    until = time.monotonic() + duration
    start_wall = time.time()
    cpu0, client0, t0 = server.cpu(), time.process_time(), time.perf_counter()
    waited0 = server.waited()
    tasks = []
    pw = browser = None
    if browsers:
        from playwright.async_api import async_playwright

        pw = await async_playwright().start()
        browser = await pw.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS)
    stop = asyncio.Event()
    sampler = asyncio.create_task(rss_sampler([server], stop))
    try:
        for i in range(n):
            first = rng.choice(pages)
            r = random.Random(seed * 1000 + i)
            if i < browsers:
                tasks.append(browser_student(browser, server.base, stats, pages, until, r, first))
            else:
                tasks.append(protocol_student(server.base, stats, pages, until, r, first))
        # students arrive over the first seconds of the lesson (``arrive_within``)
        await asyncio.gather(*(_delayed(rng.uniform(0, arrive_within), t) for t in tasks))
    finally:
        stop.set()
        await sampler
        if browser is not None:
            await browser.close()
        if pw is not None:
            await pw.stop()
    end_wall = time.time()
    wall, server_cpu = time.perf_counter() - t0, server.cpu() - cpu0
    server_waited = server.waited() - waited0
    client_cpu = time.process_time() - client0
    await server.wait_idle(30)
    rss_after = server.rss()  # every session gone: memory should come back down, not creep
    # Protocol sessions time the server as seen over the wire; browser sessions add rendering
    # in a Chromium that shares the server's 2 cores (a student's laptop would not): reported
    # apart, so the p95 verdict is about the server.
    actions = [v for k, vs in stats.latencies.items() if k not in ("arrive", "tick")
               and not k.startswith("browser-") for v in vs]
    n_runs = sum(len(v) for v in stats.latencies.values())
    browser_actions = [v for k, vs in stats.latencies.items() if k.startswith("browser-")
                       for v in vs]
    rss = [v for t, v in server.rss_samples if start_wall <= t <= end_wall]
    return {"sessions": n, "browsers": browsers, "duration_s": duration,
            "arrive_within_s": arrive_within,
            "actions": summary(actions), "browser_actions": summary(browser_actions),
            "arrival": summary(stats.latencies.get("arrive", [])),
            "ticks": summary(stats.latencies.get("tick", [])),
            "cpu": {"wall_s": round(wall, 1), "server_s": round(server_cpu, 1),
                    "client_s": round(client_cpu, 1),
                    # ready to run but no core free: what the rest of the box took from the class
                    "server_waited_s": round(server_waited, 1),
                    "server_ms_per_run": round(1000 * server_cpu / max(1, n_runs), 1),
                    "runs": n_runs},
            "per_arrival": stats.per_session("arrivals"),
            "per_session": stats.per_session("traffic"),
            "per_action": {k: summary(v) for k, v in sorted(stats.latencies.items())},
            "server_runs": summary(server.runs(start_wall, end_wall)),
            "server_runs_by_page": {k: summary(v) for k, v in sorted(
                server.runs(start_wall, end_wall, by_page=True).items())},
            "errors": stats.errors[:20], "error_count": len(stats.errors),
            "shown_errors": sorted(set(stats.shown_errors))[:5],
            "rss_mb_max": round(max(rss), 1) if rss else math.nan,
            "rss_mb_after": round(rss_after, 1)}


async def _delayed(seconds: float, coro) -> None:
    await asyncio.sleep(seconds)
    await coro


# --- "everybody, click now": the class burst on every page ------------------------------------


def input_change(page: str, drawn: list) -> dict[str, object]:
    """The input the whole class changes at once on ``page`` (everyone types the same thing, as
    the instructor said): the page's first text box, else its first number, else its first
    toggle; ``{}`` (a plain rerun) when it has none of those."""
    drawn = [w for w in drawn if w.label not in APP_WIDE]  # the page's own inputs only
    texts = [w for w in drawn if w.kind == "text_input"]
    if texts:
        return {texts[0].id: CLASS_INPUT.get(page, "woman")}
    areas = [w for w in drawn if w.kind == "text_area"]
    if areas:
        return {areas[0].id: CLASS_INPUT.get(page, getattr(areas[0].proto, "default", "") + "\nx")}
    numbers = [w for w in drawn if w.kind == "number_input"]
    if numbers:
        p = numbers[0].proto
        value = (p.default if p.HasField("default") else 0) + 1
        if p.has_max and value > p.max:
            value = p.max - 1
        return {numbers[0].id: int(value) if p.data_type == p.INT else float(value)}
    toggles = [w for w in drawn if w.kind == "checkbox"]
    if toggles:
        return {toggles[0].id: not toggles[0].proto.default}
    return {}


#: Widgets every page has (the sidebar's switch): never "the input the class changes".
APP_WIDE = {"Presentation mode"}

#: What the class types into a page's first text box (default: "woman").
CLASS_INPUT = {
    "semantic_search": "a movie about space travel",
    "recommendations": "a movie about space travel",
    "sentence_similarity": "The cat sleeps on the sofa.",
    "word_order": "dark chocolate",
    "bert_tokens": "Embeddings map words to vectors.",
    "heatmap": "king, queen, man, woman, cat, dog",
    "cosine_toy": "Avatar: 1, 2, 3\nIronman: 3, 7, 8\nRainman: 1, -2, 6",
    "exercises": "Week 3 quiz",
}


async def _all_at_once(sessions: list[ProtocolSession], page: str,
                       values: dict[str, object] | None = None) -> tuple[float, list]:
    """Every session reruns ``page`` at the same moment; (time until the last is served,
    the widgets the first successful run drew)."""
    t0 = time.perf_counter()
    results = await asyncio.gather(*(s.run(page, values) for s in sessions),
                                   return_exceptions=True)
    seconds = time.perf_counter() - t0
    for s, r in zip(sessions, results, strict=True):
        if isinstance(r, BaseException):
            s.stats.errors.append(f"{page or 'home'}: {type(r).__name__}: {r}"[:300])
    drawn = next((r[1] for r in results if not isinstance(r, BaseException)), [])
    return seconds, drawn


async def page_burst(server: Server, page: str, n: int) -> dict:
    """``n`` fresh sessions (websockets open) open ``page`` at the same moment, then all change
    an input at the same moment; then ``n`` fresh browsers arrive at once, app shell first.

    Protocol-level times exclude static files; the shell burst includes them. CPU per run is
    the median script-thread CPU of the runs in each burst (from the server's run log).
    """
    stats = Stats()
    sessions = [ProtocolSession(server.base, stats) for _ in range(n)]
    await asyncio.gather(*(s.connect() for s in sessions))
    try:
        w0 = time.time()
        fresh, drawn = await _all_at_once(sessions, page)
        w1 = time.time()
        change = input_change(page, drawn)
        rerun, _ = await _all_at_once(sessions, page, change)
        w2 = time.time()
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    cpu_fresh, cpu_rerun = server.runs(w0, w1, cpu=True), server.runs(w1, w2, cpu=True)
    shell = await burst(server, page, n, window=0.0)
    return {"page": page or "home", "sessions": n, "fresh_s": round(fresh, 3),
            "rerun_s": round(rerun, 3), "shell_burst_s": shell["whole_burst_s"],
            "changed": sorted(change), "runs": len(cpu_fresh) + len(cpu_rerun),
            "cpu_fresh_ms": round(1000 * statistics.median(cpu_fresh), 1) if cpu_fresh else math.nan,
            "cpu_rerun_ms": round(1000 * statistics.median(cpu_rerun), 1) if cpu_rerun else math.nan,
            "cpu_ms": round(1000 * statistics.median(cpu_fresh + cpu_rerun), 1)
            if cpu_fresh else math.nan,
            "errors": stats.errors[:10] + shell["errors"][:10],
            "shown_errors": sorted(set(stats.shown_errors))[:3]}


async def class_burst(app: Server, bare: Server, pages: list[str], n: int) -> dict:
    """:func:`page_burst` on the bare page and on every page of ``pages``, in one run."""
    await bare.wait_idle(60)
    rows = [{**await page_burst(bare, "", n), "page": "bare page"}]
    for page in pages:
        await app.wait_idle(60)
        rows.append(await page_burst(app, page, n))
    base = rows[0]
    for r in rows:
        r["shell_ratio"] = round(r["shell_burst_s"] / base["shell_burst_s"], 2)
        r["fresh_ratio"] = round(r["fresh_s"] / base["fresh_s"], 1)
    return {"sessions": n, "rows": rows}
