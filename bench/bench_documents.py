"""Does search find the answering passage in real documents? Top-1/top-3 hit rate and MRR.

    .venv/bin/python bench/bench_documents.py            # the page's chunking, every method
    .venv/bin/python bench/bench_documents.py --sweep    # also every chunk size and overlap
    .venv/bin/python bench/bench_documents.py --tried    # also the ideas measured, not kept

The labelled set (``data/labelled``): three long documents that installed packages ship (GNU
grep's Info manual, libtasn1's 36-page PDF manual, tqdm's README), and questions written
before any search ran, each with a quote of the passage that answers it. Each document is
chunked and indexed on its own, as a student's upload is; a question searches its document.
A hit is a chunk that holds at least half of the quote (``embedding.search.labelled``).

Methods: SBERT (all-MiniLM-L6-v2 cosine), BM25, hybrid by score fusion (the page's default:
BM25 divided by its best score plus the cosine, BM25 weighted ``HYBRID_BM25_WEIGHT``), hybrid by
reciprocal rank fusion (k = 60, 10, 30), and SBERT's own top 30 re-ordered by each chunk's best
sentence (``best sentence``, default chunking only). Prints one table (markdown) per chunking,
per question kind too.

Guarding against tuning to these 39 questions, the default chunking also prints every BM25
weight from 0 to 1 and a *leave one document out* row: the weight is chosen on two documents
(best top-3, then MRR) and scored on the third, in turn, so each question is answered by a
weight chosen without it.

``--tried`` measures general ideas that were not kept (each beside the default, the question
kinds apart): section headings as the chunk's context for SBERT, BM25 that also keeps
identifiers whole (``asn1_write_value``, ``--ignore-case``, ``LC_ALL=C``), min-max scaling of
both lists' scores instead of BM25 / its best, and a heavier BM25 weight for a query that looks
like code.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import sys
import time
from collections.abc import Callable

import numpy as np

from embedding.models.providers import SbertProvider
from embedding.models.sbert import load_sbert
from embedding.search.documents import chunk_documents
from embedding.search.fusion import HYBRID_BM25_WEIGHT, RRF_K, score_fusion
from embedding.search.hybrid import fuse_hits, fuse_scores
from embedding.search.keyword import Bm25Index, EmptyQueryError
from embedding.search.labelled import (
    hit_rank,
    load_documents,
    load_questions,
    score_rankings,
)
from embedding.search.store import Hit, NumpyStore
from embedding.sentences.wordpiece import count_pieces

#: The chunkings measured: (method, size, overlap). The first is the page's default.
DEFAULT = ("pieces", 256, 64)
SWEEP = [DEFAULT, ("pieces", 64, 16), ("pieces", 128, 32), ("sentences", 3, 1),
         ("tokens", 100, 20)]
DEPTH = 100
#: The BM25 weights of score fusion measured (and chosen from, leaving one document out).
WEIGHTS = [round(w / 10, 1) for w in range(11)]


class CachedEmbed:
    """SBERT rows of texts, kept on disk by the SHA-1 of each text
    (``.cache/bench-embeddings.npz``, written by :meth:`save`), so a second run, or another
    chunking that repeats some chunks, encodes only what is new."""

    def __init__(self, model):
        from embedding.paths import ROOT

        self.sbert = SbertProvider(model)
        self.path = ROOT / ".cache" / "bench-embeddings.npz"
        self.rows: dict[str, np.ndarray] = {}
        if self.path.is_file():
            with np.load(self.path, allow_pickle=False) as z:
                self.rows = dict(zip(z["keys"].tolist(), z["rows"], strict=True))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def __call__(self, texts) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        new = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.rows}
        if new:
            self.rows.update(zip(new, self.sbert.embed(list(new.values())), strict=True))
        return np.stack([self.rows[k] for k in keys]) if keys else np.zeros((0, 384))

    def save(self) -> None:
        self.path.parent.mkdir(exist_ok=True)
        keys = list(self.rows)
        np.savez(self.path, keys=np.array(keys), rows=np.stack([self.rows[k] for k in keys]))


def build(docs, method: str, size: int, overlap: int, model, embed):
    """Per document: chunks, their SBERT store and their BM25 index."""
    sbert = SbertProvider(model)
    out = {}
    for d in docs:
        chunks, _ = chunk_documents([d.document], method, size, overlap, max_chunks=100_000,
                                    count=lambda ts: count_pieces(model.tokenizer, ts))
        ids = [str(i) for i in range(len(chunks))]
        payloads = [{"start": c.start, "end": c.end, "text": c.text} for c in chunks]
        store = NumpyStore(sbert.dim)
        store.add(ids, embed([c.text for c in chunks]), payloads)
        out[d.id] = (chunks, store, Bm25Index(ids, [c.text for c in chunks], payloads))
    return out


def rankers(embed, built, sentences: bool) -> dict[str, Callable]:
    from embedding.search.retrieval import best_sentences

    def sem(doc, q, qv):
        return built[doc][1].search(qv, DEPTH)

    def kw(doc, q, qv):
        try:
            return built[doc][2].search(q, DEPTH)
        except EmptyQueryError:
            return []

    def rrf60(doc, q, qv):
        return fuse_hits([kw(doc, q, qv), sem(doc, q, qv)], RRF_K, DEPTH)

    def scores(w):
        return lambda doc, q, qv: fuse_scores(kw(doc, q, qv), sem(doc, q, qv), w, DEPTH)

    def sentence(doc, q, qv):
        top = sem(doc, q, qv)[:30]
        best = best_sentences(embed, qv, [h.payload["text"] for h in top])
        order = np.argsort([-s for _, s in best], kind="stable")
        return [top[i] for i in order]

    def rrf(k):
        return lambda doc, q, qv: fuse_hits([kw(doc, q, qv), sem(doc, q, qv)], k, DEPTH)

    out = {"SBERT": sem, "BM25": kw,
           f"hybrid (scores, BM25 {HYBRID_BM25_WEIGHT}): the page's default":
           scores(HYBRID_BM25_WEIGHT),
           f"hybrid (RRF, k={RRF_K})": rrf60}
    if sentences:
        out.update({"hybrid (RRF, k=10)": rrf(10), "hybrid (RRF, k=30)": rrf(30)})
    if sentences:
        out["SBERT, best sentence"] = sentence
    return out


def weight_sweep(built, questions, qvecs) -> None:
    """Score fusion at every BM25 weight of :data:`WEIGHTS`, and the weight chosen leaving one
    document out (chosen on the other documents' questions, scored on this one's)."""
    base = rankers(None, built, sentences=False)
    lists = [(base["BM25"](q.doc, q.question, v), base["SBERT"](q.doc, q.question, v))
             for q, v in zip(questions, qvecs, strict=True)]
    ranks = {w: [hit_rank(offsets(fuse_scores(kw, sem, w, DEPTH)), q.span)
                 for q, (kw, sem) in zip(questions, lists, strict=True)] for w in WEIGHTS}
    print("\n| hybrid by scores, BM25 weight | top-1 | top-3 | MRR |\n|---|---|---|---|")
    for w in WEIGHTS:
        s = score_rankings(str(w), ranks[w])
        print(f"| {w} | {s.top1:.0%} | {s.top3:.0%} | {s.mrr:.3f} |")
    held_out: list = [None] * len(questions)
    chosen = {}
    for doc in dict.fromkeys(q.doc for q in questions):
        train = [i for i, q in enumerate(questions) if q.doc != doc]

        def fit(w, train=train):
            s = score_rankings("", [ranks[w][i] for i in train])
            return s.top3, s.mrr

        chosen[doc] = max(WEIGHTS, key=fit)  # first best: the lower weight wins a tie
        for i, q in enumerate(questions):
            if q.doc == doc:
                held_out[i] = ranks[chosen[doc]][i]
    s = score_rankings("", held_out)
    print(f"| leave one document out ({', '.join(f'{d}: {w}' for d, w in chosen.items())}) "
          f"| {s.top1:.0%} | {s.top3:.0%} | {s.mrr:.3f} |")


def offsets(hits) -> list[tuple[int, int]]:
    return [(h.payload["start"], h.payload["end"]) for h in hits]


def run(docs, questions, config, model, embed, by_kind: bool, also_tried: bool = False
        ) -> list:
    t0 = time.perf_counter()
    built = build(docs, *config, model, embed)
    n_chunks = sum(len(c) for c, _, _ in built.values())
    qvecs = embed([q.question for q in questions])
    rows = []
    for name, rank in rankers(embed, built, sentences=by_kind).items():
        ranks = [hit_rank(offsets(rank(q.doc, q.question, v)), q.span)
                 for q, v in zip(questions, qvecs, strict=True)]
        rows.append(("all", score_rankings(name, ranks)))
        if by_kind:
            for kind in dict.fromkeys(q.kind for q in questions):
                rows.append((kind, score_rankings(name, [r for r, q in zip(ranks, questions,
                                                                           strict=True)
                                                         if q.kind == kind])))
    method, size, overlap = config
    unit = {"pieces": "word pieces", "sentences": "sentences", "tokens": "words",
            "paragraphs": "sentences at most"}[method]
    print(f"\n### {method}: {size} {unit}, overlap {overlap} ({n_chunks} chunks, "
          f"{time.perf_counter() - t0:.0f} s)\n")
    print("| method | questions | top-1 | top-3 | MRR |\n|---|---|---|---|---|")
    for kind, s in rows:
        label = s.ranker if kind == "all" else f"{s.ranker}, {kind}"
        print(f"| {label} | {s.questions} | {s.top1:.0%} | {s.top3:.0%} | {s.mrr:.3f} |")
    if by_kind:
        weight_sweep(built, questions, qvecs)
    if also_tried:
        tried(docs, built, questions, qvecs, embed)
    return rows


#: A heading: a short line underlined with = - ~ * … (Info, reStructuredText, Markdown), a
#: numbered one ("2.1.5 Context Line Control", "A.1 GNU …": a PDF made by TeX), or "# …".
_UNDERLINED = re.compile(r"^([^\n]{2,80})\n([=\-~^*#+.`'\"])\2{2,}[ \t]*$", re.M)
_NUMBERED = re.compile(r"^(?:(?:\d+\.)*\d+|[A-Z]\.\d+(?:\.\d+)*|Appendix [A-Z])[ \t]+"
                       r"[A-Z‘'\"`][^\n…]{1,60}[^\n….:;,][ \t]*$", re.M)
_ATX = re.compile(r"^#{1,6}[ \t]+([^\n]+?)[ \t#]*$", re.M)
#: An identifier: words joined by _ - . = (``asn1_write_value``, ``LC_ALL=C``) or an option.
_IDENTIFIER = re.compile(r"[^\W_]+(?:(?:[-_.=]|--)[^\W_]+)+|--?[^\W_][\w-]*")
#: A query that looks like code: an identifier, an option, a word in capitals, camelCase.
_CODE_LIKE = re.compile(r"[A-Za-z0-9]+[_.=][A-Za-z0-9]|--|\b[A-Z]{2,}\b|[a-z][A-Z]")


def section_headings(text: str) -> list[tuple[int, str]]:
    """``(offset, heading)`` of each heading in ``text``, in order."""
    found: dict[int, str] = {}
    for m in _UNDERLINED.finditer(text):
        title, rule = m.group(1).strip(), m.group(0).split("\n")[1].strip()
        if title and len(rule) >= 0.7 * len(title) and any(c.isalnum() for c in title):
            found.setdefault(m.start(), title)
    for m in _NUMBERED.finditer(text):
        found.setdefault(m.start(), m.group(0).strip())
    for m in _ATX.finditer(text):
        found.setdefault(m.start(), m.group(1))
    return sorted(found.items())


def with_identifiers(text: str) -> str:
    """``text`` and each identifier in it again as one word (``asn1_write_value`` →
    ``asn1writevalue``), so BM25 matches it whole as well as by its parts."""
    folded = text.lower().replace("–", "-")
    return text + "\n" + " ".join(re.sub(r"[-_.=]", "", m.group())
                                  for m in _IDENTIFIER.finditer(folded))


def min_max(hits) -> dict[str, float]:
    """Each hit's score scaled to 0–1 within its list (the best 1, the list's last 0)."""
    if not hits:
        return {}
    lo, hi = min(h.score for h in hits), max(h.score for h in hits)
    return {h.id: (h.score - lo) / (hi - lo) if hi > lo else 1.0 for h in hits}


def tried(docs, built, questions, qvecs, embed) -> None:
    """The ideas measured and not kept, beside the page's default (``--tried``)."""
    base = rankers(embed, built, sentences=False)
    default = base[next(n for n in base if "page's default" in n)]
    headed, ident = {}, {}
    for d in docs:
        chunks, store, _ = built[d.id]
        heads = section_headings(d.document.sections[0].text)
        at = [o for o, _ in heads]
        names = [heads[i - 1][1] if (i := bisect.bisect_right(at, c.start)) else ""
                 for c in chunks]
        texts = [f"{h}\n\n{c.text}" if h else c.text for h, c in zip(names, chunks, strict=True)]
        ids = [str(i) for i in range(len(chunks))]  # as build() numbers them
        hs = NumpyStore(store.dim)
        hs.add(ids, embed(texts), [{"start": c.start, "end": c.end} for c in chunks])
        headed[d.id] = hs
        ident[d.id] = Bm25Index(ids, [with_identifiers(c.text) for c in chunks],
                                [{"start": c.start, "end": c.end} for c in chunks])

    def kw_ident(doc, q):
        try:
            return ident[doc].search(with_identifiers(q), DEPTH)
        except EmptyQueryError:
            return []

    def fuse(doc, q, qv, *, sem=None, kw=None, w=HYBRID_BM25_WEIGHT):
        return fuse_scores(kw or base["BM25"](doc, q, qv), sem or base["SBERT"](doc, q, qv),
                           w, DEPTH)

    def fuse_min_max(doc, q, qv):
        kw, sem = base["BM25"](doc, q, qv), base["SBERT"](doc, q, qv)
        payload = {h.id: h.payload for h in (*sem, *kw)}
        fused = score_fusion([min_max(kw), min_max(sem)],
                             [HYBRID_BM25_WEIGHT, 1 - HYBRID_BM25_WEIGHT], DEPTH)
        return [Hit(i, score, payload[i]) for i, score in fused]

    ideas = {
        "the page's default": default,
        "SBERT with the section heading": lambda doc, q, qv: headed[doc].search(qv, DEPTH),
        "hybrid, SBERT with the section heading":
            lambda doc, q, qv: fuse(doc, q, qv, sem=headed[doc].search(qv, DEPTH)),
        "BM25 keeping identifiers whole": lambda doc, q, qv: kw_ident(doc, q),
        "hybrid, BM25 keeping identifiers whole":
            lambda doc, q, qv: fuse(doc, q, qv, kw=kw_ident(doc, q)),
        "hybrid, each list's scores min-max scaled (0 = its 100th)": fuse_min_max,
        "hybrid, BM25 weight + 0.2 for a code-like query":
            lambda doc, q, qv: fuse(doc, q, qv, w=HYBRID_BM25_WEIGHT + 0.2 * bool(
                _CODE_LIKE.search(q))),
    }
    print("\n| tried, not kept | top-1 | top-3 | MRR | top-3 paraphrase / mixed / exact |\n"
          "|---|---|---|---|---|")
    for name, rank in ideas.items():
        ranks = [hit_rank(offsets(rank(q.doc, q.question, v)), q.span)
                 for q, v in zip(questions, qvecs, strict=True)]
        s = score_rankings(name, ranks)
        by_kind = {k: score_rankings(k, [r for r, q in zip(ranks, questions, strict=True)
                                         if q.kind == k]) for k in ("paraphrase", "mixed",
                                                                     "exact")}
        kinds = " / ".join(f"{k.top3:.0%}" for k in by_kind.values())
        print(f"| {name} | {s.top1:.0%} | {s.top3:.0%} | {s.mrr:.3f} | {kinds} |")


def main() -> None:
    sweep = "--sweep" in sys.argv
    model = load_sbert()
    docs = load_documents()
    for d in docs:
        if not d.checksum_ok:
            print(f"note: {d.id} differs from the file the questions were written against")
    questions = load_questions(docs)
    print(f"{len(questions)} questions over {len(docs)} documents: "
          + ", ".join(f"{d.id} ({sum(q.doc == d.id for q in questions)})" for d in docs))
    embed = CachedEmbed(model)
    for config in (SWEEP if sweep else [DEFAULT]):
        run(docs, questions, config, model, embed, by_kind=config == DEFAULT,
            also_tried="--tried" in sys.argv and config == DEFAULT)
        embed.save()


if __name__ == "__main__":
    main()
