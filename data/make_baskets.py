"""Write data/baskets.txt: 2,500 synthetic shopping baskets, one per line (seeded, reproducible).

Each basket serves one or two shopping missions (Italian dinner, breakfast, barbecue, …): 2–5
products from each, sometimes an impulse buy from anywhere. The shop and the generator live in
``embedding/recsys/baskets.py`` (one source of truth); this script only writes the file.

    .venv/bin/python data/make_baskets.py          # rewrites data/baskets.txt
"""

from __future__ import annotations

from embedding.recsys.baskets import (
    BASKETS_FILE,
    N_BASKETS,
    SEED,
    baskets_to_text,
    generate_baskets,
)


def main() -> None:
    baskets = generate_baskets(N_BASKETS, SEED)
    BASKETS_FILE.write_text(baskets_to_text(baskets), encoding="utf-8")
    n_items = sum(len(b) for b in baskets)
    print(f"wrote {len(baskets)} baskets ({n_items} products) to {BASKETS_FILE}")


if __name__ == "__main__":
    main()
