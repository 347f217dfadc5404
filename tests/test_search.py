"""Hybrid search: labels, misspellings, definitions, paraphrases, bad input, saving, quality."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from kg.answer import SURE
from kg.errors import BadQuery, BuildError
from kg.evaluate import (
    evaluate,
    format_report,
    glossary_text_bm25,
    held_out,
    paraphrase_margins,
    read_questions,
)
from kg.retrieval import SearchConfig, content_words, strip_boilerplate, validate, words_of
from kg.search import SearchIndex

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "data" / "eval" / "questions.tsv"


class CountingEncoder:
    """The real encoder, counting calls; `model_id` can be faked to test mismatches."""

    def __init__(self, inner, model_id: str | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self._model_id = model_id
        self.encoded = 0
        self.queries = 0

    @property
    def model_id(self) -> str:
        return self._model_id or self.inner.model_id

    @property
    def dimension(self) -> int:
        return int(self.inner.dimension)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        self.encoded += len(texts)
        return np.asarray(self.inner.encode(texts, batch_size=batch_size))

    def encode_query(self, text: str) -> np.ndarray:
        self.queries += 1
        return np.asarray(self.inner.encode_query(text))


@pytest.fixture(scope="module")
def index(glossary, encoder) -> SearchIndex:
    return SearchIndex.build(glossary.concepts, encoder)


@pytest.fixture(scope="module")
def saved(index: SearchIndex, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search")
    index.save(folder)
    return folder


def top(index: SearchIndex, query: str) -> str:
    return index.search(query, 5)[0].concept_id


def test_acronym_hit_ranks_first(index: SearchIndex) -> None:
    hit = index.search("NDR", 5)[0]
    assert hit.concept_id == "net-revenue-retention"
    assert hit.signals["label"] == 1.0
    assert "acronym 'NDR'" in hit.explanation


@pytest.mark.parametrize(
    ("acronym", "near"),
    [
        ("QBR", {"business-review", "executive-business-review"}),
        ("EBR", {"business-review", "quarterly-business-review"}),
        ("NRR", {"gross-revenue-retention"}),
        ("CORE", {"cost-of-retention", "customer-retention"}),
    ],
)
def test_an_acronym_alone_lists_what_its_expansion_is_near_after_it(
    index: SearchIndex, acronym: str, near: set[str]
) -> None:
    """The encoder does not know the letters "QBR": the concepts after the acronym's own are
    found by what it stands for, not by the letters (which gave ARR and Account Executive)."""
    hits = [h.concept_id for h in index.search(acronym, 5)]
    assert near <= set(hits[1:])


def test_only_a_query_that_is_an_acronym_whole_is_spelt_out(index: SearchIndex) -> None:
    assert index.labels.spelt_out("QBR") == "Quarterly Business Review"
    assert index.labels.spelt_out("quarterly business review") is None  # not an acronym
    assert index.labels.spelt_out("what is QBR") is None  # not the whole query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what does CES stand for?", "customer-effort-score"),
        # "meaning" asks about the acronym, and is no word of another concept's text
        ("mrr meaning", "monthly-recurring-revenue"),
        ("csm meaning", "customer-success-manager"),
        ("what's our GRR", "gross-revenue-retention"),
        ("ltv", "customer-lifetime-value"),
        # the acronym is one word of three, but "score" is its expansion's too
        ("what's a good NPS score", "net-promoter-score"),
        # written as an acronym, it is what a longer sentence is about
        ("the board wants to know our GRR", "gross-revenue-retention"),
        ("finance says our CAC is too high", "customer-acquisition-cost"),
        ("we need to get our NPS up before renewal season", "net-promoter-score"),
        ("what should our whole team do next year to reduce CAC", "customer-acquisition-cost"),
        # ... unless it only qualifies the subject
        ("total portfolio of accounts managed by a CSM", "book-of-business"),
        ("what is a CSM's book of business", "book-of-business"),  # a possessive
        ("the list of accounts a CSM owns", "book-of-business"),  # a clause about accounts
    ],
)
def test_acronyms_in_questions(index: SearchIndex, query: str, expected: str) -> None:
    assert top(index, query) == expected


def test_a_judgement_of_the_subject_is_not_more_of_the_subject(index: SearchIndex) -> None:
    """ "a good NPS | for B2B SaaS": "good" only judges NPS, which covers the subject; SaaS,
    where the question is asked from, ranked first."""
    assert top(index, "what's a good NPS for B2B SaaS") == "net-promoter-score"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what is a champion in customer success", "champion"),
        ("what is churn in customer success", "churn"),
        ("health score for enterprise accounts", "customer-health-score"),
        ("the role of a CSM in onboarding", "customer-success-manager"),
        # with no name before the preposition, the name after it is all there is
        ("what do people in customer success do", "customer-success"),
    ],
)
def test_a_name_after_in_or_for_places_the_subject_rather_than_being_it(
    index: SearchIndex, query: str, expected: str
) -> None:
    assert top(index, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("net promotor score", "net-promoter-score"),
        ("custmer onbording", "customer-onboarding"),
        ("anual contract valu", "annual-contract-value"),
    ],
)
def test_misspellings(index: SearchIndex, query: str, expected: str) -> None:
    assert top(index, query) == expected


def test_a_stop_word_beside_a_name_is_no_misspelling_of_a_longer_one(index: SearchIndex) -> None:
    """'is customer retention' is not a misspelt 'cost of customer retention'."""
    (hit,) = index.search("why is customer retention cheaper than acquisition", 1)
    assert hit.concept_id == "customer-retention"
    assert "fuzzy" not in hit.explanation


@pytest.mark.parametrize(
    ("query", "expected"),
    [("chrun", "churn"), ("what is churm", "churn"), ("margni", "margin"), ("mragin", "margin")],
)
def test_one_edit_in_a_short_word_is_a_misspelling(
    index: SearchIndex, query: str, expected: str
) -> None:
    """Too short for the fuzzy cutoff (one edit in five letters is 80 %): one edit, a swap of
    two letters included, is allowed in words of five to seven letters."""
    hit = index.search(query, 1)[0]
    assert hit.concept_id == expected
    assert re.match(r"fuzzy \((80|83|86)%\)", hit.evidence["label"])  # under the 85 % cutoff
    assert index.labels._one_edit([words_of(query)[-1]])


def test_one_edit_matching_needs_a_label_one_edit_away(index: SearchIndex) -> None:
    assert index.labels._one_edit(["chrun"])  # not a label's word
    assert not index.labels._one_edit(["abcdefgh", "zzzzz"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rev rec", "revenue-recognition"),
        ("acct mgr", "account-manager"),
        ("neg churn", "negative-churn"),
        ("who is our acct mgr", "account-manager"),
        ("CS manager", "customer-success-manager"),
    ],
)
def test_abbreviated_labels(index: SearchIndex, query: str, expected: str) -> None:
    hit = index.search(query, 1)[0]
    assert hit.concept_id == expected
    assert "abbreviates" in hit.evidence["label"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("when is revenue recognized", "revenue-recognition"),  # not Revenue, a part of it
        ("is revenue recognised upfront", "revenue-recognition"),
    ],
)
def test_another_form_of_a_labels_word_still_names_it(
    index: SearchIndex, query: str, expected: str
) -> None:
    hit = index.search(query, 1)[0]
    assert hit.concept_id == expected
    assert "contains a form of" in hit.evidence["label"]


def test_forms_of_a_word_are_a_verb_form_and_a_word_sharing_its_start(
    index: SearchIndex,
) -> None:
    def variants(text: str) -> list[int]:
        return index.labels._variants(tuple(words_of(text)), tuple(text.split()))

    assert variants("revenue recognized")
    assert not variants("account contracts")  # two nouns: not Account Contraction
    assert not variants("customized success")  # not customer


def test_an_unknown_acronym_finds_the_label_it_is_the_initials_of(index: SearchIndex) -> None:
    hit = index.search("RYG", 1)[0]  # Red, Yellow, Green Meetings: no source says "RYG"
    assert hit.concept_id == "red-yellow-green-meetings"
    assert "initials of" in hit.evidence["label"]
    assert not index.labels._initialism_of(index.prepare("ryg"))  # a word, not an acronym
    assert not index.labels._initialism_of(index.prepare("GDPR"))  # the initials of nothing
    assert not index.labels._initialism_of(index.prepare("CS"))  # two letters: of too much


def test_a_word_labels_use_is_not_taken_for_an_abbreviation(index: SearchIndex) -> None:
    # "cost" is a word of labels, so it is not read as short for "customer"
    assert not index.labels._abbreviated(("cost", "success"))
    assert index.labels._abbreviated(("cust", "success"))
    # initials alone are an acronym's business, not an abbreviation's
    assert not index.labels._abbreviated(("c", "s"))


def test_definition_words(index: SearchIndex) -> None:
    assert top(index, "revenue committed but not yet recognized") == "backlog"
    assert top(index, "ratio of renewed contracts to contracts up for renewal") == "logo-retention"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("white glove service for big clients", "high-touch"),
        ("forum where users help each other out", "customer-community"),
        ("customers walking away", "churn"),
    ],
)
def test_paraphrases(index: SearchIndex, query: str, expected: str) -> None:
    assert top(index, query) == expected


def test_a_paraphrase_between_two_close_concepts_finds_both(index: SearchIndex) -> None:
    # 'the mood of our users' is also how the Happiness Index (no definition) is phrased
    hits = [h.concept_id for h in index.search("reading tweets and reviews to gauge the mood", 2)]
    assert set(hits) == {"sentiment-analysis", "happiness-index"}


def test_curated_phrasings_are_searched_and_explained(index: SearchIndex, glossary) -> None:
    churn = glossary.concept("churn")
    assert "customers walking away" in churn.phrasings
    assert "customers walking away" not in churn.labels
    views = [v for v in index.views.views if v.kind == "phrasing"]
    assert len(views) == sum(len(c.phrasings) for c in glossary.concepts)
    (hit,) = index.search("subscribers quitting the service", 1)
    assert hit.concept_id == "churn"
    assert "phrasing (curated) 'subscribers quitting the service'" in hit.explanation
    # a phrasing's words are BM25 words of its concept
    assert all(w in index.bm25.vocab for w in content_words(words_of("subscribers quitting")))


def test_stop_words_are_dropped_once_stemmed(index: SearchIndex) -> None:
    # stemming makes "does" "doe" and "where" "wher": they must not count as content words
    words = words_of("how does churn work where those have risen")
    assert content_words(words) == ["churn", "work", "risen"]
    assert "doe" not in index.bm25.vocab
    (hit,) = index.search("how does churn work", 1)  # not Segment Analysis, for "does"
    assert hit.concept_id == "churn"


@pytest.mark.parametrize(
    ("question", "stripped"),
    [
        ("What does NDR stand for?", "NDR"),
        ("what do we call it when expansion outweighs churn?", "expansion outweighs churn"),
        ("what do you call a team that aims to break even", "a team that aims to break even"),
        (
            "is there a term for when a client stays but pays less",
            "when a client stays but pays less",
        ),
        ("what's the word for customers who cancel", "customers who cancel"),
        ("is there a renewal fee", "renewal fee"),
        ("how do we keep clients", "how do we keep clients"),  # a how-to question keeps its words
        ("mrr meaning", "mrr"),
        ("CSM definition?", "CSM"),
        ("nrr full form", "nrr"),
        ("waht is nrr", "nrr"),
        ("whats the term for customers who cancel", "customers who cancel"),
    ],
)
def test_question_wrappers_are_stripped(question: str, stripped: str) -> None:
    assert strip_boilerplate(question) == stripped


def test_question_wrappers_do_not_match_phrasings_worded_as_questions(
    index: SearchIndex, glossary
) -> None:
    """Many phrasings are worded 'is there a term for ...'; a question worded the same way
    must match on what it asks about, not on 'is there a name for'."""
    worded = [p for c in glossary.concepts for p in c.phrasings if p.startswith("is there a")]
    assert len(worded) > 10
    assert all(not v.text.startswith("is there a") for v in index.views.views)
    hits = [h.concept_id for h in index.search("is there a name for customers leaving", 3)]
    assert "champion" not in hits


def test_no_built_in_synonym_list(index: SearchIndex) -> None:
    """Everyday words reach the glossary through the encoder and each concept's curated
    phrasings, not a hand-written lexicon that rewrites queries."""
    assert index.lexicon.groups == {}
    assert index.prepare("clients walking away", expand=True).expansions == {}


def test_curated_lexicon_still_expands(glossary, encoder) -> None:
    custom = SearchIndex.build(glossary.concepts, encoder, lexicon={"churn": ["walk away"]})
    query = custom.prepare("clients who walk away", expand=True)
    assert query.expansions == {"churn": 1.0}


def test_definitions_are_also_embedded_as_glossary_entries(index: SearchIndex) -> None:
    entries = [v for v in index.views.views if v.kind == "entry"]
    assert entries and all(": " in v.text for v in entries)
    churn = index.concept_ids.index("churn")
    assert any(v.text.startswith("Churn: ") for v in entries if v.concept == churn)


def test_query_is_encoded_in_the_template(glossary, encoder) -> None:
    counting = CountingEncoder(encoder)
    built = SearchIndex.build(glossary.concepts, counting)
    built.search("money we bring in every month", 3)
    assert list(built.query_vectors._cache) == ["A term for: money we bring in every month"]
    plain = SearchIndex.build(glossary.concepts, counting, SearchConfig(query_template="{}"))
    plain.search("money we bring in every month", 3)
    assert list(plain.query_vectors._cache) == ["money we bring in every month"]


def test_exact_dense_scoring_matches_the_faiss_path(index: SearchIndex) -> None:
    """The matrix shortcut of the flat index ranks exactly as the general faiss path does."""
    from kg.dense import DenseRetriever

    views = index.views
    general = DenseRetriever(
        views.index, views.views, views.file_stem, views.second_view, views.centroid, True
    )
    general._matrix = None  # force the faiss search path
    for text in ["churn", "clients walking away", "a panel of clients we consult", "🔥"]:
        q = index.prepare(text)
        fast = [(s.concept, s.why) for s in views.search(q, 20)]
        slow = [(s.concept, s.why) for s in general.search(q, 20)]
        assert [c for c, _ in fast] == [c for c, _ in slow]
        assert fast[0][1] == slow[0][1]


def test_results_are_deterministic(index: SearchIndex, glossary, encoder) -> None:
    queries = ["churn", "how happy are our customers", "revenue", "🙂"]
    first = [[(h.concept_id, h.score) for h in index.search(q, 10)] for q in queries]
    again = [[(h.concept_id, h.score) for h in index.search(q, 10)] for q in queries]
    rebuilt = SearchIndex.build(list(reversed(glossary.concepts)), encoder)
    other = [[(h.concept_id, h.score) for h in rebuilt.search(q, 10)] for q in queries]
    assert first == again == other


def test_a_search_runs_blas_on_one_thread_and_gives_the_rest_back(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BLAS threads spin-waiting after a query's matrix product (numpy's BLAS) took the cores
    the next query's encoder needed (docs/benchmarks.md, section 4)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    def numpy_blas_threads() -> list[int]:
        pools = [p for p in threadpool_info() if p["user_api"] == "blas"]
        return [p["num_threads"] for p in pools if "numpy" in p["filepath"]]

    seen: list[list[int]] = []
    encode = index.query_vectors._encode

    def spy(text: str) -> np.ndarray:
        seen.append(numpy_blas_threads())
        return encode(text)

    monkeypatch.setattr(index.query_vectors, "_encode", spy)
    with threadpool_limits(limits=2, user_api="blas"):
        assert numpy_blas_threads() == [2]  # found, and threaded
        index.search("a query this test alone sends", 5)
        assert numpy_blas_threads() == [2]
    assert seen == [[1]]


def test_hits_explain_their_signals(index: SearchIndex) -> None:
    hits = index.search("percentage of customers or revenue lost over a period", 3)
    best = hits[0]
    assert best.concept_id == "churn"
    assert {"bm25", "bm25_rank", "dense", "dense_rank", "fused"} <= set(best.signals)
    assert "BM25 #" in best.explanation and "dense #" in best.explanation
    assert best.evidence["dense"]  # which view matched
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(
    "query", ["", "   \n\t ", "x" * 513, "churn\x00rate", "bad \ud800 surrogate", "a\x07b"]
)
def test_bad_queries_raise_bad_query(index: SearchIndex, query: str) -> None:
    with pytest.raises(BadQuery):
        index.search(query)


def test_bad_k_and_mode(index: SearchIndex) -> None:
    with pytest.raises(BadQuery):
        index.search("churn", 0)
    with pytest.raises(BadQuery):
        index.search("churn", 5, mode="magic")
    assert len(index.search("churn", 1000)) == len(index)


@pytest.mark.parametrize("query", ["🔥 churn 🔥", "churn 😡😡😡", "ＣＨＵＲＮ"])
def test_emoji_and_odd_unicode(index: SearchIndex, query: str) -> None:
    assert top(index, query) == "churn"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("<b>NRR</b>", "net-revenue-retention"),
        ("<p>what is churn</p>", "churn"),
        ("<script>alert(1)</script> what is churn", "churn"),  # the script is no question
        ('<a href="x">customer health score</a><br/>', "customer-health-score"),
    ],
)
def test_html_pasted_with_a_query_is_not_searched(
    index: SearchIndex, query: str, expected: str
) -> None:
    assert top(index, query) == expected
    assert index.search(query, 1)[0].score == index.search(validate(query), 1)[0].score


def test_markup_alone_is_a_bad_query_and_a_less_than_sign_is_text(index: SearchIndex) -> None:
    with pytest.raises(BadQuery, match="only HTML markup"):
        index.search("<script>nothing</script>")
    assert validate("churn under <5% a year") == "churn under <5% a year"
    assert validate("is ARR<MRR or MRR>ARR") == "is ARR<MRR or MRR>ARR"  # no HTML tag
    assert validate("what is a P&amp;L center") == "what is a P&L center"


def test_emoji_only_query_gives_a_sane_result(index: SearchIndex) -> None:
    hits = index.search("🔥🔥🔥", 3)
    assert len(hits) == 3 and all(h.signals.get("label", 0.0) < 1.0 for h in hits)


def test_save_load_round_trip_without_re_encoding(
    index: SearchIndex,
    saved: Path,
    encoder,
) -> None:
    counting = CountingEncoder(encoder)
    loaded = SearchIndex.load(saved, counting)
    queries = ["NDR", "clients walking away", "white glove service", "cost of goods"]
    for q, mode in itertools.product(queries, ("hybrid", "dense", "views", "bm25")):
        assert [(h.concept_id, h.score) for h in loaded.search(q, 10, mode)] == [
            (h.concept_id, h.score) for h in index.search(q, 10, mode)
        ], (q, mode)
    assert counting.encoded == 0  # concept vectors come from the files, not the model
    manifest = json.loads((saved / "search-manifest.json").read_text())
    assert manifest["model_id"] == encoder.model_id and manifest["dimension"] == 384
    assert set(manifest["files"]) <= {p.name for p in saved.iterdir()}
    assert "search-views-centroids.npy" in manifest["files"]  # not re-averaged at load


def test_load_refuses_another_model(saved: Path, encoder) -> None:
    with pytest.raises(BuildError, match="built with model"):
        SearchIndex.load(saved, CountingEncoder(encoder, model_id="0123456789ab"))


def test_load_names_the_precision_a_build_was_made_at(saved: Path, encoder) -> None:
    assert encoder.precision == "int8"
    full = CountingEncoder(encoder, model_id=encoder.weights_id)  # the same model at fp32
    with pytest.raises(BuildError, match="holds int8 vectors, but KG_PRECISION is fp32") as err:
        SearchIndex.load(saved, full)
    assert "KG_PRECISION=int8" in str(err.value) and "kg ingest" in str(err.value)


def test_load_refuses_missing_or_corrupt_files(
    index: SearchIndex,
    tmp_path: Path,
    encoder,
) -> None:
    index.save(tmp_path)
    (tmp_path / "search-views.faiss").write_bytes(b"not an index")
    with pytest.raises(BuildError, match="checksum"):
        SearchIndex.load(tmp_path, encoder)
    (tmp_path / "search-views.faiss").unlink()
    with pytest.raises(BuildError, match="missing"):
        SearchIndex.load(tmp_path, encoder)
    with pytest.raises(BuildError, match="no search index"):
        SearchIndex.load(tmp_path / "nowhere", encoder)


def test_approximate_index_above_threshold(glossary, encoder) -> None:
    big = SearchIndex.build(glossary.concepts, encoder, SearchConfig(hnsw_threshold=100))
    assert big.views.kind == "hnsw"
    assert top(big, "white glove service for big clients") == "high-touch"


def test_query_vectors_are_cached(index: SearchIndex) -> None:
    index.search("a question nobody asked before", 3)
    misses = index.query_vectors.misses
    index.search("a question nobody asked before", 3)
    assert index.query_vectors.misses == misses


@pytest.fixture(scope="module")
def report(index: SearchIndex, glossary) -> dict:
    """The evaluation of data/eval/questions.tsv, computed once for the quality tests."""
    text = glossary_text_bm25(index, glossary.concepts)
    result = evaluate(
        index, QUESTIONS, modes=("hybrid", "bm25", "dense"), baselines={"bm25-text": text}
    )
    assert not result["unresolved"]
    return result


def _unanswerable_confidence(report: dict, split: str) -> float:
    rows = [r for r in report["confidence"] if r["split"] == split]
    return max(r["confidence"] for r in rows if r["category"] == "unanswerable")


HELD_OUT = ("heldout3", "heldout4", "heldout5", "heldout6")


def test_tune_quality(report: dict) -> None:
    """Floors a little under what the tune split (used to choose the defaults) measures."""
    tune = report["modes"]["hybrid"]["tune"]
    assert tune["direct"]["hit@1"] >= 0.95
    assert tune["short"]["hit@1"] >= 0.95  # measured 0.99 ('CORE metric' second)
    # measured 0.76; 0.81 before 11 paraphrases placed by another concept's name were added
    # ("the client who fights for us internally during a QBR"), which `ask` answers rightly
    # more often than search ranks them (0.33 before phrasings)
    assert tune["paraphrase"]["hit@1"] >= 0.72
    # 'how many vacation days do new hires get' reaches Customer Onboarding at 0.63
    assert _unanswerable_confidence(report, "tune") < 0.65


HIT_AT_5_FLOOR = {"heldout3": 0.90, "heldout4": 0.90, "heldout5": 0.83, "heldout6": 0.93}
# measured 0.95, 0.93, 0.86 and 0.98


def test_held_out_quality(report: dict) -> None:
    """What the held-out questions (written blind, never tuned on) meet, and floors a little
    under what they measured with both batches of phrasings. heldout3 / heldout4 / heldout5
    (the last measured once, blind): direct 1.00 / 1.00 / 1.00, paraphrase Hit@1 0.82 / 0.79
    / 0.77 and Hit@5 0.95 / 0.93 / 0.86, all 0.88 / 0.86 / 0.87. Dropping stop words that
    stemming had changed ("does" was "doe") later cost one heldout3 paraphrase (0.80).
    heldout6, measured once, blind: direct 1.00, short 1.00, paraphrase 0.83 / 0.98, all
    0.90. Four phrasings added to Churn from a tester's queries ("customers leaving") later
    cost one heldout4 and one heldout5 paraphrase (0.77, 0.75)."""
    for split in HELD_OUT:
        held = {mode: table[split] for mode, table in report["modes"].items()}
        assert held["hybrid"]["direct"]["hit@1"] >= 0.95
        assert held["hybrid"]["all"]["hit@1"] >= 0.80
        assert held["hybrid"]["paraphrase"]["hit@1"] >= 0.75
        assert held["hybrid"]["paraphrase"]["hit@5"] >= HIT_AT_5_FLOOR[split]
        for mode in ("bm25", "dense"):
            assert held["hybrid"]["all"]["mrr@10"] > held[mode]["all"]["mrr@10"]


def test_held_out_paraphrase_hit_at_1_target(report: dict) -> None:
    """The issue's 0.70 paraphrase target, on all 255 held-out paraphrases (measured 0.79)."""
    assert held_out(report, "hybrid", "paraphrase") >= 0.70


