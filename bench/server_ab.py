"""Two replicas of the app in one run, one without some installed modules: CPU per fresh session
and per rerun, alternating, so the box's noise falls on both alike.

    .venv/bin/python bench/server_ab.py                       # with vs without uvloop + httptools
    .venv/bin/python bench/server_ab.py --page semantic_search --rounds 200

Replica B gets a folder first on its PYTHONPATH where each blocked module raises
ModuleNotFoundError on import, as if it were not installed (Streamlit then runs asyncio's own
event loop, uvicorn parses HTTP with h11). CPU is the server process's own (from /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from loadtest.protocol import ProtocolSession  # bench/ is on sys.path as the script's folder
from loadtest.server import APP_ENTRY, RESULTS, Server, stop_all
from loadtest.stats import Stats


async def main(args) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ab-", dir=RESULTS))
    shim = work / "blocked"
    shim.mkdir()
    for name in args.block:
        (shim / f"{name}.py").write_text(
            f"raise ModuleNotFoundError('blocked by bench/server_ab.py', name={name!r})\n")
    a = Server(APP_ENTRY, work)
    b = Server(APP_ENTRY, work)
    a.start()
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(shim), old) if p)
    try:
        b.start()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old
    servers = {"A (as installed)": a, f"B (without {', '.join(args.block)})": b}
    try:
        for srv in servers.values():
            s = ProtocolSession(srv.base, Stats())
            await s.connect()
            await s.run(args.page, timeout=900)
            await s.close()
        for srv in servers.values():
            await srv.wait_idle(300)
        fresh = dict.fromkeys(servers, 0.0)
        rerun = dict.fromkeys(servers, 0.0)
        keep = {}
        for name, srv in servers.items():
            keep[name] = ProtocolSession(srv.base, Stats())
            await keep[name].connect(args.page)
            await keep[name].run(args.page)
        for _ in range(args.rounds):
            for name, srv in servers.items():
                c0 = srv.cpu()
                s = ProtocolSession(srv.base, Stats())
                await s.arrive(args.page, shell=False)
                await s.close()
                fresh[name] += srv.cpu() - c0
                c0 = srv.cpu()
                await keep[name].run(args.page)
                rerun[name] += srv.cpu() - c0
        for name in servers:
            print(f"{name:<40} fresh session {1000 * fresh[name] / args.rounds:6.1f} ms CPU, "
                  f"rerun {1000 * rerun[name] / args.rounds:6.1f} ms CPU")
        na, nb = servers
        print(f"ratio A/B on {args.page or 'home'} ({args.rounds} rounds, load average "
              f"{os.getloadavg()[0]:.1f}): fresh {fresh[na] / fresh[nb]:.2f}, "
              f"rerun {rerun[na] / rerun[nb]:.2f}")
    finally:
        stop_all(list(servers.values()))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--page", default="word_similarity", help="url path ('' = home)")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--block", nargs="+", default=["uvloop", "httptools"])
    asyncio.run(main(ap.parse_args()))
