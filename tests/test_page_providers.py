"""Pages with an OpenAI-compatible provider configured by environment variables.

The provider is the loopback server of tests/fake_openai_server.py serving MiniLM, so its
cosines must equal SBERT's: a column that shows them proves the whole path (settings → client →
HTTP → cache → page) works. Short timeouts and one retry keep failures fast.
"""

from __future__ import annotations

import pytest

from tests.apptest import ROOT, open_page, shown_text
from tests.fake_openai_server import MODEL_NAME, FakeOpenAI


@pytest.fixture(scope="module")
def server(model):
    with FakeOpenAI(model) as s:
        yield s


KEY = f"api:{MODEL_NAME.lower()}"
SENTENCES = ["A man is playing a guitar.", "Someone is performing music."]


def settle() -> None:
    """Wait until every request to every configured provider and every background job that
    needs one have finished (on the requests themselves, never a sleep)."""
    from ui import providers, resources

    for _ in range(10):
        flights = []
        for spec in resources.provider_specs():
            if spec.remote:
                running = resources.provider(spec.key)._flights
                with running._lock:
                    flights += running._running.values()
        jobs = [f for f in providers._JOBS.values() if not f.done()]
        if not flights and not jobs:
            return
        for f in flights + jobs:
            f.exception(60)


def finish(at):
    """The page again once the provider has answered (or failed), as often as it says it is
    waiting: what a student sees when the waiting note reruns it."""
    for _ in range(5):
        settle()
        at = at.run()
        if "Waiting for" not in plain(at):
            break
    return at


def plain(at) -> str:
    """What the page shows, without markdown's escapes."""
    return shown_text(at).replace("\\", "")


def word_order_texts() -> list[str]:
    import ast

    tree = ast.parse((ROOT / "pages" / "word_order.py").read_text())
    presets = next(n.value for n in tree.body if isinstance(n, ast.Assign)
                   and getattr(n.targets[0], "id", "") == "PRESETS")
    return [t for pair in ast.literal_eval(presets) for t in pair]


@pytest.fixture
def configured(server, monkeypatch, tmp_path):
    """A provider configured the way an instructor would, fresh caches (memory and disk)."""
    from ui import cached, resources

    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    monkeypatch.setenv("EMBEDDING_EXPLORER_OPENAI_MODEL", MODEL_NAME)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", server.key)
    monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDER_DEADLINE", "5")
    monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDER_RETRIES", "1")
    monkeypatch.delenv("EMBEDDING_EXPLORER_PROVIDERS", raising=False)
    for fn in (resources._configured_provider, cached.embed_rows):
        fn.clear()
    yield server
    server.always = None
    for fn in (resources._configured_provider, cached.embed_rows):
        fn.clear()


def test_nothing_configured_shows_no_choice_and_calls_nobody(monkeypatch, kv, model):
    monkeypatch.delenv("EMBEDDING_EXPLORER_OPENAI_MODEL", raising=False)
    monkeypatch.delenv("EMBEDDING_EXPLORER_PROVIDERS", raising=False)
    at = open_page("pages/sentence_similarity.py")
    assert not at.exception and not at.radio
    assert "What leaves this server" not in plain(at)
    table = open_page("pages/word_order.py").dataframe[0].value
    assert list(table.columns) == ["pair", "GloVe average", "SBERT", "same words?"]


def test_word_order_table_fills_in_a_column_per_configured_model(configured, kv, model):
    at = open_page("pages/word_order.py")
    assert not at.exception
    # the built-in table is there at once; the provider's column follows when it answers
    assert "SBERT" in at.dataframe[0].value.columns
    table = finish(at).dataframe[0].value
    assert list(table.columns) == ["pair", "GloVe average", "SBERT", MODEL_NAME, "same words?"]
    # the same MiniLM through HTTP: the same cosines, pair by pair
    assert (table[MODEL_NAME] - table["SBERT"]).abs().max() < 1e-3
    text = shown_text(at)
    assert f"What leaves this server: the texts embedded with {MODEL_NAME}" in text.replace("**", "").replace("\\", "")
    assert configured.key not in text and "Waiting for" not in text
    calls = configured.requests
    open_page("pages/word_order.py")  # a second visit: cached, no call
    assert configured.requests == calls


