"""Damaged input fails `kg ingest` in one line naming the file, and the previous build stays
byte for byte as it was (and keeps loading)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from api.cli import main
from kg.glossary import Glossary
from tests.conftest import RAW

DAMAGED = {
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "looks binary"),
    "empty.md": (b"", "file is empty"),
    "undecodable.txt": (b"Churn: gone\nCaf\x81: x\n", "not valid UTF-8 or Windows-1252"),
    "slides.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "is a PDF; extract its text first"),
    "huge-line.txt": (b"Churn: " + b"a" * 300_000, "line is"),
    "truncated.ttl": (
        b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        b'<http://x/a> a skos:Concept ; skos:prefLabel "A',
        "Turtle",
    ),
    "invalid.rdf": (
        b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/"
        b"22-rdf-syntax-ns#'><rdf:Description",
        "RDF/XML",
    ),
    "quote.csv": (b'term,definition\nChurn,"customers lost\nUpsell,more\n', "quote"),
    "nothing.ttl": (b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n", "no SKOS concepts"),
}


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("damaged") / "build"
    assert main(["ingest", str(RAW), "--build-dir", str(folder)]) == 0
    return folder


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_damaged_file_fails_cleanly_and_keeps_the_build(
    name: str, build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    data, message = DAMAGED[name]
    bad = tmp_path / name
    bad.write_bytes(data)
    before = snapshot(build)
    code = main(["ingest", str(RAW), str(bad), "--build-dir", str(build)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(bad) in err and message.lower() in err.lower(), err
    assert snapshot(build) == before
    assert Glossary.load(build).concepts


def test_skos_cycles_and_dangling_references_import_with_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cycle.ttl"
    path.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<http://x/a> a skos:Concept ; skos:prefLabel "Alpha"@en ; skos:broader <http://x/b> .\n'
        '<http://x/b> a skos:Concept ; skos:prefLabel "Beta"@en ; skos:broader <http://x/a> .\n'
        '<http://x/c> a skos:Concept ; skos:prefLabel "Gamma"@en ; skos:broader <http://x/z> .\n'
    )
    code = main(["ingest", str(path), "--build-dir", str(tmp_path / "b")])
    out = capsys.readouterr().out
    assert code == 0
    assert "cycle" in out.lower() and "http://x/z" in out
    assert len(Glossary.load(tmp_path / "b").concepts) == 3