def test_held_out_short_forms(report: dict) -> None:
    # heldout3 measured 0.88 blind; abbreviation matching, added after seeing that, made it
    # 0.96 (no longer blind); curated phrasings then cost 'mrr growth' (Account Expansion is
    # phrased 'expansion MRR ...'), 0.92. heldout4 and heldout5 measured 1.00 blind.
    assert report["modes"]["hybrid"]["heldout3"]["short"]["hit@1"] >= 0.90
    assert report["modes"]["hybrid"]["heldout4"]["short"]["hit@1"] >= 0.95
    assert report["modes"]["hybrid"]["heldout5"]["short"]["hit@1"] >= 0.95


# No held-out unanswerable question is answered with confidence any more. Two were, each
# measured blind: "what is a win-loss analysis" (heldout4, 0.84, through a phrasing of Churn
# Reasons) and "how is a sales rep's quota set for the year" (heldout5, 0.76, through Account
# Executive). Capping questions about a term the glossary has no name for at UNNAMED
# (kg/answer.py: definitions asked, then how-to questions) was made after seeing them, so
# neither is blind now.


# heldout6, measured once, blind: "pto policy for the customer success team" reached
# Customer Success at 0.87. A subject the glossary has no word for, placed by one of its
# names, is now judged alone (`SearchIndex.placed`, kg/answer.py `judge`), a rule made after
# seeing it: it is no longer blind. (Its single-concept judgement of "sales qualified lead vs
# marketing qualified lead", 0.73, is why heldout6 is left out of the split loop below; `ask`
# reads it as a comparison and is unsure.)


