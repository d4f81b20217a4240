"""Our GloVe neighbour query and SBERT single query vs the raw libraries, same run.

    .venv/bin/python bench/bench_core.py

Prints median times and the ratio ours/raw (1.00 = no overhead). Calls alternate so a noisy
machine affects both sides alike.
"""

from __future__ import annotations

from _timing import alternate  # bench/, the script's folder

from embedding.models.glove import load_glove
from embedding.models.providers import SbertProvider
from embedding.models.sbert import load_sbert
from embedding.words.vocab import neighbours

WORDS = ["king", "frog", "chocolate", "paris", "computer", "music", "river", "doctor"]
SENTENCES = ["a film about space travel", "the cat sat on the mat", "milk chocolate",
             "how do vaccines work", "cheap flights to rome", "dog bites man"]


def report(name: str, ours: float, raw: float) -> None:
    print(f"{name:<38} ours {ours * 1e3:8.2f} ms   raw {raw * 1e3:8.2f} ms   ratio {ours / raw:5.2f}")


def main() -> None:
    kv = load_glove()
    model = load_sbert()
    for w in WORDS:  # warm caches on both sides
        kv.most_similar(w, topn=10)
    sbert = SbertProvider(model)  # the app's one way to embed texts
    sbert.embed(SENTENCES)
    ours, raw = alternate(lambda w: neighbours(kv, w, k=10),
                          lambda w: kv.most_similar(w, topn=10), rounds=15, inputs=WORDS)
    report("GloVe 10 neighbours (400k words)", ours, raw)
    ours, raw = alternate(lambda s: sbert.embed([s]),
                          lambda s: model.encode([s], normalize_embeddings=True,
                                                 show_progress_bar=False), rounds=10,
                          inputs=SENTENCES)
    report("SBERT single query encode", ours, raw)


if __name__ == "__main__":
    main()
