"""Embedding providers against a real OpenAI-compatible HTTP server on loopback.

The server (tests/fake_openai_server.py) speaks OpenAI's wire format and serves real MiniLM
vectors, so the official ``openai`` client, HTTP, base64 decoding and batching all run. Fault
injection covers each error a student could meet; short timeouts and one retry keep it fast.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from embedding.models.check import format_report
from embedding.models.providers import (
    ProviderConfigError,
    ProviderError,
    ProviderSpec,
    ProviderUnavailable,
    SbertProvider,
    configured_specs,
    is_openai_host,
    make_provider,
    parse_settings,
)
from embedding.models.remote import CHECK_TEXT, OpenAIProvider, batches
from tests.fake_openai_server import MODEL_NAME, FakeOpenAI

TEXTS = ["milk chocolate", "chocolate milk", "dog bites man", "man bites dog", "a film about space"]


@pytest.fixture(scope="module")
def server(model):
    with FakeOpenAI(model, hang_seconds=5.0) as s:
        yield s


class Clock:
    """time.monotonic, plus whatever a test adds (to end a breaker's window without waiting)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def provider(server, tmp_path, *, key=None, model_name=MODEL_NAME, batch_size=256, deadline=5.0,
             retries=1, dimensions=None, clock=time.monotonic, cooldown=30.0,
             **options) -> OpenAIProvider:
    spec = ProviderSpec("Fake OpenAI", model=model_name, base_url=server.base_url,
                        batch_size=batch_size, dimensions=dimensions,
                        api_key_env="FAKE_OPENAI_KEY")
    return OpenAIProvider(spec, api_key=server.key if key is None else key,
                          cache_dir=tmp_path, deadline=deadline, max_retries=retries,
                          clock=clock, cooldown=cooldown, **options)


def test_vectors_equal_local_sbert_through_the_real_client(server, model, tmp_path):
    p = provider(server, tmp_path, batch_size=2)
    before = server.requests
    rows = p.embed(TEXTS)
    local = SbertProvider(model).embed(TEXTS)
    assert rows.shape == (5, 384) and rows.dtype == np.float32
    assert np.allclose(rows, local, atol=1e-6)  # the same numbers, through HTTP and base64
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-6)
    # a first contact is a one-text probe, then batches of 2
    assert [b["input"] for b in server.bodies[before:]] == [TEXTS[:1], TEXTS[1:3], TEXTS[3:]]
    body = server.bodies[-1]
    assert body["model"] == MODEL_NAME and body["encoding_format"] == "base64"
    assert server.headers[-1]["authorization"] == f"Bearer {server.key}"
    assert p.dim == 384 and p.status().state == "closed" and not p.notices


def test_the_cache_is_served_only_after_the_key_was_accepted_once(server, tmp_path):
    p = provider(server, tmp_path)
    first = p.embed(["the cat sat on the mat", "the cat sat on the mat", "a dog"])
    after_first = server.requests
    assert server.bodies[-1]["input"] == ["a dog"]  # deduplicated: the probe took the first
    again = provider(server, tmp_path)  # a new process, the same disk cache
    rows = again.embed(["a dog", "the cat sat on the mat"])
    # one text goes to the server to check the key, the rest comes from the disk cache
    assert server.requests == after_first + 1 and server.bodies[-1]["input"] == ["a dog"]
    assert np.allclose(rows, first[[2, 0]], atol=1e-6)
    again.embed(["the cat sat on the mat"])
    assert server.requests == after_first + 1  # checked once per process
    assert p.cache.count() == 2
    # a wrong key in a new process: the cached texts do not make it look right
    wrong = provider(server, tmp_path, key="sk-wrong-key-0000000000")
    with pytest.raises(ProviderError, match=r"refused the API key \(401\)") as exc:
        wrong.embed(["a dog", "the cat sat on the mat"])
    assert exc.value.kind == "auth" and wrong.status().state == "open"


def test_fifty_students_at_once_cost_one_call(server, tmp_path):
    p = provider(server, tmp_path)
    before = server.requests
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: p.embed(["what is an embedding?"]), range(50)))
    assert server.requests - before == 1
    assert all(np.array_equal(r, results[0]) for r in results)


