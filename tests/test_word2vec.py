"""Word2Vec trainer and Product2Vec: tokenising, limits, callbacks, determinism, clustering."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from embedding.maps.wordmap import pca_map
from embedding.recsys import baskets as bk
from embedding.recsys import word2vec as w2v
from embedding.recsys.corpus import (
    MAX_TOKENS,
    MAX_UPLOAD_BYTES,
    CorpusError,
    builtin_corpus,
    corpus_from_text,
    corpus_from_upload,
    vocabulary_size,
)
from embedding.recsys.word2vec import (
    ModelCache,
    TrainingTooLargeError,
    Word2VecParams,
    check_budget,
    train_word2vec,
    training_pairs,
    work_units,
)
from tests.conftest import ROOT

SMALL = Word2VecParams(vector_size=16, window=2, epochs=3, min_count=1)
TEXT = "The cat sat on the mat. The dog sat on the log!\nA cat and a dog."
REPEATED = "\n".join([TEXT] * 20)  # 60 sentences, 340 tokens


@pytest.fixture(scope="module")
def product2vec():
    return bk.train_product2vec(bk.load_baskets())


# --- text to corpus -----------------------------------------------------------------------------

def test_corpus_from_text_splits_sentences_and_drops_one_word_ones():
    c = corpus_from_text(TEXT + "\nHello.")
    assert c.sentences == (
        ("the", "cat", "sat", "on", "the", "mat"),
        ("the", "dog", "sat", "on", "the", "log"),
        ("a", "cat", "and", "a", "dog"),
    )
    assert c.n_tokens == 17 and not c.truncated


def test_corpus_is_cut_at_max_tokens_and_says_so():
    c = corpus_from_text(TEXT, max_tokens=8)
    assert c.n_tokens == 8 and c.truncated
    assert c.sentences[1] == ("the", "dog")


def test_same_text_same_key_other_text_other_key():
    assert corpus_from_text(TEXT).key == corpus_from_text(TEXT).key
    assert corpus_from_text(TEXT).key != corpus_from_text(TEXT + " More words.").key


class _CountingSentences(tuple):
    """The sentences of a corpus, counting how often something walks over them."""

    walks = 0

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def test_key_and_token_count_walk_the_corpus_once():
    """A page asks for both on every run: the walk over every token happens once per corpus."""
    import dataclasses

    c = corpus_from_text(TEXT)
    counted = dataclasses.replace(c, sentences=_CountingSentences(c.sentences))
    _CountingSentences.walks = 0
    assert [counted.key for _ in range(3)] == [c.key] * 3
    assert [counted.n_tokens for _ in range(3)] == [17] * 3
    assert _CountingSentences.walks == 2  # one walk for the key, one for the count


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\x00\x01binary", "looks binary"),
        ("caf\u00e9 au lait, s'il vous pla\u00eet".encode("latin-1"), "not UTF-8"),
        (b"x" * (MAX_UPLOAD_BYTES + 1), "at most 2 MB"),
        ("🙂 🙂 42 !!!".encode(), "no sentences"),
        (b"   \n\n ", "no sentences"),
    ],
)
def test_bad_uploads_get_a_clear_message(data, message):
    with pytest.raises(CorpusError, match=message):
        corpus_from_upload(data)


def test_utf8_upload_with_bom_and_other_scripts_is_read():
    c = corpus_from_upload("\ufeffДобрый день. Καλημέρα κόσμε.".encode())
    assert c.sentences == (("добрый", "день"), ("καλημέρα", "κόσμε"))


def test_builtin_corpus_is_the_lee_background_corpus():
    c = builtin_corpus()
    assert c.name == "lee_background"
    assert c.n_tokens == 59_576 and len(c.sentences) == 2_619
    assert vocabulary_size(c, 2) == 4_041


# --- limits -------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["vector_size", "window", "negative", "epochs", "min_count"])
def test_settings_outside_the_limits_are_refused(field):
    with pytest.raises(ValueError, match=field):
        Word2VecParams(**{field: 999}).check()
    with pytest.raises(ValueError, match=field):
        Word2VecParams(**{field: 0}).check()


def test_work_units_and_budget():
    p = Word2VecParams()  # skip-gram, 50 d, window 5, 5 negatives, 10 epochs
    assert work_units(1_000, p) == 1_000 * 10 * 50 * 6 * 3.0
    assert work_units(1_000, Word2VecParams(sg=False)) == 1_000 * 10 * 50 * 6 * 1.0
    check_budget(120_000, p)  # the default settings on a full-size upload fit
    big = Word2VecParams(vector_size=200, window=10, negative=20, epochs=30)
    with pytest.raises(TrainingTooLargeError, match="Lower the epochs"):
        check_budget(120_000, big)


def test_training_refuses_a_corpus_without_repeated_words():
    with pytest.raises(CorpusError, match="at least 5 times"):
        train_word2vec(corpus_from_text(TEXT), Word2VecParams(min_count=5))


# --- skip-gram / CBOW training pairs ------------------------------------------------------------

def test_skipgram_pairs_predict_context_from_centre():
    assert training_pairs(["the", "cat", "sat"], window=1) == [
        ("the", "cat"), ("cat", "the"), ("cat", "sat"), ("sat", "cat")]


def test_cbow_pairs_predict_centre_from_context():
    assert training_pairs(["the", "cat", "sat"], window=1, sg=False) == [
        ("cat", "the"), ("the + sat", "cat"), ("cat", "sat")]


# --- training -----------------------------------------------------------------------------------

def test_callback_reports_every_epoch_with_its_own_loss():
    reports = []
    result = train_word2vec(corpus_from_text(REPEATED), SMALL, reports.append)
    assert [(r.epoch, r.epochs) for r in reports] == [(1, 3), (2, 3), (3, 3)]
    assert reports[-1].fraction == 1.0
    assert [r.loss for r in reports] == list(result.losses)
    assert all(loss > 0 for loss in result.losses)
    assert result.vocab_size == 9 and result.n_sentences == 60


def test_training_is_deterministic_in_process():
    corpus = corpus_from_text(REPEATED)
    a, b = train_word2vec(corpus, SMALL), train_word2vec(corpus, SMALL)
    assert np.array_equal(a.wv.vectors, b.wv.vectors)
    assert a.losses == b.losses


_CHECKSUM = (
    "from embedding.recsys import baskets as bk;"
    "r = bk.train_product2vec(bk.load_baskets());"
    "print(r.wv.index_to_key[:5], float(abs(r.wv.vectors).sum()))"
)


@pytest.mark.slow
def test_training_does_not_depend_on_pythonhashseed():
    outputs = set()
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _CHECKSUM], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True, timeout=120)
        outputs.add(done.stdout)
    assert len(outputs) == 1, outputs


def test_model_cache_trains_once_and_evicts_the_oldest():
    cache = ModelCache(max_entries=2)
    corpus = corpus_from_text(REPEATED)
    first, trained = cache.get_or_train(corpus, SMALL)
    assert trained
    again, trained = cache.get_or_train(corpus, SMALL)
    assert not trained and again is first
    cache.get_or_train(corpus, Word2VecParams(vector_size=8, window=2, epochs=1, min_count=1))
    cache.get_or_train(corpus, Word2VecParams(vector_size=4, window=2, epochs=1, min_count=1))
    assert len(cache) == 2 and cache.get(corpus.key, SMALL) is None


def test_pca_map_of_trained_vectors():
    result = train_word2vec(corpus_from_text(REPEATED), SMALL)
    m = pca_map(result.wv, ["cat", "dog", "mat", "log", "unknownword", "cat"])
    assert m.words == ("cat", "dog", "mat", "log")
    assert m.xy.shape == (4, 2)
    assert 0 < m.explained[1] <= m.explained[0] <= 1
    with pytest.raises(ValueError, match="four words"):
        pca_map(result.wv, ["cat", "dog", "nope"])


def test_umap_map_of_trained_vectors_is_seeded(product2vec):
    from embedding.maps.wordmap import word_map

    names = [p.name for p in bk.PRODUCTS]
    a, b = word_map(product2vec.wv, names, "umap"), word_map(product2vec.wv, names, "umap")
    assert a.method == "umap" and a.explained is None and a.xy.shape == (56, 2)
    assert np.array_equal(a.xy, b.xy)
    with pytest.raises(ValueError, match="Unknown map method"):
        word_map(product2vec.wv, names, "tsne")


# --- Product2Vec --------------------------------------------------------------------------------

def test_generator_is_seeded_and_matches_the_shipped_file():
    assert bk.generate_baskets(5, seed=1) == bk.generate_baskets(5, seed=1)
    assert bk.generate_baskets(5, seed=1) != bk.generate_baskets(5, seed=2)
    shipped = (ROOT / "data" / "baskets.txt").read_text(encoding="utf-8")
    assert shipped == bk.baskets_to_text(bk.generate_baskets())
    assert len(bk.load_baskets()) == bk.N_BASKETS


def test_every_basket_holds_known_distinct_products():
    for basket in bk.load_baskets():
        assert 2 <= len(basket) <= 11
        assert len(set(basket)) == len(basket)
        assert set(basket) <= set(bk.BY_NAME)


def test_products_cluster_by_mission_not_by_aisle(product2vec):
    purity = bk.neighbour_purity(product2vec.wv)
    assert purity.n == len(bk.PRODUCTS) == 56
    assert purity.mission == 1.0  # every product's nearest neighbour is bought with it
    assert purity.aisle < 0.5  # ... while sitting in the same aisle matters much less


@pytest.mark.parametrize("product", [p.name for p in bk.PRODUCTS])
def test_nearest_product_is_from_the_same_mission(product2vec, product):
    nearest, _ = product2vec.wv.most_similar(product, topn=1)[0]
    assert bk.BY_NAME[nearest].mission == bk.BY_NAME[product].mission


def test_customers_also_buy(product2vec):
    hits = bk.also_bought(product2vec.wv, ["spaghetti", "Tomato sauce"], k=4)
    names = [p for p, _ in hits]
    assert "spaghetti" not in names and "tomato_sauce" not in names
    assert {bk.BY_NAME[p].mission for p in names} == {"Italian dinner"}
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_unknown_product_suggests_a_spelling(product2vec):
    from embedding.words.vocab import UnknownWordError

    with pytest.raises(UnknownWordError) as err:
        bk.also_bought(product2vec.wv, ["spagetti"])
    assert "spaghetti" in err.value.suggestions


def test_epoch_losses_are_the_differences_of_gensims_running_total():
    from embedding.recsys.word2vec import _EpochCallback

    class FakeModel:
        totals = iter([10.0, 25.0, 45.0])

        def get_latest_training_loss(self):
            return next(self.totals)

    cb, model = _EpochCallback(3, None), FakeModel()
    for _ in range(3):
        cb.on_epoch_end(model)
    assert cb.losses == [10.0, 15.0, 20.0]


def test_pairs_of_one_position_only():
    tokens = ["the", "cat", "sat", "on", "the", "mat"]
    assert training_pairs(tokens, 2, centre=2) == [
        ("sat", "the"), ("sat", "cat"), ("sat", "on"), ("sat", "the")]
    assert training_pairs(tokens, 1, sg=False, centre=0) == [("cat", "the")]


def test_sequence_corpus_keeps_items_verbatim():
    from embedding.recsys.corpus import corpus_from_sequences

    c = corpus_from_sequences("Song_A song_b\nsong_b, song_c;song_d\nlonely\n\n")
    assert c.sentences == (("Song_A", "song_b"), ("song_b", "song_c", "song_d"))
    with pytest.raises(CorpusError, match="two or more items"):
        corpus_from_sequences("one\ntwo\n")
    up = corpus_from_upload(b"a b c\nb c d\n", sequences=True)
    assert up.n_tokens == 6


def test_sample_is_checked():
    with pytest.raises(ValueError, match="sample"):
        Word2VecParams(sample=0.5).check()


def test_a_training_waits_for_a_free_slot_and_says_so():
    import threading

    from embedding.recsys import word2vec as w2v

    corpus = corpus_from_text(REPEATED)
    queued, done = threading.Event(), []
    for _ in range(w2v.MAX_CONCURRENT_TRAININGS):  # the whole server is busy
        w2v._training_slots.acquire()
    worker = threading.Thread(target=lambda: done.append(
        train_word2vec(corpus, SMALL, on_queue=queued.set)))
    worker.start()
    try:
        assert queued.wait(timeout=60)  # it told us it is waiting…
        assert not done  # …and has not trained yet
    finally:
        for _ in range(w2v.MAX_CONCURRENT_TRAININGS):
            w2v._training_slots.release()
    worker.join(timeout=60)
    assert len(done) == 1 and done[0].losses  # then it ran
    train_word2vec(corpus, SMALL)  # and every slot was given back


def test_parmesan_is_bought_with_pasta_not_with_milk(product2vec):
    wv = product2vec.wv
    assert wv.similarity("parmesan", "spaghetti") > wv.similarity("parmesan", "milk")
    assert bk.BY_NAME["parmesan"].aisle == bk.BY_NAME["milk"].aisle == "dairy"


def test_control_baskets_shuffled_across_shoppers_do_not_cluster():
    """Same products, same basket sizes, but who-bought-what scrambled: no mission signal left,
    so the clustering above really comes from products being bought together."""
    import random

    baskets = bk.load_baskets()
    pool = [p for b in baskets for p in b]
    random.Random(0).shuffle(pool)
    scrambled, i = [], 0
    for b in baskets:
        scrambled.append(pool[i:i + len(b)])
        i += len(b)
    purity = bk.neighbour_purity(bk.train_product2vec(scrambled).wv)
    assert purity.mission < 0.4


def test_two_sessions_asking_for_the_same_model_train_it_once():
    import threading

    cache = ModelCache(max_entries=4)
    corpus = corpus_from_text(REPEATED)
    first_training, second_waiting = threading.Event(), threading.Event()
    results = {}

    def slow_epoch(report):
        first_training.set()
        assert second_waiting.wait(timeout=60)  # hold the training until the second is queued

    def session(name, on_epoch, on_queue):
        results[name] = cache.get_or_train(corpus, SMALL, on_epoch, on_queue)

    a = threading.Thread(target=session, args=("a", slow_epoch, None))
    a.start()
    assert first_training.wait(timeout=60)
    b = threading.Thread(target=session, args=("b", None, second_waiting.set))
    b.start()
    a.join(timeout=60)
    b.join(timeout=60)
    (ra, trained_a), (rb, trained_b) = results["a"], results["b"]
    assert trained_a and not trained_b and ra is rb


def test_fit_budget_lowers_epochs_instead_of_refusing():
    big = Word2VecParams(vector_size=200, window=10, negative=20, epochs=30)
    fitted = w2v.fit_budget(120_000, big)
    assert fitted == replace(big, epochs=1)  # the dearest settings on the largest corpus
    assert w2v.budget_share(120_000, fitted) <= 1 < w2v.budget_share(120_000, big)
    check_budget(120_000, fitted)  # accepted
    assert w2v.fit_budget(120_000, Word2VecParams(vector_size=200, epochs=30)).epochs == 6
    assert w2v.fit_budget(58_000, Word2VecParams()) == Word2VecParams()  # fits: unchanged
    # the dearest settings the sliders offer always fit with one epoch
    assert w2v.budget_share(MAX_TOKENS, replace(big, epochs=1)) <= 1


@pytest.fixture(scope="module")
def lee():
    return builtin_corpus()


@pytest.mark.slow  # trains Word2Vec on the Lee corpus: make test, not make check
def test_diagnose_trusts_a_trained_model_and_flags_rare_words(lee):
    result = train_word2vec(lee, Word2VecParams())  # the page's default: 10 epochs
    assert w2v.spread(result.wv) < w2v.COLLAPSED_SPREAD
    assert w2v.diagnose(result, "fire") == []
    rare = next(w for w in result.wv.index_to_key if result.wv.get_vecattr(w, "count") == 2)
    [d] = w2v.diagnose(result, rare)
    assert d.problem == "too few occurrences" and "appears only 2 times" in d.advice


@pytest.mark.parametrize("params,problem", [
    (Word2VecParams(vector_size=2, epochs=1), "too few dimensions"),
    (Word2VecParams(sg=False), "not trained enough"),  # CBOW on Lee: every neighbour ≈ 0.998
])
def test_diagnose_explains_collapsed_vectors(lee, params, problem):
    result = train_word2vec(lee, params)
    assert min(s for _, s in result.wv.most_similar("fire", topn=10)) > 0.99
    assert w2v.spread(result.wv) > w2v.COLLAPSED_SPREAD
    assert [d.problem for d in w2v.diagnose(result, "fire")] == [problem]
