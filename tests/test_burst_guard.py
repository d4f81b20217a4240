"""Regression guard for issue 14 ("everybody, click now"): a page a class opens together costs
no expensive call once one session has seen it.

For every page of the catalogue (and each of its tabs, opened by its link), one session
opens it with its default inputs (filling the shared caches); then a second, fresh session
opens the same page and reruns it. That second
session must not scan the 400,000 GloVe words, encode with SBERT, fit UMAP or t-SNE, train
Word2Vec or draw a QR code: each such call is counted at the library boundary, whatever code
path makes it.
Counts, not timings: this test fails the same way on a fast or a busy machine.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.apptest import open_page, tab_links

#: (module, attribute, what it is): the calls that cost tens of ms to seconds each.
EXPENSIVE = [
    ("gensim.models.keyedvectors", "KeyedVectors.most_similar", "neighbour scan"),
    ("gensim.models.keyedvectors", "KeyedVectors.most_similar_cosmul", "neighbour scan"),
    ("gensim.models.keyedvectors", "KeyedVectors.rank", "neighbour scan"),
    ("gensim.models.keyedvectors", "KeyedVectors.closer_than", "neighbour scan"),
    ("embedding.words.axes", "baseline", "scan of the frequent words"),
    ("embedding.words.axes", "extremes", "scan of the frequent words"),
    ("sentence_transformers", "SentenceTransformer.encode", "SBERT encode"),
    ("embedding.sentences.wordpiece", "tokenize_pair", "WordPiece tokenization"),
    ("embedding.sentences.wordpiece", "vocab_facts", "scan of the 30,522 WordPieces"),
    ("umap", "UMAP.fit", "UMAP"),
    ("sklearn.manifold", "TSNE.fit_transform", "t-SNE"),
    ("embedding.recsys.word2vec", "train_word2vec", "Word2Vec training"),
    ("segno", "make", "QR code"),
]


def _pages() -> list[str]:
    from tests.apptest import ROOT
    from ui.catalog import available

    return [p.path for p in available(ROOT)]


@pytest.fixture
def counted(monkeypatch):
    """Count calls of every :data:`EXPENSIVE` function while the test runs."""
    import importlib

    calls: Counter[str] = Counter()
    for module, attr, what in EXPENSIVE:
        owner = importlib.import_module(module)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        def wrapper(*args, __original=original, __what=f"{what} ({attr})", **kwargs):
            calls[__what] += 1
            return __original(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)
    return calls


@pytest.mark.slow  # opens every page twice: `make test` and CI, not the `make check` lane
@pytest.mark.parametrize("page", _pages())
def test_a_second_session_costs_no_expensive_call(page, request):
    first = open_page(page)  # the instructor (or the first student) opens it
    assert not first.exception, first.exception
    # "now open the second tab": a page draws only its open tab, so each is opened by its link
    tabs = [{key: str(n)} for key, labels in tab_links(first).items()
            for n in range(2, len(labels) + 1)]
    for query in tabs:
        assert not open_page(page, query).exception
    calls = request.getfixturevalue("counted")
    for query in [{}, *tabs]:
        second = open_page(page, query)  # a fresh session, same default inputs
        assert not second.exception, second.exception
        second.run()  # and a rerun (a widget interaction that changed nothing expensive)
        assert not second.exception, second.exception
        assert dict(calls) == {}, f"{page} {query}: a second session repeated {dict(calls)}"
