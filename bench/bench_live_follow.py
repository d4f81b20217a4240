"""A live class follows its instructor: N protocol students, the instructor moves on, how long
until every student's screen shows the next question.

    .venv/bin/python bench/bench_live_follow.py [--students 50] [--moves 5] [--database-url URL]

1. Starts the real server (``serve.py``, a fresh data folder, models not warmed up: the class
   is toy-vector questions) and starts an instructor-paced class in its database.
2. N students, each a protocol session with its own identity cookie (Streamlit's websocket
   protocol, as in ``bench/loadtest``), open the join link and join; then each keeps its page's
   ``run_every`` fragments ticking, as an open browser tab does: the student's screen is one
   fragment that checks the class's version and redraws the step (``FOLLOW_SECONDS``). Like a
   browser, a session stops its timers at a full run and restarts those the run draws.
3. The instructor moves to the next question ``--moves`` times, ``--gap`` seconds apart plus
   a random part of a tick (``--seed``: a press lands anywhere in the students' tick cycle),
   with ``Classroom.go_to`` (what the Next button does). For each move: the seconds until
   each student's screen drew the new question's answer box.
4. Prints one table (students, moves, follow time p50/p95/max, share within 2 s, the check's
   run time, the server's CPU) and exits 1 when a student missed the 2-second goal.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from loadtest.protocol import TRIGGER, ProtocolSession
from loadtest.server import Server, cpu_seconds
from loadtest.stats import Stats

from embedding.classroom import exercises as exs
from embedding.classroom.db import ClassDB
from embedding.classroom.live import Classroom
from ui.classroom import FOLLOW_SECONDS

GOAL = 2.0
TICK_TIMEOUT = 10.0  # a version check unanswered this long was dropped by the server
INSTRUCTOR = "bench-instructor"


def toy(i: int) -> exs.ToyQuestion:
    return exs.ToyQuestion("A", (("A", (1.0, 2.0, float(i))), ("B", (3.0, 7.0, 8.0)),
                                 ("C", (1.0, -2.0, 6.0))))


def quiz(n: int) -> exs.ExerciseSet:
    return exs.ExerciseSet("Follow bench", tuple(toy(i) for i in range(n)))


class Student:
    """One phone: joins, then ticks its fragments and notes when each question appeared."""

    def __init__(self, base: str, code: str, i: int, stats: Stats):
        self.s = ProtocolSession(base, stats, f"s{i}")
        self.code, self.i, self.stats = code, i, stats
        self.query = f"class={code}"
        self.seen: dict[int, float] = {}  # question -> monotonic time its answer box was drawn
        self.ticks: list[float] = []
        self.dropped = 0  # ticks the server never answered

    def _note(self, drawn) -> None:
        for w in drawn:
            for q in range(50):
                if w.id.endswith(f"class_ans_{self.code}_{q}") and q not in self.seen:
                    self.seen[q] = time.monotonic()

    async def join(self) -> None:
        await self.s.connect()
        _, drawn = await self.s.run("live_class", query=self.query)
        nick = next(w.id for w in drawn if w.kind == "text_input" and w.label == "Nickname")
        join = next(w.id for w in drawn if w.kind == "button" and w.label == "Join")
        _, drawn = await self.s.run("live_class", {nick: f"student {self.i}", join: TRIGGER},
                                    self.query)
        self.s.widgets = {nick: f"student {self.i}"}  # the Join trigger is not sent again
        self._note(drawn)

    async def follow(self, until: float) -> None:
        due = {fid: time.monotonic() + every for fid, every in self.s.auto_reruns.items()}
        while time.monotonic() < until and due:
            fid, at = min(due.items(), key=lambda kv: kv[1])
            await asyncio.sleep(max(0.0, at - time.monotonic()))  # the browser's timer
            if fid not in self.s.auto_reruns:
                due.pop(fid)
                continue
            try:
                took, drawn = await self.s.run("live_class", self.s.widgets, self.query,
                                               fragment=fid, timeout=TICK_TIMEOUT)
            except TimeoutError:  # the server dropped this tick (Streamlit answers nothing
                self.dropped += 1  # when the fragment is gone); a browser's timer fires again
            else:
                self.ticks.append(took)
                self._note(drawn)
            due = {f: due.get(f, time.monotonic()) for f in self.s.auto_reruns}
            if fid in due:
                due[fid] = time.monotonic() + self.s.auto_reruns[fid]


async def main_async(args) -> int:
    data = Path(tempfile.mkdtemp(prefix="live-follow-"))
    os.environ["EMBEDDING_EXPLORER_DATA"] = str(data)
    os.environ["EMBEDDING_EXPLORER_WARMUP"] = "0"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    url = args.database_url or f"sqlite:///{data / 'classroom' / 'classroom.sqlite3'}"
    server = Server("serve.py", data, timed=False)
    server.start()
    stats = Stats()
    try:
        live = Classroom(ClassDB(url))
        code, _ = live.start(quiz(args.moves + 1), instructor=INSTRUCTOR)
        students = [Student(server.base, code, i, stats) for i in range(args.students)]
        for k in range(0, len(students), 10):  # a class arriving over a few seconds
            await asyncio.gather(*(s.join() for s in students[k:k + 10]))
        joined = live.student_count(code)
        end = time.monotonic() + 3.0 + args.moves * (args.gap + FOLLOW_SECONDS) + 4.0
        moves: list[float] = []

        rng = random.Random(args.seed)

        async def instructor() -> None:
            await asyncio.sleep(3.0)  # every student ticking
            for q in range(args.moves):
                # a press at any moment of the students' tick cycle (a fixed gap would land
                # at the same phase of timers that started together every time)
                await asyncio.sleep(rng.uniform(0.0, FOLLOW_SECONDS))
                live.go_to(code, INSTRUCTOR, q)
                moves.append(time.monotonic())
                await asyncio.sleep(args.gap)

        cpu0, t0 = cpu_seconds(server.proc.pid), time.monotonic()
        await asyncio.gather(instructor(), *(s.follow(end) for s in students))
        cpu = (cpu_seconds(server.proc.pid) - cpu0) / (time.monotonic() - t0)
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    delays, missing = [], 0
    for q, at in enumerate(moves):
        for s in students:
            if q in s.seen:
                delays.append(s.seen[q] - at)
            else:
                missing += 1
    delays.sort()
    ticks = sorted(t for s in students for t in s.ticks)
    within = sum(d <= GOAL for d in delays)
    total = len(moves) * len(students)

    def pct(xs: list[float], p: float) -> float:
        return xs[min(len(xs) - 1, int(p * (len(xs) - 1)))] if xs else float("nan")

    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite (WAL)'}; "
          f"{joined} students joined (one seat each); version check every "
          f"{FOLLOW_SECONDS:g} s")
    print()
    print("| students | moves | follow p50 | follow p95 | follow max | within 2 s | "
          "check run p50 | check run p95 | server CPU |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.students} | {len(moves)} | {pct(delays, 0.5):.2f} s | {pct(delays, 0.95):.2f} s"
          f" | {max(delays, default=float('nan')):.2f} s | {within}/{total} | "
          f"{pct(ticks, 0.5) * 1000:.0f} ms | {pct(ticks, 0.95) * 1000:.0f} ms | "
          f"{cpu:.0%} of a core |")
    print()
    print(f"errors: {len(stats.errors)} {stats.errors[:3]}; screens that never showed a "
          f"question: {missing}; version checks the server never answered: "
          f"{sum(s.dropped for s in students)} of "
          f"{sum(s.dropped + len(s.ticks) for s in students)}")
    return 0 if within == total and not stats.errors and joined == args.students else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=50)
    ap.add_argument("--moves", type=int, default=5)
    ap.add_argument("--gap", type=float, default=4.0, help="seconds between two moves")
    ap.add_argument("--database-url", default="")
    ap.add_argument("--seed", type=int, default=1, help="of the moments the instructor moves")
    return asyncio.run(main_async(ap.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
