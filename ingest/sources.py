"""The sources manifest (`sources.toml` beside the raw files) and source ids."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import ManifestError
from ingest.language import language_tag

MANIFEST_NAME = "sources.toml"


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What the manifest says of one file (or what is guessed for an unlisted one)."""

    id: str
    title: str | None = None
    kind: str | None = None
    quirks: tuple[str, ...] = field(default_factory=tuple)
    language: str | None = None  # given in the manifest ("de"); None: English, or detected
    language_given: bool = False  # whether the manifest said (so "en" is not detected over)


def slug(text: str) -> str:
    """A lower-case, hyphenated id: "Net Revenue Retention" -> "net-revenue-retention"."""
    text = re.sub(r"[^\w\s-]", "", text.casefold().replace("&", " and "))
    return re.sub(r"[\s_-]+", "-", text).strip("-") or "x"


def load_manifest(folder: Path) -> dict[str, SourceInfo]:
    """File name -> SourceInfo for a folder's manifest; empty when there is none."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not valid TOML: {exc}") from None
    out: dict[str, SourceInfo] = {}
    for i, item in enumerate(data.get("source", []), start=1):
        if not isinstance(item, dict) or "file" not in item or "id" not in item:
            raise ManifestError(f"{path}: [[source]] number {i} needs both 'file' and 'id'")
        if slug(item["id"]) != item["id"]:
            raise ManifestError(
                f"{path}: source id {item['id']!r} must be a slug like {slug(item['id'])!r}"
            )
        given = "language" in item
        try:
            language = language_tag(item["language"], f"[[source]] {item['id']}") if given else None
        except ValueError as exc:
            raise ManifestError(f"{path}: {exc}") from None
        out[item["file"]] = SourceInfo(
            id=item["id"],
            title=item.get("title"),
            kind=item.get("kind"),
            quirks=tuple(item.get("quirks", ())),
            language=language,
            language_given=given,
        )
    ids = [info.id for info in out.values()]
    if len(ids) != len(set(ids)):
        raise ManifestError(f"{path}: source ids must be unique")
    return out


def missing_files(folder: Path, manifest: dict[str, SourceInfo]) -> list[str]:
    """A note for each manifest entry whose file is not in the folder (renamed, deleted,
    misspelt), which would otherwise be left out without a word."""
    return [
        f"{folder / MANIFEST_NAME}: [[source]] {info.id!r} names {name!r}, which is not in "
        "the folder; nothing read for it"
        for name, info in manifest.items()
        if not (folder / name).is_file()
    ]
