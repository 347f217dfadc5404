"""Answers built from the glossary's own definitions, cited; comparisons; low confidence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.concept import Concept
from kg.answer import SURE, UNNAMED, Relation, ask, judge, unnamed_term
from kg.errors import BadQuery
from kg.search import SearchIndex


@pytest.fixture(scope="module")
def index(glossary, encoder) -> SearchIndex:
    return SearchIndex.build(glossary.concepts, encoder)


@pytest.fixture(scope="module")
def by_id(glossary) -> dict[str, Concept]:
    return {c.id: c for c in glossary.concepts}


def sourced_texts(concept: Concept) -> set[str]:
    """Everything a citation may quote: definitions, and the terms sources wrote."""
    return (
        {d.text for d in concept.definitions}
        | {d.term for d in concept.definitions}
        | {j.term for j in concept.joined}
    )


def test_answer_cites_the_glossary_verbatim(index: SearchIndex, by_id) -> None:
    result = ask("What is NDR?", index, by_id)
    assert set(result) >= {"question", "answer", "confidence", "concepts", "citations"}
    assert result["concepts"][0]["id"] == "net-revenue-retention"
    assert result["confidence"] >= SURE
    concept = by_id["net-revenue-retention"]
    assert concept.definition is not None
    assert concept.definition.text in result["answer"]
    assert result["citations"]
    for citation in result["citations"]:
        assert citation["text"] in sourced_texts(by_id[citation["concept"]])
        assert citation["source"] in concept.sources
    # every marker points at a citation, and every citation is used
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", result["answer"])}
    assert markers == set(range(1, len(result["citations"]) + 1))
    assert "NRR" in result["answer"]  # its aliases


def test_other_sources_definitions_where_they_differ(index: SearchIndex, by_id) -> None:
    result = ask("churn", index, by_id)
    cited_sources = {c["source"] for c in result["citations"] if c["kind"] == "definition"}
    assert len(cited_sources) >= 3


@pytest.mark.parametrize(
    ("question", "pair"),
    [
        ("What is the difference between upsell and cross-sell?", {"upsell", "cross-sell"}),
        ("ARR vs MRR", {"annual-recurring-revenue", "monthly-recurring-revenue"}),
        (
            "how does gross revenue retention differ from net revenue retention",
            {"gross-revenue-retention", "net-revenue-retention"},
        ),
        ("difference between land and expand and upsell", {"land-and-expand", "upsell"}),
        ("what's the diff between csat and nps", {"customer-satisfaction", "net-promoter-score"}),
        ("is upsell the same as cross-sell?", {"upsell", "cross-sell"}),
        ("upsell or cross-sell?", {"upsell", "cross-sell"}),
        ("what are NRR and GRR", {"net-revenue-retention", "gross-revenue-retention"}),
        ("how does ARR relate to MRR", {"annual-recurring-revenue", "monthly-recurring-revenue"}),
        ("what is the relationship between churn and retention", {"churn", "customer-retention"}),
        # written the way dashboards write them
        ("nrr/grr", {"net-revenue-retention", "gross-revenue-retention"}),
        ("NPS + CSAT", {"net-promoter-score", "customer-satisfaction"}),
        ("LTV:CAC ratio", {"customer-lifetime-value", "customer-acquisition-cost"}),
        ("MRR and ARR difference", {"monthly-recurring-revenue", "annual-recurring-revenue"}),
        # the choice, and a question about it
        (
            "NRR or GRR, which one should I report to the board",
            {"net-revenue-retention", "gross-revenue-retention"},
        ),
        (
            "which should we report, ARR or MRR",
            {"annual-recurring-revenue", "monthly-recurring-revenue"},
        ),
    ],
)
def test_difference_questions_answer_both(
    index: SearchIndex, by_id, question: str, pair: set[str]
) -> None:
    result = ask(question, index, by_id)
    assert {c["id"] for c in result["concepts"]} == pair
    for concept_id in pair:
        assert by_id[concept_id].pref_label in result["answer"]
    assert "side by side" in result["answer"]


def test_unanswerable_question_gets_low_confidence(index: SearchIndex, by_id) -> None:
    result = ask("what's the weather in Paris tomorrow?", index, by_id)
    assert result["confidence"] < 0.5
    assert result["answer"].startswith("I am not sure")
    assert not result["citations"]


def test_related_concepts_are_named(index: SearchIndex, by_id) -> None:
    def related(concept_id: str) -> list[Relation]:
        return [Relation("related to", "gross-revenue-retention", "both measure retained revenue")]

    result = ask("NRR", index, by_id, related=related)
    assert (
        "In the glossary's graph, Net Revenue Retention is related to Gross Revenue Retention."
        in result["answer"]
    )
    assert any(c["role"] == "related:related to" for c in result["concepts"])

    def broken(concept_id: str) -> list[tuple[str, str, str]]:
        raise RuntimeError("graph not built")

    assert ask("NRR", index, by_id, related=broken)["concepts"][0]["id"] == "net-revenue-retention"


def test_source_titles_name_the_sources(index: SearchIndex, by_id, glossary) -> None:
    titles = {s.id: s.title for s in glossary.sources if s.title}
    result = ask("churn", index, by_id, titles=titles)
    assert any("title" in c for c in result["citations"])


def test_concept_without_definition_says_so(index: SearchIndex, by_id) -> None:
    undefined = next(c for c in by_id.values() if not c.definitions and c.joined)
    result = ask(undefined.pref_label, index, by_id)
    assert result["answer"].startswith(
        f"I am not sure: the glossary lists {undefined.pref_label}, but none of its sources "
        "defines it. [1]"
    )
    assert result["answer"].count("none of its sources defines it") == 1
    assert result["confidence"] <= UNNAMED  # the right concept, but nothing to say of it


@pytest.mark.parametrize("question", ["", "   ", "x" * 600, "nul\x00byte"])
def test_bad_questions(index: SearchIndex, by_id, question: str) -> None:
    with pytest.raises(BadQuery):
        ask(question, index, by_id)


def test_a_comparison_states_a_shared_definition_once(glossary) -> None:  # type: ignore[no-untyped-def]
    answer = glossary.ask("what is the difference between upsell and cross-sell")["answer"]
    shared = "Strategies to increase revenue by selling more or additional products"
    assert answer.count(shared) <= 1
    assert "relates them" in answer


def test_three_concepts_side_by_side(index: SearchIndex, by_id) -> None:
    result = ask("NRR vs GRR vs churn", index, by_id)
    ids = ["net-revenue-retention", "gross-revenue-retention", "churn"]
    assert [c["id"] for c in result["concepts"]] == ids
    assert result["answer"].startswith(
        "Net Revenue Retention, Gross Revenue Retention and Churn, side by side."
    )


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("difference between NRR and NDR", "net-revenue-retention"),
        ("GRR vs gross renewal rate", "gross-revenue-retention"),
    ],
)
def test_two_names_of_one_concept_are_said_to_be_one(
    index: SearchIndex, by_id, question: str, concept: str
) -> None:
    result = ask(question, index, by_id)
    assert result["concepts"][0]["id"] == concept
    assert f"are names for the same concept, {by_id[concept].pref_label}" in result["answer"]
    assert re.search(r"tell them apart\. \[\d+\]", result["answer"])  # the names' sources
    assert "side by side" not in result["answer"]
    assert all(c["concept"] == concept for c in result["citations"])


def test_a_name_with_and_in_it_is_not_a_comparison(index: SearchIndex, by_id) -> None:
    result = ask("profit and loss center", index, by_id)
    assert result["concepts"][0]["id"] == "profit-and-loss-center"
    assert "side by side" not in result["answer"]


def test_a_description_with_or_in_it_is_not_a_comparison(index: SearchIndex, by_id) -> None:
    result = ask("when a client trims seats or downgrades", index, by_id)
    assert "side by side" not in result["answer"]
    assert result["concepts"][0]["id"] == "account-contraction"


def test_a_difference_question_naming_one_concept_answers_about_it(
    index: SearchIndex, by_id
) -> None:
    result = ask("what is the difference between churn", index, by_id)
    assert result["concepts"][0]["id"] == "churn"


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("what is a sales quota", "sales quota"),
        ("What is an executive sponsor?", "executive sponsor"),
        ("define power user", "power user"),
        # a name of the glossary plus a head word of its own: another thing
        ("what is revenue operations", "revenue operations"),
        ("what is customer success engineering", "customer success engineering"),
        ("what is a customer journey map", "customer journey map"),
        # ending with a word of the closest concept's names is not ending with a name
        ("what is sales qualified lead", "sales qualified lead"),
        ("what is product marketing manager", "product marketing manager"),
        ("what is dynamic pricing model", "dynamic pricing model"),  # "pricing" is a noun
        ("what is a discovery call", "discovery call"),  # "call" names nothing asked
        ("what is return on investment", "return on investment"),  # not a qualifier
        # how to do something to a thing the glossary has no name for
        ("how do I submit a purchase order", "purchase order"),
        ("how is a sales commission paid", "sales commission"),
        ("how does a data warehouse work", "data warehouse"),
        ("how to set up SSO for my team", "SSO"),  # the verb's particle and qualifier off
        # one acronym, or one character, that the glossary does not have
        ("SDR", "SDR"),
        ("OKRs?", "OKR"),
        ("x", "x"),
        ("what's a good win rate", "win rate"),  # the judgement is not part of the name
        # a name, then words none of its definitions use, as a search is typed
        ("QBR deck template", "QBR deck template"),
        ("CAC payback", "CAC payback"),
        ("churn playbook", "churn playbook"),
        # a subject the glossary has no word for, placed by one of its names
        ("vacation policy for account managers", "vacation policy"),
        ("what is the dress code at an executive business review", "dress code"),
        ("sick leave rules in customer success", "sick leave rules"),
        ("how many vacation days for account executives", "vacation days"),
    ],
)
def test_a_term_the_glossary_does_not_name_is_answered_as_unsure(
    index: SearchIndex, by_id, question: str, term: str
) -> None:
    """Each of these once got a confident answer through a near concept's wording
    (Account Executive, Executive Business Review, Champion)."""
    result = ask(question, index, by_id)
    assert result["confidence"] <= UNNAMED < SURE
    assert result["answer"].startswith(
        f"I am not sure: the glossary has no entry named '{term}'; the closest is"
    )
    assert result["concepts"]  # the nearest concept is still shown


@pytest.mark.parametrize(
    "question",
    [
        "what is NRR",
        "what is net revenue retenton",  # misspelt
        "define stickiness",  # part of the label Customer Stickiness
        "what is rev rec",  # abbreviated
        "what is a champion in the customer's organization",  # a label, then a qualifier
        "what is it called when customers walk away",  # a description, not a term
        "what is customer churn",  # its head word is Churn's: a kind of churn, or churn
        "what is the yearly value of a contract",  # a description
        "tell me about the cost of keeping customers",  # a description
        "what's the term for clients who rave about us on LinkedIn",  # a name asked for
        "what is the formula for ARR",  # asks about ARR
        "how do I calculate NRR",  # how-to questions about a name
        "how is customer health score calculated",
        "how does autorenew work",
        "how do developers hook their own systems up to our platform",  # not I/we/you
        "how do we stop the clients we've got from leaving",  # a description
        "KPIs",  # an acronym the glossary has, in the plural
        "what's a good NPS score",  # a judgement, then a name
        "what is a call to action in gainsight",  # a name, then where
        "whats a QBR for",  # a name, then a dangling preposition
        "what is the happiness index used for",  # a name, then what it is for
        "what is an EBR meeting",  # a name, then what its own definition calls it
        "what is the CSM's role",  # the same, as a possessive
        "NPS score",  # a bare name and what its definition calls it
        "cohort churn",  # a kind of Churn
        "how is a customer health score calculated",  # "a" is no term, "customer health score" is
        "what happens in a quarterly business review",  # a question about its place
        "who attends a QBR for a big account",
        "how do I prepare for an executive business review",
        "what to expect in customer onboarding",
    ],
)
def test_names_parts_of_names_and_descriptions_are_not_unnamed_terms(
    index: SearchIndex, question: str
) -> None:
    _, confidence, term = judge(question, index)  # judged against its closest concept
    assert term is None and confidence > UNNAMED


def test_a_subject_placed_by_a_name_is_what_is_asked(index: SearchIndex, by_id) -> None:
    """The name only says where the question is asked from; search ranks it first, because
    the question names it, but the answer is about the subject."""
    question = "the person on the client side who sells us internally during an EBR"
    assert index.search(question, 1)[0].concept_id == "executive-business-review"
    result = ask(question, index, by_id)
    assert result["concepts"][0]["id"] == "champion"
    assert result["confidence"] >= SURE


def test_where_a_question_is_placed(index: SearchIndex) -> None:
    placed = index.placed("what is the pto policy for the customer success team?")
    assert placed is not None
    assert (placed.subject, placed.place) == ("what is the pto policy", "the customer success team")
    assert placed.named == ["customer-success"]
    # the placing word nearest the name, not the first one
    placed = index.placed("the client who fights for us internally during a QBR")
    assert placed is not None and placed.subject == "the client who fights for us internally"
    assert placed.named == ["quarterly-business-review"]
    for question in [
        "what is churn in customer success",  # the subject is named
        "the formula for ARR",  # a cue word asks about the name
        "what happens in a QBR",  # the subject is a question about the place
        "customers walking away",  # no place
        "pto policy for new hires",  # the place names nothing
    ]:
        assert index.placed(question) is None, question


def test_only_definition_questions_ask_about_a_term(index: SearchIndex) -> None:
    assert unnamed_term("what is a sales quota", index) == "sales quota"
    # Revenue is a name, but its definitions never speak of operations
    assert unnamed_term("what is revenue operations", index) == "revenue operations"
    assert unnamed_term("sales quota", index) is None  # a search, not a definition asked for


def test_aliases_and_graph_links_are_cited_for_every_concept(glossary) -> None:  # type: ignore[no-untyped-def]
    """'Also called ...' cites the entries (or definition) showing each alias; 'In the
    glossary's graph, ...' cites the definitions stating the links, or the entries naming
    the two concepts when a link is inferred from their names."""
    said = 0
    for concept in glossary.concepts:
        answer = glossary.ask(concept.pref_label)["answer"]
        for sentence in re.findall(
            r"(?:Also called|In the glossary's graph)[^\[]*?\.(?= |$)", answer
        ):
            said += 1
            rest = answer.split(sentence, 1)[1]
            assert re.match(r" \[\d+\]", rest), (concept.id, sentence)
    assert said > 100


def test_graph_links_read_from_the_concept_asked_about(glossary) -> None:  # type: ignore[no-untyped-def]
    answer = glossary.ask("what is account churn")["answer"]
    assert "In the glossary's graph, Account Churn is a kind of Churn" in answer


def test_sources_sharing_a_title_are_told_apart(glossary) -> None:  # type: ignore[no-untyped-def]
    answer = glossary.ask("what is NRR")["answer"]
    assert "Customer Success Glossary (pdf-glossary) puts it differently" in answer
    assert "Customer Success Glossary (docs-glossary) also defines it as" in answer


def test_each_concept_is_listed_once(glossary) -> None:  # type: ignore[no-untyped-def]
    for question in [
        "how is NPS score calculated",
        "what is time to value",
        "what is segmentation",
    ]:
        ids = [c["id"] for c in glossary.ask(question)["concepts"]]
        assert len(ids) == len(set(ids)), (question, ids)


def test_an_answer_says_where_sources_disagree(glossary) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask("what is customer lifetime value")
    sentence = re.search(
        r"The sources disagree on what it measures: ([^\[]+)\. ((?:\[\d+\])+)", result["answer"]
    )
    assert sentence is not None
    assert "profit (" in sentence.group(1) and "revenue (" in sentence.group(1)
    cited = [result["citations"][int(n) - 1] for n in re.findall(r"\d+", sentence.group(2))]
    assert {c["source"] for c in cited} >= {"pdf-glossary", "docs-glossary"}


def test_names_of_one_concept_among_others_are_one_side(index: SearchIndex, by_id) -> None:
    result = ask("NRR vs NDR vs GRR", index, by_id)
    assert [c["id"] for c in result["concepts"]] == [
        "net-revenue-retention",
        "gross-revenue-retention",
    ]
    assert "NRR and NDR are names for the same concept, Net Revenue Retention." in result["answer"]
    assert "Net Promoter Score" not in result["answer"]


def test_a_name_typed_twice_is_a_question_about_it(index: SearchIndex, by_id) -> None:
    result = ask("nrr vs nrr", index, by_id)
    assert [c["id"] for c in result["concepts"]][:1] == ["net-revenue-retention"]
    assert "same concept" not in result["answer"] and "side by side" not in result["answer"]


def test_a_part_read_as_one_concept_is_said_so(index: SearchIndex, by_id) -> None:
    result = ask("relationship between churn and retention and NRR and GRR and CAC", index, by_id)
    assert re.search(r"I read '[^']+ and [^']+' as one concept", result["answer"])


def test_more_than_four_concepts_says_so(index: SearchIndex, by_id) -> None:
    result = ask("NRR vs GRR vs churn vs CAC vs LTV", index, by_id)
    assert len(result["concepts"]) == 4
    assert "I compare at most 4 concepts at a time; the question names more." in result["answer"]


@pytest.mark.parametrize("question", ["NRR vs -", "difference between NRR and the"])
def test_a_part_without_a_word_is_no_concept(index: SearchIndex, by_id, question: str) -> None:
    result = ask(question, index, by_id)
    assert "side by side" not in result["answer"]
    assert result["concepts"][0]["id"] == "net-revenue-retention"


def test_a_comparison_with_something_unknown_names_it(index: SearchIndex, by_id) -> None:
    result = ask("is churn the same as banana", index, by_id)
    assert result["confidence"] < SURE
    assert result["answer"].startswith(
        "I am not sure the glossary covers this: nothing in it clearly matches 'banana'."
    )
    assert not result["citations"]


@pytest.mark.parametrize("question", ["define", "what is the meaning of", "what is a"])
def test_a_definition_cue_alone_names_no_term(index: SearchIndex, question: str) -> None:
    assert unnamed_term(question, index) is None


def test_a_bulleted_definition_reads_as_clauses() -> None:
    from kg.answer import _sentence

    bullets = "* Someone on a free trial.\n* Ready to talk to an SDR\n* Responsible: Marketing"
    assert _sentence(bullets) == (
        "Someone on a free trial; Ready to talk to an SDR; Responsible: Marketing."
    )
    assert _sentence("Stages:\n1. Trial\n2. Paid") == "Stages: Trial; Paid."
    assert _sentence("One line.\nAnother -- not a list.") == "One line. Another -- not a list."


@pytest.mark.parametrize(
    ("question", "opposite", "of"),
    [
        ("what is the opposite of churn", "customer-retention", "churn"),  # a definition says
        ("opposite of upsell", "downsell", "upsell"),  # a pair of labels, not "not identical"
    ],
)
def test_the_opposite_is_what_the_glossary_sets_against_it(
    glossary, question: str, opposite: str, of: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert [c["id"] for c in result["concepts"]] == [opposite, of]
    assert result["answer"].startswith("The glossary sets ")
    assert re.match(r"The glossary sets [^\[]+ \[\d+\]", result["answer"])  # cited


def test_a_contrast_that_is_no_opposite_is_said_to_be_one(glossary) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask("opposite of cross-sell")  # a source says only "not identical"
    assert result["answer"].startswith(
        "The glossary names no opposite of Cross-sell, but contrasts it with Upsell"
    )
    assert result["confidence"] <= UNNAMED


def test_no_opposite_is_said_so(glossary) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask("what's the opposite of NPS")
    assert result["answer"].startswith("The glossary names no opposite of Net Promoter Score")
    assert result["confidence"] <= UNNAMED


def test_a_how_to_calculate_question_says_when_no_formula_is_given(glossary) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask("formula for customer lifetime value")
    assert result["answer"].startswith(
        "I am not sure: the glossary gives no formula for Customer Lifetime Value; here is "
        "what it says about Customer Lifetime Value."
    )
    assert result["confidence"] <= UNNAMED  # the concept is right, the question unanswered
    # churn's definitions say what it is a percentage of: that is how it is computed
    assert "no formula" not in glossary.ask("how do I calculate churn")["answer"]
    # "product/service" is no division
    assert (
        "no formula for Customer Acquisition Cost"
        in glossary.ask("how is CAC calculated")["answer"]
    )


def test_which_is_better_is_not_claimed(glossary) -> None:  # type: ignore[no-untyped-def]
    answer = glossary.ask("NRR versus GRR: which is better?")["answer"]
    assert "The glossary describes them; it does not say which is better." in answer
    assert "which is better" not in glossary.ask("NRR vs GRR")["answer"]
    # "best" in a compared concept's name asks nothing
    assert "which is better" not in glossary.ask("best practices vs playbooks")["answer"]


def test_an_acronym_two_sources_spell_out_differently_is_answered_with_both(
    tmp_path: Path, encoder
) -> None:  # type: ignore[no-untyped-def]
    from ingest.pipeline import read_paths
    from kg.glossary import Glossary

    (tmp_path / "sales.txt").write_text(
        "Customer Acquisition Cost (CAC): Sales and marketing spend divided by new customers.\n"
        "Quota: A sales target for a period.\n"
    )
    (tmp_path / "cs.txt").write_text(
        "Customer Advisory Council (CAC): A group of key customers who meet quarterly.\n"
        "Renewal: A customer signing again when the contract ends.\n"
    )
    sources, _ = read_paths([tmp_path])
    glossary = Glossary.build(sources, encoder=encoder)
    assert len(glossary.concepts) == 4
    result = glossary.ask("what is CAC?")
    assert result["answer"].startswith(
        "In this glossary 'CAC' names 2 concepts: Customer Acquisition Cost and "
        "Customer Advisory Council. [1][2]"
    )
    assert "Sales and marketing spend" in result["answer"] and "meet quarterly" in result["answer"]
    assert result["confidence"] == 0.5
    assert {c["id"] for c in result["concepts"]} == {
        "customer-acquisition-cost",
        "customer-advisory-council",
    }


def test_one_name_split_by_source_is_answered_with_both_told_apart_by_source(
    tmp_path: Path, encoder
) -> None:  # type: ignore[no-untyped-def]
    from ingest.curation import Curation, Decision
    from ingest.pipeline import read_paths
    from kg.errors import BadQuery as NotOne
    from kg.glossary import Glossary

    (tmp_path / "sales.txt").write_text("Backlog: Revenue under contract, not yet recognized.\n")
    (tmp_path / "support.txt").write_text("Backlog: Open support tickets waiting for an agent.\n")
    sources, _ = read_paths([tmp_path])
    split = Decision("split", 1, ("Backlog", "Backlog"), "", sources=("sales", "support"))
    glossary = Glossary.build(sources, Curation([split]), encoder=encoder)
    result = glossary.ask("what is a backlog")
    assert result["answer"].startswith(
        "In this glossary 'backlog' names 2 concepts: Backlog (sales) and Backlog (support)."
    )
    with pytest.raises(NotOne, match=r"backlog \(Backlog, from sales\), backlog-2"):
        glossary.concept("Backlog")


def test_a_stated_contrast_is_quoted_with_whose_definition_states_it(glossary) -> None:  # type: ignore[no-untyped-def]
    answer = glossary.ask("opposite of churn")["answer"]
    assert answer.startswith(
        "The glossary sets Customer Retention against Churn; the definition of Churn says: "
        "“It is the complete opposite of retention"
    )
    # stated in the shown definition itself: said once, not quoted and then shown again
    answer = glossary.ask("what is the opposite of revenue")["answer"]
    assert answer.count("instead of revenue lost") == 1


@pytest.mark.parametrize(
    "question",
    [
        "what is the difference between a CSM and an account manager",  # a shared head noun
        "account manager vs account executive",  # definitions that read alike
    ],
)
def test_links_read_from_names_or_wording_are_said_plainly(glossary, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = glossary.ask(question)["answer"]
    assert "because of their names or wording; no source says so in a sentence." in answer
    for internal in ("cosine", "head noun", "speak of", "contrast pair"):
        assert internal not in answer


def test_a_link_read_from_names_quotes_a_sentence_naming_both_when_there_is_one(glossary) -> None:  # type: ignore[no-untyped-def]
    # the graph links ARR and MRR by their names, but web-glossary's ARR says so in words
    result = glossary.ask("ARR vs MRR")
    assert "no source says so" not in result["answer"]
    assert "puts it: While ARR and MRR are related, ARR is used" in result["answer"]
    assert any(
        c["source"] == "web-glossary" and "While ARR and MRR are related" in c["text"]
        for c in result["citations"]
    )


@pytest.mark.parametrize(
    ("question", "ids"),
    [
        (
            "what is NRR and what is CAC and what is a QBR",
            ["net-revenue-retention", "customer-acquisition-cost", "quarterly-business-review"],
        ),
        (
            "define churn, retention, and expansion",
            ["churn", "customer-retention", "account-expansion"],
        ),
        (
            "what is ARR and how does it relate to MRR",
            ["annual-recurring-revenue", "monthly-recurring-revenue"],
        ),
        (
            "how is nps different from csat and ces",
            ["net-promoter-score", "customer-satisfaction", "customer-effort-score"],
        ),
    ],
)
def test_questions_naming_several_concepts_answer_each(
    glossary, question: str, ids: list[str]
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert [c["id"] for c in result["concepts"]] == ids
    assert "I read" not in result["answer"]  # no part glued to another


def test_a_question_with_and_that_names_one_thing_is_no_list(glossary) -> None:  # type: ignore[no-untyped-def]
    assert glossary.ask("profit and loss center")["concepts"][0]["id"] == "profit-and-loss-center"
    assert (
        glossary.ask("customers walking away and never coming back")["concepts"][0]["id"] == "churn"
    )


def test_a_text_cited_for_two_concepts_is_cited_for_each(glossary) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask("ebr vs qbr")
    n = int(re.search(r"Also called QBR\. \[(\d+)\]", result["answer"])[1])
    assert result["citations"][n - 1]["concept"] == "quarterly-business-review"


def test_small_answer_phrasings(glossary) -> None:  # type: ignore[no-untyped-def]
    good = glossary.ask("whats a good churn rate for saas")
    assert good["answer"].startswith(
        "I am not sure: the glossary does not say what a good value of Churn is;"
    )
    assert good["confidence"] <= UNNAMED
    assert "good value" not in glossary.ask("what is churn")["answer"]
    typo = glossary.ask("whats the differnce between arr and mrr")
    assert [c["id"] for c in typo["concepts"]] == [
        "annual-recurring-revenue",
        "monthly-recurring-revenue",
    ]
    second = glossary.ask("what is negative churn and why does it matter")
    assert (
        second["concepts"][0]["id"] == "negative-churn" and "no entry named" not in second["answer"]
    )
    kpi = glossary.ask("what is a KPI")["answer"]
    assert (
        "Key Performance Indicators" not in kpi.split("Also called", 1)[-1]
    )  # a plural is no alias
    cac = glossary.ask("what is CAC")["answer"]
    assert "read like those of" not in cac or "though no source says how they are linked." in cac
    qbr = glossary.ask("what is an EBR")["answer"]
    assert "(Customer Success Glossary" not in qbr  # no brackets inside brackets


@pytest.mark.parametrize(
    ("question", "how"),
    [
        ("how do I reduce churn", "reduce churn"),
        ("how to improve customer health score", "improve customer health score"),
        ("ways to increase NPS?", "increase NPS"),
        ("how should we prepare for a QBR", "prepare for a QBR"),
    ],
)
def test_how_to_act_on_a_concept_is_not_answered_by_its_definition(
    glossary, question: str, how: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert result["confidence"] <= UNNAMED
    assert f"but does not say how to {how}; here is what it says about" in result["answer"]
    # how it is worked out, or how it works, its definitions do say
    for answered in ("how do I calculate churn", "how does autorenew work"):
        assert glossary.ask(answered)["confidence"] >= SURE, answered


def test_good_or_bad_is_one_question_not_two_concepts(glossary) -> None:  # type: ignore[no-untyped-def]
    """'bad' was searched as a second concept and Ideal Customer Profile set beside Churn."""
    for question in ("is negative churn good or bad", "is a high CES good or bad?"):
        result = glossary.ask(question)
        assert len([c for c in result["concepts"] if c["role"] == "answer"]) == 1, question
        assert "no entry named 'bad'" not in result["answer"] and result["question"] == question


def test_how_two_concepts_relate_sets_both_side_by_side(glossary) -> None:  # type: ignore[no-untyped-def]
    """'how do upsell and NRR relate' answered about NRR alone."""
    result = glossary.ask("how do upsell and NRR relate")
    assert [c["id"] for c in result["concepts"][:2]] == ["upsell", "net-revenue-retention"]


def test_an_unsure_confidence_never_prints_as_the_sure_threshold() -> None:
    from kg.answer import _shown

    assert _shown(0.696) == "0.69" and _shown(0.7) == "0.70"


def test_are_two_names_the_same_thing(glossary) -> None:  # type: ignore[no-untyped-def]
    answer = glossary.ask("are CLV and LTV the same thing")["answer"]
    assert answer.startswith("CLV and LTV are names for the same concept, Customer Lifetime Value")
    upsell = glossary.ask("are upsell and cross-sell different")["answer"]
    assert upsell.startswith("Upsell and Cross-sell, side by side.")


@pytest.mark.parametrize(
    "question",
    [
        "what was our NRR in 2022",
        "churn in Q3 2023",
        "ARR of Acme Corp",
        "what is our net revenue retention this year",
        "NRR trending?",
        "which accounts are red",
    ],
)
def test_a_question_about_the_companys_own_numbers_is_not_answered_by_a_definition(
    glossary, question: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert result["confidence"] <= UNNAMED
    assert "holds none of your company's own data; here is what it says about" in (result["answer"])


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("what is a champion in League of Legends", "League of Legends"),
        ("health score for hospital patients", "hospital patients"),
        ("renewal of my passport", "passport"),
        # half its words foreign to the glossary
        ("best champion for top lane in league of legends", "top lane in league of legends"),
    ],
)
def test_a_name_placed_where_the_glossary_never_goes_is_not_answered_as_sure(
    glossary, question: str, place: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert result["confidence"] <= UNNAMED
    assert f"in its own field, not in {place!r}; here is what it says about" in result["answer"]
    # a place the glossary speaks of, a misspelt name, or a description: as before
    for sure in (
        "what is churn in saas",
        "health score for enterprise accounts",
        "book of buisness",
    ):
        assert glossary.ask(sure)["confidence"] >= SURE, sure


def test_a_judgement_word_inside_a_name_asks_for_no_good_value(glossary) -> None:  # type: ignore[no-untyped-def]
    for question in (
        "what is Average Revenue Per User",
        "what is an Ideal Customer Profile",
        "ideal custommer profile",  # misspelt: the name's own word still judges nothing
        "average revenue per account",  # another word for one of the name's
    ):
        assert "good value" not in glossary.ask(question)["answer"], question
    assert "good value" in glossary.ask("what is a good NPS")["answer"]


@pytest.mark.parametrize(
    ("question", "someone"),
    [
        ("what is Acme Corp's ARR", "Acme Corp"),
        ("Initech's NPS", "Initech"),
        ("Globex health score", "Globex"),
        ("who is the CSM on the Initech account", "Initech"),
    ],
)
def test_a_company_or_customer_the_glossary_does_not_know_is_not_answered_as_sure(
    glossary, question: str, someone: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert result["confidence"] <= UNNAMED
    assert f"holds nothing about {someone!r}; here is what it says about" in result["answer"]
    # a possessive of the glossary's own words, or a misspelt name first: as before
    for sure in ("Customer's lifetime value", "Chrun rate", "the CSM's book of business"):
        assert glossary.ask(sure)["confidence"] >= SURE, sure


@pytest.mark.parametrize(
    ("question", "what"),
    [
        ("what's the best way to run a QBR deck", "run a QBR deck"),
        ("how should CSM compensation be structured", "CSM compensation"),
    ],
)
def test_a_request_for_advice_is_not_answered_by_a_definition(
    glossary, question: str, what: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert result["confidence"] <= UNNAMED
    assert f"gives no advice on {what!r}; here is what it says about" in result["answer"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # a time that describes the concept, not a request for the company's figures
        (
            "percent of revenue kept from last year's customers not counting upgrades",
            "gross-revenue-retention",
        ),
        ("which customers count toward logo retention", "logo-retention"),
        # words that only stress the asking
        ("what does churn actually mean", "churn"),
        ("can you quickly explain ARR", "annual-recurring-revenue"),
        ("briefly explain churn", "churn"),
        # "and" inside a description of one concept, no list of concepts
        ("the sales and marketing cost to win a customer", "customer-acquisition-cost"),
        ("sales, CS and support people assigned to one customer", "account-team"),
    ],
)
def test_questions_once_read_as_company_data_or_lists_are_answered(
    glossary, question: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert [c["id"] for c in result["concepts"] if c["role"] == "answer"] == [expected]
    assert result["confidence"] >= SURE and not result["answer"].startswith("I am not sure")


def test_who_then_a_choice_compares_the_choice(glossary) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask("who owns renewals, the CSM or the account manager")
    assert result["answer"].startswith("Customer Success Manager and Account Manager, side by side")


@pytest.mark.parametrize(
    ("question", "ids"),
    [
        ("is churn part of customer retention", ["churn", "customer-retention"]),
        ("is upsell a kind of account expansion", ["upsell", "account-expansion"]),
    ],
)
def test_is_x_part_of_y_is_answered_by_what_links_them(
    glossary, question: str, ids: list[str]
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert [c["id"] for c in result["concepts"]] == ids
    assert "The glossary relates them:" in result["answer"]


def test_is_x_a_quality_is_no_comparison(glossary) -> None:  # type: ignore[no-untyped-def]
    assert [c["id"] for c in glossary.ask("is churn a problem")["concepts"]][:1] == ["churn"]
    assert "side by side" not in glossary.ask("is churn a problem")["answer"]


def test_a_question_asking_something_of_a_concept_leads_with_the_sentence_that_answers(
    glossary,
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask("is NPS a leading indicator")
    assert result["answer"].startswith("Customer Success Terminologies speaks to this: “NPS is")
    assert "leading indicator of future customer behavior" in result["answer"].split("[1]")[0]
    assert result["citations"][0]["source"] == "terminologies-page"
    assert "leading indicator" in result["citations"][0]["text"]
    assert result["confidence"] >= SURE
    occurs = glossary.ask("when does negative churn occur")["answer"]
    assert occurs.startswith("Negative Churn: Occurs when")  # the whole definition: said once
    assert "speaks to this" not in occurs
    drive = glossary.ask("do upsells drive NRR")  # said in Upsell's definition, not NRR's
    assert drive["answer"].startswith(
        "Customer Success Glossary (pdf-glossary), defining Upsell, speaks to this: "
        "“Upsells drive NRR.” [1]"
    )
    assert drive["citations"][0]["concept"] == "upsell"
    assert drive["concepts"][0]["id"] == "net-revenue-retention"


def test_a_question_the_definitions_do_not_speak_to_is_said_so(glossary) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask("can NRR be above 100%")
    assert result["answer"].startswith(
        "I am not sure: the glossary does not answer 'can NRR be above 100%' directly; "
        "here is what it says about Net Revenue Retention."
    )
    assert result["confidence"] <= UNNAMED
    assert result["concepts"][0]["id"] == "net-revenue-retention"


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("does LTV include acquisition cost", "customer-lifetime-value"),  # not CAC, ranked first
        ("does churn include downgrades", "churn"),  # not Net Revenue Retention
    ],
)
def test_a_yes_no_question_is_answered_about_the_concept_it_names(
    glossary, question: str, named: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert result["concepts"][0]["id"] == named
    assert result["confidence"] <= UNNAMED  # and no definition says it: not sure
    assert "does not answer" in result["answer"]


@pytest.mark.parametrize(
    ("question", "ids"),
    [
        (
            "difference between leading and lagging indicators",
            ["leading-indicators", "lagging-indicators"],
        ),
        ("gross and net revenue retention", ["gross-revenue-retention", "net-revenue-retention"]),
        ("high vs low touch", ["high-touch", "low-touch"]),
    ],
)
def test_a_head_noun_shared_by_the_compared_names_is_read_for_each(
    glossary, question: str, ids: list[str]
) -> None:  # type: ignore[no-untyped-def]
    assert [c["id"] for c in glossary.ask(question)["concepts"]] == ids


def test_concepts_without_definitions_are_not_said_to_have_alike_definitions(glossary) -> None:  # type: ignore[no-untyped-def]
    answer = glossary.ask("predictive analytics")["answer"]  # neither it nor its link defined
    assert "definitions read like" not in answer
    assert "Predictive Analytics is related to Predictive Lead Scoring." in answer


def test_why_something_happens_is_answered_by_its_causes(glossary) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask("why do customers churn")
    assert result["concepts"][0]["id"] == "churn-reasons"
    assert result["answer"].startswith("Churn Reasons: The specific causes")  # said once
    assert glossary.ask("why does churn matter")["concepts"][0]["id"] == "churn"


@pytest.mark.parametrize("term", ["economic buyer", "payback period", "playbook"])
def test_a_bare_term_only_a_phrasing_mentions_is_answered_as_unsure(glossary, term: str) -> None:  # type: ignore[no-untyped-def]
    # each is in a curated phrasing of a concept ("payback period on new customer spend" of
    # Customer Acquisition Cost) that says something longer; no entry has that name
    result = glossary.ask(term)
    assert result["answer"].startswith(f"I am not sure: the glossary has no entry named {term!r}")
    assert result["confidence"] <= UNNAMED


@pytest.mark.parametrize(
    "query",  # the last two are in phrasings inside longer ones, and near the own words too
    ["customers walking away", "health score", "NRR", "seat reductions", "bigger spenders"],
)
def test_names_and_everyday_wordings_are_not_taken_for_unknown_terms(glossary, query: str) -> None:  # type: ignore[no-untyped-def]
    assert glossary.ask(query)["confidence"] > UNNAMED


def test_a_comparison_naming_a_split_name_says_which_is_compared(tmp_path: Path, encoder) -> None:  # type: ignore[no-untyped-def]
    from ingest.curation import Curation, Decision
    from ingest.pipeline import read_paths
    from kg.glossary import Glossary

    (tmp_path / "sales.txt").write_text(
        "Backlog: Revenue under contract, not yet recognized.\nPipeline: Open deals by stage.\n"
    )
    (tmp_path / "support.txt").write_text("Backlog: Open support tickets waiting for an agent.\n")
    split = Decision("split", 1, ("Backlog", "Backlog"), "", sources=("sales", "support"))
    glossary = Glossary.build(read_paths([tmp_path])[0], Curation([split]), encoder=encoder)
    answer = glossary.ask("backlog vs pipeline")["answer"]
    assert "In this glossary 'backlog' names 2 concepts; this compares the one from " in answer


def test_a_compared_term_the_glossary_has_no_entry_for_is_said_so(
    index: SearchIndex, by_id
) -> None:
    """'customer support' is no name here: the answer says so, and is not sure, rather than
    comparing Customer Success with whatever search put next to it as if asked."""
    result = ask("customer success vs customer support", index, by_id)
    assert "no entry named 'customer support'" in result["answer"]
    assert result["confidence"] <= UNNAMED


def test_a_term_search_ties_to_a_concept_is_not_called_its_name(index: SearchIndex, by_id) -> None:
    """Only the glossary's own names are 'names for the same concept'."""
    result = ask("is revenue churn the same as churn", index, by_id)
    assert "names for the same concept" not in result["answer"]
    assert "no separate entry for 'revenue churn'; Churn covers it" in result["answer"]
    result = ask("is attrition the same as churn", index, by_id)
    assert "names for the same concept" not in result["answer"]
    assert "no entry named 'attrition'" in result["answer"]
    assert result["confidence"] <= UNNAMED


