"""Reading CSV/TSV glossaries: columns found by name, one entry per row.

Headers are matched case-insensitively, ignoring prefixes such as "skos:" and any
punctuation ("Alt_Labels", "skos:altLabel" and "alternative labels" all name aliases).
Relations in broader/narrower/related columns ("Broader Term", "Parent", "Is a";
"Narrower", "Children"; "Related terms", "See also") name other rows by id or by term and
are resolved once the whole file is read; a name no row has is left for the concepts of
all the sources read together.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ingest.document import Document
from ingest.errors import NoEntries, SourceError
from ingest.language import language_tag
from ingest.model import Entry, Flag, ReadResult, Relation, RelationKind, Warning
from ingest.normalize import fold
from ingest.sources import slug
from ingest.terms import (
    acronym_matches,
    acronyms_in,
    is_acronym,
    is_placeholder,
    parse_term,
    unique_names,
)

DELIMITERS = ",;\t|"
SNIFF_CHARS = 16_384

# normalised header name -> role; the order of TERM_NAMES is the order of preference
TERM_NAMES = (
    "preflabel",
    "preferredlabel",
    "preferredterm",
    "term",
    "name",
    "label",
    "word",
    "concept",
    "title",
    # an acronym list's spelt-out column ("Acronym | Stands for"): the name it abbreviates
    "standsfor",
    "expansion",
    "longform",
    "spelledout",
    "speltout",
)
_ROLES: dict[str, str] = {name: "term" for name in TERM_NAMES}
_ROLES |= dict.fromkeys(
    ("definition", "definitions", "description", "meaning", "summary", "explanation"), "definition"
)
_ROLES |= dict.fromkeys(
    (
        "aliases",
        "alias",
        "synonyms",
        "synonym",
        "altlabel",
        "altlabels",
        "alternativelabel",
        "alternativelabels",
        "aka",
        "alsoknownas",
    ),
    "aliases",
)
_ROLES |= dict.fromkeys(
    ("acronym", "acronyms", "abbreviation", "abbreviations", "abbr", "abbrev", "abbrevs"),
    "acronyms",
)
_ROLES |= dict.fromkeys(("hiddenlabel", "hiddenlabels"), "hidden")
_ROLES |= dict.fromkeys(
    ("language", "lang", "locale", "sprache", "langue", "idioma", "lingua", "taal"), "language"
)
_ROLES |= dict.fromkeys(("id", "uri", "iri"), "id")
_ROLES |= dict.fromkeys(("type",), "type")
_ROLES |= dict.fromkeys(("source", "sources", "origin"), "source")  # a row's own source
_ROLES |= {"broader": "broader", "narrower": "narrower", "related": "related"}
# a column naming each row's parent ("Broader Term: Churn" under "Logo Churn"), as skos:broader
_ROLES |= dict.fromkeys(
    (
        "broaderterm",
        "broaderterms",
        "broaderconcept",
        "broaderconcepts",
        "parent",
        "parents",
        "parentterm",
        "parentconcept",
        "parentid",
        "isa",
        "typeof",
        "kindof",
    ),
    "broader",
)
# a column naming each row's children ("Narrower Terms: Logo Churn; Revenue Churn" on "Churn")
_ROLES |= dict.fromkeys(
    (
        "narrowerterm",
        "narrowerterms",
        "narrowerconcept",
        "narrowerconcepts",
        "children",
        "child",
        "childterms",
        "childterm",
        "subterms",
    ),
    "narrower",
)
_ROLES |= dict.fromkeys(
    ("seealso", "relatedterms", "relatedterm", "relatedconcept", "relatedconcepts"), "related"
)
_ROLES |= dict.fromkeys(
    ("category", "categories", "collection", "collections", "group", "domain", "topic", "tags"),
    "collections",
)
# Words that name a column inside a longer header ("Glossary Term", "Business Definition",
# "Also Known As"), including a few other languages' ("Begriff;Beschreibung;Kategorie").
_HEADER_WORDS: dict[str, str] = dict.fromkeys(
    (
        "term",
        "terms",
        "name",
        "label",
        "concept",
        "word",
        "metric",
        "metrics",
        "begriff",
        "terme",
        "termino",
    ),
    "term",
)
_HEADER_WORDS |= dict.fromkeys(
    (
        "definition",
        "description",
        "meaning",
        "explanation",
        "beschreibung",
        "erklarung",
        "omschrijving",
        "descripcion",
        "definicion",
    ),
    "definition",
)
_HEADER_WORDS |= dict.fromkeys(
    (
        "synonyms",
        "synonym",
        "aliases",
        "alias",
        "aka",
        "synonyme",
        "synonymes",
        "sinonimo",
        "sinonimos",
        "sinonimi",
        "synoniemen",
    ),
    "aliases",
)
_HEADER_WORDS |= dict.fromkeys(
    (
        "category",
        "categories",
        "group",
        "domain",
        "topic",
        "tags",
        "kategorie",
        "categorie",
        "categoria",
    ),
    "collections",
)
_HEADER_WORDS |= dict.fromkeys(
    (
        "acronym",
        "acronyms",
        "abbreviation",
        "abbreviations",
        "abbrev",
        "abkurzung",
        "abkurzungen",
        "akronym",
        "abreviation",
        "abreviations",
        "sigle",
        "sigles",
        "abreviatura",
        "abreviaturas",
        "sigla",
        "siglas",
    ),
    "acronyms",
)
_HEADER_WORDS |= dict.fromkeys(("language", "sprache", "langue", "idioma"), "language")
_HEADER_WORDS |= dict.fromkeys(("id", "uri", "iri"), "id")
_HEADER_PHRASES = {
    "also known as": "aliases",
    "other names": "aliases",
    "alternative names": "aliases",
    "alternative terms": "aliases",
    "alternate names": "aliases",
    "alternative name": "aliases",
    "alternate name": "aliases",
    "alternate terms": "aliases",
    "alternative term": "aliases",
    "alternate term": "aliases",
    "other name": "aliases",
    "also called": "aliases",
    "see also": "related",
    # a metrics glossary defines its metrics by how they are worked out
    "how we calculate": "definition",
    "how it is calculated": "definition",
    "how to calculate": "definition",
}
# words that may stand before a role's word without changing what the column holds
_HEADER_QUALIFIERS = frozenset(
    "glossary business term concept metric preferred main key full short plain official field "
    "column attribute data kpi "
    "english german french spanish".split()
)
_RELATION_KINDS = {
    "broader": RelationKind.BROADER,
    "narrower": RelationKind.NARROWER,
    "related": RelationKind.RELATED,
}
_NOT_ENTRY_TYPES = frozenset({"conceptscheme", "collection", "orderedcollection"})
_EXCEL_SEPARATOR = re.compile(r"^\ufeff?(sep=(.))[ \t]*(?=\n)", re.IGNORECASE)
_BRACKETED = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")  # "Term (EN)", "Definition [de]"
_MULTI_SPLIT = re.compile(r"\s*[;|\n]\s*")
_NAMES_SPLIT = re.compile(r"\s*[;|]\s*")  # a term cell's names
_MAX_LISTED_WORDS = 3  # "Churn, Attrition" lists names; longer parts make a phrase
_LOOKS_LIKE_ID = re.compile(r"^[\w.-]*:\S+$")  # mav:mav001, http://..., urn:x
_MIN_TEXT_WORDS = 4  # a cell of fewer words is a name, a figure or an owner, not a definition
_HEADER_SEARCH = 5  # rows looked through for a header below a file's title rows
# a lone cell closing the file that counts or dates the rows: "Total terms: 3", "Rows: 120",
# "Generated 2024-05-01", "End of glossary"; not "Total Contract Value", which has no figure
_FOOTER = re.compile(
    r"^(?:total|count|number of|generated|exported|updated|last updated|as of)\b.*\d"
    r"|^[^:]{1,40}:\s*\d[\d.,/ -]*$"
    r"|^end of\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Record:
    """One CSV record and the physical lines it spans."""

    first: int
    last: int
    cells: list[str]


@dataclass(slots=True)
class Layout:
    """Which column holds what: term columns in order of preference, one column per role."""

    terms: list[int] = field(default_factory=list)
    roles: dict[str, int] = field(default_factory=dict)
    width: int = 0
    delimiter: str = ","

    def cell(self, record: Record, role: str) -> str:
        index = self.roles.get(role)
        if index is None or index >= len(record.cells):
            return ""
        return record.cells[index].strip()

    def term(self, record: Record) -> str:
        for index in self.terms:
            if index < len(record.cells) and record.cells[index].strip():
                return record.cells[index].strip()
        return ""


@dataclass(slots=True)
class Row:
    """A row read as an entry, before its relations are resolved."""

    record: Record
    raw_term: str
    ident: str
    links: dict[RelationKind, list[str]]
    others: list[str] = field(default_factory=list)  # more names in the term cell


def read(doc: Document, source: str) -> ReadResult:
    """Read a CSV glossary into entries, with warnings for the rows it could not use fully."""
    text = doc.text
    excel = _EXCEL_SEPARATOR.match(text)
    if excel:  # Excel's "sep=;" line names the delimiter; blanked, so line numbers hold
        text = text[excel.end(1) :]
    dialect = _dialect(doc, text, excel[2] if excel else None)
    records = [r for r in _records(doc, text, dialect) if _filled(r)]
    if not records:
        raise NoEntries(doc.path, "no rows found")
    result = ReadResult()
    layout, body = _layout(doc, records, result)
    layout.delimiter = str(dialect.delimiter)
    if not body:
        raise NoEntries(doc.path, "has a header row but no rows below it", records[-1].last)
    body = _without_footers(body, result)
    rows = [row for record in body if (row := _row(record, layout, result)) is not None]
    rows, repeats = _without_repeats(rows, layout, result)
    entries_by_id = repeats | {row.ident: row for row in rows if row.ident}
    labels = _unique_labels(rows)
    bad: dict[str, list[int]] = {}  # Language cells that name no language, and their lines
    for row in rows:
        entry = _entry(row, layout, source, entries_by_id, labels, result, bad)
        cited = layout.cell(row.record, "source")  # a named document; a URI is a reference
        named = re.search(r"[^\W_]", cited) and not _LOOKS_LIKE_ID.match(cited)
        cited_id = slug(cited) if named else ""
        if cited_id and cited_id != source:
            result.cited.setdefault(cited_id, cited)  # the row's own source, credited
            entry = replace(entry, source=cited_id)
        result.entries.append(entry)
    for value, lines in bad.items():
        more = f" and {len(lines) - 1} more" if len(lines) > 1 else ""
        result.warnings.append(
            Warning(
                f'language {value!r} on line {lines[0]}{more} is no language tag (such as "de" '
                'or "pt-BR"); those rows are read as the file\'s language',
                lines[0],
            )
        )
    return result


def is_table(text: str) -> bool:
    """Whether a text file's first lines are a table: two or more, nearly all with as many
    cells as the first. Tab-separated lines need no more; with ";" or "," between cells
    (which prose holds too) the first line must also be a header naming the columns."""
    lines = [line for line in text[:8192].splitlines()[:50] if line.strip()]
    if len(lines) < 2:
        return False
    tabs = [line.count("\t") for line in lines]
    if tabs[0] and sum(1 for n in tabs if n == tabs[0]) >= 0.8 * len(lines):
        return True
    for delimiter in ";,":
        rows = list(csv.reader(lines, delimiter=delimiter, skipinitialspace=True))
        width = len(rows[0])
        if width < 2 or sum(1 for row in rows if len(row) == width) < 0.8 * len(rows):
            continue
        layout = header_layout(rows[0])
        if layout is not None and layout.terms and "definition" in layout.roles:
            return True
    return False


def _without_repeats(
    rows: list[Row], layout: Layout, result: ReadResult
) -> tuple[list[Row], dict[str, Row]]:
    """Rows with each row that repeats an earlier one (every cell but its id, spaces aside)
    left out and said; and the ids of those left out, each naming the row it repeats."""
    first: dict[tuple[str, ...], Row] = {}
    kept: list[Row] = []
    repeats: dict[str, Row] = {}
    id_column = layout.roles.get("id")
    for row in rows:
        cells = row.record.cells
        key = tuple(" ".join(c.split()) for i, c in enumerate(cells) if i != id_column)
        earlier = first.setdefault(key, row)
        if earlier is row:
            kept.append(row)
            continue
        if row.ident:
            repeats[row.ident] = earlier
        line, was = row.record.first, earlier.record.first
        result.warnings.append(
            Warning(f"duplicate row on line {line} repeats the row on line {was}; read once", line)
        )
    return kept, repeats


def _unique_labels(rows: list[Row]) -> dict[str, Row]:
    """Rows by their term (as written and as parsed), leaving out terms several rows share."""
    by_label: dict[str, Row] = {}
    shared: set[str] = set()
    for row in rows:
        names = (row.raw_term, parse_term(row.raw_term).term, *row.others)
        for label in {name.casefold() for name in names}:
            if label in by_label and by_label[label] is not row:
                shared.add(label)
            by_label[label] = row
    return {label: row for label, row in by_label.items() if label not in shared}


def _dialect(doc: Document, text: str, named: str | None = None) -> type[csv.Dialect]:
    """Strict double-quoted CSV with the delimiter `named`, or the Sniffer's (tab for
    .tsv)."""
    sample = text[:SNIFF_CHARS]
    delimiter = named or ("\t" if doc.path.suffix.lower() == ".tsv" else None)
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
        except csv.Error:
            first = sample.split("\n", 1)[0]
            counts = {d: first.count(d) for d in DELIMITERS}
            delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    Dialect.skipinitialspace = True  # a, "b, c" quotes its second cell
    Dialect.strict = True
    return Dialect


def _records(doc: Document, text: str, dialect: type[csv.Dialect]) -> Iterator[Record]:
    """Every record with its line span; malformed CSV raises SourceError with the line."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    last = 0
    while True:
        first = last + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise SourceError(
                    doc.path,
                    f"unterminated quoted field: the quote opened on line {first} is never closed",
                    first,
                ) from None
            raise SourceError(doc.path, f"malformed CSV: {exc}", reader.line_num) from None
        last = reader.line_num
        yield Record(first, last, cells)


