"""Word2Vec, trained live: a word is known by the company it keeps.

Skip-gram reads a *centre* word and learns to predict the words around it (its *context*,
``window`` words either side); CBOW does the reverse and predicts the centre from the average
of its context. Each wrong guess nudges the vectors, so words that appear in the same contexts
end up pointing the same way. With *negative sampling* the model only has to tell the true
context word from ``negative`` random words, which makes training cheap enough to run live.

Training here is bounded (corpus size, epochs, vector size, one worker, a work budget) and
seeded, so the same settings always give the same vectors on any machine.

Reading a corpus lives in :mod:`embedding.recsys.corpus`; maps of the result in
:mod:`embedding.maps.wordmap`.

    >>> result = train_word2vec(builtin_corpus(), Word2VecParams(epochs=5))  # doctest: +SKIP
    >>> result.wv.most_similar("police", topn=1)        # doctest: +SKIP
    >>> [round(x) for x in result.losses]               # loss of each epoch  # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from gensim.models import KeyedVectors, Word2Vec
from gensim.models.callbacks import CallbackAny2Vec

from embedding.cost import expensive
from embedding.recsys.corpus import Corpus, CorpusError, vocabulary_size
from embedding.similarity import unit_rows

#: Largest vocabulary kept (rarest words are dropped beyond it), so a model stays small.
MAX_VOCAB = 20_000
#: Training cost ceiling (see :func:`work_units`): ~6× the default run, ~10 s on one busy core.
WORK_BUDGET = 3_000_000_000
#: How many trainings may run at the same time on this server (the others wait their turn).
MAX_CONCURRENT_TRAININGS = 2
#: Allowed range of each setting (inclusive), for the sliders and for :meth:`Word2VecParams.check`.
LIMITS: dict[str, tuple[int, int]] = {
    "vector_size": (2, 200),
    "window": (1, 10),
    "negative": (1, 20),
    "epochs": (1, 30),
    "min_count": (1, 20),
}
_training_slots = threading.BoundedSemaphore(MAX_CONCURRENT_TRAININGS)


class TrainingTooLargeError(ValueError):
    """Settings whose training would take too long for a shared classroom server."""


@dataclass(frozen=True)
class Word2VecParams:
    """The settings of one training run (hashable: used as a cache key).

    Usage: ``Word2VecParams(sg=False, vector_size=50, epochs=5).check()``
    """

    sg: bool = True  # True: skip-gram (centre → context); False: CBOW (context → centre)
    vector_size: int = 50
    window: int = 5
    negative: int = 5
    epochs: int = 10
    min_count: int = 2
    seed: int = 42
    #: Down-sampling of very frequent tokens ("the", "of"): right for text, but with a small
    #: vocabulary of items (products, songs) every item is "frequent", so use 0 there.
    sample: float = 1e-3

    @property
    def method(self) -> str:
        """``"skip-gram"`` or ``"CBOW"``, for captions."""
        return "skip-gram" if self.sg else "CBOW"

    def check(self) -> Word2VecParams:
        """``self`` if every setting is inside :data:`LIMITS`, else ``ValueError`` saying which.

        Usage: ``Word2VecParams(epochs=99).check()`` → ValueError("epochs must be …")
        """
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}.")
        if not 0.0 <= self.sample <= 0.01:
            raise ValueError("sample must be from 0 (no down-sampling) to 0.01.")
        return self


def work_units(n_tokens: int, params: Word2VecParams) -> float:
    """A rough training cost: tokens × epochs × vector size × (negative + 1) × contexts per word.

    Skip-gram trains on about (window + 1) / 2 · 2 pairs per word with gensim's shrunk random
    windows, CBOW on one averaged context: that is why CBOW is several times faster.

    Usage: ``work_units(58_000, Word2VecParams())`` → 5.2e8
    """
    contexts = (params.window + 1) / 2 if params.sg else 1.0
    return float(n_tokens) * params.epochs * params.vector_size * (params.negative + 1) * contexts


def check_budget(n_tokens: int, params: Word2VecParams, budget: float | None = None) -> None:
    """Raise :class:`TrainingTooLargeError` (saying what to lower) when a run is too costly.

    Usage: ``check_budget(corpus.n_tokens, params)``
    """
    budget = WORK_BUDGET if budget is None else budget
    cost = work_units(n_tokens, params)
    if cost > budget:
        factor = cost / budget
        raise TrainingTooLargeError(
            f"These settings would take about {factor:.1f}× longer than this shared server "
            f"allows. Lower the epochs (e.g. to {max(1, int(params.epochs / factor))}), the "
            "vector size, the window or the negative samples"
            + (", or switch to CBOW." if params.sg else ".")
        )


def budget_share(n_tokens: int, params: Word2VecParams, budget: float | None = None) -> float:
    """The estimated cost of a run as a share of what the server allows (1.0 = the limit).

    Usage: ``budget_share(58_000, Word2VecParams())`` → 0.17…
    """
    budget = WORK_BUDGET if budget is None else budget
    return work_units(n_tokens, params) / budget


def fit_budget(n_tokens: int, params: Word2VecParams,
               budget: float | None = None) -> Word2VecParams:
    """``params`` with the epochs lowered just enough to fit the work budget (at least 1), so
    settings a page offers are never refused; unchanged when they already fit.

    Usage: ``fit_budget(120_000, Word2VecParams(vector_size=200, epochs=30)).epochs`` → 6
    """
    budget = WORK_BUDGET if budget is None else budget
    if work_units(n_tokens, params) <= budget:
        return params
    per_epoch = work_units(n_tokens, replace(params, epochs=1))
    return replace(params, epochs=max(1, int(budget // per_epoch)))


#: Below this mean cosine between frequent words the vectors have spread out (trained ones: ~0.3–0.6).
COLLAPSED_SPREAD = 0.8
#: A word seen fewer times than this has too few examples to learn a vector from.
RARE_COUNT = 5
_SPREAD_WORDS = 300


def spread(wv: KeyedVectors, n: int = _SPREAD_WORDS) -> float:
    """Mean cosine between two of the ``n`` most frequent words: near 1 when every vector still
    points the same way (too few dimensions or too little training), about 0.3–0.6 when trained.

    Usage: ``spread(train_word2vec(builtin_corpus(), Word2VecParams()).wv)`` → 0.54
    """
    unit = unit_rows(wv.vectors[: max(2, min(n, len(wv)))], np.float64)[0]
    m = len(unit)
    if m < 2:
        return 0.0
    sims = unit @ unit.T
    return float((sims.sum() - np.trace(sims)) / (m * (m - 1)))


@dataclass(frozen=True)
class Diagnosis:
    """Why a trained model's neighbours cannot be trusted, and what to change."""

    problem: str  # "too few dimensions", "not trained enough", "too few occurrences"
    advice: str


