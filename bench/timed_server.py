"""``streamlit`` CLI with one addition: every script run's wall and CPU time go to a log file.

The load test starts the real server through this wrapper so it can report server-side script
run time and CPU per run next to the client-side latency. Nothing else changes: same CLI, same
config.

    RUNLOG=/tmp/runs.tsv python bench/timed_server.py run app.py --server.port 8765

Each line of ``$RUNLOG``: ``<unix end time>\\t<wall s>\\t<page name or hash>\\t<CPU s>``; the CPU
is the script thread's own (``time.thread_time``), so other sessions' runs do not count.
With ``PROFILE_DIR`` set, each run is also profiled with pyinstrument and the runs above
``PROFILE_MIN_CPU`` seconds of CPU (default 0.005) are written there as text, one file a run.
pyinstrument samples wall time, so under a burst it also counts the waits for the GIL after
every system call; ``PROFILE_CPU=1`` profiles with cProfile on the thread's CPU clock instead
(the functions that really use the core), writing the top 40 by cumulative and by own time.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web.cli import main

_LOG = os.environ.get("RUNLOG", "")
_PROFILE_DIR = os.environ.get("PROFILE_DIR", "")
_PROFILE_MIN_CPU = float(os.environ.get("PROFILE_MIN_CPU", "0.005"))
_PROFILE_CPU = os.environ.get("PROFILE_CPU", "") not in ("", "0")
_lock = threading.Lock()
_count = itertools.count()
_original = script_runner.ScriptRunner._run_script


def _page(rerun_data) -> str:
    return rerun_data.page_name or rerun_data.page_script_hash or "-"


def _cprofile():
    """cProfile on the thread's CPU clock: (start, stop, report, file-name suffix)."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile(time.thread_time)

    def report() -> str:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(40)
        return out.getvalue()

    return profiler.enable, profiler.disable, report, "-cpu"


def _pyinstrument():
    """pyinstrument's wall-clock samples: (start, stop, report, file-name suffix)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="disabled")
    return (profiler.start, profiler.stop,
            lambda: profiler.output_text(unicode=True, color=False, show_all=False), "")


def _profiled(self, rerun_data):
    start, stop, report, suffix = (_cprofile if _PROFILE_CPU else _pyinstrument)()
    cpu = time.thread_time()
    start()
    try:
        return _original(self, rerun_data)
    finally:
        stop()
        cpu = time.thread_time() - cpu
        if cpu >= _PROFILE_MIN_CPU:
            name = f"{next(_count):05d}-{_page(rerun_data)[:40]}-{cpu * 1000:.0f}ms{suffix}.txt"
            with open(os.path.join(_PROFILE_DIR, name), "w", encoding="utf-8") as fh:
                fh.write(report())


_log_file = []  # the run log, opened once (opening it for every run cost the server CPU)


def _timed_run_script(self, rerun_data):
    start, cpu = time.perf_counter(), time.thread_time()
    try:
        return (_profiled if _PROFILE_DIR else _original)(self, rerun_data)
    finally:
        seconds, cpu = time.perf_counter() - start, time.thread_time() - cpu
        with _lock:
            if not _log_file:
                _log_file.append(open(_LOG, "a", encoding="utf-8", buffering=1))  # noqa: SIM115
            _log_file[0].write(f"{time.time():.3f}\t{seconds:.4f}\t{_page(rerun_data)}\t"
                               f"{cpu:.4f}\n")


if _LOG:
    script_runner.ScriptRunner._run_script = _timed_run_script

if __name__ == "__main__":
    sys.exit(main())