def test_every_unanswerable_question_is_answered_as_unsure(report: dict, glossary) -> None:
    """What the issue asks: a question the glossary cannot answer gets a low confidence and
    says so, rather than a confident wrong concept; all 81 do."""
    for split in ("tune", "heldout3", "heldout4", "heldout5"):
        assert _unanswerable_confidence(report, split) < SURE
    unanswerable = [q for q in read_questions(QUESTIONS) if q.category == "unanswerable"]
    assert len(unanswerable) == 81
    for q in unanswerable:
        answer = glossary.ask(q.text)
        assert answer["confidence"] < SURE, q.text
        assert answer["answer"].startswith("I am not sure"), q.text


@pytest.mark.xfail(
    strict=True,
    reason="held-out unanswerable confidence: highest 0.64 (heldout3), 0.53 (heldout4), "
    "0.60 (heldout5) and 0.73 (heldout6), not under 0.5",
)
def test_held_out_unanswerable_confidence(report: dict) -> None:
    for split in HELD_OUT:
        assert _unanswerable_confidence(report, split) < 0.5


def test_held_out_paraphrase_margin_over_the_glossary_text(report: dict) -> None:
    """The margin read as document-expansion work reads it: the curated phrasings are part of
    the system, and the baselines search the glossary's own labels and definitions. Measured
    +0.61 (hybrid 0.79; BM25 on the glossary text 0.01, one vector per concept 0.18). The
    strict reading, with the phrasings given to BM25 too, is the expected failure below."""
    held = {m: held_out(report, m, "paraphrase") for m in ("hybrid", "bm25-text", "dense")}
    assert held["bm25-text"] < 0.10  # the glossary's words are not the words people ask with
    assert held["hybrid"] >= max(held["bm25-text"], held["dense"]) + 0.15
    as_run, glossary_text = paraphrase_margins(report)  # what `kg eval` prints, both readings
    assert as_run.endswith("(target +0.15: not met)") and "against bm25" in as_run
    assert glossary_text.endswith("(target +0.15: met)") and "against dense" in glossary_text
    assert glossary_text in format_report(report)


