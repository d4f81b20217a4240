"""A live class under load: 50 students answer within 5 s; the projector must show all 50 within 2 s.

    .venv/bin/python bench/bench_live_class.py [--students 50] [--window 5] [--database-url URL]

1. Starts the real server (fresh data folder; SQLite unless ``--database-url`` points at a
   PostgreSQL database). The instructor opens the page in headless Chromium and starts a
   class-map class, so the projector's live fragment (``run_every``) runs as in a classroom.
2. N protocol students (Streamlit's websocket protocol, like ``bench/loadtest``) join, then
   send one word each at a random moment within the window.
3. Prints: how many answers are stored (must be N, once each), the submit latencies (each
   student's "Send" run, the same run a browser waits for), and how long after the last
   confirmed submit the instructor's screen showed "Answers N". The bare-page rerun measured in
   the same run is printed beside the submit latency as the ratio's baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from loadtest.protocol import TRIGGER, ProtocolSession
from loadtest.server import Server
from loadtest.stats import Stats

DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
WORDS = ("whale", "wave", "salt", "blue", "shark", "sand", "storm", "ship", "fish", "deep")


def widget(drawn, kind: str, label: str) -> str:
    for w in drawn:
        if w.kind == kind and w.label.startswith(label):
            return w.id
    raise RuntimeError(f"no {kind} '{label}' among {[(w.kind, w.label) for w in drawn]}")


async def student(base: str, code: str, i: int, stats: Stats, start_at: float,
                  done: list[float]) -> None:
    s = ProtocolSession(base, stats, f"s{i}")
    await s.connect()
    query = f"class={code}"
    try:
        _, drawn = await s.run("live_class", query=query)
        nick, join = widget(drawn, "text_input", "Nickname"), widget(drawn, "button", "Join")
        seconds, drawn = await s.run("live_class", {nick: f"student {i}", join: TRIGGER}, query)
        stats.add("join", seconds)
        answer = widget(drawn, "text_input", "Your answer")
        send = widget(drawn, "button", "Send answer")
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))  # this student's moment
        seconds, _ = await s.run("live_class", {answer: WORDS[i % len(WORDS)], send: TRIGGER},
                                 query)
        stats.add("submit", seconds)
        done.append(time.monotonic())
    finally:
        await s.close()


async def bare_rerun(base: str, stats: Stats, rounds: int = 5) -> float:
    s = ProtocolSession(base, stats, "bare")
    await s.connect()
    try:
        times = [(await s.run("", {}))[0] for _ in range(rounds)]
    finally:
        await s.close()
    return statistics.median(times)


async def main_async(args) -> int:
    from playwright.async_api import async_playwright

    data = Path(tempfile.mkdtemp(prefix="live-bench-"))
    os.environ["EMBEDDING_EXPLORER_DATA"] = str(data)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    server = Server("serve.py", data, timed=False)
    server.start()
    stats = Stats()
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=shutil.which("chromium"),
                                              args=["--no-sandbox", "--disable-gpu"])
            teacher = await browser.new_page(viewport={"width": 1280, "height": 720})
            await teacher.goto(f"{server.base}/live_class")
            await teacher.wait_for_selector(DONE, timeout=180_000)
            await teacher.get_by_text("A class map only").click()
            await teacher.wait_for_selector(DONE, timeout=60_000)
            await teacher.get_by_role("button", name="Start the class").click()
            await teacher.wait_for_selector('h1:has-text("Class code")', timeout=120_000)
            query = parse_qs(urlparse(teacher.url).query)
            code = query["class"][0]
            await teacher.wait_for_selector(
                '[data-testid="stMetric"]:has-text("Answers"):has-text("0")', timeout=60_000)
            bare = await bare_rerun(server.base, stats)

            rng = random.Random(7)
            t0 = time.monotonic() + 3.0  # every student joined by then (they join first)
            moments = sorted(t0 + rng.uniform(0, args.window) for _ in range(args.students))
            done: list[float] = []
            await asyncio.gather(*(student(server.base, code, i, stats, moments[i], done)
                                   for i in range(args.students)))
            last = max(done)
            await teacher.wait_for_selector(
                f'[data-testid="stMetric"]:has-text("Answers"):has-text("{args.students}")',
                timeout=60_000)
            shown_after = time.monotonic() - last
            await browser.close()
    finally:
        server.stop()
    if args.database_url:
        import psycopg

        with psycopg.connect(args.database_url) as conn:
            rows = conn.execute("SELECT student, COUNT(*) FROM class_answers WHERE code = %s "
                                "GROUP BY student", (code,)).fetchall()
    else:
        with sqlite3.connect(data / "classroom" / "classroom.sqlite3") as conn:
            rows = conn.execute("SELECT student, COUNT(*) FROM class_answers WHERE code = ? "
                                "GROUP BY student", (code,)).fetchall()
    shutil.rmtree(data, ignore_errors=True)
    submits = sorted(stats.latencies.get("submit", []))
    once = all(n == 1 for _, n in rows)
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite (WAL)'}")
    print(f"students: {args.students}, submits spread over {args.window:.1f} s "
          f"(last confirmed {last - t0:.2f} s after the first could start)")
    print(f"stored: {len(rows)} students, each exactly once: {once}")
    print(f"submit run: median {statistics.median(submits):.3f} s, p95 "
          f"{submits[int(0.95 * (len(submits) - 1))]:.3f} s, max {submits[-1]:.3f} s; "
          f"bare page rerun {bare:.3f} s (ratio median/bare {statistics.median(submits) / bare:.1f})")
    print(f"instructor screen showed 'Answers {args.students}' {shown_after:.2f} s after the last "
          f"confirmed submit (goal: within 2 s)")
    joins = sorted(stats.latencies.get("join", []))
    print(f"join run (same page, all {args.students} joining at once): median "
          f"{statistics.median(joins):.3f} s, max {joins[-1]:.3f} s")
    print(f"errors: {len(stats.errors)} {stats.errors[:3]}")
    ok = len(rows) == args.students and once and not stats.errors and shown_after <= 2.0
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=50)
    ap.add_argument("--window", type=float, default=5.0)
    ap.add_argument("--database-url", default="")
    return asyncio.run(main_async(ap.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
