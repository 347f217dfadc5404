"""What every retriever shares: a prepared query, the answer it gives, the knobs, the encoder
it may ask for vectors, and how its files are written and read.

A query is validated (`validate`), stripped of its question wrapper ("what does NDR stand
for?" -> "NDR", `strip_boilerplate`) and reduced to folded, lightly stemmed words
(`words_of`); retrievers (`kg.labels`, `kg.bm25`, `kg.dense`) answer `search(query, k)`
with `Scored` concepts, and `kg.search.SearchIndex` fuses them.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Protocol

import numpy as np

from ingest.normalize import fold, singular
from kg.errors import BadQuery, BuildError

MAX_QUERY_CHARS = 512

# Words that carry no meaning for matching: articles, pronouns, question words, auxiliaries.
STOPWORDS = frozenset(
    "a an the of to in on for and or with by from at as is are be been being it its this that "
    "these those our us we you your their they them i my me what whats how who when where which "
    "why do does did can could would should will shall has have had was were about all any "
    "some such than then there so not no into up out over per each every just also very "
    "wat wht waht whta".split()
)
_WHAT = r"(?:what|waht|wht|whta|wat)"  # as typed in a hurry
# "what is" asked in the languages a glossary team often mixes in (German, French, Spanish,
# Portuguese, Italian, Dutch): "Was ist Churn?", "Qu'est-ce que le NRR ?", "¿Qué es el churn?"
_FOREIGN_WHAT = (
    r"(?:was\s+(?:ist|sind|bedeutet)\s+(?:(?:ein|eine|der|die|das)\s+)?"
    r"|qu['’]est[- ]ce\s+que?\s+(?:(?:le|la|les|l['’]|un|une)\s*)?"
    r"|(?:¿\s*)?qu[ée]\s+(?:es|son|significa)\s+(?:(?:el|la|los|las|un|una)\s+)?"
    r"|o\s+que\s+(?:é|e|significa)\s+(?:(?:o|a|um|uma)\s+)?"
    r"|(?:che\s+)?cos['’]\s*[èe]\s+(?:(?:il|la|lo|l['’]|un|una)\s*)?"
    r"|wat\s+(?:is|zijn|betekent)\s+(?:(?:een|de|het)\s+)?)"
)
_FOREIGN_ASKING = re.compile(rf"^\s*{_FOREIGN_WHAT}", re.IGNORECASE)


def in_english_asking(text: str) -> str:
    """A definition asked in another language, asked in English: "Was ist Churn?" -> "what
    is Churn?" (so "Was" is not read as the English "was")."""
    return _FOREIGN_ASKING.sub("what is ", text, count=1)


_BOILERPLATE_HEAD = re.compile(
    r"^\s*(?:please\s+)?(?:"
    # before "what do ...", which would leave "you call it when ..."
    rf"(?:{_WHAT}|how)\s+(?:do|would|should)\s+(?:you|we|they|people|i)\s+call\s+(?:it\s+)?(?:when\s+)?"
    rf"|(?:{_WHAT}|which)\s+(?:is|are|does|do)\s+(?:an?\s+|the\s+)?(?:(?:term|word|name)\s+for\s+)?"
    rf"|{_WHAT}['’]?s\s+(?:an?\s+|the\s+)?(?:(?:term|word|name|phrase)\s+for\s+)?"
    r"|(?:is|are)\s+there\s+(?:an?\s+|any\s+|the\s+)?(?:(?:term|word|name|phrase)\s+for\s+)?"
    r"|(?:can\s+you\s+)?(?:define|explain|describe)\s+"
    r"|(?:the\s+)?(?:definition|meaning)\s+of\s+"
    r"|tell\s+me\s+(?:about\s+)?"
    rf"|{_FOREIGN_WHAT}"
    r")",
    re.IGNORECASE,
)
_BOILERPLATE_TAIL = re.compile(
    r"\s*(?:\s(?:stand|stands)\s+for|\s(?:mean|means)"
    r"|\s(?:meaning|definition|defined|full\s+form|abbreviation))?\s*[?!.]*\s*$",
    re.IGNORECASE,
)


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


_VERB_FORM = re.compile(r"(?:ed|ing|i[sz]es?|i[sz]ed)$")


def is_verb_form(word: str) -> bool:
    """Whether a word as written (not stemmed) is a verb form: "recognized", "segmenting",
    "prioritises"; another form of its word ("recognition") may then be meant."""
    return _VERB_FORM.search(word) is not None


def words_of(text: str) -> list[str]:
    """Folded, stemmed words, stop words kept (labels like "Cost of Goods Sold" need them)."""
    return [stem(w) for w in fold(text).split()]


# as `words_of` gives them: "does" is "doe" and "where" is "wher" once stemmed
_STEMMED_STOPWORDS = STOPWORDS | {stem(w) for w in STOPWORDS}


def content_words(words: Iterable[str]) -> list[str]:
    """The words that carry meaning: `words_of`'s output without its stop words."""
    return [w for w in words if w not in _STEMMED_STOPWORDS]


# words that ask about a term rather than name one ("the formula for ARR")
CUE_WORDS = frozenset(
    words_of(
        "define definition meaning mean explain term word name formula equation target "
        "acronym abbreviation example benchmark def defn calc calculation"
    )
)


