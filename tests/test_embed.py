"""The encoder runs the ONNX export with onnxruntime alone, with sentence-transformers' vectors."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import kg.embed
import kg.quantise
from kg.embed import (
    Encoder,
    ModelError,
    OnnxModel,
    Unsupported,
    batches,
    check_export,
    write_export,
)

ROOT = Path(__file__).resolve().parents[1]
LONG = " ".join(f"word{i} churn retention" for i in range(200))  # far over 256 tokens
TEXTS = [
    "churn",
    "",
    "Net revenue retention: the share of recurring revenue kept from existing customers.",
    LONG,
    "ARR",
    "customer success manager",
]


def python(script: str, timeout: int = 120, **env: str) -> str:
    """What `script` prints, run in a fresh interpreter from the repository root."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "INFO" not in done.stderr  # nothing turned the root logger up to INFO
    return done.stdout


@pytest.fixture(scope="module")
def int8(encoder: Encoder) -> OnnxModel:
    """The model as the product runs it: the export with 8-bit weights."""
    loaded = encoder._load()
    assert isinstance(loaded, OnnxModel), "the ONNX backend fell back to sentence-transformers"
    assert loaded.file.name == kg.quantise.FILE
    return loaded


@pytest.fixture(scope="module")
def model(int8: OnnxModel, encoder: Encoder) -> OnnxModel:
    """The full-precision export (KG_PRECISION=fp32)."""
    loaded = Encoder(encoder.name, encoder.cache_dir, precision="fp32")._load()
    assert isinstance(loaded, OnnxModel) and loaded.file.name == "model.onnx"
    return loaded


