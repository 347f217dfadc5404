"""Merge precision and recall on the hand-labelled pairs, with and without curation.

python -m bench.merge_quality
"""

from __future__ import annotations

from pathlib import Path

from ingest.curation import Curation, load_curation
from ingest.pipeline import read_paths
from kg.config import Settings
from kg.embed import Encoder
from kg.glossary import Glossary
from kg.quality import read_pairs, score_pairs

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    settings = Settings.from_env()
    sources, _ = read_paths([ROOT / "data" / "raw"])
    encoder = Encoder.from_settings(settings, ROOT / "data" / "cache")
    pairs = read_pairs(ROOT / "data" / "eval" / "merge-pairs.tsv")
    same = sum(1 for *_, s in pairs if s)
    print(f"{len(pairs)} labelled pairs ({same} same, {len(pairs) - same} different)")
    for name, curation in (
        ("automatic only", Curation()),
        ("with data/curation.toml", load_curation(ROOT / "data" / "curation.toml")),
    ):
        glossary = Glossary.build(sources, curation=curation, embed=encoder.encode)
        score = score_pairs(glossary, pairs)
        print(
            f"{name:>24}: precision {score.precision:.3f}  recall {score.recall:.3f}  "
            f"(TP {score.true_pos}, FP {score.false_pos}, FN {score.false_neg}, "
            f"TN {score.true_neg})"
        )
        for error in score.errors:
            print(f"{'':>26}{error}")
        if score.missing:
            print(f"{'':>26}labels not found: {', '.join(score.missing)}")
    encoder.save_cache()


if __name__ == "__main__":
    main()
