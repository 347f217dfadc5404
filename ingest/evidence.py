"""Evidence that two entries name the same concept.

Each kind of evidence is a function yielding `Link`s between units (an entry, or one term
of a combined entry). Strong evidence merges alone; weak evidence (initials matching an
acronym) merges only with support: a shared first word and similar definitions. Similar
definitions alone never merge anything: related opposites (upsell / downsell) read alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from ingest.model import Entry, Flag
from ingest.normalize import fold, label_key, singularise_label, words_of
from ingest.subject import infer_subject
from ingest.terms import SMALL_WORDS, acronym_base, acronym_matches, is_acronym, words

Embed = Callable[[list[str]], np.ndarray]

# evidence kinds, strongest first; the order edges are applied in
STRONG = ("curated", "label", "acronym", "acronym-for", "see", "subject")
KINDS = (*STRONG, "misspelling", "initials")
SIMILARITY_FLOOR = 0.40  # cosine of definitions that supports an initials match (see docs)


@dataclass(slots=True)
class Unit:
    """One mergeable thing: an entry, or one term of a combined entry."""

    index: int
    entry: Entry
    term: str
    aliases: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)  # acronyms that are its own names
    mentions: list[str] = field(default_factory=list)  # acronyms named with it, not its own
    shared_with: tuple[str, ...] = ()

    @property
    def definition(self) -> str | None:
        if self.entry.has(Flag.ACRONYM_ONLY):
            return None
        return self.entry.definition

    @property
    def names(self) -> list[str]:
        return [self.term, *self.aliases, *self.acronyms]


@dataclass(frozen=True, slots=True)
class Link:
    a: int
    b: int
    kind: str
    detail: str
    names: tuple[str, ...] = ()  # the two names or spellings that matched
    # a fallback between two holders of one name, both already linked to its first holder:
    # it joins them only if a [[split]] kept that first holder apart
    spare: bool = False


def make_units(entries: Sequence[Entry]) -> tuple[list[Unit], list[Entry]]:
    """Units to merge, and the entries that cannot be placed (no term)."""
    units: list[Unit] = []
    unplaced: list[Entry] = []
    for entry in entries:
        if not entry.term:
            unplaced.append(entry)
            continue
        own, mentions = _own_acronyms(entry)
        if len(entry.terms) > 1:
            # "EBR and QBR (Executive & Quarterly Business Reviews)": one review each
            distributed = len(entry.acronyms) == len(entry.terms)
            for term in entry.terms:
                name = singularise_label(term) if distributed else term
                mine = [a for a in own if acronym_matches(a, name)]
                units.append(
                    Unit(
                        len(units),
                        entry,
                        name,
                        [],
                        mine,
                        [a for a in own if a not in mine] + mentions,
                        tuple(t for t in entry.terms if t != term),
                    )
                )
        else:
            term, aliases = entry.term, list(entry.aliases)
            if is_acronym(term) and aliases and not entry.has(Flag.ACRONYM_ONLY):
                own = [acronym_base(term), *own]  # "API is an acronym for ..."
                term, aliases = aliases[0], aliases[1:]
            elif entry.has(Flag.ACRONYM_ONLY) and is_acronym(term):
                own = [acronym_base(term), *own]
                term, aliases = (aliases[0], aliases[1:]) if aliases else (term, aliases)
            units.append(Unit(len(units), entry, term, aliases, own, mentions, entry.shared_with))
    return units, unplaced


def _own_acronyms(entry: Entry) -> tuple[list[str], list[str]]:
    """An entry's acronyms that name it, and those it only mentions.

    "Business Review (QBR/EBR)" names two kinds of business review: when none of several
    acronyms abbreviates the term, they are mentions, not names.
    """
    acronyms = [acronym_base(a) for a in entry.acronyms]
    names = [entry.term, *entry.terms, *entry.aliases]
    matching = [a for a in acronyms if any(acronym_matches(a, n) for n in names)]
    if len(acronyms) > 1 and not matching:
        return [], acronyms
    return acronyms, []


def _key(name: str) -> str:
    return "acronym:" + acronym_base(name).upper() if is_acronym(name) else label_key(name)


def label_links(units: Sequence[Unit]) -> Iterator[Link]:
    """Units sharing a name: the same label up to case, spacing, hyphens and plural, or the
    same acronym; "Acronym for X" entries join X by the same route."""
    index: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for unit in units:
        for name in unit.names:
            index[_key(name)].append((unit.index, name))
            if shouted(name):  # "CHURN" in an all-capitals glossary is also the word Churn
                # (and "BOOKINGS" the plural Bookings: written in capitals, it is words)
                index[label_key(name.lower())].append((unit.index, name))
    for key, holders in sorted(index.items()):
        first, first_name = holders[0]
        for other, name in holders[1:]:
            if other == first:
                continue
            kind = _name_kind(key, units[first], units[other])
            yield Link(first, other, kind, f"{first_name!r} = {name!r}", (first_name, name))
        # the others with each other too, in case the first is split off ("Adoption" of a
        # security glossary kept apart from the two seed glossaries' Adoption)
        rest = list(dict((unit, name) for unit, name in holders[1:] if unit != first).items())
        for i, (a, a_name) in enumerate(rest[:MAX_SPARE]):
            for b, b_name in rest[i + 1 : MAX_SPARE]:
                kind = _name_kind(key, units[a], units[b])
                yield Link(a, b, kind, f"{a_name!r} = {b_name!r}", (a_name, b_name), spare=True)


MAX_SPARE = 20  # holders of one name linked pairwise as a fallback (20 make 171 links)


def _name_kind(key: str, a: Unit, b: Unit) -> str:
    if key.startswith("acronym:"):
        return "acronym"
    if a.entry.has(Flag.ACRONYM_ONLY) or b.entry.has(Flag.ACRONYM_ONLY):
        return "acronym-for"
    return "label"


def shouted(name: str) -> bool:
    """A name in capitals, long enough to be words as well as an acronym ("CHURN")."""
    return name.isupper() and sum(ch.isalpha() for ch in name) >= 5


def see_links(units: Sequence[Unit]) -> Iterator[Link]:
    """ "Customer Onboarding: See User Onboarding" names one concept twice."""
    index = _name_index(units)
    for unit in units:
        for target in unit.entry.see:
            for other in index.get(_key(target), ()):
                if other != unit.index:
                    yield Link(unit.index, other, "see", f"{unit.term!r} says see {target!r}")


def subject_links(units: Sequence[Unit]) -> Iterator[Link]:
    """A definition that calls its term by a longer name another entry uses:
    "Health Score" defined as "Customer health scores offer..."."""
    index = _name_index(units)
    for unit in units:
        definition = unit.definition
        if not definition or unit.entry.has(Flag.TERM_INFERRED):
            continue
        subject = infer_subject(definition)
        if subject is None:
            continue
        name = subject[0]
        term_words, subject_words = set(words_of(unit.term)), set(words_of(name))
        if not (term_words < subject_words):
            continue
        for other in index.get(_key(name), ()):
            if other != unit.index:
                yield Link(unit.index, other, "subject", f"{unit.term!r} is defined as {name!r}")


def misspelling_links(units: Sequence[Unit]) -> Iterator[Link]:
    """Names that differ by a small misspelling: Net Promotor / Net Promoter Score.

    Only names with the same number of words, every differing word itself close; compared
    within blocks (word count, first letters), each block scored at once by rapidfuzz.
    """
    blocks: dict[tuple[int, str], dict[str, list[tuple[int, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for unit in units:
        for name in [unit.term, *unit.aliases]:
            words = fold(name).split()
            if is_acronym(name) or not words or len(name) < 8:
                continue
            blocks[(len(words), words[0][:2])][" ".join(words)].append((unit.index, name))
    for block in blocks.values():
        names = sorted(block)
        if len(names) < 2:
            continue
        scores = process.cdist(names, names, scorer=fuzz.ratio, score_cutoff=88, workers=1)
        for i, j in zip(*np.nonzero(np.triu(scores, k=1)), strict=True):
            x, y = names[i], names[j]
            if label_key(x) == label_key(y) or not _close(x, y) or _plural_variant(x, y):
                continue
            (a, name_a), (b, name_b) = block[x][0], block[y][0]
            if a != b:
                yield Link(a, b, "misspelling", f"{name_a!r} ~ {name_b!r}", (name_a, name_b))


def one_word_misspelling_links(units: Sequence[Unit], embed: Embed | None) -> Iterator[Link]:
    """One-word names one edit apart, a swap of two letters counting as one ("Renewel" /
    Renewal, "Upsel" / Upsell, "Champoin" / Champion), too short for `misspelling_links`'
    ratio. One of the two is no English word (so "Quota" and "Quote" are two words) and their
    definitions agree as an initials match's must (SIMILARITY_FLOOR)."""
    from rapidfuzz.distance import OSA

    from ingest.clean import english_words

    english = english_words()
    blocks: dict[str, dict[str, list[Unit]]] = defaultdict(lambda: defaultdict(list))
    for unit in units:
        for name in [unit.term, *unit.aliases]:
            word = fold(name)
            if len(word) >= 5 and word.isalpha() and not is_acronym(name):
                blocks[word[:2]][word].append(unit)
    for block in blocks.values():
        names = sorted(block)
        if len(names) < 2:
            continue
        distances = process.cdist(names, names, scorer=OSA.distance, score_cutoff=1, workers=1)
        for i, j in zip(*np.nonzero(np.triu(distances == 1, k=1)), strict=True):
            x, y = names[i], names[j]
            if (x in english and y in english) or label_key(x) == label_key(y):
                continue
            a, b = block[x][0], block[y][0]
            if a.index == b.index or not a.definition or not b.definition:
                continue
            if _similarity(a.definition, b.definition, embed) >= SIMILARITY_FLOOR:
                name_a = next(n for n in [a.term, *a.aliases] if fold(n) == x)
                name_b = next(n for n in [b.term, *b.aliases] if fold(n) == y)
                yield Link(
                    a.index, b.index, "misspelling", f"{name_a!r} ~ {name_b!r}", (name_a, name_b)
                )


