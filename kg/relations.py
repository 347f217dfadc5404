"""Relations between concepts, inferred from text and structure, each with its reason.

A `Link` is one relation. Hierarchy is stored in one direction only: kind "broader" means
`source` skos:broader `target` (the target is the wider concept); a "narrower" stated by a
source or by curation is turned round into a "broader". "related" is symmetric; its
`source` is the concept whose text supports it. Callers wanting both directions use
`view_of`.

The rules, strongest first. Each pair of concepts gets at most one link, the strongest:

    curated   a [[relation]] in the curation file (marked curated)            never capped
    stated    broader / narrower / related a structured source states         never capped
    is-a      "X is a type of Y", "X, Y are forms of Z" in a definition         broader
    head      "Account Churn" under "Churn", "Logo Retention" under "Retention" broader
    see       a "See X" cross-reference                                         related
    contrast  labels differing by a contrast word (up/down, gross/net, ...), or a
              definition setting one against the other ("the opposite of churn")
    together  defined in one combined entry ("Upsell and Cross-sell")
    acronym   a definition spelling out another concept's acronym ("... (CSM)")
    label     a label built on another concept's label ("Customer Success Manager")
    mention   a definition naming another concept ("Upsells drive NRR")
    sibling   a head noun no concept owns ("Cohort Analysis", "Segment Analysis"), only
              for concepts left with fewer than two links
    similar   nearest neighbour by embedding, only for isolated concepts and only when
              the two texts share a content word

Then the graph is kept clean, strongest links first: a broader link that would close a
cycle is dropped, and so is a related link between concepts on one line of hierarchy;
inferred links are capped at MAX_LINKS per concept, strongest kept (curated and stated
links are never capped, but a weaker stated link still gives way to a cycle or clash).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx
import numpy as np

from ingest.concept import Concept
from ingest.model import Entry, Relation, Warning
from ingest.normalize import fold, singular
from ingest.terms import acronym_base, is_acronym

Embed = Callable[[list[str]], np.ndarray]

KINDS = ("broader", "narrower", "related")
MAX_LINKS = 12  # inferred links per concept; curated and stated links come on top
SIMILARITY_FLOOR = 0.46  # cosine an embedding neighbour needs to be proposed at all (seeds:
# 0.42-0.45 paired Autorenew with Account Churn, Attach Rate with Customer Loyalty Index, Case
# Study with Cohort Analysis; from 0.47 up they are kin: Backlog and Revenue recognition, C-Suite
# and Chief Customer Officer)

# How much each rule is trusted; ties in a pair go to the stronger rule.
STRENGTH = {
    "curated": 100.0,
    "stated": 95.0,
    "is-a": 85.0,
    "head": 80.0,
    "see": 75.0,
    "contrast": 70.0,
    "together": 68.0,
    "acronym": 65.0,
    "label": 60.0,
    "mention": 45.0,  # adjusted per link, see _mention_strength
    "sibling": 30.0,
    "similar": 20.0,
}

# Pairs of words that name opposite ends of one thing (general business English).
CONTRASTS = frozenset(
    frozenset(pair.split("/"))
    for pair in (
        "up/down gross/net leading/lagging high/low high/tech low/tech monthly/annual "
        "monthly/quarterly quarterly/annual monthly/yearly expansion/contraction "
        "positive/negative inbound/outbound new/existing active/inactive paid/free "
        "direct/indirect internal/external gain/loss profit/loss increase/decrease "
        "upgrade/downgrade churn/renewal churn/retention"
    ).split()
)
_CONTRAST_WORDS = frozenset(w for pair in CONTRASTS for w in pair)
_CONTRAST_PREFIXES = ("up", "down")  # upsell / downsell, upgrade / downgrade
_NEGATING = frozenset("negative non anti reverse inverse".split())
_PREPOSITIONS = frozenset("of for per to in on with by from at into via as".split())
_STOPWORDS = frozenset(
    "a an and are as at be been being but by can could do does for from has have how in "
    "into is it its may more most not of on or other over such than that the their them "
    "then there these they this those through to up use used using very was way ways we "
    "well were what when where which while who will with within without you your also "
    "often usually many much some any each every one two three about after before between "
    "during like make makes made get gets given based term terms called known include "
    "includes including number amount various different certain example important level "
    "total overall specific help helps able need needs".split()
)

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_IS_A = re.compile(
    r"\b(?:is|are)\s+(?:(?:a|an|one|another|also|just|simply|the)\s+)*(?:\w+\s+)?"
    r"(?:types?|kinds?|forms?|sorts?|subsets?|examples?)\s+of\b"
)
_CONTRAST_CUE = re.compile(
    r"\b(?:opposite|unlike|versus|vs|as opposed to|in contrast|contrary|rather than|"
    r"instead of|difference between|differs? from|not identical|compared (?:to|with))\b"
)
_RELATION_CUE = re.compile(
    r"\b(?:drives?|driving|increases?|reduces?|decreases?|measures?|measuring|based on|"
    r"derived from|used to|includes?|including|linked to|leads? to|predicts?|impacts?|"
    r"affects?|part of|such as)\b"
)
_PARENTHESIS = re.compile(r"\(([^()]{1,24})\)")


@dataclass(frozen=True, slots=True)
class Link:
    """One relation between two concepts (by id), with the reason a person can check."""

    source: str
    target: str
    kind: str  # "broader" (source skos:broader target) or "related"; views may say "narrower"
    reason: str
    curated: bool = False
    # when a definition states the link: its source and the sentence, verbatim (for citing)
    stated_in: str = ""
    statement: str = ""


@dataclass(frozen=True, slots=True)
class _Candidate:
    link: Link
    strength: float
    rule: str

    @property
    def protected(self) -> bool:
        return self.rule in ("curated", "stated")


# --- finding labels -------------------------------------------------------------------


# a label longer than this is found in no text and is no head of another label (a SKOS
# prefLabel of 2,000 words took 26 s of ingest, one of 20,000 never finished)
MAX_LABEL_WORDS = 16


def _key(words: Sequence[str]) -> str:
    """The key of a folded word sequence: spaces dropped, the last word singular."""
    if not words:
        return ""
    return "".join(words[:-1]) + singular(words[-1])


@dataclass(frozen=True, slots=True)
class _Match:
    concept: str
    label: str  # the label as the concept has it
    start: int  # word positions in the folded sentence
    end: int


class _Labels:
    """Every concept's labels, and where they occur in text."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self.by_key: dict[str, tuple[str, str]] = {}  # folded key -> (concept id, label)
        self.by_acronym: dict[str, tuple[str, str]] = {}  # exact acronym -> (id, label)
        self.pref = {c.id: c.pref_label for c in concepts}
        self.by_uri = {c.uri: c.id for c in concepts if c.uri}
        self._concepts = concepts
        self._named: dict[str, set[str]] | None = None  # made when a relation is stated
        lengths: set[int] = {1}
        ordered = sorted(concepts, key=lambda c: c.id)
        # one preferred label of two concepts (a name split by source, "Backlog" in sales and
        # in support) names neither in text or in another label: which is meant, none says
        prefs = Counter(_key(fold(c.pref_label).split()) for c in concepts)
        self.blocked = {key for key, n in prefs.items() if n > 1}
        # preferred labels claim a key before alternatives, alternatives before hidden ones
        for tier in ("pref", "alt", "hidden"):
            for c in ordered:
                labels = {
                    "pref": [c.pref_label],
                    "alt": [*c.alt_labels, *c.acronyms],
                    "hidden": c.hidden_labels,
                }[tier]
                for label in labels:
                    lengths.add(self._add(c.id, label))
        self.max_words = max(lengths)

    def _add(self, concept: str, label: str) -> int:
        """Index one label; returns its length in words (1 for an acronym)."""
        if is_acronym(label):
            self.by_acronym.setdefault(acronym_base(label), (concept, label))
            return 1
        words = fold(label).split()
        if not words or (len(words) == 1 and len(words[0]) < 4):
            return 1  # too short to find safely in running text
        if len(words) > MAX_LABEL_WORDS:
            return 1  # no name: searching every sentence for it made ingest quadratic
        if _key(words) not in self.blocked:
            self.by_key.setdefault(_key(words), (concept, label))
        return len(words)

    def resolve(self, label: str, uri: str | None = None) -> str | None:
        """The concept a label (or URI) names."""
        if uri and uri in self.by_uri:
            return self.by_uri[uri]
        if is_acronym(label):
            found = self.by_acronym.get(acronym_base(label))
        else:
            found = self.by_key.get(_key(fold(label).split()))
        return found[0] if found else None

    def stated(self, label: str, uri: str | None = None) -> str | None:
        """The concept a relation a source states names: as `resolve` finds it, or else the
        one concept with that label, however short ("Fee" in a Related terms cell)."""
        found = self.resolve(label, uri)
        if found is None and len(ids := self.named(label)) == 1:
            found = next(iter(ids))
        return found

    def named(self, label: str) -> set[str]:
        """The concepts with this label, however short or shared ("Fee", "Backlog")."""
        if self._named is None:
            self._named = defaultdict(set)
            for c in self._concepts:
                for own in [*c.labels, *c.acronyms]:
                    self._named[_key(fold(own).split())].add(c.id)
        return self._named.get(_key(fold(label).split()), set())

    def find(self, sentence: str, max_words: int | None = None) -> list[_Match]:
        """Concept labels in a sentence, longest first and left to right, not overlapping."""
        words = fold(sentence).split()
        matches: list[_Match] = []
        limit = min(max_words or self.max_words, self.max_words)
        i = 0
        while i < len(words):
            for n in range(min(limit, len(words) - i), 0, -1):
                found = self.by_key.get(_key(words[i : i + n]))
                if found:
                    matches.append(_Match(found[0], found[1], i, i + n))
                    i += n
                    break
            else:
                i += 1
        for m in re.finditer(r"(?<![\w&])([A-Z][A-Za-z0-9&]{1,9})(?![\w&])", sentence):
            token = m.group(1)
            found = self.by_acronym.get(acronym_base(token)) if is_acronym(token) else None
            if found:
                at = len(fold(sentence[: m.start()]).split())
                matches.append(_Match(found[0], found[1], at, at + 1))
        return matches


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _quote(sentence: str, limit: int = 160) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