def test_glossary_text_bm25_reads_no_phrasings(index: SearchIndex, glossary) -> None:
    rank = glossary_text_bm25(index, glossary.concepts)
    assert rank("NRR", 3)[0] == "net-revenue-retention"  # labels and definitions are read
    assert "churn" not in rank("customers walking away", 10)  # a phrasing of Churn is not
    assert index.search("customers walking away", 1)[0].concept_id == "churn"


@pytest.mark.xfail(
    strict=True,
    reason="paraphrase margin unmet: held-out paraphrase Hit@1 hybrid 0.79 against BM25 0.78 "
    "(BM25 also reads the curated phrasings) and dense 0.18; the target is baseline + 0.15. "
    "See data/eval/search-ablations.md",
)
def test_held_out_paraphrase_targets(report: dict) -> None:
    held = {mode: held_out(report, mode, "paraphrase") for mode in ("hybrid", "bm25", "dense")}
    assert held["hybrid"] >= 0.70
    assert held["hybrid"] >= max(held["bm25"], held["dense"]) + 0.15


def test_a_long_run_of_spaces_is_one_space(index: SearchIndex) -> None:
    """The wrapper patterns never see a run of spaces to backtrack over (500 took a minute)."""
    assert validate("churn" + " " * 500 + "rate?") == "churn rate?"
    assert index.search("churn" + "\t " * 250 + "rate", 1)[0].concept_id == "churn"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hey can u tell me wat nrr is pls", "net-revenue-retention"),
        ("Hi, what is churn? thanks!", "churn"),
        ("ok so what is a QBR", "quarterly-business-review"),
        ("could you please explain CSAT", "customer-satisfaction"),
    ],
)
def test_greetings_and_thanks_are_not_searched(
    index: SearchIndex, query: str, expected: str
) -> None:
    assert top(index, query) == expected
    # a word ending like a pleasantry keeps its ending ("community", not "communi"), and a
    # greeting is one only when set off ("hi touch" is High touch, misspelt)
    assert strip_boilerplate("the customer community") == "the customer community"
    assert strip_boilerplate("hi touch") == "hi touch"


def test_a_misspelling_stemming_takes_further_from_the_label_is_still_found(
    index: SearchIndex,
) -> None:
    """ "busines" stems to "busin": 84 % like the label, under the cutoff, where as typed it
    is 89 %."""
    assert top(index, "quartly busines reveiw") == "quarterly-business-review"
