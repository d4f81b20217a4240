"""Ten students at once with a remote provider that hangs: how long until each sees the
built-in results, against the same server with no provider configured (same run).

       .venv/bin/python -m bench.bench_providers [--sessions 10] [--rounds 2] [--protocol]

1. Starts a loopback OpenAI-compatible server that holds every request (tests/fake_openai_server.py)
   and two app servers (``serve.py``, fresh data folders, models warmed up): **none**, with no
   provider, and **hanging**, whose one provider is that server (deadline 3600 s, so it cannot
   fail while we measure).
2. Per round and server, N Chromium sessions (one context each: one cookie, one session)
   open Word order at once, then Sentence similarity; in each page a MutationObserver notes
   when the built-in table (Word order: the table and the SBERT score) and SBERT's score
   (Sentence similarity) first appear, counted from the start of the page's navigation.
   On the hanging server each session then picks the provider: the time from the click to
   SBERT's score and the provider's "Waiting for" note. With ``--protocol``, N protocol
   sessions (``bench/loadtest``) instead: the server's seconds until each first page run is
   finished, without ten browsers drawing on the same cores.
3. Prints the table (p50 / max per server, the ratio hanging / none), how many requests reached
   the hanging provider (goal: 1 for all sessions and rounds, its breaker window), and exits 1
   when a session's built-in results took longer than the 2-second goal on the hanging server.

Chromium is Debian's (``apt-get install chromium``). On a box shared with other work the
absolute numbers move; the ratio against the server with no provider is what this measures.
Run it as a module from the project folder (it uses the tests' fake server and Chromium set-up).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from tests.browser import CHROMIUM_ARGS, chromium_path, run_coroutine, start_server
from tests.fake_openai_server import MODEL_NAME, FakeOpenAI

ROOT = Path(__file__).resolve().parents[1]

GOAL = 2.0

#: notes (in window.__seen) when each mark first appears, in ms since navigation start
OBSERVER = """
window.__seen = {};
const marks = {
  table: () => document.querySelector('[data-testid="stDataFrame"]'),
  sbert: () => [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
               .some(e => /^SBERT:? cosine/.test(e.innerText.trim())),
  waiting: () => document.body && document.body.innerText.includes('Waiting for'),
};
const look = () => {
  for (const [name, found] of Object.entries(marks)) {
    if (!(name in window.__seen) && found()) window.__seen[name] = performance.now();
  }
};
new MutationObserver(look).observe(document, {subtree: true, childList: true,
                                              characterData: true});
"""


def wait_marks(page, names: list[str], timeout_ms: int = 300_000) -> dict[str, float]:
    cond = " && ".join(f"'{n}' in (window.__seen || {{}})" for n in names)
    page.wait_for_function(f"() => {cond}", timeout=timeout_ms)
    return page.evaluate("() => window.__seen")


def round_of(browser, url: str, sessions: int, pick_provider: bool) -> dict[str, list[float]]:
    """Seconds per session: Word order's table and SBERT score, Sentence similarity's SBERT
    score and, when ``pick_provider``, click → SBERT score + the provider's waiting note."""
    out: dict[str, list[float]] = {"word order": [], "sentence similarity": [], "pick": []}
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720})
                for _ in range(sessions)]
    try:
        pages = [c.new_page() for c in contexts]
        for p in pages:
            p.add_init_script(OBSERVER)
        for p in pages:
            p.goto(f"{url}/word_order", wait_until="commit")
        for p in pages:
            seen = wait_marks(p, ["table", "sbert"])
            out["word order"].append(max(seen["table"], seen["sbert"]) / 1000)
        for p in pages:
            p.goto(f"{url}/sentence_similarity", wait_until="commit")
        for p in pages:
            out["sentence similarity"].append(wait_marks(p, ["sbert"])["sbert"] / 1000)
        if pick_provider:
            clicked = []
            for p in pages:
                p.evaluate("() => { delete window.__seen.waiting; delete window.__seen.sbert; }")
                p.get_by_text(MODEL_NAME, exact=True).first.click()
                clicked.append(p.evaluate("() => performance.now()"))
            for p, t0 in zip(pages, clicked, strict=True):
                seen = wait_marks(p, ["waiting"])
                out["pick"].append((seen["waiting"] - t0) / 1000)
    finally:
        for c in contexts:
            c.close()
    return out


