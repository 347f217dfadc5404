"""The long load test: 32 clients for 30 s (configurable) against `kg serve` on loopback,
then the server's resident memory before and after.

    python -m bench.soak [--clients 32] [--seconds 30] [--build-dir data/build]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import httpx

from tests.loadgen import run_load, serving


def server_rss_mb(base: str) -> float | None:
    """RSS of the process listening on the base URL's port, from /proc (Linux)."""
    port = int(base.rsplit(":", 1)[1])
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":
            inode = fields[9]
    if inode is None:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(f"socket:[{inode}]" == str(fd.readlink()) for fd in (proc / "fd").iterdir()):
                for line in (proc / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            continue
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--build-dir", type=Path, default=Path("data/build"))
    args = parser.parse_args()
    with serving(args.build_dir) as base:
        run_load(base, clients=4, seconds=3, max_requests=1000)  # warm-up
        before = server_rss_mb(base)
        start = time.monotonic()
        result = run_load(base, args.clients, args.seconds, max_requests=10**7)
        elapsed = time.monotonic() - start
        after = server_rss_mb(base)
        health = httpx.get(f"{base}/health").json()
    print(
        f"{args.clients} clients for {args.seconds:.0f} s: {result.summary()}, "
        f"{result.requests / elapsed:.0f} requests/s"
    )
    if before and after:
        print(f"server memory: {before:.0f} MB after warm-up, {after:.0f} MB after the run")
    print(f"still healthy: {health}")
    for error in result.errors[:10]:
        print(f"  error: {error}")


if __name__ == "__main__":
    main()
