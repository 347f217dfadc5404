"""The SKOS reader: concepts from any RDF syntax as entries; broken files named, not crashed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Graph, Literal, Namespace
from rdflib.namespace import DCTERMS

from ingest.document import Document
from ingest.errors import SourceError
from ingest.model import Entry, Flag, ReadResult, Relation, RelationKind
from ingest.readers.skos import read_rdf, read_rdf_sources
from ingest.sources import SourceInfo

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "skos"
SKOSMOS_TESTS = SHARED / "skosmos-tests"  # MIT, from github.com/NatLibFi/Skosmos
SKOSIFY_EXAMPLES = SHARED / "skosify-examples"  # MIT, from github.com/NatLibFi/Skosify
STW = SHARED / "stw-skos.ttl"  # STW Thesaurus for Economics, ODbL
EX = Namespace("http://example.org/")
PREFIXES = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix skosxl: <http://www.w3.org/2008/05/skos-xl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""


def read_file(path: Path, fmt: str = "turtle") -> ReadResult:
    return read_rdf(Document(path, path.read_bytes()), path.stem, fmt)


def read_turtle(body: str) -> ReadResult:
    return read_rdf(Document(Path("inline.ttl"), (PREFIXES + body).encode()), "inline", "turtle")


def by_term(result: ReadResult) -> dict[str, Entry]:
    return {entry.term: entry for entry in result.entries}


def messages(result: ReadResult) -> str:
    return "\n".join(w.message for w in result.warnings)


# --- Skosmos's test vocabularies ----------------------------------------------------------
# Checked by hand: every file is valid Turtle with concepts, so each imports; what each
# tests shows up as warnings (concepts without labels, dangling links, cycles).

SKOSMOS_EXPECTED: dict[str, tuple[int, str | None, list[str]]] = {
    # file: (entries, title, warning fragments in order)
    "altlabel.ttl": (
        1,
        "Test conceptscheme",
        ["other languages than each concept's were not kept (26 in 'fi')"],
    ),
    "collation.ttl": (
        3,
        None,
        ["were not kept (3 in 'fi'); the vocabulary is read in English first"],
    ),
    "cycle.ttl": (
        4,
        "Test conceptscheme with cycles",
        [
            "cycle/ta2> is its own broader concept",
            "cycle among <http://www.skosmos.skos/cycle/ta3>, <http://www.skosmos.skos/cycle/ta4>",
        ],
    ),
    "dup.ttl": (
        7,
        None,
        ["other properties of concepts not read (kept only in the source file): 1 dup:prop1"],
    ),
    "dupgroup.ttl": (
        1,
        None,
        [
            "skos:broader <http://www.skosmos.skos/dupgroup/ta1>: the target is not a concept",
            "collection <http://www.skosmos.skos/dupgroup/c2> holds no concept read; not kept",
            "dupgroup/lifesciences> holds only other collections (kept on their own); not kept",
            "dupgroup/species> holds only other collections (kept on their own); not kept",
        ],
    ),
    "mapping.ttl": (2, None, ["not read (kept only in the source file): 2 skos:exactMatch"]),
    "multiple-schemes.ttl": (
        3,
        "Concept Scheme 1",
        ["3 concept schemes (<http://www.skosmos.skos/multiple-schemes/cs1>, "],
    ),
    "nolang.ttl": (3, "No language codes conceptscheme", []),
    "subtag.ttl": (1, None, []),
    "test-hierarchy-without-top-concepts.ttl": (
        17,
        "Test conceptscheme",
        [
            "test-hierarchy/ta113> has no skos:prefLabel or rdfs:label; skipped",
            "test-hierarchy/ta120> has no skos:prefLabel or rdfs:label; skipped",
            "test-hierarchy/ta127> has 4 prefLabels without a language tag; kept 'A first'",
            "skos:narrower <http://www.skosmos.skos/test-hierarchy/ta113>: the target is not",
            "skos:narrower <http://www.skosmos.skos/test-hierarchy/ta120>: the target is not",
            "were not kept (5 in 'fi', 1 in 'sv')",
            "not read (kept only in the source file): 1 skos:exactMatch, 3 skos:notation",
            "other properties of concepts not read (kept only in the source file): 2 dct:modified",
        ],
    ),
    "test.ttl": (
        17,
        "Test conceptscheme",
        [
            "test/ta120> has no skos:prefLabel or rdfs:label; skipped",
            "test/ta127> has 4 prefLabels without a language tag",
            "skos:narrower <http://www.skosmos.skos/test/ta113>: the target is not",
            "skos:narrower <http://www.skosmos.skos/test/ta120>: the target is not",
            "were not kept (7 in 'fi', 1 in 'sv')",
            "not read (kept only in the source file): 1 skos:exactMatch, 3 skos:notation",
            "other properties of concepts not read (kept only in the source file): 2 dct:modified",
        ],
    ),
    "xl.ttl": (1, None, []),
}


def test_every_skosmos_test_file_has_an_expectation() -> None:
    assert sorted(p.name for p in SKOSMOS_TESTS.iterdir()) == sorted(SKOSMOS_EXPECTED)


@pytest.mark.parametrize("name", sorted(SKOSMOS_EXPECTED))
def test_skosmos_test_file_imports_with_what_it_tests_reported(name: str) -> None:
    count, title, warnings = SKOSMOS_EXPECTED[name]
    result = read_file(SKOSMOS_TESTS / name)
    assert len(result.entries) == count
    assert result.title == title
    assert len(result.warnings) == len(warnings)
    for warning, fragment in zip(result.warnings, warnings, strict=True):
        assert fragment in warning.message
    assert all(e.has(Flag.STRUCTURED) and e.lines is None for e in result.entries)


def test_skosmos_cycles_are_kept_as_read() -> None:
    entries = by_term(read_file(SKOSMOS_TESTS / "cycle.ttl"))
    assert Relation(RelationKind.BROADER, "Concept 4", "http://www.skosmos.skos/cycle/ta4") in (
        entries["Concept 3"].relations
    )
    assert Relation(RelationKind.NARROWER, "Concept 2", "http://www.skosmos.skos/cycle/ta2") in (
        entries["Concept 2"].relations
    )


def test_a_cycle_or_a_link_to_itself_is_said_not_to_be_made() -> None:
    """The warning said "kept as read", though the graph (rightly) drops a loop's link."""
    result = read_turtle(
        'ex:a a skos:Concept ; skos:prefLabel "A"@en ; skos:broader ex:b .\n'
        'ex:b a skos:Concept ; skos:prefLabel "B"@en ; skos:broader ex:a .\n'
        'ex:c a skos:Concept ; skos:prefLabel "C"@en ; skos:broader ex:c ; skos:related ex:c .\n'
    )
    said = messages(result)
    assert "kept as read" not in said
    assert "a hierarchy cannot loop, so one of its links is not made" in said
    assert "is its own broader concept; that link is not made" in said
    assert "is skos:related to itself; that link is not made" in said