def _plural_variant(x: str, y: str) -> bool:
    """ "customer relationships management" vs "customer relationship management"."""
    return words_of(x) == words_of(y)


def plural_links(units: Sequence[Unit]) -> Iterator[Link]:
    """Names equal once every word is singular (the last word is already in `label`)."""
    index: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for unit in units:
        for name in [unit.term, *unit.aliases]:
            if not is_acronym(name):
                index[" ".join(words_of(name))].append((unit.index, name))
    for holders in index.values():
        first, first_name = holders[0]
        for other, name in holders[1:]:
            if other != first and label_key(first_name) != label_key(name):
                yield Link(first, other, "label", f"{first_name!r} = {name!r} (plural)")


def misspelt_pair(x: str, y: str) -> bool:
    """Two spellings of one name, one of them a misspelling (not a plural or case)."""
    fx, fy = fold(x), fold(y)
    return (
        len(fx.split()) == len(fy.split())
        and label_key(x) != label_key(y)
        and not _plural_variant(fx, fy)
        and _close(fx, fy)
    )


def _close(x: str, y: str) -> bool:
    if fuzz.ratio(x, y) < 88:
        return False
    pairs = [(p, q) for p, q in zip(x.split(), y.split(), strict=True) if p != q]
    return all(len(p) >= 5 and len(q) >= 5 and fuzz.ratio(p, q) >= 80 for p, q in pairs)


