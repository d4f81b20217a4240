"""Models shared by every session of this server process (the only streamlit module here).

Each loader runs once per process; later calls, from any session, get the same object. Pages
ask for a model only when they need it, so the home page never waits. :func:`warm_up` starts
loading in a background thread when the server starts, so the first student rarely waits.

    >>> from ui import resources
    >>> kv = resources.glove()
"""

from __future__ import annotations

import gc
import logging
import threading

import streamlit as st
from starlette.websockets import WebSocketDisconnected

from embedding import config
from embedding.models.glove import describe_glove, load_glove
from embedding.models.providers import (
    SBERT_KEY,
    EmbeddingProvider,
    ProviderSpec,
    SbertProvider,
    configured_specs,
    make_provider,
)
from embedding.models.sbert import describe_sbert, load_sbert
from embedding.search import ann as ann_datasets

_warm_lock = threading.Lock()
_warm_thread: threading.Thread | None = None


@st.cache_resource(show_spinner=f"Loading {describe_glove()} (first time only, a few seconds)…")
def glove():
    """The shared GloVe ``KeyedVectors`` (read-only: never modify it)."""
    return load_glove()


@st.cache_resource(show_spinner=f"Loading the sentence model {describe_sbert()} (first time only)…")
def sbert():
    """The shared SentenceTransformer; encode through :func:`embedding.models.sbert.encode` (locked).

    The server encodes a few short texts at a time, one session after another (the model lock),
    so torch gets one thread: with two, OpenMP's spinning threads fight the page runs for the
    cores, and a two-sentence encode took 210 ms instead of 25 ms on a busy 2-core box.
    """
    import torch

    torch.set_num_threads(config.torch_threads())
    return load_sbert()


def provider(key: str = SBERT_KEY) -> EmbeddingProvider:
    """The embedding provider ``key`` (default: the built-in SBERT) over the shared models.

    Usage: ``resources.provider().embed(["a cat"])`` (texts in, unit rows out)

    Another key names a configured provider (:func:`provider_specs`); a remote one gets the key
    from its environment variable, the timeout and retries from :mod:`embedding.config`, and
    caches its vectors on disk under ``cache/embeddings``. ``KeyError`` for an unknown key.
    """
    if key == SBERT_KEY:
        return SbertProvider(sbert())
    spec = {s.key: s for s in provider_specs()}[key]
    return _configured_provider(spec)


def _sbert_reference(texts: list[str]):
    """The built-in SBERT's rows, to compare a remote provider's first answer with."""
    return SbertProvider(sbert()).embed(texts)


@st.cache_resource(show_spinner="Loading the model (first time only)…")
def _configured_provider(spec: ProviderSpec) -> EmbeddingProvider:
    """One provider object per spec and process: its circuit breaker, its requests in flight
    and its memory are shared by every session. A remote one gets the key of its own
    ``api_key_env`` only (none when that is empty)."""
    from embedding.paths import writable_dir

    key = config.api_key(spec.api_key_env) if spec.api_key_env else None
    return make_provider(spec, api_key=key, cache_dir=writable_dir("cache", "embeddings"),
                         deadline=config.provider_deadline(),
                         max_retries=config.provider_retries(),
                         cooldown=config.provider_cooldown(), reference=_sbert_reference,
                         reference_name=describe_sbert())


def provider_specs() -> list[ProviderSpec]:
    """The providers configured besides SBERT (environment, settings file), read now: ``[]``
    when none is, and then nothing ever leaves the server. Raises
    :class:`~embedding.models.providers.ProviderConfigError` for unusable settings."""
    return configured_specs(config.provider_settings_file(), config.openai_model(),
                            config.openai_base_url())


def umap_jit() -> float:
    """Compile UMAP's numba code with a tiny map (tens of seconds the first time), once.

    Not a cached resource: the compiled code lives in numba's process-wide cache (and on disk
    in ``NUMBA_CACHE_DIR``), so later calls take a fraction of a second.
    """
    from embedding.maps.projection import warm_up as warm_projection

    return warm_projection()


