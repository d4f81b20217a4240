"""ui/server_tuning: Streamlit's per-run config lookups answered from memory, and still right."""

from __future__ import annotations

from streamlit import config

from ui import server_tuning

SECTIONS = ["theme", "theme.light", "theme.dark", "theme.sidebar", "theme.light.sidebar",
            "theme.dark.sidebar", "server", "client"]


def test_same_answers_and_no_scan_after_the_first(monkeypatch):
    server_tuning.install()
    original = config.get_options_for_section.__wrapped__
    for section in SECTIONS:
        assert config.get_options_for_section(section) == original(section), section
    scans = []
    real = config.get_config_options
    monkeypatch.setattr(config, "get_config_options",
                        lambda *a, **k: scans.append(1) or real(*a, **k))
    for _ in range(3):
        for section in SECTIONS:
            config.get_options_for_section(section)
    assert scans == [], "every run still scans all config options"
    mine = config.get_options_for_section("theme")
    mine["primaryColor"] = "#000000"  # a caller's dict is its own
    assert config.get_options_for_section("theme")["primaryColor"] != "#000000"


def test_an_option_set_later_is_seen():
    server_tuning.install()
    server_tuning.install()  # idempotent
    before = config.get_option("theme.linkColor")
    assert config.get_options_for_section("theme")["linkColor"] == before
    try:
        config.set_option("theme.linkColor", "#123456")
        assert config.get_options_for_section("theme")["linkColor"] == "#123456"
    finally:
        config.set_option("theme.linkColor", before)
    assert config.get_options_for_section("theme")["linkColor"] == before
