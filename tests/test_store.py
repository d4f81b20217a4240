"""The vector store: the same tests for every backend, brute-force answers, safe persistence.

Backends: the numpy scan, the numpy store answering from its FAISS HNSW graph, pgvector's
exact scan and pgvector's HNSW graph, the last two on the real PostgreSQL the session starts
(tests/pg.py). The graphs search with ef at least the store's size, so their answers must
equal brute force: these tests check the plumbing (ids, payloads, scores, deletes), and
tests/test_ann.py and the bench measure recall.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from embedding.classroom.db import ClassDB
from embedding.search.ann import HnswParams
from embedding.search.store import (
    INDEX_FILE,
    HnswStore,
    NumpyStore,
    PgIndexes,
    PgVectorStore,
    StoreError,
    VectorStore,
    create_index,
    delete_index,
    list_indexes,
    open_index,
    pg_store,
    registry,
    suggest_index_name,
    top_k,
    validate_index_name,
)
from embedding.search.store import base as store_base
from tests.conftest import ROOT
from tests.pg import fresh_database
from tests.reference import brute_force_search

_pg = pytest.mark.server
BACKENDS = ["numpy", "hnsw", pytest.param("pgvector", marks=_pg),
            pytest.param("pgvector-hnsw", marks=_pg)]
DIM = 16


class GraphStore(HnswStore):
    """The numpy store answering every search from a FAISS graph over its current rows."""

    def search(self, vector, k: int = 10, **kw):
        if self.count() and not self.uses_graph:
            self.build_graph(HnswParams(m=8, ef_construction=40))
        assert self.uses_graph or not self.count()
        return super().search(vector, k, ef=max(k, self.count(), 1))


@pytest.fixture(scope="module")
def pg_db(request):
    """One database of the session's PostgreSQL for this module (each test its own index)."""
    server = request.getfixturevalue("postgres_server")
    db = ClassDB(fresh_database(server))
    yield db
    db.close()


def make_store(backend: str, tmp_path, dim: int = DIM, request=None) -> VectorStore:
    if backend == "numpy":
        return NumpyStore(dim, tmp_path / "np")
    if backend == "hnsw":
        return GraphStore(dim, tmp_path / "np")
    db = request.getfixturevalue("pg_db")
    store = PgIndexes(lambda: db).create(f"t{tmp_path.name[-30:]}".lower().replace(".", ""),
                                         dim, {})
    if backend == "pgvector-hnsw":
        store.build_graph(m=8)  # on the empty build: PostgreSQL adds each row to the graph
        store.ef_search = 1000  # at least the store's size: the walk reaches every row
    return store


def random_data(n: int = 300, dim: int = DIM, seed: int = 0):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    ids = [f"doc-{i}" for i in range(n)]
    payloads = [{"text": f"text {i}", "n": i} for i in range(n)]
    return ids, vectors, payloads


# ---------------------------------------------------------------------------------------------
# Every backend


@pytest.mark.parametrize("backend", BACKENDS)
def test_length_never_changes_a_score(backend, tmp_path, request):
    """Vectors are normalised on the way in (the protocol's promise): only direction counts."""
    s = make_store(backend, tmp_path, dim=2, request=request)
    s.add(["a", "a-long", "up"], [[3, 4], [300, 400], [0, 10]])
    hits = s.search([0.6, 0.8], k=3)
    assert sorted(h.id for h in hits[:2]) == ["a", "a-long"] and hits[2].id == "up"
    assert [round(h.score, 6) for h in hits] == [1.0, 1.0, 0.8]


