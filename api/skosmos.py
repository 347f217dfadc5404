"""The read subset of the Skosmos REST API v1, for the one vocabulary this app serves.

Parameter names, JSON-LD shapes and errors follow Skosmos' `RestController` (and its
swagger.json), so Skosmos clients and widgets work unchanged against `/rest/v1/`:

    GET vocabularies, search, types, data, label                      global methods
    GET {vocid}/ types topConcepts data search lookup label broader broaderTransitive
        narrower narrowerTransitive related children hierarchy groups groupMembers
        vocabularyStatistics                                          vocid = "glossary"

Labels are English; a request for another `lang` gets the English labels (search and
lookup, where `lang` is the language to match, find nothing). Search patterns are
case-insensitive and whole-label, with `*` as a wildcard ("net*"), as in Skosmos.
JSON responses honour Skosmos' JSONP `callback` parameter. Errors are `{"detail": ...}`
with Skosmos' status codes (400, 404, 406).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from rdflib import RDF, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from api.sparql import negotiate
from kg.errors import BadQuery, NotFound

if TYPE_CHECKING:
    from kg.glossary import Glossary

VOCID = "glossary"
LANG = "en"
SKOS_NS = str(SKOS)
ONKI = "http://schema.onki.fi/onki#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
CONCEPT = SKOS_NS + "Concept"
COLLECTION = SKOS_NS + "Collection"
TYPE_LABELS = {CONCEPT: "Concept", COLLECTION: "Collection"}
DEFAULT_MAXHITS = 100
TRANSITIVE_LIMIT = 1000
CONTEXT: dict[str, Any] = {"skos": SKOS_NS, "uri": "@id", "type": "@type"}
# Skosmos compacts /data JSON-LD with this context.
DATA_CONTEXT = {
    "skos": SKOS_NS,
    "isothes": "http://purl.org/iso25964/skos-thes#",
    "rdfs": RDFS_NS,
    "owl": "http://www.w3.org/2002/07/owl#",
    "dct": str(DCTERMS),
    "dc11": "http://purl.org/dc/elements/1.1/",
    "rdf": str(RDF),
    "uri": "@id",
    "type": "@type",
    "lang": "@language",
    "value": "@value",
    "graph": "@graph",
    "label": "rdfs:label",
    "prefLabel": "skos:prefLabel",
    "altLabel": "skos:altLabel",
    "hiddenLabel": "skos:hiddenLabel",
    "broader": "skos:broader",
    "narrower": "skos:narrower",
    "related": "skos:related",
    "inScheme": "skos:inScheme",
    "exactMatch": "skos:exactMatch",
    "closeMatch": "skos:closeMatch",
    "broadMatch": "skos:broadMatch",
    "narrowMatch": "skos:narrowMatch",
    "relatedMatch": "skos:relatedMatch",
}
# MIME type -> rdflib format; the first four are Skosmos' own, in its order.
DATA_FORMATS = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
}
CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")
FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
RESERVED = {"uri", "type", "localname", "prefLabel", "lang", "vocab", "altLabel", "hiddenLabel"}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "a missing or invalid parameter"},
    404: {"description": "no such vocabulary, concept or group"},
}

Opt = Annotated[str | None, Query(max_length=2048)]
Lang = Annotated[str | None, Query(max_length=35, description='label language, e.g. "en"')]
Uri = Annotated[str | None, Query(max_length=2048, description="URI of the concept")]
VocId = Annotated[str, PathParam(max_length=200, description='vocabulary id: "glossary"')]


@dataclass(frozen=True, slots=True)
class Resource:
    """A concept or collection with what Skosmos' answers need."""

    uri: str
    localname: str
    types: tuple[str, ...]
    pref: str
    alt: tuple[str, ...] = ()
    prefs: tuple[str, ...] = ()  # its preferred labels in other languages ("Abwanderung")
    lang: str = LANG  # the language of `pref`
    hidden: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    top: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    resource: Resource
    label: str
    kind: str  # "prefLabel", "matchedPrefLabel" (another language's), "altLabel", "hiddenLabel"