def diagnose(result: TrainedVectors, word: str | None = None) -> list[Diagnosis]:
    """What is wrong with these vectors (or with ``word``'s vector), in words a student can act
    on; an empty list when nothing is.

    Usage: ``diagnose(train_word2vec(builtin_corpus(), Word2VecParams(vector_size=2)))``
    → ``[Diagnosis("too few dimensions", …)]``
    """
    out: list[Diagnosis] = []
    p, wv = result.params, result.wv
    s = spread(wv)
    if s > COLLAPSED_SPREAD:
        if p.vector_size <= 5:
            out.append(Diagnosis("too few dimensions", (
                f"With only {p.vector_size} dimensions, {len(wv):,} words must share a handful "
                f"of directions: two random frequent words already have an average cosine of "
                f"{s:.2f}, so neighbours at 0.99 or 1.0 mean nothing. Use 25 or more "
                "dimensions.")))
        else:
            more = ("CBOW learns slowly from a small corpus: try 30 epochs, or skip-gram."
                    if not p.sg else f"Try more epochs (e.g. {min(30, max(p.epochs * 3, 10))}).")
            out.append(Diagnosis("not trained enough", (
                "The vectors still all point roughly the same way: two random frequent words "
                f"have an average cosine of {s:.2f} (a trained model: about 0.3–0.6), so every "
                f"neighbour scores near 1 and the list says little. {more}")))
    if word is not None and word in wv.key_to_index:
        count = int(wv.get_vecattr(word, "count"))
        if count < RARE_COUNT:
            out.append(Diagnosis("too few occurrences", (
                f"'{word}' appears only {count} time{'s' if count != 1 else ''} in this corpus: "
                "too few examples to learn from, so its vector barely moved from its random "
                "start and its neighbours, even at 0.99, are noise. Try a word that appears "
                f"often, e.g. {', '.join(frequent_words(wv, 3, min_chars=4))}.")))
    return out