def _filled(record: Record) -> bool:
    return any(cell.strip() for cell in record.cells)


def normalise_header(name: str) -> str:
    """ "skos:altLabel" -> "altlabel", "Alt_Labels" -> "altlabels", "@id" -> "id"."""
    name = name.strip().lower()
    if ":" in name and not name.startswith(("http:", "https:")):
        name = name.rsplit(":", 1)[1]
    elif "#" in name or "/" in name:
        name = re.split(r"[#/]", name)[-1]
    return re.sub(r"[^a-z0-9]", "", name)


def header_layout(cells: list[str]) -> Layout | None:
    """The layout a header row names, or None if no cell is a known column name. Exact
    column names come first; a longer header ("Glossary Term") fills a role still free,
    and a header named only that way must name a term and a definition column both."""
    layout = Layout(width=len(cells))
    found: list[tuple[int, int]] = []  # (preference, column) for term columns
    worded: list[tuple[int, str]] = []
    for index, cell in enumerate(cells):
        name = normalise_header(cell)
        role = _ROLES.get(name)
        if role == "term":
            found.append((TERM_NAMES.index(name), index))
        elif role and role not in layout.roles:
            layout.roles[role] = index
        elif role is None and (guess := _header_role(cell)):
            worded.append((index, guess))
    exact = bool(found or layout.roles)
    for index, role in worded:
        if role == "term" and not found:
            found.append((len(TERM_NAMES), index))
        elif role not in ("term", *layout.roles):
            layout.roles[role] = index
    layout.terms = [index for _, index in sorted(found)]
    if not exact and not (layout.terms and "definition" in layout.roles):
        return None
    if layout.terms or "definition" in layout.roles or len(layout.roles) > 1:
        return layout
    return None


