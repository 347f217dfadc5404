"""Entries merge into one concept per idea: every name kept, every definition credited."""

from __future__ import annotations

import random

import pytest

from ingest.concept import Concept
from ingest.curation import Curation, Decision
from ingest.merge import merge
from ingest.model import Entry
from kg.glossary import Glossary
from kg.quality import read_pairs, score_pairs
from tests.conftest import ROOT


def concept(glossary: Glossary, label: str) -> Concept:
    found = glossary.lookup(label)
    assert found is not None, f"no concept named {label!r}"
    return found


@pytest.mark.parametrize(
    "names",
    [
        ["GRR", "Gross Revenue Retention", "Gross Retention Revenue", "Gross Renewal Rate"],
        ["NRR", "Net Revenue Retention", "Net retention revenue", "Net Dollar Retention", "NDR"],
        ["CLV", "LTV", "Lifetime value", "Customer Lifetime Value", "Customer LifeTime Value"],
        ["Churn", "Churn rate"],
        ["Health Score", "Customer Health Score"],
        ["Cross-sell", "Cross sell", "Cross-Sell"],
        ["Net Promoter Score", "NPS", "Net Promotor Score"],
        ["Customer Onboarding", "User Onboarding", "Onboarding"],
        ["ARR", "Annual Recurring Revenue"],
        ["Key Performance Indicator", "Key Performance Indicators", "KPI"],
    ],
)
def test_required_merges(glossary: Glossary, names: list[str]) -> None:
    concepts = {concept(glossary, n).id for n in names}
    assert len(concepts) == 1, {n: concept(glossary, n).id for n in names}


@pytest.mark.parametrize(
    "names",
    [
        ["Upsell", "Downsell", "Cross-sell"],
        ["NRR", "GRR"],
        ["ARR", "MRR"],
        ["Churn", "Negative Churn"],
        ["Leading indicators", "Lagging indicators"],
        ["High touch", "Low touch", "Tech touch"],
        ["Cost Center", "Cost Recovery Center", "Profit and Loss Center"],
        ["Customer Experience", "Customer Experience Management"],
        ["Customer Lifecycle", "Customer Lifetime Value"],
        ["Account Expansion", "Account Contraction"],
    ],
)
def test_must_stay_apart(glossary: Glossary, names: list[str]) -> None:
    ids = [concept(glossary, n).id for n in names]
    assert len(set(ids)) == len(names), dict(zip(names, ids, strict=True))


def test_preferred_labels_are_full_names(glossary: Glossary) -> None:
    assert concept(glossary, "NRR").pref_label == "Net Revenue Retention"
    assert concept(glossary, "GRR").pref_label == "Gross Revenue Retention"  # curated
    assert concept(glossary, "CLV").pref_label == "Customer Lifetime Value"
    assert concept(glossary, "Churn rate").pref_label == "Churn"
    assert concept(glossary, "CRM").pref_label == "Customer Relationship Management"


def test_aliases_are_alt_labels(glossary: Glossary) -> None:
    nrr = concept(glossary, "NRR")
    assert {"NRR", "NDR", "Net retention revenue", "Net Dollar Retention"} <= set(nrr.alt_labels)
    assert "Cross sell" in concept(glossary, "Cross-sell").alt_labels
    assert "Churn Rate" in concept(glossary, "Churn").alt_labels
    assert "Key Performance Indicators" in concept(glossary, "KPI").alt_labels


def test_misspellings_become_hidden_labels(glossary: Glossary) -> None:
    nps = concept(glossary, "NPS")
    assert nps.pref_label == "Net Promoter Score"
    assert "Net Promotor Score" in nps.hidden_labels
    assert "Net Promotor Score" not in nps.alt_labels
    assert "Cost of Retension" in concept(glossary, "Cost of Retention").hidden_labels
    assert "Rentention" in concept(glossary, "Customer Retention").hidden_labels


def test_every_definition_keeps_its_source(glossary: Glossary) -> None:
    churn = concept(glossary, "Churn")
    assert {d.source for d in churn.definitions} == {
        "pdf-glossary",
        "terminologies-page",
        "docs-glossary",
        "ultimate-glossary",
        "web-glossary",
    }
    assert all(d.lines for d in churn.definitions)
    entries = sum(len(s.entries) for s in glossary.sources)
    joined = sum(len(c.joined) for c in glossary.concepts)
    assert joined + len(glossary.report.unplaced) >= entries  # nothing lost


def test_combined_entries_give_their_definition_to_each_term(glossary: Glossary) -> None:
    text = "Strategies to increase revenue by selling more or additional products."
    for name, other in (("Upsell", "Cross-sell"), ("Cross-sell", "Upsell")):
        shared = [d for d in concept(glossary, name).definitions if d.text == text]
        assert len(shared) == 1 and shared[0].shared_with == (other,)
        assert shared[0].source == "docs-glossary"
    assert glossary.lookup("Upsell and Cross-sell") is None
    billings = concept(glossary, "Billings")
    assert billings.definitions[0].shared_with == ("Bookings", "Revenue")
    assert concept(glossary, "EBR").pref_label == "Executive Business Review"
    assert concept(glossary, "QBR").pref_label == "Quarterly Business Review"