def _stable_hash(text: str) -> int:
    """A hash that does not change with PYTHONHASHSEED (gensim's default is ``hash``)."""
    return zlib.crc32(text.encode("utf-8"))


@dataclass(frozen=True)
class EpochReport:
    """Progress after one epoch: how far, and the loss of that epoch alone."""

    epoch: int  # 1-based
    epochs: int
    loss: float  # summed negative-sampling loss of this epoch (not cumulative)

    @property
    def fraction(self) -> float:
        return self.epoch / self.epochs


class _EpochCallback(CallbackAny2Vec):
    """gensim calls ``on_epoch_end`` after every pass; gensim's loss is cumulative, we diff it."""

    def __init__(self, epochs: int, on_epoch: Callable[[EpochReport], None] | None):
        self.epochs, self.on_epoch = epochs, on_epoch
        self.previous, self.losses, self.epoch = 0.0, [], 0

    def on_epoch_end(self, model: Word2Vec) -> None:
        total = float(model.get_latest_training_loss())
        self.epoch += 1
        self.losses.append(total - self.previous)
        self.previous = total
        if self.on_epoch is not None:
            self.on_epoch(EpochReport(self.epoch, self.epochs, self.losses[-1]))


@dataclass(frozen=True)
class TrainedVectors:
    """What a training run produced. ``wv`` is shared between sessions: read it, never change it.

    Usage: ``r = train_word2vec(corpus, params); r.wv.most_similar("cat")``
    """

    wv: KeyedVectors
    params: Word2VecParams
    corpus_name: str
    n_sentences: int
    n_tokens: int
    losses: tuple[float, ...]  # one per epoch
    seconds: float = field(compare=False)

    @property
    def vocab_size(self) -> int:
        return len(self.wv)


def validate_training(corpus: Corpus, params: Word2VecParams) -> None:
    """Every check :func:`train_word2vec` makes before it starts, so a page can ask first.

    Usage: ``validate_training(corpus, params)`` → ``None``, or raises ``ValueError`` (settings
    out of :data:`LIMITS`), :class:`TrainingTooLargeError` or :class:`CorpusError`.
    """
    params.check()
    check_budget(corpus.n_tokens, params)
    if vocabulary_size(corpus, params.min_count) < 2:
        raise CorpusError(
            f"Fewer than two words appear at least {params.min_count} times in this text, so "
            "there is nothing to learn. Lower the minimum count or use a longer text."
        )


def _acquire(lock, on_queue: Callable[[], None] | None) -> None:
    """Take ``lock``; if that means waiting, call ``on_queue`` first (to say so on screen)."""
    if not lock.acquire(blocking=False):
        if on_queue is not None:
            on_queue()
        lock.acquire()


