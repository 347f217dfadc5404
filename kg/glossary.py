"""The one core object: a glossary built from sources or loaded from a build folder.

Both the `kg` CLI and the HTTP API are thin layers over a `Glossary`.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Graph as RdfGraph

from ingest.concept import Concept
from ingest.curation import Curation
from ingest.errors import IngestError
from ingest.evidence import Embed
from ingest.ids import id_keys
from ingest.merge import merge
from ingest.model import Entry
from ingest.normalize import label_key
from ingest.pipeline import SourceResult
from kg import build
from kg.answer import Relation, ask
from kg.embed import Encoder
from kg.errors import BadQuery, BuildError, NotFound
from kg.graph import ConceptGraph
from kg.records import (
    concept_from_row,
    concept_to_row,
    entry_from_row,
    entry_to_row,
    source_from_row,
    source_to_row,
)
from kg.relations import (
    Link,
    assign_collections,
    degree_stats,
    infer_links,
    unmade_relations,
    view_of,
)
from kg.search import Hit, SearchIndex
from kg.skos import serialize, to_rdf

ENTRIES = "entries.jsonl"
SOURCES = "sources.json"
CONCEPTS = "concepts.jsonl"
IDS = "ids.json"
LINKS = "links.jsonl"
COLLECTIONS = "collections.json"
MERGE = "merge.json"


@dataclass(slots=True)
class MergeReport:
    """How entries became concepts: joins per kind of evidence, and what could not be used."""

    evidence: dict[str, int] = field(default_factory=dict)
    unplaced: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Glossary:
    """Sources, their entries, and the concepts merged from them."""

    def __init__(
        self,
        sources: Sequence[SourceResult],
        concepts: Sequence[Concept],
        report: MergeReport | None = None,
        base_uri: str = "https://example.org/glossary/",
        index: SearchIndex | None = None,
        index_loader: Callable[[], SearchIndex] | None = None,
        links: Sequence[Link] = (),
        collections: dict[str, list[str]] | None = None,
        entries_loader: Callable[[], list[Entry]] | None = None,
        entry_counts: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        self.base_uri = base_uri
        self.timings: dict[str, float] = {}  # seconds per build stage, when built here
        self.links: list[Link] = list(links)
        self.collections: dict[str, list[str]] = dict(collections or {})
        self.graph = ConceptGraph([c.id for c in concepts], self.links)
        self._rdf: RdfGraph | None = None
        self._index = index
        self._index_loader = index_loader
        # A loaded build reads its entries only when asked (`kg entries`, or saving again):
        # answering questions needs only each source's counts, which the build stores.
        self._entries_loader = entries_loader
        self._entry_counts = dict(entry_counts or {})
        self._entries_lock = threading.Lock()
        self.sources: list[SourceResult] = list(sources)
        self.concepts: list[Concept] = list(concepts)
        self.report = report or MergeReport()
        self._sources = {s.id: s for s in self.sources}
        self._by_id: dict[str, Concept] = {}
        self._by_key: dict[str, Concept] = {}
        self._named: dict[str, list[Concept]] = {}  # a label as written -> its concepts
        for concept in self.concepts:
            self._by_id[concept.id] = concept
        for concept in self.concepts:
            for old in concept.former_ids:
                self._by_id.setdefault(old, concept)
            for label in concept.labels:
                for key in (label_key(label, singular_last=False), label_key(label)):
                    self._by_key.setdefault(key, concept)
                named = self._named.setdefault(label_key(label, singular_last=False), [])
                if concept not in named:
                    named.append(concept)

    # -- building, saving, loading

    @classmethod
    def build(
        cls,
        sources: Sequence[SourceResult],
        curation: Curation | None = None,
        embed: Embed | None = None,
        previous_ids: dict[str, list[str]] | None = None,
        base_uri: str = "https://example.org/glossary/",
        encoder: Encoder | None = None,
    ) -> Glossary:
        """Merge the sources' entries into concepts; with an encoder, also index them."""
        entries = [e for s in sources for e in s.entries]
        if embed is None and encoder is not None:
            embed = encoder.encode
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        result = merge(entries, curation, embed, previous_ids)
        if not result.concepts:
            raise IngestError(_nothing_read(sources))
        timings["merge"], clock = time.perf_counter() - clock, time.perf_counter()
        report = MergeReport(
            evidence=dict(sorted(result.evidence.items())),
            unplaced=[entry_to_row(e) for e in result.unplaced],
            refused=result.refused,
            notes=result.notes,
        )
        links = infer_links(result.concepts, embed)
        sources = _with_unmade_relations(sources, result.concepts)
        collections = assign_collections(result.concepts, links)
        timings["relations"], clock = time.perf_counter() - clock, time.perf_counter()
        index = SearchIndex.build(result.concepts, encoder) if encoder is not None else None
        timings["index"] = time.perf_counter() - clock
        glossary = cls(
            sources,
            result.concepts,
            report,
            base_uri,
            index=index,
            links=links,
            collections=collections,
        )
        glossary.timings = timings
        return glossary

    @classmethod
    def load(
        cls,
        build_dir: Path,
        base_uri: str = "https://example.org/glossary/",
        encoder: Encoder | None = None,
    ) -> Glossary:
        """Load a build (checksums checked); the search index loads on first use."""
        build.read_manifest(build_dir)
        try:
            source_rows = build.read_json(build_dir / SOURCES)
            sources = [source_from_row(r, []) for r in source_rows]
            counts = {r["id"]: (int(r["entries"]), int(r["undefined"])) for r in source_rows}
            concepts = [concept_from_row(r) for r in build.read_jsonl(build_dir / CONCEPTS)]
            report = MergeReport(**build.read_json(build_dir / MERGE))
            links = [_link_from_row(row) for row in build.read_jsonl(build_dir / LINKS)]
            collections = build.read_json(build_dir / COLLECTIONS)
        except (KeyError, TypeError, ValueError) as exc:
            raise BuildError(f"{build_dir} is damaged ({exc}); rebuild with `kg ingest`") from None

        def load_entries() -> list[Entry]:
            try:
                return [entry_from_row(r) for r in build.read_jsonl(build_dir / ENTRIES)]
            except (KeyError, TypeError, ValueError) as exc:
                raise BuildError(
                    f"{build_dir / ENTRIES} is damaged ({exc}); rebuild with `kg ingest`"
                ) from None

        def load_index() -> SearchIndex:
            if encoder is None:
                raise BuildError("searching needs the embedding model; none was configured")
            return SearchIndex.load(build_dir, encoder)

        return cls(
            sources,
            concepts,
            report,
            base_uri,
            index_loader=load_index,
            links=links,
            collections=collections,
            entries_loader=load_entries,
            entry_counts=counts,
        )

    @staticmethod
    def previous_ids(build_dir: Path) -> dict[str, list[str]]:
        """The ids (and the label keys and sources each covered) of the build now in
        `build_dir`, if any."""
        try:
            build.read_manifest(build_dir)
            data = build.read_json(build_dir / IDS)
        except (BuildError, OSError, ValueError):
            return {}
        return {str(k): [str(x) for x in v] for k, v in data.items()}

    def save(self, build_dir: Path, inputs: dict[str, str]) -> None:
        """Write the build atomically; `inputs` maps each input file to its SHA-256."""
        self._read_entries()

        def fill(tmp: Path) -> dict[str, Any]:
            build.write_jsonl(tmp / ENTRIES, [entry_to_row(e) for e in self.entries()])
            build.write_json(tmp / SOURCES, [source_to_row(s) for s in self.sources])
            build.write_jsonl(tmp / CONCEPTS, [concept_to_row(c) for c in self.concepts])
            build.write_json(tmp / IDS, {c.id: id_keys(c) for c in self.concepts})
            build.write_json(
                tmp / MERGE,
                {
                    "evidence": self.report.evidence,
                    "unplaced": self.report.unplaced,
                    "refused": self.report.refused,
                    "notes": self.report.notes,
                },
            )
            build.write_jsonl(tmp / LINKS, [asdict(link) for link in self.links])
            build.write_json(tmp / COLLECTIONS, self.collections)
            if self._index is not None or self._index_loader is not None:
                self.index.save(tmp)
            return {
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "inputs": inputs,
                "counts": self.counts(),
            }

        build.write_atomic(build_dir, fill)

    # -- questions

    def entries(self, source: str | None = None) -> list[Entry]:
        """Every entry, in source then file order; or one source's."""
        self._read_entries()
        if source is not None:
            if source not in self._sources:
                known = ", ".join(sorted(self._sources)) or "none"
                raise NotFound(f"no source {source!r}; sources are: {known}")
            return list(self._sources[source].entries)
        return [e for s in self.sources for e in s.entries]

    def entry_counts(self, source: SourceResult) -> tuple[int, int]:
        """How many entries a source gave, and how many of them lack a definition; from the
        build's record when the entries themselves have not been read."""
        if self._entries_loader is not None and source.id in self._entry_counts:
            return self._entry_counts[source.id]
        return len(source.entries), source.undefined

    def _read_entries(self) -> None:
        with self._entries_lock:
            if self._entries_loader is None:
                return
            by_source: dict[str, list[Entry]] = {}
            for entry in self._entries_loader():
                by_source.setdefault(entry.source, []).append(entry)
            for s in self.sources:
                s.entries[:] = by_source.get(s.id, [])
            self._entries_loader = None

    @property
    def index(self) -> SearchIndex:
        """The search index (loaded from the build on first use)."""
        if self._index is None:
            if self._index_loader is None:
                raise BuildError("this glossary has no search index; rebuild with `kg ingest`")
            self._index = self._index_loader()
        return self._index

    def search(self, query: str, k: int = 10, mode: str = "hybrid") -> list[Hit]:
        """Ranked concepts for a plain-language query."""
        if not 1 <= k <= 100:
            raise BadQuery(f"k must be from 1 to 100, not {k}")
        return self.index.search(query, k, mode=mode)

    def ask(self, question: str) -> dict[str, Any]:
        """A plain-language answer built only from the glossary's definitions, cited."""
        titles = {s.id: s.title or s.id for s in self.sources}
        return ask(question, self.index, self._by_id, related=self._related, titles=titles)

    def _related(self, concept_id: str) -> list[Relation]:
        """Each link of a concept as a Relation (how, other id, reason, and the definition
        sentence stating it, if one does), phrased to read "X is <how> Y"."""
        phrase = {"broader": "a kind of", "narrower": "more general than", "related": "related to"}
        return [
            Relation(phrase[kind], link.target, link.reason, link.stated_in, link.statement)
            for kind, links in view_of(concept_id, self.links).items()
            for link in links
        ]

    def rdf(self) -> RdfGraph:
        """The SKOS vocabulary as an rdflib graph (built once)."""
        if self._rdf is None:
            self._rdf = to_rdf(self, self.links, self.collections)
        return self._rdf

    def export(self, fmt: str = "turtle") -> tuple[bytes, str]:
        """The SKOS vocabulary serialised: (bytes, media type)."""
        return serialize(self.rdf(), fmt)

    def neighbors(self, label_or_id: str, depth: int = 1) -> tuple[list[str], list[Link]]:
        """Concepts within `depth` relations, and the links among them."""
        return self.graph.neighbors(self.concept(label_or_id).id, depth)

    def path(self, a: str, b: str) -> list[Link]:
        """The shortest chain of relations between two concepts, each step explained."""
        start, end = self.concept(a), self.concept(b)
        steps = self.graph.path(start.id, end.id)
        if steps is None:
            raise NotFound(
                f"no chain of relations joins {start.pref_label!r} and {end.pref_label!r}"
            )
        return steps

    def collections_of(self, concept_id: str) -> list[str]:
        return sorted(name for name, ids in self.collections.items() if concept_id in ids)

    def relation_stats(self) -> dict[str, Any]:
        return degree_stats([c.id for c in self.concepts], self.links)

    def get(self, concept_id: str) -> Concept | None:
        """The concept with this id, or whose former id it is."""
        return self._by_id.get(concept_id)

    def concept(self, label_or_id: str) -> Concept:
        """The concept with this id (or former id), else with this label."""
        if not label_or_id.strip():
            raise BadQuery("give a concept id or label; this one is empty")
        found = self._by_id.get(label_or_id)
        if found is None:
            named = self.named(label_or_id)
            if len(named) > 1:  # "CAC": Customer Acquisition Cost, Customer Advisory Council
                which = ", ".join(
                    f"{c.id} ({c.pref_label}, from {', '.join(c.sources)})" for c in named
                )
                raise BadQuery(
                    f"{label_or_id!r} names {len(named)} concepts: {which}; give one of the ids"
                )
            found = self.lookup(label_or_id)
        if found is None:
            near = self.near_labels(label_or_id)
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            raise NotFound(f"no concept with id or label {label_or_id!r}{hint}")
        return found

    def named(self, label: str) -> list[Concept]:
        """Every concept one of whose labels is `label` as written (case and spacing aside)."""
        return list(self._named.get(label_key(label, singular_last=False), []))

    def near_labels(self, label: str, limit: int = 3) -> list[str]:
        """Preferred labels of the concepts a mistyped label most likely meant ("chrun")."""
        from rapidfuzz import fuzz, process, utils

        names = {name: c.pref_label for c in self.concepts for name in c.labels}
        found = process.extract(
            label,
            list(names),
            scorer=fuzz.QRatio,  # whole names: "success" is not Customer Effort Score
            processor=utils.default_process,
            limit=limit * 3,
            score_cutoff=80,
        )
        if len(label.strip()) < 3 or not found:
            return []
        best = found[0][1]  # only the near-best: "Net Revenue Retention", not also "Revenue"
        close = (names[name] for name, score, _ in found if score >= best - 5)
        return list(dict.fromkeys(close))[:limit]

    def lookup(self, label: str) -> Concept | None:
        """The concept one of whose labels matches, ignoring case, spacing, hyphens,
        punctuation (and, failing that, a plural)."""
        return self._by_key.get(label_key(label, singular_last=False)) or self._by_key.get(
            label_key(label)
        )

    def uri(self, concept: Concept) -> str:
        return self.base_uri + concept.id

    def conflicts(self) -> list[Concept]:
        return [c for c in self.concepts if c.conflicts]

    def merged(self) -> list[Concept]:
        """Concepts formed from more than one source: the merge report."""
        return [c for c in self.concepts if len(c.sources) > 1]

    def counts(self) -> dict[str, int]:
        per_source = [self.entry_counts(s) for s in self.sources]
        return {
            "sources": len(self.sources),
            "entries": sum(n for n, _ in per_source),
            "undefined": sum(u for _, u in per_source),
            "dropped_lines": sum(s.dropped_lines for s in self.sources),
            # the sources' own, and merging's: notes on names, entries no concept took
            "warnings": sum(len(s.warnings) for s in self.sources)
            + len(self.report.notes)
            + len(self.report.unplaced),
            "concepts": len(self.concepts),
            "merges": sum(self.report.evidence.values()),
            "conflicts": len(self.conflicts()),
        }

    def evidence(self) -> Counter[str]:
        return Counter(self.report.evidence)