# --- the rules --------------------------------------------------------------------------


def _link(
    source: str,
    target: str,
    kind: str,
    reason: str,
    rule: str,
    strength: float | None = None,
    stated: tuple[str, str] = ("", ""),
) -> _Candidate:
    return _Candidate(
        Link(source, target, kind, reason, rule == "curated", *stated),
        STRENGTH[rule] if strength is None else strength,
        rule,
    )


def _given(concepts: Sequence[Concept], labels: _Labels) -> Iterator[_Candidate]:
    """Relations a structured source states, and those curation adds."""
    for c in concepts:
        for relation in c.relations:
            kind, target_label, extra, where = [*relation, None, None, None][:4]
            curated = str(kind).startswith("curated-")
            kind = str(kind).removeprefix("curated-")
            if kind not in KINDS:
                continue
            if curated:
                target = labels.resolve(str(target_label))
            else:
                target = labels.stated(str(target_label), extra)
            if target is None or target == c.id:
                continue
            if curated:
                reason = f"curated: {extra or 'decided by a person'}"
                rule = "curated"
            elif extra:  # a URI: a SKOS source's own relation
                reason = f"stated by a structured source: skos:{kind} {target_label!r}"
                reason += f" ({where})" if where else ""
                rule = "stated"
            else:  # a CSV column, a Markdown list of terms under a term
                reason = {
                    "broader": f"its source lists it under {target_label!r}",
                    "narrower": f"its source lists {target_label!r} under it",
                }.get(kind, f"its source relates it to {target_label!r}")
                reason += f" ({where})" if where else ""  # "(sales-glossary:12)"
                rule = "stated"
            if kind == "narrower":
                yield _link(target, c.id, "broader", reason, rule)
            else:
                yield _link(c.id, target, kind, reason, rule)


