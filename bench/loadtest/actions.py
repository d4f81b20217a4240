"""What a student does: pick an action (compute a cosine, search, open the map, open a page) and
the widget values it sends."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator

from .protocol import PAGE_WIDGETS

WORDS = (
    "king queen man woman cat dog paris france apple banana car bus happy sad river ocean "
    "music piano teacher student coffee tea milk chocolate computer phone summer winter doctor "
    "nurse city village bread butter school book film movie horse cow sun moon"
).split()
QUERIES = (
    "a movie about space travel", "a love story in paris", "robots and artificial intelligence",
    "how do word embeddings work", "a heist that goes wrong", "a family on a road trip",
    "cosine similarity between vectors", "a detective solves a murder", "friendship and sports",
)


def choose_action(pages: list[str], rng: random.Random) -> tuple[str, str]:
    """(action name, page): compute a cosine, search, open the map, or open any page."""
    options: list[tuple[str, str]] = []
    for cos_page in ("word_similarity", "cosine_toy"):
        if cos_page in pages:
            options.append(("cosine", cos_page))
    if "semantic_search" in pages:
        options.append(("search", "semantic_search"))
    if "embedding_map" in pages:
        options.append(("map", "embedding_map"))
    options.append(("open", rng.choice(pages)))
    return rng.choice(options)


def widget_values(action: str, page: str, rng: random.Random) -> dict[str, object]:
    """New values for the page's main inputs, as the browser would send them."""
    values: dict[str, object] = {}
    widgets = PAGE_WIDGETS.get(page, [])
    if action == "cosine":
        for w in widgets:
            if w.kind == "text_input":
                values[w.id] = rng.choice(WORDS)
            elif w.kind == "text_area":  # the cosine calculator's "name: numbers" lines
                values[w.id] = "\n".join(
                    f"{name}: " + ", ".join(str(rng.randint(-9, 9)) for _ in range(3))
                    for name in ("Avatar", "Ironman", "Rainman"))
            elif w.kind == "number_input":
                lo = w.proto.min if w.proto.has_min else -5.0
                hi = w.proto.max if w.proto.has_max else 5.0
                value = rng.uniform(lo, hi)
                values[w.id] = round(value) if w.proto.data_type == w.proto.INT else value
    elif action == "search":
        texts = [w for w in widgets if w.kind in ("text_input", "text_area")]
        if texts:
            values[texts[0].id] = rng.choice(QUERIES)
    return values


async def next_actions(pages: list[str], rng: random.Random, until: float,
                       wait=asyncio.sleep) -> AsyncIterator[tuple[str, str]]:
    """A student's actions: think 5-15 s, then (action, page); the tab stays open until
    ``until`` (monotonic).

    ``wait(seconds)`` spends the time on the page (a protocol session's keeps the page's
    ``run_every`` fragments ticking, as an open tab does)."""
    while True:
        think = rng.uniform(5, 15)
        if time.monotonic() + think > until:
            await wait(max(0.0, until - time.monotonic()))  # the tab stays open to the end
            return
        await wait(think)  # think time between a student's actions
        yield choose_action(pages, rng)
