"""Merging sourced entries into canonical concepts.

Entries become units (a combined entry gives one unit per term it names); evidence links
units (see `ingest.evidence`); links are applied strongest first and in a fixed order, so
the result does not depend on the order sources were read. Two things can never join:
different concepts of one structured source (distinct URIs), and the sides of a curated
split. Every join records its reason.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from rapidfuzz import fuzz, process

from ingest import evidence as ev
from ingest.canonical import choose_definition, choose_label, find_conflicts, is_pointer
from ingest.clean import english_words
from ingest.concept import Concept, Conflict, Definition, Joined
from ingest.curation import Curation
from ingest.ids import Previous, assign_ids
from ingest.model import Entry, Flag
from ingest.normalize import fold, singular
from ingest.terms import is_acronym

# Two spellings-out of one acronym are one concept only if their definitions read as
# near-paraphrases: MiniLM gives 0.44-0.83 for one concept's definitions in the seeds, and
# about 0.54 for two unrelated customer-success ones ("Customer Acquisition Cost" against
# "Customer Advisory Council"), so only a high cosine outweighs different names.
SAME_THING = 0.80
# A definition joined to a concept by a shared name is reported as perhaps another meaning
# when even the concept's definition nearest it is below this: in the seeds each such
# definition's nearest agrees at 0.37-0.95 (MiniLM), "Backlog" as revenue under contract
# against "Backlog" as open support tickets at 0.25, a conversion rate against a currency
# conversion at 0.02. The nearest, not every one: one concept's definitions can be far
# apart (a "Customer Health Score" of usage, tickets and NPS reads 0.28 against two seed
# definitions and 0.36 against a third), and a synonym is known by the one it reads like.
UNLIKE = 0.30
# A name shared only with entries that define nothing ("Onboarding: See User Onboarding") says
# no more than that the pointing source uses it for its concept; a definition that joins by
# it must read like the concept's own, the agreement of one concept's definitions in the
# seeds (their nearest 0.37-0.95; the two seed definitions joined this way, 0.65 and 0.82).
# Below it: an HR "Onboarding", a new hire's paperwork, at 0.47 against customer onboarding
# (the same words, "the process of integrating new ..."), HR "Retention" at 0.33.
UNLIKE_THROUGH_POINTER = 0.50


@dataclass(slots=True)
class MergeResult:
    concepts: list[Concept]
    unplaced: list[Entry] = field(default_factory=list)  # definitions with no term
    evidence: Counter[str] = field(default_factory=Counter)  # joins made by each kind
    refused: list[str] = field(default_factory=list)  # joins a constraint stopped
    notes: list[str] = field(default_factory=list)  # curation decisions that matched nothing


class _Components:
    """Union-find whose components carry tags that must never meet."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.tags: list[set[tuple[str, ...]]] = [set() for _ in range(size)]

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def clash(self, a: int, b: int, soft: bool = True) -> tuple[str, ...] | None:
        exclusive: dict[tuple[str, ...], tuple[str, ...]] = {}
        for tag in self.tags[a]:
            exclusive[tag[:-1]] = tag
        for tag in self.tags[b]:
            mine = exclusive.get(tag[:-1])
            if mine is not None and mine != tag and (soft or tag[0] not in ("export", "acronym")):
                return tag
        return None

    def keep_apart(self, a: int, b: int, prefix: tuple[str, ...], sides: tuple[str, str]) -> None:
        """Mark two components as different things, so no later link joins them: each gets
        a tag of `prefix` with its own side ("ARR": "annual run rate", "annual recurring
        revenue"); components of one side may still join."""
        self.tags[self.find(a)].add((*prefix, sides[0]))
        self.tags[self.find(b)].add((*prefix, sides[1]))

    def union(self, a: int, b: int, soft: bool = True) -> bool | tuple[str, ...]:
        """Join two components; with `soft` False (a person's decision) the export's
        distinct URIs do not stop it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        clash = self.clash(ra, rb, soft)
        if clash:
            return clash
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.tags[ra] |= self.tags[rb]
        return True


def merge(
    entries: Sequence[Entry],
    curation: Curation | None = None,
    embed: ev.Embed | None = None,
    previous_ids: Mapping[str, Sequence[str]] | None = None,
) -> MergeResult:
    """Merge entries into concepts with aliases, sourced definitions and reasons."""
    curation = curation or Curation()
    ordered = sorted(entries, key=lambda e: (e.source, e.lines or (0, 0), e.term, e.raw_term))
    ordered, combined = _combined(ordered)
    units, unplaced = ev.make_units(ordered)
    result = MergeResult([], unplaced)
    result.refused += combined
    parts = _Components(len(units))
    _tag_constraints(units, curation, parts, result)

    links = [
        *ev.label_links(units),
        *ev.plural_links(units),
        *ev.see_links(units),
        *ev.subject_links(units),
        *_curated_links(units, curation, result),
        *ev.misspelling_links(units),
    ]
    links += list(ev.one_word_misspelling_links(units, embed))
    links += list(ev.initials_links(units, embed))
    spelt = _spelt_out(links, units)
    near = _acronym_affinity(links, units, spelt, embed)
    links.sort(
        key=lambda k: (
            k.spare,  # fallbacks last: they join only what nothing else did
            ev.KINDS.index(k.kind),
            -near.get(k, 0.0),
            min(k.a, k.b),
            max(k.a, k.b),
            k.detail,
        )
    )
    accepted: list[ev.Link] = []
    for link in links:
        if link.kind == "label" and (listed := _listed_apart(units[link.a], units[link.b], embed)):
            if link.spare:
                continue
            result.refused.append(
                f"{units[link.a].term!r} and {units[link.b].term!r} not merged ({link.kind}: "
                f"{link.detail}): {listed}"
            )
            continue
        homonym = _homonym(link, units, parts, spelt, embed) if link.kind == "acronym" else None
        if homonym:
            why, x, y = homonym
            # nothing weaker joins them later ("Annual Recurring Revenue", with no acronym,
            # abbreviates to ARR as "Annual Run Rate" does)
            parts.keep_apart(link.a, link.b, ("acronym", link.names[0].upper()), (_key(x), _key(y)))
            if link.spare:
                continue
            result.refused.append(
                f"{units[link.a].term!r} and {units[link.b].term!r} not merged ({link.kind}: "
                f"{link.detail}): {why}"
            )
            continue
        outcome = parts.union(link.a, link.b, soft=link.kind != "curated")
        if outcome is True:
            result.evidence[link.kind] += 1
            accepted.append(link)
        elif link.spare:
            continue  # already together, or kept apart: its first holder's links say so
        elif outcome is False:
            accepted.append(link)  # already together: still a reason worth showing
        else:
            result.refused.append(
                f"{units[link.a].term!r} and {units[link.b].term!r} not merged ({link.kind}: "
                f"{link.detail}): {_explain_clash(outcome)}"
            )

    result.refused = list(dict.fromkeys(result.refused))  # one pair refused by many links
    groups: dict[int, list[int]] = defaultdict(list)
    for unit in units:
        groups[parts.find(unit.index)].append(unit.index)
    unlike_notes, unlike = _unlike(groups.values(), units, accepted, embed)
    result.notes += unlike_notes
    reasons: dict[int, list[str]] = defaultdict(list)
    misspelt: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for link in accepted:
        for me, other in ((link.a, link.b), (link.b, link.a)):
            reasons[me].append(f"{link.kind} with {_where(units[other].entry)}: {link.detail}")
        if link.kind == "misspelling":
            misspelt[parts.find(link.a)].add(link.names)
    words = _word_counts(ordered)
    concepts, spoken = [], []
    for root, members in sorted(groups.items()):
        group = [units[i] for i in members]
        spoken.append(_name_languages(group))
        concepts.append(_assemble(group, reasons, misspelt[root], words, spoken[-1]))
    _hidden_from_definitions(concepts)
    _apply_curation(concepts, curation, result, Previous(previous_ids or {}), embed)
    for concept, languages in zip(concepts, spoken, strict=True):  # a curated label's own
        _set_languages(concept, languages)
    _unlike_conflicts(concepts, unlike)
    assign_ids(concepts, previous_ids or {})
    concepts.sort(key=lambda c: (c.pref_label.casefold(), c.id))
    result.concepts = concepts
    return result


def _combined(entries: Sequence[Entry]) -> tuple[list[Entry], list[str]]:
    """The entries, each whose names another source defines apart made a combined entry
    (its definition given to each name, as "Upsell and Cross-sell" is), and why.

    "Cross-sell / Up-sell" in one cell reads like synonyms ("Initial / first value"), but a
    glossary that defines Cross-sell and Upsell as two entries of their own says they are two
    things, and a slash does not outweigh it, unless another source gives both names to
    one entry ("Churn or churn rate"). Entries that only point ("See User Onboarding") define
    nothing apart."""
    defined: dict[str, Counter[str]] = defaultdict(Counter)  # source -> name key -> entries
    together: dict[frozenset[str], set[str]] = defaultdict(set)  # two names -> sources
    for entry in entries:
        keys = _name_keys(entry)
        if entry.definition and not is_pointer(entry.definition) and not entry.see:
            for key in keys:
                defined[entry.source][key] += 1
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                together[frozenset((a, b))].add(entry.source)
    out: list[Entry] = []
    said: list[str] = []
    for entry in entries:
        names = [entry.term, *entry.aliases]
        keys = _name_keys(entry)
        if len(names) != len(keys) or len(keys) < 2 or entry.terms or entry.acronyms:
            out.append(entry)
            continue
        apart = sorted(
            source
            for source, counts in defined.items()
            if source != entry.source
            and any(
                counts[a] and counts[b] and not together[frozenset((a, b))] - {entry.source}
                for i, a in enumerate(keys)
                for b in keys[i + 1 :]
            )
        )
        if not apart:
            out.append(entry)
            continue
        out.append(replace(entry, aliases=(), terms=tuple(names)))
        verb = "defines" if len(apart) == 1 else "define"
        said.append(
            f"{entry.raw_term or entry.term!r} ({_where(entry)}) names {_join(names, repr)}, "
            f"which {_join(apart, str)} {verb} apart: read as one definition of each"
        )
    return out, said


def _key(expansion: str) -> str:
    """An expansion's words, in any order ("Gross Retention Revenue" is "Gross Revenue
    Retention")."""
    return " ".join(sorted(set(fold(expansion).replace("-", " ").split())))


