"""Search quality on data/eval/questions.tsv: the `kg eval` report, plus ablations.

python -m bench.search_quality [--build-dir data/build] [--split tune] [--ablations] [--fit]

--split      report one split only (`tune` while changing search: the held-out questions are
             for a final, one-off measurement)
--ablations  hybrid with one choice of SearchConfig undone at a time, on the tune split only
             (what the defaults rest on)
--fit        refit the confidence calibration of kg/answer.py on the tune split and print it
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from pathlib import Path

import numpy as np

from kg.answer import CALIBRATION, features
from kg.config import Settings
from kg.dense import DenseRetriever
from kg.embed import Encoder
from kg.evaluate import SPLITS, evaluate, format_report, glossary_text_bm25, read_questions
from kg.glossary import Glossary
from kg.retrieval import SearchConfig
from kg.search import SearchIndex

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "data" / "eval" / "questions.tsv"


def with_config(index: SearchIndex, config: SearchConfig) -> SearchIndex:
    """The same components under another configuration (nothing re-encoded)."""
    views = DenseRetriever(
        index.views.index,
        index.views.views,
        index.views.file_stem,
        config.second_view,
        config.centroid,
        templated=True,
    )
    other = SearchIndex(
        index.concept_ids,
        index.labels,
        index.bm25,
        views,
        index.document,
        index.lexicon,
        index.encoder,
        config,
    )
    other.query_vectors = index.query_vectors
    return other


def ablations(index: SearchIndex, glossary: Glossary, encoder: Encoder) -> None:
    base = index.config
    variants: dict[str, SearchIndex] = {
        name: with_config(index, config)
        for name, config in {
            "hybrid (default)": base,
            "BM25 strength not cubed": dataclasses.replace(base, bm25_power=1.0),
            "no query template": dataclasses.replace(base, query_template="{}"),
            "no centroid": dataclasses.replace(base, centroid=0.0),
            "best view only": dataclasses.replace(base, second_view=0.0),
            "score blend, not RRF": dataclasses.replace(
                base, fusion="weighted", w_label=0.5, w_bm25=0.5
            ),
            "+ document vector": dataclasses.replace(base, w_document=1.0),
            "labels + BM25 only": dataclasses.replace(base, w_dense=0.0),
        }.items()
    }
    variants["no 'Label: definition' views"] = SearchIndex.build(
        glossary.concepts, encoder, dataclasses.replace(base, entry_views=False)
    )
    print("\nablations on the tune split: Hit@1 direct / short / paraphrase / all, para MRR@10")
    for name, variant in variants.items():
        result = evaluate(variant, QUESTIONS, modes=("hybrid",), splits=("tune",))
        table = result["modes"]["hybrid"]["tune"]
        cells = " / ".join(
            f"{table[c]['hit@1']:.2f}" for c in ("direct", "short", "paraphrase", "all")
        )
        print(f"  {name:<30} {cells}   {table['paraphrase']['mrr@10']:.2f}")


def fit(index: SearchIndex) -> None:
    """Logistic regression (L2, gradient descent) of 'best hit is right' on its features."""
    rows, labels = [], []
    for q in read_questions(QUESTIONS):
        if q.split != "tune":
            continue
        relevant = {index.resolve(label) for label in q.expected}
        hits = index.search(q.text, 5)
        rows.append(list(features(hits).values()))
        labels.append(1.0 if hits and hits[0].concept_id in relevant else 0.0)
    x = np.hstack([np.ones((len(rows), 1)), np.array(rows)])
    y = np.array(labels)
    w = np.zeros(x.shape[1])
    for _ in range(30_000):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        w -= 0.5 * (x.T @ (p - y) / len(y) + 0.01 * np.r_[0.0, w[1:]])
    names = ["bias", *features([]).keys()]
    fitted = {n: round(float(v), 2) for n, v in zip(names, w, strict=True)}
    p = 1.0 / (1.0 + np.exp(-x @ w))
    print(f"\nfitted on {len(y)} tune questions: CALIBRATION = {fitted}")
    print(f"  Brier score {np.mean((p - y) ** 2):.3f}; in use: {CALIBRATION}")
    assert all(math.isfinite(v) for v in fitted.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", type=Path, default=ROOT / "data" / "build")
    parser.add_argument("--split", choices=SPLITS, help="report this split only")
    parser.add_argument("--ablations", action="store_true")
    parser.add_argument("--fit", action="store_true")
    args = parser.parse_args()
    settings = Settings.from_env()
    glossary = Glossary.load(args.build_dir)
    encoder = Encoder.from_settings(settings, ROOT / "data" / "cache")
    index = SearchIndex.build(glossary.concepts, encoder)
    encoder.save_cache()
    splits = (args.split,) if args.split else SPLITS
    result = evaluate(
        index,
        QUESTIONS,
        resolve=lambda label: _id(glossary, label),
        splits=splits,
        baselines={"bm25-text": glossary_text_bm25(index, glossary.concepts)},
    )
    print(format_report(result))
    if args.ablations:
        ablations(index, glossary, encoder)
    if args.fit:
        fit(index)


def _id(glossary: Glossary, label: str) -> str | None:
    concept = glossary.lookup(label)
    return concept.id if concept else None


if __name__ == "__main__":
    main()