def relation_columns(layout: Layout) -> tuple[tuple[RelationKind, int], ...]:
    """The columns a layout reads stated relations from, each with the relation it states:
    ((BROADER, 2),) for "| Term | Definition | Parent |". Markdown tables read them too."""
    return tuple(
        (kind, layout.roles[role]) for role, kind in _RELATION_KINDS.items() if role in layout.roles
    )


def columns_not_read(header: list[str], used: set[int], line: int) -> Warning | None:
    """The warning naming a table's columns that are not read, if any are."""
    unread = [c.strip() for i, c in enumerate(header) if i not in used and c.strip()]
    if not unread:
        return None
    names = ", ".join(repr(c) for c in unread[:6]) + (" ..." if len(unread) > 6 else "")
    return Warning(f"column{'s' if len(unread) > 1 else ''} not read: {names}", line)


def _header_role(cell: str) -> str | None:
    """The role a longer header names: a phrase ("Also Known As"), or a role's word with
    at most one qualifier before it that leaves its meaning alone ("Glossary Term",
    "Business Definition"; not "Owner Name", "Definition Source", "Term Owner"). A note
    in brackets after it ("Glossary Term (EN)") leaves its meaning alone too."""
    text = " ".join(fold(_BRACKETED.sub(" ", cell)).split())
    for phrase, role in _HEADER_PHRASES.items():
        if f" {phrase} " in f" {text} ":
            return role
    words = text.split()
    if not words or len(words) > 2 or words[-1] not in _HEADER_WORDS:
        return None
    if len(words) == 2 and words[0] not in _HEADER_QUALIFIERS:
        return None
    role = _HEADER_WORDS[words[-1]]
    if role == "id":  # "Term ID" is the concepts' id; "Category ID" is not
        return role if len(words) == 2 and _HEADER_WORDS.get(words[0]) == "term" else None
    return role


