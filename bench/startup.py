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
    plain_bm25,
    print_machine,
    ratio,
    rss_mib,
    seed_build,
    stop,
    table,
    wait_http,
)

QUERY = "churn"


def phases_probe(build_dir: Path) -> None:
    """In a fresh process, what `kg serve` then its first /search do, one phase at a time
    (seconds, JSON): imports, Glossary.load, the search index, the encoder, one search."""
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
    encoder = Encoder.from_settings(settings)
    glossary = Glossary.load(build_dir, settings.base_uri, encoder=encoder)
    mark("Glossary.load")
    create_app(glossary)
    mark("create_app")
    glossary.index  # noqa: B018 - loads the search index
    mark("search index load")
    encoder._load()
    mark("encoder load")
    glossary.search(QUERY, 10)
    mark("first search")
    print(json.dumps(times))


# -- the alternatives


def alternative_app(kind: str, build_dir: Path) -> Any:
    """A minimal FastAPI app answering /search with bm25s alone or exact FAISS alone."""
    from fastapi import FastAPI, Query

    rows = [json.loads(line) for line in (build_dir / "concepts.jsonl").open(encoding="utf-8")]
    app = FastAPI()
    if kind == "bm25":
        import bm25s

        retriever = plain_bm25(rows)

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
        encoder = Encoder.from_settings(settings)
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
        encoder = Encoder.from_settings(settings)
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
    parser.add_argument("--phases", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases:
        phases_probe(args.build_dir)
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
    print("\nwhere the time to the first /search goes (fresh process, in order; median s):")
    print(
        table(
            ["phase", "median s"],
            [*phases.items(), ("total", round(sum(phases.values()), 2))],
        )
    )
    summary["phases"] = phases
    return summary


def _phases(build_dir: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        cmd = [sys.executable, "-m", "bench.startup", "--phases", "--build-dir", str(build_dir)]
        proc = subprocess.run(cmd, env=bench_env(), capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"phases probe failed: {proc.stderr.strip()[-2000:]}")
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {k: round(median(r[k] for r in runs), 3) for k in runs[0]}


if __name__ == "__main__":
    main()