@st.cache_resource(show_spinner="Embedding the built-in corpus (first time on this server)…")
def builtin_store(corpus: str, vectorizer: str):
    """Read-only vector store of a built-in corpus (``"movies"``/``"lectures"``) for the
    ``"glove"`` vectorizer or an embedding provider's key (``"sbert"``, a configured one),
    shared by every session and cached on disk.

    The movie store embeds the plot only (the Semantic search page and the exercise builder).
    """
    from embedding.paths import writable_dir
    from embedding.search.documents import lecture_corpus, movie_corpus
    from embedding.search.retrieval import GloveAverageVectorizer, build_store

    vec = GloveAverageVectorizer(glove()) if vectorizer == "glove" else provider(vectorizer)
    ids, texts, payloads = movie_corpus() if corpus == "movies" else lecture_corpus()
    if not vec.dim:  # a remote model tells its dimension with its first answer (then cached)
        vec.embed(texts[:1])
    return build_store(vec, ids, texts, payloads,
                       cache_dir=writable_dir("cache", "corpora",
                                              f"{corpus}-{vectorizer.replace(':', '_')}"))


class SharedBuild:
    """A slow build shared by every session: runs once in a background thread and reports
    ``(done, total)`` to a counter any session can read and draw as its own progress bar.

    Nothing is drawn inside the cached loader (a cached function that draws replays its
    elements into containers of a script run that no longer exists:
    ``CacheReplayClosureError`` for every later visit). Usage in a page::

        build = resources.movie_build()
        while not build.wait(0.25):
            bar.progress(build.fraction())
    """

    def __init__(self, name: str, target):
        self.name, self._target = name, target
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._finished = threading.Event()
        self.done = self.total = 0
        self.error: BaseException | None = None
        self.waiting = False  # queued behind another long job (see run_as_long_job)

    def report(self, done: int, total: int) -> None:
        """The loader's progress callback (any thread)."""
        self.done, self.total = int(done), int(total)

    def fraction(self) -> float:
        """How far the build is, from 0 to 1 (0 before the first report)."""
        done, total = self.done, self.total
        return min(1.0, done / total) if total else 0.0

    def _run(self) -> None:
        try:
            self._target()
        except BaseException as exc:  # the page calls the loader again and shows the error
            self.error = exc
        finally:
            self._finished.set()

    def start(self) -> SharedBuild:
        """Start the build in the background unless it already started; returns ``self``."""
        with self._lock:
            if self._thread is None:
                # a background thread: _QuietWarmUp drops its context notes too
                self._thread = threading.Thread(target=self._run, name="shared-build",
                                                daemon=True)
                self._thread.start()
        return self

    @property
    def started(self) -> bool:
        """Whether :meth:`start` was called (and the build not reset since)."""
        return self._thread is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait at most ``timeout`` seconds; ``True`` once the build has finished."""
        return self._finished.wait(timeout)

    def reset(self) -> None:
        """Forget a finished build (after the loader's cache was cleared)."""
        with self._lock:
            if self._thread is not None and not self._thread.is_alive():
                self._thread, self.error, self.done, self.total = None, None, 0, 0
                self._finished.clear()


@st.cache_resource(show_spinner=False)
def movie_recommender():
    """``(movies, store)`` for recommendations: SBERT on "title. genres. plot", one row a movie.

    The first embedding on a server reports to :data:`MOVIE_BUILD` (pages draw it from there).
    """
    from embedding.paths import writable_dir
    from embedding.recsys import recommend as rec
    from embedding.recsys.movies import load_movies

    movies = load_movies()
    store = rec.movie_store(provider(SBERT_KEY), movies,
                            writable_dir("cache", rec.CACHE_NAME), progress=MOVIE_BUILD.report)
    return movies, store


@st.cache_resource(show_spinner="Embedding the movies with the chosen model (first time only)…")
def provider_movie_recommender(key: str):
    """:func:`movie_recommender` with the configured provider ``key`` (a store per provider,
    cached on disk; its vectors come from the provider's own disk cache after the first time)."""
    from embedding.paths import writable_dir
    from embedding.recsys import recommend as rec
    from embedding.recsys.movies import load_movies

    movies, vec = load_movies(), provider(key)
    if not vec.dim:  # a remote model tells its dimension with its first answer
        vec.embed(rec.movie_texts(movies[:1]))
    folder = writable_dir("cache", f"{rec.CACHE_NAME}-{key.replace(':', '_')}")
    return movies, rec.movie_store(vec, movies, folder)


#: The movie index build shared by every session (see :func:`movie_build`).
MOVIE_BUILD = SharedBuild("movie recommendations", movie_recommender)


def movie_build() -> SharedBuild:
    """The movie index build, started in the background if nobody started it yet."""
    return MOVIE_BUILD.start()


@st.cache_resource(max_entries=4, show_spinner="Embedding the documents (first time only)…")
def exercise_corpus_embeddings(name: str, texts: tuple[str, ...]):
    """SBERT rows of an exercise corpus's documents (read-only), keyed by their texts.

    The movie corpus reuses the Semantic search page's store (same texts, same order).
    """
    if name == "movies":
        emb = builtin_store("movies", "sbert").vectors()
        if len(emb) == len(texts):
            return emb
    emb = provider(SBERT_KEY).embed(texts)
    emb.setflags(write=False)  # shared by every session: read-only
    return emb


@st.cache_resource(show_spinner=False)
def trained_word2vec():
    """Word2Vec models trained on this server, shared by every session (read-only), 8 at most."""
    from embedding.recsys import word2vec as w2v

    return w2v.ModelCache(max_entries=8)


@st.cache_resource(show_spinner=False)
def word2vec_builtin_corpus():
    """The built-in Word2Vec training text (gensim's Lee corpus), tokenised once."""
    from embedding.recsys import corpus as corpora

    return corpora.builtin_corpus()


@st.cache_resource(show_spinner=False)
def basket_corpus():
    """``(baskets, corpus)``: the built-in shopping baskets and their Product2Vec corpus."""
    from embedding.recsys import baskets as bk

    baskets = bk.load_baskets()
    return baskets, bk.basket_corpus(baskets)


@st.cache_resource(max_entries=16, show_spinner="Reading your file…")
def word2vec_upload(data: bytes, name: str, sequences: bool):
    """An uploaded training file, validated and tokenised once (keyed by its bytes; read-only)."""
    from embedding.recsys import corpus as corpora

    return corpora.corpus_from_upload(data, name=name, sequences=sequences)


@st.cache_resource(max_entries=3, ttl=3600, show_spinner="Reading your word vectors…")
def uploaded_vectors(digest: str, _data: bytes):
    """Parsed word-vector upload, shared by sessions that upload the same bytes.

    ``digest`` is the sha256 of ``_data`` (so the key is the content, hashed once by the caller).
    """
    from embedding.models.vectors_io import parse_vectors

    return parse_vectors(_data)


@st.cache_resource(show_spinner="Indexing the words of the built-in corpus (BM25)…")
def bm25_index(corpus: str):
    """The read-only BM25 index of a built-in corpus (same ids and texts as :func:`builtin_store`)."""
    from embedding.search.documents import lecture_corpus, movie_corpus
    from embedding.search.keyword import Bm25Index

    return Bm25Index(*(movie_corpus() if corpus == "movies" else lecture_corpus()))


def index_stamp(meta: dict, count: int) -> str:
    """What tells one build of a saved index from another (its build id; older indexes: the
    minute they were created and their size): part of every cache key over its chunks."""
    return str(meta.get("build") or f"{meta.get('created', '')}-{count}")


@st.cache_resource(show_spinner="Indexing the words of this saved index (BM25)…",
                   max_entries=8)
def saved_index_keyword(name: str, stamp: str):
    """``(store, bm25)`` for a saved index that keeps its chunks' texts (numpy): keyword search
    over the same chunks. ``stamp`` (creation time + count) renews them on rebuild."""
    from embedding.search.keyword import Bm25Index
    from embedding.search.store import open_index

    store = open_index(name)
    ids, payloads = store.ids(), store.payloads()
    return store, Bm25Index(ids, [str(p.get("text", "")) for p in payloads], payloads)


@st.cache_resource(show_spinner="Averaging GloVe vectors of this saved index…", max_entries=8)
def saved_index_side(name: str, stamp: str):
    """``(store, bm25, glove_store)`` for a saved numpy index: keyword and GloVe-average
    searches over the same chunks. ``stamp`` (creation time + count) renews them on rebuild."""
    from embedding.search.retrieval import GloveAverageVectorizer, build_store

    store, bm25 = saved_index_keyword(name, stamp)
    ids, payloads = bm25.ids, bm25.payloads
    texts = [str(p.get("text", "")) for p in payloads]
    return (store, bm25,
            build_store(GloveAverageVectorizer(glove()), ids, texts, payloads))


#: The data sets the "Exact vs approximate" page indexes.
ANN_DATASETS = ann_datasets.DATASETS
#: Graph degrees the page offers (each is one graph per data set, built once per server).
ANN_M_CHOICES = (8, 16, 32)

#: Work that holds a core for minutes (the 400,000-vector graph builds) runs one job at a time
#: per server process: a second build waits here (its page says so) instead of halving the
#: first one's speed and the class's.
_LONG_JOB = threading.Lock()


def run_as_long_job(build: SharedBuild, work) -> None:
    """Run ``work()`` once no other long job of this server is running (``build.waiting`` is
    true meanwhile, for the page to say "waiting for another build")."""
    build.waiting = True
    with _LONG_JOB:
        build.waiting = False
        work()


@st.cache_resource(show_spinner="Preparing the vectors to index…", max_entries=2)
def ann_vectors(dataset: str):
    """Unit float32 rows of an ANN data set (read-only, shared by every session)."""
    rows = ann_datasets.dataset_vectors(dataset, glove() if dataset == "glove" else None)
    rows.setflags(write=False)
    return rows


class AnnBuilt:
    """A finished HNSW graph with what the page reports about it (measured once)."""

    def __init__(self, index, memory_bytes: int):
        self.index, self.memory_bytes = index, int(memory_bytes)


_ann_builds: dict[tuple[str, int], SharedBuild] = {}
_ann_lock = threading.Lock()
_ann_done: dict[tuple[str, int], AnnBuilt] = {}


def ann_build(dataset: str, m: int, start: bool = True) -> SharedBuild:
    """The HNSW build of ``dataset`` with graph degree ``m``, started in the background once per
    server (unless ``start=False``), one long job at a time, and cached on disk
    (``<data>/ann``); the page draws its progress from outside."""
    key = (dataset, int(m))
    with _ann_lock:
        build = _ann_builds.get(key)
        if build is None:
            def target(key=key):
                from embedding.paths import writable_dir
                from embedding.search.ann import HnswParams, cached_index

                def work():
                    index = cached_index(writable_dir("ann", key[0]), ann_vectors(key[0]),
                                         HnswParams(key[1], 40), progress=build.report)
                    _ann_done[key] = AnnBuilt(index, index.memory_bytes())

                if ann_on_disk(*key):  # loading a saved graph takes a second: no queue
                    work()
                else:
                    run_as_long_job(build, work)

            build = _ann_builds[key] = SharedBuild(f"HNSW {dataset} M={m}", target)
    return build.start() if start else build


def ann_on_disk(dataset: str, m: int) -> bool:
    """Whether a graph of ``dataset`` with degree ``m`` was saved by an earlier build (cheap: a
    file-name check; a stale file for other vectors is rebuilt by the loader anyway)."""
    from embedding.paths import writable_dir
    from embedding.search.ann import HnswParams

    return any(writable_dir("ann", dataset).glob(f"hnsw-{HnswParams(int(m), 40).tag}-*.faiss"))


def ann_index(dataset: str, m: int) -> AnnBuilt | None:
    """The finished graph, or ``None`` while it is still being built (see :func:`ann_build`)."""
    build = ann_build(dataset, m)
    if build.error is not None:
        raise build.error
    return _ann_done.get((dataset, int(m)))


def ann_graphs_ready() -> list[tuple[str, int]]:
    """The (data set, M) graphs any student can open now: saved on disk or built here."""
    return [(d, m) for d in ANN_DATASETS for m in ANN_M_CHOICES
            if (d, m) in _ann_done or ann_on_disk(d, m)]


# ---------------------------------------------------------------- pgvector's graph (database)

_pg_builds: dict[tuple[str, int], SharedBuild] = {}


def pg_indexes():
    """The pgvector backend of the named indexes, or ``None`` without ``DATABASE_URL``."""
    from embedding.search.store import registry

    backend = registry.backend()
    return backend if backend.name == "pgvector" else None


def pg_ann_store(dataset: str, m: int):
    """pgvector's saved teaching graph of ``dataset`` at ``m`` (shared by every replica through
    the database), or ``None`` when it is not built yet (or there is no database)."""
    from embedding.search.ann_pg import open_pg_graph

    indexes = pg_indexes()
    return open_pg_graph(indexes, dataset, m) if indexes is not None else None


def pg_ann_build(dataset: str, m: int, start: bool = True) -> SharedBuild:
    """Loading ``dataset`` into PostgreSQL and building pgvector's graph at ``m``: one build per
    server in the background (one long job at a time; one builder per database)."""
    key = (dataset, int(m))
    with _ann_lock:
        build = _pg_builds.get(key)
        if build is None:
            def target(key=key):
                from embedding.search.ann_pg import build_pg_graph

                run_as_long_job(build, lambda: build_pg_graph(
                    pg_indexes(), key[0], key[1], ann_vectors(key[0]), build.report))

            build = _pg_builds[key] = SharedBuild(f"pgvector HNSW {dataset} M={m}", target)
    return build.start() if start else build


# ---------------------------------------------------------------- purging expired classes

_purge_lock = threading.Lock()
_purge_thread: threading.Thread | None = None
_last_purge = None  # the latest embedding.classroom.retention.PurgeReport


def purge_now():
    """Purge expired classes and the indexes built in them (see
    :mod:`embedding.classroom.retention`); returns the report (also kept for
    :func:`last_purge`)."""
    global _last_purge
    from embedding.classroom.db import ClassDB, default_url
    from embedding.classroom.retention import purge
    from embedding.paths import writable_dir

    url = default_url()
    db = ClassDB(url)
    try:
        report = purge(db, keep_days=config.keep_days(),
                       index_root=None if config.database_url() else writable_dir("indexes"))
    finally:
        db.close()
    _last_purge = report
    return report


def last_purge():
    """The latest purge of this server (``PurgeReport``: ``.classes``, ``.indexes``, ``.at``,
    ``.sentence()``), or ``None`` before the first. For the instructor's page."""
    return _last_purge


def _purge_loop() -> None:
    from embedding.classroom.retention import EVERY

    log = logging.getLogger("embedding.retention")
    pause = threading.Event()
    while True:
        try:
            purge_now()
        except Exception as exc:  # noqa: BLE001 - a database down: one line, try next hour
            log.warning("Purging expired classes failed (%s); trying again in an hour.",
                        type(exc).__name__)
        pause.wait(EVERY)


def start_purge_schedule() -> None:
    """Purge once now and then every hour, in a background thread, once per process (not when
    ``EMBEDDING_EXPLORER_KEEP_DAYS`` is 0: then everything is kept)."""
    global _purge_thread
    if config.keep_days() <= 0:
        return
    with _purge_lock:
        if _purge_thread is None:
            _purge_thread = threading.Thread(target=_purge_loop, name="class-purge",
                                             daemon=True)
            _purge_thread.start()


def _warm_corpora() -> None:
    builtin_store("movies", "sbert")
    movie_recommender()


def _warm_glove_digest() -> None:
    from ui.cached import vectors_digest

    vectors_digest(glove())  # the cache key of results computed from GloVe (hashed once)


#: What :func:`warm_up` loads in the background, in order (most needed first).
_WARMERS = (glove, sbert, _warm_glove_digest, umap_jit, _warm_corpora)


#: Names (prefixes) of this app's background threads: the model warm-up, a shared build, the
#: hourly purge of old classes, a graph build in PostgreSQL, calls to remote providers.
BACKGROUND_THREADS = ("model-warm-up", "shared-build", "class-purge", "index-build",
                      "remote-call")


class _QuietWarmUp(logging.Filter):
    """Drop streamlit's "missing ScriptRunContext" notes logged by the app's own background
    threads (:data:`BACKGROUND_THREADS`): they use the shared models and caches too."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not threading.current_thread().name.startswith(BACKGROUND_THREADS)


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    _QuietWarmUp())


class _QuietDisconnect(logging.Filter):
    """Drop the ASGI server's traceback for a browser that left while a message was on its way
    to it (a reload, a phone going to sleep): Streamlit's websocket handler then calls
    ``close`` on the closed socket (Streamlit 1.67 with Starlette 1.x) and the session is
    disconnected all the same. Every other error is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        seen = set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            if isinstance(exc, WebSocketDisconnected):
                return False
            exc = exc.__context__
        return True


logging.getLogger("uvicorn.error").addFilter(_QuietDisconnect())


def _warm() -> None:
    for fn in _WARMERS:
        try:
            fn()
        except Exception:  # a page shows the real error when it asks for the model
            pass
    # torch, transformers and the models live as long as the process: take them out of the
    # garbage collector's sight, so a full collection no longer walks ~600,000 objects
    # (0.3 s holding the GIL, which stalls every session; see bench/load_test.py).
    gc.collect()
    gc.freeze()


def warm_up() -> None:
    """Start loading the models in a background thread, once per process.

    Set ``EMBEDDING_EXPLORER_WARMUP=0`` to switch it off.
    """
    global _warm_thread
    if not config.warm_up_enabled():
        return
    with _warm_lock:
        if _warm_thread is None:
            _warm_thread = threading.Thread(target=_warm, name="model-warm-up", daemon=True)
            _warm_thread.start()
