"""Markdown glossaries: term headings, bold-term lines, term tables and `Term: definition` lines.

Layout rules, applied to the markdown-it syntax tree (never to any glossary's vocabulary):

* A heading with sub-headings is a section; its own text is an introduction and is dropped.
  Its title becomes the `collections` of the entries beneath it. But where headings of its
  level are mostly terms, one with text of its own is a term too ("## Expansion MRR", its
  definition, then "### Contraction MRR").
* A heading without sub-headings is a term, and everything up to the next heading is its
  definition -- unless what follows is itself a list of terms (bold-term items, a term
  table), or the heading is an index letter ("A", "A-C") or the document's only H1; then
  the heading is a section holding those entries. A heading ending in a colon
  ("#### Prospect:") always announces a definition.
* A bold line alone ending with a colon and followed by a list acts like a heading.
* `**Term:** text`, `**Term**: text`, `**Term** - text`, `**Term** is text` lines and list
  items, `Term: text`
  lines and list items outside term headings, and table rows with a term and a definition
  column each give one entry.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from ingest.document import Document
from ingest.model import Dropped, Entry, Flag, ReadResult, Relation, RelationKind, Warning
from ingest.readers.csv import columns_not_read, header_layout, relation_columns
from ingest.readers.text import names_a_field, pull_fields
from ingest.terms import acronyms_in, clean_term, is_emoji, is_placeholder, parse_term

_MD = MarkdownIt("commonmark").enable("table")

_LISTS = frozenset({"bullet_list", "ordered_list"})
_CODE = frozenset({"code_block", "fence"})
_INDEX_HEADING = re.compile(r"^(?:[A-Za-z0-9#]|[A-Za-z0-9]\s*[-–—]\s*[A-Za-z0-9])$")
_BOLD_ASIDE = re.compile(r"^\s*\((?P<aside>[^()]{1,60})\)\s*(?::|[-–—]{1,2}\s)\s*")
_BOLD_SEPARATOR = re.compile(r"^\s*:\s*|^\s+[-–—]{1,2}\s+|^\s*[–—]\s*")
# a title naming a collection of terms, never one term
_COLLECTION_TITLE = re.compile(
    r"\b(?:glossary|glossaries|terminology|vocabulary|dictionary|definitions|lexicon|wiki)\b",
    re.IGNORECASE,
)
_HOUSEKEEPING = re.compile(
    r"\b(?:introduction|intro|overview|about|welcome|contributing|contribute|how\s+to|usage|notes?|"
    r"license|changelog|contents|references|resources|faq|summary|appendix|see\s+also)\b",
    re.IGNORECASE,
)
# A deeper heading that is a facet of the term above it ("## Churn", then "### Example",
# "### Formula"): its text belongs to that term's definition, under its title.
_FACET = re.compile(
    r"^(?:examples?|example\s+\w+|formulas?|calculation|how\s+(?:to\s+|it\s+is\s+|it['’]s\s+)?"
    r"(?:calculated?|computed?|measured?|used?)|definition|description|notes?|why\s+it\s+matters|"
    r"benchmarks?|usage|related(?:\s+terms)?|see\s+also|synonyms|also\s+known\s+as|aliases|"
    r"sources?|references?|tips?|caveats?|context|details|interpretation|"
    r"(?:common\s+)?(?:pitfalls|mistakes)|good\s+to\s+know)\s*:?$",
    re.IGNORECASE,
)
# Facets no glossary defines as a term: such a heading at the level of the term heading
# just above it ("### Logo Churn", then "### Example") is that term's facet too.
_SIBLING_FACET = re.compile(
    r"^(?:examples?|example\s+\w+|formulas?|calculation|how\s+(?:to\s+|it\s+is\s+|it['’]s\s+)?"
    r"(?:calculated?|computed?|measured?)|why\s+it\s+matters|see\s+also|also\s+known\s+as|"
    r"synonyms|aliases|related\s+terms)\s*:?$",
    re.IGNORECASE,
)
# A heading that is never a term: page furniture ("Table of contents", "Related pages",
# "Last updated", "Owner"); entries under it are still read.
_FURNITURE = re.compile(
    r"^(?:(?:table\s+of\s+)?contents|related\s+(?:pages|articles|links|content)|"
    r"revision\s+history|change\s*log|last\s+(?:updated|edited|modified|reviewed)\b.*|"
    r"(?:document|page)\s+(?:owners?|history|control|information|maintainers?)|"
    r"on\s+this\s+page|(?:jump|skip|go)\s+to|notes|references|sources|bibliography|"
    r"further\s+reading|footnotes|"
    r"acknowledge?ments|disclaimer|contact\s+us|"
    r"about\s+this\s+(?:page|glossary|document))\s*:?$",
    re.IGNORECASE,
)
# A paragraph that is a page's footer, never definition text: "Last updated by Jordan Kim on
# 12 March 2024", "Questions? Ask in #revops on Slack."
_FOOTER = re.compile(
    r"^[*_]*(?:(?:last\s+)?(?:updated|edited|modified|reviewed|maintained|owned|prepared|"
    r"written)\s+(?:(?:by|on)\b|\d)|questions\?|(?:any\s+)?questions\s+(?:about|on)\b|feedback\b|"
    r"need\s+help\b|[↑⬆^]?\s*back\s+to\s+(?:top|the\s+top|contents)\b)[^\n]{0,120}$",
    re.IGNORECASE,
)
# a date is never a term ("2024-03-01: added Upsell" in a change log)
_DATE = re.compile(
    r"^(?:\d{4}(?:-\d{1,2}){0,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|"
    r"\d{1,2}\s+[A-Za-z]+\s+\d{4}|[A-Za-z]+\s+\d{1,2},?\s+\d{4})$"
)
# how a section's own text introduces what follows, rather than defining the heading
_INTRODUCES = re.compile(
    r"^(?:this\s+(?:section|page|part|chapter)|these\b|the\s+following\b|below\b|here\b|"
    r"in\s+this\b)",
    re.IGNORECASE,
)
_COPULA = re.compile(r"^\s+(?:is|are|refers\s+to|means|describes|measures)\s+\S", re.I)
_PLAIN_LINE = re.compile(r"^\s*(?P<term>[^:]+?)\s*:\s+(?P<rest>\S.*)$", re.DOTALL)
_SENTENCE_PUNCT = re.compile(r"[.!?;,]")
_FRONT_MATTER_TITLE = re.compile(r"^title\s*:\s*(?P<title>.+?)\s*$")
_FRONT_MATTER_ALIASES = re.compile(
    r"^(?:aliases|synonyms|also_known_as|aka)\s*:\s*(?P<names>.*)$", re.IGNORECASE
)
# Notion's toggles: <details><summary>Term</summary> definition </details>
_DETAILS_OPEN = re.compile(r"^\s*<details(?:\s[^>]*)?>\s*", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"\s*</details>\s*$", re.IGNORECASE)
_SUMMARY = re.compile(r"^\s*<summary(?:\s[^>]*)?>(?P<title>.*?)</summary>\s*", re.IGNORECASE)
_ATX = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:\s|$)")
_TAG = re.compile(r"<[^>]+>")
_DEFINITION_LINE = re.compile(r"^ {0,3}[:~](?: {1,4}|\t)(?P<text>\S.*)$")
_MAX_PLAIN_TERM_WORDS = 8
# English words that make a "X: y" prefix a sentence rather than a name
_SENTENCE_WORDS = frozenset(
    {
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "this",
        "that",
        "these",
        "those",
        "we",
        "you",
        "our",
        "your",
        "it",
        "its",
        "they",
        "their",
        "will",
        "would",
        "can",
        "could",
        "should",
        "must",
        "please",
        "here",
        "there",
    }
)
_MAX_BOLD_TERM_WORDS = 15
_MAX_PROPERTY_WORDS = 6  # "Last edited: March 3, 2024 10:14 AM"; a definition runs longer

_MIN_TEXT_WORDS = 4  # a table cell of fewer words is a name, a figure or an owner ("Finance
# team lead"), not a definition


# --- small text helpers -----------------------------------------------------------------


# what docs sites add to a heading: attributes ("{#arr}", "{.new}", "{: #arr }") and emoji
# shortcodes (":chart_with_downwards_trend:")
_HEADING_EXTRAS = re.compile(r"\s*\{:?\s*[#.][^{}]*\}\s*$|:[a-z][a-z0-9_+-]*:")


def _clean_title(text: str) -> str:
    """A heading or term as written, without emoji, attributes, markup or a trailing colon."""
    text = _HEADING_EXTRAS.sub(" ", text).strip()
    return clean_term("".join(ch for ch in text if not is_emoji(ch)))


def _squash(text: str) -> str:
    """Collapse runs of spaces on each line; drop blank lines at either end."""
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def _dedupe(items: Iterable[str], exclude: str = "") -> tuple[str, ...]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen and item.casefold() != exclude.casefold():
            seen.append(item)
    return tuple(seen)


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


# --- inline rendering --------------------------------------------------------------------


def _inline(nodes: Sequence[SyntaxTreeNode], links: list[str]) -> str:
    """Plain text of inline nodes: markup stripped, link texts kept (and collected)."""
    out: list[str] = []
    for node in nodes:
        kind = node.type
        if kind in ("text", "code_inline"):
            out.append(node.content)
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "html_inline":
            out.append(" " if re.match(r"<br\b", node.content, re.IGNORECASE) else "")
        elif kind == "image":
            continue
        elif kind == "link":
            text = _inline(node.children, links)
            links.append(text)
            out.append(text)
        else:
            out.append(_inline(node.children, links))
    return "".join(out)


def _inline_children(block: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    """The inline nodes of a paragraph, heading or table cell."""
    for child in block.children:
        if child.type == "inline":
            return list(child.children)
    return []


def _block_text(block: SyntaxTreeNode, links: list[str]) -> str:
    return _squash(_inline(_inline_children(block), links))


def _split_lines(nodes: Sequence[SyntaxTreeNode]) -> list[list[SyntaxTreeNode]]:
    """Inline nodes cut at line breaks, one list per source line."""
    lines: list[list[SyntaxTreeNode]] = [[]]
    for node in nodes:
        if node.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(node)
    return lines


# --- block rendering (definitions) ----------------------------------------------------------


def _list_lines(block: SyntaxTreeNode, depth: int, links: list[str]) -> list[str]:
    """A list as lines "- item", nested items indented two spaces per level."""
    out: list[str] = []
    for item in block.children:
        texts: list[str] = []
        nested: list[str] = []
        for child in item.children:
            if child.type in _LISTS:
                nested.extend(_list_lines(child, depth + 1, links))
            else:
                texts.extend(_render([child], links))
        text = " ".join(" ".join(texts).split())
        if text:
            out.append(f"{'  ' * depth}- {text}")
        out.extend(nested)
    return out


def _table_lines(block: SyntaxTreeNode, links: list[str]) -> list[str]:
    return [" | ".join(_block_text(cell, links) for cell in row.children) for row in _rows(block)]


def _render(blocks: Iterable[SyntaxTreeNode], links: list[str]) -> list[str]:
    """Definition paragraphs for content blocks (noise is filtered out beforehand)."""
    parts: list[str] = []
    for block in blocks:
        kind = block.type
        if kind == "paragraph":
            parts.append(_block_text(block, links))
        elif kind == "heading":  # a facet heading: "Example:", then its text
            title = _block_text(block, links).strip()
            parts.append(title if title.endswith((":", ".", "?", "!")) else f"{title}:")
        elif kind in _LISTS:
            parts.append("\n".join(_list_lines(block, 0, links)))
        elif kind == "table":
            parts.append("\n".join(_table_lines(block, links)))
        elif kind in _CODE:
            parts.append(block.content.strip("\n"))
        elif kind == "blockquote":
            parts.extend(_render(block.children, links))
    return [part for part in parts if part.strip()]


# --- recognising term lines --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Match:
    """A line read as a term, the rest of its text and the link texts in that rest."""

    term: str
    rest: str
    bold: bool
    links: tuple[str, ...] = ()
    alone: bool = False  # a bold term with neither colon nor text after it
    copula: bool = False  # "**Term** is ...": a sentence that may only mention the term


def _bold_match(nodes: Sequence[SyntaxTreeNode]) -> _Match | None:
    """`**Term:** rest`, `**Term**: rest`, `**Term** - rest` or a bold term alone."""
    start = 0
    while start < len(nodes) and nodes[start].type == "text" and not nodes[start].content.strip():
        start += 1
    if start == len(nodes) or nodes[start].type != "strong":
        return None
    term = _squash(_inline(nodes[start].children, []))
    if len(term.split()) > _MAX_BOLD_TERM_WORDS or not _has_word(term):
        return None
    links: list[str] = []
    rest = _inline(nodes[start + 1 :], links)
    if names_a_field(term.rstrip(":"), _BOLD_SEPARATOR.sub("", rest, count=1)):
        return None  # "**Also known as:** GRR" is a field of the entry above, no term
    if term.endswith(":"):
        return _Match(term[:-1], _squash(rest.lstrip(" :")), True, tuple(links))
    if not rest.strip():
        return _Match(term, "", True, alone=True)
    separator = _BOLD_SEPARATOR.match(rest)
    if separator is not None:
        return _Match(term, _squash(rest[separator.end() :]), True, tuple(links))
    aside = _BOLD_ASIDE.match(rest)  # "**Churn** (a.k.a. *attrition*): ...": the term's own
    if aside is not None:
        named = f"{term} ({aside['aside'].replace('*', '').replace('_', ' ').strip()})"
        return _Match(named, _squash(rest[aside.end() :]), True, tuple(links))
    if _COPULA.match(rest):  # "**Burn Rate** is the monthly ...": the sentence defines it
        return _Match(term, _squash(term + rest), True, tuple(links), copula=True)
    return None


def _plain_term_ok(term: str) -> bool:
    words = term.split()
    return (
        0 < len(words) <= _MAX_PLAIN_TERM_WORDS
        and _has_word(term)
        and not _SENTENCE_PUNCT.search(term)
        and not any(word.lower() in _SENTENCE_WORDS for word in words)
    )


def _match_line(nodes: Sequence[SyntaxTreeNode], *, plain: bool) -> _Match | None:
    """A line as a term line: bold forms always, `Term: text` only when `plain`."""
    found = _bold_match(nodes)
    if found is not None or not plain:
        return found
    links: list[str] = []
    line = _PLAIN_LINE.match(_squash(_inline(nodes, links)))
    if line is None or not _plain_term_ok(line["term"]):
        return None
    if names_a_field(line["term"], line["rest"]):
        return None  # "Synonyms: NRR" under an entry is its field, no term
    return _Match(line["term"], line["rest"], False, tuple(links))


def _pseudo_heading(block: SyntaxTreeNode, following: SyntaxTreeNode | None) -> str | None:
    """A bold line alone ending with a colon, followed by a list: the term it names."""
    if block.type != "paragraph" or following is None or following.type not in _LISTS:
        return None
    lines = _split_lines(_inline_children(block))
    if len(lines) != 1:
        return None
    found = _bold_match(lines[0])
    text = _squash(_inline(lines[0], []))
    if found is None or found.rest or not text.endswith(":"):
        return None
    return found.term


def _item_match(item: SyntaxTreeNode) -> _Match | None:
    first = item.children[0] if item.children else None
    if first is None or first.type != "paragraph":
        return None
    return _match_line(_split_lines(_inline_children(first))[0], plain=True)


def _item_title(item: SyntaxTreeNode) -> _Match | None:
    """A list item that is only "Term:" over a list of its own ("Optimistic:" then its
    figures): the term, its definition the nested list."""
    first = item.children[0] if item.children else None
    if first is None or first.type != "paragraph" or len(item.children) < 2:
        return None
    text = _squash(_inline(_inline_children(first), []))
    if not text.endswith(":") or not _plain_term_ok(text[:-1]):
        return None
    return _Match(text[:-1].strip(), "", False)


# --- tables ------------------------------------------------------------------------------


def _rows(table: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    return [row for part in table.children for row in part.children if row.type == "tr"]


@dataclass(frozen=True, slots=True)
class _Columns:
    """The columns of a glossary table, and what to tell the user about how it was read."""

    term: int
    definition: int | None  # None for an acronym list ("| Acronym | Stands for |")
    aliases: int | None = None
    acronyms: int | None = None
    note: str | None = None  # how columns were chosen when the header names none
    relations: tuple[tuple[RelationKind, int], ...] = ()  # "| Parent |", "| Related terms |"


def _table_columns(table: SyntaxTreeNode) -> _Columns | None:
    """The term, definition and optional alias/acronym columns of a glossary table: named by
    its header as the CSV reader names them, or else a first column of short names beside
    a column of text ("| Metric | Formula |")."""
    rows = _rows(table)
    if not rows:
        return None
    header = [_block_text(cell, []) for cell in rows[0].children]
    layout = header_layout(header)
    if layout is not None:
        roles = layout.roles
        term = layout.terms[0] if layout.terms else roles.get("acronyms")  # "| Acronym | Meaning |"
        definition = roles.get("definition")
        acronyms = roles.get("acronyms")
        spelt_out = acronyms is not None and acronyms != term  # "| Acronym | Stands for |"
        if term is not None and (definition is not None or spelt_out):
            return _Columns(
                term,
                definition,
                roles.get("aliases"),
                None if acronyms == term else acronyms,
                relations=relation_columns(layout),
            )
    definition = _text_column(rows)
    if definition is None:
        return None
    note = (
        f"table read as a glossary: {header[0]!r} as the term, "
        f"{header[definition]!r} as the definition"
    )
    return _Columns(0, definition, note=note)


def _text_column(rows: list[SyntaxTreeNode]) -> int | None:
    """The column holding the most text, when the first column holds short names and it
    holds text (most cells of several words)."""
    header = [_block_text(cell, []) for cell in rows[0].children]
    cells = [[_block_text(cell, []) for cell in row.children] for row in rows[1:]]
    names = [row[0] for row in cells if row and row[0]]
    if not _has_word(header[0]) or not names or not all(_plain_term_ok(n) for n in names):
        return None
    best, most = None, 0.0
    for index in range(1, len(header)):
        column = [_words(row[index]) for row in cells if index < len(row) and row[index]]
        wordy = sum(words >= _MIN_TEXT_WORDS for words in column)
        mean = sum(column) / max(1, len(column))
        if _has_word(header[index]) and 2 * wordy > len(column) and mean > most:
            best, most = index, mean
    return best


def _words(text: str) -> int:
    """Words with a letter in them: "0.97 -> 1.00" has none."""
    return sum(1 for word in text.split() if any(ch.isalpha() for ch in word))


def _cell(row: SyntaxTreeNode, index: int | None, links: list[str]) -> str:
    if index is None or index >= len(row.children):
        return ""
    return _block_text(row.children[index], links)


def _split_names(text: str) -> list[str]:
    parts = (clean_term(part) for part in re.split(r"[;,]", text))
    return [part for part in parts if part and not is_placeholder(part)]  # "n/a", "-": none


# --- the reader ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    """An entry being gathered: its term as written and its definition so far."""

    raw: str
    start: int
    end: int
    parts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    relations: tuple[Relation, ...] = ()  # stated by a table's Parent or Related column
    needs_definition: bool = False  # a bold term alone is a term only if text follows


@dataclass(frozen=True, slots=True)
class _Marker:
    """A heading, or a bold line acting as one; `level` 0 for the latter."""

    index: int
    level: int
    title: str
    line: int
    section: bool = False
    colon: bool = False  # "#### Prospect:" announces its definition: always a term


class _Reader:
    """State for reading one Markdown document."""

    def __init__(self, source: str, lines: list[str]) -> None:
        self.source = source
        self.lines = lines
        self.parsed = lines  # what was parsed, line by line (toggles opened)
        self.origin = list(range(1, len(lines) + 1))  # each parsed line's line in `lines`
        self.result = ReadResult()
        self.facets: set[int] = set()  # indexes of facet headings, kept in their term's body

    # spans and dropping

    def span(self, node: SyntaxTreeNode) -> tuple[int, int]:
        """1-based inclusive lines of a block, trailing blank lines left out."""
        start, end = node.map or (0, 1)
        start, end = start + 1, max(end, start + 1)
        while end > start and not self.parsed[end - 1].strip():
            end -= 1
        return self.origin[start - 1], self.origin[end - 1]

    def drop(self, lines: tuple[int, int], reason: str) -> None:
        text = "\n".join(self.lines[lines[0] - 1 : lines[1]]).strip()
        self.result.dropped.append(Dropped(lines, text, reason))

    def drop_block(self, block: SyntaxTreeNode, reason: str) -> None:
        self.drop(self.span(block), reason)

    def noise(self, block: SyntaxTreeNode) -> str | None:
        """Why a block is never content (rules, comments, raw HTML), or None."""
        if block.type == "hr":
            return "horizontal rule"
        if block.type == "html_block":
            return "HTML comment" if block.content.lstrip().startswith("<!--") else "HTML block"
        if block.type == "paragraph" and _FOOTER.match(_block_text(block, []).strip()):
            return "page footer"
        return None

    def content(self, blocks: Iterable[SyntaxTreeNode]) -> list[SyntaxTreeNode]:
        """Blocks that can be definition text; noise among them is dropped."""
        kept = []
        for block in blocks:
            reason = self.noise(block)
            if reason:
                self.drop_block(block, reason)
            else:
                kept.append(block)
        return kept

    # emitting entries

    def emit(self, cand: _Candidate, collections: tuple[str, ...]) -> None:
        raw = _clean_title(cand.raw)
        parsed = parse_term(raw) if _has_word(raw) else None
        if parsed is None or not parsed.term:
            self.drop((cand.start, cand.end), "no term")
            return
        if _FURNITURE.match(raw) or _DATE.match(raw):
            self.drop((cand.start, cand.end), "page furniture")
            return
        definition = "\n\n".join(p.strip() for p in cand.parts if p.strip()) or None
        aliases, acronyms = list(cand.aliases), list(cand.acronyms)
        related: list[str] = []
        if definition is not None:  # "**Also known as:** GRR", "See also: ..." under the term
            definition, named, short, related = pull_fields(definition)
            aliases, acronyms, definition = aliases + named, acronyms + short, definition or None
        if cand.needs_definition and definition is None:
            self.drop((cand.start, cand.end), "bold text without a definition")
            return
        see: tuple[str, ...] = ()
        if definition is not None and _links_only(definition, cand.links):
            see = _dedupe(clean_term(t) for t in cand.links if t and "://" not in t)
            definition = None
        flags = set()
        if definition is None:
            flags.add(Flag.UNDEFINED)
        if parsed.combined:
            flags.add(Flag.COMBINED)
        found = acronyms_in(definition, parsed.term) if definition else []
        self.result.entries.append(
            Entry(
                term=parsed.term,
                definition=definition,
                source=self.source,
                lines=(cand.start, cand.end),
                raw_term=raw,
                acronyms=_dedupe([*parsed.acronyms, *acronyms, *found], exclude=parsed.term),
                aliases=_dedupe([*parsed.aliases, *aliases], exclude=parsed.term),
                terms=parsed.terms,
                see=see,
                relations=(
                    *cand.relations,
                    *(Relation(RelationKind.RELATED, name) for name in dict.fromkeys(related)),
                ),
                collections=collections,
                flags=frozenset(flags),
            )
        )

    # term headings

    def heading_entry(
        self, marker: _Marker, body: list[SyntaxTreeNode], collections: tuple[str, ...]
    ) -> None:
        blocks = self.content(body)
        cand = _Candidate(marker.title, marker.line, marker.line)
        cand.parts = _render(blocks, cand.links)
        if blocks:
            cand.end = max(marker.line, self.span(blocks[-1])[1])
        self.emit(cand, collections)
        if _parts(blocks) == "terms" and (listed := _the_list(blocks)) is not None:
            self.sub_entries(cand, listed, collections)

    def sub_entries(
        self, parent: _Candidate, block: SyntaxTreeNode, collections: tuple[str, ...]
    ) -> None:
        """A term whose definition lists terms of its own, every item "Term: text"
        ("Forecasting Category": "Commit: ...", "Best Case: ..."): each item is also an
        entry, listed under the term; the term keeps the whole list as its definition."""
        if not self.result.entries or self.result.entries[-1].lines != (parent.start, parent.end):
            return  # the term itself was not read
        matches = [_item_match(item) or _item_title(item) for item in block.children]
        if len(matches) < 2 or not all(
            m is not None and (m.rest or len(item.children) > 1)  # "Optimistic:" over a list
            for m, item in zip(matches, block.children, strict=True)
        ):
            return
        under = self.result.entries[-1].term
        start = len(self.result.entries)
        for item, found in zip(block.children, matches, strict=True):
            assert found is not None
            self.emit(self.item_candidate(item, found), collections)
        self.result.entries[start:] = [
            replace(
                e,
                relations=(*e.relations, Relation(RelationKind.BROADER, under)),
                flags=e.flags | {Flag.LISTED},
            )
            for e in self.result.entries[start:]
        ]

    # sections: blocks holding entries of their own

    def collect(
        self, blocks: list[SyntaxTreeNode], collections: tuple[str, ...], reason: str
    ) -> None:
        """Entries from term lines, term lists and term tables; other text is dropped."""
        open_cand: _Candidate | None = None
        for block in self.content(blocks):
            if block.type == "paragraph":
                cands = self.paragraph_entries(block)
                if cands:
                    self.flush(open_cand, collections)
                    for cand in cands[:-1]:
                        self.emit(cand, collections)
                    open_cand = cands[-1]
                    continue
            elif block.type in _LISTS and self.list_entries(block, collections, open_cand):
                open_cand = None
                continue
            elif block.type == "table" and (columns := _table_columns(block)) is not None:
                self.flush(open_cand, collections)
                open_cand = None
                self.table_entries(block, columns, collections)
                continue
            if open_cand is not None:  # more text for the entry above
                open_cand.parts.extend(_render([block], open_cand.links))
                open_cand.end = self.span(block)[1]
            else:
                self.drop_block(block, _reason(block, reason))
        self.flush(open_cand, collections)

    def flush(self, cand: _Candidate | None, collections: tuple[str, ...]) -> None:
        if cand is not None:
            self.emit(cand, collections)

    def paragraph_entries(self, block: SyntaxTreeNode) -> list[_Candidate]:
        """One entry per term line of a paragraph; lines after one continue it."""
        first = self.span(block)[0]
        cands: list[_Candidate] = []
        loose: list[int] = []
        for offset, nodes in enumerate(_split_lines(_inline_children(block))):
            line = first + offset
            found = _match_line(nodes, plain=True)
            if found is not None:
                cand = _Candidate(found.term, line, line, [found.rest], list(found.links))
                cand.needs_definition = found.alone
                cands.append(cand)
            elif cands:
                more = _squash(_inline(nodes, cands[-1].links))
                cands[-1].parts[-1] = f"{cands[-1].parts[-1]} {more}"
                cands[-1].end = line
            else:
                loose.append(line)
        if cands and loose:
            self.drop((loose[0], loose[-1]), "text before a term line")
        for cand in cands:
            cand.parts = [_squash(p) for p in cand.parts]
        return cands

    def list_entries(
        self, block: SyntaxTreeNode, collections: tuple[str, ...], open_cand: _Candidate | None
    ) -> bool:
        """Entries from a list whose items are term lines; False if it is not such a list."""
        items = block.children
        matches = [_item_match(item) for item in items]
        bold = sum(1 for m in matches if m is not None and m.bold)
        plain = sum(1 for m in matches if m is not None and not m.bold)
        if not bold and (not plain or 2 * plain < len(items)):
            return False
        self.flush(open_cand, collections)
        for item, found in zip(items, matches, strict=True):
            if found is None or (not found.bold and 2 * (plain + bold) < len(items)):
                self.drop_block(item, "list item without a term")
                continue
            cand = self.item_candidate(item, found)
            self.emit(cand, collections)
            for nested in item.children[1:]:  # "- Renewal: ..." over "  - Auto-renewal: ..."
                if nested.type in _LISTS:
                    self.sub_entries(cand, nested, collections)
        return True

    def item_candidate(self, item: SyntaxTreeNode, found: _Match) -> _Candidate:
        start, end = self.span(item)
        cand = _Candidate(found.term, start, end, links=list(found.links))
        first, *others = item.children
        lines = _split_lines(_inline_children(first))
        head = " ".join([found.rest, *(_squash(_inline(n, cand.links)) for n in lines[1:])])
        cand.parts = [" ".join(head.split()), *_render(others, cand.links)]
        if others:
            cand.end = max(cand.start, self.span(others[-1])[1])
        return cand

    def table_entries(
        self, block: SyntaxTreeNode, columns: _Columns, collections: tuple[str, ...]
    ) -> None:
        """One entry per body row of a term table; columns it does not read are named."""
        header, *rows = _rows(block)
        line = self.span(header)[0]
        if columns.note:
            self.result.warnings.append(Warning(columns.note, line))
        read_columns = (columns.term, columns.definition, columns.aliases, columns.acronyms)
        names = [_block_text(cell, []) for cell in header.children]
        used = {index for index in read_columns if index is not None}
        used |= {index for _, index in columns.relations}
        if (unread := columns_not_read(names, used, line)) is not None:
            self.result.warnings.append(unread)
        for row in rows:
            line = self.span(row)[0]
            cand = _Candidate(_cell(row, columns.term, []), line, line)
            cand.parts = [_cell(row, columns.definition, cand.links)]  # "" with none
            cand.aliases = tuple(_split_names(_cell(row, columns.aliases, [])))
            cand.acronyms = tuple(_split_names(_cell(row, columns.acronyms, [])))
            cand.relations = _stated_relations(row, columns)
            if _has_word(cand.raw):
                self.emit(cand, collections)
            else:
                self.drop((line, line), "table row without a term")


def _stated_relations(row: SyntaxTreeNode, columns: _Columns) -> tuple[Relation, ...]:
    """The relations a table row states in its relation columns, as the CSV reader reads
    them: "| Logo Churn | ... | Churn |" under "| Term | Definition | Parent |" is broader
    Churn. The names are matched to concepts once every source is read."""
    relations = (
        Relation(kind, name)
        for kind, index in columns.relations
        for name in _split_names(_cell(row, index, []))
    )
    return tuple(dict.fromkeys(relations))


def _reason(block: SyntaxTreeNode, reason: str) -> str:
    if block.type in _CODE:
        return "code block"
    if block.type == "table":
        return "table without term and definition columns"
    return reason


def _links_only(definition: str, links: list[str]) -> bool:
    """True when a definition is nothing but links (a pointer, not a definition)."""
    if not links:
        return False
    rest = definition
    for text in links:
        rest = rest.replace(text, "", 1)
    return not _has_word(rest)


# --- document structure --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FrontMatter:
    """What a page's YAML front matter says of it (Hugo, Jekyll, Docusaurus, Obsidian)."""

    title: str | None = None
    line: int = 1
    aliases: tuple[str, ...] = ()


