"""Shared fixtures: paths to the project's data and the shared third-party files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.document import load
from ingest.model import ReadResult
from ingest.readers.text import read as read_text
from ingest.sources import load_manifest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SHARED = ROOT.parent / "shared"
SEED_IDS = [
    "pdf-glossary",
    "terminologies-page",
    "docs-glossary",
    "ultimate-glossary",
    "web-glossary",
]


def seed_path(source_id: str) -> Path:
    name = next(f for f, info in load_manifest(RAW).items() if info.id == source_id)
    return RAW / name


@pytest.fixture(scope="session")
def seeds() -> dict[str, ReadResult]:
    """Each seed read once by the text reader."""
    return {sid: read_text(load(seed_path(sid)), sid) for sid in SEED_IDS}


@pytest.fixture(scope="session")
def encoder():  # type: ignore[no-untyped-def]
    """The real packaged model, with the repository's embedding cache."""
    from kg.embed import Encoder

    enc = Encoder("all-MiniLM-L6-v2", ROOT / "data" / "cache")  # int8, as the product runs
    yield enc
    enc.save_cache()


@pytest.fixture(scope="session")
def seed_sources():  # type: ignore[no-untyped-def]
    from ingest.pipeline import read_paths

    sources, _ = read_paths([RAW])
    return sources


@pytest.fixture(scope="session")
def glossary(seed_sources, encoder):  # type: ignore[no-untyped-def]
    """The seed glossary as `kg ingest` builds it, with the project's curation file."""
    from ingest.curation import load_curation
    from kg.glossary import Glossary

    return Glossary.build(
        seed_sources, curation=load_curation(ROOT / "data" / "curation.toml"), encoder=encoder
    )
