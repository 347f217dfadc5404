"""Run every benchmark in order, and the helpers they share.

python -m bench.run [--quick] [--json FILE] [--scale-size 100000] [--skip NAME ...]

Order: ingest (seeds, cold and warm), startup, search latency (in-process), HTTP load (wrk),
search quality, merge quality, scale (STW + seeds, then a generated vocabulary). Each step is
also runnable on its own (`python -m bench.ingest`, ...). `--quick` shortens every step (one
repeat, 3 s wrk runs, a 20,000-concept generated vocabulary) to check that they all still run.

Benchmarks print numbers; they never assert. The machine is printed first, with the load
average, because this machine is shared: prefer medians and compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw"
STW = ROOT.parent / "shared" / "data" / "skos" / "stw-skos.ttl"
PACKAGES = (
    "torch",
    "onnxruntime",
    "faiss-cpu",
    "sentence-transformers",
    "bm25s",
    "numpy",
    "fastapi",
    "uvicorn",
    "uvloop",
    "httptools",
)
# Where benchmarks keep builds and caches between runs (never the project's data/cache, and not
# /tmp, which other programs on a shared machine clean).
WORK = Path(os.environ.get("KG_BENCH_DIR", Path.home() / ".cache" / "kg-bench"))


# -- the machine


def machine_info() -> dict[str, Any]:
    cpu = "unknown CPU"
    mem_gib = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    wrk = shutil.which("wrk")
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_gib, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "packages": versions,
        "wrk": wrk or "absent",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def print_machine(title: str) -> dict[str, Any]:
    info = machine_info()
    print(f"== {title}")
    print(
        f"machine: {info['nproc']} CPUs (nproc), {info['cpu']}, {info['ram_gib']} GiB RAM, "
        f"Python {info['python']}"
    )
    print("packages: " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()))
    print(
        f"load average now: {' '.join(map(str, info['load_average']))} "
        "(the machine is shared with other sessions' tests: medians, and ratios within one run)"
    )
    return info


# -- numbers


def quantiles_ms(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (and mean) in milliseconds of samples given in seconds."""
    ms = sorted(s * 1000 for s in samples)
    if not ms:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "mean": 0.0, "n": 0}
    cuts = ms * 99 if len(ms) == 1 else statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 3),
        "p95": round(cuts[94], 3),
        "p99": round(cuts[98], 3),
        "mean": round(statistics.fmean(ms), 3),
        "n": len(ms),
    }


def fmt_q(q: dict[str, float]) -> str:
    return f"p50 {q['p50']:7.2f} ms  p95 {q['p95']:7.2f} ms  p99 {q['p99']:7.2f} ms  (n={q['n']})"


def median(values: Iterable[float]) -> float:
    found = list(values)
    return statistics.median(found) if found else float("nan")


def ratio(a: float, b: float) -> str:
    """'a/b' as 'N.Nx', for tables of the product against an alternative."""
    if not b or b != b or a != a:
        return "n/a"
    return f"{a / b:.2f}x"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table (also readable on a terminal)."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join(lines)


# -- processes


def kg_command() -> list[str]:
    """The installed `kg` console script beside this interpreter (import time counts)."""
    script = Path(sys.executable).parent / "kg"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "api.cli"]


def bench_env(**extra: str | Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_measured(
    cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: float = 7200
) -> dict[str, Any]:
    """Run a command to the end: wall seconds, peak RSS (MiB, from wait4), output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return {
        "wall": wall,
        "returncode": proc.returncode,
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "stdout": stdout,
        "stderr": stderr,
    }


_STAGE = re.compile(r"(\w+) ([0-9.]+)s")


def stages(stdout: str) -> dict[str, float]:
    """The `time: read 0.10s, merge ...` line `kg ingest` prints, as a dict."""
    for line in stdout.splitlines():
        if line.startswith("time:"):
            return {k: float(v) for k, v in _STAGE.findall(line)}
    return {}


def ingest(
    paths: Sequence[Path],
    build_dir: Path,
    cache_dir: Path,
    timeout: float = 7200,
    flags: Sequence[str] = (),
    model: str | None = None,
) -> dict[str, Any]:
    """`kg ingest PATHS --build-dir B [FLAGS]` in a fresh process with KG_CACHE_DIR=cache_dir
    (and KG_MODEL=model if given)."""
    env = bench_env(KG_CACHE_DIR=cache_dir, **({"KG_MODEL": model} if model else {}))
    cmd = [*kg_command(), "ingest", *map(str, paths), "--build-dir", str(build_dir), *flags]
    result = run_measured(cmd, env, timeout=timeout)
    if result["returncode"] != 0:
        raise SystemExit(
            f"kg ingest failed ({result['returncode']}): {result['stderr'].strip()[-2000:]}"
        )
    result["stages"] = stages(result["stdout"])
    return result


def seed_cache() -> Path:
    """A cache folder holding the ONNX export only, complete as the configured precision
    needs it (the 8-bit weights too), made once; never the project's cache."""
    from kg import quantise
    from kg.config import Settings
    from kg.embed import Encoder

    settings = Settings.from_env()
    target = WORK / "onnx-only-cache"
    encoder = Encoder.from_settings(settings, target)
    graph = "model.onnx" if encoder.precision == "fp32" else quantise.FILE
    needed = encoder.export_dir / "onnx" / graph
    if needed.is_file():
        return target
    project = ROOT / settings.cache_dir if not settings.cache_dir.is_absolute() else None
    source = (project or settings.cache_dir) / "onnx"
    target.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target / "onnx", dirs_exist_ok=True)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    encoder._load()  # exports, or adds the 8-bit weights, once into the bench cache
    return target


