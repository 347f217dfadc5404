"""Under load the service keeps answering, and memory does not grow without bound.

Short in CI (32 clients for a few seconds); `python -m bench.soak` runs the long version.
Loopback only; no assertion on time, only on errors and memory growth.
"""

from __future__ import annotations

import resource
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from kg.glossary import Glossary
from tests.loadgen import mixed_urls, run_load, serving


def test_32_concurrent_clients_get_no_errors(glossary: Glossary, tmp_path: Path) -> None:
    glossary.save(tmp_path / "build", {})
    with serving(tmp_path / "build") as base:
        result = run_load(base, clients=32, seconds=6, max_requests=3000)
    print(f"\nload: {result.summary()}")
    assert result.requests >= 32
    assert result.errors == []


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_memory_does_not_grow_across_10000_requests(glossary: Glossary) -> None:
    client = TestClient(create_app(glossary))
    urls = mixed_urls()
    for i in range(1000):  # warm-up: caches fill to their bounds
        client.get(urls[i % len(urls)])
    before = rss_mb()
    for i in range(10_000):
        assert client.get(urls[i % len(urls)]).status_code < 500
    growth = rss_mb() - before
    print(f"\nmemory: {before:.0f} MB after warm-up, +{growth:.1f} MB after 10,000 requests")
    assert growth < 60
