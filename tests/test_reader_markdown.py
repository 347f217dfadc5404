"""The Markdown reader: each glossary layout it recognises, and that odd input never breaks it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.document import Document
from ingest.errors import SourceError
from ingest.model import Entry, Flag, ReadResult, Relation, RelationKind
from ingest.readers.markdown import read

# From RocketChat/handbook (MIT licence), kept unchanged as a real-world sample.
ROCKETCHAT = (
    Path(__file__).parents[1].parent
    / "shared"
    / "data"
    / "glossaries"
    / "rocketchat-handbook_glossary.md"
)


def read_text(text: str) -> ReadResult:
    return read(Document(Path("x.md"), text.encode()), "src")


def by_term(result: ReadResult) -> dict[str, Entry]:
    return {entry.term: entry for entry in result.entries}


# --- the RocketChat handbook glossary ------------------------------------------------------


@pytest.fixture(scope="module")
def rocketchat() -> ReadResult:
    if not ROCKETCHAT.exists():
        pytest.skip(f"sample glossary not found: {ROCKETCHAT}")
    return read(Document(ROCKETCHAT, ROCKETCHAT.read_bytes()), "rocketchat")


def test_rocketchat_title_and_size(rocketchat: ReadResult) -> None:
    assert rocketchat.title == "Glossary"
    assert len(rocketchat.entries) >= 30
    assert all(entry.source == "rocketchat" for entry in rocketchat.entries)


def test_rocketchat_section_headings_are_not_terms(rocketchat: ReadResult) -> None:
    terms = by_term(rocketchat)
    for section in ("Glossary", "Metrics", "Recurring Revenue Concepts", "Revenue Weekly - SDRs"):
        assert section not in terms
    reasons = {(d.lines[0], d.reason) for d in rocketchat.dropped}
    assert (79, "section introduction") in reasons  # "Refer to [Whimsical](...)"
    assert (178, "section introduction") in reasons  # "All the metrics below exclude ..."
    assert (1, "front matter") in reasons


def test_rocketchat_heading_with_list_definition(rocketchat: ReadResult) -> None:
    prospect = by_term(rocketchat)["Prospect"]
    assert prospect.lines == (11, 14)
    assert prospect.definition is not None
    assert "Visitors on the website" in prospect.definition
    assert "- Responsible: Marketing" in prospect.definition
    assert prospect.collections == ("Metrics",)


def test_rocketchat_nested_list_items_are_indented(rocketchat: ReadResult) -> None:
    lead = by_term(rocketchat)["Lead"]
    assert lead.definition is not None
    assert "\n  - Shared personal information but no company information" in lead.definition


def test_rocketchat_acronyms_from_headings(rocketchat: ReadResult) -> None:
    terms = by_term(rocketchat)
    assert terms["Marketing Qualified Lead"].acronyms == ("MQL",)
    assert terms["Marketing Qualified Lead"].raw_term == "Marketing Qualified Lead (MQL)"
    assert terms["Annual Contract Value"].acronyms == ("ACV",)
    assert terms["Opportunity"].acronyms == ("Opp",)
    assert terms["Software as a Service"].acronyms == ("SaaS",)


def test_rocketchat_section_is_the_collection(rocketchat: ReadResult) -> None:
    terms = by_term(rocketchat)
    assert terms["Annual Contract Value"].collections == ("Recurring Revenue Concepts",)
    assert terms["# of SQL Created"].collections == ("Revenue Weekly - SDRs",)


def test_rocketchat_link_only_definition_is_undefined(rocketchat: ReadResult) -> None:
    territory = by_term(rocketchat)["Sales Territory"]
    assert territory.definition is None
    assert territory.has(Flag.UNDEFINED)
    assert territory.see == ("How we get the Sales Territory",)


def test_rocketchat_bold_heading_text(rocketchat: ReadResult) -> None:
    created = by_term(rocketchat)["# of SQL Created"]
    assert created.definition == "Count of New Sale Deals."
    assert created.lines == (184, 186)


def test_rocketchat_bold_colon_line_acts_as_heading(rocketchat: ReadResult) -> None:
    terms = by_term(rocketchat)
    category = terms["Forecasting Category"]
    assert category.definition is not None
    for value in ("Commit", "Best Case", "Early Stage", "Omitted"):
        assert f"- {value}" in category.definition
    assert category.lines == (43, 48)
    # the bold line ends the heading above it: SQL's definition stops before it
    sql = terms["Sales Qualified Lead"]
    assert sql.definition is not None
    assert "Forecasting" not in sql.definition


def test_rocketchat_links_in_definitions_keep_their_text(rocketchat: ReadResult) -> None:
    index = by_term(rocketchat)["Community Size Composite Index"]
    assert index.definition is not None
    assert "measure our Community Size growth." in index.definition
    assert "\n\n- 30% Users on Open Server" in index.definition
    assert "http" not in index.definition


# --- headings ---------------------------------------------------------------------------------


def test_heading_with_paragraphs() -> None:
    result = read_text(
        "# Sales Terms\n\n"
        "## Churn\n\n"
        "Customers who **leave**, see [the report](https://x.example).\n\n"
        "Measured `monthly`. ![chart](c.png)\n\n"
        "## Net Revenue Retention\n\n"
        "Revenue kept from existing customers; NRR for short.\n"
    )
    assert result.title == "Sales Terms"
    churn, nrr = result.entries
    assert churn.term == "Churn"
    assert churn.definition == "Customers who leave, see the report.\n\nMeasured monthly."
    assert churn.lines == (3, 7)
    assert churn.collections == ()  # the document title is not a collection
    assert nrr.acronyms == ("NRR",)


def test_heading_without_text_is_undefined() -> None:
    result = read_text("## Quota\n\n## Pipeline\n\nOpen deals.\n")
    quota = by_term(result)["Quota"]
    assert quota.definition is None
    assert quota.has(Flag.UNDEFINED)
    assert quota.lines == (1, 1)
    assert by_term(result)["Pipeline"].definition == "Open deals."


def test_noise_is_dropped_with_reasons() -> None:
    result = read_text("## Churn\n\nLosing customers.\n\n<!-- todo -->\n\n---\n\n##\n")
    assert result.entries[0].definition == "Losing customers."
    reasons = {d.reason for d in result.dropped}
    assert {"HTML comment", "horizontal rule", "empty heading"} <= reasons


def test_emoji_and_markup_are_cleaned_from_titles() -> None:
    result = read_text("# 📘 **Glossary**\n\n## 💰 Finance\n\n### Margin\n\nProfit share.\n")
    assert result.title == "Glossary"
    assert by_term(result)["Margin"].collections == ("Finance",)


def test_combined_heading() -> None:
    entry = read_text("## Upsell and Cross-sell\n\nSelling more.\n").entries[0]
    assert entry.has(Flag.COMBINED)
    assert entry.terms == ("Upsell", "Cross-sell")


# --- bold and plain term lines ---------------------------------------------------------------


def test_bold_colon_list() -> None:
    result = read_text(
        "# Glossary\n\n"
        "- **Churn**: customers who leave.\n"
        "- **Net Revenue Retention (NRR):** revenue kept.\n"
        "- **CAC** - cost to acquire a customer.\n"
        "  - includes marketing spend\n"
    )
    churn, nrr, cac = result.entries
    assert (churn.term, churn.definition, churn.lines) == ("Churn", "customers who leave.", (3, 3))
    assert (nrr.term, nrr.acronyms) == ("Net Revenue Retention", ("NRR",))
    assert cac.definition == "cost to acquire a customer.\n\n- includes marketing spend"
    assert cac.lines == (5, 6)


def test_numbered_list_under_a_heading_holds_entries() -> None:
    result = read_text(
        "## Key terms\n\n1. Churn: customers who leave.\n2. **ARR** — annual recurring revenue.\n"
    )
    assert [e.term for e in result.entries] == ["Churn", "ARR"]
    assert all(e.collections == ("Key terms",) for e in result.entries)
    assert result.entries[1].definition == "annual recurring revenue."


def test_heading_ending_in_colon_keeps_its_list() -> None:
    result = read_text("#### Tiers:\n\n- Gold: the top tier\n- Silver: the middle tier\n")
    entry, *listed = result.entries
    assert entry.term == "Tiers"
    assert entry.definition == "- Gold: the top tier\n- Silver: the middle tier"
    assert [(e.term, e.definition) for e in listed] == [
        ("Gold", "the top tier"),
        ("Silver", "the middle tier"),
    ]  # each listed term is an entry too, under the one that lists it
    assert all(e.relations == (Relation(RelationKind.BROADER, "Tiers"),) for e in listed)


def test_a_list_not_all_of_terms_makes_no_entries_of_its_items() -> None:
    result = read_text("#### Prospect:\n\n- A visitor of the site\n- Responsible: Marketing\n")
    assert [e.term for e in result.entries] == ["Prospect"]


def test_a_listed_term_over_a_list_of_its_own_is_an_entry() -> None:
    result = read_text(
        "**Forecasting Scenarios:**\n\n- Optimistic:\n  - Commit = 100%\n"
        "- Base:\n  - Commit = 90%\n"
    )
    assert [(e.term, e.definition) for e in result.entries[1:]] == [
        ("Optimistic", "- Commit = 100%"),
        ("Base", "- Commit = 90%"),
    ]


def test_bold_line_with_colon_before_a_list_ends_the_heading_above() -> None:
    result = read_text(
        "# Glossary\n\n## Sales\n\n#### Lead:\n\n- Someone interested\n\n"
        "**Forecast Category (formerly Confidence):**\n\n"
        "- Commit: will close\n- Omitted: too early\n"
    )
    lead, category, commit, omitted = result.entries
    assert lead.definition == "- Someone interested"
    assert (category.term, category.lines, category.collections) == (
        "Forecast Category",
        (9, 12),
        ("Sales",),
    )
    assert category.definition == "- Commit: will close\n- Omitted: too early"
    assert category.aliases == ("Confidence",)  # its former name
    assert (commit.term, commit.lines, omitted.term) == ("Commit", (11, 11), "Omitted")


def test_prose_without_terms_is_reported() -> None:
    result = read_text("Just some notes about the team.\n")
    assert result.entries == []
    assert result.warnings


def test_bold_paragraph_lines() -> None:
    result = read_text(
        "**Churn:** customers who leave\n"
        "and do not come back.\n\n"
        "**Bookings**\n"
        "Signed contract value.\n"
    )
    churn, bookings = result.entries
    assert churn.definition == "customers who leave and do not come back."
    assert churn.lines == (1, 2)
    assert bookings.definition == "Signed contract value."


def test_plain_term_paragraphs() -> None:
    result = read_text(
        "Intro text without a term.\n\n"
        "Churn: customers who leave.\n\n"
        "Gross Margin: revenue less cost of sales.\n\n"
        "This is a sentence, not a term: it has punctuation.\n"
    )
    assert [e.term for e in result.entries] == ["Churn", "Gross Margin"]
    assert result.dropped[0].reason == "text before the first heading"


def test_index_letter_headings_are_sections() -> None:
    result = read_text("## A\n\n- Accrual: revenue earned\n\n## B\n\n- Backlog: signed work\n")
    assert [e.term for e in result.entries] == ["Accrual", "Backlog"]
    assert all(e.collections == () for e in result.entries)


# --- tables -----------------------------------------------------------------------------------


def test_table_with_aliases_column() -> None:
    result = read_text(
        "# Glossary\n\n"
        "| Term | Synonyms | Definition |\n"
        "|------|----------|------------|\n"
        "| Churn | Attrition; Customer churn | Customers who **leave**. |\n"
        "| Customer Lifetime Value (CLV) | LTV, Lifetime value | Revenue over a lifetime. |\n"
        "| | | orphan row |\n"
        "| Quota | | |\n"
    )
    terms = by_term(result)
    assert terms["Churn"].aliases == ("Attrition", "Customer churn")
    assert terms["Churn"].definition == "Customers who leave."
    assert terms["Churn"].lines == (5, 5)
    assert terms["Customer Lifetime Value"].acronyms == ("CLV",)
    assert terms["Customer Lifetime Value"].aliases == ("LTV", "Lifetime value")
    assert terms["Quota"].has(Flag.UNDEFINED)
    assert any(d.reason == "table row without a term" for d in result.dropped)


def test_table_without_term_columns_is_not_entries() -> None:
    result = read_text("| Region | Owner | Quota |\n|---|---|---|\n| EMEA | Ana | 10 |\n")
    assert result.entries == []
    assert result.dropped[0].reason == "table without term and definition columns"


# --- front matter --------------------------------------------------------------------------


def test_front_matter_is_skipped_and_lines_stay_true() -> None:
    text = "---\ntitle: Sales words\nowner: ops\n---\n\n## Churn\n\nCustomers who leave.\n"
    result = read_text(text)
    (churn,) = result.entries
    assert churn.lines == (6, 8)
    assert text.split("\n")[churn.lines[0] - 1] == "## Churn"
    assert result.dropped[0].lines == (1, 4)
    assert result.dropped[0].reason == "front matter"
    assert result.title == "Sales words"  # no H1, so the front matter's title


def test_unclosed_front_matter_is_ordinary_text() -> None:
    result = read_text("---\n## Churn\n\nCustomers who leave.\n")
    assert [e.term for e in result.entries] == ["Churn"]


# --- never raising ---------------------------------------------------------------------------

_MARKDOWNISH = st.text(
    alphabet=st.sampled_from(list("#*_-:|`[]()!<>=~ \n\t\\abcXYZ1.,;—–🔤\u200d")),
    max_size=300,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(_MARKDOWNISH, st.text(max_size=300)))
def test_any_text_gives_a_read_result(text: str) -> None:
    try:
        result = read_text(text)
    except SourceError:
        return  # the document itself refused the bytes (for instance, binary-looking)
    assert isinstance(result, ReadResult)
    line_count = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    for entry in result.entries:
        assert entry.term
        assert entry.source == "src"
        assert entry.lines is not None
        assert 1 <= entry.lines[0] <= entry.lines[1] <= line_count
    for dropped in result.dropped:
        assert 1 <= dropped.lines[0] <= dropped.lines[1] <= line_count


def test_a_term_heading_with_deeper_headings_keeps_its_own_definition() -> None:
    """Among peer term headings, '## Expansion MRR' is a term though '### Contraction MRR'
    follows it; categories ('## Sales metrics' over terms) still only name collections."""
    result = read_text(
        "# Sales glossary\n\n## ARR\n\nAnnual Recurring Revenue.\n\n"
        "## Expansion MRR\n\nAdditional monthly recurring revenue from existing customers.\n\n"
        "### Contraction MRR\n\nMonthly recurring revenue lost to downgrades.\n\n"
        "## Churn\n\nCustomers who cancel.\n"
    )
    terms = by_term(result)
    assert terms["Expansion MRR"].definition.startswith("Additional monthly recurring")
    assert terms["Contraction MRR"].definition.startswith("Monthly recurring revenue lost")
    assert not result.dropped
    grouped = read_text(
        "## Sales metrics\n\nWhat sales tracks.\n\n### ARR\n\nAnnual revenue.\n\n"
        "## Support metrics\n\nWhat support tracks.\n\n### CSAT\n\nSatisfaction.\n"
    )
    assert set(by_term(grouped)) == {"ARR", "CSAT"}
    assert by_term(grouped)["ARR"].collections == ("Sales metrics",)


def test_a_bold_term_followed_by_is_defines_it() -> None:
    result = read_text("## B\n\n**Burn Rate** is the monthly net cash outflow.\n")
    assert by_term(result)["Burn Rate"].definition == "Burn Rate is the monthly net cash outflow."


def test_kinds_listed_under_a_term_heading_stay_in_its_definition() -> None:
    result = read_text(
        "## Churn\n\nChurn is the loss of customers.\n\n"
        "- **Logo churn** is customers lost.\n- **Revenue churn** is revenue lost.\n\n"
        "## MRR\n\nMonthly recurring revenue.\n"
    )
    churn = by_term(result)["Churn"]
    assert churn.definition.startswith("Churn is the loss of customers.")
    assert "Logo churn" in churn.definition


def test_housekeeping_headings_do_not_make_sections_terms() -> None:
    result = read_text(
        "## Introduction\n\nThis glossary is ours.\n\n## How to use\n\nSearch it.\n\n"
        "## Contributing\n\nOpen a pull request.\n\n"
        "## Metrics\n\nNumbers we track.\n\n### ARR\n\nAnnual revenue.\n\n"
        "## Roles\n\nWho does what.\n\n### CSM\n\nCustomer success manager.\n"
    )
    terms = by_term(result)
    assert "Metrics" not in terms and "Roles" not in terms
    assert terms["ARR"].collections == ("Metrics",)


def test_facet_headings_under_a_term_stay_in_its_definition() -> None:
    result = read_text(
        "# Metrics Handbook\n\n"
        "**Table of contents**\n\n"
        "- [Churn](#churn)\n- [Net Revenue Retention](#net-revenue-retention)\n\n"
        "## Churn\n\nThe share of customers who cancel in a period.\n\n"
        "### Example\n\nIf 10 of 100 customers leave in March, churn is 10%.\n\n"
        "### Formula\n\n```\nchurn = customers_lost / customers_at_start\n```\n\n"
        "## Net Revenue Retention\n\nRevenue kept from existing customers.\n\n"
        "### Example\n\n120% means the base grew by a fifth.\n\n"
        "## Page owner\n\nMaintained by the RevOps team. Last edited 2024-03-01.\n"
    )
    terms = by_term(result)
    assert list(terms) == ["Churn", "Net Revenue Retention"]  # no Example, Formula, Page owner
    assert terms["Churn"].definition == (
        "The share of customers who cancel in a period.\n\n"
        "Example:\n\nIf 10 of 100 customers leave in March, churn is 10%.\n\n"
        "Formula:\n\nchurn = customers_lost / customers_at_start"
    )
    assert terms["Net Revenue Retention"].definition.endswith(
        "Example:\n\n120% means the base grew by a fifth."
    )
    assert not terms["Churn"].see  # the table of contents links nothing together


def test_a_term_heading_whose_deeper_headings_are_terms_is_still_a_section() -> None:
    result = read_text(
        "## Revenue metrics\n\n### ARR\n\nAnnual recurring revenue.\n\n"
        "### Examples of churn\n\nSomething else.\n"  # a term: no facet word alone
    )
    assert list(by_term(result)) == ["ARR", "Examples of churn"]
    assert by_term(result)["ARR"].collections == ("Revenue metrics",)


@pytest.mark.parametrize("heading", ["1. Churn", "2) Churn", "(3) Churn", "1.2 Churn", "IV. Churn"])
def test_numbered_headings_lose_their_numbers(heading: str) -> None:
    result = read_text(f"## {heading}\n\nThe loss of customers.\n\n## Renewal\n\nSigning again.\n")
    assert list(by_term(result)) == ["Churn", "Renewal"]


def test_a_term_named_like_a_facet_among_peer_terms_is_a_term() -> None:
    result = read_text(
        "# CS Glossary\n\n## Churn\n\nThe loss of customers.\n\n### Example\n\n10 of 100.\n\n"
        "## Usage\n\nHow much customers use the product.\n\n"
        "## Feedback\n\nWhat customers tell us.\n"
    )
    assert list(by_term(result)) == ["Churn", "Usage", "Feedback"]
    assert by_term(result)["Churn"].definition == "The loss of customers.\n\nExample:\n\n10 of 100."


def test_without_a_title_the_top_headings_are_terms_with_their_facets() -> None:
    result = read_text(
        "## Churn\n\nCustomers lost.\n\n### Example\n\n10 of 100.\n\n"
        "## Renewal\n\nSigning again.\n\n### Example\n\nA second year.\n"
    )
    assert list(by_term(result)) == ["Churn", "Renewal"]
    assert by_term(result)["Renewal"].definition.endswith("Example:\n\nA second year.")


@pytest.mark.parametrize(
    ("written", "term", "alias"),
    [
        ('Commit (former "Very Confident")', "Commit", "Very Confident"),
        (
            'Forecasting Category (former "Confidence Level" on Zoho CRM)',
            "Forecasting Category",
            "Confidence Level",
        ),
        ("Pipeline (formerly “Funnel”)", "Pipeline", "Funnel"),
        ('Deal (formerly known as "Opportunity")', "Deal", "Opportunity"),
        (
            "Customer Success Manager (formerly known as Account Manager)",
            "Customer Success Manager",
            "Account Manager",
        ),
        ("Deal (previously called Upside)", "Deal", "Upside"),
        ("Deal (former name: Upside)", "Deal", "Upside"),
        ("Churn (formerly Attrition)", "Churn", "Attrition"),
    ],
)
def test_a_former_name_in_parentheses_is_kept_as_a_name(
    written: str, term: str, alias: str
) -> None:
    from ingest.terms import parse_term

    parsed = parse_term(written)
    assert (parsed.term, parsed.aliases, parsed.note) == (term, (alias,), None)


def test_a_former_name_cut_at_an_apostrophe_is_no_name() -> None:
    from ingest.terms import parse_term

    assert parse_term("Choice (former 'Customer's Choice')").aliases == ()


def test_a_term_defined_then_listing_terms_of_its_own_keeps_both() -> None:
    result = read_text(
        "# Glossary\n\n## Onboarding\nThe first 90 days of a customer's journey. It includes:\n"
        "- Kickoff: a call to agree goals and timeline.\n"
        "- Configuration: setting up the product for the customer.\n\n"
        "## Churn\nCustomers who leave.\n"
    )
    onboarding, kickoff, configuration, churn = result.entries
    assert onboarding.term == "Onboarding"
    assert onboarding.definition is not None
    assert onboarding.definition.startswith("The first 90 days")
    assert (kickoff.term, configuration.term, churn.term) == ("Kickoff", "Configuration", "Churn")
    assert kickoff.relations == (Relation(RelationKind.BROADER, "Onboarding"),)


def test_a_term_described_item_by_item_is_one_term() -> None:
    result = read_text(
        "# Glossary\n\n## Average Revenue Per Account\n"
        "- Formula: recurring revenue divided by accounts.\n- Owner: Finance team.\n"
        "- Frequency: monthly.\n\n## Health Score\n- Usage: 40%\n- Support tickets: 20%\n"
    )
    assert [e.term for e in result.entries] == ["Average Revenue Per Account", "Health Score"]
    assert "Owner: Finance team." in (result.entries[0].definition or "")


def test_a_section_introducing_its_terms_stays_a_section() -> None:
    result = read_text(
        "# Glossary\n\n## Sales\nThe following terms are used by sales.\n"
        "- Lead: someone interested.\n- Opportunity: a qualified deal.\n"
    )
    assert [(e.term, e.collections) for e in result.entries] == [
        ("Lead", ("Sales",)),
        ("Opportunity", ("Sales",)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "# G\n\n## Metrics\nKey metrics we track every quarter.\n- ARR: annual recurring revenue "
        "across all accounts.\n- MRR: monthly recurring revenue across all accounts.\n",
        "# G\n\n## Deal fields\n- ARR: The yearly value of the deal.\n- MRR: The monthly value "
        "of the deal.\n",
    ],
)
def test_a_section_of_terms_with_a_short_intro_or_a_plural_name_stays_a_section(text: str) -> None:
    result = read_text(text)
    assert [e.term for e in result.entries] == ["ARR", "MRR"]
    assert all(not e.has(Flag.LISTED) for e in result.entries)


def test_fields_described_in_sentences_are_terms_not_facets() -> None:
    result = read_text(
        "# G\n\n## Deal\nA sales opportunity. Its fields:\n"
        "- Owner: The sales rep responsible for closing the deal this quarter.\n"
        "- Status: Where the deal stands in the pipeline today.\n"
    )
    assert [e.term for e in result.entries] == ["Deal", "Owner", "Status"]


def test_noise_under_a_heading_is_dropped_once() -> None:
    result = read_text("# G\n\n## Churn\n<!-- note -->\nCustomers who leave.\n")
    assert [d.reason for d in result.dropped].count("HTML comment") == 1


def test_previously_without_a_naming_word_is_a_note() -> None:
    from ingest.terms import parse_term

    parsed = parse_term("Health Score (previously weighted by usage)")
    assert (parsed.aliases, parsed.note) == ((), "previously weighted by usage")


# --- one page per term (a Notion export) ------------------------------------------------------


@pytest.mark.parametrize(
    "kinds",
    [
        "| Term | Definition |\n|---|---|\n| Logo Churn | Accounts lost. |\n"
        "| Revenue Churn | Revenue lost. |\n",
        "**Logo Churn**: Accounts lost.\n**Revenue Churn**: Revenue lost.\n",
    ],
)
def test_terms_after_a_headings_own_definition_are_its_kinds(kinds: str) -> None:
    """The heading's definition was dropped as a section's introduction and Churn Rate lost."""
    result = read_text(
        "# Glossary\n\n## Churn Rate\n\nShare of customers lost in a period.\n\n"
        + kinds
        + "\n## Health Score\n\nA composite indicator of renewal likelihood.\n"
    )
    entries = by_term(result)
    assert list(entries) == ["Churn Rate", "Logo Churn", "Revenue Churn", "Health Score"]
    assert entries["Churn Rate"].definition == "Share of customers lost in a period."
    assert entries["Logo Churn"].relations == (Relation(RelationKind.BROADER, "Churn Rate"),)
    assert not result.dropped
    # an introduction, not a definition: the heading names a group of terms
    intro = read_text("# G\n\n## Sales\n\nOur words.\n\n" + kinds)
    assert [e.term for e in intro.entries] == ["Logo Churn", "Revenue Churn"]


def test_terms_listed_under_a_listed_term_are_entries_under_it() -> None:
    result = read_text(
        "# Glossary\n\n- Renewal: The customer signs a new term.\n"
        "  - Auto-renewal: The contract renews unless cancelled.\n"
        "  - Early renewal: Renewal signed 90 days before the end.\n"
        "- Downgrade: The customer moves to a cheaper plan.\n"
    )
    entries = by_term(result)
    assert list(entries) == ["Renewal", "Auto-renewal", "Early renewal", "Downgrade"]
    assert entries["Auto-renewal"].relations == (Relation(RelationKind.BROADER, "Renewal"),)
    assert entries["Early renewal"].lines == (5, 5) and entries["Early renewal"].has(Flag.LISTED)
    assert "Auto-renewal" in (entries["Renewal"].definition or "")  # its definition, whole


def test_definition_lists_give_an_entry_per_term() -> None:
    """Pandoc's and PHP Markdown Extra's definition lists: a term, then ': its definition'."""
    result = read_text(
        "# Support glossary\n\nFirst Response Time\n: The time until the first human reply.\n\n"
        "SLA\n: Service Level Agreement.\n: What we promise, by plan.\n"
    )
    assert [(e.term, e.definition, e.lines) for e in result.entries] == [
        ("First Response Time", "The time until the first human reply.", (3, 4)),
        ("SLA", "Service Level Agreement. What we promise, by plan.", (6, 8)),
    ]


def test_notes_change_logs_references_and_footers_are_no_terms() -> None:
    result = read_text(
        "# Glossary\n\n## Churn\n\nCustomers who cancel in a period.\n\n"
        "Last updated by Jordan Kim on 12 March 2024\n\n"
        "## Upsell\n\nSelling a bigger plan to an existing customer.\n\n"
        "---\n\n*Questions? Ask in #revops on Slack.*\n\n"
        "## Notes\n\nDefinitions are reviewed every quarter.\n\n"
        "## Changelog\n\n- 2024-03-01: added Upsell.\n\n"
        "## References\n\n- Finance handbook, section 4.\n"
    )
    assert [(e.term, e.definition) for e in result.entries] == [
        ("Churn", "Customers who cancel in a period."),
        ("Upsell", "Selling a bigger plan to an existing customer."),
    ]
    dropped = {d.text: d.reason for d in result.dropped}
    assert dropped["Last updated by Jordan Kim on 12 March 2024"] == "page footer"
    back = read_text("# G\n\n## Churn\n\nCustomers lost.\n\n[Back to top](#g)\n")
    assert [e.definition for e in back.entries] == ["Customers lost."]
    assert dropped["*Questions? Ask in #revops on Slack.*"] == "page footer"
    assert any("2024-03-01" in text for text in dropped)  # said, not lost


QBR_PAGE = """# Quarterly Business Review

