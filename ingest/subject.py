"""Recovering the term a definition defines from its own first sentence.

Glossary prose names its subject in a handful of ways: "A Downsell happens when...",
"Technically, a cross-sell is...", "Churn or churn rate, is...", "Advocacy, often called
brand advocacy, is...", "API is an acronym for...", "... can be considered engagement."
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ingest.terms import acronym_matches, is_acronym

_OPENERS = re.compile(
    r"^(?:technically|basically|simply put|in short|generally|essentially|put simply"
    r"|in other words|as you know|in general|in simple terms|simply),\s*",
    re.IGNORECASE,
)
_VERBS = (
    r"is|are|was|were|refers?\s+to|means?|happens?|occurs?|describes?|measures?|represents?"
    r"|shows?|tracks?|indicates?|involves?|comprises?|consists?|originates?|can|may|will|has|have"
    r"|offers?|provides?|gives?|helps?|allows?|enables?|includes?|contains?|reflects?|captures?"
)
_ADVERBS = r"(?:(?:basically|simply|often|usually|generally|typically|essentially|also)\s+)?"
_NP = r"[A-Za-z][\w'’&/-]*(?:\s+[A-Za-z0-9][\w'’&/-]*){0,4}?"
_ACRONYM_IS = re.compile(
    rf"^(?P<np>{_NP})\s+(?:is|stands)\s+(?:an?\s+)?(?:acronym|abbreviation|short)\s+for\s+"
    r"(?P<expansion>[A-Za-z][\w\s&'’-]*?)\s*(?:[.,;]|$)",
    re.IGNORECASE,
)
_WITH_ALIAS = re.compile(
    rf"^(?:(?:an?|the)\s+)?(?P<np>{_NP})\s*,?\s+(?:or|,?\s*(?:which\s+is\s+)?(?:often|also|sometimes)\s+"
    rf"(?:called|known\s+as|referred\s+to\s+as))\s+(?P<alias>{_NP})(?:\s+for\s+short)?\s*,?\s+"
    rf"{_ADVERBS}(?:{_VERBS})\b"
)
_PLAIN = re.compile(
    rf"^(?:(?P<article>an?|the)\s+(?:term\s+)?)?(?P<np>{_NP})"
    r"(?:\s*\((?P<abbr>[A-Z][A-Za-z0-9&]{1,9})\))?"
    rf"\s+{_ADVERBS}(?:{_VERBS})\b",
    re.IGNORECASE,
)
_CALLED = re.compile(
    r"\b(?:can\s+be\s+|is\s+|are\s+)(?:considered|called|known\s+as|referred\s+to\s+as)\s+"
    r"(?:an?\s+|the\s+)?(?P<np>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3})\s*[.!]?$",
    re.IGNORECASE,
)
_PRONOUNS = frozenset(
    [
        "it",
        "this",
        "that",
        "these",
        "those",
        "they",
        "we",
        "you",
        "he",
        "she",
        "there",
        "here",
        "which",
        "what",
        "who",
        "one",
        "some",
        "any",
        "each",
        "things",
        "something",
        "everything",
    ]
)
_ALSO_KNOWN = re.compile(
    r"^(?:also|often|sometimes)\s+(?:known\s+as|called|referred\s+to\s+as)\s+(?:an?\s+|the\s+)?"
    r"(?P<alias>[^,.;:]{2,40}?)\s*(?:,|\.|;|$)",
    re.IGNORECASE,
)


def first_sentence(text: str) -> str:
    match = re.search(r"(?<![A-Z])[.!?](?:\s|$)", text)
    return (text[: match.start() + 1] if match else text).strip()


def infer_subject(text: str) -> tuple[str, list[str], list[str]] | None:
    """(term, aliases, acronyms) the text defines, or None if its subject is not stated."""
    sentence = _OPENERS.sub("", first_sentence(text.strip()))
    if match := _ACRONYM_IS.match(sentence):
        np, expansion = match["np"], match["expansion"].strip()
        if is_acronym(np):
            return np, [expansion], []
        return _tidy(np), [], [expansion] if is_acronym(expansion) else []
    if match := _WITH_ALIAS.match(sentence):
        np, alias = _tidy(match["np"]), match["alias"]
        if _usable(np):
            if is_acronym(alias) and acronym_matches(alias, np):
                return np, [], [alias]
            return np, [alias], []
    if match := _PLAIN.match(sentence):
        np = match["np"]
        if match["article"] is None and not np[:1].isupper():
            np = ""
        acronyms: list[str] = [match["abbr"]] if match["abbr"] else []
        if _usable(np):
            return _tidy(np), [], acronyms
    if match := _CALLED.search(sentence):
        np = match["np"]
        if _usable(np):
            return _tidy(np), [], []
    return None


def _usable(np: str) -> bool:
    words = np.split()
    return bool(words) and words[0].lower() not in _PRONOUNS and len(words) <= 5


def _tidy(np: str) -> str:
    np = np.strip(" ,")
    return np[:1].upper() + np[1:]


def _content_words(text: str) -> set[str]:
    out = set()
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if len(word) > 2 and word not in {"the", "and", "for", "with"}:
            out.add(word[:-1] if word.endswith("s") and len(word) > 3 else word)
    return out


def same_subject(heading: str, subject: str) -> bool:
    """Whether an inferred subject plausibly names the heading's term."""
    if _content_words(heading) & _content_words(subject):
        return True
    if acronym_matches(subject, heading) or acronym_matches(heading, subject):
        return True
    return fuzz.token_set_ratio(heading.lower(), subject.lower()) >= 85


def same_spelling(a: str, b: str) -> bool:
    """The same name up to case, hyphens, plurals or a small misspelling."""
    x, y = (re.sub(r"[\s\-‐–—]+", " ", t.casefold()).strip() for t in (a, b))
    if x == y or x.rstrip("s") == y.rstrip("s"):
        return True
    return len(x.split()) == len(y.split()) and fuzz.ratio(x, y) >= 88


def stated_alias(definition: str) -> str | None:
    """The other name a definition opens with: "Also known as a 'break-even' center, is..."."""
    match = _ALSO_KNOWN.match(definition.strip())
    return re.sub(r"[\"“”‘’']", "", match["alias"]).strip() if match else None
