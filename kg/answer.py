"""Answers to plain-language questions, built only from the glossary's own definitions.

`ask` finds the concept a question is about and answers with its preferred definition, the
other sources' definitions where they differ, its aliases and its closest related concepts.
Every sentence that states something carries a [n] marker pointing into `citations`, whose
`text` is the source's words verbatim. "What is the difference between X and Y" (or "X vs Y",
"is X the same as Y", "X or Y?", "how does X relate to Y", up to four concepts) puts the
concepts side by side with what the sources say links them; when X and Y are names of one
concept ("NRR vs NDR") it says so. "What is the opposite of X" answers with the concept the
glossary sets against X, if any. A yes/no, why, when or who question about a concept it
names ("is NPS a leading indicator") leads with the sentence of its definitions that speaks
to it (`kg.focus`), or says that none does.
When the best match is weak the answer says so ("I am not sure ...") and its confidence is
low.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ingest.concept import Concept, Definition
from ingest.normalize import fold
from kg.focus import causes_of, focus, passage
from kg.labels import PLACING, span_of
from kg.retrieval import (
    CUE_WORDS,
    content_words,
    in_english_asking,
    strip_boilerplate,
    validate,
    without_pleasantries,
    words_of,
)
from kg.search import Hit, SearchIndex


class Relation(NamedTuple):
    """A link as one concept sees it: "<concept> is <how> <other>", why, and, when a
    definition states it, that definition's source and sentence."""

    how: str  # "a kind of", "more general than" or "related to"
    other: str  # the other concept's id
    reason: str
    stated_in: str = ""
    statement: str = ""


Related = Callable[[str], Sequence[tuple[str, ...]]]  # a concept's Relations (or 3-tuples)

# Logistic calibration of the best hit's signals into P(best concept is right), fitted on the
# tune split of data/eval/questions.tsv (`python -m bench.search_quality --fit` refits it).
CALIBRATION = {"bias": -1.58, "label": 1.24, "dense": 1.41, "margin": 2.33, "known": 1.18}
SURE = 0.7  # below this the answer says it is not sure (tune split: under 0.7, < 50% right)
LOST = 0.35  # below this it names the nearest concepts instead of answering
MAX_OTHER_DEFINITIONS = 4
MAX_RELATED = 3

MAX_COMPARED = 4  # concepts one comparison puts side by side
MAX_LISTED_WORDS = 10  # "NRR and GRR" compares only in a question this short
MAX_PART_WORDS = 8  # a compared part longer than this is a description, not a name
MAX_CUTS = 6  # separators tried (at most 27 distinct parts searched)
# A definition asked of a term the glossary has no name for, not even inside the question
# ("what is a win-loss analysis"), is answered with at most this confidence: every such
# question on the tune split (8 of 8) was one the glossary cannot answer.
UNNAMED = 0.5
# A bare term found only through a phrasing is unnamed if the concept's own labels and
# definitions come no closer than this (exploratory pass: "payback period" 0.18, "economic
# buyer" 0.18, "playbook" 0.10 against "seat reductions" 0.37, "bigger spenders" 0.44,
# "decision maker" 0.41, answered rightly or nearly so)
OWN_WORDS = 0.3
MAX_TERM_WORDS = 3  # longer than this, the question describes rather than names

