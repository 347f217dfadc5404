"""Search quality on data/eval/questions.tsv: the `kg eval` report, plus ablations.

python -m bench.search_quality [--build-dir data/build] [--ablations] [--fit]

--ablations  hybrid without the everyday-words lexicon, and with a score blend instead of RRF
             (what the choices in SearchConfig rest on; compare on the tune split only)
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
from kg.embed import Encoder
from kg.evaluate import evaluate, format_report, read_questions
from kg.glossary import Glossary
from kg.search import SearchConfig, SearchIndex

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "data" / "eval" / "questions.tsv"


def with_config(index: SearchIndex, config: SearchConfig) -> SearchIndex:
    """The same components under another configuration (nothing rebuilt or re-encoded)."""
    other = SearchIndex(
        index.concept_ids,
        index.labels,
        index.bm25,
        index.views,
        index.document,
        index.lexicon,
        index.encoder,
        config,
    )
    other.query_vectors = index.query_vectors
    return other


def ablations(index: SearchIndex) -> None:
    variants = {
        "hybrid (default)": index.config,
        "hybrid, no lexicon": dataclasses.replace(index.config, use_lexicon=False),
        "hybrid, score blend": dataclasses.replace(
            index.config, fusion="weighted", w_label=0.5, w_bm25=0.5
        ),
        "hybrid, + document vector": dataclasses.replace(index.config, w_document=1.0),
    }
    print("\nablations, Hit@1 (direct / short / paraphrase / all)")
    for name, config in variants.items():
        result = evaluate(with_config(index, config), QUESTIONS, modes=("hybrid",))
        for split in ("tune", "heldout"):
            table = result["modes"]["hybrid"][split]
            cells = " / ".join(
                f"{table[c]['hit@1']:.2f}" for c in ("direct", "short", "paraphrase", "all")
            )
            print(f"  {name:<28} {split:<8} {cells}")


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
    parser.add_argument("--ablations", action="store_true")
    parser.add_argument("--fit", action="store_true")
    args = parser.parse_args()
    settings = Settings.from_env()
    glossary = Glossary.load(args.build_dir)
    encoder = Encoder(settings.model, ROOT / "data" / "cache", settings.backend)
    index = SearchIndex.build(glossary.concepts, encoder)
    encoder.save_cache()
    print(format_report(evaluate(index, QUESTIONS, resolve=lambda label: _id(glossary, label))))
    if args.ablations:
        ablations(index)
    if args.fit:
        fit(index)


def _id(glossary: Glossary, label: str) -> str | None:
    concept = glossary.lookup(label)
    return concept.id if concept else None


if __name__ == "__main__":
    main()