def _label_rules(concepts: Sequence[Concept], labels: _Labels) -> Iterator[_Candidate]:
    """Head noun ("Account Churn" under "Churn") and labels built on labels."""
    for c in concepts:
        words = fold(c.pref_label).split()
        cut = next((i for i, w in enumerate(words) if w in _PREPOSITIONS and i > 0), len(words))
        head = words[:cut]
        for k in range(min(len(head) - 1, labels.max_words), 0, -1):
            found = labels.by_key.get(_key(head[-k:]))
            if not found or found[0] == c.id:
                continue
            target, label = found
            written = re.split(r"[\s\-‐–—_/]+", c.pref_label.strip())
            shown = written if len(written) == len(words) else words  # original spelling
            qualifier = " ".join(shown[: len(head) - k])
            if head[0] in _NEGATING:
                reason = f"{c.pref_label!r} is the {qualifier.lower()} counterpart of {label!r}"
                yield _link(c.id, target, "related", reason, "contrast")
            else:
                named = repr(label)
                if label != labels.pref[target]:
                    named += f" ({labels.pref[target]})"
                reason = (
                    f"{c.pref_label!r} is a kind of {named}: the same head noun, "
                    f"qualified by {qualifier!r}"
                )
                yield _link(c.id, target, "broader", reason, "head")
            break
        for own in [c.pref_label, *(a for a in c.alt_labels if not is_acronym(a))]:
            n = len(fold(own).split())
            for m in labels.find(own, max_words=n - 1):
                if m.concept != c.id:
                    reason = f"the label {own!r} is built on {m.label!r}"
                    yield _link(c.id, m.concept, "related", reason, "label")


