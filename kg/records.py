"""Entries and sources as JSON rows in a build (and back)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ingest.concept import Concept, Conflict, Definition, Joined
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
        "phrasings": list(entry.phrasings),
        "terms": list(entry.terms),
        "see": list(entry.see),
        "relations": [
            {
                "kind": r.kind.value,
                "target": r.target,
                "target_uri": r.target_uri,
                **({"stated_in": r.stated_in} if r.stated_in else {}),
            }
            for r in entry.relations
        ],
        "collections": list(entry.collections),
        "uri": entry.uri,
        **({"origin": entry.origin} if entry.origin else {}),
        **({"language": entry.language} if entry.language else {}),
        **({"name_languages": dict(entry.name_languages)} if entry.name_languages else {}),
        **({"shared_with": list(entry.shared_with)} if entry.shared_with else {}),
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
        phrasings=tuple(row.get("phrasings", ())),
        terms=tuple(row.get("terms", ())),
        see=tuple(row.get("see", ())),
        relations=tuple(
            Relation(RelationKind(r["kind"]), r["target"], r.get("target_uri"), r.get("stated_in"))
            for r in row.get("relations", ())
        ),
        collections=tuple(row.get("collections", ())),
        uri=row.get("uri"),
        origin=row.get("origin"),
        language=row.get("language"),
        name_languages=tuple(row.get("name_languages", {}).items()),
        shared_with=tuple(row.get("shared_with", ())),
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
        **({"language": source.language} if source.language else {}),
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
        language=row.get("language"),
        entries=entries,
        dropped=[
            Dropped(tuple(d["lines"]), d["text"], d["reason"]) for d in row.get("dropped", ())
        ],
        warnings=[Warning(w["message"], w.get("line")) for w in row.get("warnings", ())],
    )


def _span(lines: list[int] | None) -> tuple[int, int] | None:
    return (lines[0], lines[1]) if lines else None


def concept_to_row(c: Concept) -> dict[str, Any]:
    return {
        "id": c.id,
        "pref_label": c.pref_label,
        "alt_labels": c.alt_labels,
        "hidden_labels": c.hidden_labels,
        "acronyms": c.acronyms,
        "definitions": [
            {
                "text": d.text,
                "source": d.source,
                "lines": list(d.lines) if d.lines else None,
                "term": d.term,
                "shared_with": list(d.shared_with),
                **({"language": d.language} if d.language else {}),
            }
            for d in c.definitions
        ],
        "preferred": c.preferred,
        "preferred_reason": c.preferred_reason,
        "joined": [
            {
                "source": j.source,
                "lines": list(j.lines) if j.lines else None,
                "term": j.term,
                "reasons": list(j.reasons),
            }
            for j in c.joined
        ],
        "see": c.see,
        "mentions": c.mentions,
        "collections": c.collections,
        "conflicts": [
            {
                "aspect": x.aspect,
                "positions": [{"value": v, "definitions": list(ix)} for v, ix in x.positions],
            }
            for x in c.conflicts
        ],
        "former_ids": c.former_ids,
        "uri": c.uri,
        **({"origin": c.origin} if c.origin else {}),
        "relations": [list(r) for r in c.relations],
        "phrasings": c.phrasings,
        **({"language": c.language} if c.language else {}),
        **({"label_languages": c.label_languages} if c.label_languages else {}),
    }


def concept_from_row(row: dict[str, Any]) -> Concept:
    # Interned: relation targets repeat other concepts' labels and URIs, and sources, terms
    # and reasons repeat across concepts; at 100,000 concepts this halves their memory.
    i = sys.intern
    return Concept(
        id=i(row["id"]),
        pref_label=i(row["pref_label"]),
        alt_labels=list(row.get("alt_labels", ())),
        hidden_labels=list(row.get("hidden_labels", ())),
        acronyms=list(row.get("acronyms", ())),
        definitions=[
            Definition(
                d["text"],
                i(d["source"]),
                _span(d.get("lines")),
                d.get("term", ""),
                tuple(d.get("shared_with", ())),
                d.get("language"),
            )
            for d in row.get("definitions", ())
        ],
        preferred=row.get("preferred"),
        preferred_reason=i(row.get("preferred_reason", "")),
        joined=[
            Joined(
                i(j["source"]),
                _span(j.get("lines")),
                i(j["term"]),
                tuple(i(r) for r in j.get("reasons", ())),
            )
            for j in row.get("joined", ())
        ],
        see=list(row.get("see", ())),
        mentions=list(row.get("mentions", ())),
        collections=list(row.get("collections", ())),
        conflicts=[
            Conflict(
                x["aspect"], tuple((p["value"], tuple(p["definitions"])) for p in x["positions"])
            )
            for x in row.get("conflicts", ())
        ],
        former_ids=list(row.get("former_ids", ())),
        uri=i(row["uri"]) if row.get("uri") else row.get("uri"),
        origin=row.get("origin"),
        relations=[
            (i(r[0]), i(r[1]), i(r[2]) if r[2] is not None else None, i(r[3]) if r[3:] else "")
            for r in row.get("relations", ())  # builds before "where" have three parts
        ],
        phrasings=list(row.get("phrasings", ())),
        language=row.get("language"),
        label_languages=dict(row.get("label_languages", {})),
    )
