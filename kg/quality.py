"""Merge quality against hand-labelled pairs of labels: precision and recall."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from kg.glossary import Glossary


@dataclass(slots=True)
class PairScore:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    true_neg: int = 0
    missing: list[str] = field(default_factory=list)  # labels no concept has
    errors: list[str] = field(default_factory=list)  # the pairs judged wrongly

    @property
    def precision(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_pos)

    @property
    def recall(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_neg)


def read_pairs(path: Path) -> list[tuple[str, str, bool]]:
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]
    return [(a, b, judgement == "same") for a, b, judgement in rows[1:]]


def score_pairs(glossary: Glossary, pairs: list[tuple[str, str, bool]]) -> PairScore:
    score = PairScore()
    for a, b, same in pairs:
        ca, cb = glossary.lookup(a), glossary.lookup(b)
        for label, concept in ((a, ca), (b, cb)):
            if concept is None:
                score.missing.append(label)
        merged = ca is not None and ca is cb
        if same and merged:
            score.true_pos += 1
        elif same:
            score.false_neg += 1
            score.errors.append(f"missed: {a} = {b}")
        elif merged:
            score.false_pos += 1
            score.errors.append(f"wrongly merged: {a} / {b}")
        else:
            score.true_neg += 1
    return score
