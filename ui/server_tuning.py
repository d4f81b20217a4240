"""Work Streamlit repeats on every script run that this server does once.

Every run of every session (a page open, a widget change, each tick of a ``run_every``
fragment such as a live class's version check) starts with a ``new_session`` message, and
Streamlit fills its theme part by calling ``config.get_options_for_section`` six times, each a
scan of all ~370 config options under the config lock: ~0.3 ms a call, about 1-3 ms of every
run (measured with ``bench/load_test.py --arrival-cost`` and a profile of the live-class tick;
the numbers are in docs/load.md). The options only change when the config is set or parsed
again, so the answer is kept per section until then.

    from ui import server_tuning; server_tuning.install()   # app.py, once per process
"""

from __future__ import annotations

import threading
from typing import Any

from streamlit import config

_lock = threading.Lock()
_state: dict[str, Any] = {"installed": False, "version": 0, "cache": {}}


def install() -> None:
    """Install the memoised lookups (idempotent, thread-safe)."""
    with _lock:
        if _state["installed"]:
            return
        original_get = config.get_options_for_section
        original_set = config._set_option

        def get_options_for_section(section: str) -> dict[str, Any]:
            if config._config_options is None:  # not parsed yet: parse before keying on it
                config.get_config_options()
            key = (section, id(config._config_options), _state["version"])
            hit = _state["cache"].get(key)
            if hit is None:
                hit = original_get(section)
                with _lock:
                    if len(_state["cache"]) > 64:  # a reparsed config leaves old keys behind
                        _state["cache"].clear()
                    _state["cache"][key] = hit
            return dict(hit)  # callers get their own dict, as from the original

        def _set_option(key: str, value: Any, where_defined: str) -> None:
            original_set(key, value, where_defined)
            _state["version"] += 1  # any option set (st.set_option, a config parse) invalidates

        get_options_for_section.__wrapped__ = original_get  # type: ignore[attr-defined]
        config.get_options_for_section = get_options_for_section
        config._set_option = _set_option
        _state["installed"] = True