def _nothing_read(sources: Sequence[SourceResult]) -> str:
    """Why a build would hold no concept, naming each source and what it gave."""
    told = []
    for s in sources:
        named = sum(1 for e in s.entries if e.term)
        told.append(
            f"{s.path.name}: {len(s.entries)} entries, {named} with a term, "
            f"{len(s.dropped)} lines dropped"
        )
    return (
        "no concept could be built: no entry read has a term ("
        + "; ".join(told or ["no glossary file"])
        + "). Write one term per entry ('Term: definition' lines, a heading above each "
        "definition, or a CSV with a term column), or name the format with --format"
    )


def _link_from_row(row: dict[str, Any]) -> Link:
    # ids interned: they are the concepts' own, hundreds of thousands of times over
    return Link(
        sys.intern(row["source"]),
        sys.intern(row["target"]),
        sys.intern(row["kind"]),
        row["reason"],
        bool(row.get("curated", False)),
        str(row.get("stated_in", "")),
        str(row.get("statement", "")),
    )


def _with_unmade_relations(
    sources: Sequence[SourceResult], concepts: Sequence[Concept]
) -> list[SourceResult]:
    """The sources, each with a warning for every entry of it whose stated relations name
    no concept ("r.csv:2: related term 'Gross Churn' names no concept; relation not made"):
    a reader keeps a name it cannot match in its own file for the concepts of all the
    sources, and what those do not match either is said, never silently lost."""
    found = dict(unmade_relations(concepts, (e for s in sources for e in s.entries)))
    if not found:
        return list(sources)
    return [
        replace(s, warnings=[*s.warnings, *(found[e] for e in s.entries if e in found)])
        for s in sources
    ]