class Vocabulary:
    """The glossary's SKOS graph indexed once for Skosmos' questions; read-only after."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self.graph: Graph = glossary.rdf()
        self.scheme = glossary.base_uri
        scheme = URIRef(self.scheme)
        self.title = str(
            self.graph.value(scheme, DCTERMS.title)
            or self.graph.value(scheme, SKOS.prefLabel)
            or "Glossary"
        )
        g = self.graph
        tops = {str(o) for o in g.objects(scheme, SKOS.hasTopConcept)}
        found: dict[str, Resource] = {}
        for node in sorted(set(g.subjects(RDF.type, SKOS.Concept)), key=str):
            uri = str(node)
            pref, lang = _pref(g, node)
            found[uri] = Resource(
                uri=uri,
                localname=self.localname(uri),
                types=_types(g, node),
                pref=pref,
                alt=_labels(g, node, SKOS.altLabel),
                prefs=tuple(x for x in _labels(g, node, SKOS.prefLabel) if x != pref),
                lang=lang,
                hidden=_labels(g, node, SKOS.hiddenLabel),
                broader=_uris(g, node, SKOS.broader),
                narrower=_uris(g, node, SKOS.narrower),
                related=_uris(g, node, SKOS.related),
                top=uri in tops,
            )
        for node in sorted(set(g.subjects(RDF.type, SKOS.Collection)), key=str):
            uri = str(node)
            found[uri] = Resource(
                uri=uri,
                localname=self.localname(uri),
                types=_types(g, node),
                pref=_label(g, node),
                members=_uris(g, node, SKOS.member),
            )
        self.resources = found
        # checked before making a URIRef of a caller's text, which rdflib logs if invalid
        self.subjects = frozenset(str(s) for s in g.subjects() if isinstance(s, URIRef))
        self.concepts = [r for r in found.values() if CONCEPT in r.types]
        self.groups = [r for r in found.values() if COLLECTION in r.types]
        self.concepts.sort(key=_order)
        self.groups.sort(key=_order)

    def localname(self, uri: str) -> str:
        return uri[len(self.scheme) :] if uri.startswith(self.scheme) else uri

    def label(self, uri: str) -> str | None:
        found = self.resources.get(uri)
        if found is not None:
            return found.pref
        if uri not in self.subjects:
            return None
        value = self.graph.value(URIRef(uri), SKOS.prefLabel)
        return str(value) if value is not None else None

    def concept(self, uri: str | None) -> Resource:
        """The concept with this URI; 400 without one, 404 if there is none."""
        if not uri:
            raise BadQuery("uri parameter missing")
        found = self.resources.get(uri)
        if found is None or CONCEPT not in found.types:
            raise NotFound(f"Could not find concept <{uri}>")
        return found

    def refs(self, uris: Iterable[str]) -> list[dict[str, Any]]:
        """[{uri, prefLabel}] sorted by label, as Skosmos lists related concepts."""
        out = [{"uri": u, "prefLabel": self.label(u)} for u in uris]
        return sorted(out, key=lambda r: ((r["prefLabel"] or "").casefold(), r["uri"]))

    # -- search

    def search(
        self,
        pattern: re.Pattern[str],
        types: set[str],
        parent: str | None = None,
        group: str | None = None,
        unique: bool = False,
    ) -> list[Match]:
        """Every label matching `pattern` (one match per concept if `unique`), ordered
        by the matched label, as Skosmos orders them."""
        allowed: set[str] | None = None
        if parent:
            allowed = set(self.closure(parent, "narrower")) - {parent}
        if group:
            members = self.resources.get(group)
            in_group = set(members.members) if members else set()
            allowed = in_group if allowed is None else allowed & in_group
        matches: list[Match] = []
        for resource in self.resources.values():
            if not types & set(resource.types):
                continue
            if allowed is not None and resource.uri not in allowed:
                continue
            for kind, labels in (
                ("prefLabel", (resource.pref,)),
                ("matchedPrefLabel", resource.prefs),
                ("altLabel", resource.alt),
                ("hiddenLabel", resource.hidden),
            ):
                for label in labels:
                    if pattern.fullmatch(label.casefold()):
                        matches.append(Match(resource, label, kind))
        if unique:
            best: dict[str, Match] = {}
            for match in matches:  # pref before alt before hidden: keep the first
                best.setdefault(match.resource.uri, match)
            matches = list(best.values())
        return sorted(matches, key=lambda m: (m.label.casefold(), m.resource.uri, m.kind))

    def lookup(self, label: str) -> list[Match]:
        """Skosmos' lookup order: exact, then case-insensitive preferred label; exact, then
        case-insensitive alternative label; then (beyond Skosmos) hidden labels and the
        glossary's own forgiving label match."""
        folded = label.casefold()
        tests: list[tuple[str, Callable[[Resource], Iterable[str]], Callable[[str], bool]]] = [
            ("prefLabel", lambda r: (r.pref,), lambda x: x == label),
            ("prefLabel", lambda r: (r.pref,), lambda x: x.casefold() == folded),
            ("matchedPrefLabel", lambda r: r.prefs, lambda x: x.casefold() == folded),
            ("altLabel", lambda r: r.alt, lambda x: x == label),
            ("altLabel", lambda r: r.alt, lambda x: x.casefold() == folded),
            ("hiddenLabel", lambda r: r.hidden, lambda x: x.casefold() == folded),
        ]
        for kind, labels, test in tests:
            hits = [Match(c, x, kind) for c in self.concepts for x in labels(c) if test(x)]
            if hits:
                return hits
        concept = self.glossary.lookup(label)
        if concept is not None:
            found = self.resources.get(self.glossary.uri(concept))
            if found is not None:
                return [Match(found, found.pref, "prefLabel")]
        return []

    def hit(self, match: Match, fields: list[str]) -> dict[str, Any]:
        """One search or lookup result in Skosmos' shape."""
        r = match.resource
        out: dict[str, Any] = {"uri": r.uri, "type": [_short(t) for t in r.types]}
        for name in fields:
            values = self.field(r.uri, name)
            if values:
                out[name] = values
        out.update(localname=r.localname, prefLabel=r.pref, lang=r.lang, vocab=VOCID)
        if match.kind != "prefLabel":
            out[match.kind] = match.label
        return out

    def field(self, uri: str, name: str) -> list[Any]:
        """The values of skos:`name` on `uri`: strings for literals (and for sourced
        definitions, their text), {uri, prefLabel} for resources."""
        values: list[Any] = []
        for obj in self.graph.objects(URIRef(uri), URIRef(SKOS_NS + name)):
            if isinstance(obj, Literal):
                values.append(str(obj))
                continue
            text = self.graph.value(obj, RDF.value)
            if text is not None:
                values.append(str(text))
                continue
            ref: dict[str, Any] = {"uri": str(obj)}
            label = self.label(str(obj))
            if label is not None:
                ref["prefLabel"] = label
            values.append(ref)
        if all(isinstance(v, str) for v in values):  # the preferred text comes twice: once
            return sorted(set(values))  # plain, once in its sourced resource
        return values

    # -- hierarchy

    def closure(self, uri: str, direction: str, limit: int = 10**9) -> list[str]:
        """`uri` and the concepts reachable by `direction` ("broader"/"narrower"),
        breadth first, at most `limit` of them."""
        seen = [uri]
        known = {uri}
        queue = deque([uri])
        while queue and len(seen) < limit:
            current = self.resources.get(queue.popleft())
            if current is None:
                continue
            for nxt in getattr(current, direction):
                if nxt not in known and len(seen) < limit:
                    known.add(nxt)
                    seen.append(nxt)
                    queue.append(nxt)
        return seen

    def transitive(self, uri: str, direction: str, limit: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for node in self.closure(uri, direction, limit):
            entry: dict[str, Any] = {"uri": node, "prefLabel": self.label(node)}
            found = self.resources.get(node)
            direct = [u for u in getattr(found, direction, ())]
            if direct:
                entry[direction] = direct
            out[node] = entry
        return out

    def has_children(self, uri: str) -> bool:
        found = self.resources.get(uri)
        return bool(found and found.narrower)

    def hierarchy(self, uri: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for node in self.closure(uri, "broader", TRANSITIVE_LIMIT):
            found = self.resources.get(node)
            if found is None:
                continue
            entry: dict[str, Any] = {"uri": node, "prefLabel": found.pref}
            if found.top:
                entry["tops"] = [self.scheme]
                entry["top"] = self.scheme
            if found.broader:
                entry["broader"] = list(found.broader)
            entry["hasChildren"] = bool(found.narrower)
            if found.narrower:
                entry["narrower"] = [
                    {
                        "uri": r["uri"],
                        "label": r["prefLabel"],
                        "hasChildren": self.has_children(r["uri"]),
                    }
                    for r in self.refs(found.narrower)
                ]
            out[node] = entry
        return out

    # -- RDF

    def describe(self, uri: str) -> Graph | None:
        """What Skosmos returns for a resource: its triples, its definitions' triples, the
        labels and types of what it points at, and the groups it is a member of."""
        if uri not in self.subjects:
            return None
        g, node = self.graph, URIRef(uri)
        out = Graph(bind_namespaces="core")
        for prefix, ns in g.namespaces():
            out.bind(prefix, ns, override=True)

        def summary(other: URIRef) -> None:
            for label in g.objects(other, SKOS.prefLabel):
                out.add((other, SKOS.prefLabel, label))
            for kind in g.objects(other, RDF.type):
                out.add((other, RDF.type, kind))

        for pred, obj in g.predicate_objects(node):
            out.add((node, pred, obj))
            if not isinstance(obj, URIRef):
                continue
            if str(obj).startswith(uri + "/definition/"):
                for p2, o2 in g.predicate_objects(obj):
                    out.add((obj, p2, o2))
            else:
                summary(obj)
        for group in g.subjects(SKOS.member, node):
            if isinstance(group, URIRef):
                out.add((group, SKOS.member, node))
                summary(group)
        return out


def _order(r: Resource) -> tuple[str, str]:
    return (r.pref.casefold(), r.uri)


def _label(g: Graph, node: Node) -> str:
    return _pref(g, node)[0]


def _pref(g: Graph, node: Node) -> tuple[str, str]:
    """The preferred label Skosmos answers with (English first) and its language."""
    labels = sorted(
        g.objects(node, SKOS.prefLabel),
        key=lambda x: (getattr(x, "language", None) != LANG, str(x)),
    )
    if not labels:
        return str(node), LANG
    return str(labels[0]), getattr(labels[0], "language", None) or LANG


def _labels(g: Graph, node: Node, pred: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(x) for x in g.objects(node, pred)))


def _uris(g: Graph, node: Node, pred: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(x) for x in g.objects(node, pred) if isinstance(x, URIRef)))


