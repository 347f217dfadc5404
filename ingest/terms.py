"""Reading a term as written: acronyms, expansions, synonyms and combined entries.

Layout-level rules only ("ABBR (Term)", "A or B", "A vs. B"); nothing here knows any
particular glossary's vocabulary beyond English function words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
        "via",
        "with",
        "&",
        "vs",
    ]
)
_WORD_SPLIT = re.compile(r"[\s\-‐–—_/]+")
_ACRONYM = re.compile(r"^(?=.*[A-Z].*[A-Z])[A-Z][A-Za-z0-9&]{1,9}$")
_PAREN_TAIL = re.compile(r"^(?P<head>.*?)\s*\((?P<inner>[^()]*)\)\s*$")
_EQUALS = re.compile(r"^(?P<left>[^=]+?)\s*=\s*(?P<right>[^=]+)$")
# "MRR / Monthly Recurring Revenue", "NDR — Net Dollar Retention", "Net Dollar Retention - NDR"
_BESIDE = re.compile(r"^(?P<left>.+?)\s+(?:/|—|–|-{1,2})\s+(?P<right>.+)$")
_ASKED = re.compile(
    r"^(?:what\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?P<x>.+?)|"
    r"what\s+(?:does|do)\s+(?P<y>.+?)\s+(?:mean|stand\s+for))\s*\?$",
    re.IGNORECASE,
)
# a term's qualifier in brackets, part of its name: "(monthly)", "(net)", "(gross, annual)"
_QUALIFIER = re.compile(r"^[a-z][a-z-]*(?:,?\s+[a-z][a-z-]*)?$")
# a name in brackets: words each capitalised ("Customer Retention")
_TITLED = re.compile(r"^[A-Z][\w'’-]*(?:\s+(?:of|and|to|per|for|the|a|an|[A-Z][\w'’-]*))+$")
_VERSUS = re.compile(r"\s+(?:vs\.?|versus)\s+", re.IGNORECASE)
_AND = re.compile(r"\s+(?:and|&)\s+")
_OR = re.compile(r"\s+or\s+")
_SLASH = re.compile(r"\s*/\s*")


@dataclass(frozen=True, slots=True)
class ParsedTerm:
    """A heading or term cell taken apart."""

    term: str  # the main name (the expansion where an acronym is given)
    acronyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()  # set when the heading names several terms
    note: str | None = None  # a parenthetical that is neither acronym nor expansion

    @property
    def combined(self) -> bool:
        return len(self.terms) > 1


def clean_term(text: str) -> str:
    """Strip markup, list markers, quotes and trailing colons from a term as written."""
    text = re.sub(r"[*`]+|(?<!\w)_+|_+(?!\w)", "", text)  # "customer_id" keeps its "_"
    text = re.sub(r"\s+", " ", text).strip()
    text = _ENUMERATOR.sub("", text)  # "1. Churn", "(2) Renewal", "IV. Margin"
    text = text.strip(" \t:–—-•*\"'“”‘’")
    return text


# a numbered heading or item's number: "1.", "1)", "(1)", "1.2", "IV." followed by a name
_ENUMERATOR = re.compile(
    r"^(?:\(?\d{1,3}(?:(?:\.\d{1,3})+\.?|[.)])|\(\d{1,3}\)|[IVX]{1,4}\.)\s+(?=\S)"
)


def is_acronym(token: str) -> bool:
    """True for tokens such as NRR, CSAT, SaaS, KPIs, P&L, M2; not for CamelCase words."""
    if not _ACRONYM.match(token):
        return False
    letters = [ch for ch in token if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) * 2 >= len(letters)


def is_emoji(ch: str) -> bool:
    """True for an emoji or a part of one (a joiner, a skin tone, a variation selector):
    the decoration of a name such as "🚀 Launch Date", never a part of it. Marks below
    U+2300 (™, ®, ©) are a part of the name as written ("Salesforce™")."""
    cp = ord(ch)
    if cp in (0x200D, 0xFE0E, 0xFE0F, 0x20E3) or 0x1F3FB <= cp <= 0x1F3FF:
        return True
    return cp >= 0x2300 and unicodedata.category(ch) == "So"


def words(phrase: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(phrase) if w]


def _letters(abbr: str) -> str:
    letters = re.sub(r"[^A-Za-z0-9]", "", abbr)
    if len(letters) > 2 and letters.endswith("s") and letters[:-1].isupper():
        letters = letters[:-1]  # KPIs -> KPI
    return letters.upper()


@lru_cache(maxsize=65536)
def acronym_matches(abbr: str, phrase: str) -> bool:
    """True if `abbr` is made of the initials of `phrase`'s words, small words optional.

    Inner capitals count as word starts (LifeTime -> L, T), so "CLV" matches
    "Customer LifeTime Value" and "SaaS" matches "Software as a Service".
    """
    letters = _letters(abbr)
    parts: list[tuple[str, bool]] = []  # (initials a word may give, optional)
    for word in words(phrase):
        caps = re.findall(r"[A-Z]", word[1:])
        initials = (word[0] + "".join(caps)).upper()
        parts.append((initials, word.lower() in SMALL_WORDS))
    if not letters or not parts or len(letters) < 2:
        return False

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(letters):
            return all(optional for _, optional in parts[j:])
        if j == len(parts):
            return False
        initials, optional = parts[j]
        if optional and match(i, j + 1):
            return True
        # a word gives its first letter, or its first letter and its inner capitals
        if letters[i] == initials[0] and match(i + 1, j + 1):
            return True
        if len(initials) > 1 and letters.startswith(initials, i):
            return match(i + len(initials), j + 1)
        return False

    return match(0, 0)


def derive_acronym(phrase: str) -> str:
    """The conventional acronym of a phrase: every word's initial, upper-cased (TTFV, CTA)."""
    return "".join(w[0].upper() for w in words(phrase) if w[0].isalnum())


