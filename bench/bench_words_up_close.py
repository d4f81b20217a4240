"""Analogy (with the excluded inputs' ranks), semantic axis and BERT tokenizer table vs the raw
libraries, same run.

    .venv/bin/python bench/bench_words_up_close.py

Prints median times per call and the ratio ours/raw. Calls alternate so a noisy machine
affects both sides alike. The analogy page does two passes over the 400,000 words (answers,
then the inputs' ranks), so its ratio against one raw gensim call is about 2 by design.
"""

from __future__ import annotations

from _timing import alternate  # bench/, the script's folder
from bench_core import report  # bench/, the script's folder

from embedding.models.glove import load_glove
from embedding.models.sbert import load_sbert
from embedding.sentences.presets import LECTURE_A, LECTURE_B
from embedding.sentences.wordpiece import tokenize_pair
from embedding.words.axes import baseline, make_axis, scores
from embedding.words.vocab import analogy, analogy_input_ranks, parse_word_list

QUESTIONS = [("man", "king", "woman"), ("france", "paris", "italy"), ("walk", "walking", "swim"),
             ("go", "went", "take"), ("cat", "kitten", "dog")]
JOBS = parse_word_list("nurse, receptionist, homemaker, librarian, teacher, doctor, lawyer, "
                       "scientist, programmer, engineer, carpenter, pilot, soldier, boss")


def main() -> None:
    kv = load_glove()
    model = load_sbert()
    tok = model.tokenizer

    def ours_analogy(q):
        analogy(kv, *q, k=10)

    def raw_analogy(q):
        a, b, c = q
        kv.most_similar(positive=[b, c], negative=[a], topn=10)

    def ours_page(q):
        analogy(kv, *q, k=10)
        analogy_input_ranks(kv, *q)

    report("analogy() vs most_similar", *alternate(ours_analogy, raw_analogy, 6, QUESTIONS))
    report("analogy + input ranks vs most_similar", *alternate(ours_page, raw_analogy,
                                                               6, QUESTIONS))

    axis = make_axis(kv, "man", "woman")

    def ours_axis():
        make_axis(kv, "man", "woman")
        scores(kv, JOBS, axis)
        baseline(kv, axis)

    def raw_axis():  # the same numbers with gensim's similarity, no baseline
        [kv.similarity(w, "woman") - kv.similarity(w, "man") for w in JOBS]

    report("axis + baseline vs kv.similarity loop", *alternate(ours_axis, raw_axis, 30))

    def ours_tok():
        tokenize_pair(tok, LECTURE_A, LECTURE_B, max_length=model.max_seq_length)

    def raw_tok():
        tok(LECTURE_A, LECTURE_B, truncation=True, max_length=model.max_seq_length)

    report("tokenize_pair vs tokenizer()", *alternate(ours_tok, raw_tok, 200))


if __name__ == "__main__":
    main()
