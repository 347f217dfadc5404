"""Stable concept ids.

An id is the slug of the preferred label when a concept is first seen. A rebuild passes in
the previous build's ids with the label keys each covered, and every concept keeps the id
of the previous concept it shares names with, so adding a source renames nothing; ids of
concepts merged into another are kept as its former ids. A concept read from SKOS keeps
the last segment of its URI when that is a free slug, so an export reads back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ingest.concept import Concept
from ingest.evidence import name_key
from ingest.sources import slug

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def label_keys(concept: Concept) -> list[str]:
    """Keys of all its names, preferred label first."""
    return list(dict.fromkeys(name_key(label) for label in concept.labels))


def assign_ids(concepts: Sequence[Concept], previous: Mapping[str, Sequence[str]]) -> None:
    """Set `id` (and `former_ids`) on every concept."""
    owner: dict[str, str] = {}
    for old_id in sorted(previous):
        for key in previous[old_id]:
            owner.setdefault(key, old_id)
    pref_of = {old_id: keys[0] for old_id, keys in previous.items() if keys}
    ordered = sorted(concepts, key=lambda c: (name_key(c.pref_label), c.pref_label))
    taken: set[str] = set()

    def claim(concept: Concept, strict: bool) -> None:
        keys = label_keys(concept)
        candidates = sorted({owner[k] for k in keys if k in owner} - taken)
        if strict:
            candidates = [c for c in candidates if pref_of.get(c) == keys[0]]
        if not candidates:
            return
        best = max(candidates, key=lambda c: (sum(owner.get(k) == c for k in keys), c))
        concept.id = best
        concept.former_ids = [c for c in candidates if c != best]
        taken.update(candidates)

    for strict in (True, False):
        for concept in ordered:
            if not concept.id:
                claim(concept, strict)
    reserved = taken | set(previous)
    for concept in ordered:
        if concept.id:
            continue
        base = _from_uri(concept.uri) or slug(concept.pref_label)
        candidate, n = base, 2
        while candidate in reserved:
            candidate, n = f"{base}-{n}", n + 1
        concept.id = candidate
        reserved.add(candidate)


def _from_uri(uri: str | None) -> str | None:
    if not uri:
        return None
    tail = re.split(r"[/#]", uri.rstrip("/#"))[-1]
    return tail if _SLUG.match(tail) else None