def is_abbreviation_of(short: str, phrase: str) -> bool:
    """True for "Opp" of "Opportunity": a short prefix of a one-word phrase, or its initials."""
    if acronym_matches(short, phrase):
        return True
    ws = words(phrase)
    return len(ws) == 1 and len(short) < len(ws[0]) and ws[0].lower().startswith(short.lower())


def acronym_base(token: str) -> str:
    """The singular of a plural acronym: KPIs -> KPI."""
    if len(token) > 2 and token.endswith("s") and token[:-1].isupper():
        return token[:-1]
    return token


def _acronym_list(text: str) -> list[str] | None:
    """ "QBR/EBR", "CLV or LTV", "EBR and QBR" -> the acronyms, else None."""
    parts = [p for p in re.split(r"\s*(?:/|,|\bor\b|\band\b|&)\s*", text) if p]
    if parts and all(is_acronym(p) for p in parts):
        return parts
    return None


def _distribute(parts: list[str]) -> list[str]:
    """["Executive", "Quarterly Business Reviews"] -> both with the shared head."""
    last = parts[-1].split()
    if len(last) < 2 or any(len(p.split()) > 1 for p in parts[:-1]):
        return parts
    head = " ".join(last[1:])
    return [f"{p} {head}" for p in parts[:-1]] + [parts[-1]]


def _shares_affix(a: str, b: str) -> bool:
    """Whether two words end alike, as one word's two kinds do (Up|sell, Cross-|sell;
    Book|ings, Bill|ings): four letters or more ("L|and", "Exp|and" share only three)."""
    a, b = a.lower(), b.lower()
    suffix = 0
    while suffix < min(len(a), len(b)) and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return suffix >= 4


def split_combined(term: str) -> list[str]:
    """ "Upsell and Cross-sell" and "Bookings vs. Billings vs. Revenue" -> their terms.

    "vs." always separates terms. "and"/"&" separates only two single words sharing an
    ending (Upsell / Cross-sell), so fixed phrases such as "Profit and Loss Center" or
    "Research and Development" stay whole.
    """
    parts = [p.strip() for p in _VERSUS.split(term) if p.strip()]
    if len(parts) > 1:
        return parts
    parts = [p.strip() for p in _AND.split(term) if p.strip()]
    if (
        len(parts) == 2
        and all(len(p.split()) == 1 and p[0].isupper() for p in parts)
        and _shares_affix(parts[0], parts[1])
    ):
        return parts
    return [term]


_LISTED_NAMES = re.compile(r"\s*,\s*(?:(?:or|and)\s+)?|\s+(?:or|and)\s+", re.IGNORECASE)
_ALSO_CALLED = re.compile(
    r"^(?:also\s+(?:called|known\s+as|referred\s+to\s+as)|aka|a\.k\.a\.?|or|sometimes(?:\s+called)?|"
    r"formerly(?:\s+(?:called|known\s+as|named))?|previously\s+(?:called|known\s+as|named)|"
    r"former\s+name|short\s+for|"
    r"abbreviated(?:\s+as)?|abbr\.?)\s*:?\s+(?P<names>.+)$",
    re.IGNORECASE,
)