def test_same_vectors_as_sentence_transformers(model: OnnxModel, encoder: Encoder) -> None:
    from sentence_transformers import SentenceTransformer

    long = model.tokenizer.encode(LONG)
    assert len(long.ids) == model.max_length == 256 and long.overflowing  # truncated
    reference = SentenceTransformer(str(encoder.path), device="cpu").encode(
        TEXTS, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    ours = model.encode(TEXTS, batch_size=4)
    assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_8_bit_weights_keep_the_vectors_close(model: OnnxModel, int8: OnnxModel) -> None:
    full, small = model.encode(TEXTS), int8.encode(TEXTS)
    assert small.dtype == np.float32 and small.shape == full.shape
    np.testing.assert_allclose(np.linalg.norm(small, axis=1), 1.0, atol=1e-5)
    cosines = (full * small).sum(axis=1)
    assert cosines.min() > 0.998, cosines  # the lowest seen: 0.9984, for the empty text
    assert not np.allclose(full, small, atol=1e-6)  # the quantised graph really is in use
    # the embeddings and the fused attention's weights stay at full precision
    assert int8.file.stat().st_size < 0.8 * model.file.stat().st_size


def test_8_bit_graph_runs_onnxruntimes_fused_attention(int8: OnnxModel) -> None:
    """Quantised first, the attention would no longer be fused when the graph loads."""
    import onnx

    ops = {node.op_type for node in onnx.load(str(int8.file)).graph.node}
    assert {"Attention", "SkipLayerNormalization", "MatMulNBits"} <= ops


@pytest.mark.parametrize("which", ["model", "int8"])
def test_rows_keep_the_callers_order(which: str, request: pytest.FixtureRequest) -> None:
    model: OnnxModel = request.getfixturevalue(which)
    texts = [TEXTS[i] for i in (3, 0, 5, 1, 2, 4, 0)]  # mixed lengths, one repeated
    batched = model.encode(texts, batch_size=2)  # sorted by length into several batches
    single = np.stack([model.encode_query(t) for t in texts])
    np.testing.assert_allclose(batched, single, atol=1e-5)  # a vector never depends on its batch
    np.testing.assert_array_equal(batched[1], batched[6])
    assert model.encode([], batch_size=2).shape == (0, 384)


def test_precision_is_part_of_the_model_id(encoder: Encoder, tmp_path: Path) -> None:
    full = Encoder(encoder.name, tmp_path, precision="fp32")
    torch = Encoder(encoder.name, tmp_path, backend="torch")
    assert encoder.precision == "int8" and torch.precision == "fp32"  # torch: no 8-bit weights
    assert encoder.model_id != full.model_id == torch.model_id == encoder.weights_id
    assert encoder.export_dir.name == full.export_dir.name == encoder.weights_id  # one export
    with pytest.raises(ModelError, match="KG_PRECISION"):
        Encoder(encoder.name, tmp_path, precision="int4")


def test_batches_hold_a_bounded_number_of_padded_tokens() -> None:
    lengths = [300, 200, 150, 100, 12, 12, 12, 12, 12]  # longest first, as encode sorts them
    runs = batches(lengths, size=4, tokens=400)
    assert [list(r) for r in runs] == [[0], [1, 2], [3, 4, 5, 6], [7, 8]]
    assert batches([2000], size=64, tokens=1024) == [range(0, 1)]  # too long: alone, not lost
    assert batches([], size=64) == []
    assert sum(len(r) for r in batches([12] * 200, size=64)) == 200


def test_query_equals_its_row(encoder: Encoder) -> None:
    texts = ["gross margin", "a longer text about gross margin and what it leaves out"]
    rows = encoder.encode(texts)
    for text, row in zip(texts, rows, strict=True):
        np.testing.assert_allclose(encoder.encode_query(text), row, atol=1e-5)
    assert encoder.dimension == 384


def test_loading_the_export_imports_neither_torch_nor_sentence_transformers(
    encoder: Encoder,
) -> None:
    encoder._load()  # the export exists from here on
    script = (
        "import sys; from pathlib import Path; from kg.embed import Encoder\n"
        f"e = Encoder({encoder.name!r}, Path({str(encoder.cache_dir)!r}))\n"
        "assert e.encode_query('churn').shape == (384,)\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers')"
        " if m in sys.modules))\n"
    )
    assert python(script, timeout=60, KG_BACKEND="onnx").strip() == "[]"


@pytest.mark.parametrize(
    ("precision", "graph", "healing"),
    [("fp32", "model.onnx", "exporting again"), ("int8", kg.quantise.FILE, "writing it again")],
)
def test_a_corrupt_export_is_written_again(
    precision: str,
    graph: str,
    healing: str,
    encoder: Encoder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    encoder._load()
    copy = tmp_path / "onnx" / encoder.weights_id
    shutil.copytree(encoder.export_dir, copy)
    onnx = copy / "onnx" / graph
    size = onnx.stat().st_size
    onnx.write_bytes(onnx.read_bytes()[: size // 3])  # as a killed copy would leave it
    healed = Encoder(encoder.name, tmp_path, precision=precision)
    reference = Encoder(encoder.name, encoder.cache_dir, precision=precision)
    with caplog.at_level(logging.WARNING, logger="kg.embed"):
        vector = healed.encode_query("churn")
    assert healing in caplog.text
    assert isinstance(healed._load(), OnnxModel)
    assert onnx.stat().st_size > 0.9 * size  # whole again, not the truncated copy
    np.testing.assert_allclose(vector, reference.encode_query("churn"), atol=1e-5)
    assert sorted(p.name for p in copy.parent.iterdir()) == [encoder.weights_id]  # no temp dirs
    graphs = ["model.onnx", kg.quantise.FILE] if precision == "int8" else ["model.onnx"]
    assert sorted(p.name for p in onnx.parent.iterdir()) == graphs  # and no temporary file


def test_without_the_quantiser_8_bit_weights_are_refused_by_name(
    encoder: Encoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder._load()
    shutil.copytree(encoder.export_dir, tmp_path / "onnx" / encoder.weights_id)
    (tmp_path / "onnx" / encoder.weights_id / "onnx" / kg.quantise.FILE).unlink()

    def missing(export: Path) -> Path:
        raise ImportError("No module named 'onnx_ir'")

    monkeypatch.setattr(kg.quantise, "write_int8", missing)
    with pytest.raises(ModelError, match="KG_PRECISION=fp32") as err:
        Encoder(encoder.name, tmp_path).encode_query("churn")
    assert "onnx_ir" in str(err.value)  # never fp32 vectors under the 8-bit model id


def test_quantising_leaves_logging_alone(encoder: Encoder, tmp_path: Path) -> None:
    """onnxruntime's quantiser calls logging.basicConfig(INFO) when imported."""
    encoder._load()
    export = tmp_path / "export"
    shutil.copytree(encoder.export_dir, export)
    (export / "onnx" / kg.quantise.FILE).unlink()
    script = (
        "import logging; from pathlib import Path; from kg.quantise import write_int8\n"
        f"print(write_int8(Path({str(export)!r})).name)\n"
        "print(logging.getLogger().handlers, logging.getLogger().level)\n"
    )
    assert python(script).split("\n")[:2] == [kg.quantise.FILE, f"[] {logging.WARNING}"]
    assert sorted(p.name for p in (export / "onnx").iterdir()) == sorted(
        ["model.onnx", kg.quantise.FILE]
    )  # no temporary file left


def test_models_run_only_through_sentence_transformers_are_not_quantised(
    encoder: Encoder, tmp_path: Path
) -> None:
    for file in encoder.path.glob("*.json"):
        shutil.copy(file, tmp_path)
    shutil.copytree(encoder.path / "1_Pooling", tmp_path / "1_Pooling")
    pooling = tmp_path / "1_Pooling" / "config.json"
    pooling.write_text(json.dumps({**json.loads(pooling.read_text()), "pooling_mode": "cls"}))
    other = Encoder(str(tmp_path), tmp_path / "cache")
    assert other.precision == "fp32" and "-" not in other.model_id


def test_only_mean_pooling_is_run_directly(encoder: Encoder, tmp_path: Path) -> None:
    encoder._load()
    for file in encoder.export_dir.glob("*.json"):
        shutil.copy(file, tmp_path)
    shutil.copytree(encoder.export_dir / "1_Pooling", tmp_path / "1_Pooling")
    assert check_export(tmp_path) == 256

    pooling = tmp_path / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode": "cls"}))
    with pytest.raises(Unsupported, match="pooling"):
        check_export(tmp_path)

    pooling.write_text(json.dumps(config))
    modules = json.loads((tmp_path / "modules.json").read_text())
    dense = {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
    (tmp_path / "modules.json").write_text(json.dumps([*modules[:2], dense]))
    with pytest.raises(Unsupported, match="Dense"):
        check_export(tmp_path)


def test_a_bert_model_is_exported_without_sentence_transformers(
    encoder: Encoder, model: OnnxModel, tmp_path: Path
) -> None:
    script = (
        "import sys; from pathlib import Path; from kg.embed import write_export, model_path\n"
        f"write_export(model_path({encoder.name!r}), Path({str(tmp_path / 'export')!r}))\n"
        "print('sentence_transformers' in sys.modules, 'optimum' in sys.modules)\n"
    )
    assert python(script).split() == ["False", "False"]
    exported = OnnxModel(tmp_path / "export")
    np.testing.assert_allclose(exported.encode(TEXTS), model.encode(TEXTS), atol=1e-5)


def test_other_models_are_exported_through_sentence_transformers(
    encoder: Encoder, model: OnnxModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(source: Path, target: Path) -> None:
        (target / "half-written").write_text("x")  # what a failed export may leave
        raise Unsupported("not a BERT model")

    monkeypatch.setattr(kg.embed, "export_bert", refuse)
    write_export(encoder.path, tmp_path / "export")
    assert not (tmp_path / "export" / "half-written").exists()
    exported = OnnxModel(tmp_path / "export")
    np.testing.assert_allclose(exported.encode(TEXTS), model.encode(TEXTS), atol=1e-5)