_ARTICLE = re.compile(r"^(?:an?|the)\s+", re.IGNORECASE)
_WHICH = re.compile(r"^(?:how\s+(?:many|much)|which|what)\s+", re.IGNORECASE)
# a qualifier after the term: a preposition then an article or possessive, or two words
# or more ("in the customer's organization", "for software companies"; not "on investment")
_QUALIFIER = re.compile(
    r"\s+(?:in|for|at|within|during|on|across|from)\s+"
    r"(?=(?:a|an|the|our|my|your|their|its)\s|\S+\s+\S)",
    re.IGNORECASE,
)
# an article, a relative pronoun or a gerund after a preposition inside ("the cost of
# keeping customers", unlike "pricing model"), or two "of"s: words describing, not a name
_DESCRIPTION = re.compile(
    r"\s(?:a|an|the|who|which|that|when|where|whose)\s|\b(?:of|for|by|about)\s+\w{3,}ing\b"
    r"|\bof\b.*\bof\b",
    re.IGNORECASE,
)
_OPPOSITE = re.compile(
    r"^(?:what\s+(?:is|are)\s+|what['’]s\s+)?(?:the\s+)?(?:opposite|reverse|inverse|"
    r"antonym)\s+of\s+(?P<x>.+)$",
    re.IGNORECASE,
)
_HOW_TO_COMPUTE = re.compile(
    r"\bhow\s+(?:do|does|can|should|would|to)\b.*\b(?:calculate|compute|measure|work\s+out)\b"
    r"|\bformula\b|\bcalculat(?:e|ed|ion)\b",
    re.IGNORECASE,
)
# what a definition that says how to compute something says
_COMPUTATION = re.compile(
    r"\bdivided\b|\bminus\b|\bplus\b|\bmultipl|\bformula\b|\bcalculated?\b|"
    r"\s[=/×÷]\s|\d\s*[=/×÷]\s*\d|"  # an operator between spaced words or numbers, not "a/b"
    r"\bsum\s+of\b|\btotal\s+of\b|\bratio\s+of\b|\bpercentage\s+of\b",
    re.IGNORECASE,
)
# asking what value is good ("what is a good NPS score", "a healthy churn rate for SaaS")
_GOOD_VALUE = re.compile(
    r"\b(?:good|healthy|typical|average|normal|ideal|acceptable|realistic|bad|benchmarks?|"
    r"industry\s+standard)\b",
    re.IGNORECASE,
)
# how to act on a thing, which a glossary's definitions do not say: "how do I reduce churn",
# "how to prepare for a QBR", "ways to improve NPS" (not "how do I calculate", "how does it work")
_HOW_TO_ACT = re.compile(
    r"^\s*(?:how\s+(?:do|can|could|should|would|might|will)\s+(?:i|we|you|one|they)\s+|"
    r"how\s+to\s+|(?:what\s+are\s+)?(?:some\s+|the\s+best\s+)?(?:ways|tips|steps)\s+to\s+)"
    r"(?P<what>(?:reduce|lower|decrease|cut|prevent|stop|avoid|minimi[sz]e|improve|increase|"
    r"raise|boost|grow|maximi[sz]e|drive|accelerate|speed\s+up|fix|run|prepare|plan|"
    r"organi[sz]e|handle|manage|win|set\s+up|build|create|write|implement|launch|present)\b.*)$",
    re.IGNORECASE,
)
# asking for advice, which a glossary's definitions do not give: "what's the best way to run
# a QBR", "any advice for handling a downsell conversation", "how should CSM compensation
# be structured"
_ADVICE = re.compile(
    r"^\s*(?:(?:what['’]?s|what\s+(?:is|are))\s+(?:the\s+|some\s+)?best\s+(?:way|ways|"
    r"practices?)\s+(?:to|for|of)\s+|(?:any|some)\s+(?:advice|tips|suggestions)\s+(?:for|on|"
    r"about)\s+|(?:advice|tips)\s+(?:for|on)\s+)(?P<what>.+?)\s*[?!.]*$"
    r"|^\s*how\s+should\s+(?P<done>.+?)\s+be\s+[a-z]+ed\s*[?!.]*$",
    re.IGNORECASE,
)
# a judgement and its opposite ask one thing, whether it is good: "is churn good or bad"
_ONE_JUDGEMENT = re.compile(
    r"\b(?P<judged>good|healthy|high|positive)\s+or\s+(?:a\s+)?(?:bad|unhealthy|low|negative|not)"
    r"(?:\s+(?:thing|sign))?\b",
    re.IGNORECASE,
)
# a question about the company's own numbers, which no glossary holds: "what was our churn
# last quarter", "NRR in 2022", "churn in Q3", "ARR of Acme Corp", "our ARR this year"
_FIGURES_ASKED = re.compile(
    r"\b(?:was|were)\b.*\b(?:our|my)\b"
    r"|\btrend(?:ing|s)?\b|\bdistribution\b"
    # "which accounts churned", not "which customers count toward logo retention"
    r"|\bwhich\s+(?:of\s+our\s+)?(?:accounts|customers|clients)\b"
    r"(?!\s+(?:count|counts|are\s+counted|qualify|are\s+included|fall|belong))"
    r"|\b(?:of|for|at)\s+[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*\s+(?:Corp|Inc|Ltd|LLC|GmbH|Co)\b",
    re.IGNORECASE,
)
# a time: asks for figures when the question names the concept or asks a figure ("churn in
# Q3", "how many customers did we lose last quarter"), but may only describe it ("revenue
# this year from customers who were already with us last year")
_WHEN = re.compile(
    r"\b(?:last|this|next|previous|past)\s+(?:quarter|month|year|week|fiscal\s+year|fy)\b"
    r"|\bq[1-4]\b|\bin\s+(?:fy\s*)?(?:19|20)\d{2}\b|\b(?:ytd|mtd|qtd)\b",
    re.IGNORECASE,
)
_FIGURE_QUESTION = re.compile(
    r"\bhow\s+(?:many|much)\b|\bwhat\s+(?:is|was|were|are)\s+(?:our|my)\b|\bwhat['’]s\s+(?:our|my)\b",
    re.IGNORECASE,
)
# a name the glossary does not know, asked about as a company or a customer: "Acme Corp's
# ARR", "the CSM on the Initech account", "Globex health score" (case matters here)
_SOMEONES = re.compile(
    r"(?P<owner>\b[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*)*)['’]s\b"
    r"|\bthe\s+(?P<account>[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*)*)\s+"
    r"(?:account|customer|client|deal|contract|renewal|team)s?\b"
    r"|^\s*(?P<lead>[A-Z][a-z][\w&-]*)\s+(?P<rest>\S.*)$"
)
# where a question places its subject: "(champion) in League of Legends", "(renewal) of my
# passport"
_ELSEWHERE = re.compile(
    rf"\s(?:{'|'.join(sorted(PLACING | {'on', 'of'}))})\s+"
    r"(?:(?:a|an|the|my|our|your|their)\s+)?(?P<place>[^,;?!]+?)\s*[?!.]*$",
    re.IGNORECASE,
)
# where a data team puts a metric, which is no field of its own: a dashboard, a BI tool, a
# table or column ("for the exec dashboard", "in looker", "in fct_revenue")
_WORKPLACE = re.compile(
    r"\b(?:dashboards?|reports?|decks?|slides?|tiles?|charts?|looker|tableau|power\s*bi|"
    r"metabase|sql|queries|query|tables?|columns?|fields?|models?|dbt|semantic\s+layer|"
    r"warehouse|snowflake|bigquery|redshift|spreadsheets?|excel|sheets?|notion|confluence|wiki)\b"
    r"|\w+[_.]\w+",
    re.IGNORECASE,
)
_RATIO = re.compile(r"\bratio\s*[?!.]*\s*$", re.IGNORECASE)
_FIGURE = re.compile(r"\d|\bpercent\b|%")  # a definition that gives any figure at all
_WHICH_BETTER = re.compile(
    r"\b(?:better|best|worse|prefer|preferable|should\s+(?:i|we)|more\s+important|"
    r"matters?\s+more)\b",
    re.IGNORECASE,
)
_NAME_ASKED = re.compile(
    r"\b(?:term|word|name|phrase)\s+for\b|\bcalled\b|\bcall\s+(?:it|this|that|them)\b"
    r"|\b(?:do|would|should)\s+(?:you|we|i|people)\s+call\b",
    re.IGNORECASE,
)
# "how do I file an expense report", "how to compute days sales outstanding", "how is a
# quota set", "how does single sign-on work": asks how to do something to a named thing.
# Only I/we/you/one as the subject: "how do developers hook ... up" describes, not names.
_HOW_QUESTIONS = [
    re.compile(r"^\s*how\s+(?:does|do)\s+(?P<x>.+?)\s+work\b", re.IGNORECASE),
    re.compile(
        r"^\s*how\s+(?:is|are|was|were)\s+(?P<x>(?:(?:an?|the)\s+)?(?!(?:an?|the)\b)\S.*?)\s+"
        r"(?:being\s+)?"
        r"(?:[a-z]+ed|set|paid|built|made|done|run|kept|spent|sold|chosen|given|drawn|cut|met)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"^\s*how\s+(?:(?:do|does|can|could|should|would|will)\s+(?:i|we|you|one)|to)\s+"
        r"[a-z]+(?:\s+(?:up|out|off|down|back|over|through|together))?\s+(?P<x>.+?)\s*[?!.]*$",
        re.IGNORECASE,
    ),
]
# A search for one acronym in capitals, or one character: it names something or nothing.
# (One lower-case word may be an everyday word for a concept, "attrition" for Churn.)
_BARE_ACRONYM = re.compile(r"^\s*(?P<x>[A-Z][A-Z0-9&]{1,5}s?|\w)\s*[?!.]*\s*$")
# Words at a term's edges that are not part of the name: a judgement before it ("a good
# NPS score" asks about NPS), a cue word or a dangling preposition after it ("the renewal
# rate formula", "what's a QBR meeting for").
_EDGES = re.compile(
    r"^(?:(?:good|healthy|typical|average|normal|ideal|bad|great|strong|realistic)\s+)+"
    r"|(?:\s+(?:for|about|of|with|to|in|on|formula|equation|definition|meaning|example|used|"
    r"meant|needed|useful|good|differences?|comparison))+$",
    re.IGNORECASE,
)
# a preposition that places a name in a context ("call to action in gainsight")
_PLACE = re.compile(r"\s+(?:in|for|at|within|during|on|across|from|inside)\s+", re.IGNORECASE)
_SECOND_QUESTION = re.compile(
    r"\s*,?\s+and\s+(?:why|how|what|when|where|who|which|is|are|does|do|can|should)\b.*$",
    re.IGNORECASE,
)
# a question rather than a bare term ("why ...", "is ...", "define ...")
_ASKING_WORD = re.compile(
    r"^\s*(?:what|how|why|who|whom|whose|when|where|which|is|are|does|do|did|can|could|should|"
    r"would|will|define|explain|describe|tell|list|show|give|compare)\b",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"^(?:my|our|your|their|its)\s+", re.IGNORECASE)
_DEFINITION_QUESTION = re.compile(
    r"^\s*(?:please\s+)?(?:what\s+(?:is|are)\b|what['’]?s\b|define\b|"
    r"(?:the\s+)?(?:definition|meaning)\s+of\b|what\s+does\s+.+\s+(?:mean|stand\s+for)\b|"
    r"(?:can\s+you\s+)?explain\b|tell\s+me\s+about\b)",
    re.IGNORECASE,
)