def _types(g: Graph, node: Node) -> tuple[str, ...]:
    return tuple(sorted(str(x) for x in g.objects(node, RDF.type)))


def _short(uri: str) -> str:
    return "skos:" + uri[len(SKOS_NS) :] if uri.startswith(SKOS_NS) else uri


def _expand(name: str) -> str:
    return SKOS_NS + name[5:] if name.startswith("skos:") else name


def _pattern(term: str) -> re.Pattern[str]:
    """A Skosmos search term as a whole-label, case-insensitive pattern; `*` is a wildcard."""
    parts = re.sub(r"\*+", "*", term.strip().casefold()).split("*")
    return re.compile(".*".join(re.escape(p) for p in parts), re.DOTALL)


def _count(value: str | None, name: str, default: int, least: int) -> int:
    if value is None or value == "":
        return default
    if not value.strip().isdigit() or int(value) < least:
        raise BadQuery(f"{name} parameter is invalid")
    return int(value)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _matches_lang(lang: str | None) -> bool:
    """Whether labels in `lang` exist: every label is English."""
    return not lang or lang.lower() == LANG or lang.lower().startswith(LANG + "-")


class Lazy:
    """Builds the `Vocabulary` on first use, once, whichever thread asks first."""

    def __init__(self, glossary: Glossary) -> None:
        self._glossary = glossary
        self._value: Vocabulary | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Vocabulary:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = Vocabulary(self._glossary)
        return self._value


