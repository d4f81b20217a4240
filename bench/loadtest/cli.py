"""The load test's command line: start the servers, run the chosen patterns, print and save."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

from . import protocol
from .proxy import Proxy, nginx_binary, render_nginx
from .scenarios import burst, class_burst, page_burst, probe, rss_with_sessions, steady
from .server import APP_ENTRY, RESULTS, ROOT, Server, free_port, page_paths, stop_all
from .stats import Stats, fmt, pct

TARGET_P95 = 1.5
GOAL_ARRIVAL_S = 10.0  # issue 24: a lecture hall of fresh browsers, every one served within 10 s
#: Issue 14's goals for the class burst: every page, same run as the bare page.
GOAL_FRESH_S, GOAL_RERUN_S, GOAL_SHELL_RATIO = 2.0, 1.5, 1.3


async def proxy_burst(app: Server, workdir: Path, args) -> dict:
    """The class burst through the real nginx config: every file through Python (before), the
    app shell from nginx (after), and the same with two replicas (both cores)."""
    page = args.burst_page if args.burst_page is not None else "word_similarity"
    second = Server(APP_ENTRY, workdir, timed=not args.untimed)
    second.start()
    rows = []
    try:
        for srv in (app, second):
            await probe(srv, ["", page])
        setups = [("1 process, no proxy", None, [app]),
                  ("nginx, shell through Python", False, [app]),
                  ("nginx serves the shell", True, [app]),
                  ("nginx serves the shell, 2 replicas", True, [app, second])]
        for label, static, replicas in setups:
            for srv in (app, second):
                await srv.wait_idle(60)
            target, px = app, None
            if static is not None:
                tmp = Path(tempfile.mkdtemp(prefix="nginx-", dir=workdir))
                listen = free_port()
                conf = render_nginx(tmp, [r.port for r in replicas], listen, serve_static=static)
                px = target = Proxy(conf, tmp, listen, replicas)
                px.start()
            try:
                r = await page_burst(target, page, args.proxy_burst)
            finally:
                if px is not None:
                    px.stop()
            rows.append({**r, "page": label})
            print(f"  {label:<36} fresh {r['fresh_s']:5.2f}s  rerun {r['rerun_s']:5.2f}s  "
                  f"shell burst {r['shell_burst_s']:5.2f}s  errors {len(r['errors'])}")
    finally:
        second.stop()
    base = rows[0]
    for r in rows:
        r["shell_ratio"] = round(r["shell_burst_s"] / base["shell_burst_s"], 2)
    print(f"proxy burst: {args.proxy_burst} sessions on {page} (ratios to 1 process, no proxy)")
    print_class_burst({"sessions": args.proxy_burst, "rows": rows})
    return {"page": page, "sessions": args.proxy_burst, "rows": rows}


async def arrival_cost(app: Server, workdir: Path, args) -> dict:
    """What one fresh browser costs, set-up by set-up, in one run: ``--arrival-cost K`` fresh
    browsers open ``--burst-page`` one after another (no contention: CPU per arrival is the
    process's own) directly, through nginx as it was before this work, and through nginx now.
    CPU seconds come from /proc (replica, nginx, this load generator); bytes and message counts
    are exact."""
    page = args.burst_page if args.burst_page is not None else "word_similarity"
    await probe(app, ["", page])
    setups = [("1 process, no proxy", None),
              ("nginx before: shell gzipped per request, page via Python",
               {"precompressed": False, "serve_page": False}),
              ("nginx now: shell gzipped once, page from nginx", {})]
    rows = []
    for label, flags in setups:
        target, px = app, None
        if flags is not None:
            tmp = Path(tempfile.mkdtemp(prefix="nginx-", dir=workdir))
            listen = free_port()
            px = target = Proxy(render_nginx(tmp, [app.port], listen, **flags), tmp, listen,
                                [app])
            px.start()
        try:
            await app.wait_idle(60)
            stats = Stats()
            for _ in range(2):  # warm: nginx opens its files, the page's caches are filled
                s = protocol.ProtocolSession(target.base, stats)
                await s.arrive(page)
                await s.close()
            c_app, c_px, c_me = app.cpu(), px.nginx_cpu() if px else 0.0, time.process_time()
            walls, traffic = [], []
            for _ in range(args.arrival_cost):
                s = protocol.ProtocolSession(target.base, stats)
                walls.append(await s.arrive(page))
                traffic.append(s.traffic.as_dict())
                await s.close()
            k = args.arrival_cost
            rows.append({
                "setup": label, "page": page, "arrivals": k,
                "replica_cpu_ms": round(1000 * (app.cpu() - c_app) / k, 1),
                "nginx_cpu_ms": round(1000 * ((px.nginx_cpu() if px else 0.0) - c_px) / k, 1),
                "client_cpu_ms": round(1000 * (time.process_time() - c_me) / k, 1),
                "wall_ms_p50": round(1000 * pct(walls, 50), 1),
                **{k2: pct([t[k2] for t in traffic], 50) for k2 in traffic[0]},
                "errors": stats.errors[:5]})
        finally:
            if px is not None:
                px.stop()
        r = rows[-1]
        print(f"  {label:<58} replica {r['replica_cpu_ms']:5.1f} ms  nginx "
              f"{r['nginx_cpu_ms']:5.1f} ms  client {r['client_cpu_ms']:5.1f} ms  wall "
              f"{r['wall_ms_p50']:6.1f} ms  {r['requests']} requests {r['http_bytes']} B, "
              f"{r['ws_messages']} messages {r['ws_bytes']} B  errors {len(r['errors'])}")
    base = rows[0]["replica_cpu_ms"]
    ratios = ", ".join(f"{r['replica_cpu_ms'] / base:.2f}" for r in rows)
    print(f"arrival cost: {args.arrival_cost} fresh browsers one after another on {page}; "
          f"replica CPU per arrival as a ratio to no proxy: {ratios}")
    return {"page": page, "rows": rows}


def print_class_burst(r: dict) -> None:
    """The class-burst table: one line a page, the bare page first."""
    print(f"class burst: {r['sessions']} sessions at once per page (protocol level; the shell "
          f"burst adds the app-shell download of {r['sessions']} fresh browsers)")
    head = (f"| {'page':<22} | fresh s | rerun s | shell burst s | ratio to bare | "
            f"CPU/run ms (fresh, rerun) | errors |")
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for row in r["rows"]:
        ok = (row["fresh_s"] <= GOAL_FRESH_S and row["rerun_s"] <= GOAL_RERUN_S
              and row["shell_ratio"] <= GOAL_SHELL_RATIO and not row["errors"])
        cpu = f"{row['cpu_ms']:.0f} ({row['cpu_fresh_ms']:.0f}, {row['cpu_rerun_ms']:.0f})"
        print(f"| {row['page']:<22} | {row['fresh_s']:7.2f} | {row['rerun_s']:7.2f} | "
              f"{row['shell_burst_s']:13.2f} | {row['shell_ratio']:13.2f} | {cpu:<25} | "
              f"{len(row['errors']):>3} {'ok' if ok else '--'} |")
    for row in r["rows"]:
        for e in row["errors"][:3]:
            print(f"  error on {row['page']}: {e}")


def _print_burst(label: str, r: dict) -> None:
    print(f"  {label:<22} served {r['served']}/{r['sessions']}  whole burst "
          f"{r['whole_burst_s']:.2f}s  client {fmt(r['client'])}")
    print(f"  {'':<22} server runs {fmt(r['server_runs'])}  errors {len(r['errors'])}  "
          f"RSS peak {r['rss_mb_peak']:.0f} MB")


def _print_steady(r: dict) -> None:
    verdict = "OK" if r["actions"]["p95"] <= TARGET_P95 and not r["error_count"] else "MISSED"
    print(f"  steady {r['sessions']} sessions ({r['browsers']} Chromium), {r['duration_s']:.0f}s:"
          f" actions {fmt(r['actions'])}  errors {r['error_count']}  "
          f"RSS max {r['rss_mb_max']:.0f} MB, after {r['rss_mb_after']:.0f} MB  [{verdict}]")
    if r["browsers"]:
        print(f"      browser actions  {fmt(r['browser_actions'])}  (Chromium on the same 2 cores)")
    for k, v in r["per_action"].items():
        print(f"      {k:<16} {fmt(v)}")
    c = r.get("cpu")
    if c:
        print(f"      servers waited {c.get('server_waited_s', math.nan):.1f}s for a core")
        print(f"      CPU in {c['wall_s']:.0f}s: servers {c['server_s']:.1f}s "
              f"({c['server_ms_per_run']:.1f} ms per run, {c['runs']} runs), load generator "
              f"{c['client_s']:.1f}s")
        print(f"      per fresh arrival (median): {r['per_arrival']}")
        print(f"      per session (median):       {r['per_session']}")
    print(f"      server runs      {fmt(r['server_runs'])}")
    for k, v in r.get("server_runs_by_page", {}).items():
        print(f"        run {k[:22]:<22} {fmt(v)}")
    for e in r["errors"][:5]:
        print(f"      error: {e}")


async def main_async(args) -> dict:
    pages = [p for p in page_paths() if not args.pages or (p or "home") in args.pages]
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=RESULTS))  # server logs, run logs
    app = Server(APP_ENTRY, workdir, timed=not args.untimed)
    bare = Server("bench/bare_app.py", workdir, timed=not args.untimed)
    # replicas behind the proxy start with the first one, so their models load at the same time
    extra = [Server(APP_ENTRY, workdir, timed=not args.untimed)
             for _ in range(max(0, args.proxy - 1) if args.find_max else 0)]
    need_bare = bool(args.burst or args.class_burst) and not (args.proxy_burst or args.arrival_cost)
    out: dict = {"when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                 "machine": f"{os.cpu_count()} CPU, {_mem_gb():.0f} GB RAM",
                 "args": vars(args), "pages": [p or "home" for p in pages]}
    try:
        out["start_to_healthy_s"] = {"app": round(app.start(), 2)}
        if need_bare:
            out["start_to_healthy_s"]["bare"] = round(bare.start(), 2)
        for srv in extra:
            srv.start()
        print(f"servers up: app {app.base} ({out['start_to_healthy_s']['app']}s)"
              + "".join(f", replica {s.base}" for s in extra)
              + (f", bare {bare.base}" if need_bare else "") + f"; pages: {', '.join(out['pages'])}")
        if args.proxy_burst:
            out["proxy_burst"] = await proxy_burst(app, workdir, args)
            return out
        if args.arrival_cost:
            out["arrival_cost"] = await arrival_cost(app, workdir, args)
            return out

        t0 = time.perf_counter()
        out["probe"], *_ = await asyncio.gather(*(probe(s, pages) for s in [app, *extra]))
        out["start_to_first_page_s"] = round(out["start_to_healthy_s"]["app"]
                                             + out["probe"]["first_open_s"]["home"], 2)
        print(f"probe ({time.perf_counter() - t0:.1f}s): first open {out['probe']['first_open_s']}")
        print(f"server start to first page (home): {out['start_to_first_page_s']}s")
        print(f"       warm open {out['probe']['warm_open_s']}")
        for e in out["probe"]["errors"] + out["probe"]["shown_errors"]:
            print(f"  probe error: {e}")
        if need_bare:
            await probe(bare, [""])
        out["warm_up_wait_s"] = round(await app.wait_idle(), 1)
        print(f"server idle (background warm-up done) after {out['warm_up_wait_s']}s more")

        if args.class_burst:
            out["class_burst"] = await class_burst(app, bare, pages, args.class_burst)
            print_class_burst(out["class_burst"])
            return out

        out["rss"] = await rss_with_sessions(app, pages, 10)
        print(f"RSS, models loaded + 10 sessions: {out['rss']['rss_mb']:.0f} MB "
              f"(before sessions {out['rss']['rss_before_mb']:.0f} MB)")

        if args.burst:
            bpage = args.burst_page if args.burst_page is not None else next(
                (p for p in ("semantic_search", "word_similarity") if p in pages), "")
            rounds = []
            for _ in range(args.burst_repeats):
                await app.wait_idle(60)
                rounds.append({"bare": await burst(bare, "", args.burst),
                               "app": await burst(app, bpage, args.burst)})
            out["burst"] = rounds
            print(f"burst: {args.burst} fresh sessions within 1 s")
            for r in rounds:
                _print_burst("bare page", r["bare"])
                _print_burst(f"{bpage or 'home'}", r["app"])
            app_t = pct([r["app"]["whole_burst_s"] for r in rounds], 50)
            bare_t = pct([r["bare"]["whole_burst_s"] for r in rounds], 50)
            out["burst_ratio"] = round(app_t / bare_t, 2)
            print(f"  burst ratio app/bare = {out['burst_ratio']:.2f} (target <= 1.5)")

        if args.sessions and args.duration:
            await app.wait_idle(60)
            out["steady"] = await steady(app, pages, args.sessions, args.duration, args.browsers)
            _print_steady(out["steady"])

        if args.find_max:
            target, stop = app, None
            if args.proxy:
                target, stop, out["proxy"] = await start_proxy([app, *extra], workdir)
            try:
                out["find_max"] = await find_max(target, pages, args)
            finally:
                if stop is not None:
                    stop()
        out["rss_final_mb"] = round(app.rss(), 1)
    finally:
        stop_all([app, bare, *extra])
        for srv in (app, bare, *extra):
            if not srv.log.exists():
                continue
            tail = srv.log.read_text(errors="replace").splitlines()[-400:]
            bad = [line for line in tail if "Traceback" in line or "Error" in line]
            if bad:
                out.setdefault("server_log_errors", {})[srv.script] = bad[:20]
        out["logs"] = str(workdir.relative_to(ROOT))
    return out


async def start_proxy(servers: list[Server], workdir: Path):
    """The real deploy/nginx.conf in front of ``servers`` (started and probed; waits until each
    is idle); returns (the proxy, a function that stops it and every replica but the first,
    a description)."""
    if nginx_binary() is None:
        raise SystemExit("--proxy needs nginx (apt-get install nginx)")
    for srv in servers:
        await srv.wait_idle(120)
    tmp = Path(tempfile.mkdtemp(prefix="nginx-", dir=workdir))
    listen = free_port()
    px = Proxy(render_nginx(tmp, [s.port for s in servers], listen), tmp, listen, servers)
    px.start()
    print(f"proxy: nginx {px.base} in front of {len(servers)} replica(s) "
          f"({', '.join(s.base for s in servers)})")

    def stop() -> None:
        px.stop()
        stop_all(servers[1:])

    return px, stop, {"replicas": len(servers), "entry": servers[0].script,
                      "nginx": str(tmp / "nginx.conf")}


async def find_max(target, pages: list[str], args) -> dict:
    """Steady steps of growing size (stops at the first that misses, unless ``--all-steps``:
    the curve); each step's class arrives as fresh browsers within ``--arrive-within`` s."""
    steps, best = [], 0
    for n in args.find_max:
        await target.wait_idle(60)
        load = os.getloadavg()
        r = await steady(target, pages, n, args.step_duration, 0, seed=n,
                         arrive_within=args.arrive_within)
        r["loadavg_before"], r["loadavg_after"] = load, os.getloadavg()
        steps.append(r)
        _print_steady(r)
        r["ok"] = r["actions"]["p95"] <= TARGET_P95 and not r["error_count"]
        if r["ok"]:
            best = max(best, n)
        elif not args.all_steps:
            break
    print(f"largest class at p95 <= {TARGET_P95}s with no errors: {best} "
          f"(steps tried: {[s['sessions'] for s in steps]})")
    print_find_max(steps)
    return {"steps": steps, "largest_ok": best}


def print_find_max(steps: list[dict]) -> None:
    """The lecture-hall table: one line a step, with the goals (steady p95 <= 1.5 s and no
    errors; every fresh browser served within 10 s)."""
    print("| class | steady p95 s | errors | arrival p50 / p95 / max s (within s) | goals | "
          "CPU s: servers / load generator (of wall) | servers waited for a core s | "
          "server ms per run | load avg 1 min |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in steps:
        a, c = r["arrival"], r["cpu"]
        steady_ok = r["actions"]["p95"] <= TARGET_P95 and not r["error_count"]
        arrive_ok = a["n"] == r["sessions"] and a["max"] <= GOAL_ARRIVAL_S
        goals = f"{'ok' if steady_ok else 'MISSED'} / {'ok' if arrive_ok else 'MISSED'}"
        print(f"| {r['sessions']} | {r['actions']['p95']:.2f} | {r['error_count']} | "
              f"{a['p50']:.1f} / {a['p95']:.1f} / {a['max']:.1f} ({r['arrive_within_s']:g}) | "
              f"{goals} | {c['server_s']:.0f} / {c['client_s']:.0f} ({c['wall_s']:.0f}) | "
              f"{c.get('server_waited_s', math.nan):.0f} | {c['server_ms_per_run']:.1f} | "
              f"{r['loadavg_before'][0]:.1f} → {r['loadavg_after'][0]:.1f} |")


def run(coro):
    """Run the load generator on uvloop when it is installed (it is in the lock: the server
    uses it too): the clients share the server's 2 cores, so every millisecond they spend
    parsing HTTP and websocket frames is one the server does not get."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def _mem_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return math.nan


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=50, help="steady class size (0: skip)")
    ap.add_argument("--duration", type=float, default=180, help="steady run length, seconds")
    ap.add_argument("--browsers", type=int, default=3,
                    help="how many of the steady sessions are real headless Chromium")
    ap.add_argument("--burst", type=int, default=50, help="sessions in a burst (0: skip)")
    ap.add_argument("--burst-page", default=None,
                    help="url path the burst opens (default: semantic_search if present)")
    ap.add_argument("--burst-repeats", type=int, default=2, help="bare/app burst pairs")
    ap.add_argument("--find-max", type=int, nargs="*", default=None, metavar="N",
                    help="steady step sizes to try, e.g. --find-max 50 75 100 125")
    ap.add_argument("--step-duration", type=float, default=60, help="seconds per find-max step")
    ap.add_argument("--arrive-within", type=float, default=5.0, metavar="S",
                    help="a find-max step's class arrives as fresh browsers within S seconds "
                         "(0: all at the same moment)")
    ap.add_argument("--all-steps", action="store_true",
                    help="with --find-max: run every step even after one missed (the curve)")
    ap.add_argument("--proxy", type=int, default=0, metavar="REPLICAS",
                    help="with --find-max: through nginx (the real deploy/nginx.conf) in front of "
                         "REPLICAS app servers, as deployed (needs nginx)")
    ap.add_argument("--no-shell", action="store_true",
                    help="fresh protocol sessions skip downloading index.html and its scripts")
    ap.add_argument("--class-burst", type=int, default=0, metavar="N",
                    help="only the class burst: N sessions open each page at once, then change "
                         "an input at once, then N fresh browsers arrive (with the app shell), "
                         "every page and the bare page in one run; prints the table")
    ap.add_argument("--proxy-burst", type=int, default=0, metavar="N",
                    help="only the proxy comparison (needs nginx): the class burst of N sessions "
                         "on --burst-page (default word_similarity) direct, through nginx with "
                         "the shell via Python, with nginx serving the shell, and 2 replicas")
    ap.add_argument("--arrival-cost", type=int, default=0, metavar="K",
                    help="only what one fresh browser costs (needs nginx): K fresh browsers "
                         "open --burst-page one after another, direct, through nginx as before, "
                         "and through nginx now: CPU per arrival of replica, nginx and client, "
                         "requests, bytes and websocket messages")
    ap.add_argument("--pages", nargs="*", default=None, metavar="PAGE",
                    help="only these url paths (home = 'home'): what the probe opens and the "
                         "students use (default: every page)")
    ap.add_argument("--untimed", action="store_true",
                    help="run plain `streamlit run` (no server-side run times)")
    args = ap.parse_args(argv)
    protocol.SHELL[0] = not args.no_shell
    out = run(main_async(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(out, indent=1, default=str))
    print(f"results: {path.relative_to(ROOT)}")
    for script, lines in out.get("server_log_errors", {}).items():
        print(f"server log of {script} mentions errors:")
        for line in lines[:10]:
            print(f"  {line}")
    steady_r = out.get("steady")
    failed = any(r["errors"] for key in ("class_burst", "proxy_burst")
                 for r in out.get(key, {}).get("rows", [])) or bool(
        steady_r and steady_r["error_count"]) or any(
        r[k]["errors"] for r in out.get("burst", []) for k in ("app", "bare"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
