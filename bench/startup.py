"""Start-up: from `kg serve` to the first answered /search.

python -m bench.startup [--repeat 3] [--build-dir DIR]

Each run spawns `kg serve --port P --build-dir DIR` (loopback only), polls /health every
10 ms until it answers (the process is up and listening), then asks /search?q=churn (the
search index and the encoder load on first use) and records both times from the spawn; then a
second /search (already warm) and the server's resident memory. Median of --repeat runs.

The simplest alternatives start the same way (uvicorn, one worker, same settings) as tiny
servers defined here, reading the same build: bm25s alone (indexed at start from the
build's concepts) and exact FAISS (IndexFlatIP over the build's one-vector-per-concept
embeddings, the same encoder). `python -m bench.startup --serve-alternative bm25|faiss
--build-dir DIR --port P` runs one by itself; bench.http_load loads them too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.run import (
    bench_env,
    free_port,
    kg_command,
    median,
    print_machine,
    ratio,
    rss_mib,
    seed_build,
    seed_queries,
    stop,
    table,
    wait_http,
)

QUERY = "churn"


# -- a lever measured here, not in the product: ONNX Runtime without sentence-transformers


class DirectOnnx:
    """The product's exported ONNX model run with onnxruntime and `tokenizers` alone (mean
    pooling, unit length), as sentence-transformers does, without importing it (or torch).
    Used only to measure what such an encoder would buy at start-up; see docs/benchmarks.md."""

    def __init__(
        self, export: Path, max_length: int = 256, spinning: bool = True, threads: int = 0
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads  # 0: onnxruntime's default (one per core)
        # ONNX Runtime's worker threads spin after each run by default, holding the cores
        # that the rest of the request (numpy, faiss) then waits for
        options.add_session_config_entry(
            "session.intra_op.allow_spinning", "1" if spinning else "0"
        )
        self.session = onnxruntime.InferenceSession(
            str(export / "onnx" / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(export / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.enable_padding()
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str]) -> Any:
        import numpy as np

        batch = self.tokenizer.encode_batch(texts)
        ids = np.array([b.ids for b in batch], dtype=np.int64)
        mask = np.array([b.attention_mask for b in batch], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feed)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def phases_probe(build_dir: Path, direct: bool) -> None:
    """In a fresh process, what `kg serve` then its first /search do, one phase at a time
    (seconds, JSON): imports, Glossary.load, the search index, the encoder, one search.
    With `direct`, the encoder is DirectOnnx instead of the product's (sentence-transformers)."""
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = round(now - clock, 3)
        clock = now

    import uvicorn  # noqa: F401

    from api.app import create_app
    from kg.config import Settings
    from kg.embed import Encoder
    from kg.glossary import Glossary

    mark("import api.app, uvicorn")
    settings = Settings.from_env()
    encoder = Encoder(settings.model, settings.cache_dir, settings.backend)
    glossary = Glossary.load(build_dir, settings.base_uri, encoder=encoder)
    mark("Glossary.load")
    create_app(glossary)
    mark("create_app")
    index = glossary.index
    mark("search index load")
    if direct:
        export = settings.cache_dir / "onnx" / encoder.model_id
        model = DirectOnnx(export)
        mark("encoder load (DirectOnnx)")
        index.query_vectors._encode = lambda text: model.encode([text])[0]
    else:
        encoder._load()
        mark("encoder load (sentence-transformers, ONNX)")
    glossary.search(QUERY, 10)
    mark("first search")
    print(json.dumps(times))


def spin_probe(build_dir: Path, rounds: int = 3) -> dict[str, dict[str, float]]:
    """One query encoded, then the product's warm hybrid search on the build (its encoder
    bypassed by a cached vector), per DirectOnnx thread setting: median ms of each part. The
    settings alternate round by round so that a change in the machine's load hits all."""
    import statistics

    from kg.config import Settings
    from kg.embed import Encoder
    from kg.glossary import Glossary

    settings = Settings.from_env()
    encoder = Encoder(settings.model, settings.cache_dir, settings.backend)
    glossary = Glossary.load(build_dir, settings.base_uri, encoder=encoder)
    export = settings.cache_dir / "onnx" / encoder.model_id
    variants = {
        "2 threads, spinning (default)": DirectOnnx(export),
        "2 threads, no spinning": DirectOnnx(export, spinning=False),
        "1 thread": DirectOnnx(export, spinning=False, threads=1),
    }
    texts = seed_queries(150)
    for q in texts:
        glossary.search(q, 10)  # the query cache holds every query: search without encoder
    samples: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in variants}
    for _ in range(rounds):
        for name, model in variants.items():
            for q in texts:
                clock = time.perf_counter()
                model.encode([q])
                middle = time.perf_counter()
                glossary.search(q, 10)
                samples[name][0].append(middle - clock)
                samples[name][1].append(time.perf_counter() - middle)
    return {
        name: {
            "encode_ms": round(statistics.median(enc) * 1000, 2),
            "search_after_ms": round(statistics.median(after) * 1000, 2),
        }
        for name, (enc, after) in samples.items()
    }