def reply(request: Request, data: dict[str, Any]) -> Response:
    """JSON (or JSON-LD if preferred), or JSONP when Skosmos' `callback` is given."""
    body = json.dumps(data, ensure_ascii=False)
    callback = request.query_params.get("callback")
    if callback:
        if len(callback) > 100 or not CALLBACK.fullmatch(callback):
            raise BadQuery("callback must be a JavaScript identifier")
        return Response(f"{callback}({body});", media_type="application/javascript")
    media = negotiate(request.headers.get("accept"), ["application/json", "application/ld+json"])
    return Response(body, media_type=media or "application/json", headers={"Vary": "Accept"})


def context(**extra: Any) -> dict[str, Any]:
    return {**CONTEXT, **extra}


def router(glossary: Glossary) -> APIRouter:
    """The Skosmos REST v1 routes (mount under /rest/v1)."""
    vocabulary = Lazy(glossary)
    api = APIRouter(responses=ERRORS)

    def open_vocab(vocid: str) -> Vocabulary:
        if vocid != VOCID:
            raise NotFound(f"Vocabulary id '{vocid}' not found")
        return vocabulary()

    def here(request: Request) -> str:
        return str(request.url.replace(query=""))

    # -- global methods

    @api.get("/vocabularies")
    def vocabularies(request: Request, lang: Lang = None) -> Response:
        """The vocabularies on this server: just one."""
        if not lang:
            raise BadQuery("lang parameter missing")
        v = vocabulary()
        return reply(
            request,
            {
                "@context": {
                    "rdfs": RDFS_NS,
                    "onki": ONKI,
                    "title": {"@id": "rdfs:label", "@language": LANG},
                    "vocabularies": "onki:hasVocabulary",
                    "id": "onki:vocabularyIdentifier",
                    "uri": "@id",
                    "@base": here(request),
                },
                "uri": "",
                "vocabularies": [{"uri": VOCID, "id": VOCID, "title": v.title}],
            },
        )

    def search(
        request: Request,
        v: Vocabulary,
        query: str | None,
        lang: str | None,
        labellang: str | None,
        type_: str | None,
        parent: str | None,
        group: str | None,
        maxhits: str | None,
        offset: str | None,
        fields: str | None,
        unique: str | None,
    ) -> Response:
        term = (query or "").strip()
        if not term and not group and not parent:
            raise BadQuery("query parameter missing")
        limit = _count(maxhits, "maxhits", DEFAULT_MAXHITS, 1)
        start = _count(offset, "offset", 0, 0)
        names = [f for f in (fields or "").split() if FIELD.fullmatch(f) and f not in RESERVED]
        types = {_expand(t) for t in (type_ or "skos:Concept").split()}
        matches: list[Match] = []
        if _matches_lang(lang):
            matches = v.search(_pattern(term or "*"), types, parent, group, _flag(unique))
        ctx = context(
            isothes="http://purl.org/iso25964/skos-thes#",
            onki=ONKI,
            results={"@id": "onki:results", "@container": "@list"},
            prefLabel="skos:prefLabel",
            altLabel="skos:altLabel",
            hiddenLabel="skos:hiddenLabel",
        )
        ctx.update({name: f"skos:{name}" for name in names})
        if labellang or lang:
            ctx["@language"] = LANG
        results = [v.hit(m, names) for m in matches[start : start + limit]]
        return reply(request, {"@context": ctx, "uri": "", "results": results})

    @api.get("/search")
    def search_all(
        request: Request,
        query: Opt = None,
        lang: Lang = None,
        labellang: Lang = None,
        vocab: Opt = None,
        type_: Annotated[str | None, Query(alias="type", max_length=2048)] = None,
        parent: Uri = None,
        group: Uri = None,
        maxhits: Opt = None,
        offset: Opt = None,
        fields: Opt = None,
        unique: Opt = None,
    ) -> Response:
        """Concepts whose labels match `query` (`*` is a wildcard), in every vocabulary or
        those named in `vocab` (space-separated ids)."""
        for vocid in (vocab or "").split():
            open_vocab(vocid)  # an unknown id is a 404, as in Skosmos
        return search(
            request,
            vocabulary(),
            query,
            lang,
            labellang,
            type_,
            parent,
            group,
            maxhits,
            offset,
            fields,
            unique,
        )

    @api.get("/types")
    def types_all(request: Request, lang: Lang = None) -> Response:
        """The types of resources in the vocabularies."""
        if not lang:
            raise BadQuery("lang parameter missing")
        return types_reply(request)

    def types_reply(request: Request) -> Response:
        return reply(
            request,
            {
                "@context": context(
                    rdfs=RDFS_NS,
                    onki=ONKI,
                    label="rdfs:label",
                    superclass={"@id": "rdfs:subClassOf", "@type": "@id"},
                    types="onki:hasType",
                    **{"@language": LANG, "@base": here(request)},
                ),
                "uri": "",
                "types": [{"uri": uri, "label": label} for uri, label in TYPE_LABELS.items()],
            },
        )

    @api.get("/data", responses={406: {"description": "an unsupported format"}})
    def data_all(request: Request, uri: Uri = None, format: Opt = None) -> Response:
        """The RDF of one resource, in the `format` (a MIME type) or the Accept header's."""
        if not uri:
            raise BadQuery("uri parameter missing")
        return data_reply(request, vocabulary(), uri, format)

    def data_reply(request: Request, v: Vocabulary, uri: str | None, fmt: str | None) -> Response:
        media = _data_format(request, fmt)
        if uri:
            graph = v.describe(uri)
            if graph is None:
                raise NotFound("no concept found with given uri")
        else:
            graph = v.graph
        name = DATA_FORMATS[media]
        if name == "json-ld":
            body = graph.serialize(format=name, context=DATA_CONTEXT, indent=1, encoding="utf-8")
        else:
            body = graph.serialize(format=name, encoding="utf-8")
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    @api.get("/label")
    def label_all(request: Request, uri: Uri = None, lang: Lang = None) -> Response:
        """The labels of a resource, from whichever vocabulary holds it."""
        return label_reply(request, vocabulary(), uri)

    def label_reply(request: Request, v: Vocabulary, uri: str | None) -> Response:
        if not uri:
            raise BadQuery("uri parameter missing")
        found = v.resources.get(uri)
        pref = v.label(uri)
        if pref is None:
            raise NotFound(f"Could not find concept <{uri}>")
        out: dict[str, Any] = {
            "@context": context(
                prefLabel="skos:prefLabel",
                altLabel="skos:altLabel",
                hiddenLabel="skos:hiddenLabel",
                **{"@language": LANG},
            ),
            "uri": uri,
            "prefLabel": pref,
        }
        if found is not None and found.alt:
            out["altLabel"] = list(found.alt)
        if found is not None and found.hidden:
            out["hiddenLabel"] = list(found.hidden)
        return reply(request, out)

    # -- vocabulary-specific methods

    @api.get("/{vocid}/")
    def vocabulary_info(request: Request, vocid: VocId, lang: Lang = None) -> Response:
        """General information about the vocabulary."""
        v = open_vocab(vocid)
        return reply(
            request,
            {
                "@context": {
                    "rdfs": RDFS_NS,
                    "skos": SKOS_NS,
                    "onki": ONKI,
                    "dct": str(DCTERMS),
                    "uri": "@id",
                    "type": "@type",
                    "conceptschemes": "onki:hasConceptScheme",
                    "id": "onki:vocabularyIdentifier",
                    "defaultLanguage": "onki:defaultLanguage",
                    "languages": "onki:language",
                    "label": "rdfs:label",
                    "prefLabel": "skos:prefLabel",
                    "title": "dct:title",
                    "@language": LANG,
                    "@base": here(request),
                },
                "uri": "",
                "id": VOCID,
                "marcSource": "",
                "title": v.title,
                "defaultLanguage": LANG,
                "languages": [LANG],
                "conceptschemes": [
                    {
                        "uri": v.scheme,
                        "type": "skos:ConceptScheme",
                        "prefLabel": v.title,
                        "title": v.title,
                    }
                ],
            },
        )

    @api.get("/{vocid}/types")
    def types(request: Request, vocid: VocId, lang: Lang = None) -> Response:
        """The types of resources in the vocabulary."""
        open_vocab(vocid)
        return types_reply(request)

    @api.get("/{vocid}/vocabularyStatistics")
    def statistics(request: Request, vocid: VocId, lang: Lang = None) -> Response:
        """How many concepts and groups the vocabulary has."""
        v = open_vocab(vocid)
        return reply(
            request,
            {
                "@context": {
                    "rdfs": RDFS_NS,
                    "skos": SKOS_NS,
                    "void": "http://rdfs.org/ns/void#",
                    "onki": ONKI,
                    "uri": "@id",
                    "id": "onki:vocabularyIdentifier",
                    "concepts": "void:classPartition",
                    "label": "rdfs:label",
                    "class": {"@id": "void:class", "@type": "@id"},
                    "subTypes": {"@id": "void:class", "@type": "@id"},
                    "count": "void:entities",
                    "@language": LANG,
                    "@base": here(request),
                },
                "uri": "",
                "id": VOCID,
                "title": v.title,
                "concepts": {
                    "class": CONCEPT,
                    "label": "Concept",
                    "count": len(v.concepts),
                    "deprecatedCount": 0,
                },
                "subTypes": [],
                "conceptGroups": {
                    "class": COLLECTION,
                    "label": "Collection",
                    "count": len(v.groups),
                    "deprecatedCount": 0,
                },
            },
        )

    @api.get("/{vocid}/topConcepts")
    def top_concepts(
        request: Request, vocid: VocId, lang: Lang = None, scheme: Uri = None
    ) -> Response:
        """The concepts with no broader concept, by label."""
        v = open_vocab(vocid)
        tops = [
            {
                "uri": c.uri,
                "label": c.pref,
                "topConceptOf": v.scheme,
                "hasChildren": bool(c.narrower),
            }
            for c in v.concepts
            if c.top and scheme in (None, "", v.scheme)
        ]
        return reply(
            request,
            {
                "@context": context(
                    onki=ONKI,
                    topconcepts="skos:hasTopConcept",
                    notation="skos:notation",
                    label="skos:prefLabel",
                    **{"@language": LANG},
                ),
                "uri": scheme or v.scheme,
                "topconcepts": tops,
            },
        )

    @api.get("/{vocid}/data", responses={406: {"description": "an unsupported format"}})
    def data(request: Request, vocid: VocId, uri: Uri = None, format: Opt = None) -> Response:
        """One resource's RDF, or the whole vocabulary's without `uri`."""
        return data_reply(request, open_vocab(vocid), uri, format)

    @api.get("/{vocid}/search")
    def search_vocab(
        request: Request,
        vocid: VocId,
        query: Opt = None,
        lang: Lang = None,
        labellang: Lang = None,
        type_: Annotated[str | None, Query(alias="type", max_length=2048)] = None,
        parent: Uri = None,
        group: Uri = None,
        maxhits: Opt = None,
        offset: Opt = None,
        fields: Opt = None,
        unique: Opt = None,
    ) -> Response:
        """Concepts whose labels match `query`; `*` is a wildcard ("cat*")."""
        v = open_vocab(vocid)
        return search(
            request,
            v,
            query,
            lang,
            labellang,
            type_,
            parent,
            group,
            maxhits,
            offset,
            fields,
            unique,
        )

    @api.get("/{vocid}/lookup")
    def lookup(request: Request, vocid: VocId, label: Opt = None, lang: Lang = None) -> Response:
        """The concept(s) best matching a label; 404 if none."""
        v = open_vocab(vocid)
        if not label:
            raise BadQuery("label parameter missing")
        hits = v.lookup(label) if _matches_lang(lang) else []
        if not hits:
            raise NotFound(f"Could not find label '{label}'")
        ctx = context(
            onki=ONKI,
            results={"@id": "onki:results"},
            prefLabel="skos:prefLabel",
            altLabel="skos:altLabel",
            hiddenLabel="skos:hiddenLabel",
        )
        if lang:
            ctx["@language"] = LANG
        return reply(request, {"@context": ctx, "result": [v.hit(m, []) for m in hits]})

    @api.get("/{vocid}/label")
    def label(request: Request, vocid: VocId, uri: Uri = None, lang: Lang = None) -> Response:
        """The preferred (and alternative and hidden) labels of a concept."""
        return label_reply(request, open_vocab(vocid), uri)

    def related_reply(request: Request, vocid: str, uri: str | None, prop: str) -> Response:
        v = open_vocab(vocid)
        concept = v.concept(uri)
        return reply(
            request,
            {
                "@context": context(
                    prefLabel="skos:prefLabel", **{prop: f"skos:{prop}", "@language": LANG}
                ),
                "uri": concept.uri,
                prop: v.refs(getattr(concept, prop)),
            },
        )

    @api.get("/{vocid}/broader")
    def broader(request: Request, vocid: VocId, uri: Uri = None, lang: Lang = None) -> Response:
        """The broader concepts of a concept."""
        return related_reply(request, vocid, uri, "broader")

    @api.get("/{vocid}/narrower")
    def narrower(request: Request, vocid: VocId, uri: Uri = None, lang: Lang = None) -> Response:
        """The narrower concepts of a concept."""
        return related_reply(request, vocid, uri, "narrower")

    @api.get("/{vocid}/related")
    def related(request: Request, vocid: VocId, uri: Uri = None, lang: Lang = None) -> Response:
        """The related concepts of a concept."""
        return related_reply(request, vocid, uri, "related")

    def transitive_reply(
        request: Request, vocid: str, uri: str | None, limit: str | None, direct: str
    ) -> Response:
        v = open_vocab(vocid)
        try:
            count = _count(limit, "limit", TRANSITIVE_LIMIT, 1)
        except BadQuery:
            raise BadQuery("Invalid limit parameter") from None
        concept = v.concept(uri)
        prop = f"{direct}Transitive"
        return reply(
            request,
            {
                "@context": context(
                    prefLabel="skos:prefLabel",
                    **{
                        direct: {"@id": f"skos:{direct}", "@type": "@id"},
                        prop: {"@id": f"skos:{prop}", "@container": "@index"},
                        "@language": LANG,
                    },
                ),
                "uri": concept.uri,
                prop: v.transitive(concept.uri, direct, count),
            },
        )

    @api.get("/{vocid}/broaderTransitive")
    def broader_transitive(
        request: Request, vocid: VocId, uri: Uri = None, lang: Lang = None, limit: Opt = None
    ) -> Response:
        """The concept and everything above it, each with its direct broader concepts."""
        return transitive_reply(request, vocid, uri, limit, "broader")

    @api.get("/{vocid}/narrowerTransitive")
    def narrower_transitive(
        request: Request, vocid: VocId, uri: Uri = None, lang: Lang = None, limit: Opt = None
    ) -> Response:
        """The concept and everything below it, each with its direct narrower concepts."""
        return transitive_reply(request, vocid, uri, limit, "narrower")

    @api.get("/{vocid}/children")
    def children(request: Request, vocid: VocId, uri: Uri = None, lang: Lang = None) -> Response:
        """The narrower concepts of a concept, for a hierarchy display."""
        v = open_vocab(vocid)
        concept = v.concept(uri)
        kids = [
            {"uri": r["uri"], "prefLabel": r["prefLabel"], "hasChildren": v.has_children(r["uri"])}
            for r in v.refs(concept.narrower)
        ]
        return reply(
            request,
            {
                "@context": context(
                    prefLabel="skos:prefLabel",
                    narrower="skos:narrower",
                    notation="skos:notation",
                    hasChildren="onki:hasChildren",
                    **{"@language": LANG},
                ),
                "uri": concept.uri,
                "narrower": kids,
            },
        )

    @api.get("/{vocid}/hierarchy")
    def hierarchy(request: Request, vocid: VocId, uri: Uri = None, lang: Lang = None) -> Response:
        """The concept's broader chain, each step with its narrower concepts."""
        v = open_vocab(vocid)
        concept = v.concept(uri)
        return reply(
            request,
            {
                "@context": context(
                    onki=ONKI,
                    prefLabel="skos:prefLabel",
                    notation="skos:notation",
                    narrower={"@id": "skos:narrower", "@type": "@id"},
                    broader={"@id": "skos:broader", "@type": "@id"},
                    broaderTransitive={"@id": "skos:broaderTransitive", "@container": "@index"},
                    top={"@id": "skos:topConceptOf", "@type": "@id"},
                    tops={"@id": "skos:topConceptOf", "@type": "@id"},
                    hasChildren="onki:hasChildren",
                    **{"@language": LANG},
                ),
                "uri": concept.uri,
                "broaderTransitive": v.hierarchy(concept.uri),
            },
        )

    @api.get("/{vocid}/groups")
    def groups(request: Request, vocid: VocId, lang: Lang = None) -> Response:
        """The vocabulary's collections, by label."""
        v = open_vocab(vocid)
        out = []
        for g in v.groups:
            entry: dict[str, Any] = {
                "uri": g.uri,
                "prefLabel": g.pref,
                "hasMembers": bool(g.members),
            }
            child_groups = [
                m for m in g.members if m in v.resources and COLLECTION in v.resources[m].types
            ]
            if child_groups:
                entry["childGroups"] = child_groups
            out.append(entry)
        return reply(
            request,
            {
                "@context": context(
                    onki=ONKI,
                    prefLabel="skos:prefLabel",
                    groups="onki:hasGroup",
                    childGroups={"@id": "skos:member", "@type": "@id"},
                    hasMembers="onki:hasMembers",
                    **{"@language": LANG},
                ),
                "uri": "",
                "groups": out,
            },
        )

    @api.get("/{vocid}/groupMembers")
    def group_members(
        request: Request, vocid: VocId, uri: Uri = None, lang: Lang = None
    ) -> Response:
        """The members of a collection, by label."""
        v = open_vocab(vocid)
        if not uri:
            raise BadQuery("uri parameter missing")
        group = v.resources.get(uri)
        if group is None or COLLECTION not in group.types or not group.members:
            raise NotFound(f"Could not find group <{uri}>")
        members: list[dict[str, Any]] = []
        for member_uri in group.members:
            member = v.resources.get(member_uri)
            if member is None:
                continue
            members.append(
                {
                    "uri": member.uri,
                    "isSuper": False,
                    "hasMembers": bool(member.members),
                    "type": [_short(t) for t in member.types],
                    "prefLabel": member.pref,
                }
            )
        members.sort(key=lambda m: (m["prefLabel"].casefold(), m["uri"]))
        return reply(
            request,
            {
                "@context": context(
                    prefLabel="skos:prefLabel", members="skos:member", **{"@language": LANG}
                ),
                "uri": uri,
                "members": members,
            },
        )

    return api


def _data_format(request: Request, fmt: str | None) -> str:
    """The MIME type to answer /data in: `format` if given, else the Accept header's
    best, else RDF/XML (Skosmos' first); 406 if neither names a supported one."""
    supported = list(DATA_FORMATS)
    if fmt:
        media = fmt.split(";")[0].strip().lower()
        if media in DATA_FORMATS:
            return media
    else:
        accept = request.headers.get("accept")
        media_or_none = negotiate(accept, supported) if accept else supported[0]
        if media_or_none is not None:
            return media_or_none
    raise HTTPException(406, f"Unsupported format. Supported MIME types are: {' '.join(supported)}")