def _layout(
    doc: Document, records: list[Record], result: ReadResult
) -> tuple[Layout, list[Record]]:
    """The column layout, from the header row or, without one, from the column count."""
    found = _find_header(records)
    if found is not None:
        at, layout = found
        header = records[at]
        if at:
            result.warnings.append(_titles_skipped(records[:at], header))
        if not layout.terms:
            layout.terms = [_first_free_column(doc, header, layout)]
            name = header.cells[layout.terms[0]].strip()
            result.warnings.append(
                Warning(
                    f"no term column in the header; reading column {name!r} as the term",
                    header.first,
                )
            )
        body = records[at + 1 :]
        if "definition" not in layout.roles and (text := _text_column(header, body, layout)):
            layout.roles["definition"] = text[0]
            result.warnings.append(
                Warning(
                    f"no definition column in the header; reading column "
                    f"{_column_name(header, text[0])!r} as the definition, as its cells are "
                    f"free text of {text[1]:.0f} words on average",
                    header.first,
                )
            )
        used = {*layout.terms, *layout.roles.values()}
        if unread := columns_not_read(header.cells, used, header.first):
            result.warnings.append(unread)
        return layout, body
    header = records[0]
    width = Counter(len(r.cells) for r in records).most_common(1)[0][0]
    if width not in (2, 3):
        expected = "term (or name, label, prefLabel) and definition (or description, meaning)"
        raise SourceError(
            doc.path,
            f"no header row naming the columns and {width} columns per row; "
            f"expected a header with {expected}",
            header.first,
        )
    layout = Layout(terms=[0], roles={"definition": 1}, width=width)
    if width == 3:
        layout.roles["aliases"] = 2
    columns = "term, definition" + (", aliases" if width == 3 else "")
    result.warnings.append(Warning(f"no header row; reading the columns as {columns}", 1))
    return layout, records


