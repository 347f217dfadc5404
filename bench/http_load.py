"""/search over HTTP under load, with wrk, at 1, 8 and 32 concurrent clients.

python -m bench.http_load [--duration 10] [--clients 1 8 32] [--build-dir DIR] [--profile]

Needs wrk (Debian: `apt-get install -y wrk`). Loopback only: every server is started here on
127.0.0.1 and stopped at the end. `kg serve` runs as `make run` does: uvicorn, one worker,
uvloop and httptools (installed, so uvicorn's "auto" picks them), no access log.

Workloads, each `wrk -t min(c,2) -c c -d DURATION --latency` with a Lua script:
- /health                      the floor: the framework and the loop, no search
- /search, repeated queries    a few hundred distinct queries (URL-encoded) in rotation, after
                               one warm-up pass: the query-vector cache is warm, as for the
                               popular queries of real traffic
- /search, unique queries      every request a query never seen before (pairs of labels), so
                               every request runs the encoder: the worst case
The simplest alternatives, served the same way (bench.startup's tiny servers): bm25s alone,
and exact FAISS over one vector per concept with the same encoder (no query cache, so its
"repeated" numbers also run the encoder). Reported: requests/s, latency p50/p90/p95/p99,
errors (connect, read, write, timeout, non-2xx). With --profile, py-spy samples the kg server
during the 8-client repeated-query run and the hottest functions are printed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from bench.run import (
    WORK,
    print_machine,
    ratio,
    seed_build,
    seed_queries,
    stop,
    table,
    wait_http,
)
from bench.startup import start_server

LUA = """
local paths = {%(paths)s}
local n = #paths
local counter = 0
local thread_no = 0
local threads = {}

function setup(thread)
  thread_no = thread_no + 1
  thread:set("offset", (thread_no - 1) * %(stride)d)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local path = paths[((offset or 0) + counter - 1) %% n + 1]
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50\\": %%d, \\"p90\\": %%d, " ..
    "\\"p95\\": %%d, \\"p99\\": %%d, \\"max\\": %%d, \\"mean\\": %%.1f, \\"connect\\": %%d, " ..
    "\\"read\\": %%d, \\"write\\": %%d, \\"status\\": %%d, \\"timeout\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def lua_script(paths: list[str], stride: int) -> str:
    quoted = ", ".join(json.dumps(p) for p in paths)
    return LUA % {"paths": quoted, "stride": stride}


def search_path(query: str) -> str:
    return "/search?" + urllib.parse.urlencode({"q": query, "k": 10})


def unique_queries(base: list[str], count: int) -> list[str]:
    """`count` distinct queries, none of them in `base`: pairs of short labels."""
    short = [q for q in base if 0 < len(q.split()) <= 3]
    out: list[str] = []
    seen = set(base)
    step = 7
    for i in range(len(short)):
        for j in range(len(short)):
            a, b = short[i], short[(i * step + j + 1) % len(short)]
            if a == b:
                continue
            text = f"{a} {b}"
            if text not in seen:
                seen.add(text)
                out.append(text)
                if len(out) >= count:
                    return out
    return out