def _strip_front_matter(lines: list[str], reader: _Reader) -> tuple[list[str], _FrontMatter]:
    """Blank out a leading YAML block (`---` ... `---`), keeping line numbers; its title and
    aliases ("aliases: [Attrition Rate]", or one "- name" a line under "aliases:")."""
    if not lines or lines[0].rstrip() != "---":
        return lines, _FrontMatter()
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            reader.drop((1, end + 1), "front matter")
            title, line, aliases = None, 1, []
            listing = False
            for n, text in enumerate(lines[1:end], 2):
                if (m := _FRONT_MATTER_TITLE.match(text)) and title is None:
                    title, line = m["title"].strip("'\""), n
                    listing = False
                elif named := _FRONT_MATTER_ALIASES.match(text):
                    inline = named["names"].strip().strip("[]")
                    aliases += [a.strip(" '\"") for a in inline.split(",") if a.strip(" '\"")]
                    listing = not inline
                elif listing and (item := re.match(r"^\s*-\s+(.+?)\s*$", text)):
                    aliases.append(item[1].strip("'\""))
                else:
                    listing = False
            blanked = [""] * (end + 1) + lines[end + 1 :]
            return blanked, _FrontMatter(title, line, tuple(aliases))
    return lines, _FrontMatter()


# what documentation sites add to Markdown, which is no text of a definition: admonitions
# ("!!! tip", "??? example", ":::tip ... :::", "> [!NOTE]"), footnote marks ("[^1]"), and
# footnote and abbreviation definitions ("[^1]: ...", "*[ARR]: ...")
_ADMONITION = re.compile(r"^\s*(?:!!!|\?\?\?\+?)\s+\w[\w-]*(?:\s+\"[^\"]*\")?\s*$")
_FENCED_ADMONITION = re.compile(r"^\s*:::\s*(?:\w[\w-]*(?:\s+.*)?)?$")
_ALERT = re.compile(r"^\s*>\s*\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]+\](?!:)")
_NOTE_DEFINITION = re.compile(r"^\s*(?:\[\^[^\]\s]+\]|\*\[[^\]]+\]):\s")