def test_a_hanging_provider_holds_up_nobody_and_is_asked_once(configured, monkeypatch, kv,
                                                              model):
    monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDER_DEADLINE", "1")
    configured.always = "hang"
    before = configured.requests
    pages = [open_page("pages/word_order.py") for _ in range(3)]
    for at in pages:  # the built-in table and score, without the provider's column
        assert not at.exception
        assert list(at.dataframe[0].value.columns) == ["pair", "GloVe average", "SBERT",
                                                       "same words?"]
        assert at.metric[1].label == "SBERT: cosine"
        assert "Waiting for" in plain(at) and "at most 1 s" in plain(at)
    sentence = open_page("pages/sentence_similarity.py")
    sentence = sentence.radio(key="sent_provider").set_value(KEY).run()
    assert sentence.metric[0].label == "SBERT cosine" and sentence.metric[0].value != "…"
    assert sentence.metric[2].value == "…"
    settle()
    assert configured.requests - before == 1  # one probe for everyone, never a second try
    at = pages[0].run()
    assert "did not answer within 1 s" in plain(at)
    later = open_page("pages/word_order.py")  # a new visitor: told at once, nobody waits
    assert "did not answer within 1 s" in plain(later)
    sentence = sentence.run()  # the chosen provider's column says why, SBERT's score stays
    assert "did not answer within 1 s" in plain(sentence) and "Next check in" in plain(sentence)
    assert sentence.metric[0].label == "SBERT cosine"
    assert configured.requests - before == 1


def test_keys_go_only_where_they_are_meant(configured, model, monkeypatch, tmp_path, kv):
    """OPENAI_API_KEY goes to the provider the environment configures and nowhere else; a
    settings-file provider gets its own api_key_env or no Authorization header at all; the
    OpenAI client's other environment headers reach no other host (recorded headers)."""
    from ui import cached, resources

    with FakeOpenAI(model, key=None) as colleague, \
            FakeOpenAI(model, key="sk-proxy-own-key-0000000000") as proxy:
        settings = tmp_path / "providers.toml"
        settings.write_text(
            f'[[provider]]\nname = "Colleague"\nmodel = "{MODEL_NAME}"\n'
            f'base_url = "{colleague.base_url}"\n\n'
            f'[[provider]]\nname = "Proxy"\nmodel = "{MODEL_NAME}"\n'
            f'base_url = "{proxy.base_url}"\napi_key_env = "PROXY_API_KEY"\n')
        monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDERS", str(settings))
        monkeypatch.setenv("PROXY_API_KEY", proxy.key)
        monkeypatch.setenv("OPENAI_ORG_ID", "org-secret-team")
        monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-secret")
        monkeypatch.setenv("OPENAI_CUSTOM_HEADERS", "X-Team-Secret: hush\nAuthorization: Bearer sk-x")
        resources._configured_provider.clear()
        cached.embed_rows.clear()
        at = finish(open_page("pages/word_order.py"))
        table = at.dataframe[0].value
        assert {MODEL_NAME, "Colleague", "Proxy"} <= set(table.columns)  # all three answered
        assert configured.headers and colleague.headers and proxy.headers
        assert all(h["authorization"] == f"Bearer {configured.key}" for h in configured.headers)
        assert all("authorization" not in h for h in colleague.headers)
        assert all(h["authorization"] == f"Bearer {proxy.key}" for h in proxy.headers)
        for h in colleague.headers + proxy.headers + configured.headers:
            sent = " ".join(f"{k}: {v}" for k, v in h.items())
            assert "secret" not in sent and "hush" not in sent and "sk-x" not in sent
        for h in colleague.headers + proxy.headers:
            assert configured.key not in " ".join(h.values())


def test_sentence_page_shows_the_provider_beside_sbert(configured, kv, model):
    at = open_page("pages/sentence_similarity.py")
    sbert = at.metric[0].value
    radio = at.radio(key="sent_provider")
    assert radio.value == "sbert" and len(radio.options) == 2  # SBERT stays the default
    at = radio.set_value(KEY).run()
    assert not at.exception
    assert at.metric[0].label == "SBERT cosine" and at.metric[0].value == sbert  # at once
    at = finish(at)
    assert at.metric[2].label == f"{MODEL_NAME} cosine"
    assert abs(float(at.metric[2].value) - float(sbert)) <= 0.001
    text = shown_text(at).replace("\\", "")  # (markdown escapes)
    assert configured.key not in text
    assert f"{MODEL_NAME}, 384 numbers" in text  # the chosen model and its dimension
    assert "is answering" in text  # its status line, shared by every session


