"""Every third-party file in ../shared/data imports through `kg ingest` with sensible entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.model import Flag
from ingest.pipeline import read_paths
from tests.conftest import SHARED

DATA = SHARED / "data"
SMALL = sorted(p for p in DATA.rglob("*") if p.is_file() and p.name != "stw-skos.ttl")


@pytest.mark.parametrize("path", SMALL, ids=lambda p: str(p.relative_to(DATA)))
def test_third_party_file_imports(path: Path) -> None:
    sources, _ = read_paths([path])
    entries = [e for s in sources for e in s.entries]
    assert entries, path
    assert all(e.term or e.has(Flag.TERM_MISSING) for e in entries)
    named = [e for e in entries if e.term]
    assert len(named) >= 0.8 * len(entries)