def test_string_input_and_float_format_follow_the_wire_format(server):
    from openai import OpenAI

    client = OpenAI(api_key=server.key, base_url=server.base_url, max_retries=0)
    resp = client.embeddings.create(model=MODEL_NAME, input="milk chocolate",
                                    encoding_format="float")
    assert resp.object == "list" and resp.model == MODEL_NAME
    assert [d.index for d in resp.data] == [0] and len(resp.data[0].embedding) == 384
    assert resp.usage.prompt_tokens == resp.usage.total_tokens == 2
    import openai

    with pytest.raises(openai.BadRequestError) as exc:
        client.embeddings.create(model=MODEL_NAME, input="")
    assert exc.value.status_code == 400 and exc.value.body["param"] == "input"


@pytest.mark.parametrize("fault, kind, expected", [
    ("401", "auth", "refused the API key (401)"),
    ("404", "model", "has no model 'all-MiniLM-L6-v2' (404)"),
    ("500", "server", "answered with an error (500)"),  # not tried again
    ("truncated", "unreachable", "connection broke off"),  # not tried again
    ("drop", "unreachable", "connection broke off"),
    ("wrong_dim", "bad_answer", "returned vectors of 100 numbers; this model gave 384"),
])
def test_faults_give_a_clear_message_open_the_breaker_and_cache_nothing(server, tmp_path, fault,
                                                                      kind, expected):
    clock = Clock()
    p = provider(server, tmp_path, retries=2, clock=clock)
    p.embed(["known dimension"])  # the model's 384 is now known
    before = server.requests
    server.fail(fault)
    with pytest.raises(ProviderError) as exc:
        p.embed(["a fresh sentence"])
    assert server.requests - before == 1  # tried once, although two retries are allowed
    assert expected in str(exc.value) and exc.value.kind == kind
    assert server.key not in str(exc.value)
    assert p.cache.count() == 1  # nothing from the failed call
    # every session is now told at once, without contacting the server
    with pytest.raises(ProviderUnavailable, match="skipped for now"):
        p.embed(["yet another sentence"])
    assert server.requests - before == 1 and p.status().state == "open"
    clock.advance(30)  # the window is over: the next request is the one probe
    assert p.embed(["a fresh sentence"]).shape == (1, 384)
    assert server.requests - before == 2 and p.status().state == "closed"


def test_wrong_key_and_missing_model_without_fault_injection(server, tmp_path):
    with pytest.raises(ProviderError, match=r"refused the API key \(401\).*FAKE_OPENAI_KEY"):
        provider(server, tmp_path, key="sk-wrong-key-123456").embed(["a"])
    with pytest.raises(ProviderError, match="has no model 'no-such-model'"):
        provider(server, tmp_path, model_name="no-such-model").embed(["a"])


def test_a_rate_limit_is_tried_again_after_its_retry_after_within_the_deadline(server, tmp_path):
    p = provider(server, tmp_path)
    p.embed(["warm"])
    before = server.requests
    server.fail("429")  # retry-after-ms: 10
    assert p.embed(["retry me"]).shape == (1, 384)
    assert server.requests - before == 2  # the 429, then the successful retry
    server.fail("429", "429")
    with pytest.raises(ProviderError, match=r"rate-limiting us \(429\) after 2 tries"):
        p.embed(["still limited"])
    assert server.requests - before == 4


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(model, tmp_path):
    with FakeOpenAI(model, retry_after={"retry-after": "120"}) as server:
        p = provider(server, tmp_path, deadline=3.0, retries=3)
        server.fail("429")
        t0 = time.monotonic()
        with pytest.raises(ProviderError, match=r"asks to wait 120.0 s; the deadline is 3 s"):
            p.embed(["busy"])
        assert time.monotonic() - t0 < 3.0  # it did not sit out the deadline either
        assert server.requests == 1
        s = p.status()
        assert s.state == "open" and s.retry_in > 100  # skipped as long as the server asked


