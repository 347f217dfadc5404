"""Concept search: label matching, BM25 and dense similarity, fused into one ranking.

    SearchIndex          built from concepts and an encoder; saved and loaded with a manifest
    ├── LabelMatcher     exact, contained and fuzzy matches on labels, aliases and acronyms
    ├── BM25Retriever    bm25s over each concept's labels and definitions
    └── DenseRetriever   faiss inner product over views of each concept (best view counts)

Every retriever answers `search(query, k) -> [Scored]` for a prepared `Query`, so a mode is just
a choice of retrievers: `hybrid` fuses all three, `bm25`, `dense` (one vector per concept and
the query as typed, the usual single-vector baseline) and `views` (the multi-view dense
retriever alone) are kept for measuring what each part adds (`kg eval`). Nothing is encoded at
load: vectors live in the faiss files; only queries are encoded, once each, through a small LRU
cache.

What carries questions phrased in everyday words (paraphrases), each measured on the tune split
of data/eval/questions.tsv (data/eval/search-ablations.md; `python -m bench.search_quality
--split tune --ablations`):
- the query is encoded as "A term for: <query>", which puts it in the register of a glossary
  entry, and each definition is also embedded as "Label: definition";
- a concept's dense score is its best view, plus a share of its second best and of the mean of
  all its views;
- BM25 counts by the cube of the share of the query it explains, so one shared common word
  does not outvote the dense ranking, while a question in the definition's words still wins.
No hand-written synonym list is built in: one fitted to known questions did not carry over to
new ones. `SearchIndex.build(..., lexicon=...)` still takes a curated one.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import threading
import unicodedata
import zipfile
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Protocol

import numpy as np

from ingest.concept import Concept
from ingest.normalize import fold, label_key, singular
from kg.build import sha256
from kg.errors import BadQuery, BuildError

MAX_QUERY_CHARS = 512
MANIFEST = "search-manifest.json"
FORMAT_VERSION = 3  # 2: "Label: definition" views, no built-in lexicon; 3: curated phrasings
MODES = ("hybrid", "bm25", "dense", "views")

# Words that carry no meaning for matching: articles, pronouns, question words, auxiliaries.
STOPWORDS = frozenset(
    "a an the of to in on for and or with by from at as is are be been being it its this that "
    "these those our us we you your their they them i my me what whats how who when where which "
    "why do does did can could would should will shall has have had was were about all any "
    "some such than then there so not no into up out over per each every just also very".split()
)
_BOILERPLATE_HEAD = re.compile(
    r"^\s*(?:please\s+)?(?:"
    # before "what do ...", which would leave "you call it when ..."
    r"(?:what|how)\s+(?:do|would|should)\s+(?:you|we|they|people|i)\s+call\s+(?:it\s+)?(?:when\s+)?"
    r"|(?:what|which)\s+(?:is|are|does|do)\s+(?:an?\s+|the\s+)?(?:(?:term|word|name)\s+for\s+)?"
    r"|what['’]?s\s+(?:an?\s+|the\s+)?(?:(?:term|word|name|phrase)\s+for\s+)?"
    r"|(?:is|are)\s+there\s+(?:an?\s+|any\s+|the\s+)?(?:(?:term|word|name|phrase)\s+for\s+)?"
    r"|(?:can\s+you\s+)?(?:define|explain|describe)\s+"
    r"|(?:the\s+)?(?:definition|meaning)\s+of\s+"
    r"|tell\s+me\s+(?:about\s+)?"
    r")",
    re.IGNORECASE,
)
_BOILERPLATE_TAIL = re.compile(
    r"\s*(?:\s(?:stand|stands)\s+for|\s(?:mean|means))?\s*[?!.]*\s*$", re.IGNORECASE
)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


class TextEncoder(Protocol):
    """What search needs of `kg.embed.Encoder` (a fake in tests can count calls)."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str], batch_size: int = ...) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """Tunable knobs; the defaults are the ones measured in data/eval/search-ablations.md."""

    # Chosen on the tune split only: RRF beat a score blend by a few questions, and needs no
    # assumptions about how BM25 and cosine scores scale.
    fusion: str = "rrf"  # "rrf" (reciprocal rank fusion) or "weighted" (score blend)
    rrf_k: int = 20
    w_label: float = 0.1  # times the label score (1.0 = exact); exact hits rank first anyway
    w_bm25: float = 1.5  # times the BM25 match's strength (share of the query it explains)
    # ... raised to this power: a match on one common word of a paraphrase (strength ~0.3)
    # then hardly counts, while a match on most of the query (a direct question) still does.
    bm25_power: float = 3.0
    w_dense: float = 1.0
    w_document: float = 0.0  # the single-vector dense baseline as a fourth signal (0: off)
    candidates: int = 50  # how deep each retriever's list goes into the fusion
    min_label_coverage: float = 0.34  # a label inside a longer query must cover this share
    second_view: float = 0.3  # weight of a concept's second-best view (0: best view only)
    fuzzy_cutoff: float = 85.0  # rapidfuzz ratio a label must reach to count as a misspelling
    hnsw_threshold: int = 20_000  # above this many vectors, an approximate HNSW index
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    query_cache: int = 2048  # query vectors kept in the LRU cache
    lexicon_weight: float = 1.0  # BM25 weight of a curated synonym's glossary equivalent
    lexicon_dense: bool = True  # also append the equivalents to the text the encoder sees
    use_lexicon: bool = True  # hybrid mode expands queries (off: for measuring what it adds)
    # Dense retrieval of the hybrid (and `views`) mode: the query is encoded inside this
    # template, phrased like a glossary entry; "{}" alone turns it off.
    query_template: str = "A term for: {}"
    centroid: float = 0.5  # weight of the cosine with the mean of a concept's views
    entry_views: bool = True  # also embed each definition as "Label: definition" (at build)


@dataclass(slots=True)
class Hit:
    """One ranked concept, with the signals that put it there."""

    concept_id: str
    score: float  # the fused score, plus 1.0 when the query is exactly one of its labels
    signals: dict[str, float]  # label, bm25, bm25_rank, dense, dense_rank, ... (what matched)
    explanation: str
    evidence: dict[str, str] = field(default_factory=dict)  # e.g. {"label": "acronym 'NDR'"}


class Scored(NamedTuple):
    """A retriever's answer for one concept: its index, its score, and why."""

    concept: int
    score: float
    why: str
    strength: float = 1.0  # how much of the query this match explains, 0..1


