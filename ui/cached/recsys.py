"""Word2Vec and Product2Vec trained live, and movie recommendations."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
import pyarrow as pa
import streamlit as st

from embedding.models.providers import SBERT_KEY
from ui import resources
from ui.cached.common import figure, vectors_digest
from ui.cached.sentences import embed_rows
from ui.cached.words import pca_map, word_map

# ---------------------------------------------------------------- Word2Vec (trained live)


def _trained_key(result) -> str:
    """A trained model by the content of its vectors and its settings (digest made once)."""
    return f"{vectors_digest(result.wv)}:{result.params!r}"


def _w2v_hash_funcs() -> dict:
    from embedding.recsys.word2vec import TrainedVectors

    return {TrainedVectors: _trained_key}


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=_w2v_hash_funcs())
def word2vec_neighbours(result, word: str, k: int = 10) -> MappingProxyType:
    """What the training tab shows about ``word`` in a trained model, made once per model and
    word and shared READ-ONLY by every session: ``hits`` (neighbour, cosine), ``unknown`` (the
    ``UnknownWordError`` or ``None``), ``word`` as the vocabulary spells it, ``problems``
    (``word2vec.diagnose``), ``table`` (Arrow) and ``figure`` of the hits, and ``map_words``:
    the word, its neighbours and the 60 most frequent longer words."""
    import pandas as pd

    from embedding.recsys import word2vec as w2v
    from embedding.words import vocab

    wv = result.wv
    hits: list[tuple[str, float]] = []
    unknown = None
    if word:
        try:
            hits = vocab.neighbours(wv, word, k=k)
        except vocab.UnknownWordError as exc:
            unknown = exc
    key = vocab.resolve(wv, word) if hits else None
    problems = w2v.diagnose(result, key) if hits else w2v.diagnose(result)
    focus = [key] + [h for h, _ in hits] if hits else []
    view: dict[str, Any] = {
        "hits": hits, "unknown": unknown, "word": key, "problems": problems,
        "map_words": tuple(focus + w2v.frequent_words(wv, 60, min_chars=4)),
        "groups": {**{w: "neighbours" for w in focus[1:]}, **({key: "your word"} if key else {})},
        "df": None, "table": None, "figure": None}
    if hits:
        df = pd.DataFrame(hits, columns=["neighbour", "cosine"]).round({"cosine": 4})
        df.insert(0, "rank", range(1, len(hits) + 1))
        view.update(df=df, table=pa.Table.from_pandas(df, preserve_index=False), figure=figure(
            "figures.score_bars", [h for h, _ in hits], [s for _, s in hits],
            title=f"Closest to '{word}'" + (" (unreliable: see the warning)" if problems else "")))
    return MappingProxyType(view)


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=_w2v_hash_funcs())
def word2vec_map(result, word: str, method: str) -> MappingProxyType:
    """The map of :func:`word2vec_neighbours`' ``map_words`` (``"pca"`` or ``"umap"``) with its
    figure, shared READ-ONLY: ``map`` (``WordMap``) and ``figure``; raises ``ValueError`` when
    too few words are known."""
    near = word2vec_neighbours(result, word)
    wmap = word_map(result.wv, near["map_words"], method)
    title = "Your word, its neighbours and the 60 most frequent longer words"
    fig = figure("beyond.word_map", list(wmap.words), wmap.xy, near["groups"], wmap.explained,
                 title=title, method=method)  # shared like every figure (serialised once)
    return MappingProxyType({"map": wmap, "figure": fig})


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=_w2v_hash_funcs())
def product2vec_view(result, colour: str, labels: bool = True) -> MappingProxyType:
    """The Product2Vec tab's shared READ-ONLY results for a trained basket model: ``purity``,
    the products' PCA map ``figure`` coloured by ``colour`` (``"mission"`` or ``"aisle"``),
    its products named on it unless ``labels`` is False (a phone), and its table ``df``, and
    six ``sample`` baskets (``df`` and Arrow ``table``)."""
    import pandas as pd

    from embedding.recsys import baskets as bk

    pmap = pca_map(result.wv, tuple(q.name for q in bk.PRODUCTS))
    prods = [bk.BY_NAME[n] for n in pmap.words]
    fig = figure("beyond.grouped_map", [q.label for q in prods], pmap.xy,
                 [q.mission if colour == "mission" else q.aisle for q in prods],
                 hover=[f"{q.label}: {q.mission} · aisle {q.aisle}" for q in prods],
                 explained=pmap.explained, title=f"Products coloured by {colour}",
                 show_labels=labels)
    df = pd.DataFrame({"product": [q.label for q in prods], "mission": [q.mission for q in prods],
                       "aisle": [q.aisle for q in prods], "x": pmap.xy[:, 0].round(4),
                       "y": pmap.xy[:, 1].round(4)})
    baskets, _ = resources.basket_corpus()
    sample = pd.DataFrame({"basket": range(1, 7),
                           "products (a 'sentence')": [", ".join(p.replace("_", " ") for p in b)
                                                       for b in baskets[:6]]})
    return MappingProxyType({"purity": bk.neighbour_purity(result.wv), "figure": fig, "df": df,
                             "sample": sample, "sample_table": pa.Table.from_pandas(sample)})


@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs=_w2v_hash_funcs())
def product2vec_suggestions(result, basket: tuple[str, ...], k: int = 5) -> MappingProxyType:
    """"Customers also buy" for ``basket`` (:func:`embedding.recsys.baskets.also_bought`) as a
    ``df`` and its Arrow ``table``, shared READ-ONLY by every session."""
    import pandas as pd

    from embedding.recsys import baskets as bk

    hits = bk.also_bought(result.wv, list(basket), k=k)
    df = pd.DataFrame({"suggestion": [bk.BY_NAME[h].label for h, _ in hits],
                       "cosine": [round(s, 4) for _, s in hits],
                       "mission": [bk.BY_NAME[h].mission for h, _ in hits]})
    df.insert(0, "rank", range(1, len(hits) + 1))
    return MappingProxyType({"df": df, "table": pa.Table.from_pandas(df, preserve_index=False)})


# ---------------------------------------------------------------- movie recommendations


@st.cache_resource(max_entries=8, show_spinner=False)
def movie_choices(provider: str = SBERT_KEY) -> MappingProxyType:
    """The movie pickers' options for the movies of ``provider``'s recommender (built already:
    the page waits for it first), made once and shared READ-ONLY: ``labels`` (tuple),
    ``row_of`` (label → row), ``by_id`` (movie id → label), ``index`` (title or label → row)."""
    from embedding.recsys import recommend as rec

    movies = (resources.movie_recommender() if provider == SBERT_KEY
              else resources.provider_movie_recommender(provider))[0]
    labels = tuple(m.label for m in movies)
    return MappingProxyType({"labels": labels, "row_of": {lab: i for i, lab in enumerate(labels)},
                             "by_id": {m.id: m.label for m in movies},
                             "index": rec.title_index(movies)})


@st.cache_resource(max_entries=512, show_spinner=False)
def recommendations(provider: str, liked: tuple[int, ...] = (), query: str = "",
                    k: int = 5) -> MappingProxyType:
    """The ``k`` movies closest to the taste of the ``liked`` rows (or to ``query`` when none),
    each with its reasons (``recommend.explain_hits``), shared READ-ONLY by every session:
    ``results``, ``against`` (what the scores compare with), the scores' ``figure`` and the
    download table ``df``. Raises the provider's error (``ProviderError``, ``ModelLoadError``);
    call after the recommender is built."""
    import pandas as pd

    from embedding.recsys import recommend as rec

    movies, store = (resources.movie_recommender() if provider == SBERT_KEY
                     else resources.provider_movie_recommender(provider))
    emb = store.vectors()

    def embed(texts: list[str]) -> np.ndarray:
        return embed_rows(tuple(texts), provider)

    if liked:
        hits = rec.recommend(store, list(liked), k=k)
        refs = emb[list(liked)]
        against = "your taste" if len(liked) > 1 else movies[liked[0]].title
    else:
        refs = embed([query])
        hits = rec.rank(store, refs[0], k=k)
        against = "what you typed"
    results = rec.explain_hits(movies, emb, hits, refs, embed, list(liked))
    rows = [movies[r.row] for r in results]
    fig = figure("figures.score_bars", [f"{n}. {m.title}" for n, m in enumerate(rows, start=1)],
                 [r.score for r in results], title=f"Cosine with {against}")
    df = pd.DataFrame({
        "rank": range(1, len(results) + 1), "title": [m.title for m in rows],
        "year": [m.year for m in rows], "cosine": [round(r.score, 4) for r in results],
        "genres": [", ".join(m.genres) for m in rows],
        "shared genres": [", ".join(r.shared) for r in results],
        "closest sentence": [r.sentence.sentence for r in results],
        "sentence cosine": [round(r.sentence.score, 4) for r in results]})
    return MappingProxyType({"results": tuple(results), "against": against, "figure": fig,
                             "df": df})
