"""SKOS export: a golden graph for a small glossary; every format parses back to the same
graph, here and in Debian's rapper; SHACL finds the seed vocabulary clean and a broken one
not; an export ingests back into the same graph."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS

from ingest.concept import Concept, Definition, Joined
from ingest.pipeline import SourceResult
from ingest.readers.skos import KGV
from kg.errors import BadQuery
from kg.glossary import Glossary
from kg.relations import Link, assign_collections, infer_links
from kg.skos import (
    DEFAULT_TITLE,
    FORMATS,
    definition_uri,
    read_sources,
    scheme_uri,
    serialize,
    source_uri,
    to_rdf,
    validate,
)
from tests.conftest import SHARED

GOLDEN = Path(__file__).parent / "golden" / "skos-small.ttl"
BASE = "https://example.org/test/"
RDFLIB = {"turtle": "turtle", "xml": "xml", "json-ld": "json-ld", "nt": "nt"}
RAPPER = {"turtle": "turtle", "xml": "rdfxml", "nt": "ntriples"}  # rapper reads no JSON-LD


def small_glossary() -> Glossary:
    """Six concepts from two sources: several definitions, labels of every kind, one
    concept a source lists without defining."""
    sources = [
        SourceResult("alpha", Path("alpha.txt"), "text", "0", "Alpha Glossary", "web page"),
        SourceResult("beta", Path("beta.md"), "markdown", "0", "Beta Terms"),
    ]

    def make(cid: str, label: str, defs: list[Definition], **fields) -> Concept:
        sources = sorted({d.source for d in defs} | set(fields.pop("listed", ())))
        joined = [Joined(s, None, label, ()) for s in sources]
        preferred = 0 if defs else None  # as merging chooses one
        return Concept(cid, label, definitions=defs, preferred=preferred, joined=joined, **fields)

    concepts = [
        make(
            "account-churn",
            "Account Churn",
            [Definition("Accounts lost.", "beta", (12, 12), "Account Churn")],
        ),
        make(
            "churn",
            "Churn",
            [
                Definition("The loss of customers over a period.", "alpha", (3, 4), "Churn"),
                Definition("Customers or revenue lost.", "beta", (10, 10), "Churn Rate"),
            ],
            alt_labels=["Churn Rate"],
        ),
        make("customer-success", "Customer Success", [], listed=["beta"]),
        make(
            "net-revenue-retention",
            "Net Revenue Retention",
            [Definition("Revenue kept, expansion included.", "beta", (14, 15), "NRR")],
            alt_labels=["NRR"],
            acronyms=["NRR"],
        ),
        make(
            "renewal",
            "Renewal",
            [
                Definition(
                    "Extending a subscription;\n\nthe opposite of churn.",
                    "alpha",
                    (6, 8),
                    "Renewal",
                )
            ],
            hidden_labels=["Renewel"],
        ),
        make(
            "upsell",
            "Upsell",
            [Definition("Selling more. Upsells drive NRR.", "alpha", (9, 9), "Upsell")],
            alt_labels=["Up-sell"],
        ),
    ]
    return Glossary(sources, concepts, base_uri=BASE)


SMALL_LINKS = [
    Link("account-churn", "churn", "broader", "same head noun"),
    Link("renewal", "churn", "related", "the opposite of churn"),
    Link("upsell", "net-revenue-retention", "related", "Upsells drive NRR.", curated=True),
]
SMALL_COLLECTIONS = {
    "Customer lifecycle": ["churn", "customer-success", "renewal"],
    "Metrics": ["account-churn", "churn", "net-revenue-retention"],
    "Sales motions": ["renewal", "upsell"],
}


def small_rdf() -> Graph:
    return to_rdf(small_glossary(), SMALL_LINKS, SMALL_COLLECTIONS, title="Test glossary")


def assert_same(expected: Graph, actual: Graph) -> None:
    if isomorphic(expected, actual):
        return
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))

    def show(graph: Graph) -> str:
        lines = sorted(" ".join(term.n3() for term in triple) for triple in graph)
        return "\n".join(lines[:12]) + (f"\n... {len(lines)} in all" if len(lines) > 12 else "")

    pytest.fail(f"graphs differ\nmissing:\n{show(only_expected)}\nextra:\n{show(only_actual)}")


# --- the mapping ------------------------------------------------------------------------


def test_small_glossary_matches_the_golden_graph() -> None:
    """The golden file is reviewed by hand; rewrite it with KG_UPDATE_GOLDEN=1 and read the
    diff before committing it."""
    graph = small_rdf()
    if os.environ.get("KG_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(serialize(graph, "turtle")[0])
    assert_same(Graph().parse(GOLDEN, format="turtle"), graph)


def test_small_glossary_is_valid() -> None:
    assert validate(small_rdf()) == []


def test_concepts_definitions_and_sources_are_described() -> None:
    graph = small_rdf()
    churn = URIRef(BASE + "churn")
    assert set(graph.objects(churn, SKOS.prefLabel)) == {Literal("Churn", lang="en")}
    assert set(graph.objects(churn, SKOS.altLabel)) == {Literal("Churn Rate", lang="en")}
    second = definition_uri(BASE + "churn", 2)
    assert (churn, SKOS.definition, second) in graph
    assert graph.value(second, RDF.value) == Literal("Customers or revenue lost.", lang="en")
    assert graph.value(second, DCTERMS.source) == source_uri(BASE, "beta")
    assert (graph.value(second, KGV.startLine), graph.value(second, KGV.endLine)) == (
        Literal(10),
        Literal(10),
    )
    alpha = source_uri(BASE, "alpha")
    assert graph.value(alpha, DCTERMS.title) == Literal("Alpha Glossary")
    assert graph.value(alpha, DCTERMS.description) == Literal("web page")
    # a source that lists a concept without defining it is still its source
    assert (URIRef(BASE + "customer-success"), DCTERMS.source, source_uri(BASE, "beta")) in graph


def test_hierarchy_both_ways_related_symmetric_and_top_concepts() -> None:
    graph = small_rdf()
    churn, account = URIRef(BASE + "churn"), URIRef(BASE + "account-churn")
    assert (account, SKOS.broader, churn) in graph and (churn, SKOS.narrower, account) in graph
    renewal = URIRef(BASE + "renewal")
    assert (renewal, SKOS.related, churn) in graph and (churn, SKOS.related, renewal) in graph
    tops = set(graph.objects(scheme_uri(BASE), SKOS.hasTopConcept))
    assert account not in tops and churn in tops and len(tops) == 5


def test_closed_namespaces_reject_typos() -> None:
    with pytest.raises(AttributeError):
        _ = SKOS.prefLable
    with pytest.raises(AttributeError):
        _ = DCTERMS.sourc
    with pytest.raises(AttributeError):
        _ = KGV.startline


# --- the seed vocabulary ----------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_links(glossary, encoder) -> list[Link]:
    return infer_links(glossary.concepts, encoder.encode)


@pytest.fixture(scope="module")
def seed_rdf(glossary, seed_links) -> Graph:
    return to_rdf(glossary, seed_links, assign_collections(glossary.concepts, seed_links))


def test_seed_vocabulary_is_valid(seed_rdf, glossary) -> None:
    assert validate(seed_rdf) == []
    concepts = set(seed_rdf.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == len(glossary.concepts)
    described = set(seed_rdf.subjects(RDF.type, DCTERMS.BibliographicResource))
    assert {str(s).rsplit("/", 1)[1] for s in described} == {s.id for s in glossary.sources}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's JSON-LD parser, inside
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_parses_back_to_the_same_graph(seed_rdf, fmt: str) -> None:
    data, media_type = serialize(seed_rdf, fmt)
    assert isinstance(data, bytes) and media_type == FORMATS[fmt][1]
    assert_same(seed_rdf, Graph().parse(data=data, format=RDFLIB[fmt]))


def test_json_ld_carries_a_context(seed_rdf) -> None:
    document = json.loads(serialize(seed_rdf, "json-ld")[0])
    context = document["@context"]
    assert context["skos"] == str(SKOS) and context["dct"] == str(DCTERMS)
    assert context["rdf"] == str(RDF)
    assert "skos:prefLabel" in json.dumps(document)


def test_unknown_format_names_the_choices(seed_rdf) -> None:
    with pytest.raises(BadQuery, match="'rdfa'; choose one of turtle, xml, json-ld, nt"):
        serialize(seed_rdf, "rdfa")


def rapper() -> str:
    found = shutil.which("rapper")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(
                "rapper (Debian raptor2-utils) is required in CI: add it to .ci/apt-packages"
            )
        pytest.skip("rapper (Debian raptor2-utils) is not installed")
    return found


@pytest.mark.parametrize("fmt", sorted(RAPPER))
def test_rapper_reads_the_same_graph(seed_rdf, tmp_path: Path, fmt: str) -> None:
    """An independent parser (raptor2) reads each serialisation to the same triples."""
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(serialize(seed_rdf, fmt)[0])
    run = subprocess.run(
        [rapper(), "-q", "-i", RAPPER[fmt], "-o", "ntriples", str(path), BASE],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode()
    assert_same(seed_rdf, Graph().parse(data=run.stdout, format="nt"))


# --- SHACL finds what is broken ---------------------------------------------------------

C = {name: URIRef(BASE + name) for name in ("churn", "account-churn", "renewal", "upsell")}


def _remove_member(graph: Graph, uri: URIRef) -> None:
    graph.remove((None, SKOS.member, uri))


BREAKAGES: dict[str, tuple[Callable[[Graph], object], str]] = {
    "two English prefLabels": (
        lambda g: g.add((C["churn"], SKOS.prefLabel, Literal("Attrition", lang="en"))),
        "<https://example.org/test/churn> skos:prefLabel: needs one language-tagged",
    ),
    "untagged prefLabel": (
        lambda g: g.set((C["upsell"], SKOS.prefLabel, Literal("Upsell"))),
        "skos:prefLabel: needs one language-tagged prefLabel",
    ),
    "pref and alt label alike": (
        lambda g: g.add((C["renewal"], SKOS.altLabel, Literal("Renewal", lang="en"))),
        "a label is both preferred and alternative",
    ),
    "alt and hidden label alike": (
        lambda g: g.add((C["churn"], SKOS.hiddenLabel, Literal("Churn Rate", lang="en"))),
        "a label is both alternative and hidden",
    ),
    "related and broader": (
        lambda g: g.add((C["account-churn"], SKOS.related, C["churn"])),
        "is both related to and narrower than the same concept",
    ),
    "hierarchy cycle": (
        lambda g: g.add((C["churn"], SKOS.broader, C["account-churn"])),
        "hierarchy cycle: ",
    ),
    "related across two levels": (
        lambda g: (
            g.add((C["churn"], SKOS.broader, C["upsell"])),
            g.add((C["account-churn"], SKOS.related, C["upsell"])),
        ),
        "skos:related 'Upsell' <https://example.org/test/upsell>, but one is broader",
    ),
    "dangling reference": (
        lambda g: g.add((C["upsell"], SKOS.related, URIRef(BASE + "ghost"))),
        "skos:related refers to something that is not a concept here (dangling)",
    ),
    "not in the scheme": (
        lambda g: g.remove((C["upsell"], SKOS.inScheme, None)),
        "'Upsell' <https://example.org/test/upsell> skos:inScheme: is not in the concept scheme",
    ),
    "in no collection": (
        lambda g: _remove_member(g, C["upsell"]),
        "belongs to no collection",
    ),
    "definition without source": (
        lambda g: g.remove((definition_uri(BASE + "upsell", 1), DCTERMS.source, None)),
        "has a definition without its text (rdf:value) or its one source",
    ),
    "phrasing without a language": (
        lambda g: g.add((C["upsell"], KGV.phrasing, Literal("selling them the bigger plan"))),
        "a phrasing must be a language-tagged text",
    ),
    "top concept with a broader one": (
        lambda g: g.add((C["account-churn"], SKOS.topConceptOf, scheme_uri(BASE))),
        "is a top concept but has a broader concept",
    ),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_validate_names_what_is_broken(name: str) -> None:
    graph = small_rdf()
    breakage, expected = BREAKAGES[name]
    breakage(graph)
    problems = validate(graph)
    assert any(expected in p for p in problems), problems


# --- round trip -------------------------------------------------------------------------


def round_trip(graph: Graph, base: str, tmp_path: Path, fmt: str, title: str) -> Graph:
    """Export, ingest the export as the only source, build, relate, export again."""
    path = tmp_path / f"export.{ {'xml': 'rdf', 'json-ld': 'jsonld'}.get(fmt, fmt) }"
    path.write_bytes(serialize(graph, fmt)[0])
    again = Glossary.build(read_sources(path), base_uri=base)
    links = infer_links(again.concepts)
    return to_rdf(again, links, assign_collections(again.concepts, links), title=title)


def test_small_glossary_round_trip(tmp_path: Path) -> None:
    glossary = small_glossary()
    links = infer_links(glossary.concepts)
    graph = to_rdf(glossary, links, assign_collections(glossary.concepts, links), "Test glossary")
    assert_same(graph, round_trip(graph, BASE, tmp_path, "turtle", "Test glossary"))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_seed_vocabulary_round_trip(seed_rdf, glossary, tmp_path: Path, fmt: str) -> None:
    assert_same(seed_rdf, round_trip(seed_rdf, glossary.base_uri, tmp_path, fmt, DEFAULT_TITLE))


def test_export_reads_back_as_its_original_sources(seed_rdf, glossary, tmp_path: Path) -> None:
    path = tmp_path / "export.ttl"
    path.write_bytes(serialize(seed_rdf, "turtle")[0])
    sources = read_sources(path)
    original = {s.id: (s.title, s.kind) for s in glossary.sources}
    assert {s.id: (s.title, s.kind) for s in sources} == original
    upsell = [e for s in sources for e in s.entries if e.term == "Upsell"]
    assert sorted(e.source for e in upsell) == sorted(
        d.source for d in glossary.concept("upsell").definitions
    )
    assert all(e.lines for e in upsell)


def test_curated_phrasings_survive_an_export(seed_rdf, glossary, tmp_path: Path) -> None:
    """Phrasings are kgv:phrasing on the concept, read back into the concept, not as labels."""
    path = tmp_path / "export.ttl"
    path.write_bytes(serialize(seed_rdf, "turtle")[0])
    again = Glossary.build(read_sources(path), base_uri=glossary.base_uri)
    before, after = glossary.concept("churn"), again.concept("churn")
    assert "customers walking away" in before.phrasings
    assert sorted(after.phrasings) == sorted(before.phrasings)
    assert "customers walking away" not in after.labels


def test_an_imported_concept_keeps_its_original_uri_as_exact_match(tmp_path: Path) -> None:
    """A SKOS source's concepts get this vocabulary's URIs; the export links each back to
    the URI its source gave it (skos:exactMatch), and reading the export back keeps it."""
    original = SHARED / "data" / "skos" / "skosmos-tests" / "dup.ttl"
    first = Glossary.build(read_sources(original), base_uri=BASE)
    links = infer_links(first.concepts)
    graph = to_rdf(first, links, assign_collections(first.concepts, links), "dup")
    matches = {str(s): str(o) for s, o in graph.subject_objects(SKOS.exactMatch)}
    assert matches[BASE + "d6"] == "http://www.skosmos.skos/dup/d6"
    assert len(matches) == len(first.concepts)
    path = tmp_path / "export.ttl"
    path.write_bytes(serialize(graph, "turtle")[0])
    again = Glossary.build(read_sources(path), base_uri=BASE)
    assert {c.id: c.origin for c in again.concepts} == {c.id: c.uri for c in first.concepts}
    graph = to_rdf(again, links, assign_collections(again.concepts, links), "dup")
    assert {str(s): str(o) for s, o in graph.subject_objects(SKOS.exactMatch)} == matches


def test_an_id_that_is_no_uri_is_not_exported_as_exact_match() -> None:
    concept = Concept("churn", "Churn", uri="1")  # a CSV's ID column
    glossary = Glossary([], [concept], base_uri=BASE)
    graph = to_rdf(glossary, [], {}, "csv")
    assert not list(graph.subject_objects(SKOS.exactMatch))


def test_acronyms_are_still_acronyms_after_a_round_trip(seed_rdf, glossary, tmp_path: Path) -> None:
    path = tmp_path / "export.ttl"
    path.write_bytes(serialize(seed_rdf, "turtle")[0])
    again = Glossary.build(read_sources(path), base_uri=glossary.base_uri)
    before = {c.id: sorted(c.acronyms) for c in glossary.concepts if c.acronyms}
    assert {c.id: sorted(c.acronyms) for c in again.concepts if c.acronyms} == before
    assert "CSAT" in before["customer-satisfaction"]  # not its label's initials, yet kept


GERMAN = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://vocab.example.de/> .
ex:s a skos:ConceptScheme ; skos:prefLabel "Finanzvokabular"@de .
ex:umsatz a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Umsatz"@de ;
    skos:altLabel "Erlös"@de ; skos:definition "Summe der Erlöse."@de .
ex:marge a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "Marge"@de ;
    skos:definition "Umsatz minus Kosten."@de .
"""