def _name_keys(entry: Entry) -> list[str]:
    return list(dict.fromkeys(ev.name_key(n) for n in (entry.term, *entry.aliases) if n))


def _join(items: Sequence[str], show: Callable[[str], str]) -> str:
    shown = [show(n) for n in items]
    return " and ".join(shown) if len(shown) < 3 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _tag_constraints(
    units: Sequence[ev.Unit], curation: Curation, parts: _Components, result: MergeResult
) -> None:
    for unit in units:
        if unit.entry.uri:
            parts.tags[unit.index].add(("uri", unit.entry.source, unit.entry.uri))
            if unit.entry.has(Flag.EXPORTED):
                # this tool's export read back: its concepts' URIs are its concepts, whichever
                # sources cite them ("Backlog" of sales and of support stay apart)
                namespace = re.split(r"(?<=[/#])[^/#]*$", unit.entry.uri)[0]
                parts.tags[unit.index].add(("export", namespace, unit.entry.uri))
    for decision in curation.of("split"):
        sources = decision.sources or ("",) * len(decision.labels)
        sides = [
            [
                u
                for u in units
                if any(ev.name_key(n) == ev.name_key(label) for n in u.names)
                and (not source or _is_from(u.entry, source))
            ]
            for label, source in zip(decision.labels, sources, strict=True)
        ]
        # a side of any source ("") takes the entries no side names by source: ["Backlog",
        # "Backlog"] from ["support", ""] keeps support's apart from everyone else's
        named = {
            u.index for side, source in zip(sides, sources, strict=True) if source for u in side
        }
        for side, (found, source, label) in enumerate(
            zip(sides, sources, decision.labels, strict=True)
        ):
            found = [u for u in found if source or u.index not in named]
            for unit in found:
                parts.tags[unit.index].add(("split", str(decision.number), str(side)))
            if not found:
                where = f" from {source!r}" if source else ""
                result.notes.append(f"{decision.where}: no entry{where} is named {label!r}")
        mine = ("split", str(decision.number))
        both = [u for u in units if len({t for t in parts.tags[u.index] if t[:2] == mine}) > 1]
        if both:
            unit = both[0]
            result.notes.append(
                f"{decision.where}: one entry ({unit.entry.source}, {unit.term!r}) has names on "
                "both sides, so they cannot be split; the decision was not applied"
            )
            for u in units:
                parts.tags[u.index] = {t for t in parts.tags[u.index] if t[:2] != mine}


