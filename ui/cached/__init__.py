"""Results that depend only on their inputs, computed once per server and shared by every session.

A class types the same queries and opens the same default examples: fifty sessions asking for
the same thing cost one computation. Every function here is bounded by ``max_entries`` and keyed
by the data it depends on: texts, labels, bytes, and word vectors by the hash of their content
(:func:`vectors_digest`), never by a label standing in for them. Most are ``st.cache_data``
(each caller gets its own copy); a few (:func:`figure`, the BERT tokens views) are
``st.cache_resource`` and hand every session the SAME object, immutable or read-only, so a
rerun neither copies nor rebuilds it (tables are kept as Arrow tables, what ``st.dataframe``
sends anyway). Nothing here draws a Streamlit element; callers show friendly errors first
(``*_or_stop``).

    >>> from ui import cached
    >>> rows = cached.embed_rows(("a cat", "a dog"))

One module per subject, like ``embedding/``: :mod:`~ui.cached.common` (content hashes of word
vectors, shared figures, Arrow tables), :mod:`~ui.cached.basics`, :mod:`~ui.cached.words`,
:mod:`~ui.cached.sentences`, :mod:`~ui.cached.maps`, :mod:`~ui.cached.search`,
:mod:`~ui.cached.recsys` and :mod:`~ui.cached.classroom`. Pages call ``cached.<name>``: this
package names every public function of its modules (a new one goes in its subject's module and
in the list below; tests/test_cached_layout.py checks the two agree).
"""

from ui.cached.basics import ToyView, toy_view
from ui.cached.classroom import exercise_corpus, exercise_solution, qr_png
from ui.cached.common import (
    HASH_FUNCS,
    arrow_table,
    figure,
    is_shared_figure,
    remember_digest,
    texts_key,
    vectors_digest,
)
from ui.cached.maps import build_map, hover_lists, item_vectors, map_figure
from ui.cached.recsys import (
    movie_choices,
    product2vec_suggestions,
    product2vec_view,
    recommendations,
    word2vec_map,
    word2vec_neighbours,
)
from ui.cached.search import (
    ANN_CURVE_QUERIES,
    ANN_EFS,
    PG_ANN_QUERIES,
    PHONE_RANKERS,
    ann_compare,
    ann_curve,
    category_scores,
    chunked_document,
    csv_columns,
    document_search,
    genre_evaluation,
    keyword_view,
    parsed_upload,
    pg_ann_compare,
    result_view,
    search_quality,
    search_quality_phone,
    search_quality_table,
    two_stage_view,
)
from ui.cached.sentences import (
    PairsView,
    WordpieceView,
    compare_phrases,
    embed_rows,
    masked_example,
    pairs_view,
    readability,
    wordpiece_examples,
    wordpiece_lengths,
    wordpiece_view,
)
from ui.cached.words import (
    AxisPlacement,
    also_bought,
    analogy,
    axis_placement,
    axis_view,
    known_words,
    neighbours,
    pca_map,
    word_map,
    word_rank,
)

__all__ = [
    "ANN_CURVE_QUERIES",
    "ANN_EFS",
    "AxisPlacement",
    "HASH_FUNCS",
    "PG_ANN_QUERIES",
    "PairsView",
    "ToyView",
    "WordpieceView",
    "also_bought",
    "analogy",
    "ann_compare",
    "ann_curve",
    "arrow_table",
    "axis_placement",
    "axis_view",
    "build_map",
    "cached",
    "category_scores",
    "chunked_document",
    "compare_phrases",
    "csv_columns",
    "document_search",
    "embed_rows",
    "exercise_corpus",
    "exercise_solution",
    "figure",
    "genre_evaluation",
    "hover_lists",
    "is_shared_figure",
    "item_vectors",
    "keyword_view",
    "known_words",
    "map_figure",
    "masked_example",
    "movie_choices",
    "neighbours",
    "pairs_view",
    "readability",
    "parsed_upload",
    "pg_ann_compare",
    "pca_map",
    "product2vec_suggestions",
    "product2vec_view",
    "qr_png",
    "recommendations",
    "remember_digest",
    "result_view",
    "search_quality",
    "PHONE_RANKERS",
    "search_quality_phone",
    "search_quality_table",
    "texts_key",
    "toy_view",
    "two_stage_view",
    "vectors_digest",
    "word2vec_map",
    "word2vec_neighbours",
    "word_map",
    "word_rank",
    "wordpiece_examples",
    "wordpiece_lengths",
    "wordpiece_view",
]
