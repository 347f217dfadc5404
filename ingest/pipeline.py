"""From paths on disk to sourced entries: find the files, name the sources, read each."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ingest.clean import without_controls
from ingest.document import load
from ingest.errors import NoEntries, SourceError
from ingest.language import entry_languages
from ingest.model import Dropped, Entry, Flag, Warning
from ingest.readers import RDF_FORMATS, SUFFIXES, detect, reader_for
from ingest.readers.skos import read_rdf_sources
from ingest.sources import MANIFEST_NAME, SourceInfo, load_manifest, missing_files, slug
from ingest.terms import acronym_matches, is_acronym


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
    language: str | None = None  # of a text, Markdown or CSV source, when not English
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
                if child.suffix.lower() not in SUFFIXES or child.name.lower().startswith(
                    ("readme", "license")
                ):
                    skipped.append(f"{child}: not a glossary format, passed over")
                elif (why := _not_rdf(child)) is not None:
                    skipped.append(f"{child}: {why}, passed over")
                else:
                    files.append(child)
        elif path.exists():
            files.append(path)
        else:
            raise SourceError(path, "no such file or folder")
    unique = sorted(dict.fromkeys(p.resolve() for p in files))
    if not unique:
        raise SourceError(paths[0] if paths else Path("."), "no glossary files found")
    return unique, skipped


def _not_rdf(path: Path) -> str | None:
    """Why a .json or .xml file met in a folder is no RDF (a config file, a sitemap), if it
    is not; a file named on its own is read as its suffix says, and fails loudly."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind not in ("json-ld", "xml"):
        return None
    with path.open("rb") as fh:
        head = fh.read(4096).decode("utf-8", errors="replace")
    if kind == "json-ld" and '"@' not in head:
        return "JSON without JSON-LD keys (@context, @id)"
    if kind == "xml" and "rdf" not in head.lower() and "skos" not in head.lower():
        return "XML that is not RDF"
    return None


