"""Concept search: label matching, BM25 and dense similarity, fused into one ranking.

    SearchIndex          built from concepts and an encoder; saved and loaded with a manifest
    ├── LabelMatcher     exact, contained and fuzzy matches on labels, aliases and acronyms
    │                    (kg/labels.py)
    ├── BM25Retriever    bm25s over each concept's labels, definitions and phrasings
    │                    (kg/bm25.py)
    └── DenseRetriever   faiss inner product over views of each concept (best view counts)
                         (kg/dense.py)

Every retriever answers `search(query, k) -> [Scored]` for a prepared `Query` (kg/retrieval.py,
with the text helpers and `SearchConfig`), so a mode is just
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

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ingest.concept import Concept
from kg import quantise
from kg.bm25 import BM25Retriever
from kg.build import sha256
from kg.dense import DenseRetriever, concept_document, concept_views
from kg.errors import BadQuery, BuildError
from kg.labels import PLACING, LabelMatcher
from kg.retrieval import (
    CUE_WORDS,
    Query,
    Scored,
    SearchConfig,
    TextEncoder,
    content_words,
    read_json,
    strip_boilerplate,
    validate,
    words_of,
    write_json,
)

MANIFEST = "search-manifest.json"
FORMAT_VERSION = 3  # 2: "Label: definition" views, no built-in lexicon; 3: curated phrasings
MODES = ("hybrid", "bm25", "dense", "views")
# a word that places a question's subject ("pto policy for the customer success team")
_PLACING_WORD = re.compile(rf"\b(?:{'|'.join(sorted(PLACING | {'on'}))})\b", re.IGNORECASE)


@dataclass(slots=True)
class Hit:
    """One ranked concept, with the signals that put it there."""

    concept_id: str
    score: float  # the fused score, plus 1.0 when the query is exactly one of its labels
    signals: dict[str, float]  # label, bm25, bm25_rank, dense, dense_rank, ... (what matched)
    explanation: str
    evidence: dict[str, str] = field(default_factory=dict)  # e.g. {"label": "acronym 'NDR'"}


@dataclass(frozen=True, slots=True)
class Placed:
    """A question split where its names start to place it (`SearchIndex.placed`)."""

    subject: str  # as written: "pto policy"
    place: str  # "the customer success team"
    named: list[str]  # ids of the concepts the place names


# a subject that is only a question word and a verb asks about its place: "what happens | in
# a QBR", "who attends", "how do I prepare | for an EBR", "what to expect" (not "how many
# vacation days", "which slides": those name something)
_ASKING = re.compile(
    r"^\s*(?:what|who|how|when|where|why)\s+"
    r"(?:(?:to|do|does|did|should|can|could|would|will|must)\s+(?:(?:i|we|you|they|one)\s+)?)?"
    r"[\w'-]+(?:\s+(?:on|up|out|in|for|with))?\s*$",
    re.IGNORECASE,
)


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
        write_json(folder / self.FILE, {k: list(v) for k, v in self.groups.items()})
        return [self.FILE]

    @classmethod
    def load(cls, folder: Path) -> Lexicon:
        data = read_json(folder / cls.FILE)
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
        write_json(folder / names[0], self.concept_ids)
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
        write_json(folder / MANIFEST, manifest)
        return manifest

    @classmethod
    def load(
        cls, folder: Path, encoder: TextEncoder, config: SearchConfig | None = None
    ) -> SearchIndex:
        """Load a saved index (nothing re-encoded), checking model, files and checksums."""
        path = folder / MANIFEST
        if not path.is_file():
            raise BuildError(f"no search index in {folder} ({MANIFEST} missing); run `kg ingest`")
        manifest = read_json(path)
        if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
            raise BuildError(f"{path} is from another version; rebuild with `kg ingest`")
        built, configured = str(manifest.get("model_id")), encoder.model_id
        weights = built.removesuffix(quantise.SUFFIX)
        if built != configured and weights == configured.removesuffix(quantise.SUFFIX):
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
        ids = read_json(folder / "search-concepts.json")
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

    def named(self, label: str) -> list[str]:
        """The ids of every concept with this label (case, spacing, punctuation ignored)."""
        return [self.concept_ids[i] for i in self.labels.named(label)]

    def is_a_name(self, query: str) -> bool:
        """Whether `query`, whole, is one of the glossary's names, misspelt, abbreviated or
        shortened included (see `LabelMatcher.names`); never text with no word in it."""
        try:
            return self.labels.names(self.prepare(query))
        except BadQuery:  # "" or "/" left by cutting "nrr/grr/" at its slashes
            return False

    def own_words_cosine(self, query: str, concept_id: str) -> float:
        """How close the query comes to the concept's labels and definitions, its curated
        phrasings left out (the query vector is the one search just encoded)."""
        position = self._position.get(concept_id)
        if position is None:
            return 0.0
        return self.views.closest(self.prepare(query), position, skip="phrasing")

    def uses_word(self, concept_id: str, word: str) -> bool:
        """Whether the concept's own labels or definitions use `word` (in any of its forms),
        its curated phrasings left out ("meeting" in Executive Business Review's)."""
        position = self._position.get(concept_id)
        wanted = words_of(word)
        if position is None or len(wanted) != 1:
            return False
        return any(wanted[0] in words_of(t) for t in self.views.texts_of(position, "phrasing"))

    def placed(self, text: str) -> Placed | None:
        """A question whose only names place it: "pto policy | for the customer success
        team", "the client who fights for us internally | during a QBR". Its subject, the words
        before the last placing word ("for", "in", "at", "during", "on", ...) that still has a
        name after it, holds a content word besides cue words ("the formula for ARR" asks of
        ARR), is not a question of its own ("what happens | in a QBR", "who attends" ask of
        the place) and holds no name of the glossary's; a named subject is search's own
        business ("churn in customer success"). None for any other question."""
        found = None
        for match in _PLACING_WORD.finditer(text):
            subject, place = text[: match.start()], text[match.end() :]
            subject_words = tuple(words_of(subject))
            if self.labels.concepts_named_in(subject_words):
                break
            named = self.labels.concepts_named_in(tuple(words_of(place)))
            if not named:
                break
            asked = [w for w in content_words(subject_words) if w not in CUE_WORDS]
            if asked and not _ASKING.match(strip_boilerplate(subject)):
                ids = sorted(self.concept_ids[c] for c in named)
                found = Placed(subject.strip(" ,"), place.strip(" ?!.,"), ids)
        return found

    def named_by_words(self, text: str) -> list[str]:
        """The ids of the concepts among whose names every content word of `text` stands
        ("contraction": Account Contraction; "expansion": more than one)."""
        found = self.labels.holding(content_words(words_of(text)))
        return [self.concept_ids[c] for c in found]

    def names_in(self, text: str) -> list[str]:
        """The ids of the concepts one of whose names stands, whole, in `text`."""
        found = self.labels.concepts_named_in(tuple(words_of(text)))
        return sorted(self.concept_ids[c] for c in found)

    def strange_words(self, text: str) -> list[str]:
        """The content words of `text` that no label, definition or phrasing of the glossary
        uses, in any form ("league", "legends" in "League of Legends")."""
        return [w for w in content_words(words_of(text)) if w not in self.bm25.vocab]

    def foreign_words(self, text: str) -> list[str]:
        """The strange words of `text` (`strange_words`) that are no misspelling of a word
        the glossary uses either ("initech", "corp"; not "chrun"): one of five letters or
        more at least 80 % like one of its words is taken for a misspelling. Words only."""
        from rapidfuzz import fuzz, process

        return [
            w
            for w in self.strange_words(text)
            if w.isalpha()
            and (
                len(w) < 5
                or process.extractOne(w, self._vocabulary, scorer=fuzz.ratio, score_cutoff=80)
                is None
            )
        ]

    @cached_property
    def _vocabulary(self) -> list[str]:
        """The glossary's words (`bm25.vocab`), listed once for fuzzy lookups."""
        return list(self.bm25.vocab)

    def ends_with_a_name_of(self, text: str, concept_id: str) -> bool:
        """Whether `text` ends with one of the concept's names ("customer churn": Churn)."""
        position = self._position.get(concept_id)
        words = tuple(words_of(text))
        return position is not None and self.labels.ends_with_name_of(words, position)

    def prepare(self, query: str, expand: bool = False) -> Query:
        """Validate and normalise a query (BadQuery if it cannot be searched as given);
        with `expand`, add what an acronym alone stands for, and a curated lexicon's glossary
        words for the synonyms the query uses (if the index was built with one; none by
        default)."""
        cfg = self.config
        raw = validate(query)
        text = strip_boilerplate(raw)
        words = tuple(words_of(text))
        expansions: dict[str, float] = {}
        dense_text = text
        if expand:
            added: list[str] = []
            # an acronym alone ranks its concept first by name; the rest of the list is then
            # found by what it stands for, which the encoder knows ("QBR": Business Review,
            # Executive Business Review) and the bare letters it does not (ARR, CSM)
            if spelt := self.labels.spelt_out(text):
                for w in content_words(words_of(spelt)):
                    expansions.setdefault(w, cfg.lexicon_weight)
                added.append(spelt)
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
    """The precision a model id names (`kg.embed.Encoder.model_id`)."""
    return "int8" if model_id.endswith(quantise.SUFFIX) else "fp32"


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
