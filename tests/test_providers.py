"""Embedding providers against a real OpenAI-compatible HTTP server on loopback.

The server (tests/fake_openai_server.py) speaks OpenAI's wire format and serves real MiniLM
vectors, so the official ``openai`` client, HTTP, base64 decoding and batching all run. Fault
injection covers each error a student could meet; short timeouts and one retry keep it fast.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from embedding.models.providers import (
    ProviderConfigError,
    ProviderError,
    ProviderSpec,
    SbertProvider,
    configured_specs,
    make_provider,
    parse_settings,
)
from embedding.models.remote import OpenAIProvider, batches
from tests.fake_openai_server import MODEL_NAME, FakeOpenAI

TEXTS = ["milk chocolate", "chocolate milk", "dog bites man", "man bites dog", "a film about space"]


@pytest.fixture(scope="module")
def server(model):
    with FakeOpenAI(model, hang_seconds=5.0) as s:
        yield s


def provider(server, tmp_path, *, key=None, model_name=MODEL_NAME, batch_size=256, timeout=2.0,
             retries=1, dimensions=None) -> OpenAIProvider:
    spec = ProviderSpec("Fake OpenAI", model=model_name, base_url=server.base_url,
                        batch_size=batch_size, dimensions=dimensions)
    return OpenAIProvider(spec, api_key=server.key if key is None else key,
                          cache_dir=tmp_path, timeout=timeout, max_retries=retries)


def test_vectors_equal_local_sbert_through_the_real_client(server, model, tmp_path):
    p = provider(server, tmp_path, batch_size=2)
    before = server.requests
    rows = p.embed(TEXTS)
    local = SbertProvider(model).embed(TEXTS)
    assert rows.shape == (5, 384) and rows.dtype == np.float32
    assert np.allclose(rows, local, atol=1e-6)  # the same numbers, through HTTP and base64
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-6)
    assert server.requests - before == 3  # 5 texts in batches of 2
    body = server.bodies[-1]
    assert body["model"] == MODEL_NAME and body["encoding_format"] == "base64"
    assert body["input"] == ["a film about space"]
    assert server.headers[-1]["authorization"] == f"Bearer {server.key}"
    assert p.dim == 384


def test_second_identical_request_makes_no_http_call(server, tmp_path):
    p = provider(server, tmp_path)
    first = p.embed(["the cat sat on the mat", "the cat sat on the mat", "a dog"])
    after_first = server.requests
    again = provider(server, tmp_path).embed(["a dog", "the cat sat on the mat"])  # new process
    assert server.requests == after_first  # served from the disk cache: no HTTP call
    assert server.bodies[-1]["input"] == ["the cat sat on the mat", "a dog"]  # deduplicated
    assert np.array_equal(again, first[[2, 0]])
    assert p.cache.count() == 2


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


@pytest.mark.parametrize("fault, requests, expected", [
    ("401", 1, "refused the API key (401)"),
    ("404", 1, "has no model 'all-MiniLM-L6-v2' (404)"),
    ("500", 2, "answered with an error (500) after 2 tries"),  # the client retried once
    ("truncated", 2, "connection broke off"),
    ("wrong_dim", 1, "returned vectors of 100 numbers; this model gave 384"),
])
def test_faults_give_a_clear_message_and_cache_nothing(server, tmp_path, fault, requests,
                                                       expected):
    p = provider(server, tmp_path)
    p.embed(["known dimension"])  # the model's 384 is now known
    before = server.requests
    server.fail(*[fault] * requests)
    with pytest.raises(ProviderError) as exc:
        p.embed(["a fresh sentence"])
    assert server.requests - before == requests
    assert expected in str(exc.value)
    assert server.key not in str(exc.value)
    assert p.cache.count() == 1  # nothing from the failed call
    assert p.embed(["a fresh sentence"]).shape == (1, 384)  # works again once the server does
    assert server.requests - before == requests + 1


def test_wrong_key_and_missing_model_without_fault_injection(server, tmp_path):
    with pytest.raises(ProviderError, match=r"refused the API key \(401\).*OPENAI_API_KEY"):
        provider(server, tmp_path, key="sk-wrong-key-123456").embed(["a"])
    with pytest.raises(ProviderError, match="has no model 'no-such-model'"):
        provider(server, tmp_path, model_name="no-such-model").embed(["a"])


def test_rate_limit_then_success_is_retried_by_the_client(server, tmp_path):
    p = provider(server, tmp_path)
    before = server.requests
    server.fail("429")
    assert p.embed(["retry me"]).shape == (1, 384)
    assert server.requests - before == 2  # the 429, then the successful retry
    server.fail("429", "429")
    with pytest.raises(ProviderError, match=r"rate-limiting us \(429\) after 2 tries"):
        p.embed(["still limited"])


def test_hanging_server_times_out(server, tmp_path):
    p = provider(server, tmp_path, timeout=0.3, retries=0)
    server.fail("hang")
    with pytest.raises(ProviderError, match=r"did not answer within 0.3 s"):
        p.embed(["slow"])
    assert p.cache.count() == 0


def test_unreachable_server(tmp_path):
    spec = ProviderSpec("Nowhere", model="m", base_url="http://127.0.0.1:9/v1")
    p = OpenAIProvider(spec, api_key="sk-secret-999999", cache_dir=tmp_path, timeout=1,
                       max_retries=0)
    with pytest.raises(ProviderError, match="Could not reach Nowhere"):
        p.embed(["a"])


def test_the_key_is_in_no_log_line_message_or_repr(server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    p = provider(server, tmp_path, retries=0)
    p.embed(["log me"])
    server.fail("401")
    with pytest.raises(ProviderError) as exc:
        p.embed(["log me too"])
    assert server.key not in caplog.text and caplog.records  # the client did log, without it
    assert server.key not in str(exc.value) + repr(p) + p.description + repr(p.spec)


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


def test_a_local_folder_is_a_provider(model, tmp_path):
    from embedding.models.sbert import default_model_dir

    spec = ProviderSpec("Local MiniLM", path=default_model_dir())
    p = make_provider(spec, api_key=None, cache_dir=tmp_path)
    assert p.key == "st:local-minilm" and not p.remote and p.dim == 384
    assert np.allclose(p.embed(["a cat"]), SbertProvider(model).embed(["a cat"]), atol=1e-6)
