"""In-process query latency of hybrid search, encoder included, cold and warm LRU cache.

python -m bench.search_latency [--build-dir data/build] [--repeat 1]

A few hundred distinct queries (the evaluation questions, every label, and the opening words
of every definition) are searched once with an empty query-vector cache (every query pays
for the encoder) and once more with the cache warm. Prints p50/p95/p99 and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from kg.config import Settings
from kg.embed import Encoder
from kg.evaluate import read_questions
from kg.glossary import Glossary
from kg.search import SearchIndex

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {cpu}, Python {platform.python_version()}"


def queries(glossary: Glossary) -> list[str]:
    found = [q.text for q in read_questions(ROOT / "data" / "eval" / "questions.tsv")]
    for concept in glossary.concepts:
        found += concept.labels
        found += [" ".join(d.text.split()[:8]) for d in concept.definitions]
    unique = list(dict.fromkeys(q for q in found if q.strip()))
    return unique


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {cuts[49]:6.2f} ms  p95 {cuts[94]:6.2f} ms  p99 {cuts[98]:6.2f} ms  (n={len(ms)})"


def timed(index: SearchIndex, texts: list[str], mode: str = "hybrid") -> list[float]:
    out = []
    for text in texts:
        start = time.perf_counter()
        index.search(text, 10, mode=mode)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", type=Path, default=ROOT / "data" / "build")
    args = parser.parse_args()
    settings = Settings.from_env()
    glossary = Glossary.load(args.build_dir)
    encoder = Encoder.from_settings(settings, ROOT / "data" / "cache")
    index = SearchIndex.build(glossary.concepts, encoder)
    texts = queries(glossary)
    print(f"machine: {machine()}")
    print(
        f"index: {len(index)} concepts, {len(index.views.views)} dense views, {len(texts)} queries"
    )

    index.search("warm up the encoder", 10)  # model load and first-call costs, not measured
    for text in texts[:20]:
        encoder.encode_query(text + " (warm-up)")

    encode = []
    for text in texts:
        start = time.perf_counter()
        encoder.encode_query(text)
        encode.append(time.perf_counter() - start)
    print(f"encoder alone (encode_query)        {percentiles(encode)}")

    index.query_vectors.clear()
    cold = timed(index, texts)
    print(f"hybrid search, cold LRU (encodes)   {percentiles(cold)}")
    warm = timed(index, texts)
    print(f"hybrid search, warm LRU             {percentiles(warm)}")
    for mode in ("bm25", "views"):
        print(f"{mode + ' only, warm LRU':<36}{percentiles(timed(index, texts, mode))}")
    print(
        f"query-vector cache: {index.query_vectors.hits} hits, {index.query_vectors.misses} misses"
    )


if __name__ == "__main__":
    main()
