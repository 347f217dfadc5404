"""What a question asks of a concept it names, and the sentence that speaks to it."""

from __future__ import annotations

import pytest

from ingest.concept import Concept, Definition
from kg.focus import Focus, causes_of, focus, passage


def concept(*definitions: str, label: str = "Net Promoter Score", **kw: object) -> Concept:
    defs = [Definition(text, f"src{n}", (n, n), label) for n, text in enumerate(definitions)]
    return Concept(label.lower().replace(" ", "-"), label, definitions=defs, preferred=0, **kw)


NPS = concept(
    "Gauges customer loyalty through likelihood to recommend.",
    "NPS is a widely used metric. NPS is a reliable leading indicator of renewal; "
    "scores run from zero to ten.",
    alt_labels=["NPS"],
    acronyms=["NPS"],
)
CHURN = concept(
    "The loss of a customer or revenue over a period.",
    "Churn rate is the share of customers who leave. Churn decelerates growth. Reducing churn "
    "is a great strategy to improve growth.",
    label="Churn",
)


@pytest.mark.parametrize(
    ("question", "kind", "words"),
    [
        ("is NPS a leading indicator", "yes_no", ("lead", "indicator")),
        ("Does net promoter score include passives?", "yes_no", ("includ", "passiv")),
        ("why does churn matter", "why", ("matter",)),
        ("when is NPS measured", "when", ("measur",)),
        ("who owns NPS", "who", ("own",)),
    ],
)
def test_a_question_asking_something_of_a_named_concept(
    question: str, kind: str, words: tuple[str, ...]
) -> None:
    target = CHURN if "churn" in question else NPS
    found = focus(question, target)
    assert found is not None and (found.kind, found.words) == (kind, words)


@pytest.mark.parametrize(
    "question",
    [
        "what is NPS",  # a definition asked
        "is NPS?",  # nothing asked beyond the name
        "who is NPS",  # nor here
        "is there a term for customers leaving",  # looks for a name
        "when a customer walks away",  # describes; no question after "when"
        "who is our dream buyer",  # looks for a name
        "is our SOC 2 report up to date",  # names no label of the concept
        "does churn include downgrades",  # names Churn, not NPS
    ],
)
def test_other_questions_ask_nothing_of_the_concept(question: str) -> None:
    assert focus(question, NPS) is None


def test_the_sentence_holding_the_asked_words_is_found() -> None:
    found = passage(Focus("yes_no", ("lead", "indicator")), NPS)
    assert found is not None
    assert found.sentence == "NPS is a reliable leading indicator of renewal;"
    assert found.definition.source == "src1"


def test_a_verb_form_and_a_noun_sharing_their_start_count_as_one_word() -> None:
    asked = focus("is NPS indicating renewal", NPS)  # "indicating" against "indicator"
    assert asked is not None and "indicat" in asked.verbal
    found = passage(asked, NPS)
    assert found is not None and "leading indicator of renewal" in found.sentence


def test_two_nouns_sharing_their_start_are_two_words() -> None:
    # "contracts" is not "contractions"
    shrink = concept("Revenue lost to contractions and downgrades.", label="NPS")
    assert passage(Focus("yes_no", ("contract",)), shrink) is None


def test_nothing_is_found_for_words_no_definition_uses() -> None:
    assert passage(Focus("yes_no", ("lag", "indicator", "board")), NPS) is None


def test_a_why_question_falls_back_to_a_sentence_giving_reasons() -> None:
    found = passage(Focus("why", ("matter",)), CHURN)
    assert found is not None
    assert found.sentence == "Reducing churn is a great strategy to improve growth."


def test_a_yes_no_question_has_no_fallback() -> None:
    assert passage(Focus("yes_no", ("board",)), CHURN) is None


def test_a_yes_no_question_that_judges_falls_back_to_reasons() -> None:
    found = passage(Focus("yes_no", ("problem",)), CHURN)
    assert found is not None and "improve growth" in found.sentence


def test_a_yes_no_sentence_must_hold_both_words_asked() -> None:
    # "is NPS a lagging indicator": a sentence about a leading indicator does not answer it
    assert passage(Focus("yes_no", ("lag", "indicator")), NPS) is None


UPSELL = concept("Selling a bigger plan. Upsells drive NPS.", label="Upsell")
RENEWAL = concept("Extending a contract. It drives revenue.", label="Renewal")


def test_another_concepts_sentence_that_names_the_concept_is_found() -> None:
    found = passage(
        Focus("yes_no", ("upsell", "driv"), ("upsell", "driv", "np")), NPS, [RENEWAL, UPSELL]
    )
    assert found is not None
    assert (found.concept.pref_label, found.sentence) == ("Upsell", "Upsells drive NPS.")


def test_another_concepts_sentence_must_name_the_concept() -> None:
    asked = ("renewal", "driv", "revenu", "np")
    assert passage(Focus("yes_no", ("driv", "revenu"), asked), NPS, [RENEWAL]) is None


def test_only_concepts_the_question_names_are_read() -> None:
    # Upsell's sentence names NPS, but the question does not name Upsell
    assert passage(Focus("yes_no", ("driv",), ("driv", "np")), NPS, [UPSELL]) is None


def test_a_when_question_is_answered_by_a_sentence_giving_a_time() -> None:
    timed = concept("A score of loyalty. It is measured after every support ticket.")
    found = passage(Focus("when", ("measur",)), timed)
    assert found is not None and found.sentence == "It is measured after every support ticket."
    assert passage(Focus("when", ("measur",)), concept("A score, measured by survey.")) is None


REASONS = concept("The causes that lead customers to leave.", label="Churn Reasons")


def test_a_why_question_about_what_causes_a_concept_is_answered_by_its_causes() -> None:
    asked = focus("why do customers churn", CHURN)
    assert asked is not None
    assert causes_of(asked, CHURN, [NPS, REASONS]) is REASONS
    matters = focus("why does churn matter", CHURN)  # its purpose, not its causes
    assert matters is not None and causes_of(matters, CHURN, [REASONS]) is None


def test_how_often_and_how_many_ask_for_a_time_and_a_figure() -> None:
    often = focus("how often is NPS measured", NPS)
    assert often is not None and often.kind == "when"
    many = focus("how many groups does NPS sort customers into", NPS)
    assert many is not None and many.kind == "how_many"
    found = passage(Focus("how_many", ("group",)), NPS)
    assert found is not None and found.sentence == "scores run from zero to ten."


def test_a_when_question_prefers_a_sentence_saying_when_to_one_giving_a_period() -> None:
    timed = concept(
        "Revenue is spread over 12 months. Revenue is recognized when the service is provided.",
        label="Revenue Recognition",
    )
    found = passage(Focus("when", ()), timed)
    assert found is not None and found.sentence.startswith("Revenue is recognized when")


def test_the_concepts_own_name_gives_no_time() -> None:
    mrr = concept(
        "Monthly Recurring Revenue is what subscriptions bring in.",
        label="Monthly Recurring Revenue",
    )
    assert passage(Focus("when", ()), mrr) is None  # "monthly" is its name, not a time
