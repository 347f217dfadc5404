"""Choosing a concept's preferred label and definition, and spotting disagreements.

Preferred label: the name most entries use as their term (aliases count half); the full
form before an acronym; a misspelling never; on a tie the singular, then the form without
odd inner capitals, then the shorter, then alphabetical.

Preferred definition: among definitions written for this concept alone (not shared by a
combined entry), the one that agrees most with the others (mean word overlap), with a
bonus for a concise first sentence and a penalty for text that talks to the reader
("you", "your") or opens without naming its subject ("It", "This", "Things").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from ingest.concept import Conflict, Definition
from ingest.normalize import fold, label_key, words_of
from ingest.terms import is_acronym

_STOP = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the their this "
    "to was were which with your you they them can may will".split()
)
_VAGUE_OPENINGS = (
    "it ",
    "this ",
    "that ",
    "there ",
    "things ",
    "how ",
    "as you",
    "technically",
    "basically",
    "growth ",
)
# a definition that only points at another name ("Another name for net revenue retention")
_POINTERS = ("another name for", "other name for", "same as ", "synonym for", "see ")
_MEASURES = {
    "profit": "profit",
    "profits": "profit",
    "revenue": "revenue",
    "revenues": "revenue",
    "cost": "cost",
    "costs": "cost",
}
_UNITS = {
    "percentage": "a percentage",
    "percent": "a percentage",
    "ratio": "a percentage",
    "rate": "a percentage",
    "%": "a percentage",
    "amount": "an amount",
    "total": "an amount",
    "sum": "an amount",
    "dollars": "an amount",
    "dollar": "an amount",
    "value": "an amount",
}


def choose_label(names: Mapping[str, float], hidden: set[str]) -> str:
    """The preferred label among surface names weighted by use (see module docstring)."""
    as_written = {label_key(n, singular_last=False) for n in names}
    all_singular = Counter(" ".join(words_of(n)) for n in names)

    def rank(name: str) -> tuple[bool, bool, bool, float, bool, int, int, str, str]:
        odd_caps = sum(
            1 for w in name.split() for ch in w[1:] if ch.isupper() and not is_acronym(w)
        )
        singular_exists = label_key(name) != label_key(name, singular_last=False) and (
            label_key(name) in as_written
        )
        words = fold(name).split()
        plural_words = sum(1 for w in words if words_of(w) != [w])
        has_sibling = all_singular[" ".join(words_of(name))] > 1
        return (
            name.casefold() in hidden,
            is_acronym(name),
            has_sibling and plural_words > 0 and not singular_exists,
            -names[name],
            singular_exists,
            odd_caps,
            len(name),
            name.casefold(),
            name,
        )

    return min(names, key=rank)


def choose_definition(
    definitions: Sequence[Definition], language: str | None = None
) -> tuple[int | None, str]:
    """Index of the preferred definition and the reason it was chosen; one in the concept's
    `language` (None: English) if any is."""
    if not definitions:
        return None, "no source defines it"
    own = [i for i, d in enumerate(definitions) if not d.shared_with]
    pool = own or list(range(len(definitions)))
    if len(pool) > 1 and len({definitions[i].language for i in pool}) > 1:
        pool = [i for i in pool if definitions[i].language == language] or pool
        if len(pool) == 1:
            return pool[0], "the only one in the language of its preferred label"
    if len(pool) == 1:
        only = "the only definition" if len(definitions) == 1 else "the only one not shared"
        return pool[0], only
    bags = [_content(definitions[i].text) for i in pool]
    scores = []
    for n, i in enumerate(pool):
        others = [b for m, b in enumerate(bags) if m != n]
        agreement = sum(_jaccard(bags[n], b) for b in others) / len(others)
        text = definitions[i].text
        first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        quality = 0.15 if 30 <= len(first) <= 250 else 0.0
        lowered = text.lower()
        if re.search(r"\byou(r)?\b", first.lower()):
            quality -= 0.15
        if lowered.startswith(_VAGUE_OPENINGS):
            quality -= 0.15
        if is_pointer(text):
            quality -= 0.5
        scores.append((agreement + quality, -n, i))
    best = max(scores)
    return best[2], (
        f"agrees most with the other {len(pool) - 1} definitions and reads as a "
        "self-contained definition"
    )


def is_pointer(text: str) -> bool:
    """Whether a definition only points at another name ("Another name for NRR", "See X")."""
    return text.lower().startswith(_POINTERS)


def _content(text: str) -> set[str]:
    return {w for w in words_of(text) if w not in _STOP and len(w) > 2}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def find_conflicts(definitions: Sequence[Definition], labels: Sequence[str]) -> list[Conflict]:
    """Sources that disagree on what the concept is: profit vs revenue, a percentage vs an
    amount. Read from the opening words of each definition, the concept's own names removed
    (so "churn rate" does not say churn is a rate)."""
    own = sorted({fold(label) for label in labels}, key=len, reverse=True)
    conflicts = []
    for aspect, lexicon, window in (
        ("what it measures", _MEASURES, 10),
        ("what kind of number it is", _UNITS, 8),
    ):
        positions: dict[str, list[int]] = {}
        for i, d in enumerate(definitions):
            if d.shared_with:
                continue
            text = f" {fold(d.text)} "
            for name in own:
                text = text.replace(f" {name} ", " ")
            words = text.split()[:window]
            value = next((lexicon[w] for w in words if w in lexicon), None)
            if value:
                positions.setdefault(value, []).append(i)
        if len(positions) > 1:
            conflicts.append(
                Conflict(
                    aspect, tuple((value, tuple(idx)) for value, idx in sorted(positions.items()))
                )
            )
    return conflicts
