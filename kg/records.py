"""Entries and sources as JSON rows in a build (and back)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.model import Dropped, Entry, Flag, Relation, RelationKind, Warning
from ingest.pipeline import SourceResult


def entry_to_row(entry: Entry) -> dict[str, Any]:
    return {
        "term": entry.term,
        "raw_term": entry.raw_term,
        "definition": entry.definition,
        "source": entry.source,
        "lines": list(entry.lines) if entry.lines else None,
        "acronyms": list(entry.acronyms),
        "aliases": list(entry.aliases),
        "hidden": list(entry.hidden),
        "terms": list(entry.terms),
        "see": list(entry.see),
        "relations": [
            {"kind": r.kind.value, "target": r.target, "target_uri": r.target_uri}
            for r in entry.relations
        ],
        "collections": list(entry.collections),
        "uri": entry.uri,
        "flags": sorted(f.value for f in entry.flags),
    }


def entry_from_row(row: dict[str, Any]) -> Entry:
    return Entry(
        term=row["term"],
        raw_term=row.get("raw_term", ""),
        definition=row.get("definition"),
        source=row["source"],
        lines=tuple(row["lines"]) if row.get("lines") else None,
        acronyms=tuple(row.get("acronyms", ())),
        aliases=tuple(row.get("aliases", ())),
        hidden=tuple(row.get("hidden", ())),
        terms=tuple(row.get("terms", ())),
        see=tuple(row.get("see", ())),
        relations=tuple(
            Relation(RelationKind(r["kind"]), r["target"], r.get("target_uri"))
            for r in row.get("relations", ())
        ),
        collections=tuple(row.get("collections", ())),
        uri=row.get("uri"),
        flags=frozenset(Flag(f) for f in row.get("flags", ())),
    )


def source_to_row(source: SourceResult) -> dict[str, Any]:
    return {
        "id": source.id,
        "path": str(source.path),
        "format": source.format,
        "sha256": source.sha256,
        "title": source.title,
        "kind": source.kind,
        "quirks": list(source.quirks),
        "entries": len(source.entries),
        "undefined": source.undefined,
        "dropped": [
            {"lines": list(d.lines), "text": d.text, "reason": d.reason} for d in source.dropped
        ],
        "warnings": [{"line": w.line, "message": w.message} for w in source.warnings],
    }


def source_from_row(row: dict[str, Any], entries: list[Entry]) -> SourceResult:
    return SourceResult(
        id=row["id"],
        path=Path(row["path"]),
        format=row["format"],
        sha256=row["sha256"],
        title=row.get("title"),
        kind=row.get("kind"),
        quirks=tuple(row.get("quirks", ())),
        entries=entries,
        dropped=[
            Dropped(tuple(d["lines"]), d["text"], d["reason"]) for d in row.get("dropped", ())
        ],
        warnings=[Warning(w["message"], w.get("line")) for w in row.get("warnings", ())],
    )