def test_what_is_not_kept_of_concepts_and_collections_is_said() -> None:
    """A catalogue's own properties, a collection's order, nesting and stray members were
    dropped without a word; a concept named only as a scheme's top concept was dropped."""
    result = read_turtle(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "ex:s a skos:ConceptScheme ; skos:hasTopConcept ex:t .\n"
        'ex:t skos:prefLabel "Top"@en ; skos:definition "Named as a top concept only."@en .\n'
        'ex:a a skos:Concept ; skos:prefLabel "A"@en ; owl:deprecated true ;'
        ' dct:created "2020-01-01" .\n'
        'ex:b a skos:Concept ; skos:prefLabel "B"@en .\n'
        'ex:ladder a skos:OrderedCollection ; skos:prefLabel "Ladder"@en ;'
        " skos:memberList ( ex:b ex:a ) .\n"
        'ex:all a skos:Collection ; skos:prefLabel "All"@en ; skos:member ex:ladder, ex:a,'
        " ex:ghost .\n"
        'ex:none a skos:Collection ; skos:prefLabel "None"@en .\n'
    )
    said = messages(result)
    assert "Top" in by_term(result)
    assert "other properties of concepts not read (kept only in the source file): " in said
    assert "1 dct:created, 1 owl:deprecated" in said  # as the file prefixes them
    assert "ladder> is ordered; its members are kept, their order is not" in said
    assert "all> holds another collection: each keeps its own members" in said
    assert "all>: 1 member not a concept read from this file (<http://example.org/ghost>)" in said
    assert "none> holds no concept read; not kept" in said
    assert by_term(result)["A"].collections == ("All", "Ladder")


