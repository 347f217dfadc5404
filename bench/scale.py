"""Scale: STW + the seeds, and a generated vocabulary of N concepts (default 100,000).

python -m bench.scale [--size 100000] [--skip-stw] [--reuse] [--queries 300]
python -m bench.scale --generate-only --size 100000     # write the Turtle file and stop

For each build: `kg ingest` time per stage (its `time:` line), build folder size, peak RSS of
the ingest process; then, in a fresh process, load time, resident memory after 1,000
searches, and in-process search p50/p95/p99 for hybrid (query cache cold, then warm), the
product's BM25-only, dense (single vector) and views (multi-view dense) modes, against the
simplest alternatives run on the same build: plain bm25s (labels + definitions, its own
tokenizer) and exact FAISS (IndexFlatIP over one vector per concept, the encoder per query).
Then, in another fresh process, HNSW against exact search on the same saved view vectors:
recall@10 of the vectors found, of the concepts the product ranks, and latency, for several
efSearch values; and which index the product chose (`dense_index` in search-manifest.json).

The generated vocabulary: STW's concepts (as the product reads them: rdflib, skos:Concept)
copied until N concepts. Copy 0 keeps STW's labels; copy k (k >= 1) gives each label L of
concept i the label "L <connector_k> P", P the same-language preferred label of another STW
concept (index (i * 31 + k * 977) mod n), connector_k one of 15 words per language, so every
label is distinct and still reads like a thesaurus term ("Income for Order processing").
URIs are `<https://example.org/gen/k/<STW path>>`; broader, narrower and related links are
kept within each copy (to the same copy of the target). Written as a folder of Turtle files,
four copies each (the reader refuses files over 50 MiB). Deterministic: same N, same files.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.run import (
    SEEDS,
    STW,
    WORK,
    bench_env,
    cache_copy,
    du_mib,
    fmt_q,
    ingest,
    plain_bm25,
    print_machine,
    quantiles_ms,
    ratio,
    table,
)

CONNECTORS = {
    "en": "in for and of under versus with after within across by through against beyond "
    "without".split(),
    "de": "in für und von unter gegen mit nach innerhalb über durch bei neben jenseits "
    "ohne".split(),
}
GEN_BASE = "https://example.org/gen/"
SEARCHES = 1000  # searches before resident memory is read


# -- the generated vocabulary


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


COPIES_PER_FILE = 4  # files stay well under the reader's 50 MiB limit (about 22 MiB each)


def generate(size: int, source: Path = STW, out_dir: Path | None = None) -> Path:
    """Write a `size`-concept Turtle vocabulary derived from `source` (see module doc) as a
    folder of files, COPIES_PER_FILE copies each; return the folder."""
    from rdflib import RDF, SKOS, Graph, Literal, URIRef

    target = (out_dir or WORK / "generated") / f"stw-generated-{size}"
    marker = target.with_name(target.name + ".done")
    if marker.is_file() and target.is_dir():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    graph = Graph()
    graph.parse(source, format="turtle")
    concepts = sorted({s for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)})
    known = set(concepts)
    n = len(concepts)

    def literals(node: URIRef, predicate: URIRef) -> list[Literal]:
        found = [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
        return sorted(found, key=lambda x: (x.language or "", str(x)))

    def links(node: URIRef, predicate: URIRef) -> list[str]:
        return sorted(str(o) for o in graph.objects(node, predicate) if o in known)

    rows: list[dict[str, Any]] = [
        {
            "uri": str(node),
            "pref": literals(node, SKOS.prefLabel),
            "alt": literals(node, SKOS.altLabel),
            "hidden": literals(node, SKOS.hiddenLabel),
            "definition": literals(node, SKOS.definition),
            "broader": links(node, SKOS.broader),
            "narrower": links(node, SKOS.narrower),
            "related": links(node, SKOS.related),
        }
        for node in concepts
    ]
    position = {r["uri"]: i for i, r in enumerate(rows)}

    def pref_in(i: int, lang: str) -> str:
        labels = rows[i]["pref"]
        for lit in labels:
            if (lit.language or "") == lang:
                return str(lit)
        return str(labels[0]) if labels else rows[i]["uri"].rsplit("/", 1)[-1]

    def local(uri: str) -> str:
        return uri.split("://", 1)[-1].split("/", 1)[-1]

    def concept(k: int, i: int, limit: int) -> str:
        row = rows[i]
        partner = (i * 31 + k * 977) % n
        if partner == i:
            partner = (partner + 1) % n

        def vary(lit: Literal) -> str:
            lang = lit.language or ""
            text = str(lit)
            if k:
                words = CONNECTORS.get(lang, CONNECTORS["en"])
                text = f"{text} {words[(k - 1) % len(words)]} {pref_in(partner, lang)}"
            return f'"{_escape(text)}"' + (f"@{lang}" if lang else "")

        parts = ["a skos:Concept", f"skos:inScheme <{GEN_BASE}scheme>"]
        for name, predicate in (
            ("pref", "skos:prefLabel"),
            ("alt", "skos:altLabel"),
            ("hidden", "skos:hiddenLabel"),
        ):
            if row[name]:
                parts.append(f"{predicate} " + ", ".join(vary(x) for x in row[name]))
        if row["definition"]:
            defs = ", ".join(
                f'"{_escape(str(x))}"' + (f"@{x.language}" if x.language else "")
                for x in row["definition"]
            )
            parts.append(f"skos:definition {defs}")
        for name in ("broader", "narrower", "related"):
            targets = [f"<{GEN_BASE}{k}/{local(t)}>" for t in row[name] if position[t] < limit]
            if targets:
                parts.append(f"skos:{name} " + ", ".join(targets))
        return f"<{GEN_BASE}{k}/{local(row['uri'])}>\n    " + " ;\n    ".join(parts) + " .\n\n"

    copies = math.ceil(size / n)
    written = 0
    for first in range(0, copies, COPIES_PER_FILE):
        path = target / f"part-{first // COPIES_PER_FILE:02d}.ttl"
        with path.open("w", encoding="utf-8") as f:
            f.write("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n")
            f.write("@prefix dcterms: <http://purl.org/dc/terms/> .\n\n")
            f.write(
                f"<{GEN_BASE}scheme> a skos:ConceptScheme ;\n"
                f'    dcterms:title "Generated from {_escape(source.name)}: {size} concepts"@en'
                " .\n\n"
            )
            for k in range(first, min(copies, first + COPIES_PER_FILE)):
                limit = min(n, size - written)
                f.writelines(concept(k, i, limit) for i in range(limit))
                written += limit
    marker.write_text(f"{written}\n")
    return target


def _folder_mib(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.glob("*.ttl")) / 2**20, 1)


# -- probes (each in a fresh process, so their memory is their own)


def _queries(build_dir: Path, count: int) -> list[str]:
    """`count` distinct queries: the evaluation questions, then labels (pref and alt) of
    concepts spread evenly over the vocabulary, then the first words of definitions."""
    from bench.search_latency import ROOT
    from kg.evaluate import read_questions

    found = [q.text for q in read_questions(ROOT / "data" / "eval" / "questions.tsv")][: count // 3]
    rows = [json.loads(line) for line in (build_dir / "concepts.jsonl").open(encoding="utf-8")]
    step = max(1, len(rows) // max(1, count))
    for row in rows[::step]:
        found.append(str(row.get("pref_label", "")))
        for alt in row.get("alt_labels", [])[:1]:
            found.append(str(alt))
    unique = list(dict.fromkeys(q.strip() for q in found if q and q.strip()))
    return unique[:count]


def _plain_bm25(rows: list[dict[str, Any]]) -> tuple[Any, float]:
    """bench.run.plain_bm25 over the build's concepts, and the seconds it took to index."""
    start = time.perf_counter()
    retriever = plain_bm25(rows)
    return retriever, time.perf_counter() - start


