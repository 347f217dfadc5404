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
    if fmt == "text" and _table(doc.text):
        return "csv"  # a spreadsheet saved as "Text (Tab delimited)", "Unicode Text" or CSV
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
    return "csv" if _table(doc.text) else "text"


def _table(text: str) -> bool:
    """Whether a text file is a table (see `ingest.readers.csv.is_table`)."""
    from ingest.readers.csv import is_table

    return is_table(text)


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