def test_skosmos_english_labels_first_other_languages_left_out() -> None:
    entries = by_term(read_file(SKOSMOS_TESTS / "test.ttl"))
    carp = entries["Carp"]
    assert carp.aliases == ("Golden crucian",)
    assert carp.hidden == ()  # "Karpit"@fi is not an English hidden label
    assert carp.relations == (
        Relation(RelationKind.BROADER, "Fish", "http://www.skosmos.skos/test/ta1"),
        Relation(RelationKind.NARROWER, "Crucian carp", "http://www.skosmos.skos/test/ta121"),
    )
    assert entries["Eel"].definition == "any fish belonging to the order Anguilliformes"
    assert entries["Hauki"].uri == "http://www.skosmos.skos/test/ta119"  # only a Finnish label
    assert entries["Tuna"].has(Flag.UNDEFINED)


def test_skosmos_definition_given_as_a_resource_with_rdf_value() -> None:
    entries = by_term(read_file(SKOSMOS_TESTS / "test.ttl"))
    assert entries["Black sea bass"].definition == (
        "The black sea bass (Centropristis striata) is an exclusively marine fish."
    )


def test_skosmos_several_untagged_preflabels_keep_the_first_and_alias_the_rest() -> None:
    entry = by_term(read_file(SKOSMOS_TESTS / "test.ttl"))["A first"]
    assert entry.aliases[:2] == ("Test sorting labels 1", "Test sorting labels 2")
    assert "No language tag becomes very first in result language array" in entry.aliases
    assert "A sort first" not in entry.aliases  # Finnish altLabel


def test_skosmos_collections_and_dangling_broader() -> None:
    result = read_file(SKOSMOS_TESTS / "dupgroup.ttl")
    (tuna,) = result.entries
    assert tuna.collections == ("Animalia", "Biology")
    assert tuna.relations == ()  # its broader concept is not in the file


def test_skosmos_skos_xl_labels_and_regional_english() -> None:
    (concept,) = read_file(SKOSMOS_TESTS / "xl.ttl").entries
    assert (concept.term, concept.aliases) == ("Concept", ("Conceptual entity",))
    assert concept.definition == "Unit of thought"
    (neighbour,) = read_file(SKOSMOS_TESTS / "subtag.ttl").entries
    assert neighbour.term == "Neighbour"


def test_ill_typed_literals_print_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    read_file(SKOSMOS_TESTS / "test.ttl")  # has dct:modified "1986-21-00"^^xsd:date
    assert capsys.readouterr().err == ""


# --- Skosify's examples -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["milk.in.ttl", "milk.out.ttl", "dctype.out.ttl"])
def test_skosify_example_imports(name: str) -> None:
    result = read_file(SKOSIFY_EXAMPLES / name)
    unread = [w.message for w in result.warnings]
    if name == "dctype.out.ttl":  # DCMI's versions and dates have no place in an entry: said
        assert unread == [
            "other properties of concepts not read (kept only in the source file): "
            "12 dcam:memberOf, 12 dcterms:hasVersion, 12 dcterms:issued, 12 dcterms:modified, "
            "12 rdfs:isDefinedBy"
        ]
    else:
        assert unread == []
    assert result.entries


def test_skosify_milk_hierarchy() -> None:
    entries = by_term(read_file(SKOSIFY_EXAMPLES / "milk.out.ttl"))
    assert set(entries) == {"animal", "mammal", "milk"}
    assert entries["mammal"].relations == (
        Relation(RelationKind.BROADER, "animal", "http://example.org/animal"),
        Relation(RelationKind.RELATED, "milk", "http://example.org/milk"),
    )