def _find_header(records: list[Record]) -> tuple[int, Layout] | None:
    """Where the header row is and the layout it names: the first row, or a row among the
    first few below title rows ("ACME Glossary" and "Maintained by CS Ops" above "Term,
    Definition"). Each row above it must fill fewer cells than it does, so a headerless
    file's rows are never taken for titles."""
    for at, record in enumerate(records[:_HEADER_SEARCH]):
        layout = header_layout(record.cells)
        if layout is None:
            continue
        named = _filled_cells(record)
        if at == 0 or (named >= 2 and all(_filled_cells(r) < named for r in records[:at])):
            return at, layout
    return None


def _text_column(header: Record, body: list[Record], layout: Layout) -> tuple[int, float] | None:
    """The column no header rule read whose cells are free text, and its mean words a cell:
    the definitions of a file whose header names them in its own words ("Concept, What it
    means, Also called"). Most of its cells must hold four words or more and differ from
    one another, so a column of names, owners or statuses ("Attrition", "CS Ops team lead")
    is never taken; of several, the wordiest."""
    used = {*layout.terms, *layout.roles.values()}
    best: tuple[int, float] | None = None
    for index in range(len(header.cells)):
        if index in used:
            continue
        cells = [" ".join(r.cells[index].split()) for r in body if index < len(r.cells)]
        cells = [cell for cell in cells if _words(cell)]
        wordy = sum(_words(cell) >= _MIN_TEXT_WORDS for cell in cells)
        mean = sum(map(_words, cells)) / max(1, len(cells))
        text = 2 * wordy > len(cells) and 2 * len(set(cells)) > len(cells)
        if text and (best is None or mean > best[1]):
            best = (index, mean)
    return best