def _contrast_labels(concepts: Sequence[Concept]) -> Iterator[_Candidate]:
    """Labels that differ only by a contrast word: Upsell / Downsell, Gross / Net ..."""
    groups: dict[tuple[str, ...], list[tuple[str, str, str]]] = defaultdict(list)
    for c in concepts:
        for label in [c.pref_label, *c.alt_labels]:
            if is_acronym(label):
                continue
            words = fold(label).split()
            if not words:
                continue
            words[-1] = singular(words[-1])
            for i, w in enumerate(words):
                forms = []
                if w in _CONTRAST_WORDS:
                    forms.append((w, ""))
                for prefix in _CONTRAST_PREFIXES:
                    if w.startswith(prefix) and len(w) - len(prefix) >= 3:
                        forms.append((prefix, w[len(prefix) :]))
                for word, rest in forms:
                    masked = (*words[:i], "*" + rest, *words[i + 1 :])
                    groups[masked].append((c.id, word, label))
    seen: set[frozenset[str]] = set()
    for members in groups.values():
        for i, (a, wa, la) in enumerate(members):
            for b, wb, lb in members[i + 1 :]:
                pair = frozenset((a, b))
                if a == b or frozenset((wa, wb)) not in CONTRASTS or pair in seen:
                    continue
                seen.add(pair)
                reason = f"contrast pair: {la!r} / {lb!r} ({wa} / {wb})"
                yield _link(a, b, "related", reason, "contrast")


def _text_rules(concepts: Sequence[Concept], labels: _Labels) -> Iterator[_Candidate]:
    """Definitions: is-a sentences, contrasts, acronyms spelt out, mentions; See-references;
    combined entries."""
    mentions: dict[tuple[str, str], list[tuple[str, str, _Match]]] = defaultdict(list)
    for c in concepts:
        for d in c.definitions:
            where = f"the definition of {c.pref_label!r} in {d.source}"
            for sentence in _sentences(d.text):
                found = labels.find(sentence)
                folded = fold(sentence)
                yield from _is_a(c, sentence, folded, found, where, d.source)
                contrasted = _contrasted(folded, found)
                spelt = _spelt_out(sentence, labels)
                for m in found:
                    if m.concept == c.id:
                        continue
                    if m in contrasted:
                        reason = f"contrasted in {where}: {_quote(sentence)!r}"
                        stated = (d.source, sentence)
                        yield _link(c.id, m.concept, "related", reason, "contrast", None, stated)
                    elif m.concept in spelt:
                        reason = f"{where} spells out {spelt[m.concept]}: {_quote(sentence)!r}"
                        stated = (d.source, sentence)
                        yield _link(c.id, m.concept, "related", reason, "acronym", None, stated)
                    else:
                        mentions[(c.id, m.concept)].append((d.source, sentence, m))
            for other in d.shared_with:
                target = labels.resolve(other)
                if target and target != c.id:
                    how = "contrasted" if re.search(r"\bvs\.?\b|\bversus\b", d.term) else "defined"
                    reason = f"{how} together in one entry, {d.term!r} ({d.source})"
                    yield _link(c.id, target, "related", reason, "together")
        for label in c.see:
            target = labels.resolve(label)
            if target and target != c.id:
                reason = f"a source cross-refers from {c.pref_label!r}: 'See {label}'"
                yield _link(c.id, target, "related", reason, "see")
        for acronym in c.mentions:
            target = labels.resolve(acronym)
            if target and target != c.id:
                term = next((d.term for d in c.definitions if acronym in d.term), c.pref_label)
                reason = f"its entry {term!r} names {acronym}"
                yield _link(c.id, target, "related", reason, "acronym")
    yield from _mention_links(concepts, mentions)


def _is_a(
    concept: Concept, sentence: str, folded: str, found: list[_Match], where: str, source: str
) -> Iterator[_Candidate]:
    """ "X is a type of Y" and "X, Y are forms of Z": each X under the first Y after."""
    cue = _IS_A.search(folded)
    if not cue:
        return
    at = len(folded[: cue.start()].split())
    after = len(folded[: cue.end()].split())
    left = [m.concept for m in found if m.end <= at]
    if not left and at <= 3:  # "It is a type of ...", "This is a kind of ..."
        left = [concept.id]
    right = [m.concept for m in sorted(found, key=lambda m: m.start) if m.start >= after]
    if not right:
        return
    reason = f"{where}: {_quote(sentence)!r}"
    for narrower in dict.fromkeys(left):
        if narrower != right[0]:
            yield _link(narrower, right[0], "broader", reason, "is-a", None, (source, sentence))


def _contrasted(folded: str, found: list[_Match], window: int = 8) -> list[_Match]:
    """The concept a contrast cue sets against another: the first named after the cue
    ("the opposite of churn"), else the last named before it ("X and Y are not identical")."""
    out: list[_Match] = []
    for cue in _CONTRAST_CUE.finditer(folded):
        start = len(folded[: cue.start()].split())
        end = len(folded[: cue.end()].split())
        after = [m for m in found if end <= m.start < end + window]
        before = [m for m in found if start - window <= m.end <= start]
        if after:
            out.append(min(after, key=lambda m: m.start))
        elif before:
            out.extend(before)
    return out


