"""Ready-made examples for the sentence pages: the lecture's WordPiece sentence pair and words
that BERT's vocabulary cuts into pieces.

Teaching content, kept apart from the tokenizer code in :mod:`embedding.sentences.wordpiece`;
``tests/test_tokens.py`` checks them against the real tokenizer.

    >>> LECTURE_A, LECTURE_B
    ('my dog is cute', 'he likes playing')
"""

from __future__ import annotations

#: The lecture's example: A and B, and the tokens of its figure (a *cased* BERT's vocabulary).
LECTURE_A = "my dog is cute"
LECTURE_B = "he likes playing"
LECTURE_FIGURE = "[CLS] my dog is cute [SEP] he likes play ##ing [SEP]"

#: Words that this uncased vocabulary does cut into pieces (checked against the real tokenizer).
SPLIT_EXAMPLES = ("embeddings", "tokenization", "unbelievably", "snowboarding", "cosine",
                  "word2vec", "antidisestablishmentarianism")