Owner: Customer Success
Tags: meetings

A quarterly meeting with a customer's leadership to review outcomes and agree on goals.

## Agenda

1. Results against goals
2. Next quarter's plan
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("x.md", QBR_PAGE),  # Notion's properties say it is a page of its own
        # named after its title, as Notion names each page's file
        ("Quarterly Business Review 0123456789abcdef0123456789abcdef.md", QBR_PAGE),
        (
            "Quarterly Business Review.md",
            QBR_PAGE.replace("Owner: Customer Success\nTags: meetings\n\n", ""),
        ),
    ],
)
def test_a_term_page_with_sections_is_one_entry(name: str, text: str) -> None:
    result = read(Document(Path(name), text.encode()), "src")
    (qbr,) = result.entries
    assert qbr.term == "Quarterly Business Review" and qbr.lines == (1, text.count("\n"))
    assert qbr.definition is not None
    assert qbr.definition.startswith("A quarterly meeting with a customer's leadership")
    assert "Agenda" in qbr.definition and "Next quarter's plan" in qbr.definition


@pytest.mark.parametrize(
    ("name", "text", "terms"),
    [
        # an introduction, then terms: a glossary page, whatever its file is called
        ("Sales.md", "# Sales\n\nWhat we sell.\n\n## Pipeline\n\nOpen deals.\n", ["Pipeline"]),
        ("Sales Terms.md", "# Sales Terms\n\nOur words.\n\n## Quota\n\nA target.\n", ["Quota"]),
        (
            "Sales Glossary.md",
            "# Sales Glossary\n\nOur words.\n\n## Quota\n\nA target.\n",
            ["Quota"],
        ),
        ("Welcome.md", "# Welcome to the CS wiki\n\nThis space holds our playbooks.\n", []),
        ("draft.md", "# Glossary v2 (draft)\n\nTBD\n", []),
        ("CHANGELOG.md", "# Changelog\n\n- 2025-03: added NRR\n- 2025-02: renamed it\n", []),
    ],
)
def test_a_page_of_terms_is_no_term_page(name: str, text: str, terms: list[str]) -> None:
    assert [e.term for e in read(Document(Path(name), text.encode()), "src").entries] == terms


