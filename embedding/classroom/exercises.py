"""In-class exercises built from the app's building blocks: the one import the pages use.

An exercise set is a title and up to 12 questions of seven kinds: toy-vector cosine ("you liked
Avatar: Ironman or Rainman?"), the closest word (GloVe), word order (can the GloVe average /
SBERT tell two phrases apart?), analogies (a : b :: c : ?), a search query (which document
comes first?), WordPiece (which word does BERT cut into the most pieces?) and a class map
(everyone adds a word; live classes only), plus Explore steps
(the class opens a page with a preset; nothing to answer). The whole set travels in ONE URL
parameter, ``ex``. The answers are never
stored: they are computed from the models when someone checks, so the key is always right.

Where each part lives: :mod:`.questions` (one class per kind: prompt, options, solve, check),
:mod:`.validation` (strict reading), :mod:`.sets` (a set and its JSON), :mod:`.links` (link
codec and QR codes), :mod:`.solving` (solutions and feedback), :mod:`.docs` (search
documents), :mod:`.handouts` (printable sheets).

    >>> token = encode_set(EXAMPLE_SET)
    >>> decode_set(token) == EXAMPLE_SET
    True
    >>> solve(EXAMPLE_SET.questions[0]).correct      # Avatar [1,2,2] → Ironman or Rainman?
    'Ironman'
"""

from __future__ import annotations

from embedding.classroom.docs import (
    BUILTIN_SENTENCES,
    CORPORA,
    MAX_MOVIES,
    Doc,
    builtin_docs,
    corpus_docs,
    embed_docs,
    movie_docs,
)
from embedding.classroom.handouts import MAX_PRINTED_OPTIONS, handout_html, handout_markdown
from embedding.classroom.links import (
    MAX_TOKEN_CHARS,
    URL_PARAM,
    check_link_size,
    decode_set,
    encode_set,
    fingerprint,
    qr_png,
    qr_svg,
    share_link,
)
from embedding.classroom.questions import (
    ANALOGY_TOP,
    CANDIDATES,
    KINDS,
    MAP_MODELS,
    MAX_EXPLORE_PARAMS,
    ORDER_CHOICES,
    QUESTION_TYPES,
    SAME_COSINE,
    AnalogyQuestion,
    ClassMapQuestion,
    ClosestQuestion,
    ExploreStep,
    OrderQuestion,
    PiecesQuestion,
    Question,
    SearchQuestion,
    ToyQuestion,
    options,
    prompt,
    question_from_dict,
    question_to_dict,
)
from embedding.classroom.sets import (
    EXAMPLE_SET,
    FORMAT,
    LIVE_EXAMPLE_SET,
    MAX_QUESTIONS,
    MAX_TITLE,
    VERSION,
    ExerciseSet,
    from_dict,
    from_json,
    to_dict,
    to_json,
)
from embedding.classroom.solving import TIE, Feedback, Solution, check, solve
from embedding.classroom.validation import (
    MAX_JSON_BYTES,
    MAX_NAME,
    MAX_PHRASE,
    MAX_WORD,
    ExerciseFormatError,
)

__all__ = [
    "ANALOGY_TOP", "BUILTIN_SENTENCES", "CANDIDATES", "CORPORA", "EXAMPLE_SET", "FORMAT",
    "KINDS", "LIVE_EXAMPLE_SET", "MAP_MODELS", "MAX_EXPLORE_PARAMS", "MAX_JSON_BYTES", "MAX_MOVIES", "MAX_NAME", "MAX_PHRASE", "MAX_PRINTED_OPTIONS",
    "MAX_QUESTIONS", "MAX_TITLE", "MAX_TOKEN_CHARS", "MAX_WORD", "ORDER_CHOICES",
    "QUESTION_TYPES", "SAME_COSINE", "TIE", "URL_PARAM", "VERSION", "AnalogyQuestion", "ClassMapQuestion",
    "ClosestQuestion", "Doc", "ExploreStep", "ExerciseFormatError", "ExerciseSet", "Feedback", "OrderQuestion", "PiecesQuestion",
    "Question", "SearchQuestion", "Solution", "ToyQuestion", "builtin_docs", "check",
    "check_link_size", "corpus_docs", "decode_set", "embed_docs", "encode_set", "fingerprint",
    "from_dict", "from_json", "handout_html", "handout_markdown", "movie_docs", "options",
    "prompt", "qr_png", "qr_svg", "question_from_dict", "question_to_dict", "share_link",
    "solve", "to_dict", "to_json",
]
