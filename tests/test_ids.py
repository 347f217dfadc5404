"""Concept ids are stable: the same sources give the same ids, and adding a source renames
nothing that already existed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.cli import main
from kg.glossary import Glossary
from tests.conftest import RAW


def ingest(capsys: pytest.CaptureFixture[str], folder: Path, build: Path) -> Glossary:
    code = main(["ingest", str(folder), "--build-dir", str(build)])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    return Glossary.load(build)


def ids(glossary: Glossary) -> dict[str, str]:
    return {c.id: c.pref_label for c in glossary.concepts}


def test_same_sources_same_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = ingest(capsys, RAW, tmp_path / "a")
    second = ingest(capsys, RAW, tmp_path / "b")
    again = ingest(capsys, RAW, tmp_path / "a")
    assert ids(first) == ids(second) == ids(again)
    assert len(set(ids(first))) == len(first.concepts)


def test_adding_a_source_renames_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fewer = tmp_path / "raw"
    shutil.copytree(RAW, fewer)
    (fewer / "ultimate-glossary.txt").unlink()
    build = tmp_path / "build"
    before = ingest(capsys, fewer, build)
    after = ingest(capsys, RAW, build)
    assert len(after.concepts) > len(before.concepts)
    for concept in before.concepts:
        same = after.get(concept.id)
        assert same is not None, f"{concept.id} ({concept.pref_label}) disappeared"
        assert {x.casefold() for x in concept.labels} <= {x.casefold() for x in same.labels}


def test_ids_are_slugs_of_the_preferred_label(glossary: Glossary) -> None:
    assert glossary.lookup("NRR").id == "net-revenue-retention"
    assert glossary.lookup("Net Promotor Score").id == "net-promoter-score"
    for concept in glossary.concepts:
        assert concept.id == concept.id.lower() and " " not in concept.id
