"""Does search find the answering passage in real documents? Top-1/top-3 hit rate and MRR.

    .venv/bin/python bench/bench_documents.py            # the page's chunking, every method
    .venv/bin/python bench/bench_documents.py --sweep    # also every chunk size and overlap

The labelled set (``data/labelled``): three long documents that installed packages ship (GNU
grep's Info manual, libtasn1's 36-page PDF manual, tqdm's README), and questions written
before any search ran, each with a quote of the passage that answers it. Each document is
chunked and indexed on its own, as a student's upload is; a question searches its document.
A hit is a chunk that holds at least half of the quote (``embedding.search.labelled``).

Methods: SBERT (all-MiniLM-L6-v2 cosine), BM25, hybrid = reciprocal rank fusion of the two
(k = 60, top 100 of each), and SBERT's own top 30 re-ordered by each chunk's best sentence
(``best sentence``, default chunking only). Prints one table (markdown) per chunking, per question kind too.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable

import numpy as np

from embedding.models.providers import SbertProvider
from embedding.models.sbert import load_sbert
from embedding.search.documents import chunk_documents
from embedding.search.fusion import RRF_K
from embedding.search.hybrid import fuse_hits
from embedding.search.keyword import Bm25Index, EmptyQueryError
from embedding.search.labelled import (
    hit_rank,
    load_documents,
    load_questions,
    score_rankings,
)
from embedding.search.store import NumpyStore
from embedding.sentences.wordpiece import count_pieces

#: The chunkings measured: (method, size, overlap). The first is the page's default.
DEFAULT = ("pieces", 256, 64)
SWEEP = [DEFAULT, ("pieces", 64, 16), ("pieces", 128, 32), ("sentences", 3, 1),
         ("tokens", 100, 20)]
DEPTH = 100


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

    def hybrid(doc, q, qv):
        return fuse_hits([kw(doc, q, qv), sem(doc, q, qv)], RRF_K, DEPTH)

    def sentence(doc, q, qv):
        top = sem(doc, q, qv)[:30]
        best = best_sentences(embed, qv, [h.payload["text"] for h in top])
        order = np.argsort([-s for _, s in best], kind="stable")
        return [top[i] for i in order]

    def rrf(k):
        return lambda doc, q, qv: fuse_hits([kw(doc, q, qv), sem(doc, q, qv)], k, DEPTH)

    out = {"SBERT": sem, "BM25": kw, f"hybrid (RRF, k={RRF_K})": hybrid}
    if sentences:
        out.update({"hybrid (RRF, k=10)": rrf(10), "hybrid (RRF, k=30)": rrf(30)})
    if sentences:
        out["SBERT, best sentence"] = sentence
    return out


def offsets(hits) -> list[tuple[int, int]]:
    return [(h.payload["start"], h.payload["end"]) for h in hits]


def run(docs, questions, config, model, embed, by_kind: bool) -> list:
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
    return rows


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
        run(docs, questions, config, model, embed, by_kind=config == DEFAULT)
        embed.save()


if __name__ == "__main__":
    main()
