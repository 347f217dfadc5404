"""The five raw glossaries read into the right entries, with their noise dropped.

The goldens in tests/golden/ were reviewed line by line against data/raw/ by hand; the
assertions below spell out the cases the readers must get right.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.model import Entry, Flag, ReadResult
from tests.conftest import SEED_IDS, seed_path
from tests.golden.update import golden

GOLDEN = Path(__file__).parent / "golden"


def by_term(result: ReadResult, term: str) -> list[Entry]:
    return [e for e in result.entries if e.term == term]


def one(result: ReadResult, term: str) -> Entry:
    found = by_term(result, term)
    assert len(found) == 1, f"{term!r}: {len(found)} entries"
    return found[0]


@pytest.mark.parametrize("source", SEED_IDS)
def test_seed_matches_reviewed_golden(source: str) -> None:
    expected = json.loads((GOLDEN / f"{source}.json").read_text(encoding="utf-8"))
    actual = golden(seed_path(source), source)
    assert actual["entries"] == expected["entries"]
    assert actual["dropped"] == expected["dropped"]
    assert actual["title"] == expected["title"]


@pytest.mark.parametrize("source", SEED_IDS)
def test_every_line_is_in_exactly_one_entry_or_dropped(source: str, seeds: dict) -> None:
    result = seeds[source]
    owner: dict[int, str] = {}
    spans = [(e.lines, f"entry {e.term!r}") for e in result.entries]
    spans += [(d.lines, f"dropped ({d.reason})") for d in result.dropped]
    for (start, end), label in spans:
        for line in range(start, end + 1):
            assert line not in owner, f"line {line} in both {owner[line]} and {label}"
            owner[line] = label
    text = seed_path(source).read_text(encoding="utf-8").split("\n")
    unread = [n for n, line in enumerate(text, 1) if line.strip() and n not in owner]
    assert unread == [], f"lines neither read nor dropped: {unread}"


def test_pdf_bullets_wrap_across_blank_lines(seeds: dict) -> None:
    pdf = seeds["pdf-glossary"]
    nrr = one(pdf, "Net retention revenue")
    assert nrr.acronyms == ("NRR",)
    assert nrr.definition.endswith(
        "downgrades, and cancels. Companies with greater net retention grow faster."
    )
    assert nrr.lines == (94, 97)
    assert one(pdf, "Recurring revenue").definition.endswith(
        "Companies user monthly recurring revenue (MRR) or annual recurring revenue (ARR)"
    )


def test_pdf_section_titles_are_dropped_and_become_collections(seeds: dict) -> None:
    pdf = seeds["pdf-glossary"]
    reasons = {d.text: d.reason for d in pdf.dropped}
    for title in ("Customer", "Success", "Terms", "Valuable", "Financial Terms"):
        assert reasons[title] == "section title"
    assert one(pdf, "Churn").collections == ("Customer Success Terms",)
    assert one(pdf, "Margin").collections == ("Valuable Financial Terms",)
    assert (
        reasons[
            "This glossary provides you an overview of Customer Success terms and "
            "valuable financial terms."
        ]
        == "preamble"
    )


def test_lost_headings_are_recovered_from_the_definition(seeds: dict) -> None:
    page = seeds["terminologies-page"]
    for term, opening in [
        ("Downsell", "A Downsell happens when"),
        ("Cross-sell", "Technically, a cross-sell is"),
        ("Renewal", "The renewal is a sales transaction"),
        ("Upsell", "An Upsell is another type"),
        ("Engagement", "Any kind of interaction"),
        ("Churn", "Churn basically means"),
    ]:
        entry = one(page, term)
        assert entry.definition.startswith(opening)
        assert Flag.TERM_INFERRED in entry.flags
    web = seeds["web-glossary"]
    churn = one(web, "Churn")
    assert churn.aliases == ("churn rate",)
    assert one(web, "Advocacy").aliases == ("brand advocacy",)
    assert one(web, "Upsell").aliases == ("up-selling",)
    api = one(web, "API")
    assert api.aliases == ("Application Programming Interface",)


def test_repeated_heading_over_another_terms_text(seeds: dict) -> None:
    page = seeds["terminologies-page"]
    arr = one(page, "Annual Recurring Revenue")
    assert "churn" not in arr.definition.lower()
    churn = one(page, "Churn")
    assert Flag.HEADING_REPLACED in churn.flags or churn.lines == (13, 13)
    assert any(d.lines == (10, 10) and "repeated heading" in d.reason for d in page.dropped)


def test_a_definition_whose_term_is_lost_is_kept_and_flagged(seeds: dict) -> None:
    page = seeds["terminologies-page"]
    orphan = [e for e in page.entries if Flag.TERM_MISSING in e.flags]
    assert [e.lines for e in orphan] == [(114, 114)]
    assert orphan[0].definition.startswith("The rate at which you keep your customers")


@pytest.mark.parametrize(
    ("source", "raw", "term", "acronyms", "terms"),
    [
        ("docs-glossary", "NRR (Net Revenue Retention)", "Net Revenue Retention", ("NRR",), ()),
        (
            "docs-glossary",
            "CLV or LTV (Customer Lifetime Value)",
            "Customer Lifetime Value",
            ("CLV", "LTV"),
            (),
        ),
        (
            "docs-glossary",
            "EBR and QBR (Executive & Quarterly Business Reviews)",
            "Executive Business Reviews",
            ("EBR", "QBR"),
            ("Executive Business Reviews", "Quarterly Business Reviews"),
        ),
        ("docs-glossary", "Net Dollar Retention (NDR)", "Net Dollar Retention", ("NDR",), ()),
        ("docs-glossary", "Upsell and Cross-sell", "Upsell", (), ("Upsell", "Cross-sell")),
        (
            "docs-glossary",
            "Bookings vs. Billings vs. Revenue",
            "Bookings",
            (),
            ("Bookings", "Billings", "Revenue"),
        ),
        ("ultimate-glossary", "Business Review (QBR/EBR)", "Business Review", ("QBR", "EBR"), ()),
        ("ultimate-glossary", "ACV (Annual Contract Value)", "Annual Contract Value", ("ACV",), ()),
        ("pdf-glossary", "Gross Retention Revenue (GRR)", "Gross Retention Revenue", ("GRR",), ()),
    ],
)
def test_terms_with_acronyms_and_combined_entries(
    seeds: dict, source: str, raw: str, term: str, acronyms: tuple, terms: tuple
) -> None:
    entry = next(e for e in seeds[source].entries if e.raw_term == raw)
    assert (entry.term, entry.acronyms, entry.terms) == (term, acronyms, terms)
    assert (Flag.COMBINED in entry.flags) == bool(terms)


def test_profit_and_loss_center_is_one_term(seeds: dict) -> None:
    entry = one(seeds["pdf-glossary"], "Profit and Loss Center")
    assert entry.terms == ()


def test_acronym_for_paragraphs_derive_their_acronym(seeds: dict) -> None:
    web = seeds["web-glossary"]
    expected = {
        "ARR": "Annual Recurring Revenue",
        "CEM": "Customer Experience Management",
        "CRM": "Customer Relationships Management",  # from the misspelt "Acrynom for"
        "CTA": "Call-to-action",
        "MRR": "Monthly Recurring Revenue",
        "NPS": "Net Promoter Score",
        "SaaS": "Software as a Service",  # spelt as the page spells it elsewhere
        "TTFV": "Time to First Value",
    }
    acronym_only = {e.term: e.aliases[0] for e in web.entries if Flag.ACRONYM_ONLY in e.flags}
    assert acronym_only == expected


def test_see_references(seeds: dict) -> None:
    web = seeds["web-glossary"]
    assert one(web, "Customer Onboarding").see == ("User Onboarding",)
    assert one(web, "LifeTime Value").see == ("Customer LifeTime Value",)
    # headings lost before a bare "See X": named by their place in the alphabet
    lost = {e.term: e.see for e in web.entries if Flag.TERM_FROM_REFERENCE in e.flags}
    assert lost == {
        "Loyalty": ("Customer Loyalty",),
        "Onboarding": ("User Onboarding",),
        "Retention": ("Customer Retention",),
    }


def test_undefined_headings_are_listed_not_invented(seeds: dict) -> None:
    web = seeds["web-glossary"]
    undefined = [e.term for e in web.entries if Flag.UNDEFINED in e.flags]
    assert undefined == [
        "Customer Status",
        "Customer Stickiness",
        "Customer Success",
        "Customer Success Automation",
        "Customer Training",
        "Happiness Index",
        "Health Score",
        "Higher Utilization",
        "License Expansion",
        "Monthly Recurring Revenue",
        "Negative Churn",
        "Net Promoter Score",
        "New Customer Acquisition",
        "Operational Data",
        "Pain Points",
        "Predictive Analytics",
        "Predictive Lead Scoring",
        "Product Data",
        "Product Usage",
        "Product Utilization",
        "Propensity Analysis",
        "Quarterly Business Review",
        "Recurring Revenue",
        "Recurring Revenue Forecast",
        "Time to First Value",
    ]
    assert all(e.definition is None for e in web.entries if Flag.UNDEFINED in e.flags)


def test_noise_is_dropped_with_its_reason(seeds: dict) -> None:
    dropped = {(d.text, d.reason) for r in seeds.values() for d in r.dropped}
    for text, reason in [
        ("Skip to main content", "page furniture"),
        ("6 minutes", "page furniture"),
        ("Was this helpful?", "page furniture"),
        ("Last updated", "page furniture"),
        ("top of page", "page furniture"),
        ("bottom of page", "page furniture"),
        ("Glossary.jpg", "image file name"),
        ("Screenshot 2025-01-10 at 8.53.24 AM.png", "image file name"),
        ("Laptop", "image caption"),
        ("A", "letter heading"),
        ("B", "letter heading"),
        ("C", "letter heading"),
        ("Industry Term Name", "title"),
        ("Docs Summary", "title"),
    ]:
        assert (text, reason) in dropped
    assert any(
        reason == "disclaimer" and text.startswith("Please note") for text, reason in dropped
    )


def test_junk_glued_to_a_definition_is_cut(seeds: dict) -> None:
    logo = one(seeds["terminologies-page"], "Logo Retention")
    assert logo.definition.endswith("that may otherwise be overlooked.")
    assert Flag.JUNK_REMOVED in logo.flags


def test_misspelt_headings_keep_the_definitions_spelling_as_alias(seeds: dict) -> None:
    page = seeds["terminologies-page"]
    assert one(page, "Net Promotor Score").aliases == ("Net Promoter Score",)
    assert one(page, "Cost of Retension").aliases == ("Cost of Retention",)
    assert one(page, "Customer Satisfaction").acronyms == ("CSAT",)
