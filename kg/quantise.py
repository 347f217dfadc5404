"""8-bit weights for an ONNX export, written once beside it.

ONNX Runtime's weight-only quantiser (`MatMulNBits`): every matrix multiplication's weights
in 8 bits, symmetric, one scale per block of `BLOCK` weights, multiplied in int8 (accuracy
level 4). A short query's encoding time goes mostly to reading the weights (42 MB of
matrices at fp32, 11 MB in 8 bits), so it encodes about a fifth faster when they are not
already in the CPU's caches. Every row is quantised on its own, so a text's vector does not
depend on what it is batched with. The vectors keep a cosine of 0.9996 on average with the
full-precision ones (0.998 at worst, over the seed views), and the hybrid metrics on the
tune questions are unchanged (docs/benchmarks.md, section 4). Dynamic int8 quantisation was
turned down before: one scale per tensor cost paraphrases and made vectors depend on
batching.

Before quantising, a BERT graph's attention, GELU and layer norms are fused into
onnxruntime's own operators (its transformer optimiser). onnxruntime fuses a full-precision
graph this way when it loads it, but no longer recognises the attention once its matrix
multiplications are 8-bit, so the 8-bit graph ran unfused, and no faster than the fp32 one
on an AVX-512 Xeon (2.7–3.1 ms a query against 2.5–3.2 ms). Fused first, it takes 2.1–2.8 ms,
and its vectors are closer to the full-precision ones (cosine 0.9998 on average, 0.9997 at
worst, over 400 questions): the query, key and value weights inside the fused attention
stay at full precision. Other architectures are quantised unfused.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

BLOCK = 32  # weights sharing one scale
FILE = f"model_fused_int8b{BLOCK}.onnx"  # beside the export's model.onnx
SUFFIX = f"-fused-int8b{BLOCK}"  # on the model id of vectors from these weights
_SUPERSEDED = ("model_int8b32.onnx",)  # earlier 8-bit graphs (unfused), removed once replaced
_FUSABLE = {"bert"}  # model types (config.json) whose fused graph was checked: same vectors


def write_int8(export: Path) -> Path:
    """`export/onnx/FILE`: the export's graph with 8-bit weights, written if missing.

    The file is written under a temporary name and renamed into place, so a killed process
    never leaves half of it, and two processes writing at once both end with a whole file.
    ImportError if the quantiser (onnx, onnx-ir) is not installed."""
    folder = export / "onnx"
    target = folder / FILE
    if target.is_file():
        return target
    for left in folder.glob(f".{target.stem}.*.onnx"):  # from a killed process, not a live one
        if time.time() - left.stat().st_mtime > 3600:
            left.unlink(missing_ok=True)
    root = logging.getLogger()
    guard = logging.NullHandler()  # the quantiser calls logging.basicConfig(INFO) on import
    root.addHandler(guard)
    try:
        from onnxruntime.quantization.matmul_nbits_quantizer import (
            DefaultWeightOnlyQuantConfig,
            MatMulNBitsQuantizer,
        )
    finally:
        root.removeHandler(guard)
    logging.getLogger(MatMulNBitsQuantizer.__module__).setLevel(logging.WARNING)
    config = DefaultWeightOnlyQuantConfig(
        block_size=BLOCK, is_symmetric=True, accuracy_level=4, bits=8
    )
    quantizer = MatMulNBitsQuantizer(_fused(export), algo_config=config)
    quantizer.process()
    tmp = folder / f".{target.stem}.{os.getpid()}.{threading.get_ident()}.onnx"
    try:
        quantizer.model.save_model_to_file(str(tmp), use_external_data_format=False)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    for old in _SUPERSEDED:
        (folder / old).unlink(missing_ok=True)
    return target


def _fused(export: Path) -> Any:
    """The export's graph (an onnx ModelProto), fused if it is a model type in `_FUSABLE`."""
    import onnx

    graph = export / "onnx" / "model.onnx"
    try:
        config = json.loads((export / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    if config.get("model_type") not in _FUSABLE:
        return onnx.load(str(graph))
    from onnxruntime.transformers import optimizer

    fused = optimizer.optimize_model(
        str(graph),
        model_type=config["model_type"],
        num_heads=int(config["num_attention_heads"]),
        hidden_size=int(config["hidden_size"]),
        opt_level=0,  # the fusions alone, in Python: no onnxruntime pass
    )
    return fused.model