def test_skosify_dctype_output_has_definitions_and_title() -> None:
    result = read_file(SKOSIFY_EXAMPLES / "dctype.out.ttl")
    assert result.title == "DCMI Type Vocabulary"
    assert len(result.entries) == 12
    assert by_term(result)["Dataset"].definition == "Data encoded in a defined structure."


def test_skosify_dctype_input_is_converted_as_skosify_converts_it() -> None:
    # Skosify's *input* declares rdfs:Class resources only; its *output* is the SKOS it makes.
    converted = read_file(SKOSIFY_EXAMPLES / "dctype.in.rdf", "xml")
    expected = read_file(SKOSIFY_EXAMPLES / "dctype.out.ttl")
    assert sorted((e.term, e.definition) for e in converted.entries) == sorted(
        (e.term, e.definition) for e in expected.entries
    )
    assert len(converted.entries) == 12
    assert any("read 12 RDFS/OWL classes as concepts" in w.message for w in converted.warnings)


def test_rdf_with_nothing_to_read_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "empty.ttl"
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n")
    with pytest.raises(SourceError, match=r"no SKOS concepts found in 1 triple"):
        read_file(path)


# --- a real thesaurus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def stw() -> tuple[ReadResult, float]:
    started = time.perf_counter()
    result = read_file(STW)
    return result, time.perf_counter() - started


def test_stw_thesaurus_reads_fast_with_its_hierarchy(stw: tuple[ReadResult, float]) -> None:
    """Reads a 3 MB Turtle file (6,000+ concepts, German and English labels): ~4 s here."""
    result, seconds = stw
    assert seconds < 30
    assert result.title == "STW Thesaurus for Economics"
    assert len(result.entries) > 6000
    assert [w.message for w in result.warnings] == [
        "labels and definitions in other languages than each concept's were not kept "
        "(20743 in 'de'); the vocabulary is read in English first",
        "notes and mappings not read (kept only in the source file): 9 skos:editorialNote, "
        "2330 skos:historyNote, 498 skos:notation",
        # deprecated descriptors and their replacements, and the thesaurus's own codes
        "other properties of concepts not read (kept only in the source file): "
        "1020 dcterms:isReplacedBy, 5746 gbv:gvkppn, 1151 owl:deprecated, "
        "264 zbwext:useInsteadNote",
    ]
    with_broader = [
        e for e in result.entries if any(r.kind is RelationKind.BROADER for r in e.relations)
    ]
    assert len(with_broader) > 6000
    supply = next(e for e in result.entries if e.uri == "http://zbw.eu/stw/descriptor/10000-1")
    assert supply.term == "Supply"  # English over "Angebot"@de
    assert Relation(RelationKind.BROADER, "V.00 Economics", "http://zbw.eu/stw/thsys/70175") in (
        supply.relations
    )
    assert (
        Relation(RelationKind.NARROWER, "Labour supply", "http://zbw.eu/stw/descriptor/10169-3")
        in supply.relations
    )


# --- broken files -------------------------------------------------------------------------