def test_a_vocabulary_in_another_language_keeps_its_language_through_export(
    tmp_path: Path,
) -> None:
    from ingest.pipeline import read_paths

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "de.ttl").write_text(GERMAN, encoding="utf-8")
    glossary = Glossary.build(read_paths([tmp_path / "in"])[0])
    umsatz = glossary.concept("Umsatz")
    assert umsatz.language == "de" and umsatz.definition.language == "de"
    graph = Graph().parse(data=glossary.export("turtle")[0].decode(), format="turtle")
    uri = URIRef(glossary.uri(umsatz))
    assert set(graph.objects(uri, SKOS.prefLabel)) == {Literal("Umsatz", lang="de")}
    assert set(graph.objects(uri, SKOS.altLabel)) == {Literal("Erlös", lang="de")}
    text, node = sorted(graph.objects(uri, SKOS.definition), key=lambda o: isinstance(o, URIRef))
    assert text == graph.value(node, RDF.value) == Literal("Summe der Erlöse.", lang="de")
    assert glossary.collections_of(umsatz.id) == ["General terms"]  # no English families
    # read back, the export is the same vocabulary in the same language
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "export.ttl").write_bytes(glossary.export("turtle")[0])
    again = Glossary.build(read_paths([tmp_path / "out"])[0])
    assert again.concept("Umsatz").language == "de"
    assert isomorphic(
        graph, Graph().parse(data=again.export("turtle")[0].decode(), format="turtle")
    )


def test_a_combined_entry_is_still_shared_after_an_export_is_read_back(
    seed_rdf, glossary, tmp_path: Path
) -> None:
    path = tmp_path / "export.ttl"
    path.write_bytes(serialize(seed_rdf, "turtle")[0])
    again = Glossary.build(read_sources(path), base_uri=glossary.base_uri)
    for label in ("Bookings", "Billings", "Revenue"):
        before = {(d.text, d.shared_with) for d in glossary.concept(label).definitions}
        assert any(shared for _, shared in before)  # "Bookings vs. Billings vs. Revenue"
        assert {(d.text, d.shared_with) for d in again.concept(label).definitions} == before
        assert again.concept(label).definition == glossary.concept(label).definition


def test_an_n_triples_export_is_sorted_so_two_exports_compare(seed_rdf) -> None:  # type: ignore[no-untyped-def]
    data, _ = serialize(seed_rdf, "nt")
    assert data.splitlines() == sorted(data.splitlines())