def protocol_round(url: str, sessions: int) -> dict[str, list[float]]:
    """The same visits without browsers: N protocol sessions (``bench/loadtest``: Streamlit's
    websocket protocol, each its own cookies; a fresh arrival fetches the app shell first) open
    Word order at once, then Sentence similarity. Seconds until the server finished each first
    page run (the built-in results are in it: a page run never waits on a provider)."""
    import asyncio

    from bench.loadtest.protocol import ProtocolSession
    from bench.loadtest.stats import Stats

    async def one(i: int) -> tuple[float, float]:
        s = ProtocolSession(url, Stats(), f"s{i}")
        try:
            word = await s.arrive("word_order")
            sentence, _ = await s.run("sentence_similarity")
            if s.stats.errors:
                raise RuntimeError(s.stats.errors)
            return word, sentence
        finally:
            await s.close()

    async def all_at_once():
        return await asyncio.gather(*(one(i) for i in range(sessions)))

    got = run_coroutine(all_at_once())  # beside Playwright's own loop
    return {"word order": [w for w, _ in got], "sentence similarity": [x for _, x in got]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--protocol", action="store_true",
                    help="protocol sessions instead of Chromium: the server's time alone")
    args = ap.parse_args()
    path = chromium_path()
    if path is None:
        print("chromium is not installed (apt-get install chromium)")
        return 2
    from playwright.sync_api import sync_playwright

    (ROOT / ".cache").mkdir(exist_ok=True)
    results: dict[str, dict[str, list[float]]] = {}
    with FakeOpenAI(None, hang_seconds=3600) as hanging, \
            tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
        hanging.always = "hang"
        base = {"EMBEDDING_EXPLORER_WARMUP": "1", "EMBEDDING_EXPLORER_PROVIDERS": "",
                "EMBEDDING_EXPLORER_OPENAI_MODEL": ""}
        servers = {
            "none": start_server({**base, "EMBEDDING_EXPLORER_DATA": d1}),
            "hanging": start_server({
                **base, "EMBEDDING_EXPLORER_DATA": d2,
                "EMBEDDING_EXPLORER_OPENAI_MODEL": MODEL_NAME,
                "OPENAI_BASE_URL": hanging.base_url, "OPENAI_API_KEY": hanging.key,
                "EMBEDDING_EXPLORER_PROVIDER_DEADLINE": "3600",
                "EMBEDDING_EXPLORER_PROVIDER_COOLDOWN": "3600"}),
        }
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
                for url, _ in servers.values():  # one visit each: models loaded
                    round_of(browser, url, 1, False)
                for _ in range(args.rounds):
                    for name, (url, _) in servers.items():  # alternating
                        got = (protocol_round(url, args.sessions) if args.protocol else
                               round_of(browser, url, args.sessions, name == "hanging"))
                        for k, v in got.items():
                            results.setdefault(name, {}).setdefault(k, []).extend(v)
                browser.close()
        finally:
            hanging.let_go()
            for _, proc in servers.values():
                proc.kill()
                proc.wait(timeout=20)
        requests = hanging.requests

    def p50_max(v: list[float]) -> str:
        return f"{statistics.median(v):6.2f} {max(v):6.2f}" if v else "     -      -"

    print(f"\n{args.sessions} {'protocol' if args.protocol else 'Chromium'} sessions at once, "
          f"{args.rounds} rounds; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'seconds until':32} {'none p50':>8} {'max':>6} {'hanging p50':>11} {'max':>6} "
          f"{'ratio p50':>9}")
    worst = 0.0
    for what in ("word order", "sentence similarity", "pick"):
        none, hang = results["none"].get(what, []), results["hanging"].get(what, [])
        ratio = (f"{statistics.median(hang) / statistics.median(none):9.2f}"
                 if none and hang else "        -")
        label = {"word order": "Word order: table + SBERT",
                 "sentence similarity": "Sentence sim.: SBERT score",
                 "pick": "pick provider: SBERT + note"}[what]
        print(f"{label:32} {p50_max(none):>15} {p50_max(hang):>18} {ratio}")
        if what != "pick":
            worst = max(worst, max(hang))
    print(f"requests that reached the hanging provider: {requests} "
          f"(for {args.sessions * args.rounds + 1} visits of each page)")
    ok = worst <= GOAL and requests <= 1
    print(f"goal (built-in results within {GOAL:g} s with the provider hanging, one request): "
          f"{'met' if ok else 'MISSED'} (slowest {worst:.2f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
