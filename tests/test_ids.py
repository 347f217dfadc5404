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


def test_a_concept_merged_into_another_by_a_new_source_keeps_its_id_as_a_former_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'Cost of Retention (CORE)' joins the seeds' Cost of Retention and Cost of Customer
    Retention (CORE); the id of the one whose name is no longer preferred still resolves."""
    build = tmp_path / "build"
    before = ingest(capsys, RAW, build)
    assert before.get("cost-of-customer-retention") is not None
    more = tmp_path / "raw"
    shutil.copytree(RAW, more)
    (more / "extra.md").write_text(
        "# Extra\n\n## Cost of Retention (CORE)\n\nThe cost to retain existing customers.\n"
        "\n## Gross Renewal Rate (GRR)\n\nRenewed revenue as a share of revenue up for "
        "renewal, excluding expansion.\n"
    )
    after = ingest(capsys, more, build)
    merged = after.get("cost-of-customer-retention")
    assert merged is not None and merged.id == "cost-of-retention"
    assert "cost-of-customer-retention" in merged.former_ids
    # a source spelling GRR out as 'Gross Renewal Rate' leaves GRR one concept
    grr = after.get("gross-revenue-retention")
    assert grr is not None and {"Gross Renewal Rate", "GRR"} <= set(grr.labels)