def test_preferred_definition_is_never_a_shared_one_when_another_exists(
    glossary: Glossary,
) -> None:
    for c in glossary.concepts:
        own = [d for d in c.definitions if not d.shared_with]
        if own and c.definition is not None:
            assert not c.definition.shared_with, c.pref_label
        assert c.preferred_reason


def test_every_merge_records_its_reason(glossary: Glossary) -> None:
    grr = concept(glossary, "GRR")
    renewal = next(j for j in grr.joined if j.term == "Gross Renewal Rate")
    assert any(r.startswith("initials") and "GRR" in r for r in renewal.reasons)
    ndr = next(j for j in concept(glossary, "NDR").joined if j.term == "Net Dollar Retention")
    assert any(r.startswith("curated") for r in ndr.reasons)
    for c in glossary.concepts:
        if len(c.joined) > 1:
            assert all(j.reasons for j in c.joined), c.pref_label


def test_conflicting_definitions_are_flagged(glossary: Glossary) -> None:
    clv = concept(glossary, "CLV")
    (conflict,) = clv.conflicts
    values = {value: {clv.definitions[i].source for i in idx} for value, idx in conflict.positions}
    assert values == {
        "profit": {"pdf-glossary", "web-glossary"},
        "revenue": {"docs-glossary", "ultimate-glossary"},
    }
    assert not concept(glossary, "Churn").conflicts


def test_a_definition_without_term_is_reported_not_lost(glossary: Glossary) -> None:
    assert [(u["source"], u["lines"]) for u in glossary.report.unplaced] == [
        ("terminologies-page", [114, 114])
    ]