# a comparing question with nothing to compare
_NOTHING_COMPARED = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+|what['’]?s\s+)?(?:the\s+)?(?:difference|differences|"
    r"relationship|comparison)(?:\s+between)?\s*[?!.]*\s*$|^\s*(?:compare|vs\.?|versus)\s*[?!.]*\s*$",
    re.IGNORECASE,
)
# Questions that compare concepts: `items` names them ("X and Y", "X, Y and Z", "X vs Y"),
# or `a` and `b` are the two sides.
_COMPARE = [
    re.compile(
        r"^(?:.*?\s)?(?:what\s+(?:is|are)\s+|what['’]?s\s+)?(?:the\s+)?(?:dif+(?:e?r[ae]?n[cs]e?s?)?|"
        r"dif+er\w*)\s+between\s+(?P<items>.+)$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^how\s+(?:does|do|is|are)\s+(?P<a>.+?)\s+differ(?:ent)?\s+from\s+(?P<b>.+)$", re.I
    ),
    re.compile(
        r"^how\s+(?:does|do|is|are)\s+(?P<a>.+?)\s+(?:relate|related|connect|connected|"
        r"compare|linked)\s+(?:to|with)\s+(?P<b>.+)$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:what\s+(?:is|are)\s+|what['’]s\s+)?(?:the\s+)?(?:relationship|relation|link|"
        r"connection)s?\s+between\s+(?P<items>.+)$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:is|are)\s+(?P<a>.+?)\s+(?:the\s+same(?:\s+thing)?\s+as|different\s+from|"
        r"similar\s+to)\s+(?P<b>.+)$",
        re.IGNORECASE,
    ),
    # "LTV to CAC ratio", "what is the LTV:CAC ratio": the two it sets against each other
    re.compile(
        r"^(?:(?:what\s+is|what['’]s|define|explain)\s+)?(?:the\s+|an?\s+)?"
        r"(?P<items>\S+(?:\s+\S+)?\s*(?:\sto\s|:|/)\s*\S+(?:\s+\S+)?)\s+ratio$",
        re.IGNORECASE,
    ),
    # "how do upsell and NRR relate", "how do leading and lagging indicators differ"
    re.compile(
        r"^how\s+(?:do|does|are|is)\s+(?P<items>.+?\s(?:and|&)\s.+?)\s+(?:relate|related|"
        r"compare|differ|connect|connected|interact|fit\s+together)(?:\s+to\s+each\s+other)?$",
        re.IGNORECASE,
    ),
    # "are CLV and LTV the same thing", "are upsell and cross-sell different"
    re.compile(
        r"^(?:is|are)\s+(?P<items>.+?\s(?:and|&|or)\s.+?)\s+(?:(?:the|really)\s+)?"
        r"(?:same|different|similar|alike|interchangeable|synonyms)(?:\s+things?)?$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:what\s+(?:is|are)\s+|what['’]s\s+)?(?P<a>.+?),?\s+and\s+how\s+(?:does|do|is|are)\s+"
        r"(?:it|they|that|this)\s+(?:relate|related|compare|differ|different|connect)\w*\s+"
        r"(?:to|with|from)\s+(?P<b>.+)$",
        re.IGNORECASE,
    ),
    # "is churn part of customer retention", "is upsell a kind of account expansion": what
    # links them answers it, side by side ("is churn a problem" asks nothing of the kind)
    re.compile(
        r"^(?:is|are)\s+(?P<a>.+?)\s+(?:(?:a|an)\s+(?:kind|type|form|part|example)\s+of|"
        r"(?:a\s+)?part\s+of|included\s+in|counted\s+in|a\s+subset\s+of)\s+(?P<b>.+)$",
        re.IGNORECASE,
    ),
    re.compile(r"^compare\s+(?P<items>.+)$", re.IGNORECASE),
    # the choice, then the question about it: "NRR or GRR, which should we report to the
    # board", "ARR vs MRR - which matters more"; or the question first: "which should we
    # report, NRR or GRR"
    re.compile(
        r"^(?P<items>[^,;:?]+?\s(?:or|vs\.?|versus)\s[^,;:?]+?)\s*(?:[,;:?]|\s[-–—])\s*"
        r"(?:which|what|who|how|why|should|do|does|is|are|can)\b.*$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:which|what|who)\b[^,]*,\s*(?P<items>.+\s(?:or|vs\.?|versus)\s.+)$", re.I),
    re.compile(r"^(?P<items>.+?\s(?:vs\.?|versus|compared\s+(?:to|with))\s+.+)$", re.I),
]
# "NRR and GRR", "upsell or cross-sell?", "nrr/grr", "what are NRR and GRR": a comparison only
# when every part is a name in the glossary or a confident match, and the whole is not itself
# a name ("Profit and Loss Center").
_LISTED = re.compile(
    r"^(?:(?:what|which)\s+(?:is|are)\s+|what['’]s\s+|define\s+|explain\s+|describe\s+|"
    r"tell\s+me\s+about\s+)?(?P<items>.+?(?:\s(?:and|or|&)\s|,\s*|\s*[/+]\s*|(?<=\w):(?=\w)).+)$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(
    r"\s*,?\s+and\s+what(?:\s+(?:is|are)|['’]s)\s+(?:an?\s+|the\s+)?"  # "X and what is a Y"
    r"|\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&|vs\.?|versus|with|to|compared\s+(?:to|with))\s+"
    r"|\s+and/or\s+|\s*[/+]\s*|(?<=\w):(?=\w)",  # "NPS + CSAT", "nrr/grr", "LTV:CAC"
    re.IGNORECASE,
)


def features(hits: Sequence[Hit]) -> dict[str, float]:
    """What confidence is computed from: the best hit's label score and cosine, its lead over
    the runner-up, and how much of the query the glossary's vocabulary knows."""
    if not hits:
        return {"label": 0.0, "dense": 0.0, "margin": 0.0, "known": 0.0}
    top = hits[0].signals
    label = top.get("label", 0.0)
    fused = top.get("fused", 0.0)
    runner = hits[1].signals.get("fused", 0.0) if len(hits) > 1 else 0.0
    margin = (fused - runner) / fused if fused > 0 else 0.0
    if label >= 1.0:
        margin = 1.0  # an exact label hit leaves no doubt about which concept is meant
    return {
        "label": label,
        "dense": top.get("dense", 0.0),
        "margin": margin,
        "known": top.get("query_known", 0.0),
    }


def unnamed_term(question: str, index: SearchIndex, closest: str | None = None) -> str | None:
    """The term a question asks about when the glossary has no such name: a definition asked
    ("what is a win-loss analysis" -> "win-loss analysis", "what is revenue operations" ->
    "revenue operations": Revenue is a name, "revenue operations" is not), or how to do
    something to it ("how do I file an expense report" -> "expense report", "how is a sales
    rep's quota set" -> "sales rep's quota"). A qualifier is left off ("a champion in the
    customer's organization" asks about "champion"); a description ("the yearly value of a
    contract", "the cost of keeping customers", or more than MAX_TERM_WORDS content words)
    names no term, nor does asking for one ("what's the term for ..."). A term ending with
    one of the `closest` concept's names is a kind of it, or another name for it ("customer
    churn" of Churn): not unnamed."""
    term = _asked_term(question)
    if term is None:
        return _name_and_more(question, index, closest)
    head, *tail = _QUALIFIER.split(term, maxsplit=1)
    term = head.strip(" ,")
    words = [w for w in content_words(words_of(term)) if w not in CUE_WORDS]
    if not words and tail:  # "the formula for ARR", "target for NPS": asks about ARR, NPS
        term = _ARTICLE.sub("", tail[0].strip(" ,"))
        words = [w for w in content_words(words_of(term)) if w not in CUE_WORDS]
    if not 0 < len(words) <= MAX_TERM_WORDS or _DESCRIPTION.search(term):
        return None
    term = _EDGES.sub("", term).strip(" ,") or term  # "a good NPS score", "QBR meeting for"
    if closest is not None and index.ends_with_a_name_of(term, closest):
        return None
    named = (term[: m.start()] for m in _PLACE.finditer(term))  # "call to action in gainsight"
    if index.is_a_name(term) or any(index.is_a_name(t) for t in named):
        return None
    *name, noun = term.split()
    owner = re.sub(r"['’]s$", "", " ".join(name))  # "the CSM's role"
    if name and any(index.uses_word(c, noun) for c in index.named(owner)):
        return None  # "EBR meeting": a name, then what its own definition calls it
    return term


_PHRASING_VIEW = re.compile(r"^phrasing \(curated\) '(?P<text>.*?)(?:\.\.\.)?'$")


def named_in_a_phrasing(question: str, index: SearchIndex, hits: Sequence[Hit]) -> str | None:
    """A bare term of one to three content words, no name of the glossary's, that the best
    concept is found by only because one of its curated phrasings uses it to say something
    longer ("economic buyer": Executive Business Review's "top down alignment meeting with
    the economic buyer") while its labels and definitions are far from it (under OWN_WORDS):
    the glossary has no entry of that name, and the term is returned."""
    if not hits or hits[0].signals.get("label") or _ASKING_WORD.match(question):
        return None
    words = content_words(words_of(question))
    view = _PHRASING_VIEW.match(hits[0].evidence.get("dense", ""))
    if not 0 < len(words) <= MAX_TERM_WORDS or view is None:
        return None
    said = content_words(words_of(view["text"]))
    if not all(w in said for w in words) or len(said) < len(words) + 2:
        return None  # the phrasing is the question, or barely more: it names the concept
    term = question.strip(" ?!.")
    if index.is_a_name(term) or index.ends_with_a_name_of(term, hits[0].concept_id):
        return None  # a name, or a kind of the concept ("customer churn" of Churn)
    if index.own_words_cosine(question, hits[0].concept_id) >= OWN_WORDS:
        return None  # the concept's own words say it too ("seat reductions": Contraction)
    return term


def _name_and_more(question: str, index: SearchIndex, closest: str | None) -> str | None:
    """A bare phrase that opens with a name and goes on with words none of that concept's
    labels or definitions use, as a search is typed ("QBR deck template", "CAC payback",
    "churn playbook"): a term the glossary has no entry for, returned whole. Not a name
    ("net promotor score"), a name and what its own definition calls it ("NPS score", "QBR
    meeting"), nor a kind of the closest concept ("cohort churn" of Churn)."""
    text = question.strip(" ?!.")
    words = text.split()
    if not 2 <= len(words) <= MAX_TERM_WORDS + 1 or _ASKING_WORD.match(text):
        return None
    if _FIGURES_ASKED.search(text) or _ELSEWHERE.search(text):
        return None  # "churn in Q3", "renewal of my passport": said better by `_unsaid`
    if index.is_a_name(text) or (closest is not None and index.ends_with_a_name_of(text, closest)):
        return None
    for cut in range(len(words) - 1, 0, -1):
        name = " ".join(words[:cut])
        rest = [w for w in content_words(words_of(" ".join(words[cut:]))) if w not in CUE_WORDS]
        owners = index.named(name)
        if not owners:
            continue
        if not rest or all(any(index.uses_word(c, w) for c in owners) for w in rest):
            return None
        return text
    return None


