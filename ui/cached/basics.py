"""The cosine calculator's worked answer for one set of toy vectors."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, NamedTuple

import pyarrow as pa
import streamlit as st

from ui.cached.common import arrow_table


class ToyView(NamedTuple):
    """The cosine calculator's answer for one set of toy vectors, READ-ONLY for every session."""

    steps: MappingProxyType  # name -> CosineSteps against the liked item
    ranking: tuple[str, ...]  # the other items, best first
    table: Any  # pandas DataFrame of :func:`embedding.classroom.explain.ranking_table`
    arrow: pa.Table  # the same table, as st.dataframe sends it


@st.cache_resource(max_entries=256, show_spinner=False)
def toy_view(vectors: tuple[tuple[str, tuple[float, ...]], ...], liked: str) -> ToyView:
    """Every cosine step of ``liked`` against the other ``(name, numbers)`` and the ranking
    table, once per input for every session (a class types the lecture's vectors)."""
    from embedding.classroom.explain import ranking_table, steps_and_ranking

    steps, ranking = steps_and_ranking(dict(vectors), liked)
    table = ranking_table(steps, ranking)
    return ToyView(MappingProxyType(steps), tuple(ranking), table, arrow_table(table))