@pytest.mark.parametrize("backend", BACKENDS)
def test_exact_numbers_on_a_tiny_store(backend, tmp_path, request):
    s = make_store(backend, tmp_path, dim=3, request=request)
    s.add(["a", "b"], [[1, 0, 0], [0, 1, 1]], [{"text": "x"}, {"text": "y"}])
    hits = s.search([0, 1, 0], k=2)
    assert [h.id for h in hits] == ["b", "a"]
    assert hits[0].score == pytest.approx(1 / np.sqrt(2), abs=1e-6)  # 0.7071068
    assert hits[1].score == pytest.approx(0.0, abs=1e-6)
    assert hits[0].payload == {"text": "y"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_search_matches_brute_force(backend, tmp_path, request):
    ids, vectors, payloads = random_data()
    s = make_store(backend, tmp_path, request=request)
    for start in range(0, len(ids), 64):  # several batches, like the indexing page
        s.add(ids[start:start + 64], vectors[start:start + 64], payloads[start:start + 64])
    assert s.count() == 300
    rng = np.random.default_rng(1)
    for _ in range(10):
        q = rng.normal(size=DIM)
        expected = brute_force_search(q, vectors, 10)
        hits = s.search(q, k=10)
        assert [h.id for h in hits] == [ids[i] for i, _ in expected]
        assert [h.score for h in hits] == pytest.approx([sc for _, sc in expected], abs=1e-5)
        assert [h.payload["n"] for h in hits] == [i for i, _ in expected]


@pytest.mark.parametrize("backend", BACKENDS)
def test_delete_and_count(backend, tmp_path, request):
    ids, vectors, payloads = random_data(20)
    s = make_store(backend, tmp_path, request=request)
    s.add(ids, vectors, payloads)
    assert s.delete(["doc-3", "doc-7", "no-such-id"]) == 2
    assert s.count() == 18
    assert s.delete([]) == 0
    found = {h.id for h in s.search(vectors[3], k=20)}
    assert "doc-3" not in found and "doc-7" not in found and len(found) == 18
    # The row that was doc-3's best match is now someone else; brute force over the rest agrees.
    keep = [i for i in range(20) if i not in (3, 7)]
    expected = brute_force_search(vectors[3], vectors[keep], 5)
    assert [h.id for h in s.search(vectors[3], 5)] == [ids[keep[i]] for i, _ in expected]


@pytest.mark.parametrize("backend", BACKENDS)
def test_add_with_an_existing_id_replaces_it(backend, tmp_path, request):
    s = make_store(backend, tmp_path, dim=2, request=request)
    s.add(["a", "b"], [[1, 0], [0, 1]], [{"v": 1}, {"v": 2}])
    s.add(["a"], [[0, 1]], [{"v": 3}])
    assert s.count() == 2
    best = s.search([1, 0], k=2)
    assert {h.id: h.payload["v"] for h in best} == {"a": 3, "b": 2}
    assert best[0].score == pytest.approx(0.0, abs=1e-6)  # nothing points along x any more


@pytest.mark.parametrize("backend", BACKENDS)
def test_k_larger_than_the_store_and_empty_store(backend, tmp_path, request):
    s = make_store(backend, tmp_path, dim=2, request=request)
    assert s.search([1, 0], k=5) == []
    s.add(["a"], [[3, 4]])
    hits = s.search([3, 4], k=5)
    assert [h.id for h in hits] == ["a"] and hits[0].score == pytest.approx(1.0)
    assert hits[0].payload == {}


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_input_raises_store_error(backend, tmp_path, request):
    s = make_store(backend, tmp_path, dim=3, request=request)
    with pytest.raises(StoreError, match="dimension 3"):
        s.add(["a"], [[1.0, 2.0]])
    with pytest.raises(StoreError, match="zero vector"):
        s.add(["a"], [[0.0, 0.0, 0.0]])
    with pytest.raises(StoreError, match="one id per vector"):
        s.add(["a", "b"], [[1.0, 2.0, 3.0]])
    with pytest.raises(StoreError, match="twice"):
        s.add(["a", "a"], [[1, 2, 3], [3, 2, 1]])
    with pytest.raises(StoreError, match="finite"):
        s.add(["a"], [[1.0, np.nan, 0.0]])
    s.add(["a"], [[1, 2, 3]])
    with pytest.raises(StoreError, match="has 2 numbers"):
        s.search([1, 2], k=1)
    with pytest.raises(StoreError, match="zero vector"):
        s.search([0, 0, 0], k=1)


# ---------------------------------------------------------------------------------------------
# Persistence: a NEW process reads what this one wrote

_READER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from embedding.classroom.db import ClassDB
    from embedding.search.store import NumpyStore, PgIndexes
    backend, where = sys.argv[1], sys.argv[2]
    if backend == "numpy":
        s = NumpyStore.load(where)
    else:
        s = PgIndexes(lambda: ClassDB(where)).open("persist")
    q = np.array(json.loads(sys.argv[3]), dtype=np.float32)
    print(json.dumps({{"count": s.count(), "meta": s.meta,
                      "hits": [[h.id, h.score, h.payload] for h in s.search(q, 5)]}}))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["numpy", pytest.param("pgvector", marks=_pg)])
