"""Your own vectors and exercise links vs the raw libraries, same run.

    .venv/bin/python bench/bench_exercises.py

1. ``parse_vectors`` (validated, capped, line-numbered errors) vs gensim's
   ``KeyedVectors.load_word2vec_format`` (no validation) on the same GloVe text, plain and
   gzipped: the price of the checks.
2. ``encode_set``/``decode_set`` (compact, validated link) vs bare ``json.dumps``/``json.loads``.

Prints median times and the ratio ours/raw. Calls alternate so a noisy machine affects both.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

from _timing import alternate  # bench/, the script's folder
from gensim.models import KeyedVectors

from embedding.classroom import exercises as exs
from embedding.models.glove import load_glove
from embedding.models.vectors_io import parse_vectors

WORDS = 20_000


def report(name: str, ours: float, raw: float, unit: float = 1e3, label: str = "ms") -> None:
    print(f"{name:<44} ours {ours * unit:9.3f} {label}   raw {raw * unit:9.3f} {label}"
          f"   ratio {ours / raw:5.2f}")


def main() -> None:
    kv = load_glove()
    lines = [f"{w} " + " ".join(f"{x:.5f}" for x in kv[w]) for w in kv.index_to_key[:WORDS]]
    text = ("\n".join(lines) + "\n").encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        plain, zipped = Path(tmp) / "v.txt", Path(tmp) / "v.txt.gz"
        plain.write_bytes(text)
        zipped.write_bytes(gzip.compress(text))
        print(f"GloVe text: {WORDS:,} words × 50 dims, {len(text) / 2**20:.1f} MB "
              f"({zipped.stat().st_size / 2**20:.1f} MB gzipped)")
        for name, path in (("plain", plain), ("gzip", zipped)):
            data = path.read_bytes()
            ours, raw = alternate(
                lambda data=data: parse_vectors(data),
                lambda path=path: KeyedVectors.load_word2vec_format(
                    str(path), binary=False, no_header=True),
                rounds=3)
            report(f"parse {WORDS:,} GloVe words ({name})", ours, raw)
    token = exs.encode_set(exs.EXAMPLE_SET)
    raw_json = json.dumps(exs.to_dict(exs.EXAMPLE_SET), separators=(",", ":"))
    print(f"Example set (5 questions): JSON {len(raw_json)} chars, link token {len(token)} chars")
    ours, raw = alternate(lambda: exs.decode_set(exs.encode_set(exs.EXAMPLE_SET)),
                          lambda: json.loads(json.dumps(exs.to_dict(exs.EXAMPLE_SET))),
                          rounds=200)
    report("exercise set encode+decode round trip", ours, raw, 1e6, "µs")


if __name__ == "__main__":
    main()