def _is_from(entry: Entry, source: str) -> bool:
    """Whether a [[split]] side's source names the entry: a source id, or an entry in it by
    a line it spans ("sales:12", as `kg entries` and `kg explain` print it)."""
    if entry.source == source:
        return True
    name, _, line = source.rpartition(":")
    return bool(
        name == entry.source
        and line.isdigit()
        and entry.lines
        and entry.lines[0] <= int(line) <= entry.lines[1]
    )


def _spelt_out(
    links: Sequence[ev.Link], units: Sequence[ev.Unit]
) -> dict[str, dict[int, list[str]]]:
    """For each acronym two units share: the units that spell it out, and how ("CAC":
    {3: ["Customer Acquisition Cost"], 7: ["Customer Advisory Council"]})."""
    spelt: dict[str, dict[int, list[str]]] = defaultdict(dict)
    for link in links:
        if link.kind == "acronym" and link.names:
            for u in (units[link.a], units[link.b]):
                held = spelt[link.names[0]]
                if u.index not in held and (found := ev.expansions(u, link.names[0])):
                    held[u.index] = found
    return spelt


def _acronym_affinity(
    links: Sequence[ev.Link],
    units: Sequence[ev.Unit],
    spelt: Mapping[str, Mapping[int, list[str]]],
    embed: ev.Embed | None,
) -> dict[ev.Link, float]:
    """For an acronym spelt out as different things ("CAC"), how well an entry giving only
    the acronym agrees with each spelt-out side: its nearest side is joined first (and the
    other then refused), whatever order the entries came in."""
    ambiguous = set()
    for acronym, by_unit in spelt.items():
        xs = sorted({x for found in by_unit.values() for x in found})
        if any(ev.different_expansions(x, y) for i, x in enumerate(xs) for y in xs[i + 1 :]):
            ambiguous.add(acronym)
    near: dict[ev.Link, float] = {}
    for link in links:
        if link.kind != "acronym" or not link.names or link.names[0] not in ambiguous:
            continue
        holders = spelt[link.names[0]]
        if (link.a in holders) != (link.b in holders):  # one side gives the acronym alone
            a, b = units[link.a], units[link.b]
            near[link] = ev.definitions_agree(a.definition, b.definition, embed) or 0.0
    return near