def _words(text: str) -> int:
    """Words with a letter in them: "0.97 -> 1.00" has none."""
    return sum(1 for word in text.split() if any(ch.isalpha() for ch in word))


def _column_name(header: Record, index: int) -> str:
    return header.cells[index].strip() or f"column {index + 1}"


def _filled_cells(record: Record) -> int:
    return sum(1 for cell in record.cells if cell.strip())


def _titles_skipped(titles: list[Record], header: Record) -> Warning:
    """The warning naming the title rows above a header, which are read as no entries."""
    texts = ", ".join(
        f"{' '.join(c.strip() for c in r.cells if c.strip())!r} (line {r.first})" for r in titles
    )
    return Warning(
        f"title row{'s' if len(titles) > 1 else ''} above the header on line {header.first} "
        f"read as no entries; skipped: {texts}",
        titles[0].first,
    )


def _without_footers(body: list[Record], result: ReadResult) -> list[Record]:
    """The body without the footer rows closing it, each skipped with a warning: a lone cell
    that counts or dates the rows ("Total terms: 3,,") after the last row of several cells.
    A lone term at the end ("Bookings,,") is an undefined entry and stays."""
    end = len(body)
    while end > 0 and _filled_cells(body[end - 1]) == 1:
        end -= 1
    kept = body[:end]
    for record in body[end:]:
        text = " ".join(c.strip() for c in record.cells if c.strip())
        if _FOOTER.search(text):
            result.warnings.append(
                Warning(
                    f"footer row on line {record.first} (a summary of the table) read as no "
                    f"entry; skipped: {text!r}",
                    record.first,
                )
            )
        else:
            kept.append(record)
    return kept


def _first_free_column(doc: Document, header: Record, layout: Layout) -> int:
    used = set(layout.roles.values())
    for index in range(len(header.cells)):
        if index not in used:
            return index
    raise SourceError(
        doc.path, "the header names no term column (term, name, label, prefLabel)", header.first
    )


