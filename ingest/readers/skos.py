"""Reading SKOS vocabularies (Turtle, RDF/XML, JSON-LD, N-Triples) with rdflib.

The graph is indexed once, predicate by predicate, into plain dicts; each concept is
then read from those dicts, so a large thesaurus costs little beyond rdflib's parse.
Labels are chosen in English first, then untagged, then any language, deterministically.

A vocabulary this project exported reads back as it was built: a definition given as a
resource with rdf:value and dct:source naming a described source document (one with
dct:identifier and dct:title) becomes an entry of that source, with its lines (kgv:startLine,
kgv:endLine) and the term the source wrote it under (kgv:term); a described source the
concept cites (dct:source) without a definition becomes an undefined entry of that source.
`read_rdf_sources` also returns those sources, so the caller can name each one.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
import xml.sax
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard
from urllib.error import URLError

import networkx as nx
from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import DC, DCTERMS, OWL, DefinedNamespace
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.parsers.ntriples import DummySink, W3CNTriplesParser
from rdflib.term import Node

from ingest.document import Document
from ingest.errors import SourceError
from ingest.model import Entry, Flag, ReadResult, Relation, RelationKind, Warning
from ingest.sources import SourceInfo, slug
from ingest.terms import acronym_matches, acronyms_in, is_acronym, parse_term, unique_names

SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")


class KGV(DefinedNamespace):
    """The few terms this project adds where SKOS and Dublin Core have none: where a
    definition stands in its source document, and the everyday wordings curated for search.
    Closed: a misspelt term is an error."""

    _NS = Namespace("https://example.org/kg-glossary/vocab#")
    _fail = True

    startLine: URIRef  # first line (1-based) of the definition in its source file
    endLine: URIRef  # last line, inclusive
    term: URIRef  # the term the source wrote the definition under
    phrasing: URIRef  # an everyday wording of a concept, searched but not a label
    acronym: URIRef  # which of a concept's altLabels is an acronym of it (CSAT, NDR)
    sharedWith: URIRef  # another term a combined entry's definition also defines


RDFLIB_FORMATS = {"turtle": "turtle", "xml": "xml", "json-ld": "json-ld", "nt": "nt"}
RELATIONS = (
    (RelationKind.BROADER, SKOS.broader),
    (RelationKind.NARROWER, SKOS.narrower),
    (RelationKind.RELATED, SKOS.related),
)
_NOT_CONCEPTS = (SKOS.ConceptScheme, SKOS.Collection, SKOS.OrderedCollection)
_TITLE_PREDICATES = (DCTERMS.title, DC.title, RDFS.label, SKOS.prefLabel)

Labels = dict[Node, set[Literal]]


def read_rdf(doc: Document, source: str, fmt: str) -> ReadResult:
    """Read every SKOS concept in an RDF file into an entry (or, for a concept whose
    definitions cite described sources, one entry per cited definition)."""
    return read_rdf_sources(doc, source, fmt)[0]


def read_rdf_sources(
    doc: Document, source: str, fmt: str
) -> tuple[ReadResult, dict[str, SourceInfo]]:
    """`read_rdf`, and the source documents the file describes (id -> SourceInfo) that
    some entries are credited to instead of `source`."""
    graph = parse_graph(doc, fmt)
    index = Index.build(graph)
    concepts = sorted(index.concepts(), key=str)
    converted = 0
    if not concepts:
        converted = _skosify(graph)
        if converted:
            index = Index.build(graph)
            concepts = sorted(index.concepts(), key=str)
    if not concepts:
        raise SourceError(doc.path, _no_concepts(graph))
    result = ReadResult(title=index.title())
    if converted:
        result.warnings.append(
            Warning(
                f"no SKOS concepts; read {converted} RDFS/OWL classes as concepts as Skosify does "
                "(rdfs:label as prefLabel, rdfs:comment as definition, rdfs:subClassOf as broader)"
            )
        )
    chosen = {node: pick for node in concepts if (pick := _choose(node, index, result))}
    names = {node: _split_term(_text(choice.literal))[0] for node, choice in chosen.items()}
    origins = _origins(graph, bool(index.sources))
    for node, choice in chosen.items():
        entry = _entry(node, choice, names, index, source, result)
        if node in origins:
            entry = replace(entry, origin=origins[node])
        result.entries.extend(_by_origin(node, choice, entry, index))
    _report_cycles(index, chosen, result)
    _report_other_languages(index, chosen, result)
    _report_notes(graph, index, chosen, result)
    _report_collections(graph, index, chosen, result)
    schemes = sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme)), key=str)
    if len(schemes) > 1:
        named = ", ".join(_show(n) for n in schemes[:3])
        result.warnings.append(
            Warning(
                f"{len(schemes)} concept schemes ({named}{', ...' if len(schemes) > 3 else ''}) "
                "are read as one vocabulary; which scheme each concept was in is not kept"
            )
        )
    if index.uncredited:
        named = ", ".join(_show(n) for n in sorted(index.uncredited, key=str)[:3])
        more = len(index.uncredited) - 3
        result.warnings.append(
            Warning(
                f"definitions cite {named}{f' and {more} more' if more > 0 else ''} with "
                "dct:source, which the file does not describe (a dct:identifier and "
                "dct:title); they are credited to this file"
            )
        )
    for collection in index.broken_lists:
        result.warnings.append(
            Warning(
                f"collection {_show(collection)} has a skos:memberList that loops back on itself; "
                "its list members were not read"
            )
        )
    used = {e.source for e in result.entries}
    described = {info.id: info for info in index.sources.values() if info.id in used}
    return result, dict(sorted(described.items()))


# --- parsing -------------------------------------------------------------------------------


def parse_graph(doc: Document, fmt: str) -> Graph:
    """The file parsed by rdflib; any parser failure becomes a one-line SourceError."""
    if fmt not in RDFLIB_FORMATS:
        raise SourceError(doc.path, f"unknown RDF format {fmt!r}")
    data: str | bytes = doc.data if fmt == "xml" else _decoded(doc)
    if fmt == "xml" and (entity := _unsafe_entity(doc.data)) is not None:
        # nested, a few lines of entities expand to gigabytes ("billion laughs"); an
        # external one reads another file or address. Plain text ones (namespace names, as
        # Protégé writes them) are read.
        raise SourceError(
            doc.path,
            "declares an XML entity that refers to other entities or to another file "
            "(<!ENTITY ...>), which is not read: replace it with its text",
            doc.data.count(b"\n", 0, entity) + 1,
        )
    if fmt == "json-ld" and isinstance(data, str) and (remote := _remote_context(data)):
        url, line = remote
        raise SourceError(
            doc.path,
            f"refers to a JSON-LD context elsewhere ({url}), and ingest fetches nothing: "
            "put the context itself in the file",
            line,
        )
    graph = Graph()
    try:
        with _quiet_rdflib():
            graph.parse(data=data, format=RDFLIB_FORMATS[fmt])
    except Exception as exc:  # rdflib's parsers raise many types; all mean "bad input"
        problem, line = _parse_problem(exc)
        if line is None and fmt == "nt" and isinstance(data, str):
            line = _first_bad_triple(data)
        raise SourceError(doc.path, f"not valid {_FORMAT_NAMES[fmt]}: {problem}", line) from None
    return graph


_FORMAT_NAMES = {"turtle": "Turtle", "xml": "RDF/XML", "json-ld": "JSON-LD", "nt": "N-Triples"}
_ENTITY = re.compile(
    rb"<!ENTITY\s+(?P<parameter>%\s+)?\S+\s+(?:(?P<external>SYSTEM|PUBLIC)\b|"
    rb"(?P<q>[\"'])(?P<value>.*?)(?P=q))",
    re.DOTALL,
)


def _unsafe_entity(data: bytes) -> int | None:
    """Where the first entity declaration is that is not plain text (a parameter entity,
    an external one, one using other entities, or one not understood), if there is one."""
    for m in re.finditer(rb"<!ENTITY\b", data):
        found = _ENTITY.match(data, m.start())
        if found is None or found["parameter"] or found["external"] or b"&" in found["value"]:
            return m.start()
    return None


def _remote_context(text: str) -> tuple[str, int | None] | None:
    """The first context (or import) a JSON-LD document gives by reference rather than
    inline, and its line: rdflib would fetch it, with no time limit."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None  # the parser names the fault

    def find(node: Any) -> str | None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import"):
                    for ctx in value if isinstance(value, list) else [value]:
                        if isinstance(ctx, str):
                            return ctx
                        if (inner := find(ctx)) is not None:
                            return inner
                elif (inner := find(value)) is not None:
                    return inner
        elif isinstance(node, list):
            for item in node:
                if (inner := find(item)) is not None:
                    return inner
        return None

    url = find(data)
    if url is None:
        return None
    at = text.find(json.dumps(url)[1:-1])
    return url, (text.count("\n", 0, at) + 1 if at >= 0 else None)


