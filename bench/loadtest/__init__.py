"""Load test: a whole class on the real server, through Streamlit's own websocket protocol.

Starts ``app.py`` (and, for the burst baseline, ``bench/bare_app.py``) on free loopback ports and
drives it with two kinds of client:

* protocol sessions: speak ``/_stcore/stream`` like the browser does (subprotocol
  ``streamlit, <xsrf token>``, same-origin ``Origin``, the ``_streamlit_xsrf`` cookie), send
  ``BackMsg.rerun_script`` (page name, query string, widget states) and time each run until the
  ``script_finished`` ForwardMsg; cheap enough to run 50-100 of them on this box;
* browser sessions: real headless Chromium (Debian's, through Playwright) opening pages and typing
  into inputs, to prove the whole path (JS, websocket, rendering) works under the same load.

Patterns (each reported with client-side p50/p95/max, server-side script run time, errors and
server RSS incl. child processes, from ``/proc``):

* probe: every page opened once (cold numbers; learns each page's widgets; loads the models);
* rss: both models loaded and 10 sessions connected;
* burst: N fresh sessions within one second opening one page, compared with the same burst on a
  bare page (title only, its own server) measured in the same run;
* steady: N sessions, each acting every 5-15 s at random (open a page, compute a cosine, search,
  open the map) for a bounded duration;
* ``--find-max``: steady steps of growing size; the largest class with p95 <= 1.5 s, no errors;
  each step's class arrives as fresh browsers (app shell, health, host-config, websocket, first
  run) within ``--arrive-within`` seconds, and a tab keeps its ``run_every`` fragments ticking;
  with ``--proxy N`` through nginx (the real deploy/nginx.conf) in front of N replicas. Each
  step reports CPU seconds of the servers and of the load generator, and what crossed the wire
  per fresh arrival (requests, bytes, websocket messages: exact counts, unlike timings).

    .venv/bin/python bench/load_test.py                      # the full class (50), a few minutes
    .venv/bin/python bench/load_test.py --sessions 10 --duration 30 --burst 10 --browsers 2
    .venv/bin/python bench/load_test.py --sessions 0 --burst 0 --proxy 2 \
        --find-max 150 200 250 300 --step-duration 60 --arrive-within 1   # the lecture hall

Everything stays on 127.0.0.1, every loop is bounded, the servers are stopped at the end.
Results: printed, and written as JSON to ``bench/results/``.

Modules: :mod:`.server` (the servers, CPU/RSS from /proc), :mod:`.protocol` (the protocol
client and the app shell), :mod:`.browser` (the Chromium client), :mod:`.actions` (what a
student does), :mod:`.scenarios` (the patterns), :mod:`.cli` (the command line).
"""

from .protocol import ProtocolSession, fetch_shell
from .server import Server, cpu_seconds, rss_mb
from .stats import Stats, pct, summary

__all__ = ["ProtocolSession", "Server", "Stats", "cpu_seconds", "fetch_shell", "pct", "rss_mb",
           "summary"]