def _homonym(
    link: ev.Link,
    units: Sequence[ev.Unit],
    parts: _Components,
    spelt: Mapping[str, Mapping[int, list[str]]],
    embed: ev.Embed | None,
) -> tuple[str, str, str] | None:
    """Why an acronym shared by two groups of entries names two things, if it does, with
    what it stands for in the first group and in the second: each spells it out differently
    ("CAC": Customer Acquisition Cost, Customer Advisory Council) and their definitions are
    not near-paraphrases (or one is missing)."""
    acronym = link.names[0] if link.names else ""
    ra, rb = parts.find(link.a), parts.find(link.b)
    if ra == rb or not acronym:
        return None
    sides: dict[int, list[tuple[str, str | None]]] = {ra: [], rb: []}
    for i, found in spelt.get(acronym, {}).items():  # only the units that spell it out
        root = parts.find(i)
        if root in sides:
            sides[root] += [(x, units[i].definition) for x in found]
    pairs = [(x, dx, y, dy) for x, dx in sides[ra] for y, dy in sides[rb]]
    if any(_alike(x, y, embed) for x, _, y, _ in pairs):
        return None  # both spell it out alike somewhere: one thing, spelt out two ways too
    for x, dx, y, dy in pairs:
        agree = ev.definitions_agree(dx, dy, embed)
        if agree is None or agree < SAME_THING:
            how = "one is undefined" if agree is None else f"definitions differ ({agree:.2f})"
            return f"{acronym} stands for {x!r} in one and {y!r} in the other; {how}", x, y
    return None


# Two words one spelt-out name has in place of the other's at least this alike (MiniLM) are
# one name written two ways: "client" / "customer" 0.61, "consumer" 0.67, "user" 0.58, "price"
# / "cost" 0.74; not "change" / "customer" 0.37, "average" / "annual" 0.24, "point" / "proof".
SAME_WORD = 0.55


def _alike(x: str, y: str, embed: ev.Embed | None) -> bool:
    """Whether two spelt-out names of one acronym are one name written two ways: sharing
    half their words or more, unless they differ by one word in the same place whose two
    forms are unalike ("Change" / "Customer Advisory Board": the definitions decide)."""
    if ev.different_expansions(x, y):
        return False
    apart = ev.one_word_apart(x, y)
    if apart is None or embed is None:
        return True
    first, second = embed(list(apart))
    return float(np.dot(first, second)) >= SAME_WORD


def _listed_apart(a: ev.Unit, b: ev.Unit, embed: ev.Embed | None) -> str | None:
    """Why a term listed under another in one source ("Pipeline" as a status under
    "Kundenstatus") is not that source's own entry of the same name, if it is not: their
    definitions read unlike each other (a listed "MRR" defined as the glossary's MRR is)."""
    if a.entry.source != b.entry.source or a.entry.has(Flag.LISTED) == b.entry.has(Flag.LISTED):
        return None
    agree = ev.definitions_agree(a.definition, b.definition, embed)
    if agree is None or agree >= UNLIKE:
        return None
    listed = a if a.entry.has(Flag.LISTED) else b
    under = next((r.target for r in listed.entry.relations), "another term")
    return f"{listed.entry.source} lists one under {under!r} and defines the other on its own"