# a name it had before: Commit (former "Very Confident"), (formerly known as "Confidence
# Level" on Zoho CRM): the quoted name, whatever follows it
_FORMER = re.compile(
    r"^(?:former(?:ly)?|previously|old\s+name)\s*:?\s+(?:called\s+|known\s+as\s+)?"
    r"(?:\"(?P<a>[^\"]+)\"?|“(?P<b>[^”]+)”?|‘(?P<c>[^’]+)’?|'(?P<d>.+?)'(?=\s|$)|'(?P<e>[^']+)$)",
    re.IGNORECASE,
)


def _former_name(found: re.Match[str]) -> str:
    name = clean_term(next(g for g in found.groups() if g))
    return name if 0 < len(name.split()) <= 5 else ""


def parse_term(raw: str) -> ParsedTerm:
    """Take a term as written apart: "CLV or LTV (Customer Lifetime Value)" and the like."""
    text = clean_term(raw)
    asked = _ASKED.match(text)  # an FAQ's heading: "What is Net Revenue Retention (NRR)?"
    if asked and (asked["x"] or asked["y"]).lower() not in ("it", "this", "that", "they"):
        text = clean_term(asked["x"] or asked["y"])
    acronyms: list[str] = []
    aliases: list[str] = []
    note: str | None = None

    eq = _EQUALS.match(text)
    if eq:
        left, right = clean_term(eq["left"]), clean_term(eq["right"])
        if is_acronym(left) and not is_acronym(right):
            return ParsedTerm(right, (left,))
        if is_acronym(right) and not is_acronym(left):
            return ParsedTerm(left, (right,))

    beside = _BESIDE.match(text)
    if beside:  # an acronym and what it stands for, either way round
        left, right = clean_term(beside["left"]), clean_term(beside["right"])
        for short, long in ((left, right), (right, left)):
            if is_acronym(short) and not is_acronym(long) and acronym_matches(short, long):
                return ParsedTerm(long, (short,))

    paren = _PAREN_TAIL.match(text)
    if paren and paren["head"]:
        head, inner = clean_term(paren["head"]), clean_term(paren["inner"])
        inner_acronyms = _acronym_list(inner)
        head_acronyms = _acronym_list(head)
        if inner_acronyms and not head_acronyms:
            text, acronyms = head, inner_acronyms  # Term (ABBR), Business Review (QBR/EBR)
        elif head_acronyms and inner and not inner_acronyms:
            # ABBR (Term); "EBR and QBR (Executive & Quarterly Business Reviews)"
            expansions = _distribute([p.strip() for p in re.split(r"\s*(?:&|\band\b)\s*", inner)])
            if len(head_acronyms) > 1 and len(expansions) == len(head_acronyms):
                pairs = _pair_up(head_acronyms, expansions)
                return ParsedTerm(pairs[0][1], tuple(head_acronyms), (), tuple(e for _, e in pairs))
            return ParsedTerm(inner, tuple(head_acronyms))
        elif len(inner.split()) == 1 and is_abbreviation_of(inner, head):
            text, acronyms = head, [inner]  # Opportunity (Opp)
        elif (former := _FORMER.match(inner)) and _former_name(former):
            text = head  # Commit (former "Very Confident"), (formerly known as "Opportunity")
            aliases.append(_former_name(former))
        elif (named := _ALSO_CALLED.match(inner)) and named["names"].strip():
            # Churn (also called attrition), Churn (a.k.a. attrition or logo churn)
            text = head
            for name in _LISTED_NAMES.split(named["names"].strip()):
                name = clean_term(name)
                if name and len(name.split()) <= 5 and not re.search(r"[%\d]", name):
                    (acronyms if is_acronym(name) else aliases).append(name)
        elif _QUALIFIER.match(inner):
            text = f"{head} ({inner})"  # Churn (monthly), Churn (annual): two things, named so
        elif _TITLED.match(inner) and not _expand_inner_acronym(head, inner) and _foreign(head):
            text = head  # Kundenbindung (Customer Retention): its name in another language
            aliases.append(inner)
        elif inner:
            expanded = _expand_inner_acronym(head, inner)
            text, note = head, inner
            if expanded:
                aliases.append(expanded)  # Bookings ARR (Annual Recurring Revenue)
                note = None

    terms = split_combined(text)
    if len(terms) > 1:
        return ParsedTerm(terms[0], tuple(acronyms), tuple(aliases), tuple(terms), note)

    # "Initial / first value": spaced slashes separate synonyms; "P/E" stays whole
    names = [p for p in _SLASH.split(text) if p] if re.search(r"\s/\s", text) else [text]
    if len(names) > 1:
        names = _distribute(names)
        return ParsedTerm(
            _capitalise(names[0]),
            tuple(acronyms),
            tuple(aliases + [_capitalise(n) for n in names[1:]]),
            (),
            note,
        )

    ors = _OR.split(text)
    if len(ors) == 2 and all(is_acronym(p) for p in ors):
        return ParsedTerm(ors[0], tuple([*acronyms, ors[1]]), tuple(aliases), (), note)
    return ParsedTerm(text, tuple(acronyms), tuple(aliases), (), note)


