"""The curation file: every section parses, and a faulty one is named with what to fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.curation import load_curation
from ingest.errors import ManifestError
from ingest.merge import merge

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "curation.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_projects_curation_file_parses() -> None:
    curation = load_curation(ROOT / "data" / "curation.toml")
    assert curation.of("merge") and curation.of("phrasing")


def test_a_missing_file_means_no_decisions(tmp_path: Path) -> None:
    assert load_curation(tmp_path / "nothing.toml").decisions == []


def test_phrasings_are_read_with_spaces_tidied(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[phrasing]]\nconcept = "Churn"\nphrases = ["customers  walking away", "logo loss"]\n',
    )
    (decision,) = load_curation(path).decisions
    assert decision.kind == "phrasing"
    assert decision.labels == ("Churn",)
    assert decision.phrases == ("customers walking away", "logo loss")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[phrasing]]\nconcept = "Churn"\n', "[[phrasing]] 1: needs 'phrases'"),
        ('[[phrasing]]\nphrases = ["x"]\n', "[[phrasing]] 1: needs 'concept'"),
        (
            '[[phrasing]]\nconcept = "Churn"\nphrases = ["ok", " "]\n',
            "'phrases' must be a list of non-empty strings",
        ),
        ('[[phrasing]]\nconcept = "Churn"\nphrases = "one"\n', "must be a list"),
        ('[[synonym]]\nconcept = "Churn"\n', "unknown section(s) synonym"),
        ("[[merge]\n", "not valid TOML"),
        ('[[relation]]\nfrom = "A"\nto = "B"\nkind = "sibling"\n', "kind must be one of"),
    ],
)
def test_faults_name_the_decision_and_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ManifestError) as caught:
        load_curation(write(tmp_path, text))
    assert message in str(caught.value)
    assert str(tmp_path / "curation.toml") in str(caught.value)


def test_phrasings_join_their_concept_once_and_unknown_concepts_are_reported(
    tmp_path: Path,
    seed_sources,
    encoder,  # type: ignore[no-untyped-def]
) -> None:
    path = write(
        tmp_path,
        '[[phrasing]]\nconcept = "churn"\nphrases = ["customers walking away", "logo loss"]\n'
        '[[phrasing]]\nconcept = "Churn"\n'
        'phrases = ["Logo loss", "people cancelling", "churn-rate"]\n'
        '[[phrasing]]\nconcept = "No Such Concept"\nphrases = ["anything"]\n',
    )
    entries = [e for s in seed_sources for e in s.entries]
    result = merge(entries, load_curation(path), embed=encoder.encode)
    churn = next(c for c in result.concepts if c.pref_label == "Churn")
    assert churn.phrasings == ["customers walking away", "logo loss", "people cancelling"]
    assert "customers walking away" not in churn.labels  # searched, never shown as a label
    assert "[[phrasing]] 3: no concept is named 'No Such Concept'" in result.notes


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('labels = ["Backlog", "Backlog"]', "a label on two sides needs 'sources'"),
        ('labels = ["A", "B"]\nsources = ["x"]', "'sources' must list one source id per label (2)"),
    ],
)
def test_a_split_by_source_is_checked(tmp_path, body: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "curation.toml"
    path.write_text(f"[[split]]\n{body}\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=re.escape(message)):
        load_curation(path)


def test_a_split_reads_its_sources(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "curation.toml"
    path.write_text(
        '[[split]]\nlabels = ["Backlog", "Backlog"]\nsources = ["sales", "support"]\n',
        encoding="utf-8",
    )
    [decision] = load_curation(path).decisions
    assert decision.sources == ("sales", "support")


def test_a_split_side_can_name_an_entry_by_source_and_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "curation.toml"
    path.write_text(
        '[[split]]\nlabels = ["Backlog", "Backlog"]\nsources = ["terms:2", "terms:3"]\n',
        encoding="utf-8",
    )
    [decision] = load_curation(path).decisions
    assert decision.sources == ("terms:2", "terms:3")