def test_a_page_named_by_its_front_matter_is_that_terms_entry() -> None:
    """Hugo, Jekyll and Docusaurus pages name the term in front matter, with no heading."""
    result = read_text(
        '---\ntitle: "Churn Rate"\naliases:\n  - Attrition Rate\n---\n\n'
        "The percentage of customers who cancel during a given period.\n"
    )
    (churn,) = result.entries
    assert (churn.term, churn.aliases, churn.lines) == ("Churn Rate", ("Attrition Rate",), (2, 7))
    assert churn.definition == "The percentage of customers who cancel during a given period."
    assert read_text("---\ntitle: About us\n---\n\nWe keep notes here.\n").entries == []


def test_toggles_are_read_as_the_terms_they_show() -> None:
    """Notion exports a toggle as <details><summary>Term</summary>...; all three of its
    shapes give an entry, with the lines it was read from."""
    result = read_text(
        "# Revenue glossary\n"
        "\n"
        "<details>\n"
        "<summary>Expansion MRR</summary>\n"
        "\n"
        "Added MRR from existing customers: upgrades, add-ons, seats.\n"
        "\n"
        "</details>\n"
        "\n"
        "<details><summary><strong>Contraction &amp; downgrades</strong></summary>\n"
        "MRR lost from customers who downgrade.\n"
        "</details>\n"
        "\n"
        "<details><summary>Quick Ratio</summary>New plus expansion MRR over lost MRR.</details>\n"
        "<details><summary>Magic Number</summary>Net new ARR over sales spend.</details>\n"
    )
    assert [(e.term, e.definition, e.lines) for e in result.entries] == [
        ("Expansion MRR", "Added MRR from existing customers: upgrades, add-ons, seats.", (4, 6)),
        ("Contraction & downgrades", "MRR lost from customers who downgrade.", (10, 11)),
        ("Quick Ratio", "New plus expansion MRR over lost MRR.", (14, 14)),
        ("Magic Number", "Net new ARR over sales spend.", (15, 15)),
    ]
    assert result.title == "Revenue glossary" and not result.dropped


