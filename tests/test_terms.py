"""How a term as written is taken apart into its name, acronyms and other names."""

from __future__ import annotations

import pytest

from ingest.terms import parse_term


@pytest.mark.parametrize(
    "written",
    [
        "MRR / Monthly Recurring Revenue",
        "Monthly Recurring Revenue / MRR",
        "MRR — Monthly Recurring Revenue",
        "Monthly Recurring Revenue - MRR",
        "MRR = Monthly Recurring Revenue",
    ],
)
def test_an_acronym_beside_what_it_stands_for_is_its_acronym(written: str) -> None:
    """'MRR / Monthly Recurring Revenue' had become the term 'MRR Recurring Revenue'."""
    parsed = parse_term(written)
    assert (parsed.term, parsed.acronyms, parsed.aliases) == (
        "Monthly Recurring Revenue",
        ("MRR",),
        (),
    )


@pytest.mark.parametrize(
    ("written", "term", "aliases"),
    [
        ("Initial / first value", "Initial value", ("First value",)),  # a shared head word
        ("Churn / Attrition", "Churn", ("Attrition",)),
        ("NDR / NRR", "NDR", ("NRR",)),  # two acronyms, neither spelling out the other
        ("Land - Expand", "Land - Expand", ()),  # no acronym: a dash is part of the name
    ],
)
def test_other_names_beside_each_other_stay_names(
    written: str, term: str, aliases: tuple[str, ...]
) -> None:
    parsed = parse_term(written)
    assert (parsed.term, parsed.aliases, parsed.acronyms) == (term, aliases, ())


@pytest.mark.parametrize(
    ("written", "term", "acronyms"),
    [
        ("What is Net Revenue Retention (NRR)?", "Net Revenue Retention", ("NRR",)),
        ("What are Bookings?", "Bookings", ()),
        ("What does QBR stand for?", "QBR", ()),
        ("What If Analysis", "What If Analysis", ()),  # no question: a name
        ("What is it?", "What is it?", ()),  # nothing named
    ],
)
def test_an_faq_heading_names_the_term_it_asks_about(
    written: str, term: str, acronyms: tuple[str, ...]
) -> None:
    parsed = parse_term(written)
    assert (parsed.term, parsed.acronyms) == (term, acronyms)


@pytest.mark.parametrize(
    ("written", "term", "aliases", "note"),
    [
        # a qualifier is part of the name: two things, not one 'Churn' with nothing said
        ("Churn (monthly)", "Churn (monthly)", (), None),
        ("Churn (annual)", "Churn (annual)", (), None),
        # the English name of a term in another language
        ("Kundenbindung (Customer Retention)", "Kundenbindung", ("Customer Retention",), None),
        ("Taux de désabonnement (Churn Rate)", "Taux de désabonnement", ("Churn Rate",), None),
        # an English term's bracketed words stay a note
        ("Pipeline (Sales Pipeline)", "Pipeline", (), "Sales Pipeline"),
        ("Renewal Rate (%)", "Renewal Rate", (), "%"),
        (
            "Health Score (previously weighted by usage)",
            "Health Score",
            (),
            "previously weighted by usage",
        ),
    ],
)
def test_words_in_brackets_that_are_no_acronym(
    written: str, term: str, aliases: tuple[str, ...], note: str | None
) -> None:
    parsed = parse_term(written)
    assert (parsed.term, parsed.aliases, parsed.note) == (term, aliases, note)