def test_truncated_turtle_is_an_error_with_the_line() -> None:
    data = (SKOSMOS_TESTS / "test.ttl").read_bytes()
    half = data[: len(data) // 2]
    with pytest.raises(SourceError, match=r"cut\.ttl:\d+: not valid Turtle: ") as caught:
        read_rdf(Document(Path("cut.ttl"), half), "cut", "turtle")
    assert caught.value.line == half.count(b"\n") + 1
    assert "\n" not in str(caught.value)


def test_invalid_rdf_xml_is_an_error_with_the_line() -> None:
    data = (
        b'<?xml version="1.0"?>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        b'<rdf:Description rdf:about="http://example.org/a">\n'
        b"</rdf:RDF>\n"
    )
    with pytest.raises(SourceError, match=r"bad\.rdf:4: not valid RDF/XML: mismatched tag"):
        read_rdf(Document(Path("bad.rdf"), data), "bad", "xml")


def test_invalid_n_triples_is_an_error_with_the_line() -> None:
    data = (
        b'<http://e/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "A" .\n'
        b"# a comment\n\n"
        b'<http://e/b> <http://www.w3.org/2004/02/skos/core#prefLabel> "B .\n'
        b"<http://e/c> <http://e/p> <http://e/d> .\n"
    )
    with pytest.raises(SourceError, match=r"bad\.nt:4: not valid N-Triples: ") as caught:
        read_rdf(Document(Path("bad.nt"), data), "bad", "nt")
    assert caught.value.line == 4


@pytest.mark.parametrize(
    ("fmt", "data", "problem"),
    [
        ("json-ld", b'{"@id": "http://example.org/a",\n "x": [1, }', r":2: not valid JSON-LD"),
        ("nt", b'<http://a> <http://b> "unterminated .\n', r"not valid N-Triples: "),
        ("turtle", b'@prefix : <http://e/> .\n:a :b "caf\xe9" .\n', r":2: not valid UTF-8"),
    ],
)
def test_other_syntax_errors_are_one_line_source_errors(
    fmt: str, data: bytes, problem: str
) -> None:
    with pytest.raises(SourceError, match=problem) as caught:
        read_rdf(Document(Path("bad.x"), data), "bad", fmt)
    assert "\n" not in str(caught.value)


def test_xml_entities_using_entities_are_refused_not_expanded() -> None:
    """A kilobyte of nested entities ("billion laughs") hung ingest; an external one would
    read another file or address. Plain text ones are read (see the Skosify test above)."""
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY a "aaaaaaaaaa">\n'
        b' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        b' xmlns:skos="http://www.w3.org/2004/02/skos/core#">\n'
        b' <skos:Concept rdf:about="http://e/a"><skos:prefLabel>&b;</skos:prefLabel>'
        b"</skos:Concept>\n</rdf:RDF>\n"
    )
    with pytest.raises(
        SourceError, match=r"laughs\.rdf:4: declares an XML entity that refers"
    ) as caught:
        read_rdf(Document(Path("laughs.rdf"), laughs), "laughs", "xml")
    assert "\n" not in str(caught.value)
    external = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY x SYSTEM "file:///etc/hostname">]>\n'
    )
    with pytest.raises(SourceError, match=r"xxe\.rdf:3: declares an XML entity"):
        read_rdf(
            Document(Path("xxe.rdf"), external + laughs[laughs.index(b"<rdf:RDF") :]), "x", "xml"
        )


@pytest.mark.parametrize(
    "context",
    ['"http://10.255.255.1/context.jsonld"', '["http://e/ctx.jsonld", {"ex": "http://e/"}]'],
)
def test_a_json_ld_context_elsewhere_is_refused_not_fetched(context: str) -> None:
    """rdflib fetched it, with no time limit: an address that never answered hung ingest."""
    data = (
        '{\n "@context": ' + context + ',\n "@id": "http://e/a",\n "@type": '
        '"http://www.w3.org/2004/02/skos/core#Concept"\n}\n'
    ).encode()
    started = time.perf_counter()
    with pytest.raises(SourceError, match=r"ctx\.jsonld:2: refers to a JSON-LD context elsewhere"):
        read_rdf(Document(Path("ctx.jsonld"), data), "ctx", "json-ld")
    assert time.perf_counter() - started < 2


def test_rdf_without_concepts_is_an_error() -> None:
    with pytest.raises(SourceError, match="no SKOS concepts found in 1 triple;"):
        read_turtle('ex:a rdfs:label "not a concept" .')


# --- SKOS details -------------------------------------------------------------------------


def test_two_english_preflabels_keep_the_first_and_warn() -> None:
    result = read_turtle('ex:r a skos:Concept ; skos:prefLabel "Sales"@en, "Revenue"@en .')
    (entry,) = result.entries
    assert (entry.term, entry.aliases) == ("Revenue", ("Sales",))
    assert "2 prefLabels in 'en'" in messages(result)