def test_a_page_whose_title_is_followed_by_its_definition_is_one_entry() -> None:
    result = read_text("# Churn\n\nThe loss of customers or revenue in a period.\n")
    (churn,) = result.entries
    assert churn.term == "Churn"
    assert churn.definition == "The loss of customers or revenue in a period."
    assert (churn.lines, churn.collections) == ((1, 3), ())
    assert result.title == "Churn" and not result.dropped and not result.warnings


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("# About\n\nWe keep our notes here.\n", []),  # a housekeeping page, not a term
        ("# Sales\n\nThis page lists what sales calls things.\n", []),  # an introduction
        ("# Sales\n\nWhat we sell.\n\n## Pipeline\n\nOpen deals.\n", ["Pipeline"]),
        ("# Sales\n\nOur words.\n\n**Pipeline**: open deals.\n", ["Pipeline"]),
    ],
)
def test_a_page_that_is_no_definition_makes_no_entry_of_its_title(
    text: str, terms: list[str]
) -> None:
    assert [e.term for e in read_text(text).entries] == terms


def test_page_properties_under_the_title_are_no_terms() -> None:
    result = read_text(
        "# Customer Health Score\n\nOwner: Priya Shah\nStatus: Approved\n\n"
        "A weighted score (0-100) that predicts renewal.\n"
    )
    (score,) = result.entries
    assert score.term == "Customer Health Score"
    assert score.definition == "A weighted score (0-100) that predicts renewal."
    assert [(d.lines, d.reason) for d in result.dropped] == [((3, 4), "page properties")]


