"""``streamlit`` CLI with one addition: every script run's wall time is appended to a log file.

The load test starts the real server through this wrapper so it can report server-side script
run time next to the client-side latency. Nothing else changes: same CLI, same config.

    RUNLOG=/tmp/runs.tsv python bench/timed_server.py run app.py --server.port 8765

Each line of ``$RUNLOG``: ``<unix end time>\\t<seconds>\\t<page name or hash>``.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web.cli import main

_LOG = os.environ.get("RUNLOG", "")
_lock = threading.Lock()
_original = script_runner.ScriptRunner._run_script


def _timed_run_script(self, rerun_data):
    start = time.perf_counter()
    try:
        return _original(self, rerun_data)
    finally:
        seconds = time.perf_counter() - start
        page = rerun_data.page_name or rerun_data.page_script_hash or "-"
        with _lock, open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{time.time():.3f}\t{seconds:.4f}\t{page}\n")


if _LOG:
    script_runner.ScriptRunner._run_script = _timed_run_script

if __name__ == "__main__":
    sys.exit(main())