@dataclass(frozen=True, slots=True)
class Query:
    """A validated query: as typed, without question boilerplate, and as matching words."""

    raw: str
    text: str
    words: tuple[str, ...]  # folded and stemmed words of `text`
    vector: Callable[[], np.ndarray]  # the query's own text, encoded
    expansions: dict[str, float] = field(default_factory=dict)  # extra BM25 terms, weighted
    term_vector: Callable[[], np.ndarray] | None = None  # encoded in the query template


# -- text helpers


def stem(word: str) -> str:
    """A light, consistent stem: singular, then -ing/-ed and a final -e dropped."""
    word = singular(word)
    if len(word) >= 6 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) >= 5 and word.endswith("ed"):
        word = word[:-2]
    if len(word) >= 4 and word.endswith("e"):
        word = word[:-1]
    return word


def words_of(text: str) -> list[str]:
    """Folded, stemmed words, stop words kept (labels like "Cost of Goods Sold" need them)."""
    return [stem(w) for w in fold(text).split()]


def content_words(words: Iterable[str]) -> list[str]:
    return [w for w in words if w not in STOPWORDS]


def strip_boilerplate(text: str) -> str:
    """ "What does NDR stand for?" -> "NDR"; the question words add nothing to matching."""
    stripped = _BOILERPLATE_TAIL.sub("", _BOILERPLATE_HEAD.sub("", text, count=1))
    return stripped.strip() or text.strip()


def validate(query: object, limit: int = MAX_QUERY_CHARS) -> str:
    """The query, stripped, or BadQuery saying what is wrong with it."""
    if not isinstance(query, str):
        raise BadQuery(f"query must be text, not {type(query).__name__}")
    if len(query) > limit:
        raise BadQuery(f"query is {len(query)} characters long; the limit is {limit}")
    if "\x00" in query:
        raise BadQuery("query contains a NUL character; send plain text")
    if "\ufffd" in query:  # what a decoder leaves where the bytes were not valid UTF-8
        raise BadQuery("query is not valid UTF-8 text; send it UTF-8 encoded")
    for ch in query:
        category = unicodedata.category(ch)
        if category == "Cs":
            raise BadQuery("query is not valid Unicode text (lone surrogate)")
        if category == "Cc" and ch not in "\t\n\r":
            raise BadQuery(f"query contains the control character U+{ord(ch):04X}; send plain text")
    stripped = query.strip()
    if not stripped:
        raise BadQuery("query is empty: type a word or a question")
    return stripped


def _sentences(text: str) -> list[str]:
    parts = [p.strip(" -•*\t") for p in _SENTENCE.split(text)]
    return [p for p in parts if len(p.split()) >= 4]


def _write_json(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"{path} is unreadable ({exc}); rebuild with `kg ingest`") from None


# -- retrievers


class Retriever(ABC):
    """One way of finding concepts for a query; saved as files named `search-<name>.*`."""

    name: ClassVar[str]

    @abstractmethod
    def search(self, query: Query, k: int) -> list[Scored]:
        """The best `k` concepts, best first."""

    @abstractmethod
    def save(self, folder: Path) -> list[str]:
        """Write this component; return the file names written."""


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
        return [e for e in self.entries if e.concept == concept]

    def resolve(self, label: str) -> int | None:
        """The concept one of whose labels is `label` (as `Glossary.lookup` matches)."""
        for key in (label_key(label, singular_last=False), label_key(label)):
            if key in self._by_key:
                return self.entries[self._by_key[key][0]].concept
        return None

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
        words = query.words
        content = content_words(words)
        for i in self._contained(words):
            e = self.entries[i]
            label_content = content_words(e.words) or list(e.words)
            coverage = min(1.0, len(label_content) / max(1, len(content)))
            if coverage < self.min_coverage:
                continue  # one common word of a long question: BM25's business, not a label hit
            score = 1.0 if coverage >= 1.0 else 0.35 + 0.5 * coverage
            if e.kind == "acronym" and not self._cased(e.label, query.raw):
                score *= 0.8  # "core" in a sentence is rarely the acronym CORE
            offer(i, score, "exact" if score >= 1.0 else "contains")
        for i, ratio, window in self._fuzzy(words):
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
            if any(w not in self._known for w in words[i:j])
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
        for entry, (ratio, size) in sorted(best.items()):
            out.append((entry, ratio, size))
        return out

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

    def save(self, folder: Path) -> list[str]:
        rows = [[e.concept, e.label, e.kind] for e in self.entries]
        settings = {"fuzzy_cutoff": self.fuzzy_cutoff, "min_coverage": self.min_coverage}
        _write_json(folder / self.FILE, {**settings, "labels": rows})
        return [self.FILE]

    @classmethod
    def load(cls, folder: Path) -> LabelMatcher:
        data = _read_json(folder / cls.FILE)
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