def _unlike(
    groups: Iterable[Sequence[int]],
    units: Sequence[ev.Unit],
    accepted: Sequence[ev.Link],
    embed: ev.Embed | None,
) -> tuple[list[str], list[tuple[Entry, Entry]]]:
    """Definitions joined to a concept by a name shared with another entry that
    read unlike every other definition of the concept, so the name may mean two things
    ("Backlog": revenue under contract, or support tickets waiting): what to check, and the
    [[split]] that would keep them apart; and each such entry with the one nearest it. A
    name shared only with entries that define nothing asks for more agreement (see
    UNLIKE_THROUGH_POINTER). One batch of encoding."""
    named = _Components(len(units))  # units joined by shared names, one to the next
    for link in accepted:
        if link.kind == "label":
            named.union(link.a, link.b)
    asked = []
    for members in groups:
        pool = [units[i] for i in members if _compared(units[i])]
        for unit in pool:
            partners = [
                units[i]
                for i in members
                if named.find(i) == named.find(unit.index) and _partner(unit, units[i])
            ]
            others = [
                o
                for o in pool
                if o.entry is not unit.entry and o.entry.language == unit.entry.language
            ]
            if partners and others:
                asked.append((unit, partners, others))
    texts = sorted({u.definition or "" for unit, _, others in asked for u in (unit, *others)})
    vectors = embed(texts) if embed is not None and texts else None
    where = {t: i for i, t in enumerate(texts)}

    def agree(a: ev.Unit, b: ev.Unit) -> float:
        if vectors is None:
            return ev.definitions_agree(a.definition, b.definition, None) or 0.0
        return float(np.dot(vectors[where[a.definition or ""]], vectors[where[b.definition or ""]]))

    notes, said = [], set()
    pairs: list[tuple[Entry, Entry]] = []
    for unit, partners, others in asked:
        score, nearest = max(((agree(unit, o), o) for o in others), key=lambda x: x[0])
        pair = frozenset((unit.index, nearest.index))
        pointers = not any(_compared(p) for p in partners)
        if score >= (UNLIKE_THROUGH_POINTER if pointers else UNLIKE) or pair in said:
            continue
        said.add(pair)
        sa = _side(unit, units)
        sides = {p.entry.source for p in partners}
        if len(partners) == 1:
            other = _side(partners[0], units)
        else:
            other = sides.pop() if len(sides) == 1 and unit.entry.source not in sides else ""
        if len(others) == 1:
            head = f"{sa} and {_side(nearest, units)} define it unlike each other ({score:.2f})"
        else:
            head = (
                f"{sa} defines it unlike all {len(others)} other definitions of the concept "
                f"(the nearest, {_where(nearest.entry)}, at {score:.2f})"
            )
        if pointers:
            through = ", ".join(_where(p.entry) for p in partners)
            head += (
                f", joined only through {through}, which define{'s' * (len(partners) == 1)} nothing"
            )
        label = partners[0].term if other else unit.term
        pairs.append((unit.entry, nearest.entry))
        notes.append(
            f"{unit.term!r}: {head}; merged as one name, but if they mean different things keep "
            f"them apart in the curation file: [[split]] labels = "
            f'["{unit.term}", "{label}"], sources = ["{sa}", "{other}"]'
        )
    return notes, pairs


def _unlike_conflicts(concepts: Sequence[Concept], pairs: Sequence[tuple[Entry, Entry]]) -> None:
    """Each pair of definitions `_unlike` found far apart that still share a concept, as a
    conflict of what the concept is, so `kg conflicts`, `kg show` and answers say it after
    ingest has ("Backlog": revenue under contract against open support tickets)."""
    if not pairs:
        return
    held: dict[tuple[str, tuple[int, int] | None, str], list[tuple[Concept, int]]] = {}
    for concept in concepts:  # a combined entry's definition is held by each of its concepts
        for i, d in enumerate(concept.definitions):
            held.setdefault((d.source, d.lines, d.text), []).append((concept, i))
    for a, b in pairs:
        of_b = {id(c): i for c, i in held.get((b.source, b.lines, b.definition or ""), [])}
        for concept, ia in held.get((a.source, a.lines, a.definition or ""), []):
            ib = of_b.get(id(concept))
            if ib is not None and ib != ia:
                sides = ((_opening(concept.definitions[i].text), (i,)) for i in (ia, ib))
                concept.conflicts.append(Conflict("what it is", tuple(sides)))
                break


def _opening(text: str, words: int = 6) -> str:
    """A definition's first words, quoted: “Revenue under signed contract that has…”."""
    head = text.split()
    return f"“{' '.join(head[:words])}{'…' if len(head) > words else ''}”"


def _compared(unit: ev.Unit) -> bool:
    """Whether a unit's definition says what its name means: not missing, not pointing at
    another name ("Another name for ..."), not written for several terms at once (which
    reads unlike any one)."""
    return bool(unit.definition and not unit.shared_with and not is_pointer(unit.definition))


def _partner(unit: ev.Unit, other: ev.Unit) -> bool:
    """Whether a unit sharing a name with `unit` makes it worth comparing: another entry
    (of any source: one CSV can hold two rows "Backlog"), defined in the same language (to
    an English model two languages read unlike) or defining nothing (a "See X" entry: the
    name alone joined them)."""
    return other.entry is not unit.entry and (
        not other.definition or other.entry.language == unit.entry.language
    )


def _side(unit: ev.Unit, units: Sequence[ev.Unit]) -> str:
    """How a [[split]] names the unit's entry: its source, or "source:line" where the source
    has another entry of the same name."""
    key = ev.name_key(unit.term)
    twice = any(
        u.entry.source == unit.entry.source
        and u.entry is not unit.entry
        and any(ev.name_key(n) == key for n in u.names)
        for u in units
    )
    return _where(unit.entry) if twice else unit.entry.source


