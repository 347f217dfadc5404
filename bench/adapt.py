"""What `kg adapt` costs and what it buys: training time and memory, then search quality with
the adapted encoder against the packaged one, on the same questions.

python -m bench.adapt [--epochs 2] [--reuse]

Adapts the packaged model to a build of the seeds (`kg adapt`, in a fresh process: wall time,
CPU time, peak RSS), ingests the seeds again with KG_MODEL set to the result, and runs
`kg eval data/eval/questions.tsv` on both builds. Prints Hit@1 per split for every mode, the
paraphrase margin both ways, and the highest confidence given to an unanswerable question.
The recipe was chosen on the tune split only; the held-out rows are the record, not a guide.
--reuse keeps an adapted model already in $KG_BENCH_DIR/adapted if it is current.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.run import (
    SEEDS,
    WORK,
    bench_env,
    cache_copy,
    ingest,
    kg_command,
    print_machine,
    run_measured,
    seed_build,
    table,
)
from kg.adapt import read_manifest
from kg.evaluate import held_out, paraphrase_margins

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "data" / "eval" / "questions.tsv"
CATEGORIES = ("direct", "short", "paraphrase")


def evaluate(build_dir: Path, cache: Path, model: str | None = None) -> dict[str, Any]:
    """`kg eval --json` on a build, in a fresh process."""
    extra: dict[str, str | Path] = {"KG_CACHE_DIR": cache}
    if model:
        extra["KG_MODEL"] = model
    cmd = [*kg_command(), "eval", str(QUESTIONS), "--json", "--build-dir", str(build_dir)]
    run = run_measured(cmd, bench_env(**extra))
    if run["returncode"] != 0:
        raise SystemExit(f"kg eval failed: {run['stderr'].strip()[-2000:]}")
    report: dict[str, Any] = json.loads(run["stdout"])
    return report


def unanswerable_max(report: dict[str, Any], split: str) -> float:
    rows = [r for r in report["confidence"] if r["split"] == split]
    return max((r["confidence"] for r in rows if r["category"] == "unanswerable"), default=0.0)


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=None, help="default: the Recipe's")
    parser.add_argument("--reuse", action="store_true", help="keep a current adapted model")
    args = parser.parse_args()
    print_machine("kg adapt: fine-tuning the encoder on the seeds")

    base_build = seed_build()
    folder = WORK / "adapted"
    cmd = [*kg_command(), "adapt", "--out", str(folder), "--build-dir", str(base_build)]
    if args.epochs:
        cmd += ["--epochs", str(args.epochs)]
    if args.reuse:
        cmd.append("--if-stale")
    train = run_measured(cmd, bench_env(KG_CACHE_DIR=WORK / "seed-warm-cache"))
    if train["returncode"] != 0:
        raise SystemExit(f"kg adapt failed: {train['stderr'].strip()[-2000:]}")
    manifest = read_manifest(folder)
    if manifest is None:
        raise SystemExit(f"kg adapt wrote no manifest in {folder}")
    print(
        f"\nkg adapt: {manifest['pairs']} names of {manifest['concepts']} concepts, "
        f"{manifest['steps']} steps; training {manifest['seconds']:.0f} s, whole command "
        f"{train['wall']:.0f} s wall, {train['cpu_seconds']:.0f} s CPU, "
        f"peak RSS {train['peak_rss_mib']:.0f} MiB"
        + (" (reused: not timed again)" if "is current" in train["stderr"] else "")
    )

    adapted_build = WORK / "adapted-build"
    adapted_cache = cache_copy("adapted-cache")
    run = ingest([SEEDS], adapted_build, adapted_cache, model=str(folder))
    print(
        f"kg ingest with KG_MODEL set to it: {run['wall']:.0f} s "
        "(its ONNX export, 8-bit weights and every embedding made afresh)"
    )

    reports = {
        "packaged": evaluate(base_build, WORK / "seed-warm-cache"),
        "adapted": evaluate(adapted_build, adapted_cache, str(folder)),
    }
    return report(reports, manifest, train)


def report(
    reports: dict[str, dict[str, Any]], manifest: dict[str, Any], train: dict[str, Any]
) -> dict[str, Any]:
    splits = list(next(iter(reports.values()))["modes"]["hybrid"])
    for category in CATEGORIES:
        print(f"\nHit@1, {category} questions")
        rows = []
        for name, result in reports.items():
            for mode, by_split in result["modes"].items():
                cells = [f"{by_split[s][category]['hit@1']:.2f}" for s in splits]
                rows.append([name, mode, *cells, f"{held_out(result, mode, category):.2f}"])
        print(table(["encoder", "mode", *splits, "held-out"], rows))
    summary: dict[str, Any] = {"training": manifest, "peak_rss_mib": train["peak_rss_mib"]}
    for name, result in reports.items():
        print(f"\n{name}:")
        for line in paraphrase_margins(result):
            print(f"  {line}")
        highest = {s: unanswerable_max(result, s) for s in splits if s != "all"}
        print(
            "  unanswerable, highest confidence: "
            + ", ".join(f"{s} {v:.2f}" for s, v in highest.items())
        )
        summary[name] = {
            "paraphrase_held_out": {
                m: round(held_out(result, m, "paraphrase"), 3) for m in result["modes"]
            },
            "unanswerable_max": highest,
        }
    return summary


if __name__ == "__main__":
    main()