def probe_search(build_dir: Path, count: int) -> dict[str, Any]:
    """Load the build as `kg serve` does, search, and report latency and memory."""
    import bm25s
    import faiss
    import numpy as np

    from bench.run import rss_mib
    from kg.config import Settings
    from kg.embed import Encoder
    from kg.glossary import Glossary

    settings = Settings.from_env()
    start = time.perf_counter()
    encoder = Encoder.from_settings(settings)
    glossary = Glossary.load(build_dir, settings.base_uri, encoder=encoder)
    index = glossary.index
    load = time.perf_counter() - start
    rss_loaded = rss_mib(os.getpid())
    texts = _queries(build_dir, count)
    glossary.search("warm up the encoder", 10)  # model load and first-call costs
    out: dict[str, Any] = {
        "load_seconds": round(load, 2),
        "queries": len(texts),
        "concepts": len(index),
        "views": len(index.views.views),
        "dense_index": index.views.kind,
        "rss_after_load_mib": rss_loaded.get("VmRSS"),
    }

    def timed(fn: Any, items: list[Any]) -> list[float]:
        samples = []
        for item in items:
            t = time.perf_counter()
            fn(item)
            samples.append(time.perf_counter() - t)
        return samples

    index.query_vectors.clear()
    out["hybrid_cold"] = quantiles_ms(timed(lambda q: glossary.search(q, 10), texts))
    out["hybrid_warm"] = quantiles_ms(timed(lambda q: glossary.search(q, 10), texts))
    done = 2 * len(texts)
    while done < SEARCHES:  # what /search (hybrid) holds after at least 1,000 searches
        for q in texts[: SEARCHES - done]:
            glossary.search(q, 10)
            done += 1
    out["rss_after_hybrid_searches_mib"] = rss_mib(os.getpid())
    out["hybrid_searches_before_rss"] = done
    for mode in ("bm25", "dense", "views"):
        # a first pass fills the query cache for this mode's query text (dense encodes the
        # query as typed, views and hybrid in the template); the second pass is reported
        timed(lambda q, m=mode: glossary.search(q, 10, mode=m), texts)
        out[f"mode_{mode}"] = quantiles_ms(
            timed(lambda q, m=mode: glossary.search(q, 10, mode=m), texts)
        )
    out["document_index"] = index.document.kind  # the dense mode has loaded it
    out["searches_before_rss"] = done + 6 * len(texts)
    out["rss_after_searches_mib"] = rss_mib(os.getpid())
    # The plain alternatives, on the same concepts.
    rows = [json.loads(line) for line in (build_dir / "concepts.jsonl").open(encoding="utf-8")]
    retriever, seconds = _plain_bm25(rows)
    out["plain_bm25_index_seconds"] = round(seconds, 2)

    def plain_bm25(q: str) -> Any:
        tokens = bm25s.tokenize([q], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return None
        return retriever.retrieve(tokens, k=10, show_progress=False)

    out["plain_bm25"] = quantiles_ms(timed(plain_bm25, texts))
    vectors = index.document.index.reconstruct_n(0, index.document.index.ntotal)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
    del vectors

    def exact_faiss(q: str) -> Any:
        vector = encoder.encode_query(q).reshape(1, -1)
        return flat.search(vector, 10)

    out["exact_faiss"] = quantiles_ms(timed(exact_faiss, texts))
    qv = np.stack([encoder.encode_query(q) for q in texts]).astype(np.float32)
    out["exact_faiss_search_only"] = quantiles_ms(
        timed(lambda i: flat.search(qv[i : i + 1], 10), list(range(len(texts))))
    )
    out["encoder_only"] = quantiles_ms(timed(encoder.encode_query, texts))
    return out


def probe_recall(build_dir: Path, count: int) -> dict[str, Any]:
    """HNSW against exact search on the saved view vectors (what the product searches)."""
    import faiss
    import numpy as np

    from kg.config import Settings
    from kg.dense import DenseRetriever
    from kg.embed import Encoder
    from kg.retrieval import SearchConfig
    from kg.search import SearchIndex

    settings = Settings.from_env()
    encoder = Encoder.from_settings(settings)
    index = SearchIndex.load(build_dir, encoder)
    cfg: SearchConfig = index.config
    saved = index.views.index
    vectors = np.ascontiguousarray(saved.reconstruct_n(0, saved.ntotal), dtype=np.float32)
    texts = _queries(build_dir, count)
    template = cfg.query_template
    templated = [template.replace("{}", q, 1) if "{}" in template else q for q in texts]
    qv = np.stack([encoder.encode_query(q) for q in templated]).astype(np.float32)
    out: dict[str, Any] = {
        "views": int(saved.ntotal),
        "product_index": index.views.kind,
        "hnsw_threshold": cfg.hnsw_threshold,
        "queries": len(texts),
    }
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    t = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(vectors.shape[1], cfg.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = max(40, cfg.hnsw_m * 2)
    hnsw.add(vectors)
    out["hnsw_build_seconds"] = round(time.perf_counter() - t, 2)
    faiss.omp_set_num_threads(1)  # one query at a time, as a request is served

    def per_query(idx: Any) -> tuple[list[float], Any]:
        samples, found = [], []
        for i in range(len(qv)):
            t = time.perf_counter()
            _, ids = idx.search(qv[i : i + 1], 10)
            samples.append(time.perf_counter() - t)
            found.append(ids[0])
        return samples, np.stack(found)

    flat_t, truth = per_query(flat)
    out["flat"] = quantiles_ms(flat_t)
    sweep = []
    for ef in sorted({32, 64, cfg.hnsw_ef_search, 256}):
        hnsw.hnsw.efSearch = ef
        hnsw_t, got = per_query(hnsw)
        recall = float(
            np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, got, strict=True)])
        )
        sweep.append({"ef_search": ef, "recall_at_10": round(recall, 4), **quantiles_ms(hnsw_t)})
    out["hnsw"] = sweep
    # Concept level: the product's views retriever (best view, second view, centroid) over
    # HNSW against the same retriever over the exact index, top-10 concepts compared.
    hnsw.hnsw.efSearch = cfg.hnsw_ef_search
    views = index.views.views
    args = (index.views.file_stem, cfg.second_view, cfg.centroid)
    over_flat = DenseRetriever(flat, views, *args, templated=True)
    over_hnsw = DenseRetriever(hnsw, views, *args, templated=True)
    agree, flat_c, hnsw_c = [], [], []
    for q in texts:
        prepared = index.prepare(q)
        over_flat.query_vector(prepared)  # encode once, outside the timings
        t = time.perf_counter()
        a = [s.concept for s in over_flat.search(prepared, 10)]
        flat_c.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = [s.concept for s in over_hnsw.search(prepared, 10)]
        hnsw_c.append(time.perf_counter() - t)
        agree.append(len(set(a) & set(b)) / max(1, len(a)))
    out["concept_recall_at_10"] = round(float(np.mean(agree)), 4)
    out["views_retriever_flat"] = quantiles_ms(flat_c)
    out["views_retriever_hnsw"] = quantiles_ms(hnsw_c)
    return out