def _without_site_syntax(lines: list[str]) -> tuple[list[str], int]:
    """The lines with docs sites' syntax taken out, one line for each line (so line numbers
    stand): an admonition's marker blanked and its indented text read as text, footnote
    marks dropped, footnote and abbreviation definitions blanked (and counted)."""
    out: list[str] = []
    unread = 0
    inside = False  # in an admonition's indented text
    for line in lines:
        if _ADMONITION.match(line):
            out.append("")
            inside = True
            continue
        if inside and line.startswith(("    ", "\t")):
            out.append(line[4:] if line.startswith("    ") else line[1:])
            continue
        if inside and not line.strip():
            out.append(line)  # a blank line inside the admonition's text
            continue
        inside = False
        if _FENCED_ADMONITION.match(line) or _ALERT.match(line):
            out.append("")
        elif _NOTE_DEFINITION.match(line):
            out.append("")
            unread += 1
        else:
            out.append(_FOOTNOTE_MARK.sub("", line))
    return out, unread


def _open_toggles(lines: list[str]) -> tuple[list[str], list[int]]:
    """Toggles (`<details><summary>Term</summary> ... </details>`, as Notion exports them)
    read as what they show: a heading one level under the section they sit in, then their
    text. Returns the lines to parse and, for each, the 1-based line of `lines` it came
    from (a toggle on one line gives two: its heading and its text)."""
    out: list[str] = []
    origin: list[int] = []
    level, depth = 1, 0  # the last heading's level; toggles open around this line
    for n, line in enumerate(lines, 1):
        if heading := _ATX.match(line):
            level = len(heading["hashes"])
        rest = _DETAILS_OPEN.sub("", line, count=1)
        opened = rest != line
        depth += opened
        closed = _DETAILS_CLOSE.search(rest)
        if closed:
            rest = rest[: closed.start()]
        summary = _SUMMARY.match(rest) if depth else None
        if summary is not None:
            title = html.unescape(_TAG.sub("", summary["title"])).strip()
            body = rest[summary.end() :].strip()
            parts = [f"{'#' * min(6, level + depth)} {title}" if title else "", body]
            parts = [part for part in parts if part] or [""]
        else:
            parts = ["" if opened and not rest.strip() else rest]
        out += parts
        origin += [n] * len(parts)
        if closed and depth:
            depth -= 1
    return out, origin


