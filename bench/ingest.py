"""Seed ingest, cold and warm, with the time of each stage.

python -m bench.ingest [--repeat 3] [--paths data/raw ...] [--no-torch]

Every run is `kg ingest` in a fresh process (so import time counts) into a fresh build folder,
timed from outside (wall) and by its own `time:` line (read, merge, relations, index, save):

- first ever:  KG_CACHE_DIR empty, so the ONNX export of the model is made, then every text
               is encoded (a new machine or a deleted cache; the export happens once per cache)
- cold:        the ONNX export present, no embedding cache: every text is encoded
- warm:        the embedding cache present (the usual re-ingest after editing a source)
- current:     `kg ingest --if-stale` with nothing changed (what `make run` pays)
- cold, torch: as cold with KG_BACKEND=torch (what the ONNX encoder buys)

The simplest alternatives, run the same way (fresh process, same readers, same files):
bm25s alone over each entry's term and definition, and exact FAISS (IndexFlatIP) over one
vector per entry from the same encoder, cold (no embedding cache) and warm.
The encoder is also measured alone: model load (with and without the ONNX export, and torch),
texts per second on the seed index's texts, and one short query.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.run import (
    SEEDS,
    WORK,
    bench_env,
    cache_copy,
    ingest,
    kg_command,
    median,
    print_machine,
    ratio,
    run_measured,
    stages,
    table,
)

STAGES = ("read", "merge", "relations", "index", "save")


def _empty_cache(name: str) -> Path:
    path = WORK / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _fresh_build(name: str) -> Path:
    path = WORK / name
    shutil.rmtree(path, ignore_errors=True)
    return path


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "runs": len(runs),
        "wall": round(median(r["wall"] for r in runs), 2),
        "walls": [round(r["wall"], 2) for r in runs],
        "peak_rss_mib": round(median(r["peak_rss_mib"] for r in runs), 1),
        "cpu_seconds": round(median(r["cpu_seconds"] for r in runs), 2),
    }
    per_stage = {}
    for stage in STAGES:
        values = [r.get("stages", {}).get(stage) for r in runs]
        values = [v for v in values if v is not None]
        if values:
            per_stage[stage] = round(statistics.median(values), 2)
    out["stages"] = per_stage
    return out


def _alternative(kind: str, paths: list[Path], cache: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.ingest", "--alternative", kind, "--paths", *map(str, paths)]
    run = run_measured(cmd, bench_env(KG_CACHE_DIR=cache))
    if run["returncode"] != 0:
        raise SystemExit(f"alternative {kind} failed: {run['stderr'].strip()[-2000:]}")
    run["detail"] = json.loads(run["stdout"].strip().splitlines()[-1])
    return run


def alternative_main(kind: str, paths: list[Path]) -> None:
    """The simplest alternatives: the product's readers, then bm25s or exact FAISS alone."""
    from ingest.pipeline import read_paths

    clock = time.perf_counter()
    sources, _ = read_paths(paths)
    entries = [e for s in sources for e in s.entries if e.term]
    texts = [f"{e.term}: {e.definition or ''}".rstrip(": ") for e in entries]
    detail: dict[str, Any] = {"entries": len(texts), "read": round(time.perf_counter() - clock, 3)}
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "bm25":
            import bm25s

            retriever = bm25s.BM25()
            retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False))
            retriever.save(tmp)
        else:
            import faiss

            from kg.config import Settings
            from kg.embed import Encoder

            settings = Settings.from_env()
            encoder = Encoder.from_settings(settings)
            vectors = encoder.encode(texts)
            encoder.save_cache()
            index = faiss.IndexFlatIP(vectors.shape[1])
            index.add(vectors)
            faiss.write_index(index, str(Path(tmp) / "index.faiss"))
    detail["index"] = round(time.perf_counter() - clock, 3)
    print(json.dumps(detail))


def encoder_probe(backend: str, texts_file: Path) -> None:
    """Load the encoder and time it on the seed index's texts (printed as JSON)."""
    from kg.config import Settings
    from kg.embed import Encoder

    settings = Settings.from_env()
    texts = json.loads(texts_file.read_text())
    clock = time.perf_counter()
    encoder = Encoder(settings.model, settings.cache_dir, backend, settings.precision)
    model = encoder._load()
    name = type(model).__name__

    def encode_all(items: list[str]) -> None:
        model.encode(items, 64)

    def encode_one(text: str) -> None:
        encoder.encode_query(text)

    load = time.perf_counter() - clock
    encode_all(texts[:8])
    batch = []
    for _ in range(2):
        clock = time.perf_counter()
        encode_all(texts)
        batch.append(time.perf_counter() - clock)
    queries = [" ".join(t.split()[:4]) for t in texts[:200]]
    single = []
    for q in queries:
        clock = time.perf_counter()
        encode_one(q)
        single.append(time.perf_counter() - clock)
    print(
        json.dumps(
            {
                "backend": name,
                "load": round(load, 2),
                "texts": len(texts),
                "texts_per_second": round(len(texts) / min(batch), 1),
                "query_ms_p50": round(statistics.median(single) * 1000, 2),
            }
        )
    )