@expensive("Word2Vec training")
def train_word2vec(
    corpus: Corpus,
    params: Word2VecParams,
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_queue: Callable[[], None] | None = None,
) -> TrainedVectors:
    """Train Word2Vec on ``corpus``, deterministically, reporting each epoch to ``on_epoch``.

    Usage: ``train_word2vec(builtin_corpus(), Word2VecParams(sg=False), print)``

    At most :data:`MAX_CONCURRENT_TRAININGS` run at once on the server; a run that has to wait
    for a free slot calls ``on_queue`` first. One worker thread and a fixed seed make the
    vectors identical on every run. Raises
    ``ValueError`` for settings out of :data:`LIMITS`, :class:`TrainingTooLargeError` when over
    the work budget, :class:`CorpusError` when no word appears ``min_count`` times.
    """
    validate_training(corpus, params)
    sentences = [list(s) for s in corpus.sentences]
    callback = _EpochCallback(params.epochs, on_epoch)
    model = Word2Vec(
        sg=int(params.sg), vector_size=params.vector_size, window=params.window,
        negative=params.negative, hs=0, min_count=params.min_count, seed=params.seed,
        sample=params.sample,
        workers=1, hashfxn=_stable_hash, max_final_vocab=MAX_VOCAB, compute_loss=True,
    )
    start = time.perf_counter()
    _acquire(_training_slots, on_queue)
    try:
        model.build_vocab(sentences)
        model.train(
            sentences, total_examples=model.corpus_count, epochs=params.epochs,
            compute_loss=True, callbacks=[callback],
        )
    finally:
        _training_slots.release()
    wv = model.wv
    wv.fill_norms()  # computed once here, so later look-ups from many sessions only read
    return TrainedVectors(
        wv=wv, params=params, corpus_name=corpus.name, n_sentences=len(sentences),
        n_tokens=corpus.n_tokens, losses=tuple(callback.losses),
        seconds=time.perf_counter() - start,
    )


class ModelCache:
    """A small thread-safe LRU cache of trained vectors, one entry per (corpus, settings).

    Two sessions asking for the same model at once train it only once: the second waits for
    the first. Usage: ``cache.get_or_train(corpus, params, on_epoch)``
    """

    def __init__(self, max_entries: int = 8):
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, TrainedVectors] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, corpus_key: str, params: Word2VecParams) -> TrainedVectors | None:
        """The cached result for this corpus and these settings, or ``None``."""
        key = (corpus_key, params)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def get_or_train(
        self,
        corpus: Corpus,
        params: Word2VecParams,
        on_epoch: Callable[[EpochReport], None] | None = None,
        on_queue: Callable[[], None] | None = None,
    ) -> tuple[TrainedVectors, bool]:
        """``(result, trained_now)``: the cached vectors, or newly trained ones (then cached).

        ``on_queue`` is called when this call has to wait (the same model is being trained for
        another session, or every training slot is busy).
        """
        key = (corpus.key, params)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        _acquire(key_lock, on_queue)
        try:
            hit = self.get(corpus.key, params)
            if hit is not None:
                return hit, False
            result = train_word2vec(corpus, params, on_epoch, on_queue)
            with self._lock:
                self._items[key] = result
                self._items.move_to_end(key)
                while len(self._items) > self.max_entries:
                    old, _ = self._items.popitem(last=False)
                    self._key_locks.pop(old, None)
            return result, True
        finally:
            key_lock.release()


def frequent_words(wv: KeyedVectors, n: int = 150, min_chars: int = 1) -> list[str]:
    """The ``n`` most frequent words of a trained model with at least ``min_chars`` characters
    (gensim sorts its vocabulary by count; ``min_chars=4`` skips most of "the", "of", "and").

    Usage: ``frequent_words(result.wv, 3)`` → ``["the", "to", "of"]``
    """
    return [w for w in wv.index_to_key if len(w) >= min_chars][: max(0, n)]


def training_pairs(
    tokens: Sequence[str], window: int, sg: bool = True, centre: int | None = None
) -> list[tuple[str, str]]:
    """The (input → target) examples Word2Vec learns from in one sentence, full window
    (only those of position ``centre`` when it is given).

    Skip-gram: (centre → each context word). CBOW: (the context words together → centre).

    Usage: ``training_pairs(["the", "cat", "sat"], 1)``
    → ``[("the", "cat"), ("cat", "the"), ("cat", "sat"), ("sat", "cat")]``
    """
    pairs: list[tuple[str, str]] = []
    positions = range(len(tokens)) if centre is None else [centre]
    for i in positions:
        centre_word = tokens[i]
        context = [tokens[j] for j in range(max(0, i - window), min(len(tokens), i + window + 1))
                   if j != i]
        if sg:
            pairs += [(centre_word, c) for c in context]
        elif context:
            pairs.append((" + ".join(context), centre_word))
    return pairs
