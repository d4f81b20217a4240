"""A real OpenAI-compatible server (e.g. Infinity serving all-MiniLM-L6-v2) against the built-in
SBERT, through the app's own provider (deadline, breaker, key rules): same vectors? how fast?

    .venv/bin/python bench/bench_real_provider.py --base-url http://127.0.0.1:7997 \
        [--model all-MiniLM-L6-v2] [--key-env VAR]

Embeds the Word order presets and the movie blurbs (397) with both, in batches of 32, both
ways alternating, and prints: the smallest cosine between the two vectors of a text, the largest
difference of one number, the cosine of every Word order pair by each (largest gap), and the
seconds per batch of each with their ratio; then the instructor's check (as the Test button
and ``python -m embedding.models.providers check``). Nothing is cached on disk (a temporary
folder). Run it by hand against a server you started; the numbers go to docs/providers.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from embedding.models.check import format_report
from embedding.models.providers import ProviderSpec, SbertProvider
from embedding.models.remote import OpenAIProvider
from embedding.models.resilience import Deadline
from embedding.models.sbert import describe_sbert, load_sbert

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    ap.add_argument("--key-env", default="", help="variable holding the server's key (none)")
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()

    import ast

    from embedding.recsys.movies import load_movies
    from embedding.recsys.recommend import movie_texts

    tree = ast.parse((ROOT / "pages" / "word_order.py").read_text())
    presets = ast.literal_eval(next(n.value for n in tree.body if isinstance(n, ast.Assign)
                                    and getattr(n.targets[0], "id", "") == "PRESETS"))
    texts = [t for pair in presets for t in pair] + movie_texts(load_movies())

    local = SbertProvider(load_sbert())
    with tempfile.TemporaryDirectory() as tmp:
        remote = OpenAIProvider(
            ProviderSpec("real server", model=args.model, base_url=args.base_url,
                         api_key_env=args.key_env),
            api_key=os.environ.get(args.key_env) if args.key_env else None,
            cache_dir=Path(tmp), deadline=60, reference=local.embed,
            reference_name=describe_sbert())
        remote.embed([texts[0]])  # the key probe, and both models loaded
        local.embed([texts[0]])
        rows = {"local": [], "remote": []}
        secs = {"local": [], "remote": []}
        for i in range(0, len(texts), args.batch):
            batch = texts[i:i + args.batch]
            for name, p in (("local", local), ("remote", remote)) if i % 2 == 0 else \
                    (("remote", remote), ("local", local)):
                t0 = time.perf_counter()
                # the provider's own path (cache, probe, inspection), without its memory
                out = p.embed(batch) if name == "local" else remote._rows_of(batch,
                                                                             Deadline(60))
                secs[name].append(time.perf_counter() - t0)
                rows[name].append(out)
            remote.cache.clear()  # every batch really goes to the server
        a, b = np.vstack(rows["local"]), np.vstack(rows["remote"])
        cos = np.sum(a * b, axis=1)
        n_pairs = len(presets)
        pair_gap = max(abs(float(a[2 * k] @ a[2 * k + 1]) - float(b[2 * k] @ b[2 * k + 1]))
                       for k in range(n_pairs))
        print(f"{len(texts)} texts ({n_pairs} Word order pairs + {len(texts) - 2 * n_pairs} "
              f"movie blurbs), {b.shape[1]} numbers per vector")
        print(f"cosine(local, server) of the same text: min {cos.min():.6f}, "
              f"mean {cos.mean():.6f}")
        print(f"largest difference of one number: {np.abs(a - b).max():.2e}")
        print(f"largest gap between the two's Word order pair cosines: {pair_gap:.2e}")
        lm, rm = statistics.median(secs["local"]), statistics.median(secs["remote"])
        print(f"seconds per batch of {args.batch}: local SBERT {lm:.3f}, server {rm:.3f} "
              f"(ratio server / local {rm / lm:.2f})")
        print(format_report(remote.check()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
