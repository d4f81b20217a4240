"""Build the *Exact vs approximate* graphs before class, from the server's shell.

    make graphs                                   # M = 16 over both data sets
    python -m embedding.search.graphs --m 8 16 32 --datasets glove

Each FAISS graph is saved where the page looks for it (``<data>/ann/<dataset>/``), so the page
loads it in a second for every student instead of asking the instructor to build it. With
``DATABASE_URL`` set, pgvector's graph of the same data set and M is built in the database too
(once for every replica). Builds run one after the other, one core each.
"""

from __future__ import annotations

import argparse
import sys
import time

from embedding import config
from embedding.paths import writable_dir
from embedding.search.ann import DATASETS, HnswParams, cached_index, dataset_vectors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embedding.search.graphs",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--m", type=int, nargs="+", default=[16], choices=[8, 16, 32])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--no-pgvector", action="store_true",
                        help="skip pgvector's graphs even when DATABASE_URL is set")
    args = parser.parse_args(argv)
    pg = None
    if config.database_url() and not args.no_pgvector:
        from embedding.classroom.db import ClassDB
        from embedding.search.store import PgIndexes

        pg = PgIndexes(lambda: ClassDB(config.database_url()))
    for dataset in args.datasets:
        vectors = dataset_vectors(dataset)
        for m in args.m:
            t0 = time.perf_counter()
            index = cached_index(writable_dir("ann", dataset), vectors, HnswParams(m, 40))
            print(f"FAISS HNSW {dataset} M={m}: ready ({time.perf_counter() - t0:.0f} s)",
                  flush=True)
            if pg is not None:
                from embedding.search.ann_pg import build_pg_graph

                t0 = time.perf_counter()
                build_pg_graph(pg, dataset, m, vectors)
                print(f"pgvector HNSW {dataset} M={m}: ready "
                      f"({time.perf_counter() - t0:.0f} s)", flush=True)
            del index
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