def _asked_term(question: str) -> str | None:
    """What a definition or how-to question is about, its article or possessive taken off
    ("what is a sales quota" -> "sales quota"); None for any other question. A second
    question after it ("... and why does it matter") is not part of the term."""
    question = _SECOND_QUESTION.sub("", question)
    if _NAME_ASKED.search(question):
        return None
    if bare := _BARE_ACRONYM.match(question):  # "SDR", "x": a name, or nothing, not words
        return bare["x"].removesuffix("s") if bare["x"][-2:-1].isupper() else bare["x"]
    if _DEFINITION_QUESTION.match(question):
        asked = strip_boilerplate(question).strip(" ?!.")
        if fold(asked) == fold(question.strip(" ?!.")):
            return None  # nothing taken off the question: not a definition asked
    else:
        found = (m for m in (p.match(question) for p in _HOW_QUESTIONS) if m)
        match = next(found, None)
        if match is None:
            return None
        asked = match["x"].strip(" ?!.")
    return _POSSESSIVE.sub("", _ARTICLE.sub("", asked))


def judge(
    question: str, index: SearchIndex, found: Sequence[Hit] = ()
) -> tuple[list[Hit], float, str | None]:
    """The question's best concepts (its top five; `found` if a search already gave five or
    more), `ask`'s confidence in the first, and the term it asks about if the glossary has
    no such name (confidence then at most UNNAMED)."""
    hits = list(found[:5]) if len(found) >= 5 else index.search(question, 5)
    placed = index.placed(question)
    if placed is not None and hits and hits[0].concept_id in placed.named:
        # the best concept is only where the question is asked from: the subject is asked
        # ("the client who fights for us internally | during a QBR": Champion); if the
        # glossary cannot answer the subject alone, it has no entry for it ("pto policy")
        subject_hits, subject_conf, _ = judge(placed.subject, index)
        if subject_conf >= SURE:
            return subject_hits, subject_conf, None
        subject = _asked_term(placed.subject) or strip_boilerplate(placed.subject)
        subject = _WHICH.sub("", subject.strip(" ?!.,"))  # "how many vacation days"
        asked = _POSSESSIVE.sub("", _ARTICLE.sub("", subject))
        return hits, min(confidence(hits), UNNAMED), asked
    term = unnamed_term(question, index, hits[0].concept_id if hits else None)
    term = term or named_in_a_phrasing(question, index, hits)
    conf = confidence(hits)
    return hits, (min(conf, UNNAMED) if term is not None else conf), term


def confidence(hits: Sequence[Hit]) -> float:
    """P(the best hit is the concept asked about), from its signals; 0 with no hits."""
    if not hits:
        return 0.0
    z = CALIBRATION["bias"] + sum(CALIBRATION[k] * v for k, v in features(hits).items())
    return round(1.0 / (1.0 + math.exp(-z)), 3)


@dataclass
class _Writer:
    """Collects answer sentences and the citations they point to."""

    titles: Mapping[str, str]
    sentences: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)

    def cite(self, source: str, text: str, concept: str, kind: str = "definition") -> int:
        for n, c in enumerate(self.citations, 1):  # one text cited for two concepts: twice
            if c["source"] == source and c["text"] == text and c["concept"] == concept:
                return n
        citation: dict[str, Any] = {"source": source, "text": text, "concept": concept}
        citation["kind"] = kind
        if source in self.titles:
            citation["title"] = self.titles[source]
        self.citations.append(citation)
        return len(self.citations)

    def say(self, sentence: str, refs: Sequence[int] = ()) -> None:
        marks = "".join(f"[{n}]" for n in sorted(set(refs)))
        self.sentences.append(f"{sentence} {marks}".strip())

    def name(self, source: str) -> str:
        """How the answer names a source: its title, with its id when other sources share
        that title (three seed glossaries are each called "Customer Success Glossary")."""
        title = self.titles.get(source, source)
        shared = sum(1 for t in self.titles.values() if t == title) > 1
        return f"{title} ({source})" if shared and title != source else title


