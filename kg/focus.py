"""What a question asks of a concept it names, and the sentence of the glossary that speaks to
it.

"What is NPS" asks for a definition; "is NPS a leading indicator", "why does churn matter",
"when does negative churn occur" and "who owns renewals" ask something *of* a concept they
name. The rest of such a question ("leading indicator") is looked for in the concept's own
definitions, sentence by sentence, so that `ask` can lead with the sentence that speaks to it,
or say that none does, instead of reciting a definition as if it answered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.concept import Concept, Definition
from ingest.normalize import fold
from kg.retrieval import content_words, is_verb_form, stem, words_of

# yes/no, why, when, who and how-often or how-many questions; "is there a term for ..."
# looks for a name instead, and "when a client ..." without a verb after "when" describes
_ASKS = re.compile(
    r"^\s*(?:(?P<yes_no>is|are|does|do|did|can|could|should|will|would|has|have|was|were|"
    r"isn['’]t|doesn['’]t|don['’]t|can['’]t)"
    r"|(?P<why>why)|(?P<when>when(?=\s+(?:is|are|does|do|did|can|should|will|would|was|were|"
    r"has|have)\b)|how\s+(?:often|frequently|soon|long))"
    r"|(?P<who>who|whom|whose)(?!\s+(?:is|are)\s+(?:the|a|an|our|my)\b)"
    r"|(?P<how_many>how\s+(?:many|much)))\s+(?!there\b)",
    re.IGNORECASE,
)
# what a why-question is answered by, when the sentence does not use the question's words
_PURPOSE = re.compile(
    r"\b(?:important|importance|matters?|crucial|critical|essential|vital|key|because|helps?|"
    r"causes?|caused|reasons?|factors?|due\s+to|leads?\s+to|results?\s+in|"
    r"so\s+that|in\s+order\s+to|enables?|allows?|ensures?|drives?|predicts?|indicat\w*|"
    r"signals?|impacts?|affects?|growth|grow|improve\w*|reduce\w*|responsibility|goal|purpose)\b",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"\b(?:when|after|before|once|during|until|upon|at\s+the\s+(?:end|start|beginning)|"
    r"each|every|monthly|quarterly|annually|yearly|weekly|daily|regular|regularly|"
    r"periodic|days?|weeks?|months?|years?|quarters?)\b",
    re.IGNORECASE,
)
_WHO = re.compile(
    r"\b(?:manager|team|owner|owns|responsible|responsibility|rep|representative|executive|"
    r"officer|leader|department|person|people|role)\b",
    re.IGNORECASE,
)
# what a how-many question is answered by: a figure
_FIGURES = re.compile(
    r"\d|%|\bpercent\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|dozen|"
    r"hundred|number\s+of)\b",
    re.IGNORECASE,
)
_FALLBACK = {"why": _PURPOSE, "when": _WHEN, "who": _WHO, "how_many": _FIGURES}
# who made a thing, or when it began, is answered only by a sentence saying so: "was
# pioneered by a publishing industry", "in 2003" (not a role, nor "every quarter")
_ORIGIN = frozenset(
    words_of(
        "create created creates invent invented coin coined develop developed found founded "
        "introduce introduced pioneer pioneered devise devised originate originated born start "
        "started begin began"
    )
)
_ORIGIN_CUES = {
    "who": re.compile(r"\b\w+ed\s+by\b", re.IGNORECASE),
    "when": re.compile(r"\b(?:1[89]|20)\d\d\b"),
}
# a sentence saying when ("recognized when the product is delivered") before one giving a
# period ("over 12 months")
_AT_A_TIME = re.compile(
    r"\b(?:when|after|before|once|until|upon|as\s+soon\s+as|at\s+the\s+(?:end|start|beginning))\b",
    re.IGNORECASE,
)
# a yes/no question that judges ("is churn a problem", "is NPS worth tracking") is answered
# by the reasons the glossary gives, as a why-question is
_JUDGING = frozenset(
    words_of(
        "important problem problems bad good useful worth matter matters necessary needed "
        "required valuable helpful harmful concern worry priority relevant"
    )
)
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
# words of asking that the concept's sentences are not expected to hold
_ASKING = frozenset(words_of("mean meaning define definition exactly really actually always"))
MIN_SENTENCE_WORDS = 3
ENOUGH = 0.66  # share of a yes/no question's words a sentence must hold (all of two, 2 of 3)
PREFIX = 6  # "recognized" and "recognition" share their first six letters: one word here


@dataclass(frozen=True)
class Focus:
    """A question's kind ("yes_no", "why", "when", "who", "how_many") and the words it asks
    about beyond the concept's names (stemmed, as `words_of` gives them)."""

    kind: str
    words: tuple[str, ...]
    asked: tuple[str, ...] = ()  # every content word asked, the concept's names included
    verbal: frozenset[str] = frozenset()  # words asked as a verb form ("recognized")


@dataclass(frozen=True)
class Passage:
    """The sentence of a definition that speaks to a Focus, and whose definition it is (the
    concept asked about, or another that names it: "Upsells drive NRR." in Upsell's)."""

    concept: Concept
    definition: Definition
    sentence: str


def focus(question: str, concept: Concept) -> Focus | None:
    """What `question` asks of `concept`, if it is a yes/no, why, when or who question that
    names the concept (by any of its labels) and asks more than that name; else None."""
    asks = _ASKS.match(question)
    if asks is None:
        return None
    kind = next(k for k, v in asks.groupdict().items() if v)
    asked = content_words(words_of(question[asks.end() :]))
    named = {w for words in _names(concept) if all(_has(asked, w) for w in words) for w in words}
    if not named:
        return None
    rest = tuple(
        dict.fromkeys(w for w in asked if not _has(named, w) and w not in _ASKING and w.isalnum())
    )
    if not rest and kind in ("yes_no", "who"):
        return None  # "is NPS?", "who is NPS": nothing asked but what it is
    return Focus(kind, rest, tuple(asked), _verbal(question[asks.end() :]))