def cache_copy(name: str, with_embeddings_from: Path | None = None) -> Path:
    """A fresh cache folder `WORK/name` with the ONNX export (and, if given, an embedding
    cache copied from another folder)."""
    target = WORK / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(seed_cache(), target)
    if with_embeddings_from is not None:
        for file in with_embeddings_from.glob("embeddings-*.npz"):
            shutil.copy2(file, target / file.name)
    return target


def du_mib(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen[Any] | None = None) -> float:
    """Poll `url` every 10 ms until it answers 200; seconds waited (raises on timeout)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    response.read()
                    return time.perf_counter() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen[Any]) -> None:
    """End a server this benchmark started (by its own pid)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rss_mib(pid: int) -> dict[str, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM) of a process, in MiB."""
    found: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                found[key] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return found


def plain_bm25(rows: Sequence[dict[str, Any]]) -> Any:
    """What a user would do with bm25s alone: each concept row's labels and definitions,
    bm25s's own tokenizer and English stop words. The simplest alternative to the product."""
    import bm25s

    corpus = []
    for row in rows:
        labels = [row.get("pref_label", ""), *row.get("alt_labels", [])]
        defs = [d.get("text", "") for d in row.get("definitions", []) if isinstance(d, dict)]
        corpus.append(" ".join([*labels, *defs]))
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
    )
    return retriever


def seed_build() -> Path:
    """A current build of the seeds for benchmarks that only read one: made if missing, and
    made again when the seeds, the curation file or the code have changed since."""
    build_dir = WORK / "seed-build"
    cache = WORK / "seed-warm-cache"
    if not cache.is_dir():
        cache = cache_copy("seed-warm-cache")
    ingest([SEEDS], build_dir, cache, flags=["--if-stale"])
    return build_dir


def seed_queries(limit: int = 400) -> list[str]:
    """A few hundred distinct queries about the seeds: the evaluation questions, then labels
    and the opening words of definitions (as bench.search_latency does)."""
    from bench.search_latency import queries
    from kg.glossary import Glossary

    return queries(Glossary.load(seed_build()))[:limit]


# -- everything in order

STEPS = (
    "ingest",
    "startup",
    "search_latency",
    "http_load",
    "search_quality",
    "merge_quality",
    "adapt",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, to check they work")
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    parser.add_argument("--scale-size", type=int, default=None, help="generated vocabulary size")
    parser.add_argument("--skip", nargs="*", default=[], help="steps to leave out")
    args = parser.parse_args()
    print_machine("all benchmarks")
    results: dict[str, Any] = {"machine": machine_info()}
    steps: list[tuple[str, list[str]]] = [
        ("ingest", ["--repeat", "1"] if args.quick else []),
        ("startup", ["--repeat", "1"] if args.quick else []),
        ("search_latency", ["--build-dir", str(seed_build())]),
        ("http_load", ["--duration", "3"] if args.quick else []),
        ("search_quality", ["--build-dir", str(seed_build())]),
        ("merge_quality", []),
        ("adapt", ["--epochs", "1"] if args.quick else []),
    ]
    size = args.scale_size or (20_000 if args.quick else 100_000)
    steps.append(("scale", ["--size", str(size)]))
    for name, argv in steps:
        if name in args.skip:
            continue
        print(f"\n#### bench.{name} {' '.join(argv)}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        start = time.perf_counter()
        saved = sys.argv
        sys.argv = [f"bench.{name}", *argv]
        try:
            value = module.main()
        finally:
            sys.argv = saved
        results[name] = value if isinstance(value, dict) else None
        print(f"(bench.{name}: {time.perf_counter() - start:.0f} s)", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
