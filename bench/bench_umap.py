"""Benchmark: our ``embedding.maps.projection.project`` vs raw umap-learn on 2,000 GloVe words.

Prints, from one run, absolute seconds and the ratio ours/raw (below 1 = we are faster):

* cold, empty numba cache: a fresh process with a brand-new ``NUMBA_CACHE_DIR`` (import +
  compile + first map), what a fresh machine pays once;
* cold, project cache: a fresh process with the project's ``.cache/numba`` (what a restarted
  server pays before the background warm-up has run);
* warm: the same process, compiled code ready, runs alternated (median of ``--repeats``),
  at umap-learn's default 500 epochs and at the interactive epochs the page uses.

Also prints each map's neighbour-preservation score, so speed is not bought with a worse map.

    .venv/bin/python bench/bench_umap.py            # everything (a few minutes on 2 cores)
    .venv/bin/python bench/bench_umap.py --no-cold  # warm runs only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from _timing import medians  # bench/, the script's folder

ROOT = Path(__file__).resolve().parents[1]

N_WORDS = 2_000
SEED = 42

_COLD = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
from embedding.models.glove import load_glove
x = load_glove().vectors[:{n}]
t0 = time.perf_counter()
if {ours!r}:
    from embedding.maps.projection import project
    project(x, "umap", dims=2, seed={seed})
else:
    import umap
    umap.UMAP(n_components=2, metric="cosine", random_state={seed}).fit_transform(x)
print(json.dumps(time.perf_counter() - t0))
"""


def cold(ours: bool, cache_dir: str) -> float:
    """Seconds for import + first map in a fresh process using ``cache_dir`` for numba."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir, "PYTHONWARNINGS": "ignore"}
    code = _COLD.format(n=N_WORDS, ours=ours, seed=SEED)
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout
    return float(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cold", action="store_true", help="skip the fresh-process runs")
    parser.add_argument("--repeats", type=int, default=3, help="warm runs of each (median)")
    args = parser.parse_args()

    os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".cache" / "numba"))
    rows: list[tuple[str, float, float]] = []
    if not args.no_cold:
        for label, make_dir in (("cold, empty numba cache", True),
                                ("cold, project numba cache", False)):
            times = {}
            for ours in (False, True):  # raw first: it must not profit from our compile
                if make_dir:
                    with tempfile.TemporaryDirectory(prefix="numba-bench-") as fresh:
                        times[ours] = cold(ours, fresh)
                else:
                    times[ours] = cold(ours, os.environ["NUMBA_CACHE_DIR"])
            rows.append((label, times[True], times[False]))
            print(f"  measured {label}", flush=True)

    import umap

    from embedding.maps.projection import interactive_epochs, neighbour_preservation, project
    from embedding.models.glove import load_glove

    x = load_glove().vectors[:N_WORDS]
    warnings.filterwarnings("ignore")

    def raw(epochs=None):
        return umap.UMAP(n_components=2, metric="cosine", random_state=SEED,
                         n_epochs=epochs).fit_transform(x)

    def ours(epochs=None):
        return project(x, "umap", dims=2, seed=SEED, n_epochs=epochs)

    raw(), ours()  # compile everything before timing warm runs
    fast = interactive_epochs(N_WORDS)
    maps = {}

    def run(name, fn, epochs):
        def call():
            maps[name] = fn(epochs)
        return call

    # alternate, so load changes hit every variant alike
    med = medians({"raw": run("raw", raw, None), "ours": run("ours", ours, None),
                   "raw_fast": run("raw_fast", raw, fast),
                   "ours_fast": run("ours_fast", ours, fast)}, rounds=args.repeats)
    rows.append(("warm, 500 epochs (umap default)", med["ours"], med["raw"]))
    rows.append((f"warm, {fast} epochs (page's interactive)", med["ours_fast"], med["raw_fast"]))
    rows.append(("page map vs raw default", med["ours_fast"], med["raw"]))

    print(f"\nUMAP on {N_WORDS:,} GloVe 50-d words, cosine, seed {SEED} "
          f"(one run; only the ratios are comparable on a shared machine)")
    print(f"{'case':42s} {'ours s':>8s} {'raw s':>8s} {'ours/raw':>9s}")
    for label, o, r in rows:
        print(f"{label:42s} {o:8.2f} {r:8.2f} {o / r:9.2f}")
    print("\nneighbour preservation (10 nearest, cosine):")
    for name in ("raw", "ours", "raw_fast", "ours_fast"):
        print(f"  {name:10s} {neighbour_preservation(x, maps[name], k=10):.3f}")


if __name__ == "__main__":
    main()