def _where(entry: Entry) -> str:
    return f"{entry.source}:{entry.lines[0]}" if entry.lines else entry.source


def _explain_clash(tag: tuple[str, ...]) -> str:
    if tag[0] == "export":
        return f"they are distinct concepts of the export {tag[1]}"
    if tag[0] == "uri":
        return f"{tag[1]} keeps them as distinct concepts"
    if tag[0] == "acronym":
        return f"{tag[1]} stands for a different thing in each (see above)"
    return f"curation [[split]] {tag[1]} keeps them apart"


def _curated_links(
    units: Sequence[ev.Unit], curation: Curation, result: MergeResult
) -> list[ev.Link]:
    links = []
    for decision in curation.of("merge"):
        holders = []
        for label in decision.labels:
            key = ev.name_key(label)
            found = [u.index for u in units if any(ev.name_key(n) == key for n in u.names)]
            if not found:
                result.notes.append(f"{decision.where}: no entry is named {label!r}")
            holders.append(found)
        present = [h for h in holders if h]
        for other in present[1:]:
            links.append(
                ev.Link(present[0][0], other[0], "curated", decision.reason or "merged by curation")
            )
    return links


def _word_counts(entries: Sequence[Entry]) -> Counter[str]:
    """How often each word occurs across every source, a plural counted as its singular
    ("managers" attests "manager"): the rarer spelling is the misspelt."""
    counts: Counter[str] = Counter()
    for e in entries:
        text = fold(f"{e.term} {' '.join(e.aliases)} {e.definition or ''}")
        counts.update(singular(w) for w in text.split())
    return counts


def _assemble(
    members: list[ev.Unit],
    reasons: Mapping[int, list[str]],
    misspellings: set[tuple[str, ...]],
    words: Counter[str],
    spoken: Mapping[str, set[str]],
) -> Concept:
    weights: dict[str, float] = defaultdict(float)
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for unit in members:
        # a heading counts double; a term read back from the text, or one that points at
        # another name ("See X", "Another name for X"), counts as an alias
        inferred = any(
            unit.entry.has(f)
            for f in (Flag.TERM_INFERRED, Flag.TERM_FROM_REFERENCE, Flag.CROSS_REFERENCE)
        )
        for name, weight in [
            (unit.term, 1.0 if inferred else 2.0),
            *((a, 1.0) for a in unit.aliases),
            *((a, 1.0) for a in unit.acronyms),
        ]:
            weights[name.casefold()] += weight
            written[name.casefold()][name] += 1
    forms = {_display(written[k]): w for k, w in weights.items()}
    pairs = set(misspellings)
    for unit in members:  # a heading spelt one way over text spelt another
        pairs |= {(unit.term, a) for a in unit.aliases if ev.misspelt_pair(unit.term, a)}
    hidden = _misspelt_forms(pairs, words)
    # an English name if any source gives one: the answers and the search speak English;
    # a SKOS source has chosen its preferred labels already (this tool's export included)
    english = {f: w for f, w in forms.items() if "en" in spoken.get(f.casefold(), {"en"})}
    chosen = any(u.entry.uri for u in members)  # a SKOS concept, with its URI
    mixed = bool(english) and len(english) < len(forms) and not chosen
    pref = choose_label(english if mixed else forms, hidden)
    own = {f.casefold() for f in forms}
    see = sorted({t for u in members for t in u.entry.see if t.casefold() not in own})
    alt = sorted(
        {f for f in forms if f != pref and f.casefold() not in hidden} | set(see),
        key=lambda f: (f.casefold(), f),
    )
    concept = Concept(
        id="",
        pref_label=pref,
        alt_labels=alt,
        hidden_labels=sorted({f for f in forms if f.casefold() in hidden and f != pref}),
        acronyms=sorted({a for u in members for a in u.acronyms}),
        see=see,
        mentions=sorted({m for u in members for m in u.mentions} - {a.casefold() for a in own}),
        collections=sorted({c for u in members for c in u.entry.collections}),
        uri=min((u.entry.uri for u in members if u.entry.uri), default=None),
        origin=min((u.entry.origin for u in members if u.entry.origin), default=None),
    )
    seen: set[tuple[str, tuple[int, int] | None]] = set()
    for unit in members:
        e = unit.entry
        concept.joined.append(
            Joined(e.source, e.lines, unit.term, tuple(dict.fromkeys(reasons.get(unit.index, []))))
        )
        text = unit.definition
        if text and (e.source, e.lines) not in seen:
            seen.add((e.source, e.lines))
            concept.definitions.append(
                Definition(
                    text,
                    e.source,
                    e.lines,
                    e.raw_term or e.term,
                    tuple(sorted(unit.shared_with, key=str.casefold)),  # as an export reads back
                    e.language,
                )
            )
        where = f"{e.source}:{e.lines[0]}" if e.lines else e.source
        for relation in e.relations:
            concept.relations.append(
                (
                    relation.kind.value,
                    relation.target,
                    relation.target_uri,
                    relation.stated_in or where,
                )
            )
        for label in e.hidden:
            if label.casefold() not in own and label not in concept.hidden_labels:
                concept.hidden_labels.append(label)
        _add_phrasings(concept, e.phrasings)
    _set_languages(concept, spoken)
    concept.preferred, concept.preferred_reason = choose_definition(
        concept.definitions, concept.language
    )
    marked = [
        i
        for i, d in enumerate(concept.definitions)
        for u in members
        if u.entry.has(Flag.PREFERRED) and (u.entry.source, u.entry.lines) == (d.source, d.lines)
    ]
    if marked and marked[0] != concept.preferred:  # a re-read export keeps its choice
        concept.preferred = marked[0]
        concept.preferred_reason = "the preferred definition of the SKOS file it was read from"
    concept.conflicts = find_conflicts(concept.definitions, concept.labels)
    return concept