def _entry_key(label: str) -> str:
    return label_key(label, singular_last=False)


class BM25Retriever(Retriever):
    """bm25s over each concept's labels (twice, so a name outweighs a passing mention) and
    all its definitions, on folded, stemmed words without stop words.

    Each match also reports its *strength*: the IDF-weighted share of the query's words the
    concept contains. A paraphrase that shares one common word with a definition gets a BM25
    rank but little strength, so the fusion does not let it push out a dense match.
    """

    name = "bm25"
    FILE = "search-bm25.zip"

    def __init__(self, model: Any) -> None:
        self.model = model
        self.vocab: dict[str, int] = {w: i for w, i in model.vocab_dict.items() if w}
        n_docs = int(model.scores["num_docs"])
        indptr = np.asarray(model.scores["indptr"])
        df = np.diff(indptr).astype(np.float64)
        # Lucene's IDF; unknown words get the highest (they are at least as rare as any).
        self.idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        self.unknown_idf = float(np.log(1.0 + (n_docs + 0.5) / 0.5))
        self.n_docs = n_docs

    @staticmethod
    def document(concept: Concept) -> list[str]:
        labels = [concept.pref_label, *concept.alt_labels, *concept.hidden_labels]
        phrasings = [strip_boilerplate(p) for p in concept.phrasings]
        text = " ".join(labels * 2 + [d.text for d in concept.definitions] + phrasings)
        return content_words(words_of(text))

    @classmethod
    def build(cls, concepts: Sequence[Concept]) -> BM25Retriever:
        import bm25s
        from bm25s.tokenization import Tokenized

        docs = [cls.document(c) for c in concepts]
        vocab = {w: i for i, w in enumerate(sorted({w for d in docs for w in d}))}
        ids = [[vocab[w] for w in d] for d in docs]
        model = bm25s.BM25()
        model.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        return cls(model)

    def search(self, query: Query, k: int) -> list[Scored]:
        terms = {w: 1.0 for w in content_words(query.words)}
        for w, weight in query.expansions.items():
            terms.setdefault(w, weight)
        return self.search_terms(terms, k)

    def search_terms(self, terms: dict[str, float], k: int) -> list[Scored]:
        """Rank by the weighted sum of each term's BM25 score."""
        if not terms:
            return []
        scores = np.zeros(self.n_docs, dtype=np.float64)
        covered = np.zeros(self.n_docs, dtype=np.float64)
        total = 0.0
        hits: list[tuple[str, np.ndarray]] = []
        for term, weight in sorted(terms.items()):
            if term not in self.vocab:
                total += weight * self.unknown_idf
                continue
            idf = float(self.idf[self.vocab[term]])
            total += weight * idf
            per_doc = np.asarray(self.model.get_scores([term]), dtype=np.float64)
            scores += weight * per_doc
            hit = per_doc > 0
            covered += weight * idf * hit
            hits.append((term, hit))
        positive = np.flatnonzero(scores > 0)
        if len(positive) > k:
            # keep every document tied with the k-th best, so ties still break by index
            kth = -np.partition(-scores[positive], k - 1)[k - 1]
            positive = positive[scores[positive] >= kth]
        order = sorted(positive.tolist(), key=lambda i: (-scores[i], i))[:k]
        return [
            Scored(
                i,
                float(scores[i]),
                f"words: {', '.join(t for t, hit in hits if hit[i])}",
                float(covered[i] / total) if total > 0 else 0.0,
            )
            for i in order
        ]

    def save(self, folder: Path) -> list[str]:
        with tempfile.TemporaryDirectory() as tmp:
            self.model.save(tmp, show_progress=False)
            with zipfile.ZipFile(folder / self.FILE, "w", zipfile.ZIP_DEFLATED) as zf:
                for file in sorted(Path(tmp).iterdir()):
                    # a fixed timestamp keeps the file (and its checksum) reproducible
                    info = zipfile.ZipInfo(file.name, date_time=(1980, 1, 1, 0, 0, 0))
                    zf.writestr(info, file.read_bytes(), zipfile.ZIP_DEFLATED)
        return [self.FILE]

    @classmethod
    def load(cls, folder: Path) -> BM25Retriever:
        import bm25s

        path = folder / cls.FILE
        try:
            with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as zf:
                zf.extractall(tmp)
                model = bm25s.BM25.load(tmp, mmap=False, show_progress=False, verbosity=0)
            return cls(model)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise BuildError(f"{path} is damaged ({exc}); rebuild with `kg ingest`") from None


@dataclass(frozen=True, slots=True)
class View:
    """One text embedded for a concept: its label, an alias, a definition or a sentence."""

    concept: int
    kind: str
    text: str
    source: str = ""

    def describe(self) -> str:
        snippet = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        where = f" ({self.source})" if self.source else ""
        return f"{self.kind}{where} '{snippet}'"