def _open_definition_lists(lines: list[str]) -> list[str]:
    """Definition lists (Pandoc, PHP Markdown Extra: a term on its own line, then ": its
    definition") read as a heading one level under the section, then the definition; line
    numbers are kept."""
    out = list(lines)
    level = 1
    for n, line in enumerate(lines):
        if heading := _ATX.match(line):
            level = len(heading["hashes"])
            continue
        found = _DEFINITION_LINE.match(line)
        if found is None or n == 0:
            continue
        term = lines[n - 1].strip()
        opens = n == 1 or not lines[n - 2].strip() or _DEFINITION_LINE.match(lines[n - 2])
        if term and opens and not _ATX.match(lines[n - 1]) and not _DEFINITION_LINE.match(term):
            out[n - 1] = f"{'#' * min(6, level + 1)} {term}"
        if out[n - 1].startswith("#") or _DEFINITION_LINE.match(lines[n - 1]):
            out[n] = found["text"]  # a term's definition, or its next one
    return out


def _markers(reader: _Reader, blocks: list[SyntaxTreeNode]) -> list[_Marker]:
    """Headings and bold pseudo-headings in order; empty headings are dropped, and so are
    facet headings under a term (their text stays in its body, see `_FACET`)."""
    found: list[_Marker] = []
    levels = [int(b.tag[1:]) for b in blocks if b.type == "heading" and b.tag[1:].isdigit()]
    # a lone heading at the top level is the document's title, which holds no term
    top = min(levels, default=1) if levels.count(min(levels, default=1)) == 1 else 0
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.type == "heading":
            title = _clean_title(_block_text(block, []))
            if not _has_word(title):
                reader.drop_block(block, "empty heading")
                continue
            level = int(block.tag[1:]) if block.tag[1:].isdigit() else 6
            above = next((m for m in reversed(found) if m.level), None)
            if _facet_of(title, level, above, top):
                reader.facets.add(index)  # "### Example" right under "## Churn", or after it
                continue
            colon = _block_text(block, []).endswith(":")
            found.append(_Marker(index, level, title, reader.span(block)[0], colon=colon))
        elif (term := _pseudo_heading(block, following)) is not None:
            found.append(_Marker(index, 0, term, reader.span(block)[0]))
    return [_with_section(m, found[i + 1 :]) for i, m in enumerate(found)]