def _name_languages(members: Sequence[ev.Unit]) -> dict[str, set[str]]:
    """Each name the entries give (folded), with the languages of the entries giving it."""
    seen: dict[str, set[str]] = defaultdict(set)
    for unit in members:
        given = dict(unit.entry.name_languages)
        for name in [unit.term, *unit.aliases, *unit.acronyms, *unit.entry.hidden]:
            seen[name.casefold()].add(given.get(name) or unit.entry.language or "en")
    return seen


def _set_languages(concept: Concept, spoken: Mapping[str, set[str]]) -> None:
    """The concept's language, its preferred label's (None for English; kept for a curated
    label no entry gives), and its labels written only in another language's entries (a
    German entry's "Abwanderung" on a concept named in English), with that language."""
    if languages := spoken.get(concept.pref_label.casefold()):
        concept.language = None if "en" in languages else min(languages)
    mine = concept.language or "en"
    concept.label_languages = {
        label: min(languages)
        for label in concept.labels
        if (languages := spoken.get(label.casefold())) and mine not in languages
    }


def _display(spellings: Counter[str]) -> str:
    """The most used way of writing a name; on a tie, not in capitals ("Churn" over
    "CHURN"), then fewer odd inner capitals."""
    return min(
        spellings,
        key=lambda s: (
            -spellings[s],
            ev.shouted(s),
            sum(ch.isupper() for w in s.split() if not is_acronym(w) for ch in w[1:]),
            s,
        ),
    )


def _misspelt_forms(pairs: set[tuple[str, ...]], words: Counter[str]) -> set[str]:
    """Of each pair of spellings, the one whose differing words are rarer across all
    sources (casefolded): "Retension" is written once, "Retention" everywhere. When they are
    as common, the one whose words are not English ("Manger" is, but the tie goes on), then
    the shorter: a dropped letter is the commonest slip ("Renewl"), not an added one."""
    english = english_words()
    hidden = set()
    for pair in pairs:
        if len(pair) != 2:
            continue
        x, y = (fold(p) for p in pair)
        diff_x = [a for a, b in zip(x.split(), y.split(), strict=False) if a != b]
        diff_y = [b for a, b in zip(x.split(), y.split(), strict=False) if a != b]
        use_x = sum(words[singular(w)] for w in diff_x)
        use_y = sum(words[singular(w)] for w in diff_y)
        known_x = sum(singular(w) in english or w in english for w in diff_x)
        known_y = sum(singular(w) in english or w in english for w in diff_y)
        loser = pair[0] if (use_x, known_x, len(x), x) < (use_y, known_y, len(y), y) else pair[1]
        hidden.add(loser.casefold())
    return hidden


_TOKEN = re.compile(r"[A-Za-z][a-z]{5,}")


def _hidden_from_definitions(concepts: Sequence[Concept]) -> None:
    """One-off misspellings of a one-word label inside definitions ("Rentention")."""
    counts: Counter[str] = Counter()
    for concept in concepts:
        for d in concept.definitions:
            counts.update(t.casefold() for t in _TOKEN.findall(d.text))
    owners: dict[str, Concept] = {}
    for concept in concepts:
        for label in concept.labels:
            words = fold(label).split()
            if len(words) == 1 and len(words[0]) >= 6:
                owners.setdefault(words[0], concept)
    label_words = {w for c in concepts for label in c.labels for w in fold(label).split()}
    common = [w for w in owners if counts[w] + counts[w + "s"] >= 3]
    if not common:
        return
    for token, count in sorted(counts.items()):
        if count > 1 or token in label_words or singular(token) in label_words:
            continue
        match = process.extractOne(token, common, scorer=fuzz.ratio, score_cutoff=85)
        if match:
            concept = owners[match[0]]
            spelling = token[:1].upper() + token[1:]
            if spelling not in concept.hidden_labels:
                concept.hidden_labels.append(spelling)