def test_language_preference_english_then_untagged_then_any() -> None:
    result = read_turtle(
        'ex:a a skos:Concept ; skos:prefLabel "Umsatz"@de, "Revenue"@en, "revenue-x" .\n'
        'ex:b a skos:Concept ; skos:prefLabel "Kosten"@de, "Costs" .\n'
        'ex:c a skos:Concept ; skos:prefLabel "Preis"@de, "Prix"@fr ;\n'
        '     skos:altLabel "Kaufpreis"@de, "Price"@en .\n'
    )
    terms = {e.uri: e for e in result.entries}
    assert terms["http://example.org/a"].term == "Revenue"
    assert terms["http://example.org/a"].aliases == ("revenue-x",)
    assert terms["http://example.org/b"].term == "Costs"
    assert terms["http://example.org/c"].term == "Preis"
    assert terms["http://example.org/c"].aliases == ("Kaufpreis",)  # the term's language
    assert [w.message for w in result.warnings] == [
        "labels and definitions in other languages than each concept's were not kept "
        "(2 in 'de', 1 in 'en', 1 in 'fr'); the vocabulary is read in English first"
    ]  # said, not silent


def test_label_fallbacks_and_untyped_concepts_in_a_scheme() -> None:
    result = read_turtle(
        'ex:s a skos:ConceptScheme ; skos:prefLabel "Metrics"@en .\n'
        'ex:a a skos:Concept ; rdfs:label "Bookings" .\n'
        'ex:b skos:inScheme ex:s ; skos:prefLabel "Billings"@en .\n'
        'ex:c a skos:Concept ; skos:definition "Nameless." .\n'
    )
    assert result.title == "Metrics"
    assert sorted(by_term(result)) == ["Billings", "Bookings"]
    assert "<http://example.org/c> has no skos:prefLabel or rdfs:label; skipped" in (
        messages(result)
    )


def test_skos_xl_labels() -> None:
    result = read_turtle(
        "ex:c a skos:Concept ; skosxl:prefLabel ex:l1 ; skosxl:altLabel ex:l2 ;\n"
        "     skosxl:hiddenLabel ex:l3 .\n"
        'ex:l1 skosxl:literalForm "Monthly Recurring Revenue"@en .\n'
        'ex:l2 skosxl:literalForm "MRR"@en .\n'
        'ex:l3 skosxl:literalForm "monthly rev"@en .\n'
    )
    (entry,) = result.entries
    assert entry.term == "Monthly Recurring Revenue"
    assert entry.acronyms == ("MRR",)
    assert entry.aliases == ()
    assert entry.hidden == ("monthly rev",)


def test_ordered_collections_by_member_list() -> None:
    result = read_turtle(
        'ex:a a skos:Concept ; skos:prefLabel "ARR"@en .\n'
        'ex:b a skos:Concept ; skos:prefLabel "MRR"@en .\n'
        'ex:kpis a skos:OrderedCollection ; skos:prefLabel "KPIs"@en ;\n'
        "     skos:memberList ( ex:a ex:b ) .\n"
    )
    assert [(e.term, e.collections) for e in result.entries] == [
        ("ARR", ("KPIs",)),
        ("MRR", ("KPIs",)),
    ]


# --- the same vocabulary in every RDF syntax ----------------------------------------------


