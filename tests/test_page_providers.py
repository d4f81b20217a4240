"""Pages with an OpenAI-compatible provider configured by environment variables.

The provider is the loopback server of tests/fake_openai_server.py serving MiniLM, so its
cosines must equal SBERT's: a column that shows them proves the whole path (settings → client →
HTTP → cache → page) works. Short timeouts and one retry keep failures fast.
"""

from __future__ import annotations

import pytest

from tests.apptest import open_page, shown_text
from tests.fake_openai_server import MODEL_NAME, FakeOpenAI


@pytest.fixture(scope="module")
def server(model):
    with FakeOpenAI(model) as s:
        yield s


@pytest.fixture
def configured(server, monkeypatch, tmp_path):
    """A provider configured the way an instructor would, fresh caches (memory and disk)."""
    from ui import cached, resources

    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    monkeypatch.setenv("EMBEDDING_EXPLORER_OPENAI_MODEL", MODEL_NAME)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", server.key)
    monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDER_TIMEOUT", "3")
    monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDER_RETRIES", "1")
    for fn in (resources._configured_provider, cached.embed_rows):
        fn.clear()
    yield server
    for fn in (resources._configured_provider, cached.embed_rows):
        fn.clear()


def test_nothing_configured_shows_no_choice_and_calls_nobody(monkeypatch, kv, model):
    monkeypatch.delenv("EMBEDDING_EXPLORER_OPENAI_MODEL", raising=False)
    monkeypatch.delenv("EMBEDDING_EXPLORER_PROVIDERS", raising=False)
    at = open_page("pages/sentence_similarity.py")
    assert not at.exception and not at.radio
    assert "What leaves this server" not in shown_text(at)
    table = open_page("pages/word_order.py").dataframe[0].value
    assert list(table.columns) == ["pair", "GloVe average", "SBERT", "same words?"]


def test_word_order_table_has_a_column_per_configured_model(configured, kv, model):
    at = open_page("pages/word_order.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["pair", "GloVe average", "SBERT", MODEL_NAME, "same words?"]
    # the same MiniLM through HTTP: the same cosines, pair by pair
    assert (table[MODEL_NAME] - table["SBERT"]).abs().max() < 1e-3
    text = shown_text(at)
    assert f"What leaves this server: the texts embedded with {MODEL_NAME}" in text.replace("**", "").replace("\\", "")
    assert configured.key not in text
    calls = configured.requests
    open_page("pages/word_order.py")  # a second visit: cached, no call
    assert configured.requests == calls


def test_sentence_page_offers_the_provider_beside_sbert(configured, kv, model):
    at = open_page("pages/sentence_similarity.py")
    sbert = at.metric[0].value
    radio = at.radio(key="sent_provider")
    assert radio.value == "sbert" and len(radio.options) == 2  # SBERT stays the default
    at = radio.set_value(f"api:{MODEL_NAME.lower()}").run()
    assert not at.exception
    assert at.metric[0].label == f"{MODEL_NAME} cosine"
    assert abs(float(at.metric[0].value) - float(sbert)) <= 0.001
    assert configured.key not in shown_text(at)


def test_a_wrong_key_is_a_message_and_sbert_still_works(configured, monkeypatch, kv, model):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-0000000000")
    at = open_page("pages/word_order.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert MODEL_NAME not in table.columns and "SBERT" in table.columns
    assert any("refused the API key (401)" in w.value for w in at.warning)
    at = open_page("pages/sentence_similarity.py")
    at = at.radio(key="sent_provider").set_value(f"api:{MODEL_NAME.lower()}").run()
    assert not at.exception
    assert any("refused the API key" in e.value and "Pick SBERT" in e.value for e in at.error)
    at = at.radio(key="sent_provider").set_value("sbert").run()
    assert not at.error and at.metric[0].label == "SBERT cosine"
    assert "sk-wrong" not in shown_text(at)


def test_heatmap_and_map_of_sentences_with_the_provider(configured, kv, model):
    key = f"api:{MODEL_NAME.lower()}"
    at = open_page("pages/heatmap.py", {"heat_kind": "Sentences"})
    at = at.radio(key="heat_provider").set_value(key).run()
    assert not at.exception
    assert f"Cosine similarity ({MODEL_NAME})" in at.get("plotly_chart")[0].proto.spec
    at = open_page("pages/embedding_map.py", {"map_set": "sentences", "map_method": "pca"})
    at = at.radio(key="map_provider").set_value(key).run()
    assert not at.exception
    assert f"384-d {MODEL_NAME}" in shown_text(at)


@pytest.mark.slow  # embeds a whole built-in corpus through the provider: make test, not make check
def test_semantic_search_of_a_built_in_corpus_with_the_provider(configured, model, monkeypatch):
    monkeypatch.setenv("EMBEDDING_EXPLORER_PROVIDER_TIMEOUT", "60")  # a corpus, on a busy CPU
    at = open_page("pages/semantic_search.py", {"search_corpus": "lectures",
                                                "search_q": "how does a vector store rank"})

    def results(at) -> list:
        return at.dataframe[0].value[["title", "score"]].values.tolist()

    sbert = results(at)
    before = configured.requests
    at = at.radio(key="search_provider").set_value(f"api:{MODEL_NAME.lower()}").run()
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
    at = at.radio(key="rec_provider").set_value(f"api:{MODEL_NAME.lower()}").run()
    assert not at.exception
    assert any("refused the API key (401)" in e.value for e in at.error)
    assert "sk-wrong" not in shown_text(at)


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
