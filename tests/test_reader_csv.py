"""The CSV reader: columns found by name, rows as entries, bad CSV named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.document import Document
from ingest.errors import SourceError
from ingest.model import Entry, Flag, ReadResult, Relation, RelationKind
from ingest.readers.csv import read

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
# Money Aggregate Vocabulary, CC BY-SA 4.0, from github.com/cadmiumkitty/moneyaggvoc
MONEYAGGVOC = SHARED / "skos" / "moneyaggvoc" / "moneyaggvoc.csv"


def read_text(text: str, name: str = "glossary.csv") -> ReadResult:
    return read(Document(Path(name), text.encode("utf-8")), "test")


def by_term(result: ReadResult) -> dict[str, Entry]:
    return {entry.term: entry for entry in result.entries}


# --- a published vocabulary exported as CSV ----------------------------------------------


@pytest.fixture(scope="module")
def moneyaggvoc() -> ReadResult:
    return read(Document(MONEYAGGVOC, MONEYAGGVOC.read_bytes()), "moneyaggvoc")


def by_uri(result: ReadResult) -> dict[str, Entry]:
    return {entry.uri: entry for entry in result.entries if entry.uri}


def test_moneyaggvoc_reads_every_concept_and_takes_the_scheme_row_as_title(
    moneyaggvoc: ReadResult,
) -> None:
    assert moneyaggvoc.title == "Money Aggregate Vocabulary"
    assert len(moneyaggvoc.entries) == 19
    assert [e.uri for e in moneyaggvoc.entries] == [f"mav:mav{n:03d}" for n in range(1, 20)]
    assert all(e.has(Flag.STRUCTURED) and e.source == "moneyaggvoc" for e in moneyaggvoc.entries)
    [unread] = moneyaggvoc.warnings  # and the columns it has no use for are named
    assert unread.message.startswith("columns not read: 'skos:hasTopConcept'")


def test_moneyaggvoc_resolves_broader_ids_to_the_target_rows_terms(
    moneyaggvoc: ReadResult,
) -> None:
    m1 = by_uri(moneyaggvoc)["mav:mav003"]
    assert m1.term == "M1"
    assert m1.aliases == ("Narrow money",)
    assert m1.relations == (
        Relation(RelationKind.BROADER, "Eurozone money aggregate", "mav:mav002"),
    )
    assert m1.definition is not None and m1.definition.startswith("Narrow money (M1) includes")
    m3h = by_uri(moneyaggvoc)["mav:mav019"]
    assert Relation(RelationKind.RELATED, "M3", "mav:mav005") in m3h.relations


def test_moneyaggvoc_multiline_cells_span_all_their_lines(moneyaggvoc: ReadResult) -> None:
    entries = by_uri(moneyaggvoc)
    assert entries["mav:mav001"].lines == (3, 3)
    assert entries["mav:mav002"].lines == (4, 7)
    assert entries["mav:mav019"].lines == (53, 74)
    assert "\n" in (entries["mav:mav002"].definition or "")


def test_moneyaggvoc_row_without_definition_is_undefined(moneyaggvoc: ReadResult) -> None:
    uk = by_uri(moneyaggvoc)["mav:mav015"]
    assert uk.term == "United Kingdom money aggregate"
    assert uk.definition is None
    assert uk.has(Flag.UNDEFINED)


# --- files without a header ---------------------------------------------------------------


def test_two_columns_without_header_are_term_and_definition_with_a_warning() -> None:
    result = read_text("ARR,Annual recurring revenue\nChurn,Customers lost in a period\n")
    assert [(e.term, e.definition) for e in result.entries] == [
        ("ARR", "Annual recurring revenue"),
        ("Churn", "Customers lost in a period"),
    ]
    assert result.entries[1].lines == (2, 2)
    assert len(result.warnings) == 1
    assert "no header row" in result.warnings[0].message


def test_three_columns_without_header_read_the_third_as_aliases() -> None:
    result = read_text("Churn,Customers lost,Attrition; Defection\n")
    (entry,) = result.entries
    assert entry.aliases == ("Attrition", "Defection")
    assert "term, definition, aliases" in result.warnings[0].message


def test_many_columns_without_header_is_an_error_naming_the_expected_columns() -> None:
    with pytest.raises(SourceError, match=r"no header row.*term.*definition"):
        read_text("a,b,c,d\n1,2,3,4\n")


# --- headers, delimiters and columns ------------------------------------------------------


def test_semicolon_delimiter_keeps_commas_inside_definitions() -> None:
    result = read_text(
        "Term;Definition\n"
        "Gross margin;Revenue minus cost of goods sold, as a share of revenue\n"
        "Net revenue;Revenue after returns, discounts and allowances\n"
    )
    assert by_term(result)["Gross margin"].definition == (
        "Revenue minus cost of goods sold, as a share of revenue"
    )
    assert len(result.entries) == 2
    assert result.warnings == []


def test_tab_separated_file() -> None:
    result = read_text("name\tdescription\nLTV\tLifetime value\n", name="glossary.tsv")
    assert [(e.term, e.definition) for e in result.entries] == [("LTV", "Lifetime value")]


def test_header_names_are_matched_case_insensitively_with_or_without_prefix() -> None:
    result = read_text(
        "skos:prefLabel,SKOS:Definition,Alt_Labels,Abbreviation,skos:hiddenLabel,@id\n"
        "Customer Lifetime Value,Revenue from one customer,Lifetime value,CLV,cust ltv,ex:1\n"
    )
    (entry,) = result.entries
    assert entry.term == "Customer Lifetime Value"
    assert entry.definition == "Revenue from one customer"
    assert entry.aliases == ("Lifetime value",)
    assert entry.acronyms == ("CLV",)
    assert entry.hidden == ("cust ltv",)
    assert entry.uri == "ex:1"


def test_aliases_column_splits_on_semicolons_bars_and_newlines() -> None:
    result = read_text(
        "term,definition,synonyms\n"
        'Net Promoter Score,Willingness to recommend,"Promoter score; NPS | Loyalty score\n'
        'Recommend score"\n'
        "Churn,Customers lost,\n"
        "MRR,Monthly revenue,!!!\n"  # no name in it: the file's own
        "ARR,Yearly revenue,https://example.org/wiki/ARR\n"  # a reference, not a document
    )
    nps = by_term(result)["Net Promoter Score"]
    assert nps.aliases == ("Promoter score", "Loyalty score", "Recommend score")
    assert nps.acronyms == ("NPS",)  # an alias that is the term's acronym
    assert nps.lines == (2, 3)
    assert by_term(result)["Churn"].aliases == ()


def test_terms_are_taken_apart_like_any_other_heading() -> None:
    result = read_text("term,definition\nCustomer Lifetime Value (CLV),Revenue per customer\n")
    (entry,) = result.entries
    assert entry.term == "Customer Lifetime Value"
    assert entry.raw_term == "Customer Lifetime Value (CLV)"
    assert entry.acronyms == ("CLV",)


def test_relations_resolve_by_id_or_label_and_unknown_ids_are_reported() -> None:
    result = read_text(
        "id,term,definition,broader,related\n"
        "g:1,Revenue,Money earned,,\n"
        "g:2,Recurring revenue,Revenue that repeats,g:1,Churn\n"
        "g:3,Churn,Customers lost,g:99,\n"
    )
    recurring = by_term(result)["Recurring revenue"]
    assert recurring.relations == (
        Relation(RelationKind.BROADER, "Revenue", "g:1"),
        Relation(RelationKind.RELATED, "Churn", "g:3"),
    )
    assert by_term(result)["Churn"].relations == ()
    assert len(result.warnings) == 1
    assert "g:99" in result.warnings[0].message and result.warnings[0].line == 4


@pytest.mark.parametrize(
    "header",
    ["Broader Term", "Broader", "Parent", "Parent Term", "Broader Concept", "Is a", "Type of"],
)
def test_a_parent_column_states_each_rows_broader_term(header: str) -> None:
    result = read_text(
        f"Term,Description,{header},Example,Status\n"
        "Logo Churn,Customers lost counted by account.,Churn,,Active\n"
        "Churn,Customers who leave in a period.,,,Active\n"
    )
    logo = by_term(result)["Logo Churn"]
    assert logo.relations == (Relation(RelationKind.BROADER, "Churn"),)
    # the parent column is read, so only the columns still unread are named
    assert [w.message for w in result.warnings] == ["columns not read: 'Example', 'Status'"]


def test_a_parent_named_in_no_row_is_kept_for_the_other_sources_to_match() -> None:
    result = read_text("Term,Definition,Parent\nLogo Churn,Customers lost by account,Churn\n")
    (logo,) = result.entries
    assert logo.relations == (Relation(RelationKind.BROADER, "Churn"),)
    assert not result.warnings


@pytest.mark.parametrize("header", ["Narrower", "Narrower Terms", "Children", "Child Terms"])
def test_a_children_column_states_each_rows_narrower_terms(header: str) -> None:
    result = read_text(
        f"Term,Definition,{header}\n"
        "Churn,Customers who leave,Logo Churn; Revenue Churn\n"
        "Logo Churn,Customers lost by account,\n"
    )
    assert by_term(result)["Churn"].relations == (
        Relation(RelationKind.NARROWER, "Logo Churn"),
        Relation(RelationKind.NARROWER, "Revenue Churn"),
    )
    assert not result.warnings


def test_quoted_cells_after_a_space_keep_their_delimiters() -> None:
    result = read_text('term, definition\nARR, "Annual, recurring revenue"\n')
    assert [(e.term, e.definition) for e in result.entries] == [
        ("ARR", "Annual, recurring revenue"),
    ]
    assert result.warnings == []


def test_header_without_a_term_column_reads_the_first_other_column_as_term() -> None:
    result = read_text("Field,Description\nRegion,Sales territory of the account\n")
    assert [(e.term, e.definition) for e in result.entries] == [
        ("Region", "Sales territory of the account"),
    ]
    assert "reading column 'Field' as the term" in result.warnings[0].message


def test_empty_definition_makes_an_undefined_entry() -> None:
    result = read_text("term,definition\nBookings,\nChurn,Customers lost\n")
    assert by_term(result)["Bookings"].has(Flag.UNDEFINED)
    assert not by_term(result)["Churn"].has(Flag.UNDEFINED)


def test_unquoted_delimiters_in_a_last_column_definition_are_kept_with_a_warning() -> None:
    result = read_text("term,definition\nARR,Annual revenue, recurring, normalised\n")
    assert result.entries[0].definition == "Annual revenue, recurring, normalised"
    assert "more cells than the header" in result.warnings[0].message


def test_a_definition_column_named_in_other_words_is_found_by_its_free_text() -> None:
    result = read_text(
        "Concept,What it means,Also called\n"
        "Churn,Customers who cancel in a period.,Attrition\n"
        "Net Revenue Retention,Revenue kept from existing customers.,NRR\n"
    )
    assert [(e.term, e.definition, e.aliases, e.acronyms) for e in result.entries] == [
        ("Churn", "Customers who cancel in a period.", ("Attrition",), ()),
        ("Net Revenue Retention", "Revenue kept from existing customers.", (), ("NRR",)),
    ]
    assert not any(e.has(Flag.UNDEFINED) for e in result.entries)
    assert [w.message for w in result.warnings] == [
        "no definition column in the header; reading column 'What it means' as the "
        "definition, as its cells are free text of 6 words on average"
    ]


@pytest.mark.parametrize(
    "header", ["Also called", "Synonyms", "AKA", "Other names", "Alternate terms", "Other name"]
)
def test_a_column_of_other_names_holds_aliases(header: str) -> None:
    result = read_text(f"Term,Definition,{header}\nChurn,Customers lost,Attrition\n")
    (churn,) = result.entries
    assert churn.aliases == ("Attrition",)
    assert not result.warnings


def test_without_a_column_of_free_text_the_columns_not_read_are_named() -> None:
    result = read_text(
        "Concept,What it means,Owner\n"
        "Churn,Customers lost,Customer Success Ops team\n"  # an owner repeated is no text
        "Upsell,Selling more,Customer Success Ops team\n"
    )
    assert [(e.term, e.definition) for e in result.entries] == [("Churn", None), ("Upsell", None)]
    assert [w.message for w in result.warnings] == ["columns not read: 'What it means', 'Owner'"]


# --- title rows and footers around the table ----------------------------------------------


def test_title_rows_above_the_header_and_a_footer_below_are_skipped_with_reasons() -> None:
    result = read_text(
        "ACME Customer Success Glossary,,\n"
        "Maintained by CS Ops - do not edit,,\n"
        ",,\n"
        "Term,Definition,Synonyms\n"
        "Churn,Customers who cancel in a period.,Attrition\n"
        "Upsell,Selling a bigger plan to a customer.,\n"
        "Net Revenue Retention,Revenue kept from existing customers.,NRR\n"
        ",,\n"
        "Total terms: 3,,\n"
    )
    assert [(e.term, e.aliases, e.acronyms, e.lines) for e in result.entries] == [
        ("Churn", ("Attrition",), (), (5, 5)),
        ("Upsell", (), (), (6, 6)),
        ("Net Revenue Retention", (), ("NRR",), (7, 7)),
    ]
    assert not any(e.has(Flag.UNDEFINED) for e in result.entries)
    assert [(w.line, w.message) for w in result.warnings] == [
        (
            1,
            "title rows above the header on line 4 read as no entries; skipped: "
            "'ACME Customer Success Glossary' (line 1), "
            "'Maintained by CS Ops - do not edit' (line 2)",
        ),
        (
            9,
            "footer row on line 9 (a summary of the table) read as no entry; "
            "skipped: 'Total terms: 3'",
        ),
    ]


def test_a_metrics_header_names_its_term_and_definition_columns() -> None:
    result = read_text(
        "Metric,How we calculate it,Abbreviation\n"
        "Net Revenue Retention,Revenue kept from existing customers,NRR\n"
        "Churn Rate,Lost / start,\n"
    )
    assert [(e.term, e.definition, e.acronyms) for e in result.entries] == [
        ("Net Revenue Retention", "Revenue kept from existing customers", ("NRR",)),
        ("Churn Rate", "Lost / start", ()),
    ]
    assert not result.warnings


def test_a_lone_term_closing_the_file_is_an_undefined_entry_not_a_footer() -> None:
    result = read_text("Term,Definition\nChurn,Customers lost.\nTotal Contract Value,\nBookings,\n")
    assert [e.term for e in result.entries] == ["Churn", "Total Contract Value", "Bookings"]
    assert not result.warnings


def test_rows_of_a_file_without_header_are_not_taken_for_titles() -> None:
    result = read_text("Churn,Customers lost in a period\nName,Full name of a customer\n")
    assert [e.term for e in result.entries] == ["Churn", "Name"]
    assert [w.message for w in result.warnings] == [
        "no header row; reading the columns as term, definition"
    ]


# --- bad input ----------------------------------------------------------------------------


def test_row_with_empty_term_is_skipped_with_a_warning_and_the_rest_imported() -> None:
    result = read_text(
        "term,definition\n"
        "ARR,Annual recurring revenue\n"
        ",A definition nobody named\n"
        "MRR,Monthly recurring revenue\n"
    )
    assert [e.term for e in result.entries] == ["ARR", "MRR"]
    assert result.entries[1].lines == (4, 4)
    (warning,) = result.warnings
    assert warning.line == 3
    assert "line 3" in warning.message and "no term" in warning.message


def test_unterminated_quote_is_an_error_naming_the_line_it_opened_on() -> None:
    with pytest.raises(SourceError) as caught:
        read_text(
            "term,definition\n"
            "ARR,Annual recurring revenue\n"
            'MRR,"Monthly recurring revenue\n'
            "Churn,Customers lost\n"
        )
    assert caught.value.line == 3
    assert "glossary.csv:3:" in str(caught.value)
    assert "unterminated quoted field" in str(caught.value)


def test_text_after_a_closing_quote_is_malformed_csv_with_its_line() -> None:
    with pytest.raises(SourceError, match=r"glossary\.csv:2: malformed CSV"):
        read_text('term,definition\nARR,"Annual" recurring\n')


def test_header_without_rows_is_an_error() -> None:
    with pytest.raises(SourceError, match="no rows below it"):
        read_text("term,definition\n")


def test_longer_and_other_language_headers_name_their_columns() -> None:
    result = read_text(
        "Glossary Term,Business Definition,Also Known As,Category\n"
        "ARR,yearly value of contracts,Annual Recurring Revenue,Finance\n"
    )
    arr = by_term(result)["ARR"]
    assert arr.definition == "yearly value of contracts"
    assert arr.aliases == ("Annual Recurring Revenue",)
    assert arr.collections == ("Finance",)  # a category, not a label
    german = read_text(
        "Begriff;Beschreibung;Kategorie\nARR;Jährlich wiederkehrender Umsatz;Finanzen\n"
    )
    assert set(by_term(german)) == {"ARR"}  # the header is not read as an entry
    assert by_term(german)["ARR"].collections == ("Finanzen",)
    assert not german.warnings


def test_a_term_id_column_is_an_id_not_a_term() -> None:
    result = read_text("Term ID,Term,Definition\nt1,Churn,Customers lost.\n")
    churn = by_term(result)["Churn"]
    assert churn.uri == "t1" and churn.definition == "Customers lost."


def test_header_words_that_name_something_else_are_not_taken_for_roles() -> None:
    result = read_text(
        "Category ID,Term,Definition source,Definition,Owner name\n"
        "finance,Churn,Glossary v2,Customers lost.,Carl Stone\n"
        ",,Glossary v2,An orphan row.,Carl Stone\n"
    )
    assert [(e.term, e.definition, e.uri) for e in result.entries] == [
        ("Churn", "Customers lost.", None)  # exact names win; the owner is no term
    ]
    assert "row on line 3 has no term; skipped" in [w.message for w in result.warnings]


def test_a_first_row_of_data_is_not_taken_for_a_header() -> None:
    result = read_text("Brand Name,The name customers know a product by.\nChurn,Customers lost.\n")
    assert [e.term for e in result.entries] == ["Brand Name", "Churn"]


def test_a_source_column_credits_each_row_to_its_own_source(tmp_path: Path) -> None:
    from ingest.pipeline import read_paths

    (tmp_path / "metrics.csv").write_text(
        "Term,Definition,Source\n"
        "Customer Lifetime Value,Total revenue from a customer,Sales wiki\n"
        "Customer Lifetime Value,Total gross profit from a customer,Finance wiki\n"
        "Churn,Customers lost,\n"
        "MRR,Monthly revenue,!!!\n"  # no name in it: the file's own
        "ARR,Yearly revenue,https://example.org/wiki/ARR\n"  # a reference, not a document
    )
    sources, _ = read_paths([tmp_path])
    by_id = {s.id: s for s in sources}
    assert set(by_id) == {"metrics", "sales-wiki", "finance-wiki"}
    assert by_id["sales-wiki"].title == "Sales wiki"
    assert [e.term for e in by_id["metrics"].entries] == ["Churn", "MRR", "ARR"]
    assert by_id["finance-wiki"].entries[0].lines == (3, 3)  # still its line in the file


def test_names_and_tags_listed_with_commas_are_split() -> None:
    result = read_text(
        "Term,Definition,Also Known As,Tags\n"
        'Customer Attrition,Customers who leave,"Churn, Attrition","Retention, Metrics"\n'
        'Bookings,"Contracts signed, billed or not",,"Revenue; Sales"\n'
    )
    attrition, bookings = result.entries
    assert attrition.aliases == ("Churn", "Attrition")
    assert attrition.collections == ("Retention", "Metrics")
    assert bookings.collections == ("Revenue", "Sales")
    assert bookings.definition == "Contracts signed, billed or not"  # definitions are not lists


def test_a_tab_separated_text_file_is_read_as_a_table(tmp_path: Path) -> None:
    from ingest.pipeline import read_paths

    (tmp_path / "export.txt").write_text(
        "Term\tDefinition\nChurn\tCustomers lost\nARR\tYearly revenue\n"
    )
    (tmp_path / "unicode.txt").write_bytes("Term\tDefinition\nQuota\tA target\n".encode("utf-16"))
    sources, _ = read_paths([tmp_path])
    terms = {s.id: [e.term for e in s.entries] for s in sources}
    assert terms == {"export": ["Churn", "ARR"], "unicode": ["Quota"]}


def test_excels_separator_line_names_the_delimiter() -> None:
    result = read_text("sep=;\nTerm;Definition\nChurn;Customers lost, in a period\n")
    (churn,) = result.entries
    assert (churn.term, churn.definition, churn.lines) == (
        "Churn",
        "Customers lost, in a period",
        (3, 3),
    )
    assert not result.warnings


def test_a_data_dictionary_keeps_its_field_names() -> None:
    result = read_text(
        "Field Name,Business Description,Data Owner\n"
        "customer_id,Unique identifier of a customer,CRM team\n"
    )
    (field,) = result.entries
    assert (field.term, field.definition, field.aliases) == (
        "customer_id",
        "Unique identifier of a customer",
        (),  # the owner is no other name
    )


def test_files_named_alike_in_two_folders_are_told_apart_by_folder(tmp_path: Path) -> None:
    from ingest.pipeline import read_paths

    for team, meaning in (("sales", "Revenue not yet recognised"), ("support", "Open tickets")):
        (tmp_path / team).mkdir()
        (tmp_path / team / "glossary.csv").write_text(f"Term,Definition\nBacklog,{meaning}\n")
    (tmp_path / "other.csv").write_text("Term,Definition\nQuota,A target\n")
    sources, _ = read_paths([tmp_path])
    assert sorted(s.id for s in sources) == ["other", "sales-glossary", "support-glossary"]


def test_adding_a_file_renames_no_source(tmp_path: Path) -> None:
    from ingest.pipeline import read_paths

    (tmp_path / "glossary.csv").write_text("Term,Definition\nChurn,Customers lost\n")
    assert [s.id for s in read_paths([tmp_path])[0]] == ["glossary"]
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "glossary.csv").write_text("Term,Definition\nQuota,A target\n")
    assert sorted(s.id for s in read_paths([tmp_path])[0]) == ["glossary", "team-glossary"]


def test_two_folders_with_files_named_alike_are_told_apart(tmp_path: Path) -> None:
    from ingest.pipeline import read_paths

    for team in ("sales", "support"):
        (tmp_path / team).mkdir()
        (tmp_path / team / "glossary.csv").write_text("Term,Definition\nBacklog,Work to do\n")
    for order in (
        [tmp_path / "sales", tmp_path / "support"],
        [tmp_path / "support", tmp_path / "sales"],
    ):
        ids = sorted(s.id for s in read_paths(order)[0])
        assert ids == ["sales-glossary", "support-glossary"]


def test_other_languages_headers_name_synonyms_abbreviations_and_a_language() -> None:
    text = (
        "Begriff;Definition;Synonyme;Abkürzung;Sprache;Notizen\n"
        "Kundenakquisitionskosten;Kosten, einen Kunden zu gewinnen.;Akquisekosten;CAC;de;x\n"
        "Churn;Customers lost in a period.;Attrition;;en;y\n"
    )
    result = read(Document(Path("de.csv"), text.encode()), "de")
    first, second = result.entries
    assert (first.aliases, first.acronyms, first.language) == (("Akquisekosten",), ("CAC",), "de")
    assert (second.aliases, second.language) == (("Attrition",), "en")  # said, so kept
    assert [w.message for w in result.warnings] == ["column not read: 'Notizen'"]


def test_language_cells_that_are_no_tag_are_said_once_and_names_are_read() -> None:
    text = (
        "term,definition,language\nChurn,Customers lost.,Klingon\nRenewal,Signing again.,Klingon\n"
    )
    text += "Upsell,Selling more.,German\nCross-sell,Selling others.,pt_BR\n"
    result = read(Document(Path("x.csv"), text.encode()), "x")
    assert [e.language for e in result.entries] == [None, None, "de", "pt-br"]
    [said] = result.warnings
    assert said.message.startswith("language 'Klingon' on line 2 and 1 more is no language tag")


def test_a_semicolon_or_comma_separated_text_file_with_a_header_is_read_as_a_table(
    tmp_path: Path,
) -> None:
    from ingest.pipeline import read_paths

    (tmp_path / "semicolons.txt").write_text(
        "Term;Definition;Synonyms\nChurn;Customers lost, in a period;Attrition\n"
        "ARR;Yearly revenue;\n"
    )
    (tmp_path / "commas.txt").write_text(
        'Term,Definition\nQuota,"A target, set yearly"\nSeat,One user\n'
    )
    # prose whose first line happens to hold commas is no table
    (tmp_path / "prose.txt").write_text(
        "Terms, definitions, and acronyms\n\nChurn: Customers lost, in a period.\n"
        "Upsell: Selling more.\n"
    )
    sources, _ = read_paths([tmp_path])
    read = {
        s.id: (s.format, [(e.term, e.definition, e.aliases) for e in s.entries]) for s in sources
    }
    assert read["semicolons"] == (
        "csv",
        [("Churn", "Customers lost, in a period", ("Attrition",)), ("ARR", "Yearly revenue", ())],
    )
    assert read["commas"] == (
        "csv",
        [("Quota", "A target, set yearly", ()), ("Seat", "One user", ())],
    )
    assert read["prose"][0] == "text"


def test_several_names_in_a_term_cell_give_the_first_as_term_and_the_rest_as_aliases() -> None:
    result = read_text(
        "Term,Synonyms,Definition,Related\n"
        "Churn Rate;Attrition Rate,,Percentage of customers lost in a period,\n"
        "Customer Lifetime Value | CLV,LTV,What a customer is worth over time,\n"
        "Retention,,Keeping customers,Attrition Rate\n"
        '"Net Revenue\nRetention",,Revenue kept with expansion,\n'
    )
    churn, clv, retention, nrr = result.entries
    assert (nrr.term, nrr.aliases) == ("Net Revenue Retention", ())  # wrapped, not two names
    assert (churn.term, churn.aliases) == ("Churn Rate", ("Attrition Rate",))
    assert (clv.term, clv.aliases, clv.acronyms) == ("Customer Lifetime Value", ("LTV",), ("CLV",))
    # a relation names the row by any of its names
    assert retention.relations == (Relation(RelationKind.RELATED, "Churn Rate"),)


def test_abbreviation_and_aka_headers_are_read_and_unread_columns_always_named() -> None:
    result = read_text(
        "ID,Glossary Term (EN),Abbrev.,AKA,Business Definition,Description / Notes,Owner\n"
        "1,Customer Lifetime Value,CLV,Lifetime Value,What a customer is worth,For planning,Ann\n"
    )
    (clv,) = result.entries
    assert (clv.term, clv.acronyms, clv.aliases, clv.definition) == (
        "Customer Lifetime Value",
        ("CLV",),
        ("Lifetime Value",),
        "What a customer is worth",
    )
    assert [w.message for w in result.warnings] == [
        "columns not read: 'Description / Notes', 'Owner'"
    ]


def test_columns_not_read_are_named_when_the_term_column_is_a_guess() -> None:
    result = read_text("Code,Definition,Owner\nARR,Yearly revenue,Finance\n")
    assert [w.message for w in result.warnings] == [
        "no term column in the header; reading column 'Code' as the term",
        "column not read: 'Owner'",
    ]


def test_a_row_repeated_exactly_is_read_once_with_a_warning() -> None:
    result = read_text(
        "ID,Term,Definition,Related\n"
        "1,Churn,Customers lost in a period,\n"
        "2,Quota,A sales target,Churn\n"
        "3,Churn,Customers  lost in a period,\n"  # another id, the same row
        "4,Churn,Customers lost in a month,\n"  # another definition: read
        "5,Renewal,Signing again,3\n"
    )
    assert [(e.term, e.definition) for e in result.entries] == [
        ("Churn", "Customers lost in a period"),
        ("Quota", "A sales target"),
        ("Churn", "Customers lost in a month"),
        ("Renewal", "Signing again"),
    ]
    assert [w.message for w in result.warnings] == [
        "duplicate row on line 4 repeats the row on line 2; read once"
    ]
    # the repeated row's id names the row read
    assert result.entries[-1].relations == (Relation(RelationKind.RELATED, "Churn", "1"),)


def test_an_alternative_names_column_holds_aliases() -> None:
    result = read_text("Name,Alternative names,Definition\nChurn,Attrition,Customers lost\n")
    (churn,) = result.entries
    assert churn.aliases == ("Attrition",)
    assert not result.warnings


def test_acronyms_between_slashes_in_an_aliases_cell_are_several_names() -> None:
    result = read_text(
        "Term,Aliases,Definition\n"
        "Net Revenue Retention,NDR / NRR,Revenue kept with expansion\n"
        "Profit and Loss,P / L,What was earned and spent\n"
    )
    nrr, pnl = result.entries
    assert set(nrr.aliases) | set(nrr.acronyms) == {"NDR", "NRR"}
    assert "P / L" in (*pnl.aliases, *pnl.acronyms)  # one name, not "P" and "L"


def test_an_acronym_list_names_each_acronyms_spelt_out_name() -> None:
    """'Acronym,Stands for' was read as an entry of its own, term "Acronym"."""
    result = read_text(
        "Acronym,Stands for\nCAC,Customer Acquisition Cost\nNRR,Net Revenue Retention\n"
    )
    entries = by_term(result)
    assert list(entries) == ["Customer Acquisition Cost", "Net Revenue Retention"]
    assert entries["Customer Acquisition Cost"].acronyms == ("CAC",)
    assert entries["Net Revenue Retention"].has(Flag.UNDEFINED)  # nothing defines it here


def test_an_unquoted_delimiter_inside_a_middle_definition_is_read_as_its_text() -> None:
    """The definition was cut at its first comma and the rest read as the next columns
    ("usually measured monthly" became a collection); the warning said "ignored"."""
    result = read_text(
        "Term,Definition,Category\n"
        "Churn,Customers lost in a period, usually measured monthly,Metrics\n"
        "Renewal,A customer signing again,Lifecycle\n"
    )
    churn = by_term(result)["Churn"]
    assert churn.definition == "Customers lost in a period, usually measured monthly"
    assert churn.collections == ("Metrics",)
    assert any("read as part of its definition" in w.message for w in result.warnings)


def test_placeholder_cells_name_nothing() -> None:
    """ "N/A" and "n/a" in Synonyms and Acronym columns made two rows one concept, "n/a"."""
    result = read_text(
        "Term,Synonyms,Acronym,Definition,Related Terms\n"
        "Expansion MRR,N/A,n/a,Monthly revenue added by upgrades.,-\n"
        "Contraction MRR,none,TBD,Monthly revenue lost to downgrades.,keine\n"
    )
    for entry in result.entries:
        assert entry.aliases == () and entry.acronyms == () and entry.relations == ()
