"""From paths on disk to sourced entries: find the files, name the sources, read each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.document import load
from ingest.errors import SourceError
from ingest.model import Dropped, Entry, Flag, Warning
from ingest.readers import _BY_SUFFIX, detect, reader_for
from ingest.sources import MANIFEST_NAME, SourceInfo, load_manifest, slug


@dataclass(slots=True)
class SourceResult:
    """One source file read: where it came from, and everything read from it."""

    id: str
    path: Path
    format: str
    sha256: str
    title: str | None = None
    kind: str | None = None
    quirks: tuple[str, ...] = ()
    entries: list[Entry] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    @property
    def undefined(self) -> int:
        return sum(1 for e in self.entries if Flag.UNDEFINED in e.flags)

    @property
    def dropped_lines(self) -> int:
        return sum(end - start + 1 for start, end in (d.lines for d in self.dropped))


def collect(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """Files to read (sorted, folders searched) and notes on what was passed over."""
    files: list[Path] = []
    skipped: list[str] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts) or child.name == MANIFEST_NAME:
                    continue
                if child.suffix.lower() in _BY_SUFFIX and not child.name.lower().startswith(
                    ("readme", "license")
                ):
                    files.append(child)
                else:
                    skipped.append(f"{child}: not a glossary format, passed over")
        elif path.exists():
            files.append(path)
        else:
            raise SourceError(path, "no such file or folder")
    unique = sorted(dict.fromkeys(p.resolve() for p in files))
    if not unique:
        raise SourceError(paths[0] if paths else Path("."), "no glossary files found")
    return unique, skipped


def read_paths(
    paths: Sequence[Path],
    fmt: str | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> tuple[list[SourceResult], list[str]]:
    """Read every glossary file under `paths`; the first unreadable file stops everything."""
    files, skipped = collect(paths)
    manifests: dict[Path, dict[str, SourceInfo]] = {}
    used: set[str] = set()
    results = []
    for path in files:
        if on_file:
            on_file(path)
        if path.parent not in manifests:
            manifests[path.parent] = load_manifest(path.parent)
        info = manifests[path.parent].get(path.name) or SourceInfo(id=slug(path.stem))
        source_id = info.id
        n = 2
        while source_id in used:
            source_id, n = f"{info.id}-{n}", n + 1
        used.add(source_id)
        results.append(read_file(path, source_id, info, fmt))
    return results, skipped


def read_file(path: Path, source_id: str, info: SourceInfo, fmt: str | None = None) -> SourceResult:
    """Read one file as one source."""
    doc = load(path)
    chosen = fmt or detect(doc)
    read = reader_for(chosen, path)
    result = read(doc, source_id)
    if not result.entries:
        raise SourceError(path, f"no glossary entries found (read as {chosen})")
    return SourceResult(
        id=source_id,
        path=path,
        format=chosen,
        sha256=doc.sha256,
        title=info.title or result.title or path.stem,
        kind=info.kind,
        quirks=info.quirks,
        entries=result.entries,
        dropped=result.dropped,
        warnings=result.warnings,
    )