def _probe(kind: str, build_dir: Path, cache: Path, count: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.scale", f"--probe-{kind}", str(build_dir)]
    cmd += ["--queries", str(count)]
    proc = subprocess.run(
        cmd, env=bench_env(KG_CACHE_DIR=cache), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"probe {kind} failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- one scale


def measure(
    name: str, paths: list[Path], count: int, reuse: bool, warm_repeat: bool = True
) -> dict[str, Any]:
    build_dir = WORK / f"build-{name}"
    cache = WORK / f"cache-{name}"
    result: dict[str, Any] = {"name": name, "inputs": [str(p) for p in paths]}
    if reuse and (build_dir / "search-manifest.json").is_file() and cache.is_dir():
        print(f"{name}: reusing {build_dir} (--reuse; ingest not timed)")
    else:
        cache = cache_copy(f"cache-{name}")  # the ONNX export only: every text is encoded
        shutil.rmtree(build_dir, ignore_errors=True)
        print(f"{name}: ingest, embedding cache empty ...", flush=True)
        cold = ingest(paths, build_dir, cache)
        result["ingest_cold"] = _ingest_row(cold)
        print(f"  {_ingest_line(cold)}", flush=True)
        if warm_repeat:
            shutil.rmtree(build_dir, ignore_errors=True)
            warm = ingest(paths, build_dir, cache)
            result["ingest_warm"] = _ingest_row(warm)
            print(f"  warm (embeddings cached): {_ingest_line(warm)}", flush=True)
    manifest = json.loads((build_dir / "search-manifest.json").read_text())
    result["build_mib"] = du_mib(build_dir)
    result["concepts"] = manifest["concepts"]
    result["labels"] = manifest["labels"]
    result["views"] = manifest["views"]
    result["dense_index"] = manifest["dense_index"]
    print(
        f"  build: {result['concepts']:,} concepts, {result['labels']:,} labels, "
        f"{result['views']:,} dense views, {result['build_mib']} MiB; product chose "
        f"{result['dense_index']} (HNSW above {manifest['config']['hnsw_threshold']:,} vectors)",
        flush=True,
    )
    search = _probe("search", build_dir, cache, count)
    result["search"] = search
    _print_search(search)
    recall = _probe("recall", build_dir, cache, count)
    result["recall"] = recall
    _print_recall(recall)
    return result


def _ingest_row(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "wall": round(run["wall"], 2),
        "stages": run["stages"],
        "peak_rss_mib": run["peak_rss_mib"],
        "cpu_seconds": run["cpu_seconds"],
    }


def _ingest_line(run: dict[str, Any]) -> str:
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in run["stages"].items())
    return (
        f"wall {run['wall']:.1f} s ({stages}); peak RSS {run['peak_rss_mib']:.0f} MiB; "
        f"CPU {run['cpu_seconds']:.0f} s"
    )


def _print_search(s: dict[str, Any]) -> None:
    rss = s["rss_after_searches_mib"]
    hybrid = s["rss_after_hybrid_searches_mib"]
    print(
        f"  loaded in {s['load_seconds']} s; RSS {s['rss_after_load_mib']} MiB after load, "
        f"{hybrid.get('VmRSS')} MiB after {s['hybrid_searches_before_rss']} hybrid searches "
        f"(what /search holds), {rss.get('VmRSS')} MiB after {s['searches_before_rss']} "
        f"searches in every mode (peak {rss.get('VmHWM')} MiB); {s['queries']} distinct queries"
    )
    base = s["hybrid_warm"]["p50"]
    rows = [
        ("hybrid, query cache cold", s["hybrid_cold"]),
        ("hybrid, query cache warm", s["hybrid_warm"]),
        ("product BM25 only (mode=bm25)", s["mode_bm25"]),
        ("product dense, 1 vector/concept, warm", s["mode_dense"]),
        ("product views (multi-view), warm", s["mode_views"]),
        ("ALT plain bm25s", s["plain_bm25"]),
        ("ALT exact FAISS + encoder", s["exact_faiss"]),
        ("ALT exact FAISS, search only", s["exact_faiss_search_only"]),
        ("encoder alone", s["encoder_only"]),
    ]
    print(
        table(
            ["search", "p50 ms", "p95 ms", "p99 ms", "hybrid warm p50 / this p50"],
            [
                (n, f"{q['p50']:.2f}", f"{q['p95']:.2f}", f"{q['p99']:.2f}", ratio(base, q["p50"]))
                for n, q in rows
            ],
        )
    )


def _print_recall(r: dict[str, Any]) -> None:
    print(
        f"  exact vs HNSW on {r['views']:,} view vectors ({r['queries']} queries; product uses "
        f"{r['product_index']}, threshold {r['hnsw_threshold']:,}); HNSW built in "
        f"{r['hnsw_build_seconds']} s"
    )
    rows = [("exact IndexFlatIP", "1.0000", r["flat"])]
    rows += [(f"HNSW efSearch={h['ef_search']}", f"{h['recall_at_10']:.4f}", h) for h in r["hnsw"]]
    print(
        table(
            ["index (1 thread)", "recall@10", "p50 ms", "p95 ms", "p99 ms"],
            [(n, rc, f"{q['p50']:.3f}", f"{q['p95']:.3f}", f"{q['p99']:.3f}") for n, rc, q in rows],
        )
    )
    print(
        f"  concept-level recall@10 of the product's views retriever over HNSW vs exact: "
        f"{r['concept_recall_at_10']:.4f}; retriever p50 exact {fmt_q(r['views_retriever_flat'])}"
        f"; HNSW {fmt_q(r['views_retriever_hnsw'])}"
    )


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000, help="generated concepts (0: none)")
    parser.add_argument("--skip-stw", action="store_true", help="only the generated vocabulary")
    parser.add_argument("--reuse", action="store_true", help="reuse builds from an earlier run")
    parser.add_argument("--no-warm", action="store_true", help="skip the warm re-ingest")
    parser.add_argument("--queries", type=int, default=300, help="distinct queries")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--probe-search", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--probe-recall", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe_search or args.probe_recall:  # one probe, JSON out
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if args.probe_search:
            found = probe_search(args.probe_search, args.queries)
        else:
            found = probe_recall(args.probe_recall, args.queries)
        print(json.dumps(found))
        return found
    if args.generate_only:
        t = time.perf_counter()
        path = generate(args.size)
        size_mib = _folder_mib(path)
        print(f"wrote {path} ({size_mib:.1f} MiB) in {time.perf_counter() - t:.1f} s")
        return {"path": str(path)}
    print_machine(f"bench.scale (STW + seeds; generated {args.size:,})")
    results: dict[str, Any] = {}
    if not args.skip_stw:
        results["stw"] = measure("stw", [STW, SEEDS], args.queries, args.reuse, not args.no_warm)
    if args.size:
        t = time.perf_counter()
        path = generate(args.size)
        print(
            f"\ngenerated {path} ({_folder_mib(path)} MiB in {len(list(path.glob('*.ttl')))} "
            f"files, "
            f"{time.perf_counter() - t:.1f} s)",
            flush=True,
        )
        results[f"gen{args.size}"] = measure(
            f"gen{args.size}", [path, SEEDS], args.queries, args.reuse, warm_repeat=False
        )
    return results


if __name__ == "__main__":
    main()
