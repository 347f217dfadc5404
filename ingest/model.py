"""What ingest produces: sourced entries, and what each reader dropped or warned about."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Flag(StrEnum):
    """How an entry was recognised; several may apply."""

    TERM_INFERRED = "term-inferred"  # the heading was lost; the term was read from the definition
    TERM_FROM_REFERENCE = "term-from-reference"  # heading lost; term guessed from a See-target
    TERM_MISSING = "term-missing"  # a definition whose term could not be recovered
    HEADING_REPLACED = "heading-replaced"  # a repeated heading stood over another term's text
    ACRONYM_ONLY = "acronym-only"  # "Acronym for X": the term is X's acronym, derived
    CROSS_REFERENCE = "cross-reference"  # "See X": the entry points at another term
    UNDEFINED = "undefined"  # a term listed with no definition
    COMBINED = "combined"  # one entry naming several terms ("Upsell and Cross-sell")
    JUNK_REMOVED = "junk-removed"  # stray characters glued to the definition were cut
    STRUCTURED = "structured"  # read from a structured format (CSV, SKOS)
    PREFERRED = "preferred"  # the definition its SKOS source gives as plain text as well
    LISTED = "listed"  # listed under another term ("Commit" under "Forecasting Category")
    EXPORTED = "exported"  # read back from this tool's own SKOS export


class RelationKind(StrEnum):
    BROADER = "broader"
    NARROWER = "narrower"
    RELATED = "related"


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation stated by the source itself (SKOS, CSV): to a term, or a URI, or both."""

    kind: RelationKind
    target: str  # the target's label as the source gives it
    target_uri: str | None = None
    # the source stating it, when not the entry's own: this tool's export credits its
    # entries to the glossaries they came from, but its relations are the export's
    stated_in: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One glossary entry as a source gives it."""

    term: str  # the name, cleaned (acronym parentheticals moved to `acronyms`); "" if lost
    definition: str | None  # cleaned text; paragraphs separated by a blank line; None if absent
    source: str  # id of the source document
    lines: tuple[int, int] | None  # 1-based inclusive span in the file; None for graph formats
    raw_term: str = ""  # the term exactly as the heading or line gave it
    acronyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other names given with it ("X or Y", "also called Y")
    hidden: tuple[str, ...] = ()  # hidden labels a structured source declares
    phrasings: tuple[str, ...] = ()  # everyday wordings for search (our own SKOS export)
    terms: tuple[str, ...] = ()  # for combined entries, each term it names
    see: tuple[str, ...] = ()  # cross-reference targets
    relations: tuple[Relation, ...] = ()
    collections: tuple[str, ...] = ()  # groups the source puts it in (SKOS collections, sections)
    uri: str | None = None  # identity given by a structured source
    origin: str | None = None  # in this tool's own export: the URI the concept first had
    language: str | None = None  # of its term and definition, when not English ("de")
    # names in another language than the entry's ("Weiterempfehlungsrate": "de" on an
    # English concept read back from this tool's own SKOS export; "en" for English)
    name_languages: tuple[tuple[str, str], ...] = ()
    # the other terms its definition is shared with, read back from this tool's export
    # (a combined entry, "Bookings vs. Billings vs. Revenue", gives them as `terms`)
    shared_with: tuple[str, ...] = ()
    flags: frozenset[Flag] = field(default_factory=frozenset)

    def has(self, flag: Flag) -> bool:
        return flag in self.flags


@dataclass(frozen=True, slots=True)
class Dropped:
    """Text a reader recognised as noise and left out, with why."""

    lines: tuple[int, int]
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Warning:
    """Something a reader read but could not use fully; reported, never silent."""

    message: str
    line: int | None = None


@dataclass(slots=True)
class ReadResult:
    """Everything one reader got from one file."""

    entries: list[Entry] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    title: str | None = None  # the document's own title, when it states one
    # sources the file credits its rows to (a CSV's Source column): id -> title
    cited: dict[str, str] = field(default_factory=dict)