def _spelt_out(sentence: str, labels: _Labels) -> dict[str, str]:
    """Concepts whose acronym a sentence spells out in parentheses: "... Manager (CSM)"."""
    out: dict[str, str] = {}
    for m in _PARENTHESIS.finditer(sentence):
        for token in re.split(r"\s*[/,]\s*|\s+or\s+", m.group(1)):
            if is_acronym(token) and acronym_base(token) in labels.by_acronym:
                out.setdefault(labels.by_acronym[acronym_base(token)][0], token)
    return out


def _mention_links(
    concepts: Sequence[Concept], mentions: dict[tuple[str, str], list[tuple[str, str, _Match]]]
) -> Iterator[_Candidate]:
    """A definition naming another concept; the more specific the name, the stronger."""
    defined = sum(1 for c in concepts if c.definitions) or 1
    mentioned_by: Counter[str] = Counter(target for _, target in mentions)
    labels = {c.id: c.pref_label for c in concepts}
    generic = max(5, math.ceil(defined * 0.06))
    for (source, target), places in sorted(mentions.items()):
        cue = any(_RELATION_CUE.search(fold(s)) for _, s, _ in places)
        if mentioned_by[target] > generic and not cue:
            continue  # a word many definitions use in passing ("revenue", "SaaS")
        strength = _mention_strength(places, mentioned_by[target] > generic)
        src, sentence, match = min(
            places, key=lambda p: (-bool(_RELATION_CUE.search(fold(p[1]))), p[0], p[1])
        )
        where = labels[source]
        reason = (
            f"the definition of {where!r} in {src} names {match.label!r}: {_quote(sentence)!r}"
            + (f" (and {len(places) - 1} more)" if len(places) > 1 else "")
        )
        yield _link(source, target, "related", reason, "mention", strength, (src, sentence))


def _mention_strength(places: list[tuple[str, str, _Match]], generic: bool) -> float:
    strength = STRENGTH["mention"]
    if any(is_acronym(m.label) or m.end - m.start > 1 for _, _, m in places):
        strength += 5  # a specific name, not a common word
    if any(_RELATION_CUE.search(fold(s)) for _, s, _ in places):
        strength += 5
    strength += 3 * min(len({src for src, _, _ in places}) - 1, 2)  # sources agree
    if generic:
        strength -= 10  # named in passing by many definitions
    return strength


def _siblings(concepts: Sequence[Concept], labels: _Labels) -> Iterator[_Candidate]:
    """Concepts sharing a head noun that no concept owns, in small families (2 to 4)."""
    families: dict[str, list[Concept]] = defaultdict(list)
    for c in concepts:
        words = fold(c.pref_label).split()
        if len(words) < 2 or any(w in _PREPOSITIONS for w in words):
            continue
        head = singular(words[-1])
        if head not in labels.by_key and len(head) >= 4:
            families[head].append(c)
    for head, members in sorted(families.items()):
        if not 2 <= len(members) <= 4:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                reason = (
                    f"{a.pref_label!r} and {b.pref_label!r} are both kinds of {head!r}: the "
                    "same head noun, and no concept of that name"
                )
                yield _link(a.id, b.id, "related", reason, "sibling")


# --- keeping the graph clean ------------------------------------------------------------


def _best_per_pair(candidates: Iterable[_Candidate]) -> list[_Candidate]:
    """One candidate per unordered pair: the strongest (hierarchy before related on a tie)."""
    best: dict[frozenset[str], _Candidate] = {}
    for cand in candidates:
        link = cand.link
        if link.source == link.target:
            continue
        pair = frozenset((link.source, link.target))
        rank = (cand.strength, link.kind == "broader", link.source, link.target, link.reason)
        held = best.get(pair)
        if held is None or rank > (
            held.strength,
            held.link.kind == "broader",
            held.link.source,
            held.link.target,
            held.link.reason,
        ):
            best[pair] = cand
    return sorted(best.values(), key=_order)


def _order(cand: _Candidate) -> tuple[Any, ...]:
    return (-cand.strength, cand.link.source, cand.link.target, cand.link.kind)


def _acyclic(candidates: list[_Candidate]) -> tuple[list[_Candidate], nx.DiGraph]:
    """Broader links strongest first; one that would close a cycle is dropped (as related
    it would join two concepts on one line of hierarchy, which is not allowed either)."""
    hierarchy = nx.DiGraph()
    out: list[_Candidate] = []
    for cand in candidates:
        link = cand.link
        if link.kind == "broader":
            known = link.target in hierarchy and link.source in hierarchy
            if known and nx.has_path(hierarchy, link.target, link.source):
                continue
            hierarchy.add_edge(link.source, link.target)
        out.append(cand)
    return out, hierarchy


