"""Human decisions, reviewed and kept in `data/curation.toml`, applied on every ingest.

    [[merge]]       labels = ["A", "B"]            reason = "..."   one concept
    [[split]]       labels = ["A", "B"]            reason = "..."   never one concept
                    sources = ["src-a", "src-b"]   (optional) each side only from that source:
                    labels = ["Backlog", "Backlog"] with two sources keeps one name's two
                    meanings apart; "" takes the entries no other side names by source;
                    "src-a:12" is the entry of src-a spanning line 12 (two rows of one file)
    [[label]]       concept = "A"  preferred = "..."  alt = [...]  hidden = [...]
    [[definition]]  concept = "A"  source = "source-id"  line = 12  (line optional)
    [[relation]]    from = "A"  to = "B"  kind = "related|broader|narrower"  reason = "..."
    [[phrasing]]    concept = "A"  phrases = ["...", ...]   everyday wordings, for search only

A concept is named by any of its labels. A decision that matches nothing is reported.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import ManifestError

RELATION_KINDS = ("related", "broader", "narrower")
KINDS = ("merge", "split", "label", "definition", "relation", "phrasing")


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # merge, split, label, definition, relation
    number: int  # its place among decisions of its kind, for messages
    labels: tuple[str, ...] = ()  # merge/split: the labels; others: (concept,) or (from, to)
    reason: str = ""
    preferred: str | None = None
    alt: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    source: str | None = None
    line: int | None = None
    relation: str | None = None
    phrases: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # split: the source of each side ("" for any)

    @property
    def where(self) -> str:
        return f"[[{self.kind}]] {self.number}"


@dataclass(slots=True)
class Curation:
    decisions: list[Decision] = field(default_factory=list)
    path: Path | None = None

    def of(self, kind: str) -> list[Decision]:
        return [d for d in self.decisions if d.kind == kind]


def load_curation(path: Path | None) -> Curation:
    """Read the curation file; a missing file means no decisions."""
    if path is None or not path.is_file():
        return Curation(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not valid TOML: {exc}") from None
    decisions: list[Decision] = []
    for kind in KINDS:
        for number, item in enumerate(data.get(kind, []), start=1):
            decisions.append(_decision(path, kind, number, item))
    unknown = set(data) - set(KINDS)
    if unknown:
        raise ManifestError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}")
    return Curation(decisions, path)


def _decision(path: Path, kind: str, number: int, item: Any) -> Decision:
    where = f"{path}: [[{kind}]] {number}"
    if not isinstance(item, dict):
        raise ManifestError(f"{where}: expected a table")

    def need(name: str) -> Any:
        if name not in item or item[name] in ("", []):
            raise ManifestError(f"{where}: needs '{name}'")
        return item[name]

    reason = str(item.get("reason", ""))
    if kind in ("merge", "split"):
        labels = need("labels")
        if not isinstance(labels, list) or len(labels) < 2:
            raise ManifestError(f"{where}: 'labels' must list at least two labels")
        sources = item.get("sources", [])
        if kind == "merge" and sources:
            raise ManifestError(f"{where}: 'sources' is for [[split]] only")
        if sources and (
            not isinstance(sources, list)
            or len(sources) != len(labels)
            or not all(isinstance(x, str) for x in sources)
        ):
            raise ManifestError(
                f"{where}: 'sources' must list one source id per label ({len(labels)}), "
                '"" for any source'
            )
        sides = tuple(map(str, labels))
        if not sources and len(set(map(str.casefold, sides))) < len(sides):
            raise ManifestError(
                f"{where}: a label on two sides needs 'sources' saying which source's entry "
                "each side is"
            )
        return Decision(kind, number, sides, reason, sources=tuple(sources))
    if kind == "label":
        return Decision(
            kind,
            number,
            (str(need("concept")),),
            reason,
            preferred=item.get("preferred"),
            alt=tuple(item.get("alt", ())),
            hidden=tuple(item.get("hidden", ())),
        )
    if kind == "definition":
        return Decision(
            kind,
            number,
            (str(need("concept")),),
            reason,
            source=str(need("source")),
            line=item.get("line"),
        )
    if kind == "phrasing":
        phrases = need("phrases")
        if not isinstance(phrases, list) or not all(
            isinstance(p, str) and p.strip() for p in phrases
        ):
            raise ManifestError(f"{where}: 'phrases' must be a list of non-empty strings")
        return Decision(
            kind,
            number,
            (str(need("concept")),),
            reason,
            phrases=tuple(" ".join(p.split()) for p in phrases),
        )
    relation = str(need("kind"))
    if relation not in RELATION_KINDS:
        raise ManifestError(f"{where}: kind must be one of {', '.join(RELATION_KINDS)}")
    return Decision(kind, number, (str(need("from")), str(need("to"))), reason, relation=relation)