def run_wrk(url: str, paths: list[str], clients: int, duration: int) -> dict[str, Any]:
    threads = max(1, min(clients, 2))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua_script(paths, max(1, len(paths) // threads)))
        script = f.name
    cmd = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(clients),
        "-d",
        f"{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        script,
        url,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    Path(script).unlink(missing_ok=True)
    found = re.search(r"^RESULT (\{.*\})$", proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or not found:
        raise SystemExit(f"wrk failed: {proc.stderr.strip() or proc.stdout.strip()}")
    raw = json.loads(found.group(1))
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "clients": clients,
        "threads": threads,
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        **{k: round(raw[k] / 1000, 2) for k in ("p50", "p90", "p95", "p99", "max", "mean")},
        "errors": errors,
        "non_2xx": raw["status"],
    }


def warm_up(base: str, queries: list[str]) -> float:
    clock = time.perf_counter()
    for q in queries:
        with urllib.request.urlopen(base + search_path(q), timeout=60) as r:
            r.read()
    return time.perf_counter() - clock


def _py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    for candidate in (shutil.which("py-spy"), str(beside), str(WORK / "tools" / "bin" / "py-spy")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def profile_top(raw: Path, limit: int = 25) -> list[tuple[str, float, float]]:
    """(function, inclusive %, self %) of a py-spy raw (collapsed stacks) file."""
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return []
    rows = [
        (f, 100 * n / total, 100 * own[f] / total)
        for f, n in inclusive.most_common()
        if any(p in f for p in ("kg/", "api/", "ingest/", "fastapi/", "starlette/", "pydantic"))
    ]
    rows += [
        (f"[self] {f}", 100 * inclusive[f] / total, 100 * n / total) for f, n in own.most_common(10)
    ]
    return rows[:limit]


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--build-dir", type=Path, default=None, help="default: a seed build")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="py-spy the kg server at 8")
    parser.add_argument("--no-alternatives", action="store_true")
    parser.add_argument(
        "--levers", action="store_true", help="also kg's app on plain asyncio + h11 (no uvloop)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return {"skipped": "wrk not installed"}
    build_dir = args.build_dir or seed_build()
    queries = seed_queries(args.queries) if args.build_dir is None else _build_queries(build_dir)
    queries = queries[: args.queries]
    fresh = unique_queries(queries, 40_000)
    print_machine(f"bench.http_load ({build_dir}; wrk {args.duration} s per run)")
    print(
        f"{len(queries)} distinct repeated queries; {len(fresh):,} unique queries; "
        "uvicorn: 1 worker, loop=auto (uvloop), http=auto (httptools), access log off"
    )
    servers = [("kg serve", "kg")]
    if not args.no_alternatives:
        servers += [("ALT bm25s", "bm25"), ("ALT faiss", "faiss")]
    if args.levers:
        servers.append(("kg, asyncio+h11", "kg-asyncio"))
    results: dict[str, Any] = {}
    profile: list[tuple[str, float, float]] = []
    for name, kind in servers:
        proc, port = start_server(kind, build_dir)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(f"{base}/health", timeout=180, proc=proc)
            warm = warm_up(base, queries)
            print(
                f"{name}: up; warm-up pass over {len(queries)} queries took {warm:.1f} s",
                flush=True,
            )
            workloads = [("/search repeated", [search_path(q) for q in queries])]
            if kind == "kg":
                workloads.insert(0, ("/health", ["/health"]))
                # every request of every run a new query: skip the ones already sent
                workloads.append(("/search unique", []))
            used = 0
            chunk = max(1, len(fresh) // max(1, len(args.clients)))
            for workload, paths in workloads:
                for clients in args.clients:
                    if workload == "/search unique":
                        paths = [search_path(q) for q in fresh[used : used + chunk]]
                    spy = None
                    if args.profile and kind == "kg" and clients == 8 and "repeated" in workload:
                        spy = _start_spy(proc.pid, args.duration)
                    row = run_wrk(base, paths, clients, args.duration)
                    if spy is not None:
                        profile = _finish_spy(spy)
                    if workload == "/search unique":
                        used += chunk
                        row["wrapped"] = row["requests"] > len(paths)  # queries repeated
                    results.setdefault(name, {}).setdefault(workload, []).append(row)
                    print(
                        f"  {workload:<17} c={clients:<3} {row['rps']:8.1f} req/s  "
                        f"p50 {row['p50']:7.2f}  p90 {row['p90']:7.2f}  p99 {row['p99']:7.2f} ms"
                        f"  errors {row['errors']}"
                        + (
                            "  (ran out of unique queries: some repeated)"
                            if row.get("wrapped")
                            else ""
                        ),
                        flush=True,
                    )
        finally:
            stop(proc)
    _report(results, args.clients)
    if profile:
        print("\nkg serve under 8 clients, repeated queries (py-spy; inclusive %, self %):")
        for frame, inc, own in profile:
            print(f"  {inc:5.1f}% {own:5.1f}%  {frame}")
    results["profile"] = profile
    return results


def _build_queries(build_dir: Path) -> list[str]:
    from bench.search_latency import queries
    from kg.glossary import Glossary

    return queries(Glossary.load(build_dir))


def _start_spy(pid: int, duration: int) -> tuple[subprocess.Popen[bytes], Path] | None:
    spy = _py_spy()
    if spy is None:
        print("  (py-spy not found: pip install py-spy; no profile)")
        return None
    out = WORK / "http-profile.txt"
    cmd = [
        spy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(duration),
        "--rate",
        "200",
        "--format",
        "raw",
        "--output",
        str(out),
        "--nonblocking",
    ]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), out


def _finish_spy(spy: tuple[subprocess.Popen[bytes], Path]) -> list[tuple[str, float, float]]:
    proc, out = spy
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        stop(proc)
    return profile_top(out) if out.is_file() else []


def _report(results: dict[str, Any], clients: list[int]) -> None:
    rows = []
    kg = {row["clients"]: row for row in results.get("kg serve", {}).get("/search repeated", [])}
    for name, workloads in results.items():
        for workload, found in workloads.items():
            for row in found:
                ref = kg.get(row["clients"])
                rows.append(
                    (
                        name,
                        workload,
                        row["clients"],
                        f"{row['rps']:.1f}",
                        f"{row['p50']:.2f}",
                        f"{row['p90']:.2f}",
                        f"{row['p95']:.2f}",
                        f"{row['p99']:.2f}",
                        row["errors"],
                        ratio(ref["rps"], row["rps"]) if ref else "n/a",
                    )
                )
    print()
    print(
        table(
            [
                "server",
                "workload",
                "clients",
                "req/s",
                "p50 ms",
                "p90 ms",
                "p95 ms",
                "p99 ms",
                "errors",
                "kg repeated req/s / this",
            ],
            rows,
        )
    )
    one, eight = kg.get(1), kg.get(8)
    if one and eight:
        errors = sum(r["errors"] for found in results.get("kg serve", {}).values() for r in found)
        print(
            f"targets: p50 < 8 ms at 1 client: {'met' if one['p50'] < 8 else 'MISSED'} "
            f"({one['p50']:.2f} ms); >= 150 req/s at 8: "
            f"{'met' if eight['rps'] >= 150 else 'MISSED'} ({eight['rps']:.0f}); no errors: "
            f"{'met' if errors == 0 else 'MISSED'} ({errors})"
        )


if __name__ == "__main__":
    main()