def test_which_is_better_is_said_not_to_be_answered(index: SearchIndex, by_id) -> None:
    result = ask("ARR vs MRR - which matters more", index, by_id)
    assert "does not say which is better" in result["answer"]


def test_a_definition_shared_by_a_comparison_is_said_to_be_one(glossary) -> None:  # type: ignore[no-untyped-def]
    """'Bookings vs. Billings vs. Revenue' sets three terms apart; its sentence is not
    Billings' own definition."""
    answer = glossary.ask("what are billings")["answer"]
    assert answer.startswith(
        "Customer Success Glossary (docs-glossary) defines Billings together with Bookings and "
        "Revenue: Differentiates between"
    )


def test_who_made_a_thing_is_answered_only_by_a_sentence_saying_who(glossary) -> None:  # type: ignore[no-untyped-def]
    """'who created NPS' quoted 'They are also going to refer you to other people.' (a
    sentence naming people) as the answer, sure."""
    nps = glossary.ask("who created the net promoter score")
    assert nps["confidence"] <= UNNAMED and "speaks to this" not in nps["answer"]
    model = glossary.ask("who pioneered the subscription model")
    assert "was pionereed by a publishing industry" in model["answer"]


def test_a_definition_naming_the_other_in_another_word_form_says_how_they_relate(glossary) -> None:  # type: ignore[no-untyped-def]
    """Customer Health Score's text says 'a customer churning or renewing'; the comparison
    said no source relates the two."""
    answer = glossary.ask("how does health score relate to churn")["answer"]
    assert "No source in the glossary says how the two relate" not in answer
    assert "a probability of a customer churning or renewing" in answer