def test_merging_does_not_depend_on_source_order(seed_sources, encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [e for s in seed_sources for e in s.entries]
    first = merge(entries, embed=encoder.encode)
    shuffled = list(entries)
    random.Random(7).shuffle(shuffled)
    second = merge(shuffled, embed=encoder.encode)
    assert [(c.id, c.pref_label, c.alt_labels) for c in first.concepts] == [
        (c.id, c.pref_label, c.alt_labels) for c in second.concepts
    ]


def test_curation_split_keeps_labels_apart_and_unknown_decisions_are_reported(
    seed_sources,
    encoder,  # type: ignore[no-untyped-def]
) -> None:
    entries = [e for s in seed_sources for e in s.entries]
    curation = Curation(
        [
            Decision("split", 1, ("Health Score", "Customer Health Score"), "test"),
            Decision("split", 2, ("Churn", "Churn Rate"), "test"),
            Decision("merge", 1, ("Downsell", "No Such Term"), "test"),
            Decision("label", 1, ("Nothing Like This",), preferred="X"),
            Decision("definition", 1, ("Churn",), source="ultimate-glossary"),
        ]
    )
    result = merge(entries, curation, embed=encoder.encode)
    by_label = {label.casefold(): c for c in result.concepts for label in c.labels}
    assert by_label["health score"] is not by_label["customer health score"]
    assert any("[[split]] 1 keeps them apart" in r for r in result.refused)
    assert any("[[split]] 2: one entry" in n and "both sides" in n for n in result.notes)
    assert "[[merge]] 1: no entry is named 'No Such Term'" in result.notes
    assert "[[label]] 1: no concept is named 'Nothing Like This'" in result.notes
    churn = by_label["churn"]
    assert churn.definition.source == "ultimate-glossary"
    assert churn.preferred_reason.startswith("curated")


def test_merge_precision_and_recall_on_labelled_pairs(glossary: Glossary) -> None:
    score = score_pairs(glossary, read_pairs(ROOT / "data" / "eval" / "merge-pairs.tsv"))
    assert score.missing == []
    assert score.precision == 1.0, score.errors
    assert score.recall >= 0.9, score.errors


def _entry(term: str, definition: str, source: str, line: int, acronyms: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    from ingest.model import Entry

    return Entry(term, definition, source, (line, line), term, acronyms=acronyms)


def test_one_acronym_spelt_out_as_two_things_makes_two_concepts(encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [
        _entry(
            "Customer Acquisition Cost",
            "Sales and marketing spend per new customer.",
            "a",
            1,
            ("CAC",),
        ),
        _entry(
            "Customer Advisory Council",
            "A group of key customers who meet quarterly.",
            "b",
            1,
            ("CAC",),
        ),
        _entry("CAC", "What it costs to win a customer.", "c", 1),  # names no expansion: joins one
    ]
    result = merge(entries, embed=encoder.encode)
    by_label = {c.pref_label: c for c in result.concepts}
    assert len(result.concepts) == 2
    assert "CAC" in by_label["Customer Acquisition Cost"].acronyms
    assert "CAC" in by_label["Customer Advisory Council"].acronyms
    assert (
        len(by_label["Customer Acquisition Cost"].definitions)
        + len(by_label["Customer Advisory Council"].definitions)
        == 3
    )  # nothing lost
    (kept,) = result.refused
    assert (
        "CAC stands for 'Customer Acquisition Cost' in one and 'Customer Advisory Council'" in kept
    )


def test_expansions_one_word_apart_are_one_thing_only_if_their_definitions_agree(encoder) -> None:  # type: ignore[no-untyped-def]
    """ "Change Advisory Board" (IT) merged into "Customer Advisory Board": alike but for one
    word, they were taken for one name spelt two ways, whatever their definitions said."""
    entries = [
        _entry(
            "Customer Advisory Board",
            "A group of key customers advising on the roadmap.",
            "a",
            1,
            ("CAB",),
        ),
        _entry(
            "Change Advisory Board",
            "The IT group that approves production changes.",
            "b",
            1,
            ("CAB",),
        ),
        _entry(
            "Net Revenue Retention",
            "Recurring revenue kept from existing customers, with expansion.",
            "a",
            2,
            ("NRR",),
        ),
        _entry(
            "Net Retention Rate",
            "Recurring revenue kept from existing customers including expansion.",
            "b",
            2,
            ("NRR",),
        ),
    ]
    result = merge(entries, embed=encoder.encode)
    named = sorted(sorted(c.labels) for c in result.concepts)
    assert named == [
        ["CAB", "Change Advisory Board"],
        ["CAB", "Customer Advisory Board"],
        ["NRR", "Net Retention Rate", "Net Revenue Retention"],  # the same words, moved
    ]
    assert any(
        "'Customer Advisory Board' and 'Change Advisory Board' not merged" in r
        for r in result.refused
    )


def test_a_name_alike_but_for_a_synonym_is_one_thing_and_an_undefined_other_is_not(encoder) -> None:  # type: ignore[no-untyped-def]
    """ "Client" / "Customer Acquisition Cost" is one name written two ways (the words are
    alike); an undefined "Change Advisory Board" row of an acronym list is no "Customer
    Advisory Board", which it had renamed."""
    entries = [
        _entry(
            "Customer Acquisition Cost",
            "Sales and marketing spend per new customer.",
            "a",
            1,
            ("CAC",),
        ),
        _entry(
            "Client Acquisition Cost", "What we spend to sign one new client.", "b", 1, ("CAC",)
        ),
        _entry(
            "Customer Advisory Board",
            "A group of key customers advising on the roadmap.",
            "a",
            2,
            ("CAB",),
        ),
        Entry(
            "Change Advisory Board", None, "c", (3, 3), "Change Advisory Board", acronyms=("CAB",)
        ),
    ]
    named = sorted(sorted(c.labels) for c in merge(entries, embed=encoder.encode).concepts)
    assert named == [
        ["CAB", "Change Advisory Board"],
        ["CAB", "Customer Advisory Board"],
        ["CAC", "Client Acquisition Cost", "Customer Acquisition Cost"],
    ]


def test_two_names_another_source_defines_apart_are_a_combined_entry(encoder) -> None:  # type: ignore[no-untyped-def]
    """'Cross-sell / Up-sell' in one cell reads like synonyms, but a glossary defining both on
    their own says they are two things: the cell's definition goes to each, joining nothing."""
    from ingest.model import Entry

    entries = [
        _entry("Cross-sell", "Selling a different product to an existing customer.", "a", 1),
        _entry("Upsell", "Selling a more expensive plan to an existing customer.", "a", 2),
        Entry(
            "Cross-sell",
            "Selling more to an existing customer.",
            "ops",
            (2, 2),
            "Cross-sell / Up-sell",
            aliases=("Up-sell",),
        ),
    ]
    result = merge(entries, embed=encoder.encode)
    by_label = {c.pref_label: c for c in result.concepts}
    assert sorted(by_label) == ["Cross-sell", "Upsell"]
    for label in by_label:
        assert "Selling more to an existing customer." in [
            d.text for d in by_label[label].definitions
        ]
    (said,) = result.refused
    assert said == (
        "'Cross-sell / Up-sell' (ops:2) names 'Cross-sell' and 'Up-sell', which a defines "
        "apart: read as one definition of each"
    )


def test_two_names_are_one_concept_when_another_source_gives_both_to_one_entry(encoder) -> None:  # type: ignore[no-untyped-def]
    from ingest.model import Entry

    entries = [
        _entry("Churn", "Customers lost in a period.", "a", 1),
        _entry("Attrition", "Customers who leave.", "a", 2),
        Entry(
            "Churn",
            "Customers cancelling.",
            "b",
            (1, 1),
            "Churn or attrition",
            aliases=("attrition",),
        ),
        Entry(
            "Churn",
            "Customers who cancel.",
            "ops",
            (2, 2),
            "Churn / Attrition",
            aliases=("Attrition",),
        ),
    ]
    result = merge(entries, embed=encoder.encode)
    assert len(result.concepts) == 1 and not result.refused
    # a source that only points one name at the other defines nothing apart
    entries = [
        _entry("User Onboarding", "Getting new users to value.", "a", 1),
        _entry("Onboarding", "See User Onboarding", "a", 2),
        Entry(
            "Onboarding",
            "Helping new customers start.",
            "ops",
            (2, 2),
            "Onboarding / User Onboarding",
            aliases=("User Onboarding",),
        ),
    ]
    assert len(merge(entries, embed=encoder.encode).concepts) == 1


def test_an_acronym_kept_apart_is_not_joined_again_through_its_initials(encoder) -> None:  # type: ignore[no-untyped-def]
    """ARR is Annual Run Rate in one source and Annual Recurring Revenue in another; a third
    source's 'Annual Recurring Revenue', with no acronym, abbreviates to ARR as 'Annual Run
    Rate' does, and had joined all three despite the message saying they were kept apart."""
    entries = [
        _entry(
            "Annual Run Rate",
            "The current month's revenue multiplied by twelve.",
            "data",
            1,
            ("ARR",),
        ),
        _entry(
            "Annual Recurring Revenue",
            "The yearly value of all active subscription contracts.",
            "sales",
            1,
            ("ARR",),
        ),
        _entry(
            "Annual Recurring Revenue",
            "The dollar value of recurring subscription revenue, normalised to one year.",
            "wiki",
            1,
        ),
    ]
    result = merge(entries, embed=encoder.encode)
    assert sorted(len(c.definitions) for c in result.concepts) == [1, 2]
    assert sorted(c.pref_label for c in result.concepts) == [
        "Annual Recurring Revenue",
        "Annual Run Rate",
    ]
    assert len(result.refused) == len(set(result.refused)) == 2
    assert "ARR stands for 'Annual Run Rate' in one" in result.refused[0]
    assert "ARR stands for a different thing in each" in result.refused[1]


def test_one_acronym_spelt_out_in_another_order_is_one_concept(encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [
        _entry(
            "Gross Revenue Retention", "Revenue kept from existing customers.", "a", 1, ("GRR",)
        ),
        _entry(
            "Gross Retention Revenue", "Share of revenue retained, no expansion.", "b", 1, ("GRR",)
        ),
    ]
    assert len(merge(entries, embed=encoder.encode).concepts) == 1


def test_a_term_in_capitals_is_the_same_word_in_lower_case(encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [
        _entry("CHURN", "Customers who cancel in a period.", "caps", 1),
        _entry("Churn", "The rate at which customers leave.", "lower", 1),
        _entry("CSAT", "Customer satisfaction score.", "caps", 2),
        _entry("Csat survey", "A survey after a ticket.", "lower", 2),
    ]
    result = merge(entries, embed=encoder.encode)
    labels = sorted(c.pref_label for c in result.concepts)
    assert labels == ["CSAT", "Churn", "Csat survey"]  # written in capitals, "Churn" is shown


def test_a_plural_in_capitals_is_the_same_word_in_lower_case(encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [
        _entry("BOOKINGS", "The total value of contracts signed in a period.", "caps", 1),
        _entry("Bookings", "Total contract value signed in a quarter.", "lower", 1),
    ]
    assert [c.pref_label for c in merge(entries, embed=encoder.encode).concepts] == ["Bookings"]


def test_another_name_for_and_also_called_are_names_of_one_concept(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ingest.pipeline import read_paths

    (tmp_path / "a.txt").write_text(
        "Net Dollar Retention: Another name for net revenue retention, used by investors.\n"
        "Churn (also called attrition): Customers lost.\n"
    )
    (tmp_path / "b.txt").write_text(
        "NRR: Net Revenue Retention. Revenue kept from existing customers, with expansion.\n"
        "Quota: A sales target.\n"
    )
    sources, _ = read_paths([tmp_path])
    result = merge([e for s in sources for e in s.entries])
    by_label = {c.pref_label: c for c in result.concepts}
    assert sorted(by_label) == ["Churn", "Net Revenue Retention", "Quota"]
    nrr = by_label["Net Revenue Retention"]
    assert "Net Dollar Retention" in nrr.alt_labels and "NRR" in nrr.acronyms
    assert not nrr.definition.text.startswith("Another name")  # a pointer is not preferred
    assert "attrition" in by_label["Churn"].alt_labels


def test_an_acronym_alone_joins_the_spelt_out_side_its_definition_agrees_with(encoder) -> None:  # type: ignore[no-untyped-def]
    bare = _entry("CAC", "Total sales and marketing spend divided by new customers won", "a", 1)
    council = _entry(
        "Customer Advisory Council",
        "Key customers who meet to advise on the roadmap",
        "a",
        2,
        ("CAC",),
    )
    cost = _entry(
        "Customer Acquisition Cost", "What it costs to win one new customer", "a", 3, ("CAC",)
    )
    for order in ([bare, council, cost], [cost, council, bare], [council, bare, cost]):
        result = merge(order, embed=encoder.encode)
        by_label = {c.pref_label: len(c.definitions) for c in result.concepts}
        assert by_label == {"Customer Acquisition Cost": 2, "Customer Advisory Council": 1}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Net Revenue Retention", "Net Retention Rate"),
        ("Customer Acquisition Cost", "Cost of Acquiring Customers"),
    ],
)
def test_one_acronym_spelt_out_in_other_words_of_one_thing_is_one_concept(
    encoder, a: str, b: str
) -> None:  # type: ignore[no-untyped-def]
    acronym = "".join(w[0] for w in a.split())
    entries = [
        _entry(a, "Revenue kept from existing customers.", "x", 1, (acronym,)),
        _entry(b, "The share of money that stays with us.", "y", 1, (acronym,)),
    ]
    assert len(merge(entries, embed=encoder.encode).concepts) == 1


BACKLOGS = [
    ("Backlog", "Revenue committed under signed contracts but not yet recognized.", "sales"),
    ("Backlog", "The queue of open support tickets waiting for an agent.", "support"),
]


def test_one_name_defined_unlike_by_two_sources_is_reported_with_the_split_to_make(
    encoder,  # type: ignore[no-untyped-def]
) -> None:
    entries = [_entry(t, d, s, 3) for t, d, s in BACKLOGS]
    result = merge(entries, Curation(), embed=encoder.encode)
    assert len(result.concepts) == 1  # one name: merged, as before, but said
    [note] = [n for n in result.notes if "unlike" in n]
    assert note.startswith("'Backlog': sales and support define it unlike each other (0.")
    assert note.endswith(
        '[[split]] labels = ["Backlog", "Backlog"], sources = ["sales", "support"]'
    )
    # and the concept says so after ingest (`kg conflicts`, `kg show`, answers)
    [conflict] = result.concepts[0].conflicts
    assert conflict.aspect == "what it is"
    assert [value for value, _ in conflict.positions] == [
        "“Revenue committed under signed contracts but…”",
        "“The queue of open support tickets…”",
    ]
    # once split, nothing is in conflict
    split = Curation([Decision("split", 1, ("Backlog", "Backlog"), sources=("sales", "support"))])
    assert not any(c.conflicts for c in merge(entries, split, embed=encoder.encode).concepts)


def test_definitions_that_agree_are_not_reported(encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [
        _entry("Churn", "Customers who stop paying in a period.", "a", 3),
        _entry("Churn", "The share of customers lost over a period.", "b", 3),
    ]
    assert not [n for n in merge(entries, Curation(), embed=encoder.encode).notes if "unlike" in n]


def test_a_split_by_source_keeps_one_names_two_meanings_apart(encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [_entry(t, d, s, 3) for t, d, s in BACKLOGS]
    split = Decision(
        "split", 1, ("Backlog", "Backlog"), "two meanings", sources=("sales", "support")
    )
    result = merge(entries, Curation([split]), embed=encoder.encode)
    assert sorted((c.id, c.sources[0]) for c in result.concepts) == [
        ("backlog", "sales"),
        ("backlog-2", "support"),
    ]
    assert not [n for n in result.notes if "unlike" in n]
    assert any("[[split]] 1 keeps them apart" in r for r in result.refused)


def test_a_split_side_from_a_source_with_no_such_entry_is_reported(encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [_entry(t, d, s, 3) for t, d, s in BACKLOGS]
    split = Decision("split", 1, ("Backlog", "Backlog"), "", sources=("sales", "suport"))
    result = merge(entries, Curation([split]), embed=encoder.encode)
    assert "[[split]] 1: no entry from 'suport' is named 'Backlog'" in result.notes
    assert len(result.concepts) == 1


def test_a_name_split_by_source_stays_split_unlinked_and_read_back(tmp_path, encoder) -> None:  # type: ignore[no-untyped-def]
    from ingest.pipeline import read_paths

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "sales.txt").write_text(
        "Backlog: Revenue under contract, not yet recognized.\n"
        "Order backlog: The signed orders waiting to be delivered.\n"
    )
    (tmp_path / "in" / "support.txt").write_text(
        "Backlog: Open support tickets waiting for an agent.\n"
        "Ticket backlog: The count of open tickets at the end of a day.\n"
    )
    split = Decision("split", 1, ("Backlog", "Backlog"), "", sources=("sales", "support"))
    glossary = Glossary.build(read_paths([tmp_path / "in"])[0], Curation([split]), encoder=encoder)
    halves = sorted(c.id for c in glossary.concepts if c.pref_label == "Backlog")
    assert halves == ["backlog", "backlog-2"]
    linked = {(k.source, k.target) for k in glossary.links}
    assert not linked & {tuple(halves), tuple(reversed(halves))}  # one name, not one meaning
    assert not any(
        {k.source, k.target} & set(halves) and "built on 'Backlog'" in k.reason
        for k in glossary.links
    )
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "export.ttl").write_bytes(glossary.export("turtle")[0])
    again = Glossary.build(read_paths([tmp_path / "out"])[0], encoder=encoder)  # no curation
    assert sorted(c.id for c in again.concepts if c.pref_label == "Backlog") == halves


def test_a_term_listed_under_another_is_not_the_sources_own_entry_of_that_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ingest.pipeline import read_paths

    (tmp_path / "g.md").write_text(
        "# Glossar\n\n## Pipeline\nAlle offenen Verkaufschancen eines Teams.\n\n"
        "## Kundenstatus\nWo ein Kunde steht. Mögliche Werte:\n"
        "- Pipeline: Der Kunde verhandelt noch über den Vertrag.\n"
        "- Aktiv: Der Kunde zahlt und nutzt das Produkt.\n",
        encoding="utf-8",
    )
    result = merge([e for s in read_paths([tmp_path])[0] for e in s.entries], Curation())
    pipelines = [c for c in result.concepts if c.pref_label == "Pipeline"]
    assert len(pipelines) == 2
    assert any("lists one under 'Kundenstatus'" in r for r in result.refused)


def test_a_listed_term_defined_alike_is_the_sources_own_entry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ingest.pipeline import read_paths

    (tmp_path / "g.md").write_text(
        "# Glossary\n\n## MRR\nMonthly recurring revenue from all subscriptions.\n\n"
        "## Revenue\nMoney coming in. It includes:\n"
        "- MRR: Monthly recurring revenue from all subscriptions.\n"
        "- Services: One-off consulting and training fees.\n",
        encoding="utf-8",
    )
    result = merge([e for s in read_paths([tmp_path])[0] for e in s.entries], Curation())
    assert len([c for c in result.concepts if c.pref_label == "MRR"]) == 1


def test_two_vocabularies_sharing_a_namespace_still_merge_by_label(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ingest.pipeline import read_paths

    head = (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix ex: <http://example.org/> .\n"
    )
    (tmp_path / "a.ttl").write_text(
        head + 'ex:churn a skos:Concept ; skos:prefLabel "Churn"@en ; '
        'skos:definition "Customers lost in a period."@en .\n'
    )
    (tmp_path / "b.ttl").write_text(
        head + 'ex:c42 a skos:Concept ; skos:prefLabel "Churn"@en ; '
        'skos:definition "The share of customers who leave."@en .\n'
    )
    result = merge([e for s in read_paths([tmp_path])[0] for e in s.entries], Curation())
    assert [c.pref_label for c in result.concepts] == ["Churn"]  # another team's, same name


def _unlike_notes(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [n for n in result.notes if "unlike" in n]


def test_the_seeds_merge_without_an_unlike_warning(seed_sources, encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [e for s in seed_sources for e in s.entries]
    assert _unlike_notes(merge(entries, Curation(), embed=encoder.encode)) == []


def test_a_definition_near_one_of_the_concepts_others_is_not_reported(
    seed_sources,
    encoder,  # type: ignore[no-untyped-def]
) -> None:
    # nearest the docs-glossary definition (0.36), below 0.30 against pdf- and web-glossary's:
    # a synonym is judged by the definition it reads most like, not by its farthest
    health = _entry(
        "Customer Health Score",
        "A composite score (0-100) combining usage, support tickets and NPS.",
        "chs",
        2,
    )
    entries = [e for s in seed_sources for e in s.entries] + [health]
    result = merge(entries, Curation(), embed=encoder.encode)
    assert _unlike_notes(result) == []
    by_label = {label: c for c in result.concepts for label in c.labels}
    assert "chs" in by_label["Customer Health Score"].sources


def test_a_definition_unlike_all_the_concepts_others_is_reported_once(encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [
        _entry("Backlog", BACKLOGS[0][1], "sales", 3),
        _entry("Backlog", "Contracted revenue not yet recognised as revenue.", "finance", 3),
        _entry("Backlog", BACKLOGS[1][1], "support", 3),
    ]
    [note] = _unlike_notes(merge(entries, Curation(), embed=encoder.encode))
    assert note.startswith("'Backlog': support defines it unlike all 2 other definitions")
    assert note.endswith('[[split]] labels = ["Backlog", "Backlog"], sources = ["support", ""]')


def test_a_split_side_of_any_source_leaves_the_entry_another_side_names(encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [
        _entry("Backlog", BACKLOGS[0][1], "sales", 3),
        _entry("Backlog", "Contracted revenue not yet recognised as revenue.", "finance", 3),
        _entry("Backlog", BACKLOGS[1][1], "support", 3),
    ]
    split = Decision("split", 1, ("Backlog", "Backlog"), "", sources=("support", ""))
    result = merge(entries, Curation([split]), embed=encoder.encode)
    assert sorted(c.sources for c in result.concepts) == [["finance", "sales"], ["support"]]
    assert not [n for n in result.notes if "[[split]]" in n]


def test_splitting_off_the_first_holder_of_a_name_leaves_the_others_together(encoder) -> None:  # type: ignore[no-untyped-def]
    """The others of a name are linked to each other too, not only through its first."""
    entries = [
        _entry("Backlog", BACKLOGS[1][1], "support", 3),
        _entry("Backlog", BACKLOGS[0][1], "sales", 3),
        _entry("Backlog", "Contracted revenue not yet recognised as revenue.", "finance", 3),
    ]
    split = Decision("split", 1, ("Backlog", "Backlog"), "", sources=("support", ""))
    result = merge(entries, Curation([split]), embed=encoder.encode)
    assert sorted(c.sources for c in result.concepts) == [["finance", "sales"], ["support"]]


def test_after_a_split_the_earlier_concept_keeps_its_id_and_curation(encoder) -> None:  # type: ignore[no-untyped-def]
    """A new source's homonym, split off, takes neither the id nor the curated phrasings of
    the concept the previous build had under that name."""
    entries = [
        _entry("Backlog", BACKLOGS[1][1], "support", 3),  # new: first by source and order
        _entry("Backlog", BACKLOGS[0][1], "sales", 3),
    ]
    decisions = [
        Decision("split", 1, ("Backlog", "Backlog"), "", sources=("support", "sales")),
        Decision("phrasing", 1, ("Backlog",), phrases=("deals signed but not yet billed",)),
    ]
    # what the build before recorded: sales' Backlog alone, or (the usual way: a source is
    # added, the warning read, the split written) both merged in one concept
    for previous in (
        {"backlog": ["backlog", "source:sales"]},
        {"backlog": ["backlog", "source:sales", "source:support"]},
    ):
        result = merge(entries, Curation(decisions), embed=encoder.encode, previous_ids=previous)
        by_id = {c.id: c for c in result.concepts}
        assert by_id["backlog"].sources == ["sales"]
        assert by_id["backlog"].phrasings == ["deals signed but not yet billed"]
        assert by_id["backlog-2"].sources == ["support"] and not by_id["backlog-2"].phrasings
        assert "[[phrasing]] 1: 'Backlog' names 2 concepts; applied to the one from sales" in (
            result.notes
        )


HR = (
    "Onboarding: The process of integrating a new hire: paperwork, laptop, training.\n"
    "Retention: Keeping employees from leaving the company; measured as the share of staff "
    "still employed after a year.\n"
)


def test_a_homonym_joined_through_a_see_reference_is_reported_and_can_be_split(
    tmp_path,
    seed_sources,
    encoder,  # type: ignore[no-untyped-def]
) -> None:
    from ingest.pipeline import read_paths

    (tmp_path / "hr.txt").write_text(HR)
    seeds = [e for s in seed_sources for e in s.entries]
    hr = [e for s in read_paths([tmp_path / "hr.txt"])[0] for e in s.entries]
    result = merge(seeds + hr, Curation(), embed=encoder.encode)
    notes = _unlike_notes(result)
    assert len(notes) == 2, notes
    onboarding = next(n for n in notes if n.startswith("'Onboarding': hr defines it unlike"))
    assert "only through web-glossary:161" in onboarding
    assert onboarding.endswith(
        '[[split]] labels = ["Onboarding", "Onboarding"], sources = ["hr", "web-glossary"]'
    )
    assert any(
        n.startswith("'Retention': hr and web-glossary define it unlike each other")
        and n.endswith('sources = ["hr", "web-glossary"]')
        for n in notes
    )
    splits = [
        Decision("split", i, (name, name), "", sources=("hr", "web-glossary"))
        for i, name in enumerate(("Onboarding", "Retention"), start=1)
    ]
    result = merge(seeds + hr, Curation(splits), embed=encoder.encode)
    assert _unlike_notes(result) == []
    by_label = {c.pref_label: c for c in result.concepts if c.sources != ["hr"]}
    assert "Onboarding" in by_label["Customer Onboarding"].labels
    assert "hr" not in by_label["Customer Onboarding"].sources
    assert "Retention" in by_label["Customer Retention"].labels
    assert sorted(c.pref_label for c in result.concepts if c.sources == ["hr"]) == [
        "Onboarding",
        "Retention",
    ]


def test_one_sources_two_entries_of_one_name_defined_unlike_are_reported_and_split_by_line(
    tmp_path,
    encoder,  # type: ignore[no-untyped-def]
) -> None:
    from ingest.pipeline import read_paths

    (tmp_path / "backlog.csv").write_text(
        "Term,Definition\n"
        "Backlog,Contracted revenue not yet recognised.\n"
        "Backlog,Open support tickets awaiting a fix.\n"
    )
    entries = [e for s in read_paths([tmp_path])[0] for e in s.entries]
    result = merge(entries, Curation(), embed=encoder.encode)
    [note] = _unlike_notes(result)
    assert note.startswith("'Backlog': backlog:2 and backlog:3 define it unlike each other")
    assert note.endswith(
        '[[split]] labels = ["Backlog", "Backlog"], sources = ["backlog:2", "backlog:3"]'
    )
    split = Decision("split", 1, ("Backlog", "Backlog"), "", sources=("backlog:2", "backlog:3"))
    result = merge(entries, Curation([split]), embed=encoder.encode)
    assert [len(c.definitions) for c in result.concepts] == [1, 1]
    assert _unlike_notes(result) == []
    wrong = Decision("split", 1, ("Backlog", "Backlog"), "", sources=("backlog:2", "backlog:9"))
    result = merge(entries, Curation([wrong]), embed=encoder.encode)
    assert "[[split]] 1: no entry from 'backlog:9' is named 'Backlog'" in result.notes


def test_an_added_letter_is_a_misspelling_too() -> None:
    from collections import Counter

    from ingest.merge import _misspelt_forms

    # written once each: "renewal" and "retention" are English words, the others are not
    pairs = {("Renewall", "Renewal"), ("Retentionn", "Retention"), ("Renewl", "Renewal")}
    assert _misspelt_forms(pairs, Counter()) == {"renewall", "retentionn", "renewl"}


def test_a_misspelling_never_becomes_the_preferred_label_or_the_id(encoder) -> None:  # type: ignore[no-untyped-def]
    # each spelling written once, nothing else telling them apart: the one missing a letter
    # is the misspelt; "managers" in a definition attests the spelling as well
    for texts in (
        ("Owns the customer after the sale.", "Responsible for customer outcomes."),
        ("Owns the customer after the sale.", "One of the managers of an account."),
    ):
        for first, second in (("a", "b"), ("b", "a")):
            entries = [
                _entry("Customer Success Manager", texts[0], first, 2, ("CSM",)),
                _entry("Customer Success Manger", texts[1], second, 2, ("CSM",)),
            ]
            [csm] = merge(entries, Curation(), embed=encoder.encode).concepts
            assert (csm.id, csm.pref_label) == (
                "customer-success-manager",
                "Customer Success Manager",
            )
            assert csm.hidden_labels == ["Customer Success Manger"]


def test_a_one_word_misspelling_is_a_hidden_label(encoder) -> None:  # type: ignore[no-untyped-def]
    entries = [
        _entry("Renewal", "The customer extends their subscription for another term.", "a", 1),
        _entry("Champion", "A person at the customer who promotes our product.", "a", 2),
        _entry("Quota", "The sales target a rep must meet in a period.", "a", 3),
        _entry("Renewel", "Extending a subscription for another term.", "b", 1),
        _entry("Champoin", "A contact who promotes our product internally.", "b", 2),
        _entry("Quote", "A priced offer sent to a prospect before a contract.", "b", 3),
    ]
    by_label = {c.pref_label: c for c in merge(entries, embed=encoder.encode).concepts}
    assert sorted(by_label) == ["Champion", "Quota", "Quote", "Renewal"]  # two words, two things
    assert by_label["Renewal"].hidden_labels == ["Renewel"]
    assert by_label["Champion"].hidden_labels == ["Champoin"]


def test_an_acronym_spelt_out_alike_by_both_sides_names_one_thing(encoder) -> None:  # type: ignore[no-untyped-def]
    """A curated merge put 'Gross Renewal Rate (GRR)' with 'Gross Revenue Retention (GRR)';
    'Gross Retention Revenue (GRR)' spells GRR as one of them does, so it joins them, though
    its definition reads unlike the renewal rate's."""
    entries = [
        _entry(
            "Gross Revenue Retention",
            "Revenue kept from customers before expansion.",
            "docs",
            1,
            ("GRR",),
        ),
        _entry(
            "Gross Retention Revenue",
            "Amount of dollars retained from customers.",
            "pdf",
            1,
            ("GRR",),
        ),
        _entry(
            "Gross Renewal Rate",
            "Renewed revenue as a share of revenue up for renewal.",
            "extra",
            1,
            ("GRR",),
        ),
    ]
    merged = Decision("merge", 1, ("Gross Renewal Rate", "Gross Revenue Retention"))
    result = merge(entries, Curation([merged]), embed=encoder.encode)
    assert len(result.concepts) == 1 and not result.refused
