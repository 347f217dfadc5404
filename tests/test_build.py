"""A build folder is replaced atomically and refused, with a clear message, when damaged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.cli import main
from kg.errors import BuildError
from kg.glossary import Glossary
from tests.conftest import RAW


@pytest.fixture()
def build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "build"
    assert main(["ingest", str(RAW), "--build-dir", str(folder)]) == 0
    capsys.readouterr()
    return folder


def test_missing_build_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="run `kg ingest` first"):
        Glossary.load(tmp_path / "nothing")


@pytest.mark.parametrize("damage", ["delete", "truncate", "flip"])
def test_damaged_files_are_refused(build: Path, damage: str) -> None:
    target = build / "concepts.jsonl"
    if damage == "delete":
        target.unlink()
        message = "is missing"
    elif damage == "truncate":
        target.write_bytes(target.read_bytes()[:100])
        message = "does not match its checksum"
    else:
        data = bytearray(target.read_bytes())
        data[50] ^= 1
        target.write_bytes(bytes(data))
        message = "does not match its checksum"
    with pytest.raises(BuildError, match=message):
        Glossary.load(build)


def test_a_loaded_build_reads_its_entries_only_when_asked(
    build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Serving needs each source's counts, not its entries (636 MiB at 100,000 concepts)."""
    import kg.glossary

    built = Glossary.load(build)
    expected_counts = built.counts()
    expected_entries = built.entries()

    def refuse(row: object) -> object:
        raise AssertionError("an entry was read")

    monkeypatch.setattr(kg.glossary, "entry_from_row", refuse)
    loaded = Glossary.load(build)
    assert loaded.counts() == expected_counts
    assert [loaded.entry_counts(s)[0] for s in loaded.sources] == [
        sum(1 for e in expected_entries if e.source == s.id) for s in loaded.sources
    ]
    loaded.concept("NRR")
    monkeypatch.undo()
    assert loaded.entries() == expected_entries
    assert loaded.counts() == expected_counts


def test_manifest_from_another_version_is_refused(build: Path) -> None:
    manifest = json.loads((build / "manifest.json").read_text())
    manifest["format_version"] = 999
    (build / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BuildError, match="written by another version"):
        Glossary.load(build)


def test_garbled_manifest_is_refused(build: Path) -> None:
    (build / "manifest.json").write_text("{not json")
    with pytest.raises(BuildError, match="corrupted"):
        Glossary.load(build)


def test_damaged_build_gives_one_line_cli_error(
    build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (build / "entries.jsonl").unlink()
    assert main(["show", "churn", "--build-dir", str(build)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "entries.jsonl is missing" in err


@pytest.mark.parametrize("after_seconds", [0.8, 1.6, 2.4])
def test_a_killed_ingest_leaves_a_complete_build(build: Path, after_seconds: float) -> None:
    counts = Glossary.load(build).counts()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from api.cli import run; run()",
            "ingest",
            str(RAW),
            "--build-dir",
            str(build),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after_seconds)  # somewhere in loading, reading, merging or saving
    process.send_signal(signal.SIGKILL)
    process.wait()
    # the old build or a whole new one, checksums verified on load; never a partial one
    assert Glossary.load(build).counts() == counts


def test_crash_between_the_two_renames_is_recovered(build: Path) -> None:
    parked = build.with_name(f".{build.name}.old-12345")
    os.rename(build, parked)  # as if killed after moving the old build aside
    assert Glossary.load(build).concepts
    assert build.is_dir() and not parked.exists()