def test_a_hanging_server_is_asked_once_and_the_deadline_covers_every_try(server, tmp_path):
    clock = Clock()
    p = provider(server, tmp_path, deadline=0.5, retries=2, clock=clock)
    before = server.requests
    server.always = "hang"
    try:
        with pytest.raises(ProviderError, match=r"did not answer within 0.5 s \(one deadline "
                                                r"for the whole action, 1 try made\)"):
            p.embed(["slow"])
        assert server.requests - before == 1  # never a second try at a server that timed out
        # ten sessions asking other texts at once: skipped at once, nobody contacts it
        with ThreadPoolExecutor(10) as pool:
            futures = [pool.submit(p.embed, [f"text {i}"]) for i in range(10)]
        for f in futures:
            with pytest.raises(ProviderUnavailable, match="did not answer within 0.5 s"):
                f.result()
        assert server.requests - before == 1
        clock.advance(30)  # one window later: exactly one probe, and it hangs again
        with ThreadPoolExecutor(10) as pool:
            futures = [pool.submit(p.embed, [f"text {i}"]) for i in range(10)]
        errors = [f.exception() for f in futures]
        assert all(isinstance(e, ProviderError) for e in errors)
        assert server.requests - before == 2
        assert p.status().cooldown == 60  # still down: the next window is twice as long
    finally:
        server.always = None
    assert p.cache.count() == 0


def test_ten_sessions_meeting_a_hanging_server_first_contact_it_once(server, tmp_path):
    p = provider(server, tmp_path, deadline=0.5)  # a fresh process: not checked yet
    before = server.requests
    server.always = "hang"
    try:
        futures = [p.submit(["the same texts", "for everyone"]) for _ in range(5)]
        futures += [p.submit([f"sentence of student {i}"]) for i in range(5)]
        assert not any(f.done() for f in futures)  # nobody waits for them: futures
        for f in futures:
            assert isinstance(f.exception(10), ProviderError)
    finally:
        server.always = None
    # the same texts shared one request; the others waited for that probe's verdict
    assert server.requests - before == 1


def test_a_slow_answer_within_the_deadline_is_an_answer(server, tmp_path):
    p = provider(server, tmp_path, deadline=5.0)
    server.slow_seconds = 0.3
    server.fail("slow")
    assert p.embed(["slowly but surely"]).shape == (1, 384)
    assert p.status().state == "closed" and p.status().latency >= 0.3


def test_a_refused_connection_is_tried_again_briefly(tmp_path):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = ProviderSpec("Nowhere", model="m", base_url=f"http://127.0.0.1:{port}/v1")
    p = OpenAIProvider(spec, api_key="sk-secret-999999", cache_dir=tmp_path, deadline=5,
                       max_retries=2)
    with pytest.raises(ProviderError, match=r"connection was refused \(3 tries\)") as exc:
        p.embed(["a"])
    assert exc.value.kind == "unreachable" and p.status().state == "open"


