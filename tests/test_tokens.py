"""BERT tokens with the sentence model's own tokenizer: the lecture's table, splits, truncation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from embedding.sentences.presets import LECTURE_A, LECTURE_B, SPLIT_EXAMPLES
from embedding.sentences.wordpiece import (
    lecture_table,
    long_table,
    mask_for_pretraining,
    split_words,
    tokenize_pair,
    vocab_facts,
    word_pieces,
)

LONG = "the cat sat on the mat. " * 100  # 7 tokens a sentence → 700 + [CLS] + [SEP]


@pytest.fixture(scope="module")
def tok(model):
    return model.tokenizer


def test_lecture_example_exact(tok, model):
    t = tokenize_pair(tok, LECTURE_A, LECTURE_B, max_length=model.max_seq_length)
    assert " ".join(t.tokens) == "[CLS] my dog is cute [SEP] he likes playing [SEP]"
    assert t.token_ids == (101, 2026, 3899, 2003, 10140, 102, 2002, 7777, 2652, 102)
    assert t.segment_ids == (0,) * 6 + (1,) * 4
    assert t.position_ids == tuple(range(10))
    assert not t.truncated and t.full_length == 10 and t.max_length == 256
    assert [p.text for p in t.pieces] == ["", "my", "dog", "is", "cute", "", "he", "likes",
                                         "playing", ""]


def test_lecture_table_one_column_per_token(tok):
    df = lecture_table(tokenize_pair(tok, LECTURE_A, LECTURE_B))
    assert list(df.index) == ["Token", "Token id", "Segment", "Position"]
    assert list(df.columns) == [str(i) for i in range(10)]
    assert list(df.loc["Token"]) == ["[CLS]", "my", "dog", "is", "cute", "[SEP]", "he",
                                     "likes", "playing", "[SEP]"]
    assert df.loc["Segment", "6"] == "B (1)" and df.loc["Token id", "4"] == "10140"
    long = long_table(tokenize_pair(tok, LECTURE_A))
    assert list(long.columns) == ["position", "token", "token_id", "segment", "segment_id",
                                  "text"]
    assert list(long["token"]) == ["[CLS]", "my", "dog", "is", "cute", "[SEP]"]


def test_words_that_split(tok):
    got = {w: word_pieces(tok, w) for w in ("playing", *SPLIT_EXAMPLES)}
    assert got["playing"] == ("playing",)
    assert got["embeddings"] == ("em", "##bed", "##ding", "##s")
    assert got["tokenization"] == ("token", "##ization")
    assert got["snowboarding"] == ("snow", "##boarding")
    assert all(len(got[w]) > 1 for w in SPLIT_EXAMPLES)
    splits = split_words(tokenize_pair(tok, "Embeddings need tokenization.", "Playing is fun"))
    assert [(s.word, s.pieces, s.segment) for s in splits] == [
        ("Embeddings", ("em", "##bed", "##ding", "##s"), 0),
        ("tokenization", ("token", "##ization"), 0),
    ]


def test_long_text_is_cut_to_the_model_limit(tok, model):
    t = tokenize_pair(tok, LONG, max_length=model.max_seq_length)
    assert (len(t.pieces), t.full_length, t.truncated) == (256, 702, True)
    assert t.tokens[0] == "[CLS]" and t.tokens[-1] == "[SEP]"
    pair = tokenize_pair(tok, LONG, "short b", max_length=256)
    assert len(pair.pieces) == 256 and pair.tokens[-4:] == ("[SEP]", "short", "b", "[SEP]")
    assert pair.full_length == 705
    words = tokenize_pair(tok, "unbelievably long " * 300, max_length=256)
    # "unbelievably" is 5 pieces, "long" 1: 254 pieces = 42 pairs, then 2 pieces of the 85th word
    assert (words.full_length, words.full_words, words.words_seen) == (1802, 600, 85)
    assert words.last_word_seen == "unbel"


def test_capitals_accents_emoji_and_html(tok):
    t = tokenize_pair(tok, "Café in TOKYO 東京 😀 <b>x</b>")
    assert t.tokens == ("[CLS]", "cafe", "in", "tokyo", "東", "京", "[UNK]", "<", "b", ">",
                        "x", "<", "/", "b", ">", "[SEP]")
    assert tokenize_pair(tok, "   ").tokens == ("[CLS]", "[SEP]")


def test_vocab_facts(tok):
    f = vocab_facts(tok)
    assert (f.size, f.continuations, f.unused, f.lower_case) == (30_522, 5_828, 994, True)
    assert set(f.special) == {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"}


def test_masking_follows_bert_recipe(tok):
    table = tokenize_pair(tok, LONG[:240])  # 70 word tokens
    ex = mask_for_pretraining(tok, table, seed=3)
    assert ex == mask_for_pretraining(tok, table, seed=3)  # reproducible
    assert len(ex.chosen) == round(0.15 * 70)
    assert "[CLS]" not in [ex.original[i] for i in ex.chosen]
    assert "[SEP]" not in [ex.original[i] for i in ex.chosen]
    for i, act in zip(ex.chosen, ex.action, strict=True):
        if act == "mask":
            assert ex.shown[i] == "[MASK]"
        elif act == "keep":
            assert ex.shown[i] == ex.original[i]
        else:
            assert not ex.shown[i].startswith("[")
    unchosen = set(range(len(ex.shown))) - set(ex.chosen)
    assert all(ex.shown[i] == ex.original[i] for i in unchosen)
    actions = [a for s in range(300) for a in mask_for_pretraining(tok, table, seed=s).action]
    share = actions.count("mask") / len(actions)
    assert 0.77 < share < 0.83 and actions.count("random") > 0 and actions.count("keep") > 0
    lecture = mask_for_pretraining(tok, tokenize_pair(tok, LECTURE_A, LECTURE_B), seed=0)
    assert lecture.chosen == (7,) and lecture.shown[7] == "[MASK]"
    assert mask_for_pretraining(tok, tokenize_pair(tok, "")).chosen == ()


def test_shared_tokenizer_is_safe_from_many_threads(tok):
    texts = [f"{LECTURE_A} number {i}" for i in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        out = list(pool.map(lambda s: tokenize_pair(tok, s, LECTURE_B).tokens, texts))
    assert all(t[:5] == ("[CLS]", "my", "dog", "is", "cute") for t in out)
    assert out[17][6] == "17"
