"""The web page: served by the same app, no build step."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kg.glossary import Glossary

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def router(glossary: Glossary) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, "index.html", {"glossary": glossary})

    return pages
