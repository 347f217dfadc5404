"""Plain-text glossaries: PDF extractions, scraped pages, `Term: definition` lists.

Two layouts are recognised from the text itself, never from a list of known terms:

* list layout: each entry is one paragraph (often a bullet) "Term: definition";
  everything else is a title, preamble or the continuation of the entry above;
* heading layout: a short title-like line, then its definition paragraphs.

Scraped pages lose headings. A paragraph standing further from the heading above it than
the page's usual heading-to-text gap has lost its heading; its term is then recovered from
the text itself ("A Downsell happens when..."), from "Acronym for X", or, for a bare "See X"
in an alphabetical glossary, from where it stands in the alphabet.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from ingest.clean import (
    PAGE_FURNITURE,
    document_words,
    furniture_reason,
    join_wrapped,
    page_furniture,
    strip_glued_junk,
)
from ingest.document import Document
from ingest.model import Dropped, Entry, Flag, ReadResult, Relation, RelationKind, Warning
from ingest.subject import infer_subject, same_spelling, same_subject, stated_alias
from ingest.terms import (
    SMALL_WORDS,
    acronym_base,
    acronyms_in,
    clean_term,
    derive_acronym,
    is_acronym,
    is_emoji,
    is_placeholder,
    parse_term,
)

_BULLET = re.compile(r"^(?P<indent>\s*)(?P<mark>[•●▪◦‣∙·*+–-]|\d{1,3}[.)])\s+(?P<rest>\S.*)$")
_TERMINAL = (".", "!", "?", ":", ";")
_SEE = re.compile(r"^see(?: also)?\s+(?P<target>[A-Z0-9][^.]*?)\.?$", re.IGNORECASE)
_ACRONYM_FOR = re.compile(
    r"^(?:an?\s+)?(?:acronym|acrynom|acronymn|abbreviation|abbr\.?|short)\s+for\s+"
    r"(?P<expansion>[^.]+?)\.?$",
    re.IGNORECASE,
)
_META_WORDS = frozenset(
    [
        "glossary",
        "glossaries",
        "terminology",
        "terminologies",
        "terms",
        "term",
        "overview",
        "summary",
        "introduction",
        "contents",
        "definitions",
        "index",
    ]
)
_META_PROSE = re.compile(
    r"\b(glossary|glossaries|terminolog(y|ies)|definitions|this (page|document|resource))\b",
    re.IGNORECASE,
)
_TERM_CHARS = re.compile(r"^[\w#&/()'’.,+\- ]+$")
_SENTENCE_START = [
    "The",
    "A",
    "An",
    "It",
    "This",
    "These",
    "Refers",
    "Measures",
    "Describes",
    "Represents",
    "Is",
    "Are",
    "Means",
    "Any",
    "When",
    "How",
    "Total",
    "Amount",
    "Percentage",
    "Process",
    "Number",
    "Ratio",
    "Rate",
    "Sum",
    "Average",
    "Used",
    "Occurs",
    "Tracks",
    "Defines",
]
_GLUED = re.compile(r"(?<=[a-z)])(?=(?:{})\b)".format("|".join(_SENTENCE_START)))
_DASH_SEP = re.compile(r"\s+[–—-]\s+|(?<=\w)—(?=\w)")  # "Win rate—closed-won deals ..."
# lower-case words that open a remark, not an entry ("note: figures are in USD")
_ANNOTATIONS = frozenset(
    "note nb n.b tip warning caution example e.g eg i.e ie see source update updated todo "
    "fyi ps important".split()
) | {"for example", "for instance", "in short", "in other words", "that is", "see also"}
_QUOTED = re.compile(r"^[\"“”'‘’«]+|[\"“”'‘’»]+$")


@dataclass
class Para:
    """One logical paragraph: its joined text and where it stands in the file."""

    start: int  # 1-based line numbers
    end: int
    text: str
    bullet: bool = False
    indent: int = 0
    gap: int = 0  # blank lines before it


@dataclass
class _Draft:
    """An entry being assembled while walking the paragraphs."""

    raw_term: str
    start: int
    end: int
    parts: list[Para] = field(default_factory=list)
    flags: set[Flag] = field(default_factory=set)
    aliases: list[str] = field(default_factory=list)
    see: list[str] = field(default_factory=list)
    term: str | None = None  # set when the term is not to be parsed from raw_term
    acronyms: list[str] = field(default_factory=list)
    collection: str | None = None
    related: list[str] = field(default_factory=list)  # "See also: X, Y" under the entry

    def add(self, para: Para) -> None:
        self.parts.append(para)
        self.end = max(self.end, para.end)


# ---------------------------------------------------------------- paragraphs


def paragraphs(text: str, skip: Collection[int] = ()) -> list[Para]:
    """Join physical lines into paragraphs, undoing PDF and hard line wrapping. Lines
    numbered in `skip` (page headers and footers) are left out, and the page break they
    stand in counts as one blank line, so a sentence carries on over it."""
    paras: list[Para] = []
    lines: list[str] = []
    gap = 0
    page_break = False
    current: Para | None = None
    words = document_words(text)

    def close() -> None:
        nonlocal current, lines
        if current is not None:
            current.text = join_wrapped(lines, words)
            paras.append(current)
        current, lines = None, []

    for number, line in enumerate(text.split("\n"), start=1):
        if number in skip:
            page_break = True
            continue
        if not line.strip():
            gap += 1
            continue
        if page_break:
            gap, page_break = (1 if current is not None else 0), False
        bullet = _BULLET.match(line)
        body = bullet["rest"] if bullet else line.strip()
        if current is not None and not bullet and _continues(lines[-1], body, gap, current):
            lines.append(body)
            current.end = number
        else:
            close()
            indent = len(bullet["indent"].expandtabs(4)) if bullet else 0
            current = Para(number, number, "", bullet=bool(bullet), indent=indent, gap=gap)
            lines = [body]
        gap = 0
    close()
    return paras


def _continues(previous: str, line: str, gap: int, para: Para) -> bool:
    """Whether `line` carries on the paragraph whose last line is `previous`."""
    prev = previous.rstrip()
    if gap > 1 or not prev or prev.endswith(_TERMINAL) or _FIELD_STARTS.match(line):
        return False  # "Synonyms: ..." under a definition starts a line of its own
    if split_entry_line(line) is not None and (
        _FIELD_LINE.match(prev) or (gap == 0 and split_entry_line(prev) is not None)
    ):
        return False  # "Also known as: add-on revenue", or an entry, then the next entry
    starts_low = line[:1].islower() or line[:1] in "(0123456789%$&"
    if gap == 1:
        # a PDF wraps long lines and puts a blank line after each
        return len(prev) >= 40 and (starts_low or (para.bullet and len(prev) >= 60))
    return starts_low or len(prev) >= 40


# ---------------------------------------------------------------- classification


def _words(text: str) -> list[str]:
    return text.replace("/", " ").split()


def is_title_like(text: str, max_words: int = 10) -> bool:
    """A short line whose significant words are capitalised: a heading or a term."""
    if not text or len(text) > 90 or text.endswith((".", "!", "?", ";", ",")):
        return False
    words = _words(text)
    if not words or len(words) > max_words or not any(ch.isalpha() for ch in text):
        return False
    if not (words[0][:1].isupper() or words[0][:1].isdigit() or words[0][:1] == "#"):
        return False
    significant = [w for w in words if w.lower() not in SMALL_WORDS and w[:1].isalpha()]
    capitalised = [w for w in significant if w[:1].isupper()]
    return len(capitalised) >= 0.6 * max(1, len(significant))


def split_entry_line(
    text: str, relaxed: bool = False, item: bool = False
) -> tuple[str, str] | None:
    """ "Term: definition", "Term – definition" or a glued "TermThe definition", else None.
    `relaxed` (among other such lines) also takes a quoted or lower-case term ("churn
    rate: ...", "“Quota”: ..."); `item` (a bullet or numbered item) also a short name
    closed by a full stop ("Customer Success Manager (CSM). The person who...")."""
    colon = _TERM_COLON.search(text)
    head, tail = (text[: colon.start()], text[colon.end() :]) if colon else (text, "")
    not_a_term = tail.startswith("//") or _names_a_section(tail.strip())
    if tail.strip() and not not_a_term and _plausible_term(head, relaxed):
        return _term_as_written(head), tail.strip()
    dash = _DASH_SEP.search(text)
    if (
        dash
        and _plausible_term(text[: dash.start()], relaxed)
        and len(text[dash.end() :].split()) >= 3
    ):
        return _term_as_written(text[: dash.start()]), text[dash.end() :].strip()
    glued = _GLUED.search(text)
    if glued and _plausible_term(text[: glued.start()]) and len(text[glued.start() :].split()) >= 4:
        return _term_as_written(text[: glued.start()]), text[glued.start() :].strip()
    return _dotted_term(text) if item else None


# the colon after a term: not one between two digits, which is a time or a ratio ("at
# 10:30", "1:1 Meeting: A weekly call ..." is the term "1:1 Meeting")
_TERM_COLON = re.compile(r"(?<!\d):|:(?!\d)")


def _term_as_written(text: str) -> str:
    """A term without the quotes or emoji around its words ("“Quota”", "🚀 Launch Date");
    marks that are part of a name ("Salesforce™", "Gross Margin %") stay."""
    return _QUOTED.sub("", _without_emoji(text).strip())


def _without_emoji(text: str) -> str:
    return "".join(ch for ch in text if not is_emoji(ch))


def _names_a_section(text: str) -> bool:
    """Whether the text after a colon only names what follows, as in "Appendix B:
    Definitions" or "Part 2: Key Terms": a title of a few words, one of them a word such as
    "definitions" or "glossary". A definition says something ("Glossary: A list of ...")."""
    return (
        len(_words(text)) <= MAX_SECTION_NAME_WORDS and is_title_like(text) and _is_meta_title(text)
    )


MAX_SECTION_NAME_WORDS = 4
# "Customer Success Manager (CSM). The person ...": a name, maybe an acronym, a full stop
_DOTTED = re.compile(
    r"^(?P<name>[^.()]{1,60}?)(?:\s*\((?P<inner>[^()]{1,20})\))?\.\s+(?P<rest>\S.*)$"
)
_NAME_WORD = re.compile(r"^[\w'’&+/-]+$")
MAX_DOTTED_TERM_WORDS = 5


def _dotted_term(text: str) -> tuple[str, str] | None:
    """A list item's "Term. Definition" or "Term (ACR). Definition": a short name (see
    `_short_name`), an acronym in brackets at most after it, then a sentence of three words
    or more. "Note. All figures are in USD." and an item of sentences ("Review the account.
    Then call the Champion.") are no entries."""
    found = _DOTTED.match(text)
    if not found:
        return None
    inner, rest = found["inner"], found["rest"]
    if inner is not None and not all(is_acronym(a) for a in re.split(r"\s*/\s*", inner.strip())):
        return None
    if (
        not _short_name(found["name"].split(), acronym=inner is not None)
        or len(rest.split()) < MIN_DOTTED_DEFINITION_WORDS
        or not (rest[:1].isupper() or rest[:1].isdigit())
    ):
        return None
    name_end = found.end("inner") + 1 if inner is not None else found.end("name")
    return text[:name_end].strip(), rest.strip()


def _short_name(words: list[str], acronym: bool) -> bool:
    """A few capitalised words, small words between them: "Net Revenue Retention", "Time to
    Value", "Tier 1 Support". "the" or "a" inside only where an acronym vouches for a name
    ("Voice of the Customer (VoC)"); without one, "Call the Champion" is an instruction."""
    inner = words[1:-1]
    return (
        0 < len(words) <= MAX_DOTTED_TERM_WORDS
        and all(_NAME_WORD.match(w) for w in words)
        and words[0][:1].isupper()
        and (words[-1][:1].isupper() or words[-1][:1].isdigit())
        and all(w[:1].isupper() or w[:1].isdigit() or w in SMALL_WORDS for w in inner)
        and (acronym or not any(w in _ARTICLES for w in inner))
        and " ".join(words).casefold() not in _ANNOTATIONS
    )


_ARTICLES = frozenset(["a", "an", "the"])
MIN_DOTTED_DEFINITION_WORDS = 3


def _plausible_term(text: str, relaxed: bool = False) -> bool:
    """Whether `text`, before a colon or a dash, is a name: a few words of letters, digits
    and the marks names carry (see `_without_marks`), opening with a capital or a digit.
    Not a sentence ("Revenue grew. Then: ..."), nor one that states an amount ("The target
    is 95%: anything lower is reviewed")."""
    text = _without_emoji(text).strip()
    if relaxed:
        text = _QUOTED.sub("", text).replace("\u200b", "")
    if (
        not text
        or len(text) > 80
        or len(_words(text)) > 8
        or not _TERM_CHARS.match(_without_marks(text))
        or _AMOUNT.search(text)
    ):
        return False
    if re.search(r"[.!?](\s|$)", _ABBREVIATION_DOT.sub("x", text)):
        return False
    if relaxed and text[:1].isalpha() and len(_words(text)) <= 4:
        return text.casefold() not in _ANNOTATIONS
    return text[:1].isupper() or text[:1].isdigit() or text[:1] == "#"


# the full stop of an abbreviation inside a name is no sentence's end: "Avg. Deal Size",
# "No. of Seats", "U.S. Sales Region", "Churn (a.k.a. attrition)", "Seat (i.e. a user)"
_ABBREVIATION_DOT = re.compile(
    r"\b(?:vs|avg|no|nr|num|approx|incl|excl|est|dept|inc|ltd|corp|co|qty|amt|pct|yr|mo|wk|"
    r"min|max|ref|std)\.|\b(?:[a-z]\.){2,}",
    re.IGNORECASE,
)


def _without_marks(name: str) -> str:
    """A name without the marks it may carry beside its words, so that they do not make it
    a sentence: a trade mark ("Salesforce™ Opportunity", "Platform®"), a unit ("Gross
    Margin %", "Cost per Lead ($)") and the colon of a ratio ("1:1 Meeting")."""
    name = re.sub(r"(?<=\d):(?=\d)", "", name)
    return "".join(ch for ch in name if ch != "%" and unicodedata.category(ch) not in _MARKS)


_MARKS = ("Sc", "So")  # currency signs; other symbols (™, ®, ©, °), emoji being gone
# a percentage or a sum of money: what a sentence states, where a name has a unit
_AMOUNT = re.compile(r"\d\s?%|[$€£¥₹]\s?\d")


def _is_meta_title(text: str) -> bool:
    words = {w.lower().strip(":,") for w in _words(text)}
    return bool(words & _META_WORDS)


# ---------------------------------------------------------------- reading


def read(doc: Document, source: str) -> ReadResult:
    """Read a plain-text glossary into entries, dropping and reporting its noise."""
    result = ReadResult()
    text = doc.text
    paras = _drop_furniture(paragraphs(text, _drop_page_furniture(text, result)), result)
    drafts = _read_list(paras, result) if _is_list_layout(paras) else _read_headings(paras, result)
    _name_lost_references(drafts, result)
    result.entries = [e for d in drafts if (e := _finish(d, source, text, result))]
    return result


def _drop(result: ReadResult, para: Para, reason: str) -> None:
    result.dropped.append(Dropped((para.start, para.end), para.text, reason))


def _drop_page_furniture(text: str, result: ReadResult) -> set[int]:
    """The line numbers of page headers and footers, dropped and counted in one warning."""
    lines = text.split("\n")
    found = [i + 1 for i in page_furniture(lines, _content_line)]
    for number in found:
        result.dropped.append(Dropped((number, number), lines[number - 1].strip(), PAGE_FURNITURE))
    if found:
        lines_ = "lines" if len(found) > 1 else "line"
        message = f"removed {len(found)} page header/footer {lines_}"
        result.warnings.append(Warning(message, found[0]))
    return set(found)


def _content_line(line: str) -> bool:
    """A line only an entry holds, however often it repeats: a sentence, "Term:
    definition", "See X", "Acronym for X"."""
    return (
        line.endswith(_TERMINAL)
        or bool(_SEE.match(line) or _ACRONYM_FOR.match(line))
        or (":" in line and split_entry_line(line, relaxed=True) is not None)
    )


def _drop_furniture(paras: list[Para], result: ReadResult) -> list[Para]:
    kept: list[Para] = []
    for i, para in enumerate(paras):
        reason = furniture_reason(para.text)
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        if (
            reason is None
            and nxt is not None
            and nxt.gap == 0
            and len(para.text) < 30
            and not para.text.endswith(".")
            and furniture_reason(nxt.text) == "image file name"
        ):
            reason = "image caption"  # alt text written just above an image's file name
        if reason:
            _drop(result, para, reason)
        else:
            kept.append(para)
    return kept


def _is_list_layout(paras: list[Para]) -> bool:
    # an entry's own fields ("Formula: ...", "See also: ...") are no entries of the list
    repeated = repeated_labels(p.text for p in paras)
    top = [
        p
        for p in paras
        if p.indent == 0
        and field_line(p.text, p.gap == 0, repeated) is None
        and not (p.bullet and split_entry_line(p.text, item=True) is None)  # a field's list
    ]
    entries = sum(1 for p in top if split_entry_line(p.text, item=p.bullet))
    loose = [split_entry_line(p.text, relaxed=True, item=p.bullet) is not None for p in top]
    titles = sum(
        1 for p, entry in zip(top, loose, strict=True) if not entry and is_title_like(p.text)
    )
    prose = len(top) - sum(loose) - titles
    # a short file is a list when its paragraphs are mostly entries, under one title at
    # most ("Acronyms", then "SLA: ..." and "TAM: ..."); a heading layout has a title each
    return (entries >= 3 and entries >= 0.4 * len(top)) or (
        entries > 0 and titles <= 1 and sum(loose) > prose
    )


def _read_list(paras: list[Para], result: ReadResult) -> list[_Draft]:
    """List layout: every top-level "Term: definition" paragraph starts an entry."""
    drafts: list[_Draft] = []
    section: str | None = None
    titles: list[Para] = []
    fields = _field_names(paras)
    repeated = repeated_labels(p.text for p in paras)
    pending: str | None = None  # an empty "Synonyms:" over a list of the names
    for para in paras:
        split = split_entry_line(para.text, True, para.bullet) if para.indent == 0 else None
        if pending and drafts and para.bullet:
            _add_field(drafts[-1], pending, para.text)
            drafts[-1].end = max(drafts[-1].end, para.end)
            continue
        pending = None
        record = _RECORD.get(split[0].casefold()) if split else None
        if split and record == "term" and is_title_like(split[1], max_words=8):
            # "Term: Time to Value", then "Definition: ...": a record per entry
            drafts.append(_Draft(split[1], para.start, para.end, collection=section))
            continue
        if split and record == "definition" and drafts and not drafts[-1].parts:
            drafts[-1].add(Para(para.start, para.end, split[1]))
            continue
        if drafts and field_line(para.text, para.gap == 0, repeated) is not None:
            pending = _add_fields(drafts[-1], para, repeated)  # "Synonyms: NRR": the entry's
        elif split and drafts and para.gap == 0 and split[0].casefold() in fields:
            drafts[-1].add(para)  # "Owner: Security team" under an entry is part of it
        elif split:
            if titles:
                section = _title_run(titles[-1::-1], reverse=True)
                titles = []
            term, definition = split
            draft = _Draft(term, para.start, para.end, collection=section)
            draft.add(Para(para.start, para.end, definition))
            drafts.append(draft)
        elif is_title_like(para.text, max_words=6) and (not drafts or _ends_sentence(drafts[-1])):
            titles.append(para)
            _drop(result, para, "section title")
        elif not drafts:
            if titles and result.title is None:
                result.title = _title_run(titles)
            titles = []
            _drop(result, para, "preamble")
        else:
            if para.indent == 0 and (name := _unread_term(para.text)):
                result.warnings.append(
                    Warning(
                        f"{name!r} looks like a term but holds a sign terms here do not; kept as"
                        f" text of {clean_term(drafts[-1].raw_term)!r}",
                        para.start,
                    )
                )
            drafts[-1].add(para)
    return drafts


# Labels of an entry's own fields: names it also goes by ("alias"), terms it relates to
# ("related"), and text about it, kept with its definition ("text"). No glossary defines
# the strong ones as terms: they are fields wherever they stand. The weak ones a glossary
# may ("Owner: the person accountable", "Note: a short message"): they are fields only
# right under an entry's lines and with a short value, or where the file uses them as
# fields more than once.
_STRONG: dict[str, str] = {
    **dict.fromkeys(
        ("synonym", "synonyms", "aka", "a.k.a", "a.k.a.", "also known as", "also called",
         "other names", "alternative names", "alternate names",
         # German, French, Spanish, Italian
         "synonyme", "synonymes", "auch bekannt als", "auch genannt", "aussi appelé",
         "également appelé", "sinónimos", "también conocido como", "sinonimi", "noto anche come"),
        "alias",
    ),
    **dict.fromkeys(
        ("see also", "related", "related terms", "related concepts", "siehe auch",
         "verwandte begriffe", "voir aussi", "voir également", "termes associés",
         "véase también", "ver también", "vedi anche"),
        "related",
    ),
    **dict.fromkeys(
        ("formula", "calculation", "calculated as", "how to calculate", "why it matters",
         "e.g.", "how it is calculated", "how it's calculated"),
        "text",
    ),
}  # fmt: skip
_WEAK: dict[str, str] = {
    **dict.fromkeys(
        ("abbreviation", "abbreviations", "acronym", "alias", "aliases", "abkürzung", "sigle",
         "abréviation", "abreviatura"),
        "alias",
    ),
    **dict.fromkeys(("compare",), "related"),
    **dict.fromkeys(
        ("example", "examples", "note", "notes", "important", "tip", "caveat", "caveats",
         "hinweis", "beispiel", "remarque", "exemple", "nota", "ejemplo",
         "usage", "how it is used", "how it's used", "owner", "source", "target", "unit",
         "units", "status", "context", "purpose", "frequency", "data source", "benchmark"),
        "text",
    ),
}  # fmt: skip
_FIELDS = {**_WEAK, **_STRONG}
_LABELS = "|".join(map(re.escape, sorted(_FIELDS, key=len, reverse=True)))
_FIELD_LINE = re.compile(rf"^[*_`]*(?:{_LABELS})[*_`]*\s*:", re.IGNORECASE)
# a field label starting a line of its own, as written (capitalised): a wrapped line
# beginning "source: web, events" carries on its sentence
_FIELD_STARTS = re.compile(rf"^[*_`]*(?-i:(?=[A-Z]))(?:{_LABELS})[*_`]*\s*:", re.IGNORECASE)
# another field run into a line after a sentence or a field ("... churn. Synonyms: X",
# "Synonyms: ARR See also: MRR"), written capitalised
_RUN_IN = re.compile(rf"\s+(?=[*_`]*(?-i:(?=[A-Z]))(?:{_LABELS})[*_`]*\s*:)", re.IGNORECASE)
# a glossary written as records: "Term: Time to Value", then "Definition: The time ..."
_RECORD = {
    **dict.fromkeys(("term", "name", "word", "concept", "glossary term"), "term"),
    **dict.fromkeys(("definition", "description", "meaning"), "definition"),
}
MAX_NAME_WORDS = 5  # a listed "name" longer than this is a sentence: the field stays text
_DEFINING = re.compile(r"^(?:An?|The|Any|Each|Every|One|Someone|Something|When|How|What)\s")


def field_line(
    text: str, right_under: bool, repeated: Collection[str] = ()
) -> tuple[str, str] | None:
    """The kind of entry field a line opens with ("alias", "related", "text") and its value,
    if it opens with one: a strong label anywhere ("Synonyms: NRR", "**See also:** Churn",
    "Formula: ..."); a weak one ("Owner", "Example", "Alias") only `right_under` an entry's
    lines with a value of a few words, or if it is in `repeated` (labels the file opens
    lines with more than once). An alias or related field listing no names (a sentence, or
    "none") is text."""
    found = _FIELD_LINE.match(text)
    if found is None:
        return None
    label = _label_of(found)
    value = text[found.end() :].strip(" *_`")
    if label not in _STRONG:
        # a value a definition would be ("Owner: The person accountable for an account.",
        # "Status: Lifecycle stage of a document.") makes the label a term; a short note or
        # name ("Owner: Support Ops", "Note: applies to upgrades only") a field
        words = value.split()
        defines = len(words) >= 3 and value.rstrip().endswith(".") and value[:1].isupper()
        if len(words) > MAX_FIELD_WORDS or _DEFINING.match(value) or defines:
            return None
        if not right_under and label not in repeated:
            return None
    kind = _FIELDS[label]
    listed = value.strip(" .|")
    if kind != "text" and listed and not field_names(value) and not is_placeholder(listed):
        kind = "text"  # "Related: this metric is closely tied to ..." says, not lists
    return kind, value


_SENTENCE = re.compile(r"^\S+(?:\s+\S+){3,}[.!?]$")  # four words or more, closed as a sentence


def names_a_field(label: str, value: str) -> bool:
    """Whether a bold `label: value` line (Markdown) is an entry's field rather than a term:
    a strong label listing names ("**Also known as:** GRR"), or one of text whose value is
    no sentence ("**Formula:** `(Start ARR - Churn) / Start ARR`"). "**Synonyms**: the
    words a term also goes by." defines a term of that name."""
    found = field_line(f"{label}: {value}", right_under=False)
    if found is None:
        return False
    kind, said = found
    return kind != "text" or not _SENTENCE.match(said.strip())


def repeated_labels(lines: Iterable[str]) -> frozenset[str]:
    """The field labels opening more than one line: fields by the file's own usage."""
    seen = Counter(_label_of(m) for line in lines if (m := _FIELD_LINE.match(line.strip())))
    return frozenset(label for label, n in seen.items() if n > 1)


def _label_of(found: re.Match[str]) -> str:
    """The field label a `_FIELD_LINE` match opens with, as `_FIELDS` keys it."""
    return re.sub(r"[*_`]+", "", found[0]).strip(" :").casefold()


def _by_kind(names: list[str]) -> tuple[list[str], list[str]]:
    """An alias field's names as (aliases, acronyms)."""
    return [n for n in names if not is_acronym(n)], [n for n in names if is_acronym(n)]


_LISTED_NAMES = re.compile(r"\s*[,;|]\s*")  # not "or" nor "and": "Build or Buy Decision"


def field_names(value: str) -> list[str]:
    """The names a field lists ("NRR, Net Dollar Retention", "“Attrition Rate”"); none when
    it lists none ("none", "N/A") or says something longer than names."""
    names = [n.strip(" .*_`\"'“”‘’«»„‚[]") for n in _LISTED_NAMES.split(value.strip())]
    names = [n for n in names if n and not is_placeholder(n)]
    if any(len(n.split()) > MAX_NAME_WORDS for n in names):
        return []
    return names


def split_run_in(line: str) -> list[str]:
    """A line with other fields run into it ("... churn. Synonyms: X", "Synonyms: ARR See
    also: MRR") as one line per field: after a sentence's end, or within a field line."""
    parts = []
    at = 0
    opened = _FIELD_LINE.match(line.strip()) is not None
    for m in _RUN_IN.finditer(line):
        if opened or line[: m.start()].rstrip().endswith((".", "!", "?")):
            parts.append(line[at : m.start()])
            at, opened = m.end(), True
    return [*parts, line[at:]]


_ITEM_MARK = re.compile(r"^\s*[-*+•]\s+")


def pull_fields(definition: str) -> tuple[str, list[str], list[str], list[str]]:
    """The definition without its alias and related-term fields (paragraphs or lines
    opening "Synonyms:", "See also:", ...), and the aliases, acronyms and related terms they
    list. Any other field ("Formula: ...") stays text of the definition."""
    aliases: list[str] = []
    acronyms: list[str] = []
    related: list[str] = []
    kept = []
    lines = [part for line in definition.split("\n") for part in split_run_in(line)]
    at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        found = field_line(_ITEM_MARK.sub("", line), right_under=True)  # "- See also: ..."
        if found is None or found[0] == "text":
            kept.append(line)
            continue
        names = field_names(found[1])
        if not found[1].strip():  # "See also:" over a list of the names
            while at < len(lines) and (not lines[at].strip() and not names):
                at += 1
            while at < len(lines) and _ITEM_MARK.match(lines[at]):
                names += field_names(_ITEM_MARK.sub("", lines[at]))
                at += 1
        if found[0] == "alias":
            named, short = _by_kind(names)
            aliases, acronyms = aliases + named, acronyms + short
        else:
            related += names
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return text, aliases, acronyms, related


def _add_fields(draft: _Draft, para: Para, repeated: Collection[str]) -> str | None:
    """A field line under an entry, with any other fields run into it ("SYNONYMS: ARR | SEE
    ALSO: MRR"): each field's names become aliases (acronyms) or related terms; any other
    field, or text, stays text of the definition. Returns the kind of a last field with no
    value ("See also:"), whose names may follow as a list."""
    texts: list[str] = []
    waiting: str | None = None
    for part in split_run_in(para.text):
        found = field_line(part.strip(" |"), right_under=True, repeated=repeated)
        if found is None or found[0] == "text":
            texts.append(part.strip())
            waiting = None
        else:
            _add_field(draft, *found)
            waiting = found[0] if not found[1].strip(" .|") else None
    if texts == [para.text.strip()]:
        draft.add(para)  # no field in it after all: as it was
    elif texts:
        draft.add(Para(para.start, para.end, " ".join(texts), para.bullet, para.indent))
    draft.end = max(draft.end, para.end)
    return waiting


def _add_field(draft: _Draft, kind: str, value: str) -> None:
    """An alias or related-term field's names, onto the entry."""
    names = field_names(value)
    if kind == "alias":
        named, short = _by_kind(names)
        draft.aliases += named
        draft.acronyms += short
    else:
        draft.related += names


def _unread_term(text: str) -> str | None:
    """The name before a colon that would start an entry but for a sign no rule knows
    ("€ Value: ...", "Net → Gross: ..."): its line is kept as text of the entry above, and
    a warning says so rather than nothing. A sentence before a colon is no such name."""
    colon = _TERM_COLON.search(text)
    if not colon or not text[colon.end() :].strip() or text[colon.end() :].startswith("//"):
        return None
    head = text[: colon.start()].strip()
    words_only = re.sub(r"[^\w\s]+", " ", head).strip()
    if _AMOUNT.search(head) or not _plausible_term(words_only, relaxed=True):
        return None
    return head


def _field_names(paras: list[Para]) -> set[str]:
    """Names of a field each entry carries ("Owner: Security team" on the line under it): a
    term of three lines or more, each right under another paragraph, each time with a value
    of a few words. A glossary's terms are each defined once, at more length."""
    values: dict[str, list[str]] = {}
    for para in paras:
        if para.indent == 0 and para.gap == 0 and (split := split_entry_line(para.text, True)):
            values.setdefault(split[0].casefold(), []).append(split[1])
    return {
        name
        for name, said in values.items()
        if len(said) >= 3 and all(len(v.split()) <= MAX_FIELD_WORDS for v in said)
    }


MAX_FIELD_WORDS = 6


def _title_run(titles: list[Para], reverse: bool = False) -> str:
    """Join title lines that stand together (at most one blank line apart).

    With `reverse`, `titles` runs backwards from the line nearest the entries below.
    """
    run = [titles[0]]
    for para in titles[1:]:
        nearer = run[-1]
        if (nearer.gap if reverse else para.gap) > 1:
            break
        run.append(para)
    if reverse:
        run.reverse()
    return " ".join(p.text for p in run)


def _ends_sentence(draft: _Draft) -> bool:
    return draft.parts[-1].text.rstrip().endswith((".", "!", "?")) if draft.parts else True


def _read_headings(paras: list[Para], result: ReadResult) -> list[_Draft]:
    """Heading layout: a title-like line, then the paragraphs that define it."""
    kinds = [_kind(p) for p in paras]
    usual_gap = _usual_heading_gap(paras, kinds)
    drafts: list[_Draft] = []
    seen_headings: set[str] = set()
    heading: Para | None = None  # the heading still waiting for its text
    current: _Draft | None = None
    defined_any = False

    def settle_heading() -> None:
        nonlocal heading
        if heading is None:
            return
        key = heading.text.casefold()
        if _is_meta_title(heading.text) and not defined_any:
            _drop(result, heading, "title")
            result.title = result.title or heading.text
        elif key in seen_headings:
            _drop(result, heading, "repeated heading with no text of its own")
        else:
            drafts.append(_Draft(heading.text, heading.start, heading.end, flags={Flag.UNDEFINED}))
            seen_headings.add(key)
        heading = None

    repeated = repeated_labels(p.text for p in paras)
    for para, kind in zip(paras, kinds, strict=True):
        field = field_line(para.text, para.gap == 0, repeated) if drafts or heading else None
        if field is not None and heading is not None:  # right under the heading, before
            current = _Draft(heading.text, heading.start, heading.end)  # its definition
            drafts.append(current)
            seen_headings.add(heading.text.casefold())
            heading, defined_any = None, True
        if field is not None:  # "Synonyms: NRR" under an entry is the entry's own field
            _add_fields(drafts[-1], para, repeated)
            continue
        if kind == "heading":
            settle_heading()
            heading, current = para, None
            continue
        if heading is not None and para.gap <= usual_gap:
            if (
                _is_meta_title(heading.text)
                and (not defined_any)
                and (_META_PROSE.search(para.text) or kind != "prose")
            ):
                _drop(result, heading, "title")
                result.title = result.title or heading.text
                _drop(result, para, "introduction")
                heading = None
                continue
            current = _under_heading(heading, para, kind, seen_headings, result)
            seen_headings.add(heading.text.casefold())
            drafts.append(current)
            heading, defined_any = None, True
            continue
        if current is not None and para.gap <= usual_gap and kind == "prose":
            current.add(para)
            continue
        settle_heading()
        if not defined_any and kind == "prose" and _META_PROSE.search(para.text):
            _drop(result, para, "introduction")
            continue
        current = _headless(para, kind)
        drafts.append(current)
        defined_any = True
    settle_heading()
    return drafts


def _kind(para: Para) -> str:
    if _SEE.match(para.text) and len(para.text) < 80:
        return "see"
    if _ACRONYM_FOR.match(para.text):
        return "acronym-for"
    if not para.bullet and is_title_like(para.text):
        return "heading"
    return "prose"


def _usual_heading_gap(paras: list[Para], kinds: list[str]) -> int:
    """The blank lines a page usually puts between a heading and its text (at least 1)."""
    gaps = Counter(
        paras[i + 1].gap
        for i, kind in enumerate(kinds[:-1])
        if kind == "heading" and kinds[i + 1] != "heading"
    )
    return max(1, gaps.most_common(1)[0][0]) if gaps else 1


def _under_heading(
    heading: Para, para: Para, kind: str, seen: set[str], result: ReadResult
) -> _Draft:
    """The entry a heading and its first paragraph make."""
    draft = _Draft(heading.text, heading.start, para.end)
    if kind == "see":
        draft.see.append(clean_term(_SEE.match(para.text)["target"]))  # type: ignore[index]
        draft.flags.add(Flag.CROSS_REFERENCE)
        return draft
    if kind == "acronym-for":
        expansion = clean_term(_ACRONYM_FOR.match(para.text)["expansion"])  # type: ignore[index]
        draft.aliases.append(expansion)
        draft.flags.add(Flag.ACRONYM_ONLY)
        draft.add(para)
        return draft
    subject = infer_subject(para.text)
    if heading.text.casefold() in seen and subject and not same_subject(heading.text, subject[0]):
        # a scraped page repeated the previous heading over the next term's text
        _drop(result, heading, f"repeated heading standing over the text of {subject[0]!r}")
        draft = _Draft(subject[0], para.start, para.end, term=subject[0])
        draft.aliases.extend(subject[1])
        draft.flags |= {Flag.TERM_INFERRED, Flag.HEADING_REPLACED}
    draft.add(para)
    return draft


def _headless(para: Para, kind: str) -> _Draft:
    """An entry whose heading was lost: the term comes from the text itself."""
    if kind == "see":
        target = clean_term(_SEE.match(para.text)["target"])  # type: ignore[index]
        draft = _Draft("", para.start, para.end, term="", flags={Flag.CROSS_REFERENCE})
        draft.see.append(target)
        return draft
    expansion = clean_term(m["expansion"]) if (m := _ACRONYM_FOR.match(para.text)) else ""
    if kind == "acronym-for" and len(derive_acronym(expansion)) >= 2:
        draft = _Draft(
            "",
            para.start,
            para.end,
            term=derive_acronym(expansion),
            flags={Flag.ACRONYM_ONLY, Flag.TERM_INFERRED},
        )
        draft.aliases.append(expansion)
        draft.add(para)
        return draft
    draft = _Draft("", para.start, para.end, term="")
    subject = infer_subject(para.text)
    if subject:
        draft.term = subject[0]
        draft.aliases.extend(subject[1])
        draft.acronyms.extend(subject[2])
        draft.flags.add(Flag.TERM_INFERRED)
    else:
        draft.flags.add(Flag.TERM_MISSING)
    draft.add(para)
    return draft


def _name_lost_references(drafts: list[_Draft], result: ReadResult) -> None:
    """Give a headless "See X" the term its place in an alphabetical glossary implies.

    "See Customer Loyalty" standing between "LifeTime Value" and "Monthly Recurring
    Revenue" can only be "Loyalty": the one tail of the target's words that sorts there.
    """
    named = [(i, _sort_key(d)) for i, d in enumerate(drafts) if _sort_key(d)]
    in_order = sum(1 for (_, a), (_, b) in itertools.pairwise(named) if a <= b)
    alphabetical = len(named) >= 5 and in_order >= 0.75 * (len(named) - 1)
    for i, draft in enumerate(drafts):
        if draft.term != "" or not draft.see:
            continue
        before = next((k for j, k in reversed(named) if j < i), "")
        after = next((k for j, k in named if j > i), "\uffff")
        words = draft.see[0].split()
        tails = [" ".join(words[n:]) for n in range(len(words) - 1, 0, -1)]
        fits = [t for t in tails if before <= t.casefold() <= after] if alphabetical else []
        if fits:
            draft.term = fits[0]
            draft.flags.add(Flag.TERM_FROM_REFERENCE)
            result.warnings.append(
                Warning(
                    f"heading lost before 'See {draft.see[0]}'; term taken as {fits[0]!r} from its"
                    " alphabetical place",
                    draft.start,
                )
            )
        else:
            draft.flags.add(Flag.TERM_MISSING)


def _sort_key(draft: _Draft) -> str:
    name = draft.term if draft.term is not None else parse_term(draft.raw_term).term
    return name.casefold()


def _render(parts: list[Para]) -> str:
    """Definition text: paragraphs apart by a blank line, each list as "- item" lines."""
    blocks: list[list[str]] = []
    base = min((p.indent for p in parts if p.bullet), default=0)
    previous_bullet = False
    for para in parts:
        if para.bullet:
            depth = min(max(para.indent - base, 0) // 2, 3)
            item = "  " * depth + "- " + para.text
            if previous_bullet:
                blocks[-1].append(item)
            else:
                blocks.append([item])
        else:
            blocks.append([para.text])
        previous_bullet = para.bullet
    return "\n\n".join("\n".join(block) for block in blocks).strip()


def _finish(draft: _Draft, source: str, full_text: str, result: ReadResult) -> Entry | None:
    parsed = parse_term(draft.raw_term) if draft.term is None else None
    term = parsed.term if parsed else _capitalise(draft.term or "")
    if Flag.ACRONYM_ONLY in draft.flags and draft.term:
        term = _spelling_in(full_text, term)
    definition = _render(draft.parts) or None
    flags = set(draft.flags)
    if definition:
        definition, junk = strip_glued_junk(definition)
        if junk:
            flags.add(Flag.JUNK_REMOVED)
            result.warnings.append(Warning(f"cut stray text {junk!r} from {term!r}", draft.end))
    elif Flag.CROSS_REFERENCE not in flags:
        flags.add(Flag.UNDEFINED)
    named: list[str] = []
    short: list[str] = []
    related = list(draft.related)
    if definition:  # fields run into its text: "... twelve. Synonyms: Run Rate See also: ARR"
        definition, named, short, also = pull_fields(definition)
        related += also
        definition = definition or None
    acronyms = [*(parsed.acronyms if parsed else ()), *draft.acronyms, *short]
    aliases = [*(parsed.aliases if parsed else ()), *draft.aliases, *named]
    if definition and term:
        acronyms += [a for a in acronyms_in(definition, term) if a not in acronyms]
        if Flag.TERM_INFERRED not in flags:
            _names_in_definition(term, definition, aliases, acronyms)
    if is_acronym(term):
        acronyms = [a for a in acronyms if a.upper() != term.upper()]
    terms = parsed.terms if parsed else ()
    if len(terms) > 1:
        flags.add(Flag.COMBINED)
    if not term:
        flags -= {Flag.TERM_INFERRED, Flag.ACRONYM_ONLY}
        flags.add(Flag.TERM_MISSING)
    if Flag.TERM_MISSING in flags:
        result.warnings.append(Warning("text whose term could not be recovered", draft.start))
    return Entry(
        term=term,
        definition=definition,
        source=source,
        lines=(draft.start, draft.end),
        raw_term=clean_term(draft.raw_term) if draft.raw_term else "",
        acronyms=tuple(dict.fromkeys(acronym_base(a) for a in acronyms)),
        aliases=tuple(dict.fromkeys(a for a in aliases if a.casefold() != term.casefold())),
        terms=tuple(terms),
        see=tuple(draft.see),
        relations=tuple(Relation(RelationKind.RELATED, name) for name in dict.fromkeys(related)),
        collections=(draft.collection,) if draft.collection else (),
        flags=frozenset(flags),
    )


def _names_in_definition(
    term: str, definition: str, aliases: list[str], acronyms: list[str]
) -> None:
    """Names a definition gives its own subject: "Customer Segmentation, which is often
    called market segmentation", "CSAT is short for customer satisfaction", or the term
    spelled another way ("Net Promoter Score" under a "Net Promotor Score" heading)."""
    if alias := stated_alias(definition):
        aliases.append(alias)
    subject = infer_subject(definition)
    if subject is None:
        return
    name, named_aliases, named_acronyms = subject
    if is_acronym(name) and any(same_spelling(a, term) for a in named_aliases):
        acronyms.append(name)
        return
    if name.casefold() != term.casefold() and same_spelling(name, term):
        aliases.append(name)
    if same_spelling(name, term):
        aliases.extend(named_aliases)
        acronyms.extend(named_acronyms)


def _capitalise(term: str) -> str:
    return term[:1].upper() + term[1:]


def _spelling_in(text: str, acronym: str) -> str:
    """The document's own spelling of a derived acronym (SaaS rather than SAAS)."""
    for token in re.findall(r"\b[A-Za-z]{2,10}\b", text):
        if token.upper() == acronym.upper() and token != token.lower():
            return token
    return acronym