def _facet_of(title: str, level: int, above: _Marker | None, top: int) -> bool:
    """Whether a heading is a facet of the term heading above it: one level deeper
    ("## Churn", "### Example"), or at its level when no glossary would define it as a term
    ("### Logo Churn", "### Example"); never of the title, furniture or an index letter."""
    if above is None or _FURNITURE.match(above.title):
        return False
    if above.level == level - 1 > top:
        return bool(_FACET.match(title))
    return (
        above.level == level > top
        and bool(_SIBLING_FACET.match(title))
        and not _INDEX_HEADING.match(above.title)
        and not _HOUSEKEEPING.search(above.title)
    )


def _with_section(marker: _Marker, later: list[_Marker]) -> _Marker:
    """Mark a heading as a section when a deeper heading follows before its next peer."""
    if marker.level == 0:
        return marker
    for other in later:
        if other.level == 0:
            continue
        if other.level <= marker.level:
            break
        return replace(marker, section=True)
    return marker


def _term_levels(markers: Sequence[_Marker]) -> set[int]:
    """Heading levels where terms are at least as many as sections (housekeeping headings
    such as "Introduction" or "How to use" not counted): there a heading with deeper
    headings and a definition of its own is a term like its peers."""
    counts: dict[int, list[int]] = {}
    for m in markers:
        if m.level and not _INDEX_HEADING.match(m.title) and not _HOUSEKEEPING.search(m.title):
            counts.setdefault(m.level, [0, 0])[m.section] += 1
    return {level for level, (terms, sections) in counts.items() if terms >= max(1, sections)}