def _decoded(doc: Document) -> str:
    """UTF-8 (or UTF-16 with a BOM) text; a bad byte is named with its line."""
    data = doc.data
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            doc.path, f"not valid UTF-8 or UTF-16 (byte 0x{data[exc.start]:02x})", line
        ) from None


def _parse_problem(exc: Exception) -> tuple[str, int | None]:
    """The parser's complaint cut to one line, and the line it names where it names one."""
    if isinstance(exc, BadSyntax):
        return str(exc.args[4]), _bad_syntax_line(exc)
    if isinstance(exc, xml.sax.SAXParseException):
        return exc.getMessage(), exc.getLineNumber()
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg, exc.lineno
    if isinstance(exc, URLError):
        return f"could not fetch a remote document it refers to ({exc.reason})", None
    text = " ".join(str(exc).split()) or type(exc).__name__
    return (text[:200] + "…" if len(text) > 200 else text), None


def _first_bad_triple(text: str) -> int | None:
    """The line of the first triple rdflib cannot read: its N-Triples parser names the text,
    not the line, and N-Triples holds one triple a line, so each is tried on its own."""
    parser = W3CNTriplesParser(sink=_Discard())  # rdflib's default sink prints each triple
    for number, line in enumerate(text.split("\n"), start=1):
        try:
            parser.parsestring(line)
        except ParserError:
            return number
    return None