@pytest.mark.parametrize("question", ["LTV to CAC ratio", "what is the LTV:CAC ratio"])
def test_a_ratio_of_two_concepts_sets_both_side_by_side_unsure(glossary, question: str) -> None:  # type: ignore[no-untyped-def]
    """'LTV to CAC ratio' answered Customer Acquisition Cost alone, sure."""
    result = glossary.ask(question)
    assert [c["id"] for c in result["concepts"][:2]] == [
        "customer-lifetime-value",
        "customer-acquisition-cost",
    ]
    assert result["confidence"] <= UNNAMED
    assert result["answer"].startswith(
        "I am not sure: the glossary defines no ratio of Customer Lifetime Value and Customer "
        "Acquisition Cost."
    )


def test_a_compared_word_that_only_one_concepts_names_hold_names_it(glossary) -> None:  # type: ignore[no-untyped-def]
    """'contraction' is a word of Account Contraction's name alone: no reason to doubt it."""
    sure = glossary.ask("churn vs contraction")
    assert [c["id"] for c in sure["concepts"][:2]] == ["churn", "account-contraction"]
    assert sure["confidence"] >= SURE and "I am not sure" not in sure["answer"]
    assert "no separate entry for 'contraction'; Account Contraction covers it" in sure["answer"]
    # "expansion" is a word of three concepts' names: which is meant, the question never says
    unsure = glossary.ask("expansion vs contraction")
    assert unsure["confidence"] < SURE and unsure["answer"].startswith("I am not sure")