# a list item naming a facet of the term above, not a term of its own ("Owner: Finance")
_ITEM_FACET = re.compile(
    r"^(?:owners?|responsible|accountable|frequency|cadence|units?|targets?|thresholds?|"
    r"scope|status|type|category|data\s+source|system|tools?|team|values?|weights?|"
    r"formula|calculation|measured\s+by)$",
    re.IGNORECASE,
)
_VALUE = re.compile(r"^[\s\d.,%$€£+\-–=<>/x]*$")  # "40%", "= 100%": a figure, no definition


def _the_list(blocks: list[SyntaxTreeNode]) -> SyntaxTreeNode | None:
    """The one list in a term's text that is otherwise paragraphs, before or after it."""
    lists = [b for b in blocks if b.type in _LISTS]
    if len(lists) != 1 or any(b.type != "paragraph" for b in blocks if b is not lists[0]):
        return None
    return lists[0]


def _parts(blocks: list[SyntaxTreeNode]) -> str | None:
    """What a term's text holding one list of "Name: text" items among paragraphs of its
    own holds: "facets" when most items describe the term ("Owner: Finance team.",
    "Usage: 40%"), "terms" when they are terms of their own ("Kickoff: a call to agree
    goals ..."); None for any other text."""
    listed = _the_list(blocks)
    if listed is None:
        return None
    items = listed.children
    matches = [_item_match(item) or _item_title(item) for item in items]
    if len(matches) < 2 or not all(
        m is not None and (m.rest or len(item.children) > 1)
        for m, item in zip(matches, items, strict=True)
    ):
        return None
    described = sum(
        1
        for m in matches
        if m is not None
        and (
            _FACET.match(m.term)
            or (_ITEM_FACET.match(m.term) and len(m.rest.split()) <= 4)  # "Owner: Finance team."
            or (m.rest and _VALUE.match(m.rest))  # "Usage: 40%"
        )
    )
    return "facets" if 2 * described > len(matches) else "terms"


