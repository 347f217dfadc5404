"""One reader per file format; each turns a Document into a ReadResult.

A reader is a function `read(doc: Document, source: str) -> ReadResult`. The format is
detected from the file name and, where that is silent, from the content; it can be forced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ingest.document import Document
from ingest.errors import SourceError
from ingest.model import ReadResult

Reader = Callable[[Document, str], ReadResult]

FORMATS: tuple[str, ...] = ("text", "markdown", "csv", "turtle", "xml", "json-ld", "nt")
RDF_FORMATS: frozenset[str] = frozenset({"turtle", "xml", "json-ld", "nt"})

SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".tsv": "csv",
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".n3": "turtle",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
}


def detect(doc: Document) -> str:
    """The format of a file: by its suffix, else by a look at its first kilobytes."""
    fmt = SUFFIXES.get(doc.path.suffix.lower())
    if fmt == "text" and _tab_separated(doc.text):
        return "csv"  # a spreadsheet saved as "Text (Tab delimited)" or "Unicode Text"
    if fmt:
        return fmt
    head = doc.data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \n\t")
    if head.startswith("<?xml") or re.match(r"<rdf:RDF", head):
        return "xml"
    if re.match(r"(@prefix|@base|PREFIX|BASE)\b", head, re.IGNORECASE):
        return "turtle"
    if head.startswith(("{", "[")) and '"@' in head:
        return "json-ld"
    if re.match(r"<[^>\s]+>\s+<[^>\s]+>\s+", head):
        return "nt"
    if re.search(r"^#{1,6}\s|^\s*[-*]\s+\*\*|^\|.*\|\s*$", head, re.MULTILINE):
        return "markdown"
    return "csv" if _tab_separated(doc.text) else "text"


def _tab_separated(text: str) -> bool:
    """Whether the first lines are a table: two or more, nearly all with the same number
    of tabs between cells."""
    lines = [line for line in text[:8192].splitlines()[:50] if line.strip()]
    tabs = [line.count("\t") for line in lines]
    if len(lines) < 2 or not tabs[0]:
        return False
    return sum(1 for n in tabs if n == tabs[0]) >= 0.8 * len(lines)


def reader_for(fmt: str, path: Path) -> Reader:
    """The reader function for a format name (one of FORMATS)."""
    if fmt not in FORMATS:
        raise SourceError(path, f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "text":
        from ingest.readers.text import read
    elif fmt == "markdown":
        from ingest.readers.markdown import read
    elif fmt == "csv":
        from ingest.readers.csv import read
    else:
        from ingest.readers.skos import read_rdf

        def read(doc: Document, source: str) -> ReadResult:
            return read_rdf(doc, source, fmt)

    return read