def concept_views(concept: Concept, index: int, entries: bool = True) -> list[View]:
    """Several views of a concept, so a query close to any one of them finds it: its label,
    each alias, each definition, each sentence of a longer one and (with `entries`) each
    definition as a glossary prints it, "Label: definition"."""
    views = [View(index, "label", concept.pref_label)]
    acronyms = {label_key(a, singular_last=False) for a in concept.acronyms}
    for alias in [*concept.alt_labels, *concept.hidden_labels]:
        if label_key(alias, singular_last=False) not in acronyms:
            views.append(View(index, "alias", alias))
    for d in concept.definitions:
        views.append(View(index, "definition", d.text, d.source))
        if entries:  # the name in front gives the definition its topic
            views.append(View(index, "entry", f"{concept.pref_label}: {d.text}", d.source))
        sentences = _sentences(d.text)
        if len(sentences) > 1:
            views += [View(index, "sentence", s, d.source) for s in sentences]
    # a phrasing is searched as a query is: without its question wrapper ("is there a term
    # for ..."), so that wrapper words shared by many phrasings match nothing
    views += [View(index, "phrasing", strip_boilerplate(p), "curated") for p in concept.phrasings]
    unique: dict[tuple[str, str], View] = {}
    for v in views:
        unique.setdefault((v.kind if v.kind in ("label", "alias") else "text", v.text), v)
    return list(unique.values())


def concept_document(concept: Concept, index: int) -> list[View]:
    """The single-vector baseline: the label and preferred (or first) definition together."""
    definition = concept.definition or (concept.definitions[0] if concept.definitions else None)
    text = concept.pref_label + (f": {definition.text}" if definition else "")
    return [View(index, "document", text)]