# words that judge a thing rather than name it ("a good NPS", "a healthy churn rate")
JUDGEMENTS = frozenset(
    words_of("good healthy typical normal bad great strong realistic acceptable poor")
)


def strip_boilerplate(text: str) -> str:
    """ "What does NDR stand for?" -> "NDR"; the question words add nothing to matching."""
    plain = without_pleasantries(text)
    stripped = _BOILERPLATE_TAIL.sub("", _BOILERPLATE_HEAD.sub("", plain, count=1))
    stripped = _EMBEDDED_VERB.sub("", stripped)  # "tell me what NRR is"
    return stripped.strip() or plain.strip() or text.strip()


def without_pleasantries(text: str) -> str:
    """The question without a greeting, a polite request or thanks around it: "hey can u
    tell me wat nrr is pls" -> "wat nrr is"; the text itself if nothing else is left."""
    plain = _FILLER.sub("", _CHATTER.sub(" ", text)).strip()
    plain = _PLEASANT_TAIL.sub("", _PLEASANT_HEAD.sub("", plain, count=1))
    return plain.strip() or text.strip()


# chat around a question pasted from Slack: "+1 on this", "cc @ops", "@maria"
_CHATTER = re.compile(
    r"^\s*\+1\b(?:\s+on\s+this)?[\s,.:;!-]*|(?:^|\s)(?:cc:?\s+)?@[\w.-]+", re.IGNORECASE
)
# words that only soften or stress the asking: "what does churn actually mean", "what is NRR
# exactly", "what's NRR again?", "can you quickly explain ARR" (not "how quickly customers
# see value")
_FILLER = re.compile(
    r"\s*\b(?:actually|exactly|basically)\b|\s+again\b(?=[^\w]*$)"
    r"|\s*\b(?:really|simply|quickly|briefly|just)\b(?=\s+(?:explain|define|describe|tell|say|"
    r"summari[sz]e|mean|means)\b)",
    re.IGNORECASE,
)


# a greeting is set off by punctuation or followed by the question ("hi touch" is High touch)
_PLEASANT_HEAD = re.compile(
    r"^\s*(?:(?:hi|hey|hello|hiya|yo|ok|okay|so|um|uh|good\s+(?:morning|afternoon|evening))"
    r"(?:\s+(?:there|team|all|folks))?(?:\s*[,!.:-]+\s*|\s+(?=(?:what|whats|what's|how|who|"
    r"which|why|when|where|can|could|would|is|are|do|does|please|pls|so|ok|i|quick)\b)))*"
    r"(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+|pls\s+|plz\s+)?"
    r"(?:tell\s+me|explain(?:\s+to\s+me)?|remind\s+me)\s+"
    rf"(?:{_WHAT}\s+)?|(?:please|pls|plz)\s+)?",
    re.IGNORECASE,
)
_PLEASANT_TAIL = re.compile(
    r"(?:^|[\s,]+)(?:pls|plz|please|thanks(?:\s+(?:a\s+lot|in\s+advance))?|thank\s+you|thx|"
    r"ty|cheers)[\s!.?]*$",
    re.IGNORECASE,
)
_EMBEDDED_VERB = re.compile(r"\s+(?:is|are)\s*[?!.]*\s*$", re.IGNORECASE)  # "what NRR is"


# HTML pasted with a question ("<b>NRR</b>", "<p>what is churn</p>"): tags of HTML, and
# whole script and style elements, are not words of it; "<5% churn" and "ARR<MRR or MRR>ARR"
# hold no tag. Entities ("&amp;") are read as the characters they stand for.
_TAGS = (
    "a|abbr|article|aside|b|blockquote|body|br|button|caption|cite|code|dd|del|div|dl|dt|em|"
    "font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|ins|kbd|label|li|link|main|"
    "mark|meta|nav|ol|option|p|pre|q|s|section|select|small|span|strong|sub|sup|svg|table|"
    "tbody|td|textarea|th|thead|title|tr|u|ul"
)
_MARKUP = re.compile(
    rf"<(script|style)\b[^>]*>.*?</\1\s*>|</?(?:{_TAGS})(?:\s[^<>]*)?/?>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)


_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters: no text of their own


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
    stripped = query.strip().strip(_INVISIBLE).strip()
    if not stripped:
        raise BadQuery("query is empty: type a word or a question")
    text = _MARKUP.sub(" ", stripped) if "<" in stripped else stripped
    text = html.unescape(text) if "&" in text else text
    # one space between words: also keeps the wrapper patterns' runs of \s* from backtracking
    # over a long run of spaces (a 500-space query took a minute)
    text = " ".join(text.split())
    if not text:
        raise BadQuery("query is only HTML markup: type a word or a question")
    return text


def write_json(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"{path} is unreadable ({exc}); rebuild with `kg ingest`") from None


class Retriever(ABC):
    """One way of finding concepts for a query; saved as files named `search-<name>.*`."""

    name: ClassVar[str]

    @abstractmethod
    def search(self, query: Query, k: int) -> list[Scored]:
        """The best `k` concepts, best first."""

    @abstractmethod
    def save(self, folder: Path) -> list[str]:
        """Write this component; return the file names written."""
