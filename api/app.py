"""The HTTP API and web page: a thin layer over one `Glossary`.

`create_app(glossary)` builds the app; nothing here reads the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path
from threadpoolctl import threadpool_limits

from api import pages, skosmos, sparql
from api.schemas import (
    AnswerOut,
    ConceptDetail,
    ConceptList,
    ErrorOut,
    GraphOut,
    Health,
    LookupOut,
    SearchOut,
)
from kg import views
from kg.errors import BadQuery, BuildError, KgError, NotFound
from kg.glossary import Glossary
from kg.retrieval import validate

HERE = Path(__file__).parent
EXPORT_TYPES = {
    "turtle": "text/turtle",
    "xml": "application/rdf+xml",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
}
STATUS = {NotFound: 404, BadQuery: 400, BuildError: 503}
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 404, 413, 422)
}

Text = Annotated[
    str, Query(min_length=1, max_length=512, description="Plain-language text, 1 to 512 chars.")
]
Id = Annotated[str, PathParam(min_length=1, max_length=200, description="A concept id.")]


def create_app(glossary: Glossary) -> FastAPI:
    """The FastAPI app serving `glossary`.

    It also limits BLAS (numpy's OpenBLAS) to one thread for the whole process: requests run
    on a thread pool, and each search's matrix product starting its own BLAS threads made
    eight concurrent clients fight over two cores (104 req/s instead of 600;
    docs/benchmarks.md, section 5)."""
    threadpool_limits(limits=1, user_api="blas")
    app = FastAPI(
        title="Glossary knowledge graph",
        description="A deduplicated, sourced, linked customer-success vocabulary.",
        version="0.1.0",
        responses=ERRORS,
        docs_url=None,  # served below from local files, not a CDN
        redoc_url=None,
    )
    app.state.glossary = glossary
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"])
    app.add_middleware(HeadAsGet)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """The OpenAPI docs (Swagger UI), with no file fetched from the internet."""
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Glossary knowledge graph: HTTP API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.exception_handler(KgError)
    async def domain_error(_: Request, exc: KgError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _one_line(exc)}, status_code=422)

    @app.get("/health", response_model=Health, tags=["service"])
    def health() -> dict[str, Any]:
        return {"status": "ok", "concepts": len(glossary.concepts)}

    @app.get("/concepts", response_model=ConceptList, tags=["concepts"])
    def concepts(
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        """Every concept, sorted by preferred label."""
        ordered = sorted(glossary.concepts, key=lambda c: (c.pref_label.casefold(), c.id))
        page = ordered[offset : offset + limit]
        return {"total": len(ordered), "items": [views.summary(glossary, c) for c in page]}

    @app.get("/concepts/{concept_id}", response_model=ConceptDetail, tags=["concepts"])
    def concept(concept_id: Id) -> dict[str, Any]:
        """One concept: labels, every sourced definition, relations, collections."""
        found = glossary.get(concept_id)
        if found is None:
            raise NotFound(f"no concept with id {concept_id!r}")
        return views.detail(glossary, found)

    @app.get("/lookup", response_model=LookupOut, tags=["concepts"])
    def lookup(
        label: Annotated[str, Query(min_length=1, max_length=512)],
    ) -> dict[str, Any]:
        """The concept one of whose labels matches (case, spacing, hyphens, punctuation
        ignored); `same_label` lists any other concept with that label."""
        found = glossary.lookup(validate(label))  # NUL, control characters: 400 as in /search
        if found is None:
            raise NotFound(f"no concept has the label {label!r}")
        # a label two concepts share (sources using one name for two things): the first,
        # and the others named, not hidden
        others = [c for c in glossary.named(label) if c.id != found.id]
        return {**views.detail(glossary, found), "same_label": [views.ref(c) for c in others]}

    @app.get("/concepts/{concept_id}/neighbors", response_model=GraphOut, tags=["graph"])
    def neighbors(concept_id: Id, depth: Annotated[int, Query(ge=1, le=3)] = 1) -> dict[str, Any]:
        """Concepts within `depth` relations and the edges among them, with reasons."""
        if glossary.get(concept_id) is None:
            raise NotFound(f"no concept with id {concept_id!r}")
        ids, links = glossary.neighbors(concept_id, depth)
        return views.graph(glossary, ids, links)

    @app.get("/path", response_model=GraphOut, tags=["graph"])
    def path(
        source: Annotated[str, Query(alias="from", min_length=1, max_length=200)],
        target: Annotated[str, Query(alias="to", min_length=1, max_length=200)],
    ) -> dict[str, Any]:
        """The shortest chain of relations between two concepts; 404 if none."""
        for concept_id in (source, target):
            if glossary.get(concept_id) is None:
                raise NotFound(f"no concept with id {concept_id!r}")
        return views.path(glossary, glossary.path(source, target), source)

    @app.get(
        "/export",
        tags=["export"],
        response_class=Response,
        responses={200: {"content": {t: {} for t in EXPORT_TYPES.values()}}},
    )
    def export(
        request: Request,
        fmt: Annotated[
            Literal["turtle", "xml", "json-ld", "nt"] | None,
            Query(
                alias="format",
                description="turtle, xml, json-ld or nt; without it, as the Accept header "
                "asks (Turtle if it asks for none of them)",
            ),
        ] = None,
    ) -> Response:
        """The SKOS vocabulary in the chosen RDF format."""
        name: str = fmt or "turtle"
        if fmt is None:
            by_type = {t: n for n, t in EXPORT_TYPES.items()}
            chosen = sparql.negotiate(request.headers.get("accept"), list(by_type))
            name = by_type.get(chosen or "", "turtle")
        data, media_type = glossary.export(name)
        suffix = {"turtle": "ttl", "xml": "rdf", "json-ld": "jsonld", "nt": "nt"}[name]
        return Response(
            data,
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="glossary.{suffix}"'},
        )

    @app.get("/search", response_model=SearchOut, tags=["search"])
    def search(
        q: Text,
        k: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> dict[str, Any]:
        """Ranked concepts for a plain-language query, best first, each with why it matched."""
        return views.search_results(glossary, q, glossary.search(q, k))

    @app.get("/ask", response_model=AnswerOut, tags=["search"])
    def ask(q: Text) -> dict[str, Any]:
        """A plain-language answer built only from the glossary's definitions, with
        citations; low confidence is said, not hidden."""
        return views.answer(glossary, q)

    app.include_router(skosmos.router(glossary), prefix="/rest/v1", tags=["skosmos"])
    app.include_router(sparql.router(glossary), tags=["sparql"])
    site = pages.web(glossary)
    app.include_router(site.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """An address nothing answers: the site's 404 page for a browser; JSON otherwise."""
        browsing = "text/html" in request.headers.get("accept", "")
        if exc.status_code == 404 and exc.detail == "Not Found" and browsing:
            return site.missing(request)
        return await http_exception_handler(request, exc)

    return app


def _one_line(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(x) for x in error.get("loc", ()) if x not in ("query", "path"))
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else error["msg"])
    return "; ".join(parts) or "invalid request"


class HeadAsGet:
    """HEAD answered as GET without its body (RFC 9110, 9.3.2), for every GET route:
    uptime and link checkers send HEAD."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