def _encoder_runs(cache: Path, no_torch: bool) -> dict[str, Any]:
    """Encoder alone, each in a fresh process: ONNX (export present), ONNX exporting, torch."""
    views = WORK / "seed-first-0" / "search-views.json"
    texts_file = WORK / "seed-texts.json"
    rows = json.loads(views.read_text()) if views.is_file() else []
    texts_file.write_text(json.dumps([r[2] for r in rows] or ["churn"]))
    out = {}
    plans = [("onnx", cache), ("onnx exporting", None)]
    if not no_torch:
        plans.append(("torch", cache))
    for name, folder in plans:
        folder = folder or _empty_cache("encoder-export-cache")
        backend = name.split()[0]
        cmd = [sys.executable, "-m", "bench.ingest", "--probe-encoder", backend, str(texts_file)]
        run = run_measured(cmd, bench_env(KG_CACHE_DIR=folder))
        if run["returncode"] != 0:
            raise SystemExit(f"encoder probe failed: {run['stderr'].strip()[-2000:]}")
        out[name] = json.loads(run["stdout"].strip().splitlines()[-1])
        out[name]["process_wall"] = round(run["wall"], 2)
    return out


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind (median)")
    parser.add_argument("--paths", type=Path, nargs="+", default=[SEEDS])
    parser.add_argument("--no-torch", action="store_true", help="skip the torch encoder runs")
    parser.add_argument("--alternative", choices=("bm25", "faiss"), help=argparse.SUPPRESS)
    parser.add_argument("--probe-encoder", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    paths = [p.resolve() for p in args.paths]
    if args.alternative:
        alternative_main(args.alternative, paths)
        return {}
    if args.probe_encoder:
        encoder_probe(args.probe_encoder[0], Path(args.probe_encoder[1]))
        return {}
    print_machine(f"bench.ingest ({', '.join(map(str, args.paths))}; median of {args.repeat})")
    product = ("first ever", "cold", "warm", "current", "cold, torch")
    runs: dict[str, list[dict[str, Any]]] = {
        k: [] for k in (*product, "bm25s", "faiss cold", "faiss warm")
    }
    for i in range(args.repeat):
        # first ever: nothing cached, the ONNX export is made
        runs["first ever"].append(
            ingest(paths, _fresh_build(f"seed-first-{i}"), _empty_cache(f"seed-first-cache-{i}"))
        )
        # cold: export present, embeddings absent
        cold_cache = cache_copy(f"seed-cold-cache-{i}")
        runs["cold"].append(ingest(paths, _fresh_build(f"seed-cold-{i}"), cold_cache))
        # warm: the embedding cache the cold run left
        runs["warm"].append(ingest(paths, _fresh_build(f"seed-warm-{i}"), cold_cache))
        # current: nothing changed since the warm build
        cmd = [*kg_command(), "ingest", *map(str, paths), "--if-stale"]
        cmd += ["--build-dir", str(WORK / f"seed-warm-{i}")]
        runs["current"].append(run_measured(cmd, bench_env(KG_CACHE_DIR=cold_cache)))
        if not args.no_torch:
            torch_cache = cache_copy(f"seed-torch-cache-{i}")
            env_build = _fresh_build(f"seed-torch-{i}")
            cmd = [*kg_command(), "ingest", *map(str, paths), "--build-dir", str(env_build)]
            run = run_measured(cmd, bench_env(KG_CACHE_DIR=torch_cache, KG_BACKEND="torch"))
            run["stages"] = stages(run["stdout"])
            runs["cold, torch"].append(run)
        runs["bm25s"].append(_alternative("bm25", paths, cold_cache))
        alt_cache = cache_copy(f"seed-alt-cache-{i}")
        runs["faiss cold"].append(_alternative("faiss", paths, alt_cache))
        runs["faiss warm"].append(_alternative("faiss", paths, alt_cache))
        print(f"  round {i + 1}/{args.repeat} done", flush=True)
    summary = {k: _summary(v) for k, v in runs.items() if v}
    export = summary["first ever"]["wall"] - summary["cold"]["wall"]
    bm25 = summary["bm25s"]["wall"]
    faiss_cold = summary["faiss cold"]["wall"]
    rows = []
    for name, s in summary.items():
        st = s["stages"]
        rows.append(
            [
                f"kg ingest, {name}" if name in product else f"ALT {name}",
                f"{s['wall']:.2f}",
                " ".join(f"{st[k]:.2f}" if k in st else "-" for k in STAGES),
                f"{s['peak_rss_mib']:.0f}",
                ratio(s["wall"], bm25),
                ratio(s["wall"], faiss_cold),
                " ".join(f"{w:.1f}" for w in s["walls"]),
            ]
        )
    print()
    print(
        table(
            [
                "run",
                "wall s (median)",
                "read merge relations index save (s)",
                "peak RSS MiB",
                "/ bm25s",
                "/ FAISS cold",
                "each run",
            ],
            rows,
        )
    )
    print(
        f"\nONNX export (once per machine or cache): first ever - cold = {export:.1f} s"
        f" (median walls)"
    )
    print(
        f"targets: cold < 15 s: {'met' if summary['cold']['wall'] < 15 else 'MISSED'} "
        f"({summary['cold']['wall']:.1f} s; first ever {summary['first ever']['wall']:.1f} s); "
        f"warm < 3 s: {'met' if summary['warm']['wall'] < 3 else 'MISSED'} "
        f"({summary['warm']['wall']:.2f} s)"
    )
    encoder = _encoder_runs(cache_copy("encoder-cache"), args.no_torch)
    print("\nencoder alone (fresh process each; texts = the seed index's dense views):")
    print(
        table(
            ["encoder", "load s", "texts/s (batch 64)", "one short query p50 ms", "process s"],
            [
                (
                    f"{name} ({e['backend']})",
                    e["load"],
                    e["texts_per_second"],
                    e["query_ms_p50"],
                    e["process_wall"],
                )
                for name, e in encoder.items()
            ],
        )
    )
    return {"ingest": summary, "onnx_export_seconds": round(export, 2), "encoder": encoder}


if __name__ == "__main__":
    main()