# -- the alternatives


def alternative_app(kind: str, build_dir: Path) -> Any:
    """A minimal FastAPI app answering /search with bm25s alone or exact FAISS alone."""
    from fastapi import FastAPI, Query

    rows = [json.loads(line) for line in (build_dir / "concepts.jsonl").open(encoding="utf-8")]
    app = FastAPI()
    if kind == "bm25":
        import bm25s

        corpus = []
        for row in rows:
            labels = [row.get("pref_label", ""), *row.get("alt_labels", [])]
            defs = [d.get("text", "") for d in row.get("definitions", []) if isinstance(d, dict)]
            corpus.append(" ".join([*labels, *defs]))
        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False))

        def ranked(q: str, k: int) -> list[tuple[int, float]]:
            tokens = bm25s.tokenize([q], stopwords="en", show_progress=False)
            if not tokens.vocab:
                return []
            docs, scores = retriever.retrieve(tokens, k=min(k, len(rows)), show_progress=False)
            return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    else:
        import faiss
        import numpy as np

        from kg.config import Settings
        from kg.embed import Encoder

        settings = Settings.from_env()
        encoder = Encoder(settings.model, settings.cache_dir, settings.backend)
        saved = faiss.read_index(str(build_dir / "search-document.faiss"))
        vectors = np.ascontiguousarray(saved.reconstruct_n(0, saved.ntotal), dtype=np.float32)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        owner = [int(v[0]) for v in json.loads((build_dir / "search-document.json").read_text())]
        ids = json.loads((build_dir / "search-concepts.json").read_text())
        position = {row["id"]: i for i, row in enumerate(rows)}
        to_row = [position[ids[c]] for c in owner]
        encoder.encode_query("warm up")

        def ranked(q: str, k: int) -> list[tuple[int, float]]:
            vector = encoder.encode_query(q).reshape(1, -1)
            scores, found = index.search(vector, min(k, index.ntotal))
            return [
                (to_row[int(i)], float(s))
                for i, s in zip(found[0], scores[0], strict=True)
                if i >= 0
            ]

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "concepts": len(rows)}

    @app.get("/search")
    def search(
        q: str = Query(min_length=1, max_length=512), k: int = Query(10, ge=1, le=100)
    ) -> dict[str, Any]:
        results = [
            {"id": rows[i]["id"], "pref_label": rows[i]["pref_label"], "score": score}
            for i, score in ranked(q, k)
        ]
        return {"query": q, "results": results}

    return app


def serve_alternative(kind: str, build_dir: Path, port: int) -> None:
    import uvicorn

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if kind == "kg-asyncio":  # the product's app as `kg serve` builds it, on asyncio and h11
        from api.app import create_app
        from kg.config import Settings
        from kg.embed import Encoder
        from kg.glossary import Glossary

        settings = Settings.from_env()
        encoder = Encoder(settings.model, settings.cache_dir, settings.backend)
        glossary = Glossary.load(build_dir, settings.base_uri, encoder=encoder)
        uvicorn.run(
            create_app(glossary),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            loop="asyncio",
            http="h11",
        )
        return
    app = alternative_app(kind, build_dir)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def server_command(kind: str, build_dir: Path, port: int) -> list[str]:
    """The command that serves `build_dir` on 127.0.0.1:port: the product or an alternative."""
    if kind == "kg":
        return [
            *kg_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--build-dir",
            str(build_dir),
        ]
    return [
        sys.executable,
        "-m",
        "bench.startup",
        "--serve-alternative",
        kind,
        "--build-dir",
        str(build_dir),
        "--port",
        str(port),
    ]


