"""The one core object: a glossary built from sources or loaded from a build folder.

Both the `kg` CLI and the HTTP API are thin layers over a `Glossary`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.model import Entry
from ingest.pipeline import SourceResult
from kg import build
from kg.errors import NotFound
from kg.records import entry_from_row, entry_to_row, source_from_row, source_to_row

ENTRIES = "entries.jsonl"
SOURCES = "sources.json"


class Glossary:
    """Sources and their entries (and, as the pipeline grows, concepts, graph and index)."""

    def __init__(self, sources: Sequence[SourceResult]) -> None:
        self.sources: list[SourceResult] = list(sources)
        self._by_id = {s.id: s for s in self.sources}

    # -- building and saving

    @classmethod
    def from_sources(cls, sources: Sequence[SourceResult]) -> Glossary:
        return cls(sources)

    @classmethod
    def load(cls, build_dir: Path) -> Glossary:
        """Load a build, checking it is complete and uncorrupted first."""
        build.read_manifest(build_dir)
        entries = [entry_from_row(r) for r in build.read_jsonl(build_dir / ENTRIES)]
        by_source: dict[str, list[Entry]] = {}
        for entry in entries:
            by_source.setdefault(entry.source, []).append(entry)
        rows = build.read_json(build_dir / SOURCES)
        return cls([source_from_row(r, by_source.get(r["id"], [])) for r in rows])

    def save(self, build_dir: Path, inputs: dict[str, str]) -> None:
        """Write the build atomically; `inputs` maps each input file to its SHA-256."""

        def fill(tmp: Path) -> dict[str, Any]:
            build.write_jsonl(tmp / ENTRIES, [entry_to_row(e) for e in self.entries()])
            build.write_json(tmp / SOURCES, [source_to_row(s) for s in self.sources])
            return {
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "inputs": inputs,
                "counts": self.counts(),
            }

        build.write_atomic(build_dir, fill)

    # -- questions

    def entries(self, source: str | None = None) -> list[Entry]:
        """Every entry, in source then file order; or one source's."""
        if source is not None:
            if source not in self._by_id:
                known = ", ".join(sorted(self._by_id)) or "none"
                raise NotFound(f"no source {source!r}; sources are: {known}")
            return list(self._by_id[source].entries)
        return [e for s in self.sources for e in s.entries]

    def counts(self) -> dict[str, int]:
        return {
            "sources": len(self.sources),
            "entries": sum(len(s.entries) for s in self.sources),
            "undefined": sum(s.undefined for s in self.sources),
            "dropped_lines": sum(s.dropped_lines for s in self.sources),
            "warnings": sum(len(s.warnings) for s in self.sources),
        }