def sample_graph() -> Graph:
    g = Graph()
    g.add((EX.scheme, RDF.type, SKOS.ConceptScheme))
    g.add((EX.scheme, DCTERMS.title, Literal("Revenue glossary", lang="en")))
    g.add((EX.revenue, RDF.type, SKOS.Concept))
    g.add((EX.revenue, SKOS.prefLabel, Literal("Revenue", lang="en")))
    g.add((EX.revenue, SKOS.prefLabel, Literal("Umsatz", lang="de")))
    g.add((EX.revenue, SKOS.altLabel, Literal("Sales", lang="en")))
    g.add((EX.revenue, SKOS.altLabel, Literal("Erlös", lang="de")))
    g.add((EX.revenue, SKOS.hiddenLabel, Literal("revenu", lang="en")))
    g.add((EX.revenue, SKOS.definition, Literal("Income from\n\n\nnormal business.", lang="en")))
    g.add((EX.arr, RDF.type, SKOS.Concept))
    g.add((EX.arr, SKOS.prefLabel, Literal("Annual Recurring Revenue", lang="en")))
    g.add((EX.arr, SKOS.altLabel, Literal("ARR")))
    g.add((EX.arr, SKOS.broader, EX.revenue))
    g.add((EX.arr, SKOS.related, EX.churn))
    g.add((EX.churn, RDF.type, SKOS.Concept))
    g.add((EX.churn, SKOS.prefLabel, Literal("Churn")))
    g.add((EX.churn, SKOS.definition, Literal("Customers lost.")))
    g.add((EX.churn, SKOS.definition, Literal("Also revenue lost.")))
    g.add((EX.metrics, RDF.type, SKOS.Collection))
    g.add((EX.metrics, SKOS.prefLabel, Literal("Metrics", lang="en")))
    g.add((EX.metrics, SKOS.member, EX.arr))
    return g


@pytest.mark.parametrize("fmt", ["turtle", "xml", "json-ld", "nt"])
def test_round_trip_through_each_rdf_syntax_gives_the_same_entries(fmt: str) -> None:
    data = sample_graph().serialize(format=fmt).encode("utf-8")
    result = read_rdf(Document(Path(f"sample.{fmt}"), data), "sample", fmt)
    assert result.title == "Revenue glossary"
    assert [w.message for w in result.warnings] == [
        "labels and definitions in other languages than each concept's were not kept "
        "(2 in 'de'); the vocabulary is read in English first"
    ]
    assert result.entries == [
        Entry(
            term="Annual Recurring Revenue",
            definition=None,
            source="sample",
            lines=None,
            raw_term="Annual Recurring Revenue",
            acronyms=("ARR",),
            relations=(
                Relation(RelationKind.BROADER, "Revenue", str(EX.revenue)),
                Relation(RelationKind.RELATED, "Churn", str(EX.churn)),
            ),
            collections=("Metrics",),
            uri=str(EX.arr),
            flags=frozenset({Flag.STRUCTURED, Flag.UNDEFINED}),
        ),
        Entry(
            term="Churn",
            definition="Also revenue lost.\n\nCustomers lost.",
            source="sample",
            lines=None,
            raw_term="Churn",
            uri=str(EX.churn),
            flags=frozenset({Flag.STRUCTURED}),
        ),
        Entry(
            term="Revenue",
            definition="Income from\n\nnormal business.",
            source="sample",
            lines=None,
            raw_term="Revenue",
            aliases=("Sales",),
            hidden=("revenu",),
            uri=str(EX.revenue),
            flags=frozenset({Flag.STRUCTURED}),
        ),
    ]


# --- a vocabulary this project exported: definitions credited to their sources ----------