def _foreign(head: str) -> bool:
    """Whether a term is written in another language than English: none of its words is an
    English one (the packaged model's vocabulary; "Kundenbindung", "Taux d'attrition")."""
    from ingest.clean import english_words

    english = english_words()
    found = [w for w in re.findall(r"[^\W\d_]+", head.lower()) if len(w) > 2]
    return (
        bool(english)
        and bool(found)
        and not any(w in english or w.removesuffix("s") in english for w in found)
        and not any(is_acronym(w) for w in head.split())
    )


def _capitalise(name: str) -> str:
    return name[:1].upper() + name[1:]


def _pair_up(acronyms: list[str], expansions: list[str]) -> list[tuple[str, str]]:
    """Match each acronym to the expansion it abbreviates (singular or plural)."""
    pairs = []
    remaining = list(expansions)
    for abbr in acronyms:
        found = next((e for e in remaining if acronym_matches(abbr, e)), remaining[0])
        remaining.remove(found)
        pairs.append((abbr, found))
    return pairs


def _expand_inner_acronym(head: str, inner: str) -> str | None:
    """ "Bookings ARR" + "Annual Recurring Revenue" -> "Bookings Annual Recurring Revenue"."""
    tokens = head.split()
    for i, token in enumerate(tokens):
        if is_acronym(token) and acronym_matches(token, inner):
            return " ".join([*tokens[:i], inner, *tokens[i + 1 :]])
    return None


_IN_TEXT_ACRONYM = re.compile(r"(?<![\w-])([A-Z][A-Za-z0-9&]{1,9})(?![\w-])")


# what sets an acronym against the term rather than naming it: "not the same as ARR"
_CONTRASTED = re.compile(
    r"(?:\bnot\b|\bunlike\b|\bdiffer\w*\s+from|\bconfused\s+with|\bvs\.?|\bversus|"
    r"\brather\s+than|\binstead\s+of|\bopposed\s+to|\bcompared\s+(?:to|with))"
    r"(?:\s+[^\s.;:!?]+){0,3}\s*$",
    re.IGNORECASE,
)


def acronyms_in(definition: str, term: str) -> list[str]:
    """Acronyms in a definition that abbreviate the term ("Net Promoter Score (NPS) is..."),
    not one it is set against ("Annual Run Rate: ... not the same as ARR")."""
    found: list[str] = []
    for match in _IN_TEXT_ACRONYM.finditer(definition):
        token = match.group(1)
        if _CONTRASTED.search(definition[max(0, match.start() - 40) : match.start()]):
            continue
        if is_acronym(token) and acronym_matches(token, term):
            base = acronym_base(token)
            if base not in found and base.upper() != term.upper():
                found.append(base)
    return found


def unique_names(values: list[str], exclude: str = "") -> tuple[str, ...]:
    """Non-empty names in order, without case-insensitive repeats or `exclude`."""
    seen = {exclude.casefold()} if exclude else set()
    out: list[str] = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return tuple(out)


# a cell or field value that names nothing: "none", "N/A", "TBD", "-", "(none)", "keine"
_PLACEHOLDER = re.compile(
    r"^\(?(?:none|n/?a|n\.a\.?|tbd|tba|tbc|nil|null|empty|not\s+applicable|see\s+above|"
    r"keine|aucun|[-–—?]+)\)?$",
    re.IGNORECASE,
)


def is_placeholder(text: str) -> bool:
    """Whether a value names nothing ("none", "N/A", "TBD", "-"): no alias, acronym or
    related term, however a spreadsheet template fills the cell."""
    return bool(_PLACEHOLDER.match(text.strip(" .")))