def start_server(
    kind: str, build_dir: Path, cache: Path | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    extra = {"KG_CACHE_DIR": str(cache)} if cache else {}
    proc = subprocess.Popen(
        server_command(kind, build_dir, port),
        env=bench_env(**extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, port


# -- one start


def one_start(kind: str, build_dir: Path, cache: Path | None) -> dict[str, float]:
    spawn = time.perf_counter()
    proc, port = start_server(kind, build_dir, cache)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/health", timeout=120, proc=proc)
        health = time.perf_counter() - spawn
        wait_http(f"{base}/search?q={QUERY}", timeout=120, proc=proc)
        first = time.perf_counter() - spawn
        clock = time.perf_counter()
        with urllib.request.urlopen(f"{base}/search?q=net+revenue+retention", timeout=30) as r:
            r.read()
        second = time.perf_counter() - clock
        memory = rss_mib(proc.pid)
    finally:
        stop(proc)
    return {
        "health": health,
        "first_search": first,
        "next_search_ms": second * 1000,
        "rss_mib": memory.get("VmRSS", 0.0),
    }


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build-dir", type=Path, default=None, help="default: a seed build")
    parser.add_argument(
        "--serve-alternative", choices=("bm25", "faiss", "kg-asyncio"), help=argparse.SUPPRESS
    )
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--phases", choices=("product", "direct"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--spin", action="store_true", help="only: encoder thread settings vs the search after"
    )
    args = parser.parse_args()
    if args.spin:
        build = args.build_dir or seed_build()
        print_machine(f"bench.startup --spin ({build})")
        spin = spin_probe(build)
        print(
            table(
                ["onnxruntime (DirectOnnx)", "encode one query ms", "hybrid search after it ms"],
                [(k, v["encode_ms"], v["search_after_ms"]) for k, v in spin.items()],
            )
        )
        return spin
    if args.phases:
        phases_probe(args.build_dir, args.phases == "direct")
        return {}
    if args.serve_alternative:
        serve_alternative(args.serve_alternative, args.build_dir, args.port)
        return {}
    build_dir = args.build_dir or seed_build()
    print_machine(f"bench.startup ({build_dir}; median of {args.repeat})")
    runs: dict[str, list[dict[str, float]]] = {"kg serve": [], "ALT bm25s": [], "ALT faiss": []}
    kinds = {"kg serve": "kg", "ALT bm25s": "bm25", "ALT faiss": "faiss"}
    for _ in range(args.repeat):
        for name, kind in kinds.items():
            runs[name].append(one_start(kind, build_dir, None))
    summary: dict[str, Any] = {
        name: {key: round(median(r[key] for r in found), 3) for key in found[0]}
        for name, found in runs.items()
    }
    for name, found in runs.items():
        summary[name]["each_first_search"] = [round(r["first_search"], 2) for r in found]
    kg = summary["kg serve"]["first_search"]
    print(
        table(
            [
                "server",
                "listening s",
                "first /search s",
                "next /search ms",
                "RSS MiB",
                "kg / this",
                "each run (first /search)",
            ],
            [
                (
                    name,
                    f"{s['health']:.2f}",
                    f"{s['first_search']:.2f}",
                    f"{s['next_search_ms']:.1f}",
                    f"{s['rss_mib']:.0f}",
                    ratio(kg, s["first_search"]),
                    " ".join(f"{x:.2f}" for x in s["each_first_search"]),
                )
                for name, s in summary.items()
            ],
        )
    )
    print(f"target: first /search < 5 s: {'met' if kg < 5 else 'MISSED'} ({kg:.2f} s)")
    phases = _phases(build_dir, args.repeat)
    names = list(dict.fromkeys(k for p in phases.values() for k in p))
    print("\nwhere the time to the first /search goes (fresh process, in order; median s):")
    print(
        table(
            ["phase", "product encoder", "DirectOnnx (lever, not in product)"],
            [(n, phases["product"].get(n, "-"), phases["direct"].get(n, "-")) for n in names]
            + [
                (
                    "total",
                    round(sum(phases["product"].values()), 2),
                    round(sum(phases["direct"].values()), 2),
                )
            ],
        )
    )
    summary["phases"] = phases
    return summary


def _phases(build_dir: Path, repeat: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for kind in ("product", "direct"):
        runs = []
        for _ in range(repeat):
            cmd = [sys.executable, "-m", "bench.startup", "--phases", kind]
            cmd += ["--build-dir", str(build_dir)]
            proc = subprocess.run(cmd, env=bench_env(), capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise SystemExit(f"phases probe failed: {proc.stderr.strip()[-2000:]}")
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        out[kind] = {k: round(median(r[k] for r in runs), 3) for k in runs[0]}
    return out


if __name__ == "__main__":
    main()
