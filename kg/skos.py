"""The glossary as a SKOS vocabulary: built with rdflib, serialised, validated, read back.

URIs, all under the glossary's base URI (BASE, ending in "/"):

    BASE                           the skos:ConceptScheme (never a concept id: ids are slugs)
    BASE + id                      each skos:Concept (`Glossary.uri`)
    BASE + id + "/definition/N"    its N-th sourced definition: rdf:value, dct:source,
                                   kgv:startLine / kgv:endLine, kgv:term
    BASE + "collection/" + slug    each skos:Collection
    BASE + "source/" + source id   each source document (dct:BibliographicResource)

A concept's curated everyday wordings (`[[phrasing]]` in the curation file) are kgv:phrasing
literals on it, and which of its altLabels are acronyms is said with kgv:acronym, so an
export read back keeps both. A concept first read from another SKOS vocabulary links to the
URI it had there with skos:exactMatch.

Labels and definitions are tagged "en". Terms come from rdflib's closed namespaces
(SKOS, DCTERMS) and the project's closed KGV, so a misspelt term fails at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import networkx as nx
from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from ingest.concept import Concept
from ingest.pipeline import SourceResult, read_file
from ingest.readers.skos import KGV
from ingest.sources import SourceInfo, slug
from kg.errors import BadQuery
from kg.relations import Link

if TYPE_CHECKING:  # at run time kg.glossary may import this module
    from kg.glossary import Glossary

DEFAULT_TITLE = "Business glossary"
SHAPES = Path(__file__).with_name("shapes.ttl")
FORMATS: dict[str, tuple[str, str]] = {  # our name -> (rdflib format, media type)
    "turtle": ("turtle", "text/turtle"),
    "xml": ("xml", "application/rdf+xml"),
    "json-ld": ("json-ld", "application/ld+json"),
    "nt": ("nt", "application/n-triples"),
}
CONTEXT = {
    "rdf": str(RDF),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "xsd": str(XSD),
    "kgv": str(KGV),
}


# --- URIs ------------------------------------------------------------------------------


def scheme_uri(base: str) -> URIRef:
    return URIRef(base)


def source_uri(base: str, source_id: str) -> URIRef:
    return URIRef(f"{base}source/{source_id}")


def collection_uri(base: str, label: str) -> URIRef:
    return URIRef(f"{base}collection/{slug(label)}")


def definition_uri(concept_uri: str, n: int) -> URIRef:
    return URIRef(f"{concept_uri}/definition/{n}")


# --- building --------------------------------------------------------------------------


def to_rdf(
    glossary: Glossary,
    links: Sequence[Link],
    collections: Mapping[str, Sequence[str]],
    title: str = DEFAULT_TITLE,
) -> Graph:
    """The whole vocabulary: scheme, concepts, sourced definitions, relations,
    collections, top concepts and the source documents."""
    base = glossary.base_uri
    graph = Graph(bind_namespaces="core")
    graph.bind("skos", SKOS)
    graph.bind("dct", DCTERMS)
    graph.bind("kgv", KGV)
    scheme = scheme_uri(base)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, Literal(title, lang="en")))
    graph.add((scheme, SKOS.prefLabel, Literal(title, lang="en")))

    uris = {c.id: URIRef(glossary.uri(c)) for c in glossary.concepts}
    cited: set[str] = set()
    for concept in glossary.concepts:
        uri = uris[concept.id]
        graph.add((uri, RDF.type, SKOS.Concept))
        graph.add((uri, SKOS.inScheme, scheme))
        _labels(graph, uri, concept)
        if concept.language:  # which of its prefLabels is its own, read back by `kg ingest`
            graph.add((uri, DCTERMS.language, Literal(concept.language)))
        for phrase in concept.phrasings:
            graph.add((uri, KGV.phrasing, Literal(phrase, lang="en")))
        for acronym in concept.acronyms:  # also an altLabel; marked so a re-read knows it
            graph.add((uri, KGV.acronym, Literal(acronym)))
        origin = concept.origin or concept.uri
        if origin and origin != str(uri) and urlparse(origin).scheme:
            graph.add((uri, SKOS.exactMatch, URIRef(origin)))  # the URI its source gave it
        if concept.definition is not None:  # for consumers that read skos:definition as text
            text = concept.definition
            graph.add((uri, SKOS.definition, Literal(text.text, lang=text.language or "en")))
        for n, definition in enumerate(concept.definitions, start=1):  # each, with its source
            node = definition_uri(uri, n)
            graph.add((uri, SKOS.definition, node))
            graph.add((node, RDF.value, Literal(definition.text, lang=definition.language or "en")))
            graph.add((node, DCTERMS.source, source_uri(base, definition.source)))
            graph.add((node, KGV.term, Literal(definition.term)))
            for other in definition.shared_with:  # a combined entry's other terms
                graph.add((node, KGV.sharedWith, Literal(other)))
            if definition.lines:
                graph.add((node, KGV.startLine, Literal(definition.lines[0])))
                graph.add((node, KGV.endLine, Literal(definition.lines[1])))
            cited.add(definition.source)
        for source in concept.sources:
            graph.add((uri, DCTERMS.source, source_uri(base, source)))
            cited.add(source)

    has_broader = _relations(graph, links, uris)
    for concept in glossary.concepts:
        if concept.id not in has_broader:
            graph.add((scheme, SKOS.hasTopConcept, uris[concept.id]))
            graph.add((uris[concept.id], SKOS.topConceptOf, scheme))

    for label, members in collections.items():
        node = collection_uri(base, label)
        graph.add((node, RDF.type, SKOS.Collection))
        graph.add((node, SKOS.prefLabel, Literal(label, lang="en")))
        for concept_id in members:
            if concept_id in uris:
                graph.add((node, SKOS.member, uris[concept_id]))

    described = {s.id: s for s in glossary.sources}
    for source_id in sorted(cited):
        node = source_uri(base, source_id)
        info = described.get(source_id)
        graph.add((node, RDF.type, DCTERMS.BibliographicResource))
        graph.add((node, DCTERMS.identifier, Literal(source_id)))
        graph.add((node, DCTERMS.title, Literal(info.title if info and info.title else source_id)))
        if info and info.kind:
            graph.add((node, DCTERMS.description, Literal(info.kind)))
        graph.add((scheme, DCTERMS.source, node))
    return graph


def _labels(graph: Graph, uri: URIRef, concept: Concept) -> None:
    """One prefLabel per language: the concept's own in its language, and for each other
    language its entries were written in, the first of their names (SKOS allows one
    prefLabel per language); alternative and hidden labels kept disjoint from them and each
    other, each in the language of the entries that give it."""
    mine = concept.language or "en"
    language = {label: concept.label_languages.get(label, mine) for label in concept.labels}
    preferred = {mine: concept.pref_label}
    acronyms = set(concept.acronyms)
    for label in concept.alt_labels:  # an acronym ("NPS") names no language's preferred label
        if label not in acronyms:
            preferred.setdefault(language[label], label)
    seen = set(preferred.values())
    for lang, label in preferred.items():
        graph.add((uri, SKOS.prefLabel, Literal(label, lang=lang)))
    for predicate, labels in (
        (SKOS.altLabel, concept.alt_labels),
        (SKOS.hiddenLabel, concept.hidden_labels),
    ):
        for label in labels:
            if label not in seen:
                seen.add(label)
                graph.add((uri, predicate, Literal(label, lang=language[label])))


def _relations(graph: Graph, links: Sequence[Link], uris: Mapping[str, URIRef]) -> set[str]:
    """broader with its inverse narrower, related both ways; returns the concepts that
    have a broader concept. Links to unknown concepts are left out, never dangling."""
    has_broader: set[str] = set()
    for link in links:
        if link.source not in uris or link.target not in uris or link.source == link.target:
            continue
        a, b = uris[link.source], uris[link.target]
        if link.kind == "related":
            graph.add((a, SKOS.related, b))
            graph.add((b, SKOS.related, a))
            continue
        narrower, broader = (link.source, link.target)
        if link.kind == "narrower":
            narrower, broader = broader, narrower
        graph.add((uris[narrower], SKOS.broader, uris[broader]))
        graph.add((uris[broader], SKOS.narrower, uris[narrower]))
        has_broader.add(narrower)
    return has_broader


# --- serialising -----------------------------------------------------------------------


def serialize(graph: Graph, fmt: str) -> tuple[bytes, str]:
    """The graph in one of FORMATS, as bytes, with its media type."""
    if fmt not in FORMATS:
        raise BadQuery(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    name, media_type = FORMATS[fmt]
    if fmt == "json-ld":
        data = graph.serialize(format=name, context=CONTEXT, indent=1, encoding="utf-8")
    else:
        data = graph.serialize(format=name, encoding="utf-8")
    if fmt == "nt":  # one triple a line, in no set order: sorted, so two exports compare
        data = b"".join(sorted(data.splitlines(keepends=True)))
    return data, media_type


# --- validating ------------------------------------------------------------------------


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def validate(graph: Graph) -> list[str]:
    """Problems with the vocabulary, one readable line each; [] when it is clean.

    SHACL shapes (kg/shapes.ttl) check labels, definitions, references, membership and
    direct related/hierarchy clashes; Python checks hierarchy cycles and related links
    between concepts on one line of hierarchy, which SHACL expresses poorly.
    """
    from pyshacl import validate as shacl

    conforms, report, _ = shacl(graph, shacl_graph=_shapes(), inference="none", advanced=True)
    problems: list[str] = []
    if not conforms:
        problems += _shacl_problems(graph, report)
    problems += _hierarchy_problems(graph)
    return sorted(dict.fromkeys(problems))


def _name(graph: Graph, node: Node) -> str:
    labels = sorted(str(o) for o in graph.objects(node, SKOS.prefLabel))
    return f"{labels[0]!r} <{node}>" if labels else f"<{node}>"


def _shacl_problems(graph: Graph, report: Graph) -> list[str]:
    from rdflib.namespace import SH

    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        where = _name(graph, focus) if focus is not None else "the graph"
        step = f" {graph.namespace_manager.normalizeUri(path)}" if isinstance(path, URIRef) else ""
        shown = f" (value: {value})" if value is not None else ""
        out.append(f"{where}{step}: {message}{shown}")
    return out


def _hierarchy_problems(graph: Graph) -> list[str]:
    hierarchy = nx.DiGraph()  # narrower -> broader
    for a, b in graph.subject_objects(SKOS.broader):
        hierarchy.add_edge(a, b)
    for a, b in graph.subject_objects(SKOS.narrower):
        hierarchy.add_edge(b, a)
    problems = []
    for cycle in nx.simple_cycles(hierarchy):
        names = " -> ".join(_name(graph, n) for n in [*cycle, cycle[0]])
        problems.append(f"hierarchy cycle: {names}")
        if len(problems) > 20:
            break
    above: dict[Node, set[Node]] = defaultdict(set)
    for node in hierarchy:
        above[node] = nx.descendants(hierarchy, node)
    for a, b in graph.subject_objects(SKOS.related):
        if b in above.get(a, ()) or a in above.get(b, ()):
            problems.append(
                f"{_name(graph, a)} skos:related {_name(graph, b)}, but one is broader than "
                "the other"
            )
    return problems


# --- reading an export back ------------------------------------------------------------


def read_sources(
    path: Path, source_id: str = "export", fmt: str | None = None
) -> list[SourceResult]:
    """An RDF file read back as the sources its definitions cite (see `read_file`)."""
    return read_file(path, source_id, SourceInfo(id=source_id), fmt)