class _Discard(DummySink):
    """A sink for triples only checked, not kept (rdflib's DummySink prints them)."""

    def triple(self, s: Any, p: Any, o: Any) -> None:
        pass


def _bad_syntax_line(exc: BadSyntax) -> int:
    """The line of the error's offset; BadSyntax.lines drifts on files with many lines."""
    text, offset = exc.args[2], exc.args[3]
    if isinstance(text, str | bytes) and isinstance(offset, int):
        newline = "\n" if isinstance(text, str) else b"\n"
        return text.count(newline, 0, offset) + 1  # type: ignore[arg-type]
    return int(exc.lines) + 1


class _DropLiteralWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's logged tracebacks for ill-typed literals (e.g. an invalid xsd:date)
    and its deprecation notices about its own internals."""
    logger = logging.getLogger("rdflib.term")
    quiet = _DropLiteralWarnings()
    logger.addFilter(quiet)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        logger.removeFilter(quiet)


_CLASS_TYPES = (RDFS.Class, OWL.Class)


def _skosify(graph: Graph) -> int:
    """Turn a plain RDFS/OWL vocabulary into SKOS in place, as Skosify does; returns how many
    labelled classes became concepts."""
    classes = sorted(
        {
            c
            for t in _CLASS_TYPES
            for c in graph.subjects(RDF.type, t)
            if isinstance(c, URIRef) and graph.value(c, RDFS.label) is not None
        },
        key=str,
    )
    for node in classes:
        graph.add((node, RDF.type, SKOS.Concept))
        for label in graph.objects(node, RDFS.label):
            graph.add((node, SKOS.prefLabel, label))
        for comment in graph.objects(node, RDFS.comment):
            graph.add((node, SKOS.definition, comment))
        for parent in graph.objects(node, RDFS.subClassOf):
            if parent in classes:
                graph.add((node, SKOS.broader, parent))
    return len(classes)


def _no_concepts(graph: Graph) -> str:
    classes = len(set(graph.subjects(RDF.type, RDFS.Class)))
    hint = f" (it declares {classes} RDFS classes, not SKOS concepts)" if classes else ""
    triples = f"{len(graph)} triple" + ("" if len(graph) == 1 else "s")
    return (
        f"no SKOS concepts found in {triples}{hint}; expected resources typed "
        "skos:Concept or with a skos:prefLabel in a skos:ConceptScheme"
    )


# --- indexing ------------------------------------------------------------------------------


@dataclass(slots=True)
class Index:
    """What the reader needs from the graph, looked up once per predicate."""

    graph: Graph
    pref: Labels = field(default_factory=dict)
    alt: Labels = field(default_factory=dict)
    hidden: Labels = field(default_factory=dict)
    phrasing: Labels = field(default_factory=dict)
    acronym: Labels = field(default_factory=dict)
    label: Labels = field(default_factory=dict)  # rdfs:label
    definition: Labels = field(default_factory=dict)
    links: dict[URIRef, dict[Node, list[Node]]] = field(default_factory=dict)
    member_of: dict[Node, set[Node]] = field(default_factory=dict)
    broken_lists: list[Node] = field(default_factory=list)  # collections with a looping list
    sources: dict[Node, SourceInfo] = field(default_factory=dict)  # described documents
    # documents definitions cite that the file does not describe (no id and title): the
    # file itself is credited, and a warning says so
    uncredited: set[Node] = field(default_factory=set)
    # this tool's own export: its labels and definitions in other languages than a
    # concept's are the entries of sources written in them, and are all read back
    own: bool = False

    @classmethod
    def build(cls, graph: Graph) -> Index:
        literal_form = _first_literals(graph, SKOSXL.literalForm)
        values = _first_literals(graph, RDF.value)
        index = cls(graph)
        for plain, xl, target in (
            (SKOS.prefLabel, SKOSXL.prefLabel, index.pref),
            (SKOS.altLabel, SKOSXL.altLabel, index.alt),
            (SKOS.hiddenLabel, SKOSXL.hiddenLabel, index.hidden),
        ):
            _collect(graph, plain, target, {})
            _collect(graph, xl, target, literal_form)
        _collect(graph, RDFS.label, index.label, {})
        _collect(graph, KGV.phrasing, index.phrasing, {})
        _collect(graph, KGV.acronym, index.acronym, {})
        _collect(graph, SKOS.definition, index.definition, values)
        # a concept no skos:definition defines may still say what it is another way
        for predicate in _DEFINITION_FALLBACKS:
            described: Labels = {}
            _collect(graph, predicate, described, values)
            for node, said in described.items():
                index.definition.setdefault(node, said)
        for _, predicate in RELATIONS:
            links: dict[Node, list[Node]] = defaultdict(list)
            for s, o in graph.subject_objects(predicate):
                links[s].append(o)
            index.links[predicate] = links
        index.member_of = _memberships(graph, index.broken_lists)
        index.sources = _described_sources(graph)
        vocab = str(KGV._NS)  # this tool's export uses its own terms; others' files do not
        index.own = any(str(p).startswith(vocab) for p in graph.predicates(unique=True))
        return index

    def concepts(self) -> set[Node]:
        """Resources typed skos:Concept (or a subclass), and labelled resources in a scheme."""
        graph = self.graph
        found: set[Node] = set()
        for cls in _subclasses(graph, SKOS.Concept):
            found.update(graph.subjects(RDF.type, cls))
        in_scheme = set(graph.subjects(SKOS.inScheme, None))
        in_scheme.update(graph.subjects(SKOS.topConceptOf, None))
        in_scheme.update(graph.objects(None, SKOS.hasTopConcept))  # a scheme's top concept
        found.update(node for node in in_scheme if node in self.pref)
        excluded = {s for cls in _NOT_CONCEPTS for s in graph.subjects(RDF.type, cls)}
        return found - excluded

    def name(self, node: Node) -> str | None:
        """A display label for a scheme or collection: prefLabel, else rdfs:label."""
        for labels in (self.pref.get(node), self.label.get(node)):
            if labels:
                return _text(sorted(labels, key=_order)[0])
        return None

    def title(self) -> str | None:
        """The title of the first concept scheme (by URI) that states one."""
        schemes = sorted(set(self.graph.subjects(RDF.type, SKOS.ConceptScheme)), key=str)
        for scheme in schemes:
            titles = [
                o
                for p in _TITLE_PREDICATES
                for o in self.graph.objects(scheme, p)
                if isinstance(o, Literal) and str(o).strip()
            ]
            if titles:
                return _text(sorted(titles, key=_order)[0])
        return None


def _described_sources(graph: Graph) -> dict[Node, SourceInfo]:
    """Resources cited with dct:source that say which document they are: a slug
    dct:identifier and a dct:title (dct:description, if any, is its kind)."""
    found: dict[Node, SourceInfo] = {}
    for node in sorted(set(graph.objects(None, DCTERMS.source)), key=str):
        ids = sorted(str(o) for o in graph.objects(node, DCTERMS.identifier))
        titles = sorted(_text(o) for o in graph.objects(node, DCTERMS.title) if _literal(o))
        kinds = sorted(_text(o) for o in graph.objects(node, DCTERMS.description) if _literal(o))
        if ids and titles and slug(ids[0]) == ids[0]:
            found[node] = SourceInfo(ids[0], titles[0], kinds[0] if kinds else None)
    return found


def _literal(node: Node) -> TypeGuard[Literal]:
    return isinstance(node, Literal) and bool(str(node).strip())


def _first_literals(graph: Graph, predicate: URIRef) -> dict[Node, Literal]:
    """Subject -> one literal object of `predicate` (the first in sorted order)."""
    found: dict[Node, Literal] = {}
    for s, o in graph.subject_objects(predicate):
        if isinstance(o, Literal) and (s not in found or _order(o) < _order(found[s])):
            found[s] = o
    return found


# what stands in for a definition when a concept has none, in this order
_DEFINITION_FALLBACKS = (DCTERMS.description, DC.description, SKOS.scopeNote, RDFS.comment)


def _collect(graph: Graph, predicate: URIRef, into: Labels, via: dict[Node, Literal]) -> None:
    """Each subject's literal objects of `predicate`; resources are looked up in `via`."""
    for s, o in graph.subject_objects(predicate):
        literal = o if isinstance(o, Literal) else via.get(o)
        if literal is not None and str(literal).strip():
            into.setdefault(s, set()).add(literal)


