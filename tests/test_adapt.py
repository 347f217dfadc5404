"""`kg adapt`: fine-tuning the encoder on a glossary's own names for its concepts."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from api.cli import main
from ingest.concept import Concept, Definition
from kg.adapt import (
    MANIFEST,
    AdaptError,
    Recipe,
    _batches,
    adapt,
    base_model,
    is_current,
    read_manifest,
    training_pairs,
)
from kg.embed import Encoder

GLOSSARY = """\
Churn: The share of customers who cancel their subscription in a period.
Upsell: Selling a customer a more expensive plan than the one they have.
Onboarding: The first weeks in which a new customer is set up and trained.
Health Score: A number that sums up how likely an account is to renew.
"""

PHRASINGS = {
    "Churn": ["clients heading for the exit", "people walking out the door"],
    "Upsell": ["moving a client up a tier", "getting buyers onto the premium package"],
    "Onboarding": ["the welcome period for fresh sign-ups", "getting newcomers up and running"],
    "Health Score": ["is this account in good shape", "red flag indicator for renewals"],
}

FAST = Recipe(epochs=6, batch_size=4, learning_rate=1e-4)


def concept(label: str, definition: str, **names: list[str]) -> Concept:
    return Concept(
        id=label.lower().replace(" ", "-"),
        pref_label=label,
        definitions=[Definition(source="s", term=label, text=definition, lines=(1, 1))],
        preferred=0,
        **names,  # type: ignore[arg-type]
    )


def tiny_concepts() -> list[Concept]:
    out = []
    for line in GLOSSARY.splitlines():
        label, definition = line.split(": ", 1)
        out.append(concept(label, definition, phrasings=PHRASINGS[label]))
    return out


def separation(encoder: Encoder, concepts: list[Concept]) -> float:
    """Mean cosine of each phrasing with its own concept's text, minus with the others'."""
    positives = encoder.encode([f"{c.pref_label}: {c.definitions[0].text}" for c in concepts])
    own, other = [], []
    for n, c in enumerate(concepts):
        sims = encoder.encode(c.phrasings) @ positives.T
        own.extend(sims[:, n])
        other.extend(np.delete(sims, n, axis=1).ravel())
    return float(np.mean(own) - np.mean(other))


def test_every_name_of_a_concept_points_at_its_label_and_definition() -> None:
    churn = concept(
        "Gross Revenue Retention",
        "Revenue kept from existing customers.",
        alt_labels=["GRR", "Gross Renewal Rate"],
        acronyms=["GRR"],
        hidden_labels=["Gross Revenue Retension"],
        phrasings=["money we keep from the customers we had"],
    )
    pairs = training_pairs([churn])
    assert {p.anchor for p in pairs} == {
        "Gross Revenue Retention",
        "GRR",
        "Gross Renewal Rate",
        "Gross Revenue Retension",
        "money we keep from the customers we had",
    }
    assert len(pairs) == 5  # the acronym, also an alt label, counts once
    assert {p.positive for p in pairs} == {
        "Gross Revenue Retention: Revenue kept from existing customers."
    }


def test_a_concept_without_definition_is_named_by_its_label() -> None:
    bare = Concept(id="nps", pref_label="NPS", alt_labels=["Net Promoter Score"])
    assert [(p.anchor, p.positive) for p in training_pairs([bare])] == [
        ("Net Promoter Score", "NPS")
    ]


def test_no_batch_holds_two_names_of_one_concept() -> None:
    concepts = tiny_concepts()
    pairs = training_pairs(concepts)
    batches = _batches(pairs, Recipe(batch_size=3), random.Random(0))
    assert sorted(i for b in batches for i in b) == list(range(len(pairs)))
    for batch in batches:
        assert 2 <= len(batch) <= 3
        assert len({pairs[i].concept for i in batch}) == len(batch)


def test_adapting_pulls_phrasings_towards_their_concepts(tmp_path: Path) -> None:
    concepts = tiny_concepts()
    before = separation(Encoder("all-MiniLM-L6-v2", tmp_path / "cache", precision="fp32"), concepts)
    folder = tmp_path / "adapted"
    report = adapt(concepts, "all-MiniLM-L6-v2", folder, FAST)
    assert report.concepts == 4 and report.pairs == 12 and report.steps > 0
    adapted = Encoder(str(folder), tmp_path / "cache", precision="int8")
    after = separation(adapted, concepts)
    assert after > before + 0.1, (before, after)
    # a new id, so no cache or build of the base model's vectors is ever reused
    base = Encoder("all-MiniLM-L6-v2", tmp_path / "cache")
    assert adapted.model_id != base.model_id and adapted.precision == "int8"
    manifest = read_manifest(folder)
    assert manifest is not None and manifest["base"] == "all-MiniLM-L6-v2"
    assert is_current(folder, concepts, "all-MiniLM-L6-v2", FAST)
    assert not is_current(folder, concepts[:3], "all-MiniLM-L6-v2", FAST)
    assert base_model(str(folder)) == "all-MiniLM-L6-v2"  # re-adapting starts from the base


def test_a_glossary_of_one_concept_cannot_be_adapted(tmp_path: Path) -> None:
    with pytest.raises(AdaptError, match="at least two concepts"):
        adapt(tiny_concepts()[:1], "all-MiniLM-L6-v2", tmp_path / "out", FAST)
    assert not (tmp_path / "out").exists()


def test_adapt_never_overwrites_a_folder_it_did_not_write(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(AdaptError, match="something other than an adapted model"):
        adapt(tiny_concepts(), "all-MiniLM-L6-v2", folder, Recipe(epochs=1, batch_size=4))
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no staging folder left
    with pytest.raises(AdaptError, match="something other than an adapted model"):
        adapt(tiny_concepts(), "all-MiniLM-L6-v2", folder / "notes.txt", FAST)
    assert (folder / "notes.txt").read_text() == "keep me"


def test_a_failed_save_is_an_error_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(folder: Path) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kg.adapt._weights_digest", disk_full)
    with pytest.raises(AdaptError, match=r"cannot save the adapted model.*No space left"):
        adapt(tiny_concepts(), "all-MiniLM-L6-v2", tmp_path / "out", Recipe(epochs=1, batch_size=4))
    assert list(tmp_path.iterdir()) == []  # neither the model nor its staging folder


def test_kg_adapt_then_ingest_with_the_adapted_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "glossary.txt"
    source.write_text(GLOSSARY)
    curation = tmp_path / "curation.toml"
    curation.write_text(
        "".join(
            f'[[phrasing]]\nconcept = "{label}"\nphrases = {json.dumps(phrases)}\n\n'
            for label, phrases in PHRASINGS.items()
        )
    )
    monkeypatch.setenv("KG_CURATION", str(curation))
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    build = tmp_path / "build"
    assert main(["ingest", str(source), "--build-dir", str(build)]) == 0
    capsys.readouterr()

    folder = tmp_path / "adapted"
    args = ["adapt", "--out", str(folder), "--epochs", "1", "--build-dir", str(build)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Adapted all-MiniLM-L6-v2 to 4 concepts (12 names" in out
    assert f"KG_MODEL={folder} kg ingest" in out
    assert json.loads((folder / MANIFEST).read_text())["recipe"]["epochs"] == 1

    assert main([*args, "--if-stale"]) == 0
    assert "is current" in capsys.readouterr().err

    monkeypatch.setenv("KG_MODEL", str(folder))
    assert main(["ingest", str(source), "--build-dir", str(build)]) == 0
    capsys.readouterr()
    assert main(["search", "people walking out the door", "--json", "--build-dir", str(build)]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["id"] == "churn"
    search = json.loads((build / "search-manifest.json").read_text())
    assert search["model"] == str(folder)


def test_kg_adapt_without_a_build_says_to_ingest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["adapt", "--build-dir", str(tmp_path / "none")]) == 1
    assert "kg ingest" in capsys.readouterr().err