def test_short_term_lines_under_a_title_are_still_terms() -> None:
    result = read_text("# Glossary\n\nChurn: Lost customers\nARR: Annual revenue\n")
    assert [e.term for e in result.entries] == ["Churn", "ARR"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("**Net Revenue Retention (NRR)** is", "**Gross Revenue Retention (GRR)** is"),
        ("**Net Revenue Retention (NRR)**:", "**Gross Revenue Retention (GRR)** is"),
        ("**Net Revenue Retention (NRR)** is", "**Gross Revenue Retention (GRR)**:"),
    ],
)
def test_bold_term_paragraphs_under_a_heading_are_its_terms(first: str, second: str) -> None:
    result = read_text(
        f"## Retention\n\n{first} revenue retained incl. expansion.\n\n"
        f"{second} revenue retained excl. expansion.\n"
    )
    assert [(e.term, e.acronyms, e.collections) for e in result.entries] == [
        ("Net Revenue Retention", ("NRR",), ("Retention",)),
        ("Gross Revenue Retention", ("GRR",), ("Retention",)),
    ]


def test_a_heading_defined_in_a_bold_sentence_keeps_the_sentences_after_it() -> None:
    result = read_text(
        "## Churn\n\n**Churn** is the loss of customers.\n\n"
        "**Logo churn** is customers lost.\n\n**Revenue churn** is revenue lost.\n"
    )
    (churn,) = result.entries
    assert churn.term == "Churn" and "Revenue churn is revenue lost." in (churn.definition or "")