def _row(record: Record, layout: Layout, result: ReadResult) -> Row | None:
    """A record as a row to turn into an entry; None for scheme rows and rows with no term."""
    term = layout.term(record)
    kind = normalise_header(layout.cell(record, "type"))
    if kind in _NOT_ENTRY_TYPES:
        if kind == "conceptscheme" and term and result.title is None:
            result.title = term
        return None
    # "Churn Rate; Attrition Rate": names split as in an aliases cell, the first the term
    # a line break in a term cell is a wrapped name ("Customer Lifetime\nValue" from Excel)
    names = [name for name in _NAMES_SPLIT.split(" ".join(term.split())) if name]
    if not names:
        result.warnings.append(
            Warning(f"row on line {record.first} has no term; skipped", record.first)
        )
        return None
    _check_width(record, layout, result)
    links = {
        kind: split_values(layout.cell(record, role)) for role, kind in _RELATION_KINDS.items()
    }
    return Row(record, names[0], layout.cell(record, "id"), links, names[1:])


def _check_width(record: Record, layout: Layout, result: ReadResult) -> None:
    """Rows wider than the header: join the spill into a last-column definition, else warn."""
    extra = record.cells[layout.width :]
    if not any(cell.strip() for cell in extra):
        return
    definition = layout.roles.get("definition")
    glue = f"{layout.delimiter} " if layout.delimiter in ",;" else " "
    if definition == layout.width - 1:
        record.cells[definition:] = [glue.join(c.strip() for c in record.cells[definition:])]
        result.warnings.append(
            Warning(
                f"row on line {record.first} has more cells than the header; the extra cells "
                "were read as part of the definition (quote cells that contain the delimiter)",
                record.first,
            )
        )
    elif definition is not None:
        # the definition held the delimiter, unquoted: the spill is its own, and the cells
        # after it are the columns after it ("Churn,Customers lost, usually monthly,Metrics")
        spill = len(record.cells) - layout.width
        record.cells[definition : definition + spill + 1] = [
            glue.join(c.strip() for c in record.cells[definition : definition + spill + 1])
        ]
        result.warnings.append(
            Warning(
                f"row on line {record.first} has {spill} more cell{'s' * (spill != 1)} than "
                "the header; read as part of its definition, the cells after them as the "
                "columns after it (quote cells that contain the delimiter)",
                record.first,
            )
        )
    else:
        result.warnings.append(
            Warning(
                f"row on line {record.first} has {len(record.cells)} cells, the header "
                f"{layout.width}; the extra cells were ignored",
                record.first,
            )
        )


def split_values(cell: str) -> list[str]:
    """ "A; B | C" or one value per line -> ["A", "B", "C"]; with none of those, a list of
    short names between commas ("Churn, Attrition") is split too. A placeholder ("n/a",
    "-", "none") is no value."""
    if is_placeholder(cell):
        return []
    values = [
        value for value in _MULTI_SPLIT.split(cell.strip()) if value and not is_placeholder(value)
    ]
    # "NDR / NRR": acronyms between slashes are several names ("P / L", "Profit / Loss" are
    # one each, and so stay whole unless every part is an acronym)
    values = [part for value in values for part in _acronyms_apart(value)]
    if len(values) == 1 and "," in values[0]:
        parts = [p.strip() for p in values[0].split(",")]
        if all(_a_name(p) for p in parts) and (
            all(p[0].isupper() for p in parts) or all(p.islower() for p in parts)
        ):
            return parts
    return values


def _acronyms_apart(value: str) -> list[str]:
    """ "NDR / NRR" -> ["NDR", "NRR"]; any other value as it is."""
    pieces = re.split(r"\s*/\s*", value)
    return pieces if len(pieces) > 1 and all(map(is_acronym, pieces)) else [value]


