"""Errors raised while reading glossary files.

    IngestError            base of everything ingest raises on bad input
    ├── SourceError        a file cannot be read at all (missing, binary, empty, bad encoding,
    │   │                  malformed structure); carries the path and, where known, the line
    │   └── NoEntries      a file read without fault that holds no glossary entry
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
    """A file read without fault in which no layout the reader knows found an entry; in a
    folder it is passed over, named on its own it fails."""


class ManifestError(IngestError):
    """The sources manifest is malformed."""
