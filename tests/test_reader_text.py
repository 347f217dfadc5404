"""The plain-text reader on layouts beyond the seeds, and on any text at all."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.document import Document
from ingest.errors import SourceError
from ingest.model import Flag, ReadResult
from ingest.readers.text import read


def read_text(text: str) -> ReadResult:
    return read(Document(Path("sample.txt"), text.encode()), "sample")


def test_term_colon_definition_lines_without_blank_lines() -> None:
    result = read_text(
        "My glossary\n"
        "ARR: Annual recurring revenue.\n"
        "MRR: Monthly recurring revenue.\n"
        "Churn: Customers lost in a period.\n"
    )
    assert [(e.term, e.definition) for e in result.entries] == [
        ("ARR", "Annual recurring revenue."),
        ("MRR", "Monthly recurring revenue."),
        ("Churn", "Customers lost in a period."),
    ]


def test_a_file_of_one_or_two_entries_is_a_list() -> None:
    assert [(e.term, e.definition) for e in read_text("ARR: yearly revenue\n").entries] == [
        ("ARR", "yearly revenue")
    ]
    two = read_text("ARR: yearly revenue\nMRR: monthly revenue\n")
    assert [e.term for e in two.entries] == ["ARR", "MRR"]


def test_term_and_definition_run_together() -> None:
    result = read_text(
        "Churn – the share of customers who leave in a period.\n\n"
        "Net Revenue RetentionThe revenue kept from existing customers, with expansion.\n\n"
        "Upsell - selling a bigger plan to an existing customer.\n"
    )
    assert [e.term for e in result.entries] == ["Churn", "Net Revenue Retention", "Upsell"]
    assert result.entries[1].definition.startswith("The revenue kept")


def test_heading_layout_with_wrapped_paragraphs() -> None:
    result = read_text(
        "Customer Health Score\n\n"
        "A score that sums up how healthy an account is, built from usage, support\n"
        "tickets and survey answers.\n\n"
        "It is reviewed every month.\n\n"
        "Time to Value\n\n"
        "How long a new customer takes to see a first result.\n"
    )
    health, ttv = result.entries
    assert health.term == "Customer Health Score"
    assert health.definition == (
        "A score that sums up how healthy an account is, built from usage, support tickets "
        "and survey answers.\n\nIt is reviewed every month."
    )
    assert ttv.term == "Time to Value"


def test_heading_with_nothing_under_it_is_undefined() -> None:
    result = read_text(
        "Churn\n\nThe loss of customers.\n\nExpansion\n\nRetention\n\nKeeping customers.\n"
    )
    flags = {e.term: e.flags for e in result.entries}
    assert Flag.UNDEFINED in flags["Expansion"]
    assert Flag.UNDEFINED not in flags["Churn"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_no_text_crashes_the_reader(text: str) -> None:
    try:
        assert isinstance(read_text(text), ReadResult)
    except SourceError as exc:  # a clear refusal ("looks binary"), naming the file, is fine
        assert "sample.txt" in str(exc)


GLOSSARY_BITS = st.sampled_from(
    [
        "",
        " ",
        "\n",
        "•",
        "• ",
        "Term",
        "Term:",
        ": ",
        "Churn",
        "(ARR)",
        "ARR (Annual)",
        " or ",
        " and ",
        " vs. ",
        "See ",
        "See Churn",
        "Acronym for ",
        "Acronym for Net Revenue",
        ".",
        "A ",
        "The ",
        " is ",
        " happens when",
        "  • ",
        "1. ",
        "- ",
        "–",
        "Glossary",
        "Terms",
        "image.png",
        "A",
        "6 minutes",
        "x" * 90,
        "Über",
        "✓",
        "\t",
        "()",
        "(",
        ")",
        "/",
        " / ",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(GLOSSARY_BITS, max_size=80).map("".join))
def test_no_glossary_like_text_crashes_the_reader(text: str) -> None:
    result = read_text(text)
    for entry in result.entries:
        assert entry.lines is not None and entry.lines[0] <= entry.lines[1]
        assert entry.term or Flag.TERM_MISSING in entry.flags


def test_an_acronym_defined_by_its_expansion_gets_it_as_an_alias(tmp_path: Path) -> None:
    from ingest.pipeline import read_paths

    (tmp_path / "mine.md").write_text(
        "| Term | Definition |\n|---|---|\n| CAC | Customer Acquisition Cost |\n"
        "| NDR | Net Dollar Retention, revenue kept after churn and expansion |\n"
    )
    (tmp_path / "mine.txt").write_text(
        "ARR: Annual Recurring Revenue. The yearly value of contracts.\n"
        "MRR: monthly revenue from subscriptions.\n"  # not its expansion: no alias
    )
    sources, _ = read_paths([tmp_path])
    aliases = {e.term: e.aliases for s in sources for e in s.entries}
    assert aliases["CAC"] == ("Customer Acquisition Cost",)
    assert aliases["NDR"] == ("Net Dollar Retention",)
    assert aliases["ARR"] == ("Annual Recurring Revenue",)
    assert aliases["MRR"] == ()


def test_an_acronym_the_definition_sets_apart_is_not_the_terms() -> None:
    result = read_text(
        "Annual Run Rate: Current revenue times twelve; not the same as ARR.\n"
        "Net Promoter Score: NPS measures loyalty. Unlike CSAT, it asks one question.\n"
        "Monthly Recurring Revenue: It is not annual. MRR is the monthly value.\n"
    )
    assert [e.acronyms for e in result.entries] == [(), ("NPS",), ("MRR",)]


def test_a_short_list_under_one_title_is_a_list() -> None:
    result = read_text("Acronyms\n\nSLA: A contract on response times.\nTAM: The total market.\n")
    assert [(e.term, e.definition) for e in result.entries] == [
        ("SLA", "A contract on response times."),
        ("TAM", "The total market."),
    ]


def test_a_list_takes_quoted_and_lower_case_terms_and_unspaced_dashes() -> None:
    result = read_text(
        "churn rate: The share of customers lost.\n"
        "“Quota”: A sales target.\n"
        "Win rate—closed-won deals divided by all closed deals.\n"
        "Renewal: Signing again.\n"
        "note: figures are in USD.\n"  # a remark on the entry above, not a term
    )
    assert [e.term for e in result.entries] == ["churn rate", "Quota", "Win rate", "Renewal"]
    assert result.entries[-1].definition == "Signing again.\n\nnote: figures are in USD."


def test_a_remark_before_a_short_list_is_not_an_entry() -> None:
    result = read_text(
        "Note that all figures are in USD.\nChurn: Customers lost.\nQuota: A target.\n"
    )
    assert [e.term for e in result.entries] == ["Churn", "Quota"]
    assert [d.reason for d in result.dropped] == ["preamble"]


def test_links_times_and_remarks_are_no_terms_in_a_list() -> None:
    result = read_text(
        "Churn: Customers lost in a period.\n"
        "https://wiki.example.com/churn has the details.\n"
        "Quota: A sales target, reviewed at 10:30 on Mondays.\n"
        "for example: a rep with a 1M target.\n"
        "Ratio: Wins to losses, e.g. 3:1.\n"
    )
    assert [e.term for e in result.entries] == ["Churn", "Quota", "Ratio"]


# --- words a PDF split across lines ------------------------------------------------------


def test_a_word_split_across_lines_is_joined_without_its_hyphen() -> None:
    result = read_text(
        "• Churn: The rate at which cus-\ntomers cancel their subscrip-\ntions.\n"
        "• Revenue Recognition: Revenue is booked once the performance obli-\n"
        "gation is met.\n"
        "• Quota: A sales target.\n"
    )
    definitions = {e.term: e.definition for e in result.entries}
    assert definitions["Churn"] == "The rate at which customers cancel their subscriptions."
    assert definitions["Revenue Recognition"] == (
        "Revenue is booked once the performance obligation is met."
    )


def test_a_compound_of_two_english_words_keeps_its_hyphen_though_the_text_writes_neither() -> None:
    """'cross' and 'sell', 'well' and 'known' are English words and 'crosssell' is none."""
    result = read_text(
        "• Expansion: Revenue from cross-\nsell and up-\nsell to well-\nknown accounts.\n"
        "• Quota: A sales target.\n"
    )
    definitions = {e.term: e.definition for e in result.entries}
    assert definitions["Expansion"] == (
        "Revenue from cross-sell and up-sell to well-known accounts."
    )


def test_a_hyphenated_compound_split_at_its_hyphen_keeps_it() -> None:
    result = read_text(
        "• Self-Serve: A self-serve plan is bought without a sales call; the self-\n"
        "serve path is the default for small teams.\n"
        "• Follow-up: A task to follow up after a demo; each follow-\n"
        "up is logged, and nothing is sent without one.\n"
        "• Cross-sell: Selling another product to an existing customer.\n"
    )
    definitions = {e.term: e.definition for e in result.entries}
    # "self-serve" is written so elsewhere; "follow" and "up" are words of their own here
    assert "the self-serve path" in definitions["Self-Serve"]
    assert "each follow-up is logged" in definitions["Follow-up"]


# --- page headers and footers ------------------------------------------------------------

PDFTOTEXT = (
    "ACME Corp — Finance Glossary      Confidential\n"
    "\n"
    "• Churn: The rate at which customers cancel their subscriptions.\n"
    "• Expansion: Revenue added by existing customers.\n"
    "\n"
    "1\n"
    "\fACME Corp — Finance Glossary      Confidential\n"
    "\n"
    "• Quota: A sales target set for a period and reviewed every quarter by the\n"
    "\n"
    "- 2 -\n"
    "\fACME Corp — Finance Glossary      Confidential\n"
    "\n"
    "sales leadership team.\n"
    "• Upsell: Selling a bigger plan to an existing customer.\n"
    "\n"
    "Page 3 of 3\n"
    "\f"
)


def test_page_headers_footers_and_numbers_of_a_pdf_extraction_are_removed() -> None:
    result = read_text(PDFTOTEXT)
    assert [(e.term, e.definition, e.collections) for e in result.entries] == [
        ("Churn", "The rate at which customers cancel their subscriptions.", ()),
        ("Expansion", "Revenue added by existing customers.", ()),
        (
            "Quota",
            "A sales target set for a period and reviewed every quarter by the sales "
            "leadership team.",
            (),
        ),
        ("Upsell", "Selling a bigger plan to an existing customer.", ()),
    ]
    furniture = [d for d in result.dropped if d.reason == "page header or footer"]
    assert [d.lines[0] for d in furniture] == [1, 6, 7, 11, 12, 17]
    assert [w.message for w in result.warnings] == ["removed 6 page header/footer lines"]


def test_a_header_repeated_without_page_breaks_is_removed() -> None:
    header = "ACME Corp — Finance Glossary      Confidential\n"
    result = read_text(
        f"{header}Page 1\n\nChurn: Customers lost.\nQuota: A sales target.\n\n"
        f"{header}Page 2\n\nUpsell: Selling a bigger plan.\nRenewal: Signing again.\n\n"
        f"{header}Page 3\n\nSeat: One user's licence.\n"
    )
    assert [e.term for e in result.entries] == ["Churn", "Quota", "Upsell", "Renewal", "Seat"]
    assert all(e.collections == () for e in result.entries)
    assert [w.message for w in result.warnings] == ["removed 6 page header/footer lines"]


def test_a_running_title_beside_its_page_number_is_a_header_without_page_breaks() -> None:
    result = read_text(
        "Handbook                      Page 1 of 2\n\n"
        "Renewal Rate: The percentage of contracts up for renewal in a period that\n"
        "were renewed.\n"
        "Handbook                      Page 2 of 2\n\n"
        "Champion: A contact at the customer who promotes our product.\n"
    )
    assert [(e.term, e.definition) for e in result.entries] == [
        (
            "Renewal Rate",
            "The percentage of contracts up for renewal in a period that were renewed.",
        ),
        ("Champion", "A contact at the customer who promotes our product."),
    ]
    furniture = [(d.lines[0], d.reason) for d in result.dropped]
    assert furniture == [(1, "page header or footer"), (5, "page header or footer")]
    assert [w.message for w in result.warnings] == ["removed 2 page header/footer lines"]


def test_a_header_in_the_middle_of_a_definition_is_cut_out_and_the_sentence_rejoined() -> None:
    result = read_text(
        "Renewal Rate: The percentage of contracts up for renewal in a period that\n"
        "Sales & CS Handbook  Page 2 of 2\n"
        "were renewed.\n"
        "Champion: A contact at the customer who promotes our product.\n"
    )
    assert [(e.term, e.definition) for e in result.entries] == [
        (
            "Renewal Rate",
            "The percentage of contracts up for renewal in a period that were renewed.",
        ),
        ("Champion", "A contact at the customer who promotes our product."),
    ]
    assert [d.text for d in result.dropped] == ["Sales & CS Handbook  Page 2 of 2"]


def test_page_counters_alone_and_titles_repeated_with_their_page_number_are_headers() -> None:
    result = read_text(
        "Sales Handbook Page 1\n\n"
        "Churn\nThe share of customers who leave in a period.\n\n"
        "3 / 10\n\n"
        "Quota\nA sales target.\n\n"
        "Sales Handbook Page 2\n\n"
        "Upsell\nSelling a bigger plan.\n"
    )
    assert [e.term for e in result.entries] == ["Churn", "Quota", "Upsell"]
    assert [d.text for d in result.dropped if d.reason == "page header or footer"] == [
        "Sales Handbook Page 1",
        "3 / 10",
        "Sales Handbook Page 2",
    ]


def test_a_sentence_that_names_a_page_is_no_header() -> None:
    result = read_text(
        "Churn: Customers lost in a period.\n"
        "Upsell: Selling a bigger plan; see the handbook on page 3 of 10.\n"
        "Seat: One user's licence, see the Pricing Guide  Page 4\n"
    )
    definitions = {e.term: e.definition for e in result.entries}
    assert definitions["Upsell"] == "Selling a bigger plan; see the handbook on page 3 of 10."
    assert definitions["Seat"] == "One user's licence, see the Pricing Guide Page 4"
    assert not result.dropped


def test_a_term_or_reference_that_repeats_is_no_header() -> None:
    text = (
        "Attrition\n\nSee Customer Retention\n\n"
        "Churn\n\nSee Customer Retention\n\n"
        "Customer Retention\n\nKeeping the customers you have.\n\n"
        "Logo Loss\n\nSee Customer Retention\n\n"
        "Net Revenue Retention\n\nRevenue kept from existing customers.\n\n"
        "Customer Retention\n\nThe retention team's name for the same measure.\n\n"
        "Customer Retention\n\nAlso reported quarterly.\n"
    )
    result = read_text(text)
    assert not [d for d in result.dropped if d.reason == "page header or footer"]
    assert [e.see for e in result.entries if e.term in ("Attrition", "Churn", "Logo Loss")] == [
        ("Customer Retention",)
    ] * 3


def test_a_field_every_entry_carries_is_part_of_each_entry_not_a_term() -> None:
    result = read_text(
        "Access Review: A periodic check that each user's access still matches their role.\n"
        "Owner: Security team\n\n"
        "Least Privilege: Granting users only the access they need.\n"
        "Owner: Security team\n\n"
        "Phishing: Fraudulent messages that try to steal credentials.\n"
        "Owner: IT\n"
    )
    definitions = {e.term: e.definition for e in result.entries}
    assert sorted(definitions) == ["Access Review", "Least Privilege", "Phishing"]
    assert definitions["Phishing"].endswith("Owner: IT")


def test_headings_that_differ_by_a_number_at_page_tops_are_terms_not_page_headers() -> None:
    result = read_text(
        "Tier 1 Support\nThe first line of support, which answers common questions.\n\n"
        "Churn\nThe share of customers who leave in a period.\n"
        "\fTier 2 Support\nThe second line of support, which takes harder cases.\n\n"
        "Retention\nThe share of customers who stay over a period.\n"
        "\fTier 3 Support\nEngineers who fix the defects the second line confirms.\n\n"
        "Upsell\nSelling a customer a higher plan.\n"
    )
    terms = [e.term for e in result.entries]
    assert terms == [
        "Tier 1 Support",
        "Churn",
        "Tier 2 Support",
        "Retention",
        "Tier 3 Support",
        "Upsell",
    ]


def test_two_words_sharing_only_a_short_ending_are_one_name() -> None:
    """'Land and Expand' is one strategy ('L|and', 'Exp|and' end alike only by chance);
    'Upsell and Cross-sell' are two kinds of sale."""
    result = read_text(
        "Land and Expand: A strategy that starts small and grows the account.\n"
        "Upsell and Cross-sell: Selling more to an existing customer.\n"
        "Quota: A sales target.\n"
    )
    terms = [e.term for e in result.entries]
    assert "Land and Expand" in terms and "Land" not in terms and "Expand" not in terms
    assert "Upsell" in terms and "Upsell and Cross-sell" not in terms


# --- numbered "Term (ACR). Definition." lists ---------------------------------------------

NUMBERED = (
    "1. Customer Success Manager (CSM). The person responsible for the customer's\n"
    "   outcomes after the sale.\n"
    "2. Customer Satisfaction (CSAT). The average rating customers give after an interaction.\n"
    "3. Net Revenue Retention (NRR). Revenue kept from existing customers, expansion included.\n"
    "4. Voice of the Customer (VoC). What customers tell us, gathered from every channel.\n"
    "5. Churn. The share of customers who leave in a period.\n"
    "6. Time to Value (TTV). How long a new customer takes to see a first result.\n"
    "7. Health Score. A number from 0 to 100 that sums up an account.\n"
    "8. Onboarding. The first weeks after signing, until the customer goes live.\n"
    "9. Renewal. Signing the contract again at the end of its term.\n"
    "10.    Expansion (EXP). Revenue added by existing customers.\n"
    "11.    Executive Sponsor. A senior person at the customer who backs the project.\n"
)


def test_a_numbered_list_of_term_full_stop_definition_items_is_one_entry_an_item() -> None:
    result = read_text(NUMBERED)
    assert [(e.term, e.acronyms) for e in result.entries] == [
        ("Customer Success Manager", ("CSM",)),
        ("Customer Satisfaction", ("CSAT",)),
        ("Net Revenue Retention", ("NRR",)),
        ("Voice of the Customer", ("VoC",)),
        ("Churn", ()),
        ("Time to Value", ("TTV",)),
        ("Health Score", ()),
        ("Onboarding", ()),
        ("Renewal", ()),
        ("Expansion", ("EXP",)),
        ("Executive Sponsor", ()),
    ]
    assert result.entries[0].definition == (
        "The person responsible for the customer's outcomes after the sale."
    )
    assert result.entries[0].lines == (1, 2)
    assert not result.dropped and not result.warnings


def test_a_section_name_over_a_numbered_list_is_a_title_not_a_term() -> None:
    result = read_text("Appendix B: Definitions\n\n" + NUMBERED)
    assert [e.term for e in result.entries][:2] == [
        "Customer Success Manager",
        "Customer Satisfaction",
    ]
    assert "Appendix B" not in [e.term for e in result.entries]
    assert [(d.text, d.reason) for d in result.dropped] == [
        ("Appendix B: Definitions", "section title")
    ]


def test_a_numbered_list_of_sentences_is_not_split_into_terms() -> None:
    result = read_text(
        "1. The CSM owns the account after the sale.\n"
        "2. Renewals are handled by the account team. Escalations go to the CS lead.\n"
        "3. Call the Champion. Ask how the rollout is going.\n"
        "4. Note. Every call is logged in the CRM the same day.\n"
        "5. Every customer gets a QBR. It reviews results and goals.\n"
    )
    assert [e.term for e in result.entries if e.term] == []
    assert "- Call the Champion. Ask how" in "\n".join(e.definition or "" for e in result.entries)


def test_a_name_and_full_stop_counts_only_in_a_list_item() -> None:
    result = read_text(
        "Churn: The share of customers who leave.\n"
        "Quota: A sales target. Reviewed every quarter by the team.\n"
        "Renewal: Signing again.\n"
        "Sales Leadership. They set the targets for the year.\n"
    )
    assert [e.term for e in result.entries] == ["Churn", "Quota", "Renewal"]
    assert result.entries[-1].definition == (
        "Signing again.\n\nSales Leadership. They set the targets for the year."
    )


# --- a document's own particulars --------------------------------------------------------


def test_version_byline_and_contact_lines_are_dropped_not_read_as_terms() -> None:
    result = read_text(
        "Customer Success Glossary\n"
        "Version 2.1 – Internal use only\n"
        "Last updated: 4 March 2024\n"
        "Prepared by: CS Operations\n\n"
        "Churn - Customers who cancel.\n"
        "Upsell - Selling a bigger plan.\n\n"
        "Questions: email cs-ops@acme.example\n"
    )
    assert [(e.term, e.definition) for e in result.entries] == [
        ("Churn", "Customers who cancel."),
        ("Upsell", "Selling a bigger plan."),
    ]
    assert sorted((d.lines[0], d.reason) for d in result.dropped) == [
        (1, "section title"),
        (2, "document version"),
        (3, "page furniture"),
        (4, "byline"),
        (9, "contact details"),
    ]


def test_terms_that_open_like_a_document_particular_are_still_terms() -> None:
    result = read_text(
        "Version 2: The second release of the API, with usage-based pricing.\n"
        "Contact Rate: How often customers contact support, per account.\n"
        "Questions: The ones a rep asks in discovery.\n"
        "Feedback Loop: Sharing what customers say with the product team.\n"
    )
    assert [e.term for e in result.entries] == [
        "Version 2",
        "Contact Rate",
        "Questions",
        "Feedback Loop",
    ]
    assert not result.dropped


# --- terms that carry a symbol ---------------------------------------------------------


def test_a_term_carrying_a_symbol_starts_its_own_entry() -> None:
    """A trade mark, a unit, an emoji before it or a ratio is part of a name, so the line is
    an entry, not the text of the one above."""
    result = read_text(
        "Churn Rate: The share of customers lost.\n"
        "Salesforce™ Opportunity: A deal tracked in Salesforce.\n"
        "Customer Success Platform®: Software that runs customer success.\n"
        "Gross Margin %: Revenue minus the cost of goods, over revenue.\n"
        "Renewal Rate (%): Contracts renewed over contracts due.\n"
        "Cost per Lead ($): Marketing spend divided by leads.\n"
        "🚀 Launch Date: The day a product ships.\n"
        "1:1 Meeting: A weekly call between a manager and a report.\n"
        "B2B/B2C: Selling to businesses or to consumers.\n"
        "Health Score: A composite indicator.\n"
    )
    assert [(e.raw_term, e.lines) for e in result.entries] == [
        ("Churn Rate", (1, 1)),
        ("Salesforce™ Opportunity", (2, 2)),
        ("Customer Success Platform®", (3, 3)),
        ("Gross Margin %", (4, 4)),
        ("Renewal Rate (%)", (5, 5)),
        ("Cost per Lead ($)", (6, 6)),
        ("Launch Date", (7, 7)),  # the emoji decorates the name
        ("1:1 Meeting", (8, 8)),
        ("B2B/B2C", (9, 9)),
        ("Health Score", (10, 10)),
    ]
    assert result.entries[0].definition == "The share of customers lost."
    # a unit in brackets is a note on the name, as in every reader; the name is the words
    assert [e.term for e in result.entries][4:6] == ["Renewal Rate", "Cost per Lead"]


def test_a_sentence_stating_an_amount_before_a_colon_is_no_term() -> None:
    result = read_text(
        "Churn Rate: The share of customers lost.\n"
        "The target is 95%: anything lower is reviewed.\n"
        "Price rose to $100: see the price list.\n"
        "Quota: A sales target, reviewed at 10:30 on Mondays.\n"
        "Health Score: A composite indicator.\n"
    )
    assert [e.term for e in result.entries] == ["Churn Rate", "Quota", "Health Score"]
    assert result.entries[0].definition == (
        "The share of customers lost.\n\nThe target is 95%: anything lower is reviewed.\n\n"
        "Price rose to $100: see the price list."
    )


def test_a_line_kept_as_text_though_it_looks_like_a_term_is_warned_of() -> None:
    """A sign no rule knows keeps a line out of the terms; the reader says so, naming the line,
    rather than folding it into the entry above without a word."""
    result = read_text(
        "Churn Rate: The share of customers lost.\n"
        "€ Value: The worth of a deal in euros.\n"
        "The target is 95%: anything lower is reviewed.\n"
        "Health Score: A composite indicator.\n"
        "Quota: A sales target.\n"
    )
    assert [e.term for e in result.entries] == ["Churn Rate", "Health Score", "Quota"]
    assert "€ Value: The worth of a deal in euros." in (result.entries[0].definition or "")
    assert [(w.line, w.message) for w in result.warnings] == [
        (
            2,
            "'€ Value' looks like a term but holds a sign terms here do not; kept as text of"
            " 'Churn Rate'",
        )
    ]


def test_an_entrys_fields_are_its_own_not_terms() -> None:
    """ "Formula:", "Synonyms:", "See also:" under an entry were read as terms of their own
    (two glossaries' "Formula" lines then merged into one concept)."""
    result = read_text(
        "GLOSSARY OF TERMS\n\n"
        "Net Revenue Retention: The percentage of recurring revenue kept from existing "
        "customers over twelve months, with expansion.\n\n"
        "Formula: (Starting ARR + Expansion - Churn) / Starting ARR\n"
        "Example: $1M start, $200K expansion, $50K churn gives 115%.\n"
        "See also: Gross Revenue Retention, Expansion\n"
        "Synonyms: NRR, Net Dollar Retention\n\n"
        "Customer Effort Score: How easy it was to get an issue solved, on a 1-7 scale.\n"
        "Owner: Support Ops\n\n"
        "Owner: The person accountable for an account.\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == ["Net Revenue Retention", "Customer Effort Score", "Owner"]
    nrr = entries["Net Revenue Retention"]
    assert nrr.acronyms == ("NRR",) and nrr.aliases == ("Net Dollar Retention",)
    assert [r.target for r in nrr.relations] == ["Gross Revenue Retention", "Expansion"]
    assert "Formula: (Starting ARR" in (nrr.definition or "")  # text fields stay text
    assert "Example: $1M start" in (nrr.definition or "")
    assert "Owner: Support Ops" in (entries["Customer Effort Score"].definition or "")


def test_a_term_holding_an_abbreviations_full_stop_is_read() -> None:
    """The first such line was dropped as preamble, later ones glued to the entry above."""
    result = read_text(
        "Sales glossary\n\n"
        "Churn (a.k.a. attrition): Customers who leave in a period.\n"
        "Avg. Deal Size: The mean value of deals closed in a period.\n"
        "No. of Seats: How many users a contract licenses.\n"
        "U.S. Sales Region: Accounts billed in the United States.\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == ["Churn", "Avg. Deal Size", "No. of Seats", "U.S. Sales Region"]
    assert entries["Churn"].aliases == ("attrition",)


def test_fields_under_a_heading_layouts_entry_are_its_own() -> None:
    """A Google Doc of headings: "See also:" made a termless entry, "Synonyms: ..." a term."""
    result = read_text(
        "Revenue Operations Glossary\n\n"
        "Net Dollar Retention (NDR)\n"
        "Revenue retained from existing customers over twelve months, with upsell.\n"
        "Formula: NDR = (Start MRR + Expansion - Churn) / Start MRR\n"
        "See also: Gross Revenue Retention, Expansion MRR\n"
        "Synonyms: Net Retention, NRR\n\n"
        "Expansion MRR\n"
        "New monthly recurring revenue from existing customers.\n\n"
        "Churned MRR\n"
        "Monthly recurring revenue lost from customers who cancel.\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == ["Net Dollar Retention", "Expansion MRR", "Churned MRR"]
    ndr = entries["Net Dollar Retention"]
    assert ndr.acronyms == ("NDR", "NRR") and ndr.aliases == ("Net Retention",)
    assert [r.target for r in ndr.relations] == ["Gross Revenue Retention", "Expansion MRR"]
    assert "Formula: NDR =" in (ndr.definition or "")
    assert not any("could not be recovered" in w.message for w in result.warnings)


def test_field_values_that_name_nothing_and_names_with_and_in_them() -> None:
    """ "Synonyms: none" and "See also: N/A" (split at its slash) named concepts "None" and
    "A", which merged unrelated entries; "Terms and Conditions" was cut at its "and"."""
    result = read_text(
        "Glossary\n\n"
        "Churn: The loss of customers over a period.\nSynonyms: none\nSee also: N/A\n\n"
        "Renewal: A customer signing again at the end of the term.\nAKA: TBD\nSynonyms: -\n\n"
        "Terms and Conditions: The legal rules a customer agrees to.\n"
        "SYNONYMS: T&Cs, terms of service | SEE ALSO: Mergers and Acquisitions\n"
        "Related: this metric is closely tied to how we price renewals.\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == ["Churn", "Renewal", "Terms and Conditions"]
    for name in ("Churn", "Renewal"):
        assert entries[name].aliases == () and entries[name].acronyms == ()
        assert entries[name].relations == ()
    tc = entries["Terms and Conditions"]
    assert tc.aliases == ("terms of service",) and tc.acronyms == ("T&C",)
    assert [r.target for r in tc.relations] == ["Mergers and Acquisitions"]
    assert "closely tied to how we price renewals" in (tc.definition or "")  # a sentence: text


def test_terms_named_like_fields_are_still_terms() -> None:
    """ "Owner", "Alias", "Example" are terms of some glossaries: defined, not noted."""
    result = read_text(
        "Glossary\n\n"
        "Account Plan: A document setting out goals for an account.\nOwner: the CSM\n\n"
        "Owner: The person accountable for an account's renewal.\n\n"
        "Alias: A second name a term goes by.\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == ["Account Plan", "Owner", "Alias"]
    assert "Owner: the CSM" in (entries["Account Plan"].definition or "")


def test_a_field_line_with_no_full_stop_does_not_swallow_the_next_entry() -> None:
    result = read_text(
        "Glossary\n\n"
        "Expansion: Growth in revenue from existing customers through upsell.\n"
        "Also known as: expansion revenue, add-on revenue\n"
        "Contraction: A decrease in recurring revenue from an existing customer.\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == ["Expansion", "Contraction"]
    assert entries["Expansion"].aliases == ("expansion revenue", "add-on revenue")


def test_a_field_right_under_a_heading_comes_before_its_definition() -> None:
    result = read_text(
        "Glossary\n\nNet Promoter Score\nSynonyms: NPS\n"
        "A measure of loyalty based on how likely customers are to recommend us.\n\n"
        "Logo Retention\nThe share of customers who stay over a period.\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == ["Net Promoter Score", "Logo Retention"]
    nps = entries["Net Promoter Score"]
    assert nps.acronyms == ("NPS",) and (nps.definition or "").startswith("A measure of loyalty")


def test_a_glossary_of_records_reads_each_records_term_and_definition() -> None:
    """ "Term: X" then "Definition: Y" gave entries named "Term" and "Definition"."""
    result = read_text(
        "Glossary\n\n"
        "Term: Time to Value\nDefinition: The time between signature and first value.\n"
        "Abbreviation: TTV\n\n"
        "Term: Product Qualified Lead\nDefinition: A user whose usage shows intent to buy.\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == ["Time to Value", "Product Qualified Lead"]
    assert entries["Time to Value"].acronyms == ("TTV",)
    assert (entries["Time to Value"].definition or "").startswith("The time between signature")


def test_names_listed_under_an_empty_field_and_quoted_names() -> None:
    result = read_text(
        "Onboarding Glossary\n\n"
        "Kickoff Call: The first meeting between the customer's team and ours.\n"
        "Synonyms:\n- kick-off meeting\n- project kickoff\n"
        "See also:\n- Implementation Plan\n\n"
        "Churn Rate: The share of customers who end their subscription.\n"
        "Synonyms: ‘Attrition Rate’, «Customer Churn», Build or Buy Decision\n"
        "See also: (none)\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == ["Kickoff Call", "Churn Rate"]
    kickoff = entries["Kickoff Call"]
    assert kickoff.aliases == ("kick-off meeting", "project kickoff")
    assert [r.target for r in kickoff.relations] == ["Implementation Plan"]
    churn = entries["Churn Rate"]
    assert churn.aliases == ("Attrition Rate", "Customer Churn", "Build or Buy Decision")
    assert churn.relations == ()


def test_a_documentation_glossary_defining_field_words_keeps_them_as_terms() -> None:
    result = read_text(
        "Technical Writing Glossary\n"
        "Alias: Alternative name under which a page can be reached.\n"
        "Owner: Person responsible for keeping a page current.\n"
        "Status: Lifecycle stage of a document.\n"
        "Target: Output format a build produces.\n"
    )
    assert [e.term for e in result.entries] == ["Alias", "Owner", "Status", "Target"]


def test_fields_run_into_an_entrys_line_and_lines_with_no_full_stop() -> None:
    """An entry line ending in a field with no full stop swallowed the next entry (a file of
    1,500 such lines read as one entry)."""
    result = read_text(
        "Subscription Metrics\n\n"
        "Annual Run Rate: The current month's recurring revenue times twelve. "
        "Synonyms: Run Rate See also: Annual Recurring Revenue\n"
        "Committed Monthly Recurring Revenue: Recurring revenue plus signed contracts not yet "
        "live. Abbreviation: CMRR\n"
        "Logo Retention Rate: The share of customers still customers at its end. AKA: "
        "customer retention rate | See also: Logo Churn\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == [
        "Annual Run Rate",
        "Committed Monthly Recurring Revenue",
        "Logo Retention Rate",
    ]
    arr = entries["Annual Run Rate"]
    assert arr.aliases == ("Run Rate",) and [r.target for r in arr.relations] == [
        "Annual Recurring Revenue"
    ]
    assert arr.definition == "The current month's recurring revenue times twelve."
    assert entries["Committed Monthly Recurring Revenue"].acronyms == ("CMRR",)
    assert [r.target for r in entries["Logo Retention Rate"].relations] == ["Logo Churn"]


def test_field_labels_in_other_languages_are_fields() -> None:
    result = read_text(
        "Glossar\n\n"
        "Kundenabwanderung: Der Anteil der Kunden, die in einem Zeitraum kündigen.\n"
        "Synonyme: Churn, Abwanderungsrate\nSiehe auch: Kundenbindung\n\n"
        "Kundenbindung: Die Fähigkeit, Kunden über einen Zeitraum zu halten.\n"
    )
    entries = {e.term: e for e in result.entries}
    assert list(entries) == ["Kundenabwanderung", "Kundenbindung"]
    assert entries["Kundenabwanderung"].aliases == ("Churn", "Abwanderungsrate")
    assert [r.target for r in entries["Kundenabwanderung"].relations] == ["Kundenbindung"]