def _introduced(blocks: list[SyntaxTreeNode]) -> bool:
    """Whether a heading's text opens with a paragraph of its own, a definition, before a
    list of terms ("The first 90 days of a customer's journey. It includes:"), not a
    section's introduction ("The following terms ...") nor term lines."""
    first = blocks[0] if blocks else None
    if first is None or first.type != "paragraph" or len(blocks) < 2:
        return False
    text = _block_text(first, []).strip()
    lines = _split_lines(_inline_children(first))
    return (
        text.endswith(":")  # "It includes:": the list is announced as its parts
        and not _INTRODUCES.match(text)
        and not any(_match_line(nodes, plain=True) for nodes in lines)
    )


def _defines(block: SyntaxTreeNode, title: str) -> bool:
    """Whether a heading's first block reads as its definition: a paragraph of a sentence or
    more (five words at least), no term line, no introduction ("The following terms ...",
    "Our words."), under a heading that names no collection."""
    if block.type != "paragraph" or _COLLECTION_TITLE.search(title) or _HOUSEKEEPING.search(title):
        return False
    text = _block_text(block, []).strip()
    lines = _split_lines(_inline_children(block))
    return (
        len(text.split()) >= 5
        and not _INTRODUCES.match(text)
        and not any(_match_line(nodes, plain=True) for nodes in lines)
    )


def _plural(title: str) -> bool:
    """A heading naming many things ("Metrics", "Deal fields"), as a section does."""
    words = title.lower().split()
    last = words[-1] if words else ""
    if last.endswith("metrics"):
        return True
    return last.endswith("s") and not last.endswith(("ss", "us", "is", "ics"))


def _holds_entries(body: list[SyntaxTreeNode], relaxed: bool, title: str = "") -> bool:
    """Whether a heading's text is a run of term entries rather than one definition.

    A term table (but for one whose header names no columns, after the heading's own
    definition), or a list of two or more items that are all term lines, always is;
    so are two bold term lines. Under an index heading (`relaxed`) one term line is enough.
    "**Term** is ..." paragraphs count when they open the heading's text ("## Retention",
    then "**Net Revenue Retention** is ..."); after a definition of the heading's own, or one
    naming the heading ("**Churn** is ..."), they are its kinds or examples, and so are such
    list items ("## Churn", then "- **Logo churn** is ...").
    """
    term_lines = 0
    own = False  # the heading's own definition has come
    for block in body:
        # a table whose header names no columns is the heading's own after its definition
        columns = _table_columns(block) if block.type == "table" else None
        if columns is not None and not (own and columns.note):
            return True
        if block.type in _LISTS:
            matches = [_item_match(item) for item in block.children]
            hits = sum(m is not None and (relaxed or not m.copula) for m in matches)
            if hits == len(matches) >= 2 or (relaxed and 2 * hits >= len(matches)):
                return True
        if block.type == "paragraph":
            for number, nodes in enumerate(_split_lines(_inline_children(block))):
                found = _match_line(nodes, plain=relaxed)
                if found is None:
                    own = own or number == 0
                elif relaxed:
                    term_lines += 1
                elif found.copula:
                    own = own or _clean_title(found.term).casefold() == title.casefold()
                    if not own:
                        term_lines += 1
                elif not found.alone:
                    term_lines += 1
    return term_lines >= (1 if relaxed else 2)


def _any_term_line(blocks: list[SyntaxTreeNode]) -> bool:
    """Whether any block could give an entry of its own: a term line in a paragraph, a list
    item that is one, or a term table."""
    for block in blocks:
        if block.type == "paragraph" and any(
            _match_line(nodes, plain=True) for nodes in _split_lines(_inline_children(block))
        ):
            return True
        if block.type in _LISTS and any(_item_match(item) for item in block.children):
            return True
        if block.type == "table" and _table_columns(block) is not None:
            return True
    return False


def _properties(blocks: list[SyntaxTreeNode]) -> bool:
    """Whether blocks are a page's properties: one paragraph of short "Key: value" lines
    ("Owner: Priya Shah", "Status: Approved"), values of a few words and no sentence."""
    if len(blocks) != 1 or blocks[0].type != "paragraph":
        return False
    for nodes in _split_lines(_inline_children(blocks[0])):
        line = _PLAIN_LINE.match(_squash(_inline(nodes, [])))
        if (
            line is None
            or not _plain_term_ok(line["term"])
            or len(line["term"].split()) > _MAX_PROPERTY_WORDS
            or len(line["rest"].split()) > _MAX_PROPERTY_WORDS
            or line["rest"].endswith((".", "!", "?"))
        ):
            return False
    return True


def _one_term_page(title: str, text: list[SyntaxTreeNode]) -> bool:
    """Whether a page with one heading, its title, is that one term's page (a Notion export,
    a wiki page per term): its text opens with a paragraph defining the title, and holds no
    term of its own, or only a list describing the term ("- Owner: Finance team.")."""
    first = text[0] if text else None
    return (
        first is not None
        and first.type == "paragraph"
        and not _HOUSEKEEPING.search(title)
        and not _COLLECTION_TITLE.search(title)  # "# Glossary v2 (draft)"
        and not _INTRODUCES.match(_block_text(first, []).strip())
        and not _any_term_line([first])
        and (not _any_term_line(text) or _parts(text) == "facets" or _only_facet_lines(text[1:]))
    )


def _only_facet_lines(blocks: list[SyntaxTreeNode]) -> bool:
    """Whether blocks are paragraphs whose term lines all name facets of a term
    ("**Formula:** New MRR minus contraction MRR", "Owner: Finance team")."""
    found = False
    for block in blocks:
        if block.type != "paragraph":
            return False
        for nodes in _split_lines(_inline_children(block)):
            m = _match_line(nodes, plain=True)
            if m is None:
                continue
            if not (_FACET.match(m.term) or _ITEM_FACET.match(m.term)):
                return False
            found = True
    return found


