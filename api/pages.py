"""The web page: server-rendered HTML over the same `Glossary`, no build step.

Every page reads well without JavaScript; two small scripts in `static/` add search as
you type (`search.js`) and the neighbourhood graph (`graph.js`). Templates autoescape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ingest.sources import slug
from kg import views
from kg.answer import SURE
from kg.errors import KgError, NotFound
from kg.glossary import Glossary

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
MAX_QUERY = 512
RESULTS = 20
EXPORTS = [  # (format, name, file suffix), as GET /export serves them
    ("turtle", "Turtle", "ttl"),
    ("xml", "RDF/XML", "rdf"),
    ("json-ld", "JSON-LD", "jsonld"),
    ("nt", "N-Triples", "nt"),
]
# How a relation reads from the concept before it to the one after (see kg/graph.py).
PHRASES = {"broader": "is a kind of", "narrower": "includes", "related": "is related to"}
WHY = [("label", "Name"), ("bm25", "Words"), ("dense", "Meaning")]


@dataclass(slots=True)
class Site:
    """What every page shows, computed once per glossary."""

    glossary: Glossary
    letters: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    collections: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    exports: list[tuple[str, str, str]] = field(default_factory=lambda: list(EXPORTS))

    def __post_init__(self) -> None:
        g = self.glossary
        ordered = sorted(g.concepts, key=lambda c: (c.pref_label.casefold(), c.id))
        self.labels = [c.pref_label for c in ordered]
        self.letters = [
            (letter, [views.summary(g, c) for c in group])
            for letter, group in groupby(ordered, key=lambda c: _initial(c.pref_label))
        ]
        for name in sorted(g.collections, key=str.casefold):
            members = [c for i in g.collections[name] if (c := g.get(i)) is not None]
            members.sort(key=lambda c: c.pref_label.casefold())
            self.collections.append(
                {
                    "id": slug(name),
                    "name": name,
                    "members": [
                        {**views.ref(c), "definition": c.definition.text if c.definition else None}
                        for c in members
                    ],
                }
            )
        self.sources = {
            s.id: {
                "id": s.id,
                "title": s.title or s.id,
                "kind": s.kind,
                "entries": g.entry_counts(s)[0],
            }
            for s in g.sources
        }

    def collection(self, collection_id: str) -> dict[str, Any] | None:
        return next((c for c in self.collections if c["id"] == collection_id), None)


@dataclass(frozen=True)
class Web:
    """The HTML pages' routes, and the site's 404 page for any other address."""

    router: APIRouter
    missing: Callable[[Request], HTMLResponse]


def web(glossary: Glossary) -> Web:
    """The HTML pages: `/`, `/find`, `/c/{id}`, `/collections[/{id}]`, `/explore/path`."""
    pages = APIRouter(include_in_schema=False)
    site = Site(glossary)

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(
            request, name, {"site": site, **context}, status_code=status
        )

    def not_found(request: Request, message: str, query: str = "") -> HTMLResponse:
        # only hits that share a name or a word: meaning alone always finds something
        hits = _search(glossary, query, 5)[0] if query else []
        suggestions = [h for h in hits if {"label", "bm25"} & set(h["evidence"])]
        return render(
            request, "404.html", 404, message=message, query=query, suggestions=suggestions
        )

    @pages.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return render(request, "index.html")

    @pages.get("/find", response_class=HTMLResponse)
    def find(request: Request, q: str = "") -> HTMLResponse:
        query = q.strip()[:MAX_QUERY]
        results, close, error = _search(glossary, query, RESULTS) if query else ([], False, None)
        answer = _answer(glossary, query) if query and not error else None
        return render(
            request,
            "find.html",
            query=query,
            results=results,
            close=close,
            error=error,
            answer=answer,
        )

    @pages.get("/c/{concept_id:path}", response_class=HTMLResponse)
    def concept(request: Request, concept_id: str) -> Response:
        found = glossary.get(concept_id)
        if found is None and len(concept_id) <= MAX_QUERY:
            found = glossary.lookup(concept_id)  # /c/NDR, /c/net-dollar-retention
        if found is None:
            words = concept_id.replace("-", " ")[:MAX_QUERY]
            return not_found(request, f"No concept has the id “{_short(concept_id)}”.", words)
        if found.id != concept_id:
            return RedirectResponse(f"/c/{found.id}", status_code=301)
        data = views.detail(glossary, found)
        definitions = sorted(data["definitions"], key=lambda d: not d["preferred"])
        return render(request, "concept.html", c=data, definitions=definitions)

    @pages.get("/collections", response_class=HTMLResponse)
    def collections(request: Request) -> HTMLResponse:
        return render(request, "collections.html")

    @pages.get("/collections/{collection_id:path}", response_class=HTMLResponse)
    def collection(request: Request, collection_id: str) -> HTMLResponse:
        found = site.collection(collection_id)
        if found is None:
            return not_found(request, f"No collection has the id “{_short(collection_id)}”.")
        return render(request, "collection.html", collection=found)

    @pages.get("/explore/path", response_class=HTMLResponse)
    def path(
        request: Request,
        source: Annotated[str, Query(alias="from")] = "",
        target: Annotated[str, Query(alias="to")] = "",
    ) -> HTMLResponse:
        source, target = source.strip()[:MAX_QUERY], target.strip()[:MAX_QUERY]
        context: dict[str, Any] = {"source": source, "target": target, "steps": None}
        if not (source and target):
            missing = (
                ""
                if not (source or target)
                else "Give both concepts: "
                + ("where the path starts." if target else "where the path ends.")
            )
            return render(request, "path.html", **context, error=missing or None)
        try:
            start, end = glossary.concept(source), glossary.concept(target)
            links = glossary.path(start.id, end.id)
        except KgError as exc:  # unknown (404), or a name of two concepts (400)
            status = 404 if isinstance(exc, NotFound) else 400
            return render(request, "path.html", status, error=_sentence(str(exc)), **context)
        steps = [
            {
                "from": views.ref(glossary.concept(k.source)),
                "to": views.ref(glossary.concept(k.target)),
                "relation": k.kind,
                "phrase": PHRASES.get(k.kind, k.kind),
                "reason": k.reason,
                "curated": k.curated,
            }
            for k in links
        ]
        context.update(start=views.ref(start), end=views.ref(end), steps=steps)
        return render(request, "path.html", **context)

    def missing(request: Request) -> HTMLResponse:
        return not_found(request, f"Nothing lives at “{_short(request.url.path)}”.")

    return Web(pages, missing)


def why(evidence: dict[str, str], query: str) -> list[tuple[str, str]]:
    """Why a hit matched, for people: [(kind, text)], e.g. ("Words", "churn, customer").
    search.js says the same thing in the browser."""
    words = re.findall(r"\w+", query.casefold())
    out = []
    for key, name in WHY:
        text = evidence.get(key)
        if not text:
            continue
        if key == "bm25":  # index stems ("valu") read better as the words typed ("value")
            stems = text.removeprefix("words: ").split(", ")
            text = ", ".join(next((w for w in words if w.startswith(s)), s) for s in stems)
        elif key == "dense":
            text = "close to the " + text
        out.append((name, text))
    out += [(k, v) for k, v in evidence.items() if k not in dict(WHY)]
    return out


def snippet(text: str | None, limit: int = 220) -> str:
    """The start of a definition, cut at a word boundary."""
    if not text or len(text) <= limit:
        return text or ""
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def lines(span: list[int] | None) -> str:
    if not span:
        return ""
    first, last = span[0], span[-1]
    return f"line {first}" if first == last else f"lines {first}–{last}"


def _search(
    glossary: Glossary, query: str, k: int
) -> tuple[list[dict[str, Any]], bool, str | None]:
    """Hits shaped as GET /search returns them, plus why each matched, and whether the first
    is a close match; or an error."""
    try:
        hits = glossary.search(query, k)
    except KgError as exc:
        return [], False, _sentence(str(exc))
    found = views.search_results(glossary, query, hits)
    for result in found["results"]:
        result["why"] = why(result["evidence"], query)
    return found["results"], bool(found["close"]), None


def _answer(glossary: Glossary, question: str) -> dict[str, Any] | None:
    """`ask`'s answer, its sentences cut into text and citation numbers for the page to
    link ("... [1][2]" -> ("...", [1, 2])); None when the question cannot be asked."""
    try:
        answer = glossary.ask(question)
    except KgError:
        return None
    pieces = re.split(r"((?:\s*\[\d+\])+)", answer["answer"])
    parts = [
        (text.strip(), [int(n) for n in re.findall(r"\d+", refs)])
        for text, refs in zip(pieces[::2], [*pieces[1::2], ""], strict=True)
        if text.strip()
    ]
    return {**answer, "parts": parts}


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _initial(label: str) -> str:
    first = label[:1].upper()
    return first if first.isalpha() else "#"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


TEMPLATES.env.filters["snippet"] = snippet
TEMPLATES.env.filters["lines"] = lines
TEMPLATES.env.globals["phrases"] = PHRASES
TEMPLATES.env.globals["sure"] = SURE