def _subclasses(graph: Graph, root: URIRef) -> set[Node]:
    """`root` and every class the graph declares a subclass of it, directly or not."""
    children: dict[Node, list[Node]] = defaultdict(list)
    for s, o in graph.subject_objects(RDFS.subClassOf):
        children[o].append(s)
    found: set[Node] = {root}
    stack: list[Node] = [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _memberships(graph: Graph, broken: list[Node]) -> dict[Node, set[Node]]:
    """Member -> the collections listing it, by skos:member or skos:memberList.

    Collections whose member list loops back on itself are added to `broken`.
    """
    member_of: dict[Node, set[Node]] = defaultdict(set)
    for collection, member in graph.subject_objects(SKOS.member):
        member_of[member].add(collection)
    for collection, head in graph.subject_objects(SKOS.memberList):
        try:
            members = list(graph.items(head))
        except ValueError:  # an rdf:rest chain that loops back on itself
            broken.append(collection)
            continue
        for member in members:
            member_of[member].add(collection)
    return member_of


# --- labels --------------------------------------------------------------------------------


def _rank(literal: Literal) -> int:
    """0 for English (any region), 1 for no language tag, 2 for any other language."""
    lang = (literal.language or "").lower()
    if lang == "en" or lang.startswith("en-"):
        return 0
    return 1 if not lang else 2


def _order(literal: Literal) -> tuple[int, str, str]:
    return _rank(literal), (literal.language or "").lower(), str(literal)


def _text(literal: Literal) -> str:
    return " ".join(str(literal).split())


@dataclass(frozen=True, slots=True)
class Choice:
    """A concept's chosen preferred label and the languages its other fields are read in."""

    literal: Literal
    extra: tuple[Literal, ...]  # other preferred labels in those languages, become aliases

    def accepts(self, literal: Literal) -> bool:
        return _same_languages(self.literal, literal)


def _same_languages(term: Literal, other: Literal) -> bool:
    """English and untagged go together; a term in another language keeps to that one."""
    if _rank(term) < 2:
        return _rank(other) < 2
    return (other.language or "").lower() == (term.language or "").lower()


def _origins(graph: Graph, cites_sources: bool) -> dict[Node, str]:
    """In this tool's own export (its concepts cite described source documents, or it has
    kgv:term), the skos:exactMatch of a concept is the URI its original SKOS source gave
    it: read back as its origin, so it survives a round trip (its id still comes from the
    exported URI). Other vocabularies' mappings stay theirs."""
    if not cites_sources and (None, KGV.term, None) not in graph:
        return {}
    found: dict[Node, str] = {}
    for subject, target in sorted(graph.subject_objects(SKOS.exactMatch)):
        if isinstance(target, URIRef):
            found.setdefault(subject, str(target))
    return found


def _uri(node: Node) -> str | None:
    return str(node) if isinstance(node, URIRef) else None


def _show(node: Node) -> str:
    return f"<{node}>" if isinstance(node, URIRef) else f"_:{node}"


def _report_other_languages(index: Index, chosen: dict[Node, Choice], result: ReadResult) -> None:
    """One warning for the labels and definitions left out because they are in another
    language than the one each concept is read in (English first)."""
    if index.own:
        return  # all read back, each in its language
    left: Counter[str] = Counter()
    for node, choice in chosen.items():
        for field_ in (index.pref, index.alt, index.hidden, index.definition):
            for lit in field_.get(node) or ():
                if lit is not choice.literal and not choice.accepts(lit) and lit.language:
                    left[lit.language.lower()] += 1
    if left:
        counts = ", ".join(f"{n} in {lang!r}" for lang, n in sorted(left.items()))
        result.warnings.append(
            Warning(
                f"labels and definitions in other languages than each concept's were not "
                f"kept ({counts}); the vocabulary is read in English first"
            )
        )


def _choose(node: Node, index: Index, result: ReadResult) -> Choice | None:
    """The concept's term: a prefLabel (or rdfs:label), English first; None if it has none."""
    own = next((str(o).lower() for o in index.graph.objects(node, DCTERMS.language)), None)
    labels = sorted(  # this tool's export says which language's prefLabel is the concept's
        index.pref.get(node) or index.label.get(node) or (),
        key=lambda lit: (
            (lit.language or "").lower() != own if index.own and own else False,
            _order(lit),
        ),
    )
    if not labels:
        result.warnings.append(
            Warning(f"concept {_show(node)} has no skos:prefLabel or rdfs:label; skipped")
        )
        return None
    first = labels[0]
    lang = (first.language or "").lower()
    same = [lit for lit in labels[1:] if (lit.language or "").lower() == lang]
    if same and node in index.pref:
        others = ", ".join(repr(_text(lit)) for lit in same)
        where = f"in {lang!r}" if lang else "without a language tag"
        result.warnings.append(
            Warning(
                f"concept {_show(node)} has {len(same) + 1} prefLabels {where}; kept "
                f"{_text(first)!r}, read {others} as aliases"
            )
        )
    return Choice(first, tuple(lit for lit in labels[1:] if _same_languages(first, lit)))


# --- entries -------------------------------------------------------------------------------


def _language(literal: Literal) -> str | None:
    """A literal's language when it is not English ("de"); None for English or untagged."""
    return None if _rank(literal) < 2 else (literal.language or "").lower()


def _entry(
    node: Node,
    choice: Choice,
    names: dict[Node, str],
    index: Index,
    source: str,
    result: ReadResult,
) -> Entry:
    """One concept as an entry."""
    raw = _text(choice.literal)
    term, parsed_acronyms, parsed_aliases = _split_term(raw)
    acronyms, aliases = list(parsed_acronyms), list(parsed_aliases)
    definition = _definition(node, choice, index)
    alt = _texts(choice.extra) + _texts(_accepted(index.alt.get(node), choice))
    marked = set(_texts(index.acronym.get(node) or ()))  # this tool's export says which
    aliases += [a for a in alt if not _abbreviates(a, term) and a not in marked]
    acronyms += [a for a in alt if _abbreviates(a, term) or a in marked]
    if definition:
        acronyms += acronyms_in(definition, term)
    acronyms += _notation_acronyms(node, term, index)
    hidden = _texts(_accepted(index.hidden.get(node), choice))
    languages: dict[str, str] = {}
    if index.own:  # names from sources in other languages: kept, with their language
        for field_, into in ((index.pref, aliases), (index.alt, aliases), (index.hidden, hidden)):
            for lit in sorted(field_.get(node) or (), key=_order):
                if lit is not choice.literal and not choice.accepts(lit):
                    (acronyms if into is aliases and _text(lit) in marked else into).append(
                        _text(lit)
                    )
                    languages.setdefault(_text(lit), _language(lit) or "en")
    flags = {Flag.STRUCTURED} | ({Flag.UNDEFINED} if definition is None else set())
    if index.own:
        flags.add(Flag.EXPORTED)
    return Entry(
        term=term,
        definition=definition,
        source=source,
        lines=None,
        raw_term=raw,
        acronyms=unique_names(acronyms, term),
        aliases=unique_names(aliases, term),
        hidden=unique_names(hidden, term),
        phrasings=tuple(dict.fromkeys(_texts(_accepted(index.phrasing.get(node), choice)))),
        relations=_relations(node, names, index, result),
        collections=_collections(node, index),
        uri=_uri(node),
        language=_language(choice.literal),
        name_languages=tuple(sorted(languages.items())),
        flags=frozenset(flags),
    )


def _by_origin(node: Node, choice: Choice, entry: Entry, index: Index) -> list[Entry]:
    """The entry as is; or, when its definitions cite described sources, one entry per
    cited definition, one undefined entry per other described source the concept cites,
    and one for the definitions citing none. Relations go on the first only."""
    graph = index.graph
    cited: list[tuple[str, tuple[int, int] | None, str, str | None, tuple[str, ...], Literal]] = []
    plain: list[str] = []
    described = set()  # the texts of definition resources: a literal repeating one is a copy
    for value in graph.objects(node, SKOS.definition):
        if not isinstance(value, Literal):
            described |= {_clean(str(o)) for o in graph.objects(value, RDF.value)}
    for value in graph.objects(node, SKOS.definition):
        if isinstance(value, Literal):
            text = _clean(str(value))
            if choice.accepts(value) and text and text not in described:
                plain.append(text)
            continue
        texts = sorted(
            (o for o in graph.objects(value, RDF.value) if isinstance(o, Literal)), key=_order
        )
        cites = _sorted(graph.objects(value, DCTERMS.source))
        origins = [index.sources[o] for o in cites if o in index.sources]
        # a cited source's definition is read in its own language (a German source's)
        said = [t for t in texts if choice.accepts(t)] or (texts if origins and index.own else [])
        text = _clean(str(said[0])) if said else ""
        if not text:
            continue
        if not origins:
            plain.append(text)
            index.uncredited.update(o for o in cites if o not in index.sources)
            continue
        term = next((_text(o) for o in graph.objects(value, KGV.term) if _literal(o)), None)
        others = [_text(o) for o in graph.objects(value, KGV.sharedWith) if _literal(o)]
        shared = tuple(sorted(others, key=str.casefold))  # in the order merging keeps them
        cited.append((origins[0].id, _lines(graph, value), text, term, shared, said[0]))
    if not cited and not any(o in index.sources for o in graph.objects(node, DCTERMS.source)):
        return [entry]
    defined = {c[0] for c in cited}
    listed = sorted(
        {index.sources[o].id for o in graph.objects(node, DCTERMS.source) if o in index.sources}
        - defined
    )
    flags = entry.flags - {Flag.UNDEFINED}
    # this tool's export repeats the preferred definition as text: it stays the preferred one
    copied = {_clean(str(v)) for v in graph.objects(node, SKOS.definition) if _literal(v)}
    entries = []
    # a definition in another language than the concept's labels makes an entry of that
    # language, but its names stay in theirs ("Revenu récurrent annuel" is French still)
    own = entry.language or "en"
    names = [entry.term, *entry.aliases, *entry.acronyms, *entry.hidden]
    kept = tuple(sorted({**{n: own for n in names}, **dict(entry.name_languages)}.items()))
    for origin, lines, text, term, shared, literal in sorted(
        cited, key=lambda c: (c[0], c[1] or (0, 0), c[2])
    ):
        raw = term or entry.raw_term
        mine = flags | {Flag.PREFERRED} if text in copied else flags
        other = not choice.accepts(literal)
        entries.append(
            replace(
                entry,
                source=origin,
                definition=text,
                lines=lines,
                raw_term=raw,
                flags=mine,
                shared_with=shared,
                language=_language(literal) if other else entry.language,
                name_languages=kept if other else entry.name_languages,
            )
        )
    entries += [
        replace(entry, source=origin, definition=None, flags=flags | {Flag.UNDEFINED})
        for origin in listed
    ]
    if plain:
        text = "\n\n".join(dict.fromkeys(sorted(plain)))
        entries.append(replace(entry, definition=text, flags=flags))
    # relations once: every entry of the concept carries the same ones. They are the file's
    # own statements, not those of the glossary its first entry is credited to.
    first = entries[0]
    if first.source != entry.source:
        stated = tuple(replace(r, stated_in=entry.source) for r in first.relations)
        first = replace(first, relations=stated)
    return [first, *(replace(e, relations=()) for e in entries[1:])]


def _sorted(nodes: Iterable[Node]) -> list[Node]:
    return sorted(nodes, key=str)


def _lines(graph: Graph, node: Node) -> tuple[int, int] | None:
    """kgv:startLine and kgv:endLine of a definition resource, when both are integers."""
    try:
        start = int(next(graph.objects(node, KGV.startLine)))  # type: ignore[call-overload]
        end = int(next(graph.objects(node, KGV.endLine)))  # type: ignore[call-overload]
    except (StopIteration, TypeError, ValueError):
        return None
    return (start, end) if 0 < start <= end else None


def _abbreviates(label: str, term: str) -> bool:
    """True for an alternative label that is the term's acronym ("CLV" of "Customer ...")."""
    return is_acronym(label) and not is_acronym(term) and acronym_matches(label, term)


def _split_term(raw: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A label such as "Customer Lifetime Value (CLV)" -> term and acronym; others as given."""
    parsed = parse_term(raw)
    if parsed.acronyms and not parsed.combined and parsed.term:
        return parsed.term, parsed.acronyms, parsed.aliases
    return raw, (), ()


def _accepted(labels: Iterable[Literal] | None, choice: Choice) -> list[Literal]:
    return sorted((lit for lit in labels or () if choice.accepts(lit)), key=_order)


def _texts(literals: Iterable[Literal]) -> list[str]:
    return [_text(lit) for lit in literals]


def _definition(node: Node, choice: Choice, index: Index) -> str | None:
    """skos:definition in the term's languages; several are joined by a blank line."""
    texts = [_clean(str(lit)) for lit in _accepted(index.definition.get(node), choice)]
    texts = list(dict.fromkeys(t for t in texts if t))
    return "\n\n".join(texts) or None


def _clean(text: str) -> str:
    """Trim each line and keep at most one blank line between paragraphs."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _relations(
    node: Node, names: dict[Node, str], index: Index, result: ReadResult
) -> tuple[Relation, ...]:
    """broader/narrower/related to concepts read from this file; dangling ones reported."""
    relations: list[Relation] = []
    for kind, predicate in RELATIONS:
        for target in sorted(index.links[predicate].get(node, ()), key=str):
            name = names.get(target)
            if name is None:
                result.warnings.append(
                    Warning(
                        f"concept {_show(node)} skos:{kind.value} {_show(target)}: the target is "
                        "not a concept read from this file; relation dropped"
                    )
                )
                continue
            relation = Relation(kind, name, _uri(target))
            if relation not in relations:
                relations.append(relation)
    return tuple(relations)


def _collections(node: Node, index: Index) -> tuple[str, ...]:
    names = (index.name(c) for c in sorted(index.member_of.get(node, ()), key=str))
    return tuple(dict.fromkeys(name for name in names if name))


_MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
_NOTES = (
    SKOS.note,
    SKOS.scopeNote,
    SKOS.example,
    SKOS.editorialNote,
    SKOS.historyNote,
    SKOS.changeNote,
)


# what a concept's own triples may hold that is read (or counted as not read, above)
_READ_OR_COUNTED = frozenset(
    {
        RDF.type,
        SKOS.prefLabel,
        SKOS.altLabel,
        SKOS.hiddenLabel,
        SKOS.definition,
        SKOS.broader,
        SKOS.narrower,
        SKOS.related,
        SKOS.inScheme,
        SKOS.topConceptOf,
        SKOS.notation,
        SKOSXL.prefLabel,
        SKOSXL.altLabel,
        SKOSXL.hiddenLabel,
        RDFS.label,
        RDFS.comment,
        RDFS.subClassOf,
        DCTERMS.source,
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.language,
        DCTERMS.identifier,
        DC.title,
        DC.description,
        *_MAPPINGS,
        *_NOTES,
    }
)


def _notation_acronyms(node: Node, term: str, index: Index) -> list[str]:
    """The concept's notations that abbreviate its label (skos:notation "QBR"): its acronyms.
    Other notations ("1.2.3", "CS-004") are codes, counted as not read."""
    notations = sorted(str(n) for n in index.graph.objects(node, SKOS.notation))
    return [n for n in notations if is_acronym(n) and _abbreviates(n, term)]


def _report_notes(
    graph: Graph, index: Index, chosen: dict[Node, Choice], result: ReadResult
) -> None:
    """One warning counting the concepts' notes, examples and notations that were not read
    (a scope note stands in for a missing definition, a notation abbreviating the label is
    an acronym; the rest has no place in an entry)."""
    unread: Counter[str] = Counter()
    for predicate in _NOTES:
        for node, note in graph.subject_objects(predicate):
            if node in chosen and note not in index.definition.get(node, ()):
                unread[f"skos:{str(predicate).rsplit('#', 1)[-1]}"] += 1
    for node, choice in chosen.items():
        term = _split_term(_text(choice.literal))[0]
        used = _notation_acronyms(node, term, index)
        unread["skos:notation"] += sum(
            1 for n in graph.objects(node, SKOS.notation) if str(n) not in used
        )
    for predicate in _MAPPINGS:  # links to other vocabularies; this tool's own: its origin
        if index.own and predicate == SKOS.exactMatch:
            continue
        for node, target in graph.subject_objects(predicate):
            if node in chosen and target not in chosen:
                unread[f"skos:{str(predicate).rsplit('#', 1)[-1]}"] += 1
    unread = +unread  # counts of zero say nothing
    if unread:
        said = ", ".join(f"{n} {name}" for name, n in sorted(unread.items()))
        result.warnings.append(
            Warning(f"notes and mappings not read (kept only in the source file): {said}")
        )
    other: Counter[str] = Counter(
        graph.namespace_manager.normalizeUri(p)
        for node in chosen
        for p in graph.predicates(node, None)
        if isinstance(p, URIRef) and p not in _READ_OR_COUNTED and not p.startswith(str(KGV))
    )
    if other:
        said = ", ".join(f"{n} {name}" for name, n in sorted(other.items()))
        result.warnings.append(
            Warning(f"other properties of concepts not read (kept only in the source file): {said}")
        )


def _report_collections(
    graph: Graph, index: Index, chosen: dict[Node, Choice], result: ReadResult
) -> None:
    """Warn about what of the collections is not kept: a collection with no concept read,
    members that are no concept read (nor a collection), nesting, and order."""
    typed = {
        c
        for cls in (SKOS.Collection, SKOS.OrderedCollection)
        for c in graph.subjects(RDF.type, cls)
    }
    members: dict[Node, set[Node]] = defaultdict(set)  # skos:member and skos:memberList
    for member, within in index.member_of.items():
        for collection in within:
            members[collection].add(member)
    collections = typed | set(members)
    for collection in sorted(collections, key=str):
        direct = members.get(collection, set())
        held = direct & chosen.keys()
        name = f"collection {_show(collection)}"
        nested = bool(direct & collections)
        if not held:
            what = "only other collections (kept on their own)" if nested else "no concept read"
            result.warnings.append(Warning(f"{name} holds {what}; not kept"))
            continue
        strays = sorted(direct - chosen.keys() - collections, key=str)
        if strays:
            result.warnings.append(
                Warning(
                    f"{name}: {len(strays)} member{'s' * (len(strays) != 1)} not a concept read "
                    f"from this file ({', '.join(_show(m) for m in strays[:3])}); left out"
                )
            )
        if nested:
            result.warnings.append(
                Warning(
                    f"{name} holds another collection: each keeps its own members, the nesting "
                    "is not kept"
                )
            )
        if (collection, RDF.type, SKOS.OrderedCollection) in graph:
            result.warnings.append(
                Warning(f"{name} is ordered; its members are kept, their order is not")
            )


def _report_cycles(index: Index, chosen: dict[Node, Choice], result: ReadResult) -> None:
    """Warn about each broader/narrower cycle among the concepts read, and each concept
    related to itself: the glossary's hierarchy cannot loop, so the weakest link closing a
    cycle is not made (`kg.relations`), nor is a link of a concept to itself."""
    hierarchy = nx.DiGraph()
    for node, targets in index.links[SKOS.broader].items():
        hierarchy.add_edges_from((node, t) for t in targets if node in chosen and t in chosen)
    for node, targets in index.links[SKOS.narrower].items():
        hierarchy.add_edges_from((t, node) for t in targets if node in chosen and t in chosen)
    cycles = [sorted(c, key=str) for c in nx.strongly_connected_components(hierarchy) if len(c) > 1]
    cycles += [[node] for node, _ in nx.selfloop_edges(hierarchy)]
    for cycle in sorted(cycles, key=lambda c: str(c[0])):
        if len(cycle) == 1:
            message = (
                f"hierarchy cycle: concept {_show(cycle[0])} is its own broader "
                "concept; that link is not made"
            )
        else:
            members = ", ".join(_show(n) for n in cycle)
            message = (
                f"hierarchy cycle among {members}; a hierarchy cannot loop, so one of its "
                "links is not made (`kg show` lists those made)"
            )
        result.warnings.append(Warning(message))
    for node, targets in sorted(index.links[SKOS.related].items(), key=lambda x: str(x[0])):
        if node in chosen and node in targets:
            result.warnings.append(
                Warning(f"concept {_show(node)} is skos:related to itself; that link is not made")
            )