def _sectioned_term_page(
    doc: Document,
    reader: _Reader,
    blocks: list[SyntaxTreeNode],
    markers: list[_Marker],
    title: _Marker | None,
) -> bool:
    """Read a term's own page whose text goes on under sub-headings ("# Quarterly Business
    Review", its properties, its definition, then "## Agenda"), as one entry, its
    sections kept as facets of the definition; False, reading nothing, for any other page.

    A glossary page with an introduction and terms under it looks the same, so the page
    must say it is one term's: Notion's properties ("Owner: ...") above the definition, or a
    file named after the title (Notion names each page's file so)."""
    if title is None or not markers or markers[0] is not title or len(markers) < 2:
        return False
    if any(m.level < 2 for m in markers[1:]) or _COLLECTION_TITLE.search(title.title):
        return False
    text = [b for b in blocks[title.index + 1 : markers[1].index] if reader.noise(b) is None]
    meta = _properties(text[:1]) and _one_term_page(title.title, text[1:])
    if not meta and (
        _plural(title.title)  # "# Sales Terms", then terms: a page of many
        or not _named_after(doc, title.title)
        or not _one_term_page(title.title, text)
    ):
        return False
    if meta:
        reader.drop_block(text[0], "page properties")
    reader.facets |= {m.index for m in markers[1:]}
    body = [b for b in blocks[title.index + 1 :] if not (meta and b is text[0])]
    reader.heading_entry(title, body, ())
    return True


def _named_after(doc: Document, title: str) -> bool:
    """Whether the file is named after the title ("Churn.md", Notion's "Churn 1a2b...f.md")."""
    stem = re.sub(r"\s+[0-9a-f]{32}$", "", doc.path.stem)
    return _squash(stem).casefold() == _squash(title).casefold()


def read(doc: Document, source: str) -> ReadResult:
    """Read a Markdown glossary; any text gives a ReadResult (only decoding can fail)."""
    lines = doc.text.split("\n")
    reader = _Reader(source, lines)
    body_lines, front = _strip_front_matter(lines, reader)
    fm_title = front.title
    body_lines, unread = _without_site_syntax(body_lines)
    if unread:
        reader.result.warnings.append(
            Warning(
                f"{unread} footnote{'s' * (unread != 1)} and abbreviation definitions "
                "('[^1]: ...', '*[ARR]: ...') not read"
            )
        )
    body_lines, reader.origin = _open_toggles(_open_definition_lists(body_lines))
    reader.parsed = body_lines
    blocks = list(SyntaxTreeNode(_MD.parse("\n".join(body_lines))).children)
    markers = _markers(reader, blocks)
    h1s = [m for m in markers if m.level == 1]
    reader.result.title = h1s[0].title if h1s else fm_title
    title_marker = h1s[0] if len(h1s) == 1 else None

    text = [b for b in blocks if reader.noise(b) is None]
    if not markers and front.title and text and _one_term_page(front.title, text):
        # a page per term whose front matter names it ("title: Churn Rate"), as static
        # site generators write them: the title is the term, the text its definition
        cand = _Candidate(front.title, front.line, reader.span(text[-1])[1])
        cand.parts = _render(reader.content(blocks), cand.links)
        cand.aliases = front.aliases
        reader.emit(cand, ())
        return reader.result
    first = markers[0].index if markers else len(blocks)
    reader.collect(blocks[:first], (), "text before the first heading")
    if _sectioned_term_page(doc, reader, blocks, markers, title_marker):
        return reader.result
    stack: list[tuple[int, str]] = []  # enclosing sections that name a collection
    peers = _term_levels(markers)
    for i, marker in enumerate(markers):
        end = markers[i + 1].index if i + 1 < len(markers) else len(blocks)
        start = marker.index + 1
        body = [
            b
            for i, b in enumerate(blocks[start:end], start)
            if b.type != "heading" or i in reader.facets
        ]
        if marker.level:
            while stack and stack[-1][0] >= marker.level:
                stack.pop()
        nearest = (stack[-1][1],) if stack else ()
        if _FURNITURE.match(marker.title):
            reader.collect(body, nearest, "page furniture")
            continue
        if marker.level == 0:
            reader.heading_entry(marker, body, nearest)
            continue
        if marker is title_marker and len(markers) == 1 and not marker.section:
            # a term's own page, its properties ("Owner: Priya Shah") first, as Notion writes it
            text = [b for b in body if reader.noise(b) is None]
            meta = _properties(text[:1]) and _one_term_page(marker.title, text[1:])
            if meta or _one_term_page(marker.title, text):
                if meta:
                    reader.drop_block(text[0], "page properties")
                reader.heading_entry(marker, [b for b in body if not (meta and b is text[0])], ())
                continue
        index_heading = bool(_INDEX_HEADING.match(marker.title))
        names_collection = marker is not title_marker and not index_heading
        if (
            marker.section
            and names_collection
            and marker.level in peers
            and (text := reader.content(body))
            and not _INTRODUCES.match(_block_text(text[0], []).strip())
            and not _holds_entries(body, relaxed=False, title=marker.title)
        ):
            # a term whose own definition comes before deeper headings, among peer terms
            reader.heading_entry(marker, body, nearest)
            continue
        if (
            not marker.section
            and not index_heading
            and marker is not title_marker
            and not _plural(marker.title)  # "## Metrics", "## Deal fields": sections
        ):
            text = [b for b in body if reader.noise(b) is None]
            parts = _parts(text)
            if parts == "facets" or (parts == "terms" and _introduced(text)):
                # a term described item by item ("Owner: ..."), or defined, then listing
                # terms of its own: the term, with each listed term under it
                reader.heading_entry(marker, body, nearest)
                continue
        if (
            not marker.section
            and names_collection
            and not index_heading
            and not _plural(marker.title)
            and (text := [b for b in body if reader.noise(b) is None])
            and _defines(text[0], marker.title)
            and len(text) > 1
            and _holds_entries(text[1:], relaxed=False, title=marker.title)
        ):
            # "## Churn Rate", its definition, then terms of its own (bold lines, a table):
            # the heading is a term, the terms after its definition its kinds
            at = body.index(text[1])
            reader.heading_entry(marker, body[:at], nearest)
            start = len(reader.result.entries)
            reader.collect(body[at:], nearest, "section introduction")
            reader.result.entries[start:] = [
                replace(
                    e,
                    relations=(*e.relations, Relation(RelationKind.BROADER, marker.title)),
                    flags=e.flags | {Flag.LISTED},
                )
                for e in reader.result.entries[start:]
            ]
            continue
        if marker.section and names_collection:
            stack.append((marker.level, marker.title))
        own = (marker.title,) if names_collection else nearest
        holds = marker.section or marker is title_marker
        if holds or (
            not marker.colon and _holds_entries(body, relaxed=index_heading, title=marker.title)
        ):
            reader.collect(body, own, "section introduction")
        else:
            reader.heading_entry(marker, body, nearest)

    if not reader.result.entries and any(line.strip() for line in body_lines):
        reader.result.warnings.append(Warning("no glossary entries recognised in this file"))
    return reader.result