@pytest.mark.parametrize("after", ["", "\nThese categories are set in Salesforce.\n"])
def test_terms_listed_under_a_term_are_read_whatever_follows_the_list(after: str) -> None:
    result = read_text(
        "# RevOps\n\n## Forecasting Category:\n\n- Commit: Deals that will close.\n"
        "- Best Case: Deals that may close if all goes right.\n" + after
    )
    category, *listed = result.entries
    assert category.term == "Forecasting Category"
    assert category.definition is not None and category.definition.endswith(after.strip())
    assert [(e.term, e.relations) for e in listed] == [
        ("Commit", (Relation(RelationKind.BROADER, "Forecasting Category"),)),
        ("Best Case", (Relation(RelationKind.BROADER, "Forecasting Category"),)),
    ]


def test_an_example_heading_among_term_headings_stays_in_the_term_above() -> None:
    result = read_text(
        "## Retention\n### Logo Churn\nLost customers.\n### Example\nAcme lost 3 logos.\n"
        "### Win Rate\nDeals won over deals worked.\n"
    )
    assert [(e.term, e.collections) for e in result.entries] == [
        ("Logo Churn", ("Retention",)),
        ("Win Rate", ("Retention",)),
    ]
    assert result.entries[0].definition == "Lost customers.\n\nExample:\n\nAcme lost 3 logos."


