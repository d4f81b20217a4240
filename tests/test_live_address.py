"""The join link's address (embedding.classroom.address): what students open, whatever address
the instructor's browser used."""

from __future__ import annotations

import pytest

from embedding.classroom.address import is_loopback, join_base


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.1", "::1", "[::1]",
                                  "app.localhost", "LOCALHOST"])
def test_loopback_names(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["192.168.1.20", "class.example.org", "", "10.0.0.1"])
def test_not_loopback(host):
    assert not is_loopback(host)


def test_localhost_gives_the_network_address_with_a_hint():
    a = join_base("http://localhost:8501/live_class?class=KAXFEP", network_ip="192.168.1.20")
    assert a.base == "http://192.168.1.20:8501/live_class" and a.reachable
    assert "192.168.1.20:8501" in a.hint and "same network (Wi-Fi)" in a.hint


def test_a_server_listening_on_loopback_only_says_phones_cannot_join():
    a = join_base("http://127.0.0.1:8711/live_class", network_ip="192.168.1.20",
                  listen_address="127.0.0.1")
    assert not a.reachable and a.base == "http://127.0.0.1:8711/live_class"
    assert "make run" in a.hint


def test_localhost_without_a_network_says_so():
    a = join_base("http://localhost:8501/live_class", network_ip=None)
    assert not a.reachable and "EMBEDDING_EXPLORER_PUBLIC_URL" in a.hint
    assert not join_base("http://localhost:8501/", network_ip="127.0.1.1").reachable


def test_the_public_address_wins_and_says_when_it_differs():
    a = join_base("http://localhost:8501/live_class", "https://class.example.org/live_class/",
                  network_ip="192.168.1.20", listen_address="127.0.0.1")
    assert a.base == "https://class.example.org/live_class" and a.reachable
    assert "https://class.example.org" in a.hint and "http://localhost:8501" in a.hint
    same = join_base("https://class.example.org/live_class", "https://class.example.org")
    assert same.base == "https://class.example.org/live_class" and same.hint == ""


def test_an_address_others_can_reach_is_kept_as_it_is():
    a = join_base("http://192.168.1.20:8501/live_class", network_ip="192.168.1.20")
    assert (a.base, a.hint, a.reachable) == ("http://192.168.1.20:8501/live_class", "", True)
    assert join_base("https://class.example.org/live_class").base == \
        "https://class.example.org/live_class"
