"""Errors raised while reading glossary files.

    IngestError            base of everything ingest raises on bad input
    ├── SourceError        a file cannot be read at all (missing, binary, bad encoding,
    │   │                  malformed structure); carries the path and, where known, the line
    │   └── NoEntries      a file with nothing in it to read (empty, a CSV of only its
    │                      header) or read without fault that holds no glossary entry
    └── ManifestError      the sources manifest (data/raw/sources.toml) is malformed

Messages are one line and name what the user must fix.
"""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """Base class for errors caused by the input handed to ingest."""


class SourceError(IngestError):
    """A glossary file that cannot be read; names the file and, where known, the line."""

    def __init__(self, path: Path | str, problem: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.problem = problem
        self.line = line
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {problem}")


class NoEntries(SourceError):
    """A file with nothing in it to read (empty, only blank lines, a CSV header with no rows
    below it), or read without fault but with no entry any layout the reader knows finds;
    in a folder it is passed over, named on its own it fails. A damaged file is no such
    file: it stops the build wherever it is."""


class ManifestError(IngestError):
    """The sources manifest is malformed."""