def test_a_table_of_names_and_text_is_read_whatever_its_header_says() -> None:
    result = read_text(
        "| Metric | Formula |\n|---|---|\n| Magic Number | Net new ARR / S&M spend |\n"
        "| Burn Multiple | Net burn / net new ARR |\n"
    )
    assert [(e.term, e.definition, e.lines) for e in result.entries] == [
        ("Magic Number", "Net new ARR / S&M spend", (3, 3)),
        ("Burn Multiple", "Net burn / net new ARR", (4, 4)),
    ]
    assert [w.message for w in result.warnings] == [
        "table read as a glossary: 'Metric' as the term, 'Formula' as the definition"
    ]


def test_a_table_after_a_term_line_is_not_swallowed_by_it() -> None:
    result = read_text(
        "**Churn**: customers lost.\n\n"
        "| Metric | Formula |\n|---|---|\n| Magic Number | Net new ARR / S&M spend |\n"
    )
    assert [(e.term, e.definition) for e in result.entries] == [
        ("Churn", "customers lost."),
        ("Magic Number", "Net new ARR / S&M spend"),
    ]


def test_table_columns_not_read_are_named_once_per_table() -> None:
    result = read_text(
        "| Term | Definition | Notes | Example |\n|---|---|---|---|\n"
        "| Churn | Customers lost. | Monthly | 3 of 100 |\n"
        "| ARR | Annual recurring revenue. | Finance | $1.2M |\n"
    )
    assert [e.term for e in result.entries] == ["Churn", "ARR"]
    assert [(w.message, w.line) for w in result.warnings] == [
        ("columns not read: 'Notes', 'Example'", 1)
    ]


def test_a_table_of_names_beside_short_values_is_no_glossary() -> None:
    """'Finance team lead' says who owns a metric; it defines nothing."""
    text = (
        "# Metrics\n\nWhat we track.\n\n| Metric | Owner |\n|---|---|\n"
        "| NRR | Finance team lead |\n| Churn | Customer success lead |\n"
    )
    result = read_text(text)
    assert [e.term for e in result.entries] == ["Metrics"]  # the table stays its text


def test_a_term_page_with_a_bold_formula_line_is_that_terms_page() -> None:
    result = read_text(
        "# Expansion Revenue\n\nAdditional recurring revenue from existing customers.\n\n"
        "**Formula:** New MRR minus contraction MRR\n"
    )
    (entry,) = result.entries
    assert entry.term == "Expansion Revenue"
    assert entry.definition.startswith("Additional recurring revenue from existing customers.")
    assert "Formula: New MRR minus contraction MRR" in entry.definition


def test_a_glossary_page_of_bold_terms_is_not_one_terms_page() -> None:
    result = read_text(
        "# Revenue terms\n\nThe words finance uses.\n\n"
        "**ARR:** Annual recurring revenue.\n\n**MRR:** Monthly recurring revenue.\n"
    )
    assert [e.term for e in result.entries] == ["ARR", "MRR"]


def test_a_tables_parent_and_related_columns_state_relations_as_in_a_csv() -> None:
    result = read_text(
        "| Term | Definition | Broader Term | Related terms | Owner |\n|---|---|---|---|---|\n"
        "| Logo Churn | Customers lost counted by account. | Churn | NRR; Gross Churn | CS |\n"
        "| Churn | Customers who leave in a period. | | | CS |\n"
    )
    entries = {e.term: e for e in result.entries}
    assert entries["Logo Churn"].relations == (
        Relation(RelationKind.BROADER, "Churn"),
        Relation(RelationKind.RELATED, "NRR"),
        Relation(RelationKind.RELATED, "Gross Churn"),
    )
    assert entries["Churn"].relations == ()
    assert [(w.message, w.line) for w in result.warnings] == [("column not read: 'Owner'", 1)]