@pytest.mark.parametrize("question", ["difference between", "what is the difference?", "compare"])
def test_a_comparison_with_nothing_to_compare_asks_for_the_terms(glossary, question: str) -> None:  # type: ignore[no-untyped-def]
    """'difference between' was answered as Margin, whose definition holds those words."""
    result = glossary.ask(question)
    assert result["confidence"] == 0.0 and result["concepts"] == []
    assert result["answer"].startswith("I am not sure what to compare: name the terms")


def test_concepts_one_entry_defines_together_are_related_by_that_entry(glossary) -> None:  # type: ignore[no-untyped-def]
    """'Bookings vs Billings vs Revenue' defines all three: it, not their names, links them."""
    answer = glossary.ask("bookings vs billings vs revenue")["answer"]
    assert "no source says so in a sentence" not in answer
    assert (
        "(Bookings is related to Billings); Customer Success Glossary (docs-glossary) "
        "defines them together" in answer
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # cut at its slashes or read past a URL, a part held no word: "query is empty" (400)
        ("what is LTV https://example.com/wiki/ltv", "customer-lifetime-value"),
        ("<https://en.wikipedia.org/wiki/Churn_rate|churn rate>", "churn"),
        ("nrr/grr/", "net-revenue-retention"),
        # chat pasted from Slack around the question
        ("+1 on this, what's NRR? cc @ops", "net-revenue-retention"),
        ("@channel hey what's NRR again?? 🙏", "net-revenue-retention"),
    ],
)
def test_pasted_links_slashes_and_chat_are_read_past(
    glossary, question: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert result["concepts"][0]["id"] == expected
    assert "no entry named" not in result["answer"]


def test_a_question_about_a_concept_no_source_defines_says_so(glossary) -> None:  # type: ignore[no-untyped-def]
    """'is customer stickiness a metric' said only 'here is what it says about' - nothing."""
    answer = glossary.ask("is customer stickiness a metric")["answer"]
    assert answer.startswith(
        "I am not sure: the glossary lists Customer Stickiness, but none of its sources defines it."
    )


@pytest.mark.parametrize(
    ("question", "ids"),
    [
        (
            "GRR and NRR, and which one includes expansion?",
            ["gross-revenue-retention", "net-revenue-retention"],
        ),
        ("NRR vs GRR - when to use each", ["net-revenue-retention", "gross-revenue-retention"]),
        (
            "GRR and NRR, I keep mixing them up",
            ["gross-revenue-retention", "net-revenue-retention"],
        ),
        (
            "trying to figure out the difference between bookings and billings",
            ["bookings", "billings"],
        ),
        (
            "so my manager asked me about GRR vs NRR",
            ["gross-revenue-retention", "net-revenue-retention"],
        ),
        (
            "what are MRR and ARR and which should we report",
            ["monthly-recurring-revenue", "annual-recurring-revenue"],
        ),
    ],
)
def test_talk_around_compared_names_is_no_compared_name(
    glossary, question: str, ids: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """'which one includes expansion' was compared too, as Net Promoter Score."""
    result = glossary.ask(question)
    assert [c["id"] for c in result["concepts"] if c["role"] == "compared"] == ids
    assert result["confidence"] >= SURE and "no entry named" not in result["answer"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # a data team's shorthand for asking what a name means
        ("churn def", "churn"),
        ("nrr calc", "net-revenue-retention"),
        ("logo retention formula", "logo-retention"),
        ("nrr calc definition for dashboard", "net-revenue-retention"),
        # where a metric is put is no field of its own
        ("mrr column meaning in fct_revenue", "monthly-recurring-revenue"),
        ("grr definition for looker", "gross-revenue-retention"),
        ("how should I define account churn in the semantic layer", "account-churn"),
    ],
)
def test_a_data_teams_shorthand_and_workplaces_ask_for_the_definition(
    glossary, question: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert result["concepts"][0]["id"] == expected
    assert result["confidence"] >= SURE, result["answer"][:120]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Was ist Churn?", "churn"),  # "Was" was read as the English "was": a yes/no question
        ("Qu'est-ce que le NRR ?", "net-revenue-retention"),
        ("¿Qué es el churn?", "churn"),
        ("Wat is churn?", "churn"),
    ],
)
def test_what_is_asked_in_another_language_asks_for_the_definition(
    glossary, question: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    result = glossary.ask(question)
    assert result["concepts"][0]["id"] == expected
    assert result["confidence"] >= SURE and "directly" not in result["answer"]
