"""A bounded loopback load generator shared by the CI load test and bench/soak.py.

Only ever targets 127.0.0.1; every loop is bounded by a request count and a deadline.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

QUERIES = [
    "churn",
    "NDR",
    "net promotor score",
    "customers walking away",
    "upsell vs cross-sell",
    "what is gross revenue retention",
    "QBR",
    "health score",
    "🚀",
    "x" * 400,
]
PATHS = [
    "/health",
    "/concepts?limit=50",
    "/concepts/churn",
    "/lookup?label=nrr",
    "/concepts/upsell/neighbors?depth=2",
    "/path?from=upsell&to=net-revenue-retention",
]


def mixed_urls() -> list[str]:
    urls = [f"/search?q={quote(q)}&k=10" for q in QUERIES]
    urls += [f"/ask?q={quote(q)}" for q in QUERIES[:4]]
    return urls + PATHS


@dataclass
class LoadResult:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        return (
            f"{self.requests} requests, {len(self.errors)} errors, p50 "
            f"{statistics.median(self.latencies) * 1000:.1f} ms, p99 "
            f"{self.percentile(99) * 1000:.1f} ms"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(build_dir: Path) -> Iterator[str]:
    """`kg serve` on a build in its own process (as in production) on a loopback port;
    yields its base URL once /health answers."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from api.cli import run; run()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--build-dir",
            str(build_dir),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"kg serve exited: {process.stderr.read().decode()[-500:]}")
            try:
                if httpx.get(f"{base}/search?q=warm", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def run_load(base: str, clients: int, seconds: float, max_requests: int) -> LoadResult:
    """`clients` threads cycling through mixed URLs until the deadline or the request cap."""
    assert base.startswith("http://127.0.0.1:"), "load is only ever sent to loopback"
    result = LoadResult()
    lock = threading.Lock()
    urls = mixed_urls()
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            i = n
            while time.monotonic() < deadline:
                with lock:
                    if result.requests >= max_requests:
                        return
                    result.requests += 1
                url = urls[i % len(urls)]
                i += 1
                start = time.perf_counter()
                try:
                    status = http.get(url).status_code
                    problem = f"{url}: {status}" if status >= 500 else None
                except httpx.HTTPError as exc:
                    problem = f"{url}: {type(exc).__name__}"
                elapsed = time.perf_counter() - start
                with lock:
                    result.latencies.append(elapsed)
                    if problem:
                        result.errors.append(problem)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result