def initials_links(units: Sequence[Unit], embed: Embed | None) -> Iterator[Link]:
    """A term whose initials are another entry's stated acronym (Gross Renewal Rate, GRR).

    Weak on its own, so it needs a shared first word and definitions that agree.
    """
    by_initial: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for unit in units:
        for acronym in unit.acronyms:
            if len(acronym) >= 3:
                by_initial[acronym[0].upper()][acronym.upper()].append(unit.index)
    candidates: list[tuple[int, int, str]] = []
    for unit in units:
        if unit.acronyms or is_acronym(unit.term) or not unit.term:
            continue
        n_words = len(words(unit.term))
        for acronym, holders in by_initial.get(unit.term[0].upper(), {}).items():
            if len(acronym) > 2 * n_words or not acronym_matches(acronym, unit.term):
                continue
            for other in holders:
                same_first = words_of(unit.term)[0] == words_of(units[other].term)[0]
                if other != unit.index and same_first:
                    candidates.append((unit.index, other, acronym))
    if not candidates:
        return
    for a, b, acronym in candidates:
        da, db = units[a].definition, units[b].definition
        if not da or not db:
            continue
        similarity = _similarity(da, db, embed)
        if similarity >= SIMILARITY_FLOOR:
            yield Link(
                a,
                b,
                "initials",
                f"{units[a].term!r} abbreviates to {acronym}, as {units[b].term!r} "
                f"does; definitions agree ({similarity:.2f})",
            )