def ask(
    question: str,
    index: SearchIndex,
    concepts_by_id: Mapping[str, Concept],
    related: Related | None = None,
    titles: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Answer `question` from the glossary; see the module docstring for the shape."""
    original = validate(question)
    # "hey can u tell me ... pls" asks what it asks; "is churn good or bad" is one question
    text = _ONE_JUDGEMENT.sub(r"\g<judged>", in_english_asking(without_pleasantries(original)))
    writer = _Writer(titles or {})
    if _NOTHING_COMPARED.match(text):  # "difference between": Margin's definition says it
        writer.say(
            "I am not sure what to compare: name the terms, as in 'difference between NRR and GRR'."
        )
        return _result(original, writer, 0.0, [])
    found = _comparison(text, index)
    if isinstance(found, _Comparison):
        return _compare(text, found, concepts_by_id, related, writer, index)
    if opposite := _OPPOSITE.match(text.strip().rstrip("?!. ")):
        return _opposite(text, opposite["x"], index, concepts_by_id, related, writer)
    hits, conf, unnamed = judge(found or text, index)
    term = _asked_term(text) or strip_boilerplate(text).strip(" ?!.")
    if len(named := index.named(term)) > 1:  # "CAC": Acquisition Cost and Advisory Council
        return _ambiguous(text, term, named, hits, concepts_by_id, writer)
    if not hits or conf < LOST:
        names = [concepts_by_id[h.concept_id].pref_label for h in hits[:3]]
        nearest = (
            f" The nearest concepts are {_join(names)}, but none clearly matches." if names else ""
        )
        writer.say(
            f"I am not sure the glossary covers this: nothing in it answers {text!r}.{nearest}"
        )
        return _result(
            original,
            writer,
            conf,
            [_brief(concepts_by_id[h.concept_id], h, "candidate") for h in hits[:3]],
        )
    best = concepts_by_id[hits[0].concept_id]
    asked_of = focus(text, best) if unnamed is None else None
    if unnamed is None and asked_of is None and not hits[0].signals.get("label"):
        # "does LTV include acquisition cost" asks of Customer Lifetime Value, which it
        # names, though search put Customer Acquisition Cost (no name of it asked) first
        for hit in hits[1:5]:
            if (names_it := focus(text, concepts_by_id[hit.concept_id])) is not None:
                hits = [hit, *(h for h in hits if h is not hit)]
                best, asked_of = concepts_by_id[hit.concept_id], names_it
                break
    if asked_of is not None:
        candidates = [concepts_by_id[h.concept_id] for h in hits[1:5]]
        if (cause := causes_of(asked_of, best, candidates)) is not None:
            # "why do customers churn": Churn Reasons says why
            hits = sorted(hits, key=lambda h: h.concept_id != cause.id)
            best = cause
    others = [concepts_by_id[h.concept_id] for h in hits[1:5]]
    said = passage(asked_of, best, others) if asked_of is not None else None
    if unnamed is not None:
        writer.say(
            f"I am not sure: the glossary has no entry named {unnamed!r}; the closest is "
            f"{best.pref_label} (confidence {_shown(conf)})."
        )
    elif not best.definitions and said is None:  # "what is customer success", "is customer
        # stickiness a metric": listed, never defined (said first, whatever was asked of it)
        conf = min(conf, UNNAMED)
        refs = [writer.cite(j.source, j.term, best.id, "term") for j in best.joined[:3]]
        writer.say(
            f"I am not sure: the glossary lists {best.pref_label}, but none of its sources "
            "defines it.",
            refs,
        )
    elif asked_of is not None and said is None:  # "is NPS a lagging indicator": not said
        conf = min(conf, UNNAMED)
        writer.say(
            f"I am not sure: the glossary does not answer {original!r} directly; here is what it "
            f"says about {best.pref_label}."
        )
    elif (unsaid := _unsaid(text, best, index) if said is None else None) is not None:
        # "what is a good churn rate", "how do I reduce churn": the concept is right, the
        # question is not answered
        conf = min(conf, UNNAMED)
        writer.say(f"I am not sure: {unsaid}; here is what it says about {best.pref_label}.")
    elif conf < SURE:
        writer.say(
            f"I am not sure, but the closest concept in the glossary is {best.pref_label} "
            f"(confidence {_shown(conf)})."
        )
    preferred = best.definition
    if said is not None and not (  # the whole preferred definition: said next, not twice
        said.definition is preferred and _sentence(said.sentence) == _sentence(said.definition.text)
    ):
        n = writer.cite(said.definition.source, said.definition.text, said.concept.id)
        whose = "" if said.concept is best else f", defining {said.concept.pref_label},"
        writer.say(
            f"{writer.name(said.definition.source)}{whose} speaks to this: “{said.sentence}”", [n]
        )
    _describe(best, writer, undefined_said=not best.definitions and unnamed is None)
    shown = [_brief(best, hits[0], "answer")]
    links = _related(best.id, related, concepts_by_id)
    shown += [_brief(concepts_by_id[r.other], None, f"related:{r.how}") for r in links]
    _say_related(best, links, concepts_by_id, writer)
    if conf < SURE:
        listed = {c["id"] for c in shown}
        shown += [
            _brief(concepts_by_id[h.concept_id], h, "candidate")
            for h in hits[1:3]
            if h.concept_id not in listed
        ]
    return _result(original, writer, conf, shown)


def _shown(conf: float) -> str:
    """A confidence as an answer prints it: rounded down, so an unsure 0.696 never reads as
    the 0.70 of "sure"."""
    return f"{math.floor(conf * 100) / 100:.2f}"


def _unsaid(text: str, best: Concept, index: SearchIndex) -> str | None:
    """What the question asks of the concept that none of its definitions says, if so: a
    formula, a good value, or how to act on it ("how do I reduce churn")."""
    if _HOW_TO_COMPUTE.search(text) and not any(
        _COMPUTATION.search(d.text) for d in best.definitions
    ):
        return f"the glossary gives no formula for {best.pref_label}"
    # "Average Revenue Per User", "Ideal Customer Profile" judge nothing: a word of the
    # concept's own names is no judgement, however the rest is worded ("average revenue per
    # account", "ideal custommer profile")
    named = {w for name in best.labels for w in words_of(name)}
    judged = [m for m in _GOOD_VALUE.finditer(text) if not set(words_of(m[0])) <= named]
    if judged and not any(_FIGURE.search(d.text) for d in best.definitions):
        return f"the glossary does not say what a good value of {best.pref_label} is"
    if (act := _HOW_TO_ACT.match(text)) is not None:
        what = act["what"].strip(" ?!.")
        return f"the glossary defines {best.pref_label} but does not say how to {what}"
    if (advice := _ADVICE.match(text)) is not None:
        what = (advice["what"] or advice["done"]).strip(" ?!.")
        return f"the glossary defines {best.pref_label} but gives no advice on {what!r}"
    if _FIGURES_ASKED.search(text) or (
        _WHEN.search(text) and (best.id in index.names_in(text) or _FIGURE_QUESTION.search(text))
    ):
        return f"the glossary defines {best.pref_label} but holds none of your company's own data"
    if (someone := _someone(text, best, index)) is not None:
        return f"the glossary defines {best.pref_label} but holds nothing about {someone!r}"
    place = _ELSEWHERE.search(text)
    if place is not None and (
        best.id not in index.names_in(text) or index.is_a_name(strip_boilerplate(text))
    ):
        place = None  # only a name it uses is placed; "book of buisness" is a name, misspelt
    if place is not None and (said := place["place"].strip(" ?!.")) and not _WORKPLACE.search(said):
        words = content_words(words_of(said))
        strange = len(index.strange_words(said))
        if words and (strange == len(words) or 2 * len(index.foreign_words(said)) >= len(words)):
            # "champion in League of Legends", "health score for hospital patients", "churn
            # in butter making": every word strange to the glossary, or half of them foreign
            return f"the glossary speaks of {best.pref_label} in its own field, not in {said!r}"
    return None


def _someone(text: str, best: Concept, index: SearchIndex) -> str | None:
    """The company or customer a question asks the concept of, if it names one the glossary
    does not know: "Initech's NPS", "the Initech account", or a leading unknown name before
    the concept's own ("Globex health score"): a name with a word that is neither the
    glossary's nor a misspelling of one."""
    for m in _SOMEONES.finditer(text.strip().rstrip("?!. ")):
        name = m["owner"] or m["account"] or m["lead"]
        if m["lead"] and best.id not in index.named(m["rest"]):
            continue
        if index.foreign_words(name) and not index.is_a_name(name):
            return name
    return None


# -- one concept


def _describe(
    concept: Concept,
    writer: _Writer,
    others_limit: int = MAX_OTHER_DEFINITIONS,
    skip: frozenset[str] = frozenset(),
    undefined_said: bool = False,
) -> None:
    """Preferred definition, differing definitions, aliases; each sentence cited. Definitions
    whose text is in `skip` are left for the caller (a comparison states shared ones once);
    with `undefined_said`, the caller has said the concept has none."""
    preferred = concept.definition or (concept.definitions[0] if concept.definitions else None)
    if preferred is None and undefined_said:
        pass
    elif preferred is None:
        refs = [writer.cite(j.source, j.term, concept.id, "term") for j in concept.joined[:3]]
        writer.say(
            f"The glossary lists {concept.pref_label}, but none of its sources defines it.", refs
        )
    else:
        n = writer.cite(preferred.source, preferred.text, concept.id)
        if preferred.shared_with:  # "Bookings vs. Billings vs. Revenue": no definition alone
            writer.say(
                f"{writer.name(preferred.source)} defines {concept.pref_label} together with "
                f"{_join(list(preferred.shared_with))}: {_sentence(preferred.text)}",
                [n],
            )
        else:
            writer.say(f"{concept.pref_label}: {_sentence(preferred.text)}", [n])
        others = [d for d in _differing(concept, preferred) if d.text not in skip]
        for d in others[:others_limit]:
            m = writer.cite(d.source, d.text, concept.id)
            how = "also defines it as" if d.source == preferred.source else "puts it differently"
            writer.say(f"{writer.name(d.source)} {how}: {_sentence(d.text)}", [m])
        if len(others) > others_limit:
            more = len(others) - others_limit
            writer.say(f"The glossary has {more} more definition{'s' if more > 1 else ''}.")
        _say_conflicts(concept, writer)
    own = words_of(concept.pref_label)  # "Key Performance Indicators" is no other name
    aliases = [a for a in concept.alt_labels if words_of(a) != own]
    if aliases:
        refs = _alias_refs(concept, aliases, writer)
        writer.say(f"Also called {_join(aliases)}.", refs)


def _say_conflicts(concept: Concept, writer: _Writer) -> None:
    """ "The sources disagree on what it measures: profit (pdf-glossary) against revenue
    (docs-glossary, ultimate-glossary).", by source id, citing the definitions on each side
    (`kg conflicts` lists them all)."""
    for conflict in concept.conflicts:
        sides, refs = [], []
        for value, indexes in conflict.positions:
            defs = [concept.definitions[i] for i in indexes if 0 <= i < len(concept.definitions)]
            if not defs:
                continue
            sides.append(f"{value} ({', '.join(dict.fromkeys(d.source for d in defs))})")
            refs += [writer.cite(d.source, d.text, concept.id) for d in defs]
        if len(sides) > 1:
            writer.say(
                f"The sources disagree on {conflict.aspect}: {' against '.join(sides)}.", refs
            )


def _differing(concept: Concept, preferred: Definition) -> list[Definition]:
    """Other definitions that say something else (not the preferred one reworded)."""
    from rapidfuzz import fuzz

    kept: list[Definition] = []
    for d in concept.definitions:
        if d is preferred or any(
            fuzz.token_set_ratio(d.text, k.text) >= 90 for k in [preferred, *kept]
        ):
            continue
        kept.append(d)
    return kept


def _alias_refs(concept: Concept, aliases: Sequence[str], writer: _Writer) -> list[int]:
    """Cite where each alias comes from: the entries whose terms show it ("NRR (Net Revenue
    Retention)"), else a definition that uses it ("Upsell or up-selling is ...")."""
    refs = []
    for alias in aliases:
        key = f" {fold(alias)} "
        if not key.strip():
            continue
        terms = [(j.source, j.term) for j in concept.joined]
        terms += [(d.source, d.term) for d in concept.definitions]
        shown = [(s, t) for s, t in terms if key in f" {fold(t)} "]
        if shown:
            refs += [writer.cite(s, t, concept.id, "term") for s, t in dict.fromkeys(shown)]
            continue
        used = [d for d in concept.definitions if key in f" {fold(d.text)} "]
        if used:
            refs.append(writer.cite(used[0].source, used[0].text, concept.id))
        elif alias in concept.acronyms:  # an "Acronym for ..." entry whose heading was lost
            spelt = [j for j in concept.joined if any("acronym" in r for r in j.reasons)]
            refs += [writer.cite(j.source, j.term, concept.id, "term") for j in spelt[:1]]
    return refs


def _related(
    concept_id: str, related: Related | None, concepts_by_id: Mapping[str, Concept]
) -> list[Relation]:
    """The concept's closest links (MAX_RELATED), one per other concept."""
    out: list[Relation] = []
    for r in _safe(related, concept_id):
        fresh = all(o.other != r.other for o in out)
        if r.other in concepts_by_id and r.other != concept_id and fresh:
            out.append(r)
        if len(out) >= MAX_RELATED:
            break
    return out


def _say_related(
    concept: Concept,
    links: Sequence[Relation],
    concepts_by_id: Mapping[str, Concept],
    writer: _Writer,
) -> None:
    """ "In the glossary's graph, X is a kind of A; related to B and C.", citing for each
    link the definition that states it or, for a link inferred from the names (a shared head
    noun, say; `kg show` gives why), the entries that name the two concepts."""
    if not links:
        return
    grouped: dict[str, list[str]] = {}
    refs = []
    worded: list[str] = []  # linked only because their definitions read alike
    worded_refs: list[int] = []
    for r in links:
        other = concepts_by_id[r.other]
        if (
            _statement(r, (concept, other)) is None
            and "read alike" in r.reason
            and concept.definitions
            and other.definitions  # else only their names were read: a link by name, below
        ):
            worded.append(other.pref_label)
            if (d := other.definition) is not None:  # the text that reads alike
                worded_refs.append(writer.cite(d.source, d.text, other.id))
            continue
        grouped.setdefault(r.how, []).append(other.pref_label)
        refs += _link_refs(r, concept, other, writer)
    parts = [f"{how} {_join(labels)}" for how, labels in grouped.items()]
    if parts:
        writer.say(f"In the glossary's graph, {concept.pref_label} is {'; '.join(parts)}.", refs)
    if worded:
        writer.say(
            f"Its definitions read like those of {_join(worded)}, though no source says how "
            "they are linked.",
            worded_refs,
        )


def _link_refs(r: Relation, a: Concept, b: Concept, writer: _Writer) -> list[int]:
    stated = _statement(r, (a, b))
    if stated is not None:
        return [writer.cite(stated[1].source, stated[1].text, stated[0].id)]
    refs = []
    for c in (a, b):
        named = [(j.source, j.term) for j in c.joined] + [(d.source, d.term) for d in c.definitions]
        refs += [writer.cite(s, t, c.id, "term") for s, t in named[:1]]
    return refs


def _statement(r: Relation, concepts: Sequence[Concept]) -> tuple[Concept, Definition] | None:
    """The definition (and its concept) whose sentence states the link, if one does."""
    if not r.stated_in or not r.statement:
        return None
    sentence = " ".join(r.statement.split())
    for concept in concepts:
        for d in concept.definitions:
            if d.source == r.stated_in and sentence in " ".join(d.text.split()):
                return concept, d
    return None


# -- an opposite


def _opposite(
    question: str,
    asked: str,
    index: SearchIndex,
    concepts_by_id: Mapping[str, Concept],
    related: Related | None,
    writer: _Writer,
) -> dict[str, Any]:
    """ "What is the opposite of churn": the concept the glossary sets against it (a
    contrast a definition states, or a contrast pair of labels), else says there is none."""
    hits, conf, _ = judge(asked, index)
    if not hits or conf < LOST:
        writer.say(f"I am not sure the glossary covers this: nothing in it answers {question!r}.")
        return _result(question, writer, conf, [])
    x = concepts_by_id[hits[0].concept_id]
    contrasts = [
        r
        for r in _safe(related, x.id)
        if r.reason.startswith("contrast") and r.other in concepts_by_id
    ]
    if not contrasts:
        writer.say(
            f"The glossary names no opposite of {x.pref_label}; here is what it says of it.",
        )
        _describe(x, writer)
        return _result(question, writer, min(conf, UNNAMED), [_brief(x, hits[0], "answer")])
    # a definition saying "opposite" first, then a pair of labels set against each other
    # (Upsell / Downsell); any other stated contrast ("not identical") is only a contrast
    best = min(
        contrasts,
        key=lambda r: (
            "opposite" not in r.statement.lower(),
            not r.reason.startswith("contrast pair"),
        ),
    )
    y = concepts_by_id[best.other]
    stated = _stated_by(best, x, y)
    refs = _link_refs(best, x, y, writer)
    if "opposite" in best.statement.lower() or best.reason.startswith("contrast pair"):
        writer.say(f"The glossary sets {y.pref_label} against {x.pref_label}{stated}", refs)
    else:
        conf = min(conf, UNNAMED)
        writer.say(
            f"The glossary names no opposite of {x.pref_label}, but contrasts it with "
            f"{y.pref_label}{stated}",
            refs,
        )
    _describe(y, writer)
    concepts = [_brief(y, None, "answer"), _brief(x, hits[0], "compared")]
    return _result(question, writer, conf, concepts)


def _stated_by(r: Relation, x: Concept, y: Concept) -> str:
    """How a sentence ends that says where a link between x and y is stated: when no
    definition states it, "." or the words a pair of names differs by ("up / down"); ", as
    the definition of Y says." when Y's own definition, shown next, does; else the defining
    sentence, quoted and attributed ("It is the opposite of retention" is Churn's, not
    Retention's)."""
    found = _statement(r, (x, y))
    if found is None:
        pair = re.search(r"\(([^()]+ / [^()]+)\)\s*$", r.reason)
        if pair is None:
            return "."
        first, second = (w.strip() for w in pair[1].split(" / ", 1))
        return f": their names differ only in {first!r} and {second!r}."
    owner, definition = found
    if owner is y and y.definition is not None and definition.text == y.definition.text:
        return f", as the definition of {y.pref_label} says."
    return f"; the definition of {owner.pref_label} says: “{_sentence(r.statement)}”"


# -- two concepts


@dataclass
class _Comparison:
    """What a comparing question names: the parts as typed, each part's hits, and whether
    it names more concepts than one comparison holds (MAX_COMPARED)."""

    parts: list[str]
    hits: list[list[Hit]]
    more: bool = False

    @property
    def confidence(self) -> float:
        return min(confidence(h) for h in self.hits)


@dataclass
class _Side:
    """One concept of a comparison: the parts that name it, its hit, and how sure that is."""

    concept: Concept
    hit: Hit
    names: list[str]
    confidence: float
    loose: list[str] = field(default_factory=list)  # parts only search tied to it
    unnamed: dict[str, str] = field(default_factory=dict)  # part: a term with no entry


def _comparison(text: str, index: SearchIndex) -> _Comparison | str | None:
    """The concepts a comparing question names; or, when it names only one ("what is the
    difference between churn"), that one's words to search; None if it compares nothing."""
    cleaned = text.strip().rstrip("?!. ")
    for pattern in _COMPARE:
        m = pattern.match(cleaned)
        if not m:
            continue
        groups = m.groupdict()
        items = _compared_only(groups["items"]) if groups.get("items") else None
        if items is None:  # "how is NPS different from CSAT and CES": b may list more
            a, b = groups["a"], groups["b"]
            splits = [[a, b], *([a, *cut] for cut in _partitions(b) if len(cut) < MAX_COMPARED)]
        else:
            splits = _partitions(items)
        found = _best_split(splits, index)
        if found is not None:
            return found
        return strip_boilerplate(items) if items else None
    m = _LISTED.match(cleaned)
    listed = _compared_only(m["items"]) if m else ""
    if m is None or len(_SEPARATORS.sub(" , ", listed).split()) > MAX_LISTED_WORDS:
        return None  # a longer question with "and" in it describes something
    whole = index.search(cleaned, 1)
    if whole and whole[0].signals.get("label", 0.0) >= 1.0:
        return None  # a name with "and" in it
    found = _best_split(_partitions(listed), index)
    if found is None:
        return None
    # every part a name or a sure match; or all but one names, that one a likely match
    # ("define churn, retention, and expansion")
    names = sum(1 for h in found.hits if _names(h) or confidence(h) >= SURE)
    if names < len(found.hits) and (names < 2 or min(map(confidence, found.hits)) < LOST):
        return None
    # ... unless a part is no name and the whole reads surely as one concept: "the sales and
    # marketing cost to win a customer" describes Customer Acquisition Cost
    if all(map(_names, found.hits)) or judge(cleaned, index)[1] < SURE:
        return found
    return None


# talk around the compared names: a question about them after them ("GRR and NRR, and which
# one includes expansion", "NRR vs GRR - when to use each", "..., I keep mixing them up"),
# or how the asker came to it before them ("so my manager asked me about GRR vs NRR")
_AFTER_COMPARED = re.compile(
    r"(?:\s*(?:[,;:]|\s[-–—])\s*(?:and\s+|but\s+)?|\s+(?:and|but)\s+(?=(?:which|should|how)\b))"
    r"(?:which|what|when|where|why|how|who|is|are|does|do|can|should|so|i|i['’]m|im|we|my|our|"
    r"trying|because|since)\b.*$",
    re.IGNORECASE,
)
_BEFORE_COMPARED = re.compile(r"^.*?\b(?:about|regarding|re:?)\s+", re.IGNORECASE)


def _compared_only(items: str) -> str:
    """The part of a comparing question that names what is compared (`_AFTER_COMPARED`,
    `_BEFORE_COMPARED`), if it still lists two things; else the question as it was."""
    cut = _AFTER_COMPARED.sub("", items)
    if _SEPARATORS.search(cut) and (head := _BEFORE_COMPARED.sub("", cut)) != cut:
        cut = head if _SEPARATORS.search(head) else cut
    return cut if _SEPARATORS.search(cut) else items


def _names(hits: Sequence[Hit]) -> bool:
    """The part is one of the glossary's names (label, alias or acronym) as typed."""
    return bool(hits) and hits[0].signals.get("label", 0.0) >= 1.0


def _partitions(items: str) -> list[list[str]]:
    """The ways to cut "land and expand and upsell" into 2 to MAX_COMPARED parts at its
    first MAX_CUTS separators (a label may hold one, so each cut is optional)."""
    cuts = list(_SEPARATORS.finditer(items))[:MAX_CUTS]
    found: list[list[str]] = []
    for chosen in range(1, 1 << len(cuts)):
        picked = [c for i, c in enumerate(cuts) if chosen >> i & 1]
        if len(picked) + 1 > MAX_COMPARED:
            continue
        bounds = [0, *[x for c in picked for x in (c.start(), c.end())], len(items)]
        found.append([items[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)])
    return found


def _best_split(splits: list[list[str]], index: SearchIndex) -> _Comparison | None:
    """The cut whose least certain part is most certain (ties: fewer parts), a cut leaving
    a separator inside a part that is no name ("retention, and expansion") coming last. A
    part must hold a content word and be short enough to be a name (MAX_PART_WORDS)."""
    searched: dict[str, list[Hit]] = {}
    cleaned: dict[str, str] = {}  # the same part recurs across cuts: each cleaned once
    best: tuple[bool, float, int, _Comparison] | None = None
    for split in _shared_heads(splits, index):
        for p in split:
            if p not in cleaned:
                cleaned[p] = _part(p, index)
        parts = [cleaned[p] for p in split]
        if not all(0 < len(content_words(words_of(p))) <= MAX_PART_WORDS for p in parts):
            continue
        hits = []
        for part in parts:
            if part not in searched:
                searched[part] = index.search(part, 3)
            hits.append(searched[part])
        if not all(hits):
            continue
        found = _Comparison(parts, hits)
        whole = not any(
            _SEPARATORS.search(p) and not _names(h) for p, h in zip(parts, hits, strict=True)
        )
        key = (whole, round(found.confidence, 3), -len(parts))
        if best is None or key > best[:3]:
            best = (*key, found)
    if best is None:
        return None
    found = best[3]
    # a part that still holds a separator and is no name hides a concept of its own
    found.more = len(found.parts) == MAX_COMPARED and any(
        _SEPARATORS.search(p) and not _names(h)
        for p, h in zip(found.parts, found.hits, strict=True)
    )
    return found


def _part(text: str, index: SearchIndex) -> str:
    """A compared part as searched: without question words, or words at its edges that are
    not part of the name ("ARR difference", "a good NPS"), unless they are ("Average Revenue
    Per User")."""
    part = _ARTICLE.sub("", strip_boilerplate(text.strip(" ,;:")))
    if index.is_a_name(part):
        return part
    return _EDGES.sub("", part).strip(" ,;:") or part


def _shared_heads(splits: list[list[str]], index: SearchIndex) -> list[list[str]]:
    """The cuts, and for each whose last part ends a name that a one-word part before it
    begins ("leading and lagging indicators", "gross and net revenue retention"), the same
    cut with that name written out ("leading indicators")."""
    found = list(splits)
    names: dict[str, bool] = {}  # the same parts recur across cuts: each looked up once

    def is_a_name(text: str) -> bool:
        if text not in names:
            names[text] = index.is_a_name(text)
        return names[text]

    for split in splits:
        last = split[-1].split()
        if len(split) < 2 or len(last) < 2:
            continue
        tail = " ".join(last[1:])
        parts = [
            f"{word} {tail}"
            if len(word := p.strip(" ,;:")) and " " not in word and is_a_name(f"{word} {tail}")
            else p
            for p in split[:-1]
        ]
        if parts != split[:-1]:
            found.append([*parts, split[-1]])
    return found


def _sides(
    found: _Comparison, concepts_by_id: Mapping[str, Concept], index: SearchIndex
) -> list[_Side]:
    """One side per concept named: parts naming the same concept exactly ("NRR vs NDR") are
    one side; a looser part whose best concept is taken gets its next, judged as such."""
    sides: list[_Side] = []
    for part, hits in zip(found.parts, found.hits, strict=True):
        taken = {s.concept.id: s for s in sides}
        same = taken.get(hits[0].concept_id)
        if same is not None and _names(hits):
            if fold(part) not in map(fold, same.names):
                same.names.append(part)
            continue
        rank = next((i for i, h in enumerate(hits) if h.concept_id not in taken), None)
        if rank is None:
            continue
        hit = hits[rank]
        loose = [] if rank == 0 and _names(hits) else [part]
        concept = concepts_by_id[hit.concept_id]
        sure = confidence(hits[rank:])
        if loose and index.named_by_words(part) == [hit.concept_id]:
            # the words of one concept's name only: "contraction" beside "expansion" is
            # Account Contraction, though the glossary has no entry of that one word
            sure = max(sure, SURE)
        sides.append(_Side(concept, hit, [part], sure, loose))
    return sides


def _judge_parts(sides: Sequence[_Side], index: SearchIndex) -> None:
    """A part that is no name of its concept and no kind of it ("customer support" beside
    Customer Success, put with Account Team) is a term the glossary has no entry for: its
    side is then at most UNNAMED sure, as a question asking for its definition would be."""
    for side in sides:
        for part in list(side.loose):
            head = _PLACE.split(part, maxsplit=1)[0]  # "nps for renewals": NPS, placed
            if head != part and side.concept.id in index.named(head):
                side.loose.remove(part)
            elif (term := unnamed_term(f"what is {part}", index, side.concept.id)) is not None:
                side.unnamed[part] = term
                side.confidence = min(side.confidence, UNNAMED)


def _say_loose(side: _Side, writer: _Writer) -> None:
    """Say of each part search alone tied to the side's concept that it is no name of it."""
    label = side.concept.pref_label
    for part in side.loose:
        if part in side.unnamed:
            writer.say(
                f"The glossary has no entry named {side.unnamed[part]!r}; the closest is {label}."
            )
        elif fold(part) != fold(label) and not _ASKING_WORD.match(part):
            # "revenue churn" beside Churn; not "should I track churn", which asks of it
            writer.say(f"The glossary has no separate entry for {part!r}; {label} covers it.")


def _compare(
    question: str,
    found: _Comparison,
    concepts_by_id: Mapping[str, Concept],
    related: Related | None,
    writer: _Writer,
    index: SearchIndex,
) -> dict[str, Any]:
    sides = _sides(found, concepts_by_id, index)
    _judge_parts(sides, index)
    conf = round(min(s.confidence for s in sides), 3)
    if conf < LOST:
        weakest = min(sides, key=lambda s: s.confidence)
        nearest = _join([s.concept.pref_label for s in sides])
        writer.say(
            f"I am not sure the glossary covers this: nothing in it clearly matches "
            f"{weakest.names[0]!r}. The nearest concepts are {nearest}."
        )
        return _result(
            question, writer, conf, [_brief(s.concept, s.hit, "candidate") for s in sides]
        )
    if len(sides) == 1:
        return _same(question, sides[0], concepts_by_id, related, writer, conf)
    labels = [s.concept.pref_label for s in sides]
    if _RATIO.search(question) and len(sides) == 2:  # "LTV to CAC ratio": two named, none defined
        conf = min(conf, UNNAMED)
        writer.say(f"I am not sure: the glossary defines no ratio of {_join(labels)}.")
    elif conf < SURE:
        writer.say(
            f"I am not sure these are the concepts you mean (confidence {_shown(conf)}): "
            f"the closest are {_join(labels)}."
        )
    for side in sides:
        _say_loose(side, writer)
    if found.more:
        writer.say(f"I compare at most {MAX_COMPARED} concepts at a time; the question names more.")
    for side in sides:  # a part still holding "and", "vs" ... that is no name hid a concept
        part = side.names[0]
        if _SEPARATORS.search(part) and side.hit.signals.get("label", 0.0) < 1.0 and not found.more:
            writer.say(f"I read {part!r} as one concept, {side.concept.pref_label}.")
    for side in sides:
        if len(names := [n for n in side.names if n not in side.loose]) > 1:
            writer.say(
                f"{_join(names)} are names for the same concept, {side.concept.pref_label}.",
                _alias_refs(side.concept, names, writer),
            )
    for side in sides:  # "backlog" of sales and of support: say which one is compared
        if len(meant := index.named(side.names[0])) > 1:
            whose = ", ".join(writer.name(s) for s in side.concept.sources)
            writer.say(
                f"In this glossary {side.names[0]!r} names {len(meant)} concepts; this compares "
                f"the one from {whose}."
            )
    writer.say(f"{_join(labels)}, side by side.")
    rest = question
    for side in sides:  # a concept named "Best Practices" asks nothing
        for name in side.concept.labels:
            rest = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", rest, flags=re.IGNORECASE)
    if _WHICH_BETTER.search(rest):
        writer.say("The glossary describes them; it does not say which is better.")
    concepts = [s.concept for s in sides]
    texts = [{d.text for d in c.definitions} for c in concepts]
    shared = frozenset(t for i, a in enumerate(texts) for b in texts[i + 1 :] for t in a & b)
    for concept in concepts:
        _describe(concept, writer, others_limit=1, skip=shared)
    said = False
    for i, a in enumerate(concepts):
        for b in concepts[i + 1 :]:
            said = _relate(a, b, related, writer) or said
    if not said:
        which = "the two" if len(concepts) == 2 else "they"
        writer.say(f"No source in the glossary says how {which} relate.")
    briefs = [_brief(s.concept, s.hit, "compared") for s in sides]
    return _result(question, writer, conf, briefs)


def _same(
    question: str,
    side: _Side,
    concepts_by_id: Mapping[str, Concept],
    related: Related | None,
    writer: _Writer,
    conf: float,
) -> dict[str, Any]:
    """Every part names one concept ("NRR vs NDR"): say so, then describe it; a name typed
    twice ("churn vs churn") is simply a question about it."""
    concept = side.concept
    if side.unnamed and conf >= LOST:
        writer.say(f"I am not sure (confidence {_shown(conf)}).")
    _say_loose(side, writer)
    if len(names := [n for n in side.names if n not in side.loose]) > 1:
        writer.say(
            f"{_join(names)} are names for the same concept, {concept.pref_label}; "
            "the glossary does not tell them apart.",
            _alias_refs(concept, names, writer),
        )
    _describe(concept, writer)
    shown = [_brief(concept, side.hit, "answer")]
    links = _related(concept.id, related, concepts_by_id)
    shown += [_brief(concepts_by_id[r.other], None, f"related:{r.how}") for r in links]
    _say_related(concept, links, concepts_by_id, writer)
    return _result(question, writer, conf, shown)


def _relate(a: Concept, b: Concept, related: Related | None, writer: _Writer) -> bool:
    """Say what links the two, if anything does: a graph relation, a shared definition, or a
    sentence naming the other concept; whether something was said."""
    shared = [d for d in a.definitions if any(d.text == e.text for e in b.definitions)]
    for x, y in ((a, b), (b, a)):
        for r in _safe(related, x.id):
            if r.other == y.id:
                link = f"{x.pref_label} is {r.how} {y.pref_label}"
                refs = _link_refs(r, x, y, writer)
                if _statement(r, (x, y)) is not None:
                    writer.say(f"The glossary relates them: {link}{_stated_by(r, x, y)}", refs)
                elif mention := _mention(a, b, frozenset()):  # the graph read another reason
                    owner, d, sentence = mention
                    refs = [*refs, writer.cite(d.source, d.text, owner.id)]
                    writer.say(
                        f"The glossary relates them ({link}); as {writer.name(d.source)} "
                        f"puts it: {_sentence(sentence)}",
                        refs,
                    )
                elif shared:  # one entry defines both ("Bookings vs Billings vs Revenue")
                    d = shared[0]
                    refs = [*refs, writer.cite(d.source, d.text, a.id)]
                    writer.say(
                        f"The glossary relates them ({link}); {writer.name(d.source)} defines "
                        f"them together: {_sentence(d.text)}",
                        refs,
                    )
                else:  # a link read from their names or wording (`kg related` says how)
                    writer.say(
                        f"The glossary links them ({link}) because of their names or wording; "
                        "no source says so in a sentence.",
                        refs,
                    )
                return True
    shown = {a.definition, b.definition}
    for d in [d for d in shared if d not in shown][:1]:
        n = writer.cite(d.source, d.text, a.id)
        writer.say(f"{writer.name(d.source)} defines them together: {_sentence(d.text)}", [n])
    if mention := _mention(a, b, frozenset(d.text for d in shared)):
        owner, d, sentence = mention
        n = writer.cite(d.source, d.text, owner.id)
        writer.say(
            f"How they relate, as {writer.name(d.source)} puts it: {_sentence(sentence)}", [n]
        )
        return True
    return bool(shared)


def _mention(
    a: Concept, b: Concept, skip: frozenset[str]
) -> tuple[Concept, Definition, str] | None:
    """The first sentence of one's definitions (not those in `skip`) that names the other:
    whose definition, which, and the sentence."""
    for x, y in ((a, b), (b, a)):
        names = {fold(label) for label in y.labels} | {fold(y.pref_label).replace(" ", "")}
        forms = [words_of(label) for label in y.labels]  # "churning" names Churn
        for d in x.definitions:
            if d.text in skip:
                continue
            for sentence in re.split(r"(?<=[.!?])\s+", d.text):
                words = f" {fold(sentence)} "
                if not sentence.strip():
                    continue
                if any(n and f" {n} " in words for n in names):
                    return x, d, sentence
                said = words_of(sentence)
                if any(f and span_of(f, said) for f in forms):
                    return x, d, sentence
    return None


def _safe(related: Related | None, concept_id: str) -> list[Relation]:
    if related is None:
        return []
    try:
        return [Relation(*r) for r in related(concept_id)]
    except Exception:  # optional graph: never let it break an answer
        return []


# -- shaping the result


def _ambiguous(
    question: str,
    name: str,
    ids: Sequence[str],
    hits: Sequence[Hit],
    concepts_by_id: Mapping[str, Concept],
    writer: _Writer,
) -> dict[str, Any]:
    """A name the sources give to several concepts: each, with its definition; which one
    is meant, the question does not say (confidence one in as many)."""
    concepts = [concepts_by_id[i] for i in ids]
    names = [c.pref_label for c in concepts]
    labels = _join(  # one label split by source ("Backlog" in sales and in support): say whose
        [
            f"{n} ({', '.join(writer.name(s) for s in c.sources)})" if names.count(n) > 1 else n
            for n, c in zip(names, concepts, strict=True)
        ]
    )
    refs = [r for c in concepts for r in _alias_refs(c, [name], writer)]
    writer.say(f"In this glossary {name!r} names {len(concepts)} concepts: {labels}.", refs)
    for concept in concepts:
        _describe(concept, writer, others_limit=1)
    by_id = {h.concept_id: h for h in hits}
    briefs = [_brief(c, by_id.get(c.id), "answer") for c in concepts]
    return _result(question, writer, round(1.0 / len(concepts), 3), briefs)


def _brief(concept: Concept, hit: Hit | None, role: str) -> dict[str, Any]:
    definition = concept.definition
    return {
        "id": concept.id,
        "pref_label": concept.pref_label,
        "alt_labels": list(concept.alt_labels),
        "definition": definition.text if definition else None,
        "score": hit.score if hit else None,
        "role": role,
    }


def _result(
    question: str, writer: _Writer, conf: float, concepts: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "question": question,
        "answer": " ".join(writer.sentences),
        "confidence": conf,
        "concepts": concepts,
        "citations": writer.citations,
    }


_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")


def _sentence(text: str) -> str:
    """A definition as one quotable run of text: whitespace squeezed, list items (a
    Markdown source's bullets) run together as clauses, ending with a stop."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > 1 and any(_ITEM.match(line) for line in lines):
        flat = ""
        for line in lines:
            clause = " ".join(_ITEM.sub("", line).split()).rstrip(".;")
            if clause:
                flat += ("" if not flat else " " if flat.endswith(":") else "; ") + clause
    else:
        flat = " ".join(text.split())
    return flat if flat.endswith((".", "!", "?")) else flat + "."


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