def test_definitions_citing_described_sources_become_entries_of_those_sources() -> None:
    result, described = read_rdf_sources(
        Document(
            Path("export.ttl"),
            (
                PREFIXES
                + """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix kgv: <https://example.org/kg-glossary/vocab#> .
ex:churn a skos:Concept ; skos:prefLabel "Churn"@en ; skos:altLabel "Churn Rate"@en ;
    skos:definition ex:d1, ex:d2, ex:d3 ; dct:source ex:alpha, ex:beta, ex:gamma ;
    skos:related ex:renewal .
ex:d1 rdf:value "Customers lost."@en ; dct:source ex:alpha ;
    kgv:startLine 3 ; kgv:endLine 4 ; kgv:term "Churn rate" .
ex:d2 rdf:value "Revenue lost."@en ; dct:source ex:beta ; kgv:startLine 10 ; kgv:endLine 10 .
ex:d3 rdf:value "Lost, as a book says."@en ; dct:source ex:book .
ex:renewal a skos:Concept ; skos:prefLabel "Renewal"@en ; skos:definition "Extending."@en .
ex:alpha dct:identifier "alpha" ; dct:title "Alpha Glossary" ; dct:description "web page" .
ex:beta dct:identifier "beta" ; dct:title "Beta Terms" .
ex:gamma dct:identifier "gamma" ; dct:title "Gamma" .
ex:book dct:title "A book that gives no identifier" .
"""
            ).encode(),
        ),
        "export",
        "turtle",
    )
    assert [w.message for w in result.warnings] == [  # the book's definition: said, not hidden
        "definitions cite <http://example.org/book> with dct:source, which the file does not "
        "describe (a dct:identifier and dct:title); they are credited to this file"
    ]
    assert described == {
        "alpha": SourceInfo("alpha", "Alpha Glossary", "web page"),
        "beta": SourceInfo("beta", "Beta Terms"),
        "gamma": SourceInfo("gamma", "Gamma"),
    }
    churn = [e for e in result.entries if e.term == "Churn"]
    assert [(e.source, e.definition, e.lines, e.raw_term) for e in churn] == [
        ("alpha", "Customers lost.", (3, 4), "Churn rate"),
        ("beta", "Revenue lost.", (10, 10), "Churn"),
        ("gamma", None, None, "Churn"),  # cited by the concept, no definition from it
        ("export", "Lost, as a book says.", None, "Churn"),  # its source is not described
    ]
    assert churn[2].has(Flag.UNDEFINED) and not churn[0].has(Flag.UNDEFINED)
    assert all(e.aliases == ("Churn Rate",) and e.uri == str(EX.churn) for e in churn)
    # stated by the file, not by the glossary (alpha) its first entry is credited to
    assert churn[0].relations == (
        Relation(RelationKind.RELATED, "Renewal", str(EX.renewal), stated_in="export"),
    )
    assert all(e.relations == () for e in churn[1:])  # stated once, not once per source
    (renewal,) = [e for e in result.entries if e.term == "Renewal"]
    assert (renewal.source, renewal.definition) == ("export", "Extending.")


def test_plain_skos_files_describe_no_sources() -> None:
    _, described = read_rdf_sources(
        Document(SKOSMOS_TESTS / "test.ttl", (SKOSMOS_TESTS / "test.ttl").read_bytes()),
        "test",
        "turtle",
    )
    assert described == {}


def test_a_description_or_scope_note_stands_in_for_a_missing_definition(tmp_path: Path) -> None:
    path = tmp_path / "v.ttl"
    path.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "@prefix ex: <http://example.org/v/> .\n"
        'ex:dlp a skos:Concept ; skos:prefLabel "Data Loss Prevention"@en ;\n'
        '  dct:description "Tools that stop sensitive data leaving."@en .\n'
        'ex:mfa a skos:Concept ; skos:prefLabel "MFA"@en ;\n'
        '  skos:definition "Sign-in with two factors."@en ; skos:example "A hardware key."@en .\n',
        encoding="utf-8",
    )
    result = read_file(path)
    definitions = {e.term: e.definition for e in result.entries}
    assert definitions == {
        "Data Loss Prevention": "Tools that stop sensitive data leaving.",
        "MFA": "Sign-in with two factors.",
    }
    assert [w.message for w in result.warnings] == [
        "notes and mappings not read (kept only in the source file): 1 skos:example"
    ]


def test_a_notation_abbreviating_the_label_is_an_acronym_and_a_code_is_counted_unread() -> None:
    result = read_turtle(
        """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/cs/> .
ex:qbr a skos:Concept ; skos:prefLabel "Quarterly Business Review"@en ; skos:notation "QBR" ;
  skos:definition "A quarterly meeting with a customer's leadership."@en .
ex:nps a skos:Concept ; skos:prefLabel "Net Promoter Score"@en ; skos:notation "1.2.3" ;
  skos:definition "A loyalty survey score."@en .
"""
    )
    by_term = {e.term: e for e in result.entries}
    assert by_term["Quarterly Business Review"].acronyms == ("QBR",)
    assert by_term["Net Promoter Score"].acronyms == ()
    assert [w.message for w in result.warnings] == [
        "notes and mappings not read (kept only in the source file): 1 skos:notation"
    ]