def test_the_test_button_reports_the_provider(configured, kv, model, monkeypatch):
    from ui import server_jobs

    monkeypatch.setattr(server_jobs, "on_server_machine", lambda: False)  # a student
    at = open_page("pages/sentence_similarity.py")
    at = at.radio(key="sent_provider").set_value(KEY).run()
    assert "is answering" in plain(at) or "not been asked" in plain(at)  # the status line
    assert not [b for b in at.button if b.key == "sent_provider_test"]  # no Test for them
    monkeypatch.setattr(server_jobs, "on_server_machine", lambda: True)  # the instructor
    at = open_page("pages/sentence_similarity.py")
    at = at.radio(key="sent_provider").set_value(KEY).run()
    at = at.button(key="sent_provider_test").click().run()
    assert not at.exception
    report = at.success[0].value
    assert "reachable: **yes**" in report and "dimension: **384**" in report
    assert "key accepted: **yes**" in report and "ms" in report
    assert ["Embedding Explorer checks this provider."] in [b["input"] for b in configured.bodies]


def test_a_wrong_key_is_a_message_and_sbert_still_works(configured, monkeypatch, kv, model):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-0000000000")
    at = finish(open_page("pages/word_order.py"))
    assert not at.exception
    table = at.dataframe[0].value
    assert MODEL_NAME not in table.columns and "SBERT" in table.columns
    assert "refused the API key (401)" in plain(at)
    at = open_page("pages/sentence_similarity.py")
    at = finish(at.radio(key="sent_provider").set_value(KEY).run())
    assert not at.exception and at.metric[0].label == "SBERT cosine"
    assert "refused the API key" in plain(at)
    assert "sk-wrong" not in plain(at)


def test_heatmap_and_map_of_sentences_with_the_provider(configured, kv, model):
    at = open_page("pages/heatmap.py", {"heat_kind": "Sentences"})
    at = finish(at.radio(key="heat_provider").set_value(KEY).run())
    assert not at.exception
    assert f"Cosine similarity ({MODEL_NAME}, 384 numbers)" in at.get("plotly_chart")[0].proto.spec
    at = open_page("pages/embedding_map.py", {"map_set": "sentences", "map_method": "pca"})
    at = finish(at.radio(key="map_provider").set_value(KEY).run())
    assert not at.exception
    assert f"384-d {MODEL_NAME}" in plain(at)


@pytest.mark.slow  # embeds a whole built-in corpus through the provider: make test, not make check
def test_semantic_search_of_a_built_in_corpus_with_the_provider(configured, model, monkeypatch):
    monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDER_DEADLINE", "60")  # a corpus, on a busy CPU
    at = open_page("pages/semantic_search.py", {"search_corpus": "lectures",
                                                "search_q": "how does a vector store rank",
                                                "search_method": "sbert"})  # cosine only

    def results(at) -> list:
        table = at.dataframe[0].value  # "#", the method's score, title, …
        return table[[table.columns[1], "title"]].values.tolist()

    sbert = results(at)
    before = configured.requests
    at = at.radio(key="search_provider").set_value(KEY).run()
    assert "Waiting for" in plain(at) and "to embed" in plain(at)  # nobody is stuck
    at = finish(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    # the 106 chunks went through HTTP in batches; MiniLM served remotely ranks the same way
    assert configured.requests - before >= 2
    assert max(len(b["input"]) for b in configured.bodies[before:]) > 1
    assert results(at) == sbert


def test_recommendations_offer_the_provider_and_explain_its_failure(configured, monkeypatch,
                                                                    model):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-1111111111")
    at = open_page("pages/recommendations.py")
    assert not at.exception and at.radio(key="rec_provider").value == "sbert"
    at = finish(at.radio(key="rec_provider").set_value(KEY).run())
    assert not at.exception
    assert any("refused the API key (401)" in e.value.replace("\\", "") for e in at.error)
    assert "sk-wrong" not in plain(at)


def test_class_map_of_sentences_with_the_provider(configured, kv, model):
    """The live class map draws sentence answers with a chosen provider: same vectors as SBERT
    (the fake serves MiniLM), so the same map; the answers reach the provider's server."""
    import numpy as np

    from ui import classroom

    answers = ("the deep blue sea", "waves on the shore", "a whale sings", "salt water")
    key = f"api:{MODEL_NAME.lower()}"
    before = configured.requests
    mine = classroom.class_map(answers, "sbert", "pca", key)
    assert configured.requests > before  # the provider was asked, not SBERT
    sbert = classroom.class_map(answers, "sbert", "pca")
    assert mine.labels == sbert.labels
    np.testing.assert_allclose(np.abs(mine.coords), np.abs(sbert.coords), atol=1e-3)
