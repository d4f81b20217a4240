"""The pages of Embedding Explorer: one entry each, for the router and the home page's cards.

Plain data, no streamlit: ``app.py`` turns each entry into an ``st.Page`` (skipping files that
do not exist yet; ``ui.widgets.router_pages``) and the home page draws a card per section.

    >>> [p.title for p in PAGES if p.section == "Basics"]
    ['Home', 'Cosine calculator']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The models a page can load: GloVe word vectors and the SBERT sentence model.
MODELS = ("glove", "sbert")


@dataclass(frozen=True)
class PageInfo:
    """One page: its file under the project root, title, icon, section, a one-line blurb, the
    prefix of every widget key and URL parameter it owns (``wordsim`` → ``wordsim_a``), and the
    models it loads when it opens with its defaults (fault tests break exactly those)."""

    path: str
    title: str
    icon: str
    section: str
    blurb: str
    key_prefix: str
    models: tuple[str, ...] = ()

    @property
    def stem(self) -> str:
        """The page's address in a link: ``pages/word_order.py`` → ``word_order``."""
        return Path(self.path).stem


PAGES: tuple[PageInfo, ...] = (
    PageInfo("pages/home.py", "Home", ":material/home:", "Basics",
             "What this app teaches and how to use it in class.",
             key_prefix="home"),
    PageInfo("pages/cosine_toy.py", "Cosine calculator", ":material/calculate:", "Basics",
             "Toy vectors with every step worked out: recommend Ironman or Rainman?",
             key_prefix="toy"),
    PageInfo("pages/word_similarity.py", "Word similarity", ":material/compare_arrows:", "Words",
             "How close are two words in GloVe's 50-dimensional space?",
             key_prefix="wordsim", models=("glove",)),
    PageInfo("pages/neighbours.py", "Neighbours & analogies", ":material/hub:", "Words",
             "Nearest words, and king − man + woman = ?",
             key_prefix="nb", models=("glove",)),
    PageInfo("pages/semantic_axes.py", "Semantic axes", ":material/linear_scale:", "Words",
             "Project words onto an axis like poor→rich and see what the vectors learned.",
             key_prefix="ax", models=("glove",)),
    PageInfo("pages/sentence_similarity.py", "Sentence similarity", ":material/notes:", "Sentences",
             "Two sentences scored by SBERT and by averaged GloVe, side by side.",
             key_prefix="sent", models=("glove", "sbert")),
    PageInfo("pages/heatmap.py", "Similarity heat-map", ":material/grid_on:", "Sentences",
             "Every pair of a list of words or sentences, as a colour grid.",
             key_prefix="heat", models=("glove",)),
    PageInfo("pages/word_order.py", "Word order", ":material/swap_horiz:", "Sentences",
             '"chocolate milk" vs "milk chocolate": who can tell them apart?',
             key_prefix="order", models=("glove", "sbert")),
    PageInfo("pages/bert_tokens.py", "BERT tokens", ":material/token:", "Sentences",
             "How BERT cuts text into WordPiece tokens, ids and positions.",
             key_prefix="tok", models=("sbert",)),
    PageInfo("pages/embedding_map.py", "Embedding map", ":material/scatter_plot:", "Maps",
             "UMAP, t-SNE and PCA maps of words and sentences, and what they get wrong.",
             key_prefix="map", models=("glove",)),
    PageInfo("pages/semantic_search.py", "Semantic search", ":material/search:", "Search",
             "A vector store over movie blurbs, lecture pages or your own documents.",
             key_prefix="search", models=("sbert",)),
    PageInfo("pages/keyword_search.py", "Keyword vs semantic", ":material/join_inner:", "Search",
             "BM25, SBERT and hybrid search side by side, two-stage ranking, measured quality.",
             key_prefix="kw", models=("glove", "sbert")),
    PageInfo("pages/vector_index.py", "Exact vs approximate", ":material/speed:", "Search",
             "An HNSW index over 400,000 words: build time, memory, recall against speed.",
             key_prefix="ann", models=("glove",)),
    PageInfo("pages/categories.py", "Categories (zero-shot)", ":material/label:", "Search",
             "Texts go to the closest label: movie genres from plots, by description.",
             key_prefix="cat", models=("glove", "sbert")),
    PageInfo("pages/recommendations.py", "Movie recommendations", ":material/movie:", "Beyond words",
             "You liked …: content-based recommendations and cold start.",
             key_prefix="rec", models=("sbert",)),
    PageInfo("pages/x2vec.py", "Word2Vec & Product2Vec", ":material/model_training:", "Beyond words",
             "Train Word2Vec live, on text or on shopping baskets.",
             key_prefix="x2v"),
    PageInfo("pages/exercises.py", "Exercise builder", ":material/quiz:", "Classroom",
             "Build an in-class exercise, share it by link or QR code, reveal the answers.",
             key_prefix="ex"),
    PageInfo("pages/live_class.py", "Live class", ":material/co_present:", "Classroom",
             "Students answer with a class code; the projector shows the class's answers live.",
             key_prefix="class"),
)

SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(p.section for p in PAGES))


def by_section(pages: tuple[PageInfo, ...] = PAGES) -> dict[str, list[PageInfo]]:
    """Pages grouped by section, in catalogue order.

    Usage: ``by_section()["Words"][0].title`` → ``"Word similarity"``
    """
    out: dict[str, list[PageInfo]] = {}
    for p in pages:
        out.setdefault(p.section, []).append(p)
    return out


def available(root: str | Path) -> tuple[PageInfo, ...]:
    """The catalogue's pages whose file exists under ``root`` (pages still to come are left out).

    Usage: ``available(Path(__file__).parent)``
    """
    return tuple(p for p in PAGES if (Path(root) / p.path).is_file())


def balanced_columns(weights: dict[str, int], n: int) -> list[list[str]]:
    """Split the keys of ``weights`` (in order) into ``n`` consecutive runs of similar total
    weight (the largest as small as possible, then the most even): sections read top to bottom,
    columns of similar height. Always ``n`` runs; the last ones are empty when keys run out.

    Usage: ``balanced_columns({"a": 2, "b": 4, "c": 5, "d": 2}, 2)`` → ``[["a", "b"], ["c", "d"]]``
    """
    from itertools import combinations

    names = list(weights)
    used = max(1, min(n, len(names)))

    def cost(runs: list[list[str]]) -> tuple[int, int]:
        totals = [sum(weights[k] for k in r) for r in runs]
        return max(totals), sum(t * t for t in totals)

    splits = ([names[a:b] for a, b in zip((0, *cuts), (*cuts, len(names)), strict=True)]
              for cuts in combinations(range(1, len(names)), used - 1))
    best = min(splits, key=cost, default=[names])
    return best + [[] for _ in range(n - len(best))]