def _a_name(part: str) -> bool:
    """A short name between commas: not "net of discounts" after "Revenue", nor "Inc.",
    nor the "000" of "1,000"."""
    return (
        0 < len(part.split()) <= _MAX_LISTED_WORDS
        and any(ch.isalpha() for ch in part)
        and not part.endswith(".")
        and not (part.islower() and len(part.split()) > 2)
    )


def clean_text(text: str) -> str | None:
    """Trim each line and keep at most one blank line between paragraphs."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    cleaned = "\n".join(out).strip()
    return cleaned or None


def _entry(
    row: Row,
    layout: Layout,
    source: str,
    by_id: dict[str, Row],
    by_label: dict[str, Row],
    result: ReadResult,
    bad: dict[str, list[int]],
) -> Entry:
    """The entry for a row, its term taken apart and its relations resolved."""
    record = row.record
    parsed = parse_term(row.raw_term)
    term = parsed.term
    definition = clean_text(layout.cell(record, "definition"))
    named = [*row.others, *split_values(layout.cell(record, "aliases"))]
    aliases = [a for a in named if not _abbreviates(a, term)]
    acronyms = [
        *parsed.acronyms,
        *split_values(layout.cell(record, "acronyms")),
        *(a for a in named if a not in aliases),
    ]
    if definition:
        acronyms += acronyms_in(definition, term)
    flags = {Flag.STRUCTURED}
    if definition is None:
        flags.add(Flag.UNDEFINED)
    if parsed.combined:
        flags.add(Flag.COMBINED)
    return Entry(
        term=term,
        definition=definition,
        source=source,
        lines=(record.first, record.last),
        raw_term=row.raw_term,
        acronyms=unique_names(acronyms, term),
        aliases=unique_names([*parsed.aliases, *aliases], term),
        hidden=unique_names(split_values(layout.cell(record, "hidden")), term),
        collections=tuple(split_values(layout.cell(record, "collections"))),
        terms=parsed.terms if parsed.combined else (),
        relations=_relations(row, by_id, by_label, result),
        uri=row.ident or None,
        language=_language(layout.cell(record, "language"), record, bad),
        flags=frozenset(flags),
    )


def _language(value: str, record: Record, bad: dict[str, list[int]]) -> str | None:
    """A row's Language cell as a tag ("en" for English; None when empty). A cell that is no
    language ("Klingon") is gathered in `bad`, said once for the file, and the row read as
    the file's language."""
    if not value.strip():
        return None
    try:
        return language_tag(value, f"line {record.first}", english="en")
    except ValueError:
        bad.setdefault(value.strip(), []).append(record.first)
        return None


def _abbreviates(label: str, term: str) -> bool:
    """True for an alias that is the term's acronym ("CLV" of "Customer Lifetime Value")."""
    return is_acronym(label) and not is_acronym(term) and acronym_matches(label, term)


def _relations(
    row: Row, by_id: dict[str, Row], by_label: dict[str, Row], result: ReadResult
) -> tuple[Relation, ...]:
    """Relation cells resolved: an id names its row's term, a label is matched to a row."""
    relations: list[Relation] = []
    for kind, values in row.links.items():
        for value in values:
            relation = _resolve(kind, value, by_id, by_label)
            if relation is None:
                result.warnings.append(
                    Warning(
                        f"row on line {row.record.first}: {kind} {value!r} is not the id of any "
                        "row in this file; relation dropped",
                        row.record.first,
                    )
                )
            elif relation not in relations:
                relations.append(relation)
    return tuple(relations)


def _resolve(
    kind: RelationKind, value: str, by_id: dict[str, Row], by_label: dict[str, Row]
) -> Relation | None:
    target = by_id.get(value)
    if target is not None:  # a repeated row's id names the row read in its place
        return Relation(kind, parse_term(target.raw_term).term, target.ident or value)
    target = by_label.get(value.casefold())
    if target is not None:
        return Relation(kind, parse_term(target.raw_term).term, target.ident or None)
    if _LOOKS_LIKE_ID.match(value):
        return None
    return Relation(kind, value)
