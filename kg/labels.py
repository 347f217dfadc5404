"""Matching a query against every label, alias and acronym: exact, contained, fuzzy
(misspellings) and abbreviated ("rev rec", "acct mgr")."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.concept import Concept
from ingest.normalize import fold, label_key
from kg.errors import BuildError
from kg.retrieval import (
    CUE_WORDS,
    JUDGEMENTS,
    STOPWORDS,
    Query,
    Retriever,
    Scored,
    content_words,
    is_verb_form,
    read_json,
    words_of,
    write_json,
)

# prepositions after which an acronym qualifies the subject rather than being it
_QUALIFYING = frozenset("by for of with from at on in to per".split())
ROOT = 7  # "recogniz(ed)" and "recognition", "segment(ed)" and "segmentation": one word
# a verb right after an acronym: "(the accounts a CSM) owns", "(the score a CSM) gives"
_RELATIVE = re.compile(r"^\s+([a-z]+s)\b(?!['’])")
_DETERMINERS = frozenset("a an the our my your their its his her this that each every".split())
# prepositions that place a question's subject in a context ("champion in customer success",
# "health score for enterprise accounts"): a name after one only says where the subject is
PLACING = frozenset("in for at within across inside during among".split())


@dataclass(frozen=True, slots=True)
class LabelEntry:
    concept: int
    label: str
    kind: str  # preferred label | alias | acronym | hidden label
    words: tuple[str, ...]
    key: str  # label_key, for exact matches


class LabelMatcher(Retriever):
    """Exact, contained and fuzzy matches of the query against every label.

    Scores: 1.0 when the query *is* a label (an exact alias or acronym hit always ranks first);
    a label contained in the query or misspelt in it scores by similarity times how much of
    the query's meaning it covers, so "NDR" inside a long question still counts but less.
    """

    name = "labels"
    FILE = "search-labels.json"

    def __init__(
        self,
        entries: Sequence[LabelEntry],
        fuzzy_cutoff: float = 85.0,
        min_coverage: float = 0.34,
    ) -> None:
        self.entries = list(entries)
        self.fuzzy_cutoff = fuzzy_cutoff
        self.min_coverage = min_coverage
        self._by_key: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            self._by_key.setdefault(e.key, []).append(i)
            self._by_key.setdefault("".join(e.words), []).append(i)
        self._phrases = [" ".join(e.words) for e in self.entries]
        self._fuzzable = [
            i for i, e in enumerate(self.entries) if e.kind != "acronym" and len(e.key) >= 5
        ]
        self._choices = [self._phrases[i] for i in self._fuzzable]
        # One-word labels of 4-8 letters, for typos too short for `fuzzy_cutoff` ("chrun")
        self._one_word = [
            i for i in self._fuzzable if " " not in self._phrases[i] and len(self._phrases[i]) <= 8
        ]
        self._one_word_choices = [self._phrases[i] for i in self._one_word]
        # Words of the labels people spell right (hidden labels are misspellings): a query
        # window made only of these is matched exactly or by containment, never fuzzily.
        self._known = {w for e in self.entries if e.kind != "hidden label" for w in e.words}
        # Multi-word labels by their words' first letters, for abbreviations ("rev rec").
        self._by_initials: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            if e.kind != "acronym" and 2 <= len(e.words) <= 8:
                self._by_initials.setdefault("".join(w[0] for w in e.words), []).append(i)
        # Every beginning of those keys, so a query window's candidate keys are grown a word
        # at a time and abandoned as soon as no label starts that way.
        self._initials_prefixes = {k[:n] for k in self._by_initials for n in range(1, len(k) + 1)}
        # Multi-word labels by their words' roots, for other forms of a word ("revenue
        # recognized" holds Revenue Recognition): a long word counts by its first ROOT letters.
        self._by_root: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            if e.kind != "acronym" and len(e.words) >= 2 and any(len(w) > ROOT for w in e.words):
                self._by_root.setdefault(_roots(e.words), []).append(i)
        self._by_word: dict[str, list[int]] | None = None  # entries by word, on first use
        self._entries_of: dict[int, list[int]] = {}
        for i, e in enumerate(self.entries):
            self._entries_of.setdefault(e.concept, []).append(i)

    @classmethod
    def build(
        cls, concepts: Sequence[Concept], fuzzy_cutoff: float = 85.0, min_coverage: float = 0.34
    ) -> LabelMatcher:
        entries: list[LabelEntry] = []
        for ci, c in enumerate(concepts):
            acronyms = {label_key(a, singular_last=False) for a in c.acronyms}
            seen: set[tuple[str, str]] = set()
            labelled = [(c.pref_label, "preferred label")]
            labelled += [(a, "alias") for a in c.alt_labels]
            labelled += [(h, "hidden label") for h in c.hidden_labels]
            labelled += [(a, "acronym") for a in c.acronyms]
            for label, kind in labelled:
                key = label_key(label, singular_last=False)
                if key in acronyms:
                    kind = "acronym"
                if not key or (key, kind) in seen:
                    continue
                seen.add((key, kind))
                entries.append(LabelEntry(ci, label, kind, tuple(words_of(label)), key))
        return cls(entries, fuzzy_cutoff, min_coverage)

    def labels_of(self, concept: int) -> list[LabelEntry]:
        return [self.entries[i] for i in self._entries_of.get(concept, ())]

    def resolve(self, label: str) -> int | None:
        """The concept one of whose labels is `label` (as `Glossary.lookup` matches)."""
        for key in (label_key(label, singular_last=False), label_key(label)):
            if key in self._by_key:
                return self.entries[self._by_key[key][0]].concept
        return None

    def named(self, label: str, kind: str | None = None) -> list[int]:
        """Every concept one of whose labels (of `kind`, if given: "acronym") is `label`, in
        index order: more than one when sources use one acronym for different things
        ("CAC")."""
        found: list[int] = []
        keys = (label_key(label, singular_last=False), label_key(label))
        for key in keys:
            for i in self._by_key.get(key, ()):  # as written: "forecast" is not "forecasting"
                entry = self.entries[i]
                if kind is not None and entry.kind != kind:
                    continue
                if entry.key in keys and entry.concept not in found:
                    found.append(entry.concept)
        return found

    def spelt_out(self, text: str) -> str | None:
        """The preferred label of the one concept `text`, whole, is an acronym of ("QBR":
        Quarterly Business Review); None for anything else."""
        found = self.named(text, kind="acronym")
        if len(found) != 1:
            return None
        return next(
            (e.label for e in self.labels_of(found[0]) if e.kind == "preferred label"), None
        )

    def search(self, query: Query, k: int) -> list[Scored]:
        best: dict[int, Scored] = {}

        def offer(entry_index: int, score: float, how: str) -> None:
            e = self.entries[entry_index]
            why = f"{how} {e.kind} '{e.label}'"
            current = best.get(e.concept)
            if current is None or score > current.score:
                best[e.concept] = Scored(e.concept, score, why)

        # The whole query is a label.
        for key in {label_key(query.text, singular_last=False), label_key(query.text)}:
            for i in self._by_key.get(key, []):
                offer(i, 1.0, "exact")
        for i, score in self._initialism_of(query):
            offer(i, score, "initials of")
        words = query.words
        # words asking about a name are no more of what is named ("nrr calc definition")
        content = [w for w in content_words(words) if w not in CUE_WORDS] or content_words(words)
        contained = self._contained(words)
        spans = {i: span_of(self.entries[i].words, words) for i in contained}
        subject = _subject_end(words, list(spans.values()))
        raw = tuple(fold(query.text).split())
        variants = [i for i in self._variants(words, raw) if i not in contained]
        for i in [*contained, *variants]:
            e = self.entries[i]
            label_content = content_words(e.words) or list(e.words)
            # the query's words the concept's other names explain count too: "NPS score"
            # is all Net Promoter Score, though the acronym alone is one word of two
            named = self.name_words(e.concept)
            by_names = sum(1 for w in content if w in named)
            coverage = min(1.0, len(label_content) / max(1, len(content)))
            span = spans.get(i)
            if subject is not None and span is not None and span[1] <= subject:
                # the subject's name, before the context placing it: it covers the subject
                # (never "exact": the context is still part of the question)
                # a judgement of it is no more of the subject ("a good NPS | for B2B SaaS")
                asked = [w for w in content_words(words[:subject]) if w not in JUDGEMENTS]
                asked = asked or content_words(words[:subject]) or list(words[:subject])
                coverage = max(coverage, min(0.9, len(label_content) / max(1, len(asked))))
            if by_names > len(label_content):  # never "exact": "retention and NRR" is not NRR
                coverage = max(coverage, min(0.9, by_names / max(1, len(content))))
            # an acronym written as one ("the board wants our GRR") names its concept however
            # long the sentence around it, unless it only qualifies ("accounts managed by a
            # CSM", "a book of business for a CSM")
            cased = e.kind == "acronym" and self._subject_acronym(e.label, query.raw)
            if coverage < self.min_coverage and not cased:
                continue  # one common word of a long question: BM25's business, not a label hit
            if cased:
                coverage = max(coverage, 0.5)
            score = 1.0 if coverage >= 1.0 else 0.35 + 0.5 * coverage
            if e.kind == "acronym" and not self._cased(e.label, query.raw):
                score *= 0.8  # "core" in a sentence is rarely the acronym CORE
            if i in variants:
                offer(i, 0.95 * min(score, 0.95), "contains a form of")
                continue
            offer(i, score, "exact" if score >= 1.0 else "contains")
        for i, ratio, window in self._fuzzy_either(words, raw):
            e = self.entries[i]
            coverage = min(1.0, window / max(1, len(words)))
            if coverage < self.min_coverage:
                continue
            score = (ratio / 100.0) * (0.35 + 0.5 * coverage)
            offer(i, min(score, 0.95), f"fuzzy ({ratio:.0f}%)")
        for i, window in self._abbreviated(words):
            coverage = min(1.0, window / max(1, len(words)))
            if coverage >= self.min_coverage:
                offer(i, 0.9 * (0.35 + 0.5 * coverage), "abbreviates")
        ranked = sorted(best.values(), key=lambda s: (-s.score, s.concept))
        return ranked[:k]

    def names(self, query: Query) -> bool:
        """Whether the query, whole, is a name the glossary has: a label, alias or acronym
        (exactly, misspelt or abbreviated), or words all found among one concept's names
        ("stickiness" of Customer Stickiness, "customer churn" of Churn)."""
        words = query.words
        if any(
            key in self._by_key
            for key in (label_key(query.text, singular_last=False), label_key(query.text))
        ):
            return True
        if any(
            size >= len(words) and self._misspells(words, self.entries[e].words)
            for e, _, size in self._fuzzy(words)
        ):
            return True
        if any(size >= len(words) for _, size in self._abbreviated(words)):
            return True
        if self._initialism_of(query):
            return True
        return self._among_one_concepts_names(content_words(words))

    @staticmethod
    def _misspells(words: Sequence[str], label: Sequence[str]) -> bool:
        """Word for word a misspelling ("net revenue retenton"), not a longer or other name
        sharing a long start ("customer success operations", "customer journey map")."""
        from rapidfuzz import fuzz

        return len(words) == len(label) and all(
            fuzz.ratio(a, b) >= 75 for a, b in zip(words, label, strict=True)
        )

    def ends_with_name_of(self, words: Sequence[str], concept: int) -> bool:
        """Whether `words` end with one of the concept's labels, aliases or acronyms
        ("customer churn" ends with Churn)."""
        return any(
            (n := len(e.words)) and tuple(words[-n:]) == e.words for e in self.labels_of(concept)
        )

    def name_words(self, concept: int) -> set[str]:
        """Every word of a concept's labels, aliases and acronyms (folded, stemmed)."""
        return {w for e in self.labels_of(concept) for w in e.words}

    def _among_one_concepts_names(self, words: Sequence[str]) -> bool:
        return bool(self.holding(words))

    def holding(self, words: Sequence[str]) -> list[int]:
        """The concepts among whose labels, aliases and acronyms every one of `words` stands
        ("contraction": Account Contraction), in index order."""
        if not words:
            return []
        by_word = self._by_word
        if by_word is None:  # built on first use: only `ask` needs it
            by_word = {}
            for i, e in enumerate(self.entries):
                for w in set(e.words):
                    by_word.setdefault(w, []).append(i)
            self._by_word = by_word
        wanted = set(words)
        rarest = min(wanted, key=lambda w: len(by_word.get(w, ())))
        concepts = sorted({self.entries[i].concept for i in by_word.get(rarest, ())})
        return [c for c in concepts if wanted <= self.name_words(c)]

    def concepts_named_in(self, words: Sequence[str]) -> set[int]:
        """The concepts one of whose labels, aliases or acronyms stands, whole, in `words`."""
        return {self.entries[i].concept for i in self._contained(tuple(words))}

    def _contained(self, words: tuple[str, ...]) -> list[int]:
        """Entries whose words appear, in order and together, in the query's words."""
        found: list[int] = []
        n = len(words)
        grams = {" ".join(words[i:j]) for i in range(n) for j in range(i + 1, min(n, i + 6) + 1)}
        grams |= {"".join(words[i:j]) for i in range(n) for j in range(i + 2, min(n, i + 4) + 1)}
        for phrase in grams:
            for i in self._by_key.get(phrase.replace(" ", ""), []):
                if self._phrases[i] == phrase or "".join(self.entries[i].words) == phrase:
                    found.append(i)
        return sorted(set(found))

    def _variants(self, words: tuple[str, ...], raw: tuple[str, ...] = ()) -> list[int]:
        """Multi-word entries whose words appear in the query, in order and together, each
        the same word or, written as a verb form in the query (`raw`, its words before
        stemming), another form of it: the same first ROOT letters ("revenue recognized" holds
        Revenue Recognition; "account contracts" does not hold Account Contraction)."""
        n = len(words)
        found: set[int] = set()
        for i in range(n):
            for j in range(i + 2, min(n, i + 6) + 1):
                window = words[i:j]
                if not any(len(w) > ROOT for w in window):
                    continue
                for e in self._by_root.get(_roots(window), ()):
                    label = self.entries[e].words
                    if all(
                        w == x or (k < len(raw) and is_verb_form(raw[k]))
                        for k, w, x in zip(range(i, j), window, label, strict=True)
                    ):
                        found.add(e)
        return sorted(found)

    def _fuzzy_either(
        self, words: tuple[str, ...], raw: tuple[str, ...]
    ) -> list[tuple[int, float, int]]:
        """`_fuzzy` of the query's stemmed words or, when they find no label, of its words as
        typed: stemming a misspelt word can take it further from the label ("busines" stems
        to "busin", 84 % like "business review" where "busines" is 89 %)."""
        stemmed = self._fuzzy(words)
        return stemmed if stemmed or raw == words else self._fuzzy(raw)

    def _fuzzy(self, words: tuple[str, ...]) -> list[tuple[int, float, int]]:
        """(entry, ratio, window length) for labels a window of the query misspells.

        Only windows holding a word no correctly spelt label has are compared: a misspelling
        makes such a word, and this keeps a query to a few rows of `cdist` at any scale."""
        from rapidfuzz import fuzz, process

        if not words or not self._fuzzable:
            return []
        n = len(words)
        windows = [
            (" ".join(words[i:j]), j - i)
            for i in range(n)
            for j in range(i + 1, min(n, i + 5) + 1)
            # a stop word is no misspelling: "is customer retention" is not "cost of ..."
            if any(w not in self._known for w in content_words(words[i:j]))
        ]
        windows = [(w, size) for w, size in windows if len(w) >= 5]
        if not windows:
            return []
        matrix = process.cdist(
            [w for w, _ in windows],
            self._choices,
            scorer=fuzz.ratio,
            score_cutoff=self.fuzzy_cutoff,
            dtype=np.float32,
        )
        out: list[tuple[int, float, int]] = []
        rows, cols = np.nonzero(matrix)
        best: dict[int, tuple[float, int]] = {}
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            ratio = float(matrix[r, c])
            if ratio >= 100.0:
                continue  # exact containment is handled above
            entry = self._fuzzable[c]
            if entry not in best or ratio > best[entry][0]:
                best[entry] = (ratio, windows[r][1])
        for entry, ratio in self._one_edit([w for w, size in windows if size == 1]):
            if entry not in best or ratio > best[entry][0]:
                best[entry] = (ratio, 1)
        for entry, (ratio, size) in sorted(best.items()):
            out.append((entry, ratio, size))
        return out

    def _one_edit(self, words: Sequence[str]) -> list[tuple[int, float]]:
        """(entry, similarity %) for one-word labels a word of 5 to 7 letters misses by one
        edit, a swap of two letters counting as one ("chrun", "churm"): as search engines
        allow one edit at these lengths, where `fuzzy_cutoff` would need a longer word."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        short = [w for w in words if 5 <= len(w) <= 7]
        if not short or not self._one_word:
            return []
        matrix = process.cdist(
            short, self._one_word_choices, scorer=OSA.distance, score_cutoff=1, dtype=np.int32
        )
        found = []
        for r, c in zip(*np.nonzero(matrix == 1), strict=True):
            longest = max(len(short[r]), len(self._one_word_choices[c]))
            found.append((self._one_word[c], 100.0 * (1 - 1 / longest)))
        return found

    def _abbreviated(self, words: tuple[str, ...]) -> list[tuple[int, int]]:
        """(entry, window length) for multi-word labels that a window of the query shortens
        word by word: "rev rec" (revenue recognition), "acct mgr", "neg churn", or with an
        initialism for some of the label's words, "CS manager" (customer success manager).
        A shortened word is one no correctly spelt label has: three letters at least that
        start like the label's word and keep its letters in order, or two to four letters
        that are the initials of as many label words; one word at least is not initials."""
        found: set[tuple[int, int]] = set()
        n = len(words)
        for start in range(n):
            for end in range(start + 2, min(n, start + 5) + 1):
                window = words[start:end]
                if all(w in self._known for w in window):
                    continue  # nothing shortened: exact and fuzzy matching cover it
                for key, initials in self._initials_keys(window):
                    for entry in self._by_initials.get(key, ()):
                        if self._spells(window, initials, self.entries[entry].words):
                            found.add((entry, end - start))
        return sorted(found)

    def _initialism_of(self, query: Query) -> list[tuple[int, float]]:
        """(entry, score) for a query that is one word of three to six capitals no name has
        ("RYG"): the multi-word labels of one concept whose initials it is, every word's
        (0.85) or every word's but a last one, the head noun ("Red, Yellow, Green Meetings";
        0.75)."""
        raw = query.raw.strip(" ?!.")
        if not (3 <= len(raw) <= 6 and raw.isalpha() and raw.isupper()) or len(query.words) != 1:
            return []  # two letters ("CS", "AR") are the initials of too much
        token = raw.lower()
        if token in self._known or token not in self._initials_prefixes:
            return []
        found = [(e, 0.85) for e in self._by_initials.get(token, ())]
        for letter in "abcdefghijklmnopqrstuvwxyz0123456789":
            found += [(e, 0.75) for e in self._by_initials.get(token + letter, ())]
        found = [(e, score) for e, score in found if self.entries[e].kind != "hidden label"]
        if len({self.entries[e].concept for e, _ in found}) > 1:
            return []  # the initials of several concepts' names: which is meant, none says
        return found

    def _initials_keys(self, window: tuple[str, ...]) -> list[tuple[str, tuple[bool, ...]]]:
        """(initials key, which words are taken as initials) for each reading of the window
        that some label's initials spell: each word gives its first letter or, if it can be
        an initialism, all of it; one word at least is not initials."""
        out = []
        stack: list[tuple[int, str, tuple[bool, ...]]] = [(0, "", ())]
        while stack:
            at, key, initials = stack.pop()
            if at == len(window):
                if not all(initials) and key in self._by_initials:
                    out.append((key, initials))
                continue
            word = window[at]
            options = [(word[0], False)] + ([(word, True)] if self._initialism(word) else [])
            for part, is_initials in options:
                if key + part in self._initials_prefixes:
                    stack.append((at + 1, key + part, (*initials, is_initials)))
        return out

    def _initialism(self, word: str) -> bool:
        return 2 <= len(word) <= 4 and word.isalpha() and word not in self._known

    def _spells(
        self, window: tuple[str, ...], initials: tuple[bool, ...], label: tuple[str, ...]
    ) -> bool:
        at = 0
        for word, is_initials in zip(window, initials, strict=True):
            if is_initials:
                if "".join(w[0] for w in label[at : at + len(word)]) != word:
                    return False
                at += len(word)
            elif at < len(label) and self._shortens(word, label[at]):
                at += 1
            else:
                return False
        return at == len(label)

    def _shortens(self, short: str, word: str) -> bool:
        if short == word:
            return True
        if short in self._known or not 3 <= len(short) < len(word):
            return False
        letters = iter(word)
        return all(ch in letters for ch in short)

    @staticmethod
    def _cased(acronym: str, raw: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(acronym)}(?!\w)", raw) is not None

    @staticmethod
    def _subject_acronym(acronym: str, raw: str) -> bool:
        """The acronym is written as one, not after "by", "for", "of" ... ("managed by a
        CSM") nor as a possessive ("the CSM's plan"): what the sentence is about, not a
        qualifier."""
        found = re.search(rf"(?<!\w){re.escape(acronym)}(?!\w)", raw)
        if found is None:
            return False
        if re.match(r"['’]s\s+\w", raw[found.end() :]):
            return False  # "the CSM's yearly plan": what is the CSM's is asked
        words = raw[: found.start()].lower().split()
        verb = _RELATIVE.match(raw[found.end() :])
        if (
            verb is not None
            and verb[1].lower() not in STOPWORDS  # "our CAC is too high" is about CAC
            and len(words) >= 2
            and words[-1] in _DETERMINERS
            and words[-2] not in STOPWORDS
            and words[-2].isalpha()
        ):
            return False  # "the accounts a CSM owns": a clause about what comes before
        before = [w for w in words if w not in _DETERMINERS]
        return not before or before[-1] not in _QUALIFYING

    def save(self, folder: Path) -> list[str]:
        rows = [[e.concept, e.label, e.kind] for e in self.entries]
        settings = {"fuzzy_cutoff": self.fuzzy_cutoff, "min_coverage": self.min_coverage}
        write_json(folder / self.FILE, {**settings, "labels": rows})
        return [self.FILE]

    @classmethod
    def load(cls, folder: Path) -> LabelMatcher:
        data = read_json(folder / cls.FILE)
        try:
            # words and kinds interned: a large vocabulary repeats them (205,000 labels: -70 MiB)
            entries = [
                LabelEntry(
                    int(ci),
                    str(label),
                    sys.intern(str(kind)),
                    tuple(sys.intern(w) for w in words_of(label)),
                    _entry_key(label),
                )
                for ci, label, kind in data["labels"]
            ]
            return cls(entries, float(data["fuzzy_cutoff"]), float(data["min_coverage"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise BuildError(f"{folder / cls.FILE} is damaged ({exc}); rebuild") from None


def _roots(words: Sequence[str]) -> str:
    return " ".join(w[:ROOT] if len(w) > ROOT else w for w in words)


def _entry_key(label: str) -> str:
    return label_key(label, singular_last=False)


def span_of(label: Sequence[str], words: Sequence[str]) -> tuple[int, int] | None:
    """Where a label's words first stand together in the query's words, or None (a label
    matched through its words written as one, "health score" as "healthscore")."""
    n = len(label)
    for start in range(len(words) - n + 1):
        if tuple(words[start : start + n]) == tuple(label):
            return start, start + n
    return None


def _subject_end(words: Sequence[str], spans: Sequence[tuple[int, int] | None]) -> int | None:
    """Where the question's subject ends, if a placing preposition follows a name in it
    ("champion | in customer success"); a preposition inside a name ("Revenue at Risk") places
    nothing, and without a name before the preposition nothing is known of the subject."""
    for at, word in enumerate(words):
        if word not in PLACING or not content_words(words[:at]):
            continue
        if any(s is not None and s[0] < at < s[1] for s in spans):
            continue
        if any(s is not None and s[1] <= at for s in spans):
            return at
        return None
    return None
