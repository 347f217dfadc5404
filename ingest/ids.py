"""Stable concept ids.

An id is the slug of the preferred label when a concept is first seen. A rebuild passes in
the previous build's ids with the label keys each covered, and every concept keeps the id
of the previous concept it shares names with, so adding a source renames nothing; ids of
concepts merged into another are kept as its former ids. A concept read from SKOS keeps
the last segment of its URI when that is a free slug, so an export reads back unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from ingest.concept import Concept
from ingest.evidence import name_key
from ingest.sources import slug

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


SOURCE = "source:"  # marks a source id among a build's id keys (a name key never has ":")


def label_keys(concept: Concept) -> list[str]:
    """Keys of all its names, preferred label first."""
    return list(dict.fromkeys(name_key(label) for label in concept.labels))


def id_keys(concept: Concept) -> list[str]:
    """What a build records of each id for the next build: its label keys, preferred first,
    then its sources, which tell two concepts of one name apart after a [[split]]."""
    return [*label_keys(concept), *(f"{SOURCE}{s}" for s in sorted(set(concept.sources)))]


class Previous:
    """The ids of the build before, with the label keys and sources each covered."""

    def __init__(self, ids: Mapping[str, Sequence[str]]) -> None:
        self.sources = {
            old_id: {k.removeprefix(SOURCE) for k in keys if k.startswith(SOURCE)}
            for old_id, keys in ids.items()
        }
        self.keys = {
            old_id: [k for k in keys if not k.startswith(SOURCE)] for old_id, keys in ids.items()
        }
        self.owner: dict[str, str] = {}
        for old_id in sorted(self.keys):
            for key in self.keys[old_id]:
                self.owner.setdefault(key, old_id)
        self.pref_of = {old_id: keys[0] for old_id, keys in self.keys.items() if keys}

    def kinship(self, concept: Concept) -> int:
        """How much of an earlier concept it is: the names and sources it shares with the
        one it shares most with. Of two concepts one name now splits, the one more like the
        earlier concept is that concept (the seeds' Champion, not a security glossary's)."""
        mine = set(label_keys(concept))
        held = set(concept.sources)
        olds = {self.owner[k] for k in mine if k in self.owner}
        return max(
            (len(mine & set(self.keys[o])) + len(held & self.sources[o]) for o in olds), default=0
        )


def assign_ids(concepts: Sequence[Concept], previous: Mapping[str, Sequence[str]]) -> None:
    """Set `id` (and `former_ids`) on every concept."""
    before = Previous(previous)
    owner, pref_of = before.owner, before.pref_of
    # of two concepts one name now splits, the one more like the earlier concept, then the
    # one its curated phrasings describe, keeps the id
    ordered = sorted(
        concepts,
        key=lambda c: (name_key(c.pref_label), -before.kinship(c), -len(c.phrasings), c.pref_label),
    )
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
    reserved = taken | set(before.keys)
    for concept in ordered:
        if concept.id:
            continue
        base = _from_uri(concept.uri) or slug(concept.pref_label)
        candidate, n = base, 2
        while candidate in reserved:
            candidate, n = f"{base}-{n}", n + 1
        concept.id = candidate
        reserved.add(candidate)
    _forward(ordered, before, taken)


def _forward(concepts: Sequence[Concept], before: Previous, taken: set[str]) -> None:
    """An earlier id no concept kept (its concept merged into one named otherwise: "Cost of
    Customer Retention" into "Cost of Retention" once a source gives both CORE) becomes a
    former id of the concept now holding most of its names, so links to it still resolve."""
    by_id = {c.id: c for c in concepts}
    holders: dict[str, list[str]] = {}
    for concept in concepts:
        for key in label_keys(concept):
            holders.setdefault(key, []).append(concept.id)
    for old_id, keys in sorted(before.keys.items()):
        if old_id in taken or old_id in by_id:
            continue
        counts = Counter(i for key in set(keys) for i in holders.get(key, ()))
        if counts:
            best = max(counts, key=lambda i: (counts[i], i))
            if old_id not in by_id[best].former_ids:
                by_id[best].former_ids.append(old_id)


def _from_uri(uri: str | None) -> str | None:
    if not uri:
        return None
    tail = re.split(r"[/#]", uri.rstrip("/#"))[-1]
    return tail if _SLUG.match(tail) else None