def test_the_key_is_in_no_log_line_message_or_repr(server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    p = provider(server, tmp_path, retries=0)
    p.embed(["log me"])
    server.fail("401")
    with pytest.raises(ProviderError) as exc:
        p.embed(["log me too"])
    assert server.key not in caplog.text and caplog.records  # the client did log, without it
    assert server.key not in str(exc.value) + repr(p) + p.description + repr(p.spec)


def test_answers_that_are_not_the_declared_model_are_reported_once(model, tmp_path):
    reference = SbertProvider(model).embed
    with FakeOpenAI(model, key=None, any_model=True) as server:  # like Infinity with one model
        spec = ProviderSpec("Colleague", model="no-such-model", base_url=server.base_url,
                            dimensions=None)
        p = OpenAIProvider(spec, api_key=None, cache_dir=tmp_path, reference=reference,
                           reference_name="all-MiniLM-L6-v2")
        p.embed(["a sentence"])
        p.embed(["another sentence", "and one more"])
        assert len(p.notices) == 2  # reported once, not once per request
        assert "asked for model 'no-such-model' but says it answered with 'all-MiniLM-L6-v2'" \
            in p.notices[0]
        assert "exactly the built-in SBERT's vectors" in p.notices[1]
        declared = OpenAIProvider(ProviderSpec("Big", model="text-embedding-3-large",
                                               base_url=server.base_url), api_key=None,
                                  cache_dir=tmp_path)
        assert declared.dim == 3072  # what the caption says before the first answer
        declared.embed(["a sentence"])
        assert declared.dim == 384
        assert any("declared with 3072 numbers per vector but answers with 384" in n
                   for n in declared.notices)
        assert any("same vectors as Colleague (no-such-model)" in n for n in declared.notices)


def test_the_instructors_check(server, model, tmp_path):
    p = provider(server, tmp_path, reference=SbertProvider(model).embed,
                 reference_name="all-MiniLM-L6-v2")
    before = server.requests
    report = p.check()
    assert report.ok and report.reachable and report.key_accepted and report.dim == 384
    assert report.latency > 0 and "the key was accepted" in report.message
    assert server.bodies[-1]["input"] == [CHECK_TEXT] and server.requests == before + 1
    wrong = provider(server, tmp_path, key="sk-wrong-key-0000000000").check()
    assert not wrong.ok and wrong.reachable and wrong.key_accepted is False
    assert (report.key_note, wrong.key_note) == ("yes", "no")
    with FakeOpenAI(model, key=None) as open_server:  # a colleague's server: no key sent
        keyless = OpenAIProvider(ProviderSpec("Colleague", model=MODEL_NAME,
                                              base_url=open_server.base_url),
                                 api_key=None, cache_dir=tmp_path).check()
    assert keyless.ok and keyless.key_note == "no key sent"
    assert "key accepted   no key sent" in format_report(keyless)
    hanging = provider(server, tmp_path, deadline=0.3)
    server.fail("hang")
    report = hanging.check()
    assert report.reachable is None and "did not answer within 0.3 s" in report.message
    assert hanging.status().state == "open"
    spec = ProviderSpec("Nowhere", model="m", base_url="http://127.0.0.1:9/v1")
    report = OpenAIProvider(spec, api_key=None, cache_dir=tmp_path, max_retries=0).check()
    assert report.reachable is False and not report.ok


def test_batches_respect_inputs_and_characters():
    assert list(batches(["a", "b", "c"], 2)) == [["a", "b"], ["c"]]
    assert list(batches(["aaaa", "bb", "cc", "d"], 10, max_chars=4)) == [["aaaa"], ["bb", "cc"],
                                                                         ["d"]]
    assert sum(len(b) for b in batches([str(i) for i in range(5000)], 2048)) == 5000


def test_settings_file_and_environment(tmp_path):
    assert configured_specs(None, None, None) == []  # nothing configured: nothing calls out
    settings = tmp_path / "providers.toml"
    settings.write_text('[[provider]]\nname = "OpenAI large"\nmodel = "text-embedding-3-large"\n'
                        'dimensions = 1024\n\n[[provider]]\nname = "My MiniLM"\n'
                        f'path = "{tmp_path}"\n')
    specs = configured_specs(str(settings), "text-embedding-3-small", "http://localhost:1/v1")
    assert [s.key for s in specs] == ["api:text-embedding-3-small", "api:openai-large",
                                      "st:my-minilm"]
    assert specs[0].base_url == "http://localhost:1/v1" and specs[1].dimensions == 1024
    assert [s.remote for s in specs] == [True, True, False]
    with pytest.raises(ProviderConfigError, match="do not write the key"):
        parse_settings('[[provider]]\nname = "x"\nmodel = "m"\napi_key = "sk-1"\n')
    with pytest.raises(ProviderConfigError, match="either model"):
        parse_settings('[[provider]]\nname = "x"\n')
    with pytest.raises(ProviderConfigError, match="not valid TOML"):
        parse_settings("[[provider]\n")
    with pytest.raises(ProviderConfigError, match="same name"):
        configured_specs(str(settings), "OpenAI large", None)


def test_which_key_a_provider_gets():
    assert is_openai_host("https://api.openai.com/v1") and is_openai_host("https://openai.com")
    for url in ("http://api.openai.com/v1", "https://api.openai.com.evil.example/v1",
                "https://openai.com@evil.example/v1", "http://127.0.0.1:8000/v1", "not a url"):
        assert not is_openai_host(url), url
    env = configured_specs(None, "m", "http://127.0.0.1:1/v1")[0]
    assert env.api_key_env == "OPENAI_API_KEY"  # the one provider that key is meant for
    own, none, openai_host = parse_settings(
        '[[provider]]\nname = "a"\nmodel = "m"\nbase_url = "http://10.0.0.1/v1"\n'
        'api_key_env = "A_KEY"\n'
        '[[provider]]\nname = "b"\nmodel = "m"\nbase_url = "http://10.0.0.2/v1"\n'
        '[[provider]]\nname = "c"\nmodel = "text-embedding-3-small"\n')
    assert (own.api_key_env, none.api_key_env, openai_host.api_key_env) == (
        "A_KEY", "", "OPENAI_API_KEY")
    with pytest.raises(ProviderConfigError, match="would send your OpenAI key to"):
        parse_settings('[[provider]]\nname = "p"\nmodel = "m"\n'
                       'base_url = "https://proxy.example/v1"\napi_key_env = "OPENAI_API_KEY"\n')


def test_a_local_folder_is_a_provider(model, tmp_path):
    from embedding.models.sbert import default_model_dir

    spec = ProviderSpec("Local MiniLM", path=default_model_dir())
    p = make_provider(spec, api_key=None, cache_dir=tmp_path)
    assert p.key == "st:local-minilm" and not p.remote and p.dim == 384
    assert np.allclose(p.embed(["a cat"]), SbertProvider(model).embed(["a cat"]), atol=1e-6)


def test_one_deadline_setting_and_the_retired_per_try_timeout(monkeypatch):
    from embedding import config

    for name in ("EMBEDDING_EXPLORER_PROVIDER_DEADLINE", "EMBEDDING_EXPLORER_PROVIDER_TIMEOUT",
                 "EMBEDDING_EXPLORER_PROVIDER_COOLDOWN", "EMBEDDING_EXPLORER_PROVIDER_RETRIES"):
        monkeypatch.delenv(name, raising=False)
    assert (config.provider_deadline(), config.provider_cooldown(),
            config.provider_retries()) == (10.0, 30.0, 2)
    monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDER_TIMEOUT", "7")  # an old deployment's setting
    assert config.provider_deadline() == 7.0  # now the whole deadline, not per try
    monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDER_DEADLINE", "3")
    assert config.provider_deadline() == 3.0
    monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDER_DEADLINE", "soon")
    assert config.provider_deadline() == 10.0  # not a number: the default, not a crash


def test_hybrid_results_name_the_model_that_ranked_them():
    """With a provider chosen, 'why it matched' names it, not SBERT (truthful labels)."""
    from embedding.search.hybrid import Ranked, why_matched
    from embedding.search.store import Hit

    hit = Hit(id="a", score=0.5, payload={"text": "a film about space travel"})
    ranked = Ranked("hybrid", [hit, Hit(id="b", score=0.4, payload={"text": "space"})],
                    {"a": 2}, {"a": 1, "b": 2})
    why = why_matched(ranked, "space travel", semantic="OpenAI small")
    assert why[0].startswith("OpenAI small #2 · BM25 #1") and "SBERT" not in " ".join(why)
    assert why[1].startswith("OpenAI small: not in its top 100")
    assert why_matched(ranked, "space travel")[0].startswith("SBERT #2")


def test_the_check_command(model, monkeypatch, tmp_path, capsys):
    """``python -m embedding.models.providers check``: one block per provider, no key printed,
    exit 1 for a refused key or a server that answers for another model than it is asked."""
    from embedding.models.check import main

    with FakeOpenAI(model) as env_server, FakeOpenAI(model, key=None, any_model=True) as other:
        settings = tmp_path / "providers.toml"
        settings.write_text(f'[[provider]]\nname = "Other"\nmodel = "no-such-model"\n'
                            f'base_url = "{other.base_url}"\n')
        monkeypatch.setenv("EMBEDDING_EXPLORER_OPENAI_MODEL", MODEL_NAME)
        monkeypatch.setenv("OPENAI_BASE_URL", env_server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", env_server.key)
        monkeypatch.delenv("EMBEDDING_EXPLORER_PROVIDERS", raising=False)
        assert main(["check", "--no-compare"]) == 0
        out = capsys.readouterr().out
        assert "reachable      yes" in out and "key accepted   yes" in out
        assert env_server.key not in out
        monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-2222222222")
        assert main(["check", "--no-compare"]) == 1
        assert "key accepted   no" in capsys.readouterr().out
        monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDERS", str(settings))
        assert main(["check", "--no-compare", "Other"]) == 1
        out = capsys.readouterr().out
        assert "key accepted   no key sent" in out
        assert "! Other was asked for model 'no-such-model'" in out