def _without_clashes(candidates: list[_Candidate], hierarchy: nx.DiGraph) -> list[_Candidate]:
    """Drop related links between concepts on one line of hierarchy (either way)."""
    ancestors: dict[str, set[str]] = {}

    def above(node: str) -> set[str]:
        if node not in ancestors:
            ancestors[node] = nx.descendants(hierarchy, node) if node in hierarchy else set()
        return ancestors[node]

    return [
        c
        for c in candidates
        if c.link.kind != "related"
        or (c.link.target not in above(c.link.source) and c.link.source not in above(c.link.target))
    ]


def _capped(candidates: list[_Candidate], cap: int) -> list[_Candidate]:
    """Curated and stated links, then the strongest others while both ends are under `cap`."""
    degree: Counter[str] = Counter()
    kept = [c for c in candidates if c.protected]
    for c in kept:
        degree.update((c.link.source, c.link.target))
    for c in sorted((c for c in candidates if not c.protected), key=_order):
        if degree[c.link.source] < cap and degree[c.link.target] < cap:
            kept.append(c)
            degree.update((c.link.source, c.link.target))
    return kept


def _degrees(candidates: Iterable[_Candidate]) -> Counter[str]:
    degree: Counter[str] = Counter()
    for c in candidates:
        degree.update((c.link.source, c.link.target))
    return degree


def _stems(text: str) -> dict[str, str]:
    """Content words of a text by a crude stem (advocates, advocacy -> advoca), each with
    the first form written."""
    out: dict[str, str] = {}
    for word in fold(text).split():
        if len(word) >= 4 and word not in _STOPWORDS and not word.isdigit():
            w = singular(word)
            out.setdefault(w[:6], word)
    return out