def _find(
    concepts: Sequence[Concept],
    label: str,
    result: MergeResult,
    where: str,
    before: Previous,
    fits: Callable[[Concept], float] | None = None,
) -> Concept | None:
    """The concept a curation decision names; of several (a [[split]] made two of one name),
    the one the decision fits best (`fits`: how close its phrasings read to each one's
    definitions), else the one most like the previous build's concept of that name, then the
    one with the most entries, with a note saying which. The seeds' Champion, not a
    security glossary's, takes the seeds' Champion phrasings."""
    key = ev.name_key(label)
    found = [c for c in concepts if c.id == label or any(ev.name_key(n) == key for n in c.labels)]
    if len(found) < 2:
        return found[0] if found else None
    best = max(
        found,
        key=lambda c: (
            round(fits(c), 3) if fits else 0.0,
            before.kinship(c),
            len(c.joined),
            len(c.definitions),
            -found.index(c),
        ),
    )
    whose = ", ".join(sorted(set(best.sources)))
    result.notes.append(
        f"{where}: {label!r} names {len(found)} concepts; applied to the one from {whose}"
    )
    return best


def _fit(phrases: Sequence[str], embed: ev.Embed | None) -> Callable[[Concept], float] | None:
    """How close phrasings read to a concept's definitions (the best of each, averaged)."""
    if embed is None or not phrases:
        return None
    asked = np.asarray(embed(list(phrases)), dtype=np.float32)

    def fits(concept: Concept) -> float:
        texts = [d.text for d in concept.definitions] or [concept.pref_label]
        said = np.asarray(embed(texts), dtype=np.float32)
        return float((asked @ said.T).max(axis=1).mean())

    return fits


def _apply_curation(
    concepts: list[Concept],
    curation: Curation,
    result: MergeResult,
    before: Previous,
    embed: ev.Embed | None = None,
) -> None:
    for decision in curation.decisions:
        if decision.kind in ("merge", "split"):
            continue
        fits = _fit(decision.phrases, embed) if decision.kind == "phrasing" else None
        concept = _find(concepts, decision.labels[0], result, decision.where, before, fits)
        if concept is None:
            result.notes.append(f"{decision.where}: no concept is named {decision.labels[0]!r}")
            continue
        if decision.kind == "label":
            _curate_labels(concept, decision.preferred, decision.alt, decision.hidden)
        elif decision.kind == "definition":
            matches = [
                i
                for i, d in enumerate(concept.definitions)
                if d.source == decision.source
                and (
                    decision.line is None or (d.lines and d.lines[0] <= decision.line <= d.lines[1])
                )
            ]
            if not matches:
                result.notes.append(
                    f"{decision.where}: {concept.pref_label!r} has no "
                    f"definition from {decision.source!r}"
                )
                continue
            concept.preferred = matches[0]
            concept.preferred_reason = f"curated: {decision.reason or 'chosen by a person'}"
        elif decision.kind == "phrasing":
            _add_phrasings(concept, decision.phrases)
        elif decision.kind == "relation":
            target = _find(concepts, decision.labels[1], result, decision.where, before)
            if target is None:
                result.notes.append(f"{decision.where}: no concept is named {decision.labels[1]!r}")
                continue
            concept.relations.append(
                (f"curated-{decision.relation}", target.pref_label, decision.reason or None, "")
            )


def _add_phrasings(concept: Concept, phrases: Sequence[str]) -> None:
    """Append the phrasings the concept lacks; one that is one of its labels adds nothing."""
    known = {ev.name_key(p) for p in [*concept.labels, *concept.phrasings]}
    for phrase in phrases:
        if ev.name_key(phrase) not in known:
            known.add(ev.name_key(phrase))
            concept.phrasings.append(phrase)


def _curate_labels(
    concept: Concept, preferred: str | None, alt: Sequence[str], hidden: Sequence[str]
) -> None:
    if preferred and preferred != concept.pref_label:
        concept.alt_labels = [a for a in concept.alt_labels if a.casefold() != preferred.casefold()]
        concept.hidden_labels = [
            h for h in concept.hidden_labels if h.casefold() != preferred.casefold()
        ]
        concept.alt_labels = sorted(
            {*concept.alt_labels, concept.pref_label}, key=lambda f: (f.casefold(), f)
        )
        concept.pref_label = preferred
    existing = {label.casefold() for label in concept.labels}
    for label in alt:
        if label.casefold() not in existing:
            concept.alt_labels.append(label)
    for label in hidden:
        if label.casefold() not in existing:
            concept.hidden_labels.append(label)