def test_persistence_across_a_new_process(backend, tmp_path, request):
    ids, vectors, payloads = random_data(120)
    payloads[0]["text"] = "Ünïcödé ✓ and \"quotes\""
    if backend == "numpy":
        where = str(tmp_path / "idx")
        s = NumpyStore(DIM, where, {"model": "test"})
    else:
        where = fresh_database(request.getfixturevalue("postgres_server"))
        s = PgIndexes(lambda: ClassDB(where)).create("persist", DIM, {"model": "test"})
    s.add(ids, vectors, payloads)
    s.save()
    q = vectors[0] + 0.1
    out = subprocess.run(
        [sys.executable, "-c", _READER.format(), backend, where, json.dumps(q.tolist())],
        capture_output=True, text=True, timeout=120, check=True, cwd=ROOT,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    expected = brute_force_search(q, vectors, 5)
    assert got["count"] == 120 and got["meta"] == {"model": "test"}
    assert [h[0] for h in got["hits"]] == [ids[i] for i, _ in expected]
    assert [h[1] for h in got["hits"]] == pytest.approx([sc for _, sc in expected], abs=1e-5)
    assert got["hits"][0][2]["text"] == "Ünïcödé ✓ and \"quotes\""


# ---------------------------------------------------------------------------------------------
# Atomic writes

_CRASHER = textwrap.dedent(
    """
    import os, sys
    import numpy as np
    from embedding.search.store import NumpyStore, base
    s = NumpyStore.load(sys.argv[1])
    s.add(["new"], np.ones((1, s.dim), dtype=np.float32))
    base.os.replace = lambda *a: os._exit(3)  # the process dies after writing, before renaming
    s.save()
    """
)


def test_a_crash_mid_save_leaves_the_previous_index_intact(tmp_path):
    ids, vectors, payloads = random_data(50)
    folder = tmp_path / "idx"
    s = NumpyStore(DIM, folder)
    s.add(ids, vectors, payloads)
    s.save()
    before = (folder / INDEX_FILE).read_bytes()
    proc = subprocess.run([sys.executable, "-c", _CRASHER.format(), str(folder)],
                          capture_output=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 3
    assert (folder / INDEX_FILE).read_bytes() == before  # untouched
    again = NumpyStore.load(folder)
    assert again.count() == 50 and "new" not in again.ids()


def test_failed_write_removes_its_temp_file_and_keeps_the_old_index(tmp_path, monkeypatch):
    folder = tmp_path / "idx"
    s = NumpyStore(2, folder)
    s.add(["a"], [[1, 0]])
    s.save()
    s.add(["b"], [[0, 1]])

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(store_base.os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        s.save()
    assert sorted(p.name for p in folder.iterdir()) == [INDEX_FILE]  # no temp file left
    assert NumpyStore.load(folder).ids() == ["a"]


def test_damaged_file_gives_a_clear_error(tmp_path):
    folder = tmp_path / "idx"
    folder.mkdir()
    (folder / INDEX_FILE).write_bytes(b"PK\x03\x04 this is not a real archive")
    with pytest.raises(StoreError, match="damaged"):
        NumpyStore.load(folder)
    with pytest.raises(StoreError, match="No index"):
        NumpyStore.load(tmp_path / "missing")


def test_saved_file_holds_no_pickles(tmp_path):
    s = NumpyStore(2, tmp_path)
    s.add(["a"], [[1, 0]], [{"text": "hi"}])
    s.save()
    with np.load(tmp_path / INDEX_FILE, allow_pickle=False) as npz:  # would raise on objects
        assert sorted(npz.files) == ["header", "vectors"]
        assert npz["vectors"].dtype == np.float32


# ---------------------------------------------------------------------------------------------
# Helpers and named indexes


def test_top_k_order_and_ties():
    assert top_k(np.array([0.5, 0.9, 0.5, 0.1]), 3).tolist() == [1, 0, 2]
    assert top_k(np.array([0.2, 0.3]), 10).tolist() == [1, 0]
    assert top_k(np.array([0.2, 0.3]), 0).tolist() == []


@pytest.mark.parametrize("bad", ["", " ", "../etc", "a/b", ".hidden", "Notes", "x" * 41,
                                 "my notes", "-dash", "a.b", "a\x00b"])
def test_index_names_that_could_escape_the_folder_are_refused(bad):
    with pytest.raises(StoreError, match="cannot be an index name"):
        validate_index_name(bad)


def test_index_name_helpers():
    assert validate_index_name(" lecture-notes_2 ") == "lecture-notes_2"
    assert suggest_index_name("My Notes (v2).pdf") == "my-notes-v2"
    assert suggest_index_name("../../etc/passwd") == "etc-passwd"
    assert suggest_index_name("日本語.txt") == "my-index"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    registry.use_backend(None)  # pick again from the environment above
    yield tmp_path
    registry.use_backend(None)


def test_named_index_lifecycle_numpy(data_dir):
    assert list_indexes() == []
    s = create_index("notes", 2, {"model": "m"})
    s.add(["a"], [[1, 0]], [{"text": "hello"}])
    assert list_indexes() == []  # nothing on disk until saved
    s.save()
    assert (data_dir / "indexes" / "notes" / INDEX_FILE).is_file()
    assert list_indexes() == ["notes"]
    again = open_index("notes")
    assert again.meta == {"model": "m"} and again.search([1, 0], 1)[0].payload["text"] == "hello"
    assert delete_index("notes") is True
    assert list_indexes() == [] and not (data_dir / "indexes" / "notes").exists()
    assert delete_index("notes") is False
    with pytest.raises(StoreError, match="no index called"):
        open_index("notes")
    with pytest.raises(StoreError, match="cannot be an index name"):
        open_index("../../secrets")


@pytest.fixture
def pg_url(request, data_dir, monkeypatch):
    """DATABASE_URL set to a fresh database: the registry picks pgvector."""
    url = fresh_database(request.getfixturevalue("postgres_server"))
    monkeypatch.setenv("DATABASE_URL", url)
    registry.use_backend(None)
    yield url
    registry.use_backend(None)


@pytest.mark.server
def test_named_index_lifecycle_pgvector(pg_url, data_dir):
    assert registry.backend_name() == "pgvector"  # picked from DATABASE_URL
    assert list_indexes() == []
    s = create_index("notes", 2, {"model": "m", "owner": "o1", "class": "KAXFEP"})
    assert isinstance(s, PgVectorStore)
    s.add(["a", "b"], [[1, 0], [0, 1]], [{"text": "hello"}, {"text": "bye"}])
    assert list_indexes() == []  # a draft until saved
    s.save()
    assert list_indexes() == ["notes"] and not (data_dir / "indexes").exists()
    again = open_index("notes")
    assert again.count() == 2 and again.meta["model"] == "m" and not again.uses_graph
    assert [h.id for h in again.search([0.1, 1], 2)] == ["b", "a"]
    assert again.ids() == ["a", "b"] and again.payloads()[1] == {"text": "bye"}
    db = ClassDB(pg_url)
    assert db.query("SELECT owner, class_code FROM search_indexes WHERE name = 'notes'") == [
        ("o1", "KAXFEP")]
    # A rebuild under the same name: the old index answers until the new one is saved.
    new = create_index("notes", 2, {"model": "m2"})
    new.add(["c"], [[1, 1]], [{"text": "new"}])
    assert [h.id for h in open_index("notes").search([1, 1], 5)] == ["a", "b"]
    new.save()
    assert [h.id for h in open_index("notes").search([1, 1], 5)] == ["c"]
    assert db.query("SELECT COUNT(*) FROM search_chunks") == [(1,)]  # the old rows are gone
    assert delete_index("notes") is True
    assert list_indexes() == [] and delete_index("notes") is False
    assert db.query("SELECT COUNT(*) FROM search_indexes") == [(0,)]
    with pytest.raises(StoreError, match="no index called"):
        open_index("notes")
    with pytest.raises(StoreError, match="cannot be an index name"):
        create_index("../x'; DROP TABLE search_chunks; --", 2)
    db.close()


def _plan(db: ClassDB, store: PgVectorStore, exact: bool, monkeypatch) -> str:
    """PostgreSQL's plan for the SQL the store really sends for one search (recorded from
    psycopg, then EXPLAINed with the graph path's planner setting)."""
    import psycopg

    seen: list[tuple] = []
    for cls in (psycopg.Connection, psycopg.Cursor):
        real = cls.execute

        def record(self, query, params=None, *a, _real=real, **kw):
            if str(query).lstrip().startswith("SELECT id, payload"):
                seen.append((query, params))
            return _real(self, query, params, *a, **kw)

        monkeypatch.setattr(cls, "execute", record)
    store.search(np.ones(store.dim), 5, exact=exact)
    monkeypatch.undo()
    query, params = seen[0]  # (Connection.execute calls Cursor.execute: same SQL twice)
    with db.connection() as conn, conn.transaction():
        conn.execute("SET LOCAL enable_sort = off")
        return "\n".join(r[0] for r in conn.execute("EXPLAIN " + query, params).fetchall())


@pytest.mark.server
def test_large_pgvector_indexes_walk_an_hnsw_graph_small_ones_scan(pg_url, monkeypatch):
    spy = pytest.MonkeyPatch()
    monkeypatch.setattr(pg_store, "HNSW_FROM", 300)  # the measured switch point, scaled down
    ids, vectors, payloads = random_data(300)
    small = create_index("small", DIM)
    small.add(ids[:299], vectors[:299], payloads[:299])
    small.save()
    big = create_index("big", DIM)
    big.add(ids, vectors, payloads)
    big.save()
    assert not open_index("small").uses_graph and open_index("big").graph.startswith("hnsw m=16")
    big = open_index("big")
    db = big.db
    assert "search_chunks_hnsw_" in _plan(db, big, False, spy)
    assert "search_chunks_hnsw_" not in _plan(db, big, True, spy)
    assert "search_chunks_hnsw_" not in _plan(db, open_index("small"), False, spy)
    q = vectors[5]
    assert big.search(q, 1)[0].id == "doc-5"  # its own vector: found by the walk
    exact = [h.id for h in big.search(q, 10, exact=True)]
    assert exact == [ids[i] for i, _ in brute_force_search(q, vectors, 10)]
    assert delete_index("big")
    assert db.query("SELECT COUNT(*) FROM pg_indexes WHERE "
                    "starts_with(indexname, 'search_chunks_hnsw_')") == [(0,)]  # the graph went with the index


@pytest.mark.server
def test_a_server_without_pgvector_says_so_and_classes_still_work(postgres_server):
    """The app's database user may not create the extension (not a superuser, no pgvector):
    the index store says what to do; the class database is unaffected."""
    import psycopg

    url = fresh_database(postgres_server)
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE ROLE plain LOGIN")
        conn.execute(f'GRANT ALL ON DATABASE "{name}" TO plain')
        conn.execute("GRANT ALL ON SCHEMA public TO plain")
    plain = url.replace("postgres@", "plain@")
    db = ClassDB(plain)
    with pytest.raises(StoreError, match="no pgvector extension"):
        PgIndexes(lambda: db).names()
    assert db.schema_version() >= 1  # live classes still have their tables
    db.close()


@pytest.mark.server
def test_an_unreachable_database_is_a_store_error(data_dir, monkeypatch):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql://x@127.0.0.1:{port}/none")
    registry.use_backend(None)
    try:
        with pytest.raises(StoreError, match="cannot be used right now"):
            list_indexes()
    finally:
        registry.use_backend(None)


def test_no_temp_files_are_listed_as_indexes(data_dir):
    s = create_index("real", 2)
    s.add(["a"], [[1, 0]])
    s.save()
    (data_dir / "indexes" / ".deleted-old-1234").mkdir()
    (data_dir / "indexes" / "half-made").mkdir()  # a folder without an index file
    assert list_indexes() == ["real"]
    assert os.listdir(data_dir / "indexes" / "real") == [INDEX_FILE]


def test_searches_stay_consistent_while_another_thread_writes():
    import threading

    ids, vectors, payloads = random_data(400)
    s = NumpyStore(DIM)
    s.add(ids, vectors, payloads)
    extra = np.random.default_rng(3).normal(size=(50, DIM)).astype(np.float32)
    problems: list[str] = []
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set() and n < 300:
            batch = [f"extra-{n}-{i}" for i in range(50)]
            s.add(batch, extra, [{"n": -1} for _ in batch])
            s.delete(batch)
            n += 1

    def reader(seed: int):
        rng = np.random.default_rng(seed)
        for _ in range(150):
            hits = s.search(rng.normal(size=DIM), 5)
            scores = [h.score for h in hits]
            if len(hits) != 5 or scores != sorted(scores, reverse=True):
                problems.append(f"bad ranking {scores}")
            for h in hits:  # id, payload and vector must come from the same row
                if h.id.startswith("doc-") and h.payload["n"] != int(h.id[4:]):
                    problems.append(f"{h.id} carries payload {h.payload}")

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=reader, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads[1:]:
        t.join()
    stop.set()
    threads[0].join()
    assert problems == []
    assert s.count() == 400


def test_the_backend_is_picked_once(data_dir, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    registry.use_backend(None)
    assert registry.backend_name() == "numpy"
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert registry.backend_name() == "numpy"  # not re-read on every call
    registry.use_backend(None)
    assert registry.backend_name() == "pgvector"  # no connection made until an index is used