def _similar(
    concepts: Sequence[Concept], kept: list[_Candidate], embed: Embed, cap: int
) -> Iterator[_Candidate]:
    """For each isolated concept, its nearest neighbour by embedding, when the two texts
    also share a word that few concepts use."""
    degree = _degrees(kept)
    lonely = [i for i, c in enumerate(concepts) if degree[c.id] == 0]
    if not lonely or len(concepts) < 2:
        return
    owner: list[int] = []  # one text per definition (the label alone if none)
    texts: list[str] = []
    for i, c in enumerate(concepts):
        for text in [d.text for d in c.definitions] or [""]:
            owner.append(i)
            texts.append(f"{c.pref_label}: {text}".rstrip(": "))
    vectors = np.asarray(embed(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)
    rows = np.asarray(owner)
    words = [
        _stems(" ".join([c.pref_label, *c.alt_labels, *(d.text for d in c.definitions)]))
        for c in concepts
    ]
    df: Counter[str] = Counter(w for stems in words for w in stems)
    common = {w for w, n in df.items() if n > max(3, len(concepts) * 0.1)}
    for i in lonely:
        # the closest pair of texts decides how alike two concepts read
        pair = vectors @ vectors[rows == i].T
        scores = np.full(len(concepts), -1.0, dtype=np.float32)
        np.maximum.at(scores, rows, pair.max(axis=1))
        for j in np.argsort(-scores, kind="stable"):
            j = int(j)
            score = float(scores[j])
            if score < SIMILARITY_FLOOR:
                break
            if j == i or degree[concepts[j].id] >= cap:
                continue
            if fold(concepts[j].pref_label) == fold(concepts[i].pref_label):
                continue  # one name's two meanings, kept apart on purpose, are not alike
            shared = sorted(set(words[i]) & set(words[j]) - common)
            if not shared:
                continue
            a, b = concepts[i], concepts[j]
            said = ", ".join(repr(words[i][w]) for w in shared[:3])
            reason = (
                f"{a.pref_label!r} and {b.pref_label!r} read alike (cosine {score:.2f}) and "
                f"both speak of {said}"
            )
            yield _link(a.id, b.id, "related", reason, "similar")
            degree.update((a.id, b.id))
            break


# --- the public functions -------------------------------------------------------------


def infer_links(
    concepts: Sequence[Concept],
    embed: Embed | None = None,
    cap: int = MAX_LINKS,
) -> list[Link]:
    """Every relation between the concepts, each with its reason; deterministic, and the
    same whatever order the concepts come in."""
    concepts = sorted(concepts, key=lambda c: c.id)
    labels = _Labels(concepts)
    candidates = [
        *_given(concepts, labels),
        *_label_rules(concepts, labels),
        *_contrast_labels(concepts),
        *_text_rules(concepts, labels),
    ]
    kept = _clean(candidates, cap)
    degree = _degrees(kept)
    weak = {c.id for c in concepts if degree[c.id] < 2}
    siblings = [
        s for s in _siblings(concepts, labels) if s.link.source in weak or s.link.target in weak
    ]
    if siblings:
        kept = _clean([*kept, *siblings], cap)
    if embed is not None:
        similar = list(_similar(concepts, kept, embed, cap))
        if similar:
            kept = _clean([*kept, *similar], cap)
    return sorted((c.link for c in kept), key=lambda k: (k.source, k.kind, k.target))


def _clean(candidates: list[_Candidate], cap: int) -> list[_Candidate]:
    best = _best_per_pair(candidates)
    acyclic, hierarchy = _acyclic(best)
    return _capped(_without_clashes(acyclic, hierarchy), cap)


def view_of(concept_id: str, links: Iterable[Link]) -> dict[str, list[Link]]:
    """A concept's links as it sees them: {"broader": [...], "narrower": [...], "related":
    [...]}, each Link turned so that `source` is this concept."""
    view: dict[str, list[Link]] = {"broader": [], "narrower": [], "related": []}
    for link in links:
        if link.source == concept_id:
            view[link.kind].append(link)
        elif link.target == concept_id:
            kind = {"broader": "narrower", "narrower": "broader"}.get(link.kind, link.kind)
            view[kind].append(replace(link, source=concept_id, target=link.source, kind=kind))
    return view


def unmade_relations(
    concepts: Sequence[Concept], entries: Iterable[Entry]
) -> Iterator[tuple[Entry, Warning]]:
    """Each entry stating relations that name no concept, so that `infer_links` cannot make
    them, with the warning that says so: a "Related terms" cell naming "Gross Churn" when no
    source defines it gives "related term 'Gross Churn' names no concept; relation not
    made". Targets are matched as `infer_links` matches them, so a stated relation is either
    made or said."""
    labels: _Labels | None = None
    for entry in entries:
        if not entry.relations:
            continue
        if labels is None:
            labels = _Labels(concepts)
        missing = [r for r in entry.relations if labels.stated(r.target, r.target_uri) is None]
        if missing:
            yield entry, _unmade_warning(entry, missing, labels)


def _unmade_warning(entry: Entry, missing: Sequence[Relation], labels: _Labels) -> Warning:
    """ "related terms 'Gross Churn', 'QBRs' name no concept; relations not made", a name
    several concepts share said as such ("related term 'Backlog' names 2 concepts"), and
    the entry named when it has no line to point at (a SKOS concept)."""
    unknown: dict[str, list[str]] = defaultdict(list)
    shared: list[str] = []
    for relation in missing:
        count = len(labels.named(relation.target))
        if count > 1:
            shared.append(f"{relation.kind} term {relation.target!r} names {count} concepts")
        else:
            unknown[relation.kind.value].append(repr(relation.target))
    named = [
        f"{kind} term{'s' if len(names) > 1 else ''} {', '.join(names)}"
        for kind, names in unknown.items()
    ]
    clauses = shared
    if named:
        several = sum(map(len, unknown.values())) > 1
        clauses = [f"{' and '.join(named)} name{'' if several else 's'} no concept", *shared]
    many = len(missing) > 1
    message = f"{'; '.join(clauses)}; relation{'s' if many else ''} not made"
    if entry.lines is None:
        message = f"{entry.term!r}: {message}"
    return Warning(message, entry.lines[0] if entry.lines else None)


# --- collections ------------------------------------------------------------------------

FALLBACK_COLLECTION = "General terms"


@dataclass(frozen=True, slots=True)
class Family:
    """A group of concepts recognised by the words of the preferred label (folded and
    singular; "sell" also matches "upsell"), or by the head noun alone, or by a cue in the
    first sentence of a definition, or by a cue anywhere in one."""

    label: str
    words: frozenset[str] = frozenset()
    heads: frozenset[str] = frozenset()
    opening: re.Pattern[str] | None = None
    anywhere: re.Pattern[str] | None = None


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FAMILIES: tuple[Family, ...] = (
    Family(
        "Metrics",
        _words("rate score index percentage ratio indicator kpi metric margin"),
        opening=re.compile(
            r"^(?:(?:a|the)\s+)?(?:measures?|measuring|tracks|gauges|percentage|ratio|metric)\b"
        ),
        anywhere=re.compile(  # the text calls it a metric: "This metric", "a key KPI"
            r"\b(?:(?:is|as) an? (?:\w+ ){0,3}|this |another (?:\w+ )?|key |valuable )"
            r"(?:metric|kpi)\b"
        ),
    ),
    Family(
        "Revenue and finance",
        _words(
            "revenue cost profit loss margin booking billing backlog price pricing contract "
            "dollar financial finance accounting budget invoice"
        ),
        opening=re.compile(r"\b(?:revenues?|profits?|money|dollars?|costs?|accounting|invoiced)\b"),
    ),
    Family(
        "Roles",
        heads=_words(
            "manager executive officer champion team board suite owner director representative "
            "advocate"
        ),
        opening=re.compile(
            r"^(?:an?|the)\s+(?:\w+\s+)?(?:person|professional|role|executive|individual|"
            r"group of (?:\w+\s+)?(?:professionals|executives|people))\b"
        ),
    ),
    Family(
        "Meetings and reviews",
        _words("meeting review kickoff workshop standup qbr ebr"),
        opening=re.compile(r"\bmeetings?\b"),
    ),
    Family(
        "Engagement models",
        _words("touch engagement"),
        opening=re.compile(r"\b(?:one to (?:one|many)|at scale)\b"),
    ),
    Family(
        "Sales motions",
        _words(
            "sell selling expand expansion contraction acquisition lead deal marketing renewal "
            "autorenew growth"
        ),
        opening=re.compile(r"\bsales? (?:technique|transaction|strategy|motion)\b"),
    ),
    Family(
        "Analytics",
        _words(
            "analysis analytic analytics data scoring segmentation forecast insight cohort "
            "sentiment survey"
        ),
        opening=re.compile(r"\b(?:analy[sz](?:e|is|ing)|analytics?)\b"),
    ),
    Family(
        "Customer lifecycle",
        _words(
            "onboarding adoption journey lifecycle churn retention renewal loyalty advocacy "
            "engagement experience satisfaction stickiness health utilization usage community "
            "training feedback status"
        ),
        opening=re.compile(r"\b(?:lifecycle|journey|onboard\w*|stages?)\b"),
    ),
)


def _label_words(label: str) -> tuple[set[str], str]:
    """The words of a label (with "upsell" also giving "sell"), and its head noun."""
    words = [singular(w) for w in fold(label).split()]
    cut = next((i for i, w in enumerate(words) if w in _PREPOSITIONS and i > 0), len(words))
    found = set(words)
    for w in words:
        for prefix in (*_CONTRAST_PREFIXES, "cross"):
            if w.startswith(prefix) and len(w) - len(prefix) >= 3:
                found.add(w[len(prefix) :])
    return found, words[cut - 1] if words else ""


def _families(concept: Concept) -> list[str]:
    words, head = _label_words(concept.pref_label)
    texts = [fold(d.text) for d in concept.definitions if d.text.strip()]
    openings = [fold(_sentences(d.text)[0]) for d in concept.definitions if d.text.strip()]
    return [
        f.label
        for f in FAMILIES
        if words & f.words
        or head in f.heads
        or (f.opening is not None and any(f.opening.search(t) for t in openings))
        or (f.anywhere is not None and any(f.anywhere.search(t) for t in texts))
    ]


def assign_collections(concepts: Sequence[Concept], links: Sequence[Link]) -> dict[str, list[str]]:
    """Collection label -> concept ids; every concept is in at least one.

    A source's own groups are kept; families (metrics, roles, ...) come from label words
    and the first sentence of the preferred definition; a concept in no family takes its
    broader concepts' families, and failing that goes to FALLBACK_COLLECTION. A concept
    not in English is put in no family: they are read from English words.
    """
    members: dict[str, set[str]] = defaultdict(set)
    family: dict[str, list[str]] = {}
    for c in concepts:
        for name in c.collections:
            members[name].add(c.id)
        family[c.id] = [] if c.language else _families(c)
    broader: dict[str, list[str]] = defaultdict(list)
    for link in links:
        if link.kind == "broader":
            broader[link.source].append(link.target)
    for c in concepts:
        names = family[c.id] or sorted({f for b in broader[c.id] for f in family.get(b, [])})
        if not names and not c.collections:
            names = [FALLBACK_COLLECTION]
        for name in names:
            members[name].add(c.id)
    return {name: sorted(ids) for name, ids in sorted(members.items())}


def degree_stats(concept_ids: Iterable[str], links: Iterable[Link]) -> dict[str, Any]:
    """Links per concept: min, median, mean, max; isolated concepts; links by kind."""
    ids = list(concept_ids)
    degree: Counter[str] = Counter({i: 0 for i in ids})
    kinds: Counter[str] = Counter()
    curated = 0
    for link in links:
        degree.update((link.source, link.target))
        kinds[link.kind] += 1
        curated += link.curated
    values = [degree[i] for i in ids] or [0]
    return {
        "concepts": len(ids),
        "links": sum(kinds.values()),
        "by_kind": dict(sorted(kinds.items())),
        "curated": curated,
        "min": min(values),
        "median": statistics.median(values),
        "mean": round(statistics.fmean(values), 2),
        "max": max(values),
        "isolated": sum(1 for i in ids if degree[i] == 0),
    }