def passage(found: Focus, concept: Concept, others: Sequence[Concept] = ()) -> Passage | None:
    """The sentence that speaks to `found`: from the concept's own definitions (preferred
    first), or from those of `others` (say, the question's other search hits) when the
    sentence names the concept too and the question names theirs ("do upsells drive NRR":
    Upsell's "Upsells drive NRR."). A yes/no question's sentence holds at least two thirds of
    the words asked ("leading" and "indicator": both); a why, when or who question's gives a
    reason, a time or a role, the one holding most of the words asked first. A yes/no
    question that judges ("is churn a problem") is read as a why-question. None if no
    sentence does."""
    judging = found.kind == "yes_no" and any(w in _JUDGING for w in found.words)
    cue = _PURPOSE if judging else _FALLBACK.get(found.kind)
    if found.kind in _ORIGIN_CUES and any(w in _ORIGIN for w in found.words):
        cue = _ORIGIN_CUES[found.kind]  # "who created NPS", "when was the model born"
    names = _names(concept)
    best: tuple[float, ...] = ()
    chosen: Passage | None = None
    named = [o for o in others if any(all(_has(found.asked, w) for w in n) for n in _names(o))]
    for owner in [concept, *named]:
        for d in _ordered(owner):
            for sentence in _sentences(d.text):
                words = set(words_of(sentence))
                if owner is not concept and not any(
                    all(_has(words, w) for w in name) for name in names
                ):
                    continue
                verbal = found.verbal | _verbal(sentence)
                held = sum(1 for w in found.words if _holds(words, w, verbal))
                share = held / len(found.words) if found.words else 0.0
                bare = _without_names(sentence, owner)  # "Annual Recurring Revenue" says no when
                cues = len({m.group().lower() for m in cue.finditer(bare)}) if cue else 0
                if cue is not None:
                    if not cues and not (judging and share >= ENOUGH):
                        continue
                    timed = found.kind == "when" and bool(_AT_A_TIME.search(bare))
                    key: tuple[float, ...] = (share, timed, cues, -len(sentence))
                elif share >= ENOUGH:
                    key = (share, -len(sentence))
                else:
                    continue
                if key > best:
                    best, chosen = key, Passage(owner, d, sentence)
    return chosen


# a concept that gives the causes of another ("Churn Reasons", "Causes of Churn")
_CAUSES = frozenset(words_of("reason reasons cause causes driver drivers factor factors"))


def causes_of(found: Focus, concept: Concept, candidates: Sequence[Concept]) -> Concept | None:
    """For a why-question asking what causes `concept` ("why do customers churn", unlike
    "why does churn matter"), the first candidate that gives its causes (Churn Reasons): its
    preferred label holds a cause word and one of the concept's names."""
    if found.kind != "why" or any(w in _JUDGING for w in found.words):
        return None
    names = _names(concept)
    for c in candidates:
        words = set(words_of(c.pref_label))
        if words & _CAUSES and any(all(w in words for w in name) for name in names):
            return c
    return None


def _names(concept: Concept) -> list[list[str]]:
    """Each of the concept's labels as the content words a sentence must hold to name it."""
    names = [content_words(words_of(label)) or words_of(label) for label in concept.labels]
    return [n for n in names if n]


def _ordered(concept: Concept) -> list[Definition]:
    preferred = concept.definition
    rest = [d for d in concept.definitions if d is not preferred]
    return [preferred, *rest] if preferred is not None else rest


def _sentences(text: str) -> list[str]:
    parts = (" ".join(p.split()).strip(" -•*") for p in _SENTENCE.split(text))
    return [p for p in parts if len(p.split()) >= MIN_SENTENCE_WORDS]


def _verbal(text: str) -> frozenset[str]:
    """The words of `text` written as verb forms ("recognized", "segmenting"), stemmed."""
    return frozenset(stem(w) for w in fold(text).split() if is_verb_form(w))


def _holds(words: set[str], word: str, verbal: frozenset[str]) -> bool:
    """Whether a sentence's `words` hold `word`: the same, or another form of it when one
    of the two is a verb form ("recognized" and "recognition"; "contracts" is not
    "contractions", nor "community" "communication")."""
    if word in words:
        return True
    if len(word) < PREFIX:
        return False
    return any(
        len(w) >= PREFIX and w[:PREFIX] == word[:PREFIX] and (w in verbal or word in verbal)
        for w in words
    )


def _without_names(sentence: str, concept: Concept) -> str:
    """The sentence with the concept's labels taken out ("Annual Recurring Revenue is ...":
    "recurring" and "annual" are its name, not a time)."""
    for label in sorted(concept.labels, key=len, reverse=True):
        sentence = re.sub(rf"(?<!\w){re.escape(label)}(?!\w)", " ", sentence, flags=re.IGNORECASE)
    return sentence


def _has(words: Sequence[str] | set[str], word: str) -> bool:
    """Whether `word` is among `words`, counting two words that share their first PREFIX
    letters as one ("recogniz" of "recognized", "recognition")."""
    if word in words:
        return True
    if len(word) < PREFIX:
        return False
    return any(len(w) >= PREFIX and w[:PREFIX] == word[:PREFIX] for w in words)