def read_paths(
    paths: Sequence[Path],
    fmt: str | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> tuple[list[SourceResult], list[str]]:
    """Read every glossary file under `paths`; the first unreadable file stops everything,
    but a file met in a folder that holds no entry (an "about" page, an empty file, a CSV
    of only its header) is named and passed over."""
    files, skipped = collect(paths)
    manifests: dict[Path, dict[str, SourceInfo]] = {}
    used: set[str] = set()
    results = []
    empty: list[NoEntries] = []  # files in a folder with nothing in them, or no entry
    for path in files:
        if path.parent not in manifests:
            manifests[path.parent] = load_manifest(path.parent)
            skipped.extend(missing_files(path.parent, manifests[path.parent]))
    roots = [p.resolve() for p in paths if p.is_dir()]
    named = {p.resolve() for p in paths if not p.is_dir()}
    defaults = {path: _default_id(path, roots) for path in files}
    # files named alike in two folders passed together (sales/ support/) take their folder's
    # name too, whatever order they come in
    shared = Counter(defaults.values())
    for path in files:
        if shared[defaults[path]] > 1 and (root := _root_of(path, roots)) is not None:
            defaults[path] = slug(f"{root.name} {defaults[path]}") or defaults[path]
    for path in files:
        if on_file:
            on_file(path)
        info = manifests[path.parent].get(path.name) or SourceInfo(id=defaults[path])
        source_id = info.id
        n = 2
        while source_id in used:
            source_id, n = f"{info.id}-{n}", n + 1
        try:
            read = read_file(path, source_id, info, fmt)
        except NoEntries as exc:
            if path in named:  # named on its own, it must be a glossary
                raise
            empty.append(exc)
            skipped.append(f"{path}: {exc.problem}, passed over")
            continue
        used.add(source_id)
        for result in read:
            if result.id != source_id:  # a source the file credits (RDF export, CSV column)
                result = _unique(result, used)
                used.add(result.id)
            results.append(result)
    if empty and not results:
        raise empty[0]  # nothing read at all: say why, of the first file
    return results, skipped


def _default_id(path: Path, roots: Sequence[Path]) -> str:
    """A file's source id: its name, with the folders below the folder passed to ingest
    ("sales/glossary.csv" is sales-glossary, whatever else is read with it)."""
    root = _root_of(path, roots)
    if root is not None:
        folders = path.relative_to(root).parts[:-1]
        return slug(" ".join([*folders, path.stem])) or slug(path.stem)
    return slug(path.stem)


def _root_of(path: Path, roots: Sequence[Path]) -> Path | None:
    """The folder passed to ingest that holds `path`, if any."""
    return next((root for root in roots if path.is_relative_to(root)), None)


def _unique(result: SourceResult, used: set[str]) -> SourceResult:
    wanted, new_id, n = result.id, result.id, 2
    while new_id in used:
        new_id, n = f"{wanted}-{n}", n + 1
    if new_id == wanted:
        return result
    entries = [replace(e, source=new_id) for e in result.entries]
    return replace(result, id=new_id, entries=entries)


_OPENING = re.compile(r"^\s*(?P<phrase>[^.,;:()\n–—]+?)\s*(?:[.,;:()\n–—]|$)")


# "Another name for X", "A synonym for X": a name for X, not a comparison with it ("Same
# as ARR, but measured monthly" is another thing); a "but" or "except" after X says so too.
_ANOTHER_NAME = re.compile(
    r"^\s*(?:an?\s+)?(?:(?:another|other|alternative|older|common|informal)\s+(?:name|term|word)"
    r"|synonym)\s+(?:for|of)\s+(?P<x>[^.,;:()\n]+?)\s*(?:$|[.;:()\n]|,(?!\s*(?:but|except|"
    r"only|minus|excluding|after|before|measured|when|where|which|though|although)\b))",
    re.IGNORECASE,
)


def with_named_synonym(entry: Entry) -> Entry:
    """An entry whose definition opens by calling it another name for something ("Net
    Dollar Retention: Another name for net revenue retention ...") refers to that, as "see"
    does, so it joins the entry of that name; its definition is kept."""
    m = _ANOTHER_NAME.match(entry.definition or "")
    target = m["x"].strip() if m else ""
    target = re.sub(r"^(?:the|an?)\s+", "", target, flags=re.IGNORECASE)
    seen = {s.casefold() for s in entry.see}
    if not target or len(target.split()) > 8 or target.casefold() in seen:
        return entry
    return replace(entry, see=(*entry.see, target), flags=entry.flags | {Flag.CROSS_REFERENCE})


def with_spelt_out_acronym(entry: Entry) -> Entry:
    """An acronym's entry whose definition opens with what it stands for ("ARR: Annual
    Recurring Revenue. The yearly ...", a table row "CAC | Customer Acquisition Cost") gets
    that expansion as an alias, so the spelt-out name finds it and merges with it."""
    if not entry.definition or not is_acronym(entry.term):
        return entry
    m = _OPENING.match(entry.definition)
    phrase = m["phrase"].strip() if m else ""
    if not 2 <= len(phrase.split()) <= 8 or not acronym_matches(entry.term, phrase):
        return entry
    if any(a.casefold() == phrase.casefold() for a in entry.aliases):
        return entry
    return replace(entry, aliases=(*entry.aliases, phrase))


# a definition longer than this is a document pasted into a field (an 11 MB one took 49 s
# and 1.6 GB to ingest, every sentence of it embedded): it is cut, with a warning
MAX_DEFINITION_CHARS = 20_000


def _within_bounds(entry: Entry, warnings: list[Warning]) -> Entry:
    """The entry with a definition over MAX_DEFINITION_CHARS cut at its last sentence end
    within them (a warning says so)."""
    text = entry.definition
    if text is None or len(text) <= MAX_DEFINITION_CHARS:
        return entry
    head = text[:MAX_DEFINITION_CHARS]
    end = max(head.rfind(". "), head.rfind(".\n"), head.rfind("\n\n"))
    cut = head[: end + 1].rstrip() if end > MAX_DEFINITION_CHARS // 2 else head.rstrip()
    warnings.append(
        Warning(
            f"the definition of {entry.term or entry.raw_term!r} is {len(text):,} characters "
            f"long; only its first {len(cut):,} were read (a definition is at most "
            f"{MAX_DEFINITION_CHARS:,})",
            entry.lines[0] if entry.lines else None,
        )
    )
    return replace(entry, definition=cut)


def _without_controls(entries: Sequence[Entry]) -> tuple[list[Entry], int]:
    """The entries with control characters in their text made spaces (`without_controls`),
    and how many there were."""
    total = 0

    def clean(text: str) -> str:
        nonlocal total
        cleaned, count = without_controls(text)
        total += count
        return cleaned

    out = []
    for e in entries:
        changes: dict[str, Any] = {}
        for name in _TEXT_FIELDS:
            value = getattr(e, name)
            new: str | tuple[str, ...]
            if isinstance(value, str):
                new = clean(value)
            elif isinstance(value, tuple):
                new = tuple(clean(v) for v in value)
            else:
                continue
            if new != value:
                changes[name] = new
        relations = tuple(replace(r, target=clean(r.target)) for r in e.relations)
        if relations != e.relations:
            changes["relations"] = relations
        out.append(replace(e, **changes) if changes else e)
    return out, total


_TEXT_FIELDS = (
    "term", "definition", "raw_term", "acronyms", "aliases", "hidden", "phrasings", "terms",
    "see", "collections",
)  # fmt: skip


def _main_language(entries: Sequence[Entry]) -> str | None:
    """The language most of a source's entries are in, when not English."""
    counts = Counter(e.language for e in entries)
    return max(counts, key=lambda x: (counts[x], x is None)) if counts else None


# what each reader of free text recognises, for a file in which it found nothing
_LAYOUTS = {
    "markdown": "a heading above each definition, '**Term**: definition' or "
    "'Term: definition' lines and list items, and tables with a term column",
    "text": "'Term: definition' lines, and a short title line above its definition",
}


def read_file(
    path: Path, source_id: str, info: SourceInfo, fmt: str | None = None
) -> list[SourceResult]:
    """Read one file: one source, or the sources it credits its entries to (an RDF export
    of this tool, a CSV with a Source column)."""
    doc = load(path)
    chosen = fmt or detect(doc)
    described: dict[str, SourceInfo] = {}
    if chosen in RDF_FORMATS:
        result, described = read_rdf_sources(doc, source_id, chosen)
    else:
        result = reader_for(chosen, path)(doc, source_id)
        result.entries = [with_named_synonym(with_spelt_out_acronym(e)) for e in result.entries]
        described = {sid: SourceInfo(sid, title) for sid, title in result.cited.items()}
        # a language a row states (a CSV's Language column, "en" for English) stands; the
        # manifest's, or else the one identified, goes to the rest
        if info.language_given:
            found = [info.language] * len(result.entries)
        else:
            found = entry_languages([f"{e.term}: {e.definition or ''}" for e in result.entries])
        result.entries = [
            replace(e, language=None if (e.language or x) == "en" else (e.language or x))
            for e, x in zip(result.entries, found, strict=True)
        ]
    result.entries, controls = _without_controls(result.entries)
    if controls:
        result.warnings.append(
            Warning(
                f"{controls} control character{'s' * (controls != 1)} (form feeds, bells and "
                "the like) inside terms or definitions replaced by spaces: RDF/XML cannot hold "
                "them"
            )
        )
    result.entries = [_within_bounds(e, result.warnings) for e in result.entries]
    if not result.entries:
        layouts = f", which reads {_LAYOUTS[chosen]}" if chosen in _LAYOUTS else ""
        raise NoEntries(path, f"no glossary entries found (read as {chosen}{layouts})")
    if chosen not in RDF_FORMATS and doc.encoding == "windows-1252":
        result.warnings.append(
            Warning("not UTF-8: read as Windows-1252; re-save it as UTF-8 if characters look wrong")
        )
    own = [e for e in result.entries if e.source not in described]
    out: list[SourceResult] = []
    if own or not described:
        out.append(
            SourceResult(
                id=source_id,
                path=path,
                format=chosen,
                sha256=doc.sha256,
                title=info.title or result.title or path.stem,
                kind=info.kind,
                quirks=info.quirks,
                language=_main_language(own) if chosen not in RDF_FORMATS else None,
                entries=own,
                dropped=result.dropped,
                warnings=result.warnings,
            )
        )
    for d in described.values():
        out.append(
            SourceResult(
                id=d.id,
                path=path,
                format=chosen,
                sha256=doc.sha256,
                title=d.title,
                kind=d.kind,
                entries=[e for e in result.entries if e.source == d.id],
            )
        )
    if not own and described:
        out[0].dropped, out[0].warnings = result.dropped, result.warnings
    return out