def test_bold_field_labels_under_a_term_heading_are_its_fields() -> None:
    """`**Also known as:** GRR` under `## Gross Dollar Retention` was read as a term "Also
    known as", and the heading became a collection of such terms."""
    result = read_text(
        "# Glossary\n\n## Gross Dollar Retention\n\n"
        "**Also known as:** GRR, Gross Revenue Retention\n\n"
        "Share of starting recurring revenue kept after downgrades and churn.\n\n"
        "**Formula:** `(Start ARR - Contraction - Churn) / Start ARR`\n\n"
        "**Related:** [Net Revenue Retention](#net-revenue-retention)\n\n"
        "## Net Revenue Retention\n\n*Synonyms: NRR, Net Dollar Retention*\n\n"
        "Share of starting recurring revenue kept including expansion.\n"
    )
    entries = by_term(result)
    assert list(entries) == ["Gross Dollar Retention", "Net Revenue Retention"]
    gdr = entries["Gross Dollar Retention"]
    assert gdr.acronyms == ("GRR",) and gdr.aliases == ("Gross Revenue Retention",)
    assert [r.target for r in gdr.relations] == ["Net Revenue Retention"]
    assert gdr.definition is not None and gdr.definition.startswith("Share of starting")
    assert "Formula: (Start ARR" in gdr.definition and gdr.collections == ()
    nrr = entries["Net Revenue Retention"]
    assert nrr.acronyms == ("NRR",) and nrr.aliases == ("Net Dollar Retention",)


def test_heading_attributes_and_emoji_codes_are_not_part_of_the_term() -> None:
    """`## Annual Recurring Revenue (ARR) {#arr}` gave the id annual-recurring-revenue-arr-arr,
    no acronym, and no merge with the seeds' ARR."""
    result = read_text(
        "# G\n\n## Annual Recurring Revenue (ARR) {#arr}\n\nYearly value of subscriptions.\n\n"
        "### QBR {: #qbr .new }\n\nA quarterly review meeting.\n\n"
        "## Churn :chart_with_downwards_trend:\n\nCustomers lost.\n"
    )
    entries = by_term(result)
    assert list(entries) == ["Annual Recurring Revenue", "QBR", "Churn"]
    assert entries["Annual Recurring Revenue"].acronyms == ("ARR",)


def test_a_bold_term_with_an_aside_before_its_colon_is_read() -> None:
    """`- **Churn** (a.k.a. *attrition*): ...` was dropped as a list item without a term."""
    result = read_text("# G\n\n- **Churn** (a.k.a. *attrition*): Customers who leave.\n")
    churn = by_term(result)["Churn"]
    assert churn.aliases == ("attrition",) and churn.definition == "Customers who leave."


def test_an_acronym_table_names_each_acronyms_spelt_out_name() -> None:
    """`| Acronym | Stands for |` found no glossary entries at all."""
    result = read_text(
        "# Acronyms\n\n| Acronym | Stands for |\n|---|---|\n"
        "| CAC | Customer Acquisition Cost |\n| NRR | Net Revenue Retention |\n"
    )
    entries = by_term(result)
    assert list(entries) == ["Customer Acquisition Cost", "Net Revenue Retention"]
    assert entries["Net Revenue Retention"].acronyms == ("NRR",)


def test_documentation_sites_syntax_is_no_text_of_a_definition() -> None:
    """MkDocs and Docusaurus admonitions, GitHub alerts, footnotes and a dated footer were
    kept in the definitions, an admonition's text as a code block."""
    result = read_text(
        "# Glossary\n\n"
        '!!! note "How to use this page"\n    Terms are listed alphabetically.\n\n'
        "## Annual Recurring Revenue\n\nThe yearly value of subscriptions.[^1]\n\n"
        '??? example "Example"\n    Twelve months of a $1,000 MRR plan is $12,000 ARR.\n\n'
        "## Churn\n\n:::tip Remember\nChurn is counted at renewal.\n:::\n\n"
        "> [!NOTE]\n> Logo churn and revenue churn are reported apart.\n\n"
        "Customers lost in a period.\n\n"
        "[^1]: Finance's definition, 2023.\n*[ARR]: Annual Recurring Revenue\n\n"
        "---\n*Last edited 2024-05-02 by @jdoe*\n"
    )
    entries = by_term(result)
    assert list(entries) == ["Annual Recurring Revenue", "Churn"]
    arr = entries["Annual Recurring Revenue"].definition or ""
    assert arr.startswith("The yearly value of subscriptions.") and "[^1]" not in arr
    assert "Twelve months of a $1,000 MRR plan" in arr and "???" not in arr
    churn = entries["Churn"].definition or ""
    assert ":::" not in churn and "[!NOTE]" not in churn and "Last edited" not in churn
    assert "Churn is counted at renewal." in churn and "Customers lost in a period." in churn
    assert any("2 footnotes and abbreviation definitions" in w.message for w in result.warnings)


def test_fields_run_into_one_paragraph_are_each_their_own() -> None:
    """`**Synonyms:** ARR, ...` then `**See also:** ...` on the next line made one alias
    "Annualized Run Rate See also: Monthly Recurring Revenue", which merged ARR into NRR."""
    result = read_text(
        "# G\n\n## Annual Recurring Revenue\n\nThe yearly value of subscriptions.\n"
        "**Synonyms:** ARR, Annualized Run Rate\n"
        "**See also:** [Monthly Recurring Revenue](#mrr), [Net Revenue Retention](#nrr)\n\n"
        "## 3:2:1 Pipeline Ratio\n\nPipeline at three stages, in that ratio.\n"
    )
    entries = by_term(result)
    assert list(entries) == ["Annual Recurring Revenue", "3:2:1 Pipeline Ratio"]
    arr = entries["Annual Recurring Revenue"]
    assert arr.acronyms == ("ARR",) and arr.aliases == ("Annualized Run Rate",)
    assert [r.target for r in arr.relations] == [
        "Monthly Recurring Revenue",
        "Net Revenue Retention",
    ]
    assert arr.definition == "The yearly value of subscriptions."


def test_a_glossary_defining_field_words_in_bold_keeps_them_as_terms() -> None:
    """With "**Synonyms**" read as a field, a glossary of such words read no entry at all."""
    result = read_text(
        "# Glossary words\n\n**Synonyms**: the words a term also goes by.\n\n"
        "**Formula**: how a metric is computed from other metrics.\n"
    )
    assert [e.term for e in result.entries] == ["Synonyms", "Formula"]
