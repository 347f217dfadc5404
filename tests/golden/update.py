"""Rewrite the seed goldens from the current readers: `python -m tests.golden.update`.

The goldens are the reviewed truth, not a snapshot: read every changed line of the diff
by hand against the raw file before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingest.document import load
from ingest.readers.text import read
from ingest.sources import load_manifest

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
HERE = Path(__file__).resolve().parent


def golden(path: Path, source: str) -> dict:
    result = read(load(path), source)
    return {
        "title": result.title,
        "entries": [
            {
                "term": e.term,
                "lines": list(e.lines or ()),
                "acronyms": list(e.acronyms),
                "aliases": list(e.aliases),
                "terms": list(e.terms),
                "see": list(e.see),
                "flags": sorted(e.flags),
                "definition": e.definition,
            }
            for e in result.entries
        ],
        "dropped": [
            {"lines": list(d.lines), "reason": d.reason, "text": d.text}
            for d in sorted(result.dropped, key=lambda d: d.lines)
        ],
    }


def main() -> None:
    for name, info in sorted(load_manifest(RAW).items()):
        data = golden(RAW / name, info.id)
        out = HERE / f"{info.id}.json"
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out.name}: {len(data['entries'])} entries, {len(data['dropped'])} dropped")


if __name__ == "__main__":
    main()