def _similarity(a: str, b: str, embed: Embed | None) -> float:
    if embed is None:
        wa, wb = set(words_of(a)), set(words_of(b))
        return len(wa & wb) / max(1, len(wa | wb)) * 2  # a lexical stand-in, scaled
    vectors = embed([a, b])
    return float(np.dot(vectors[0], vectors[1]))


def _name_index(units: Sequence[Unit]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for unit in units:
        for name in unit.names:
            index[_key(name)].append(unit.index)
    return index


def name_key(name: str) -> str:
    """The key a name is matched by (acronyms by their letters, labels normalised)."""
    return _key(name)


def expansions(unit: Unit, acronym: str) -> list[str]:
    """The unit's names that `acronym` abbreviates and it holds as its own ("Customer
    Acquisition Cost" for CAC), not the acronym itself."""
    if acronym_base(acronym).upper() not in {acronym_base(a).upper() for a in unit.acronyms}:
        return []
    return [
        n for n in [unit.term, *unit.aliases] if not is_acronym(n) and acronym_matches(acronym, n)
    ]


def different_expansions(a: str, b: str) -> bool:
    """Two spelt-out names of one acronym sharing under half their words, and not one name
    misspelt: "Customer Acquisition Cost" and "Customer Advisory Council", "Annual
    Recurring Revenue" and "Annual Run Rate" (not "Gross Revenue Retention" and "Gross
    Retention Revenue", nor "Net Revenue Retention" and "Net Retention Rate")."""

    def stems(name: str) -> set[str]:  # "acquisition" and "acquiring" share "acqui"
        return {w[:5] for w in words_of(name) if w not in SMALL_WORDS}

    wa, wb = stems(a), stems(b)
    shared = len(wa & wb) / max(1, len(wa | wb))
    return shared < 0.5 and fuzz.token_sort_ratio(fold(a), fold(b)) < 85


def one_word_apart(a: str, b: str) -> tuple[str, str] | None:
    """The words two spelt-out names of one acronym differ by, when they are alike but for
    one word in the same place and not one name misspelt: "Customer Advisory Board" and
    "Change Advisory Board" give ("customer", "change"); "Net Revenue Retention" and "Net
    Retention Rate" (the same words moved) give None. Such names may name one thing
    ("Client" and "Customer Acquisition Cost") or two."""
    wa = [w for w in words_of(a) if w not in SMALL_WORDS]
    wb = [w for w in words_of(b) if w not in SMALL_WORDS]
    if len(wa) != len(wb) or len(wa) < 2 or fuzz.token_sort_ratio(fold(a), fold(b)) >= 90:
        return None
    apart = [(x, y) for x, y in zip(wa, wb, strict=True) if x[:5] != y[:5]]
    return apart[0] if len(apart) == 1 else None


def definitions_agree(a: str | None, b: str | None, embed: Embed | None) -> float | None:
    """The two definitions' similarity, or None when either is missing."""
    return None if not a or not b else _similarity(a, b, embed)
