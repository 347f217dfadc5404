"""Canonical concepts: what merging entries produces."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Definition:
    """One source's definition of a concept, with where it came from."""

    text: str
    source: str
    lines: tuple[int, int] | None
    term: str  # the term the source wrote it under
    shared_with: tuple[str, ...] = ()  # other terms of a combined entry it also defines
    language: str | None = None  # when not English ("de"), as its source tagged it


@dataclass(frozen=True, slots=True)
class Joined:
    """An entry that became part of a concept, and why it joined."""

    source: str
    lines: tuple[int, int] | None
    term: str
    reasons: tuple[str, ...]  # evidence linking it to the rest, e.g. "acronym GRR"


@dataclass(frozen=True, slots=True)
class Conflict:
    """Sources that disagree on what a concept is."""

    aspect: str  # e.g. "what is measured"
    positions: tuple[tuple[str, tuple[int, ...]], ...]  # (stated value, definition indexes)


@dataclass(slots=True)
class Concept:
    id: str
    pref_label: str
    alt_labels: list[str] = field(default_factory=list)
    hidden_labels: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)  # also in alt_labels; kept for ranking
    definitions: list[Definition] = field(default_factory=list)
    preferred: int | None = None  # index of the preferred definition
    preferred_reason: str = ""
    joined: list[Joined] = field(default_factory=list)
    see: list[str] = field(default_factory=list)  # labels the sources cross-refer to
    mentions: list[str] = field(default_factory=list)  # acronyms named but not its own
    collections: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    former_ids: list[str] = field(default_factory=list)
    uri: str | None = None  # identity a structured source gave it
    # the URI an original SKOS source gave it, when read back from this tool's own export
    # (whose `uri` is then the exported one): exported again as skos:exactMatch
    origin: str | None = None
    # kind, target, the target's URI (or a curated relation's reason), and where a source
    # states it ("sales-glossary:12"; "" for curation)
    relations: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    # Curated everyday wordings of the concept ("customers walking away"): searched like its
    # definitions, never shown as labels (entry terms, in thesaurus practice).
    phrasings: list[str] = field(default_factory=list)
    language: str | None = None  # of its labels, when not English ("de")
    # labels in another language than `language` ("Abwanderung": "de" beside English ones;
    # "en" for an English label of a concept in another language)
    label_languages: dict[str, str] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [self.pref_label, *self.alt_labels, *self.hidden_labels]

    @property
    def definition(self) -> Definition | None:
        return self.definitions[self.preferred] if self.preferred is not None else None

    @property
    def sources(self) -> list[str]:
        return sorted({j.source for j in self.joined})