class DenseRetriever(Retriever):
    """Cosine similarity (inner product of unit vectors) between the query and each view.

    A concept scores its best view, plus `second_view` times its second best (two views
    agreeing is evidence), plus `centroid` times the cosine with the mean of all its views
    (what the concept is about overall, less swayed by one lucky sentence). Exact
    `IndexFlatIP` at seed scale; HNSW above `hnsw_threshold` vectors. With `templated`, the
    query is encoded inside the configured template (see `SearchConfig.query_template`)."""

    name = "dense"

    def __init__(
        self,
        index: Any,
        views: Sequence[View],
        file_stem: str,
        second_view: float = 0.0,
        centroid: float = 0.0,
        templated: bool = False,
        centroids: np.ndarray | None = None,
    ) -> None:
        self.index = index
        self.views = list(views)
        self.file_stem = file_stem
        self.second_view = second_view  # weight of a concept's second-best view in its score
        self.centroid = centroid
        self.templated = templated
        self._owner = np.array([v.concept for v in self.views], dtype=np.int64)
        self.n_concepts = int(self._owner.max()) + 1 if len(self._owner) else 0
        self._centroids: np.ndarray | None = None
        if centroid > 0:
            self._centroids = centroids if centroids is not None else self._mean_vectors()
        # Exact index: the vectors as one matrix, and each concept's views as a row of `_grid`
        # (-1 pads), so a query is one matrix product and a few numpy reductions.
        self._matrix: np.ndarray | None = None
        self._grid = np.zeros((0, 0), dtype=np.int64)
        if self.kind == "flat" and self.views:
            self._matrix = np.ascontiguousarray(
                self.index.reconstruct_n(0, len(self.views)), dtype=np.float32
            )
            counts = np.bincount(self._owner, minlength=self.n_concepts)
            self._grid = np.full((self.n_concepts, int(counts.max())), -1, dtype=np.int64)
            filled = np.zeros(self.n_concepts, dtype=np.int64)
            for vid, concept in enumerate(self._owner.tolist()):
                self._grid[concept, filled[concept]] = vid
                filled[concept] += 1

    @property
    def kind(self) -> str:
        return "hnsw" if "HNSW" in type(self.index).__name__ else "flat"

    def _mean_vectors(self, chunk: int = 65536) -> np.ndarray:
        """Unit-length mean of each concept's view vectors, read back from the index a chunk
        at a time (at 100,000 concepts all views at once would be a 600 MB copy)."""
        sums = np.zeros((self.n_concepts, int(self.index.d)), dtype=np.float32)
        for start in range(0, len(self.views), chunk):
            count = min(chunk, len(self.views) - start)
            vectors = self.index.reconstruct_n(start, count)
            np.add.at(sums, self._owner[start : start + count], vectors)
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        return sums

    @classmethod
    def build(
        cls,
        views: Sequence[View],
        encoder: TextEncoder,
        config: SearchConfig,
        file_stem: str,
        templated: bool = False,
    ) -> DenseRetriever:
        import faiss

        vectors = np.ascontiguousarray(encoder.encode([v.text for v in views]), dtype=np.float32)
        dimension = vectors.shape[1] if vectors.ndim == 2 and len(vectors) else encoder.dimension
        index: Any
        if len(views) > config.hnsw_threshold:
            index = faiss.IndexHNSWFlat(dimension, config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = max(40, config.hnsw_m * 2)
            index.hnsw.efSearch = config.hnsw_ef_search
        else:
            index = faiss.IndexFlatIP(dimension)
        if len(vectors):
            index.add(vectors)
        return cls(index, views, file_stem, config.second_view, config.centroid, templated)

    def query_vector(self, query: Query) -> np.ndarray:
        source = query.term_vector if self.templated and query.term_vector else query.vector
        return np.ascontiguousarray(source().reshape(1, -1), dtype=np.float32)

    def search(self, query: Query, k: int) -> list[Scored]:
        if not self.views:
            return []
        vector = self.query_vector(query)
        if self._matrix is not None:
            return self._search_exact(vector[0], k)
        # Enough views that k distinct concepts are very likely among them.
        depth = len(self.views) if len(self.views) <= 4096 else min(len(self.views), k * 20)
        scores, ids = self.index.search(vector, depth)
        best: dict[int, list[tuple[float, int]]] = {}
        for score, vid in zip(scores[0].tolist(), ids[0].tolist(), strict=True):
            if vid < 0:
                continue
            found = best.setdefault(int(self._owner[vid]), [])
            if len(found) < 2:
                found.append((float(score), vid))
        concepts = list(best)
        overall = (
            (self._centroids[concepts] @ vector[0]).tolist()
            if self._centroids is not None
            else None
        )
        ranked = []
        for n, concept in enumerate(concepts):
            found = best[concept]
            top, vid = found[0]
            second = found[1][0] if len(found) > 1 else top
            score = top + self.second_view * second
            if overall is not None:
                score += self.centroid * overall[n]
            ranked.append((score, concept, top, vid))
        ranked.sort(key=lambda r: (-r[0], r[1]))
        return [
            Scored(c, cosine, self.views[v].describe(), cosine) for _, c, cosine, v in ranked[:k]
        ]

    def _search_exact(self, vector: np.ndarray, k: int) -> list[Scored]:
        """`search` over every view at once (the flat index's vectors as a matrix)."""
        assert self._matrix is not None
        sims = self._matrix @ vector
        present = self._grid >= 0
        grid = np.where(present, sims[self._grid], -np.inf)
        rows = np.arange(len(grid))
        best = grid.argmax(axis=1)
        top = grid[rows, best]
        grid[rows, best] = -np.inf
        second = grid.max(axis=1)
        second = np.where(np.isfinite(second), second, top)
        score = top + self.second_view * second
        if self._centroids is not None:
            score = score + self.centroid * (self._centroids @ vector)
        has_views = present.any(axis=1)
        candidates = np.flatnonzero(has_views)
        order = candidates[np.lexsort((candidates, -score[candidates]))][:k]
        return [
            Scored(
                int(c),
                float(top[c]),
                self.views[int(self._grid[c, best[c]])].describe(),
                float(top[c]),
            )
            for c in order.tolist()
        ]

    def files(self) -> tuple[str, str]:
        return f"{self.file_stem}.faiss", f"{self.file_stem}.json"

    def save(self, folder: Path) -> list[str]:
        import faiss

        index_file, views_file = self.files()
        faiss.write_index(self.index, str(folder / index_file))
        _write_json(
            folder / views_file, [[v.concept, v.kind, v.text, v.source] for v in self.views]
        )
        written = [index_file, views_file]
        if self._centroids is not None:
            # saved, so loading a large build need not read every vector back to average it
            np.save(folder / f"{self.file_stem}-centroids.npy", self._centroids)
            written.append(f"{self.file_stem}-centroids.npy")
        return written

    @classmethod
    def load(
        cls,
        folder: Path,
        file_stem: str,
        dimension: int,
        second_view: float = 0.0,
        ef_search: int = 128,
        centroid: float = 0.0,
        templated: bool = False,
    ) -> DenseRetriever:
        import faiss

        index_path = folder / f"{file_stem}.faiss"
        try:
            index = faiss.read_index(str(index_path))
        except RuntimeError as exc:
            raise BuildError(f"{index_path} is damaged ({exc}); rebuild with `kg ingest`") from None
        rows = _read_json(folder / f"{file_stem}.json")
        try:
            views = [
                View(int(c), sys.intern(str(kind)), str(text), sys.intern(str(src)))
                for c, kind, text, src in rows
            ]
        except (TypeError, ValueError) as exc:
            raise BuildError(f"{folder / file_stem}.json is damaged ({exc}); rebuild") from None
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = ef_search
        if index.d != dimension or index.ntotal != len(views):
            raise BuildError(
                f"{index_path} holds {index.ntotal} vectors of dimension {index.d}, expected "
                f"{len(views)} of dimension {dimension}; rebuild with `kg ingest`"
            )
        centroids = None
        centroids_path = folder / f"{file_stem}-centroids.npy"
        if centroid > 0 and centroids_path.is_file():
            try:
                # mapped, not read: the HNSW path touches only its candidates' rows
                centroids = np.load(centroids_path, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise BuildError(f"{centroids_path} is damaged ({exc}); rebuild") from None
            concepts = int(max((v.concept for v in views), default=-1)) + 1
            if centroids.shape != (concepts, dimension) or centroids.dtype != np.float32:
                raise BuildError(
                    f"{centroids_path} holds {centroids.shape} {centroids.dtype}, expected "
                    f"({concepts}, {dimension}) float32; rebuild with `kg ingest`"
                )
        return cls(index, views, file_stem, second_view, centroid, templated, centroids)


# -- the index


class Lexicon:
    """An optional, curated synonym list (empty unless `SearchIndex.build` is given one):
    glossary words mapped to the phrases that stand for them. Expansions feed BM25 and are
    appended to the text the dense encoder sees."""

    FILE = "search-lexicon.json"

    def __init__(self, groups: Mapping[str, Sequence[str]]) -> None:
        self.groups = {k: tuple(sorted(set(v))) for k, v in sorted(groups.items())}
        self._phrases: dict[tuple[str, ...], list[str]] = {}
        for canonical, phrases in self.groups.items():
            for phrase in phrases:
                key = tuple(words_of(phrase))
                if key:
                    self._phrases.setdefault(key, []).append(canonical)
        self._longest = max((len(k) for k in self._phrases), default=0)

    def match(self, words: Sequence[str]) -> list[tuple[str, str]]:
        """(everyday phrase found, glossary words it stands for), longest phrases first."""
        found: list[tuple[str, str]] = []
        used = [False] * len(words)
        for size in range(min(self._longest, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                key = tuple(words[i : i + size])
                if key in self._phrases and not any(used[i : i + size]):
                    used[i : i + size] = [True] * size
                    found += [(" ".join(key), c) for c in self._phrases[key]]
        return found

    def save(self, folder: Path) -> list[str]:
        _write_json(folder / self.FILE, {k: list(v) for k, v in self.groups.items()})
        return [self.FILE]

    @classmethod
    def load(cls, folder: Path) -> Lexicon:
        data = _read_json(folder / cls.FILE)
        if not isinstance(data, dict):
            raise BuildError(f"{folder / cls.FILE} is damaged; rebuild with `kg ingest`")
        return cls({str(k): [str(x) for x in v] for k, v in data.items()})


class QueryVectors:
    """An LRU cache of query vectors: the encoder is most of a query's time."""

    def __init__(self, encode: Callable[[str], np.ndarray], size: int) -> None:
        self._encode = encode
        self._size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __call__(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._cache.get(text)
            if vector is not None:
                self._cache.move_to_end(text)
                self.hits += 1
                return vector
        vector = np.asarray(self._encode(text), dtype=np.float32)
        vector.setflags(write=False)
        with self._lock:
            self.misses += 1
            self._cache[text] = vector
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return vector

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


class SearchIndex:
    """Finds concepts for a plain-language query; see the module docstring."""

    def __init__(
        self,
        concept_ids: Sequence[str],
        labels: LabelMatcher,
        bm25: BM25Retriever,
        views: DenseRetriever,
        document: DenseRetriever | Callable[[], DenseRetriever],
        lexicon: Lexicon,
        encoder: TextEncoder,
        config: SearchConfig | None = None,
    ) -> None:
        self.concept_ids = list(concept_ids)
        self.labels = labels
        self.bm25 = bm25
        self.views = views
        # The single-vector baseline serves only mode="dense" (and w_document > 0): a loaded
        # index reads it on first use (at 100,000 concepts it is 190 MiB).
        self._document = document if isinstance(document, DenseRetriever) else None
        self._document_loader = None if isinstance(document, DenseRetriever) else document
        self._document_lock = threading.Lock()
        self.lexicon = lexicon
        self.encoder = encoder
        self.config = config or SearchConfig()
        self.query_vectors = QueryVectors(encoder.encode_query, self.config.query_cache)
        self._position = {cid: i for i, cid in enumerate(self.concept_ids)}

    # -- building, saving, loading

    @classmethod
    def build(
        cls,
        concepts: Sequence[Concept],
        encoder: TextEncoder,
        config: SearchConfig | None = None,
        lexicon: Mapping[str, Sequence[str]] | None = None,
    ) -> SearchIndex:
        """Index `concepts`; the encoder's text cache means only new texts are encoded.
        `lexicon` optionally maps glossary words to curated synonyms; none by default (a
        hand-written one fitted to known questions does not carry over to new ones)."""
        config = config or SearchConfig()
        ordered = sorted(concepts, key=lambda c: c.id)
        views = [v for i, c in enumerate(ordered) for v in concept_views(c, i, config.entry_views)]
        docs = [v for i, c in enumerate(ordered) for v in concept_document(c, i)]
        return cls(
            [c.id for c in ordered],
            LabelMatcher.build(ordered, config.fuzzy_cutoff, config.min_label_coverage),
            BM25Retriever.build(ordered),
            DenseRetriever.build(views, encoder, config, "search-views", templated=True),
            DenseRetriever.build(
                docs, encoder, replace(config, second_view=0.0, centroid=0.0), "search-document"
            ),
            Lexicon(lexicon or {}),
            encoder,
            config,
        )

    def save(self, folder: Path) -> dict[str, Any]:
        """Write one file per component and `search-manifest.json`; return the manifest."""
        folder.mkdir(parents=True, exist_ok=True)
        names = ["search-concepts.json"]
        _write_json(folder / names[0], self.concept_ids)
        for component in (self.labels, self.bm25, self.views, self.document, self.lexicon):
            names += component.save(folder)
        manifest: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "model_id": self.encoder.model_id,
            "model": getattr(self.encoder, "name", ""),
            "dimension": int(self.views.index.d),
            "concepts": len(self.concept_ids),
            "labels": len(self.labels.entries),
            "views": len(self.views.views),
            "dense_index": self.views.kind,
            "config": asdict(self.config),
            "files": {name: sha256(folder / name) for name in sorted(names)},
        }
        _write_json(folder / MANIFEST, manifest)
        return manifest

    @classmethod
    def load(
        cls, folder: Path, encoder: TextEncoder, config: SearchConfig | None = None
    ) -> SearchIndex:
        """Load a saved index (nothing re-encoded), checking model, files and checksums."""
        path = folder / MANIFEST
        if not path.is_file():
            raise BuildError(f"no search index in {folder} ({MANIFEST} missing); run `kg ingest`")
        manifest = _read_json(path)
        if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
            raise BuildError(f"{path} is from another version; rebuild with `kg ingest`")
        built, configured = str(manifest.get("model_id")), encoder.model_id
        if built != configured and built.split("-")[0] == configured.split("-")[0]:
            raise BuildError(
                f"the search index in {folder} holds {_precision(built)} vectors, but "
                f"KG_PRECISION is {_precision(configured)}; rebuild with `kg ingest`, or set "
                f"KG_PRECISION={_precision(built)}"
            )
        if built != configured:
            raise BuildError(
                f"the search index in {folder} was built with model "
                f"{manifest.get('model') or '?'} ({manifest.get('model_id')}), but the "
                f"configured model is {getattr(encoder, 'name', '?')} ({encoder.model_id}); "
                "rebuild with `kg ingest` or set KG_MODEL to the model it was built with"
            )
        files = dict(manifest.get("files", {}))
        for name, digest in files.items():
            file = folder / name
            if not file.is_file():
                raise BuildError(f"{file} is missing; rebuild with `kg ingest`")
            if sha256(file) != digest:
                raise BuildError(f"{file} does not match its checksum; rebuild with `kg ingest`")
        if config is None:
            known = set(SearchConfig.__dataclass_fields__)
            saved = {k: v for k, v in dict(manifest.get("config", {})).items() if k in known}
            config = SearchConfig(**saved)
        dimension = int(manifest["dimension"])
        ids = _read_json(folder / "search-concepts.json")
        return cls(
            [str(i) for i in ids],
            LabelMatcher.load(folder),
            BM25Retriever.load(folder),
            DenseRetriever.load(
                folder,
                "search-views",
                dimension,
                config.second_view,
                config.hnsw_ef_search,
                config.centroid,
                templated=True,
            ),
            lambda: DenseRetriever.load(folder, "search-document", dimension),
            Lexicon.load(folder),
            encoder,
            config,
        )

    # -- questions

    def __len__(self) -> int:
        return len(self.concept_ids)

    @property
    def document(self) -> DenseRetriever:
        """The single-vector dense retriever (the `dense` baseline), loaded on first use."""
        with self._document_lock:
            if self._document is None:
                assert self._document_loader is not None
                self._document = self._document_loader()
            return self._document

    def resolve(self, label: str) -> str | None:
        """The id of the concept with this label (case, spacing, punctuation ignored)."""
        found = self.labels.resolve(label)
        if found is None and label in self._position:
            return label
        return self.concept_ids[found] if found is not None else None

    def prepare(self, query: str, expand: bool = False) -> Query:
        """Validate and normalise a query (BadQuery if it cannot be searched as given);
        with `expand`, add a curated lexicon's glossary words for the synonyms it uses (if the
        index was built with one; none by default)."""
        cfg = self.config
        raw = validate(query)
        text = strip_boilerplate(raw)
        words = tuple(words_of(text))
        expansions: dict[str, float] = {}
        dense_text = text
        if expand:
            added: list[str] = []
            for _, canonical in self.lexicon.match(words):
                for w in content_words(words_of(canonical)):
                    if w not in words and w not in expansions:
                        expansions[w] = cfg.lexicon_weight
                if canonical not in added:
                    added.append(canonical)
            if added and cfg.lexicon_dense:
                dense_text = f"{text} ({', '.join(added)})"
        template = cfg.query_template
        term_text = template.replace("{}", dense_text, 1) if "{}" in template else dense_text

        def plain() -> np.ndarray:
            return self.query_vectors(dense_text)

        def term() -> np.ndarray:
            return self.query_vectors(term_text)

        return Query(raw, text, words, plain, expansions, term)

    def search(self, query: str, k: int = 10, mode: str = "hybrid") -> list[Hit]:
        """The `k` best concepts for `query`, best first; ties broken by concept id."""
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise BadQuery(f"k must be a positive whole number, not {k!r}")
        if mode not in MODES:
            raise BadQuery(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        with one_blas_thread():
            return self._search(query, k, mode)

    def _search(self, query: str, k: int, mode: str) -> list[Hit]:
        q = self.prepare(query, expand=mode == "hybrid" and self.config.use_lexicon)
        k = min(k, len(self.concept_ids))
        if k == 0:
            return []
        if mode == "hybrid":
            return self._hybrid(q, k)
        retriever = {"bm25": self.bm25, "dense": self.document, "views": self.views}[mode]
        found = retriever.search(q, k)
        signal = "bm25" if mode == "bm25" else "dense"
        return [
            Hit(
                self.concept_ids[s.concept],
                round(s.score, 6),
                {signal: round(s.score, 6), f"{signal}_rank": float(rank)},
                f"{signal} {s.score:.3f} ({s.why})",
                {signal: s.why},
            )
            for rank, s in enumerate(found, 1)
        ]

    def _known(self, q: Query) -> float:
        """Share of the query's words the glossary knows (its own words, or a curated synonym):
        low for questions about something else entirely, which `ask` uses for confidence."""
        content = content_words(q.words) or list(q.words)
        if not content:
            return 0.0
        expanded = {w for phrase, _ in self.lexicon.match(q.words) for w in phrase.split()}
        known = sum(1 for w in content if w in self.bm25.vocab or w in expanded)
        return round(known / len(content), 6)

    def _hybrid(self, q: Query, k: int) -> list[Hit]:
        cfg = self.config
        depth = max(cfg.candidates, k)
        lists: dict[str, list[Scored]] = {
            "label": self.labels.search(q, depth),
            "bm25": self.bm25.search(q, depth),
            "dense": self.views.search(q, depth),
        }
        if cfg.w_document > 0:
            lists["document"] = self.document.search(q, depth)
        weights = {
            "label": cfg.w_label,
            "bm25": cfg.w_bm25,
            "dense": cfg.w_dense,
            "document": cfg.w_document,
        }
        known = self._known(q)
        signals: dict[int, dict[str, float]] = {}
        evidence: dict[int, dict[str, str]] = {}
        for name, found in lists.items():
            top = found[0].score if found else 0.0
            for rank, s in enumerate(found, 1):
                sig = signals.setdefault(s.concept, {})
                sig[name] = round(s.score, 6)
                sig[f"{name}_rank"] = float(rank)
                if name == "bm25":
                    sig["bm25_strength"] = round(s.strength, 6)
                    sig["bm25_norm"] = round(s.score / top, 6) if top > 0 else 0.0
                evidence.setdefault(s.concept, {})[name] = s.why
        fused: dict[int, float] = {}
        for concept, sig in signals.items():
            # The label score is absolute (1.0 means the query is a label), so it is added as
            # is; BM25 and dense scores are not comparable across queries, so they enter by rank
            # (reciprocal rank fusion) or, with fusion="weighted", normalised.
            score = weights["label"] * sig.get("label", 0.0)
            if cfg.fusion == "weighted":
                strength = sig.get("bm25_strength", 0.0) ** cfg.bm25_power
                score += weights["bm25"] * sig.get("bm25_norm", 0.0) * strength
                score += weights["dense"] * sig.get("dense", 0.0)
            else:
                bm25_strength = sig.get("bm25_strength", 0.0) ** cfg.bm25_power
                for name in ("bm25", "dense", "document"):
                    if f"{name}_rank" in sig:
                        strength = bm25_strength if name == "bm25" else 1.0
                        score += weights[name] * strength / (cfg.rrf_k + sig[f"{name}_rank"])
            fused[concept] = score
        # An exact label, alias or acronym hit ranks above everything else.
        ranked = sorted(
            fused,
            key=lambda c: (
                -(signals[c].get("label", 0.0) >= 1.0),
                -round(fused[c], 9),
                self.concept_ids[c],
            ),
        )
        hits = []
        for concept in ranked[:k]:
            sig = signals[concept]
            exact = sig.get("label", 0.0) >= 1.0
            score = round(fused[concept] + (1.0 if exact else 0.0), 6)
            sig["fused"] = round(fused[concept], 6)
            sig["query_known"] = known
            hits.append(
                Hit(
                    self.concept_ids[concept],
                    score,
                    dict(sorted(sig.items())),
                    _explain(sig, evidence[concept]),
                    dict(sorted(evidence[concept].items())),
                )
            )
        return hits


class _BlasLimit:
    """Numpy's BLAS on one thread while any search runs (10 µs to enter and leave).

    A query's matrix products are small (the seed views: 2,449 × 384), but past OpenBLAS's
    threshold for threading them; its threads then spin-wait after each product, taking the
    cores the next query's encoder runs on. On this two-core machine, under load, a new
    query took 13.6–15.9 ms in process with BLAS threaded and 6.0–9.8 ms on one thread
    (docs/benchmarks.md, section 4). BLAS's thread count is one setting for the whole
    process, so searches on several threads share one limit: the first to start sets it,
    and the last to finish gives the old count back. (threadpoolctl lets only the first
    thread that changes OpenBLAS's setting change it again; the server sets one thread for
    its whole process at start, from that thread.)"""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._controller: Any = None  # found once: finding the libraries takes 0.2 ms
        self._limiter: Any = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._running == 0:
                if self._controller is None:
                    from threadpoolctl import ThreadpoolController

                    self._controller = ThreadpoolController()
                self._limiter = self._controller.limit(limits=1, user_api="blas")
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._limiter.restore_original_limits()
                    self._limiter = None


one_blas_thread = _BlasLimit()


def _precision(model_id: str) -> str:
    """The precision a model id names: its suffix (e.g. '-int8b32'), or full precision."""
    return model_id.split("-")[1][:4] if "-" in model_id else "fp32"


def _explain(signals: dict[str, float], evidence: dict[str, str]) -> str:
    parts = []
    if "label" in signals:
        parts.append(f"label {signals['label']:.2f}: {evidence['label']}")
    if "bm25" in signals:
        parts.append(
            f"BM25 #{signals['bm25_rank']:.0f} ({signals['bm25']:.2f}; {evidence['bm25']})"
        )
    if "dense" in signals:
        parts.append(
            f"dense #{signals['dense_rank']:.0f} (cosine {signals['dense']:.3f} with "
            f"{evidence['dense']})"
        )
    return "; ".join(parts) or "no signal"
