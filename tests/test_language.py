"""The language a glossary is written in, and labels kept in theirs through merge and SKOS."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ingest.errors import ManifestError
from ingest.language import language_tag, text_language
from ingest.pipeline import read_paths
from kg.glossary import Glossary
from kg.skos import validate

GERMAN = [
    "Abwanderung: Kunden, die in einem Zeitraum nicht mehr zahlen.",
    "Weiterempfehlungsrate: Wie wahrscheinlich Kunden uns auf einer Skala weiterempfehlen.",
]
ENGLISH = [
    "Churn: Customers who stop paying in a period.",
    "Renewal: A customer signing again when the contract ends, for another term.",
]


def test_a_glossary_clearly_in_another_language_is_said_to_be() -> None:
    assert text_language(GERMAN) == "de"
    assert text_language(ENGLISH) is None  # English: no tag to add
    assert text_language(["Kunden zahlen."]) is None  # too little to tell


@pytest.mark.parametrize(
    ("given", "tag"),
    [("de", "de"), ("PT-BR", "pt-br"), ("en-GB", None), ("German", "de"), ("de_DE", "de-de")],
)
def test_a_language_given_is_a_tag(given: str, tag: str | None) -> None:
    assert language_tag(given, "x") == tag


@pytest.mark.parametrize("given", ["Klingon", "", 7, "d"])
def test_a_language_that_is_no_tag_is_refused(given: object) -> None:
    with pytest.raises(ValueError, match='language must be a tag such as "de"'):
        language_tag(given, "x")


def write_pair(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "en.csv").write_text(
        "term,definition\n"
        "Net Promoter Score (NPS),How likely customers are to recommend us on a scale of zero "
        "to ten.\nChurn,Customers who stop paying in a period.\n",
        encoding="utf-8",
    )
    (folder / "de.csv").write_text(
        "Begriff;Beschreibung\n"
        "NPS (Weiterempfehlungsrate);Wie wahrscheinlich Kunden uns auf einer Skala von null "
        "bis zehn weiterempfehlen.\nAbwanderung;Kunden, die in einem Zeitraum nicht mehr zahlen.\n",
        encoding="utf-8",
    )


def test_a_csv_glossary_in_german_is_read_as_german(tmp_path: Path) -> None:
    write_pair(tmp_path)
    sources = {s.id: s for s in read_paths([tmp_path])[0]}
    assert sources["de"].language == "de" and sources["en"].language is None
    assert {e.language for e in sources["de"].entries} == {"de"}
    assert {e.language for e in sources["en"].entries} == {None}


def test_the_manifest_says_a_sources_language_over_detection(tmp_path: Path) -> None:
    write_pair(tmp_path)
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nfile = "de.csv"\nid = "de"\nlanguage = "en"\n', encoding="utf-8"
    )
    sources = {s.id: s for s in read_paths([tmp_path])[0]}
    assert sources["de"].language is None  # told English, kept English


def test_a_manifest_language_that_is_no_tag_names_the_source(tmp_path: Path) -> None:
    write_pair(tmp_path)
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nfile = "de.csv"\nid = "de"\nlanguage = "Klingonisch"\n', encoding="utf-8"
    )
    with pytest.raises(ManifestError, match=r"\[\[source\]\] de: language must be a tag"):
        read_paths([tmp_path])


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Glossary:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("mixed")
    write_pair(folder)
    return Glossary.build(read_paths([folder])[0])


def test_a_concept_from_two_languages_keeps_each_labels_language(mixed: Glossary) -> None:
    nps = mixed.concept("NPS")
    assert nps.pref_label == "Net Promoter Score" and nps.language is None
    assert nps.label_languages == {"Weiterempfehlungsrate": "de"}
    assert nps.definition is not None and nps.definition.source == "en"  # in its label's language
    assert mixed.concept("Abwanderung").language == "de"


def test_the_export_gives_one_preferred_label_per_language(mixed: Glossary) -> None:
    graph = Graph().parse(data=mixed.export("turtle")[0].decode(), format="turtle")
    uri = URIRef(mixed.uri(mixed.concept("NPS")))
    assert set(graph.objects(uri, SKOS.prefLabel)) == {
        Literal("Net Promoter Score", lang="en"),
        Literal("Weiterempfehlungsrate", lang="de"),
    }
    assert set(graph.objects(uri, SKOS.altLabel)) == {Literal("NPS", lang="en")}
    values = {graph.value(d, RDF.value) for d in graph.objects(uri, SKOS.definition)}
    assert any(v is not None and v.language == "de" for v in values)
    assert validate(graph) == []  # the SHACL shapes: one prefLabel per language, and more


def test_a_mixed_export_reads_back_as_the_same_vocabulary(mixed: Glossary, tmp_path: Path) -> None:
    (tmp_path / "export.ttl").write_bytes(mixed.export("turtle")[0])
    sources, _ = read_paths([tmp_path])
    assert not [w for s in sources for w in s.warnings if "other languages" in w.message]
    again = Glossary.build(sources)
    assert again.concept("NPS").label_languages == {"Weiterempfehlungsrate": "de"}
    assert isomorphic(
        Graph().parse(data=mixed.export("turtle")[0].decode(), format="turtle"),
        Graph().parse(data=again.export("turtle")[0].decode(), format="turtle"),
    )


def german_first(folder: Path, curation: str = "") -> Glossary:
    from ingest.curation import load_curation

    folder.mkdir(exist_ok=True)
    (folder / "de.csv").write_text(
        "Begriff;Beschreibung\n"
        "Abwanderung;Kunden, die in einem Zeitraum nicht mehr zahlen und gehen.\n"
        "NPS (Weiterempfehlungsrate);Wie wahrscheinlich Kunden uns auf einer Skala von null "
        "bis zehn weiterempfehlen.\n",
        encoding="utf-8",
    )
    (folder / "en.csv").write_text(
        "term,definition\nCustomer Attrition,Customers who stop paying in a period.\n"
        "Net Promoter Score,How likely customers are to recommend us from zero to ten.\n",
        encoding="utf-8",
    )
    path = folder / "curation.toml"
    path.write_text(
        '[[merge]]\nlabels = ["Abwanderung", "Customer Attrition"]\n'
        '[[merge]]\nlabels = ["NPS", "Net Promoter Score"]\n' + curation,
        encoding="utf-8",
    )
    return Glossary.build(
        read_paths([folder / "de.csv", folder / "en.csv"])[0], load_curation(path)
    )


def test_an_english_name_is_preferred_when_a_source_gives_one(tmp_path: Path) -> None:
    attrition = german_first(tmp_path).concept("Abwanderung")
    assert attrition.pref_label == "Customer Attrition" and attrition.language is None
    assert attrition.label_languages == {"Abwanderung": "de"}


GERMAN_NAME = '[[label]]\nconcept = "Abwanderung"\npreferred = "Abwanderung"\n'


def test_a_curated_preferred_label_takes_its_own_language(tmp_path: Path) -> None:
    attrition = german_first(tmp_path, GERMAN_NAME).concept("Abwanderung")
    assert attrition.pref_label == "Abwanderung" and attrition.language == "de"
    assert attrition.label_languages == {"Customer Attrition": "en"}


def test_a_german_concept_stays_german_read_back_and_no_acronym_is_a_preferred_label(
    tmp_path: Path,
) -> None:
    glossary = german_first(tmp_path / "in", GERMAN_NAME)
    attrition = glossary.concept("Abwanderung")
    assert attrition.pref_label == "Abwanderung" and attrition.language == "de"
    graph = Graph().parse(data=glossary.export("turtle")[0].decode(), format="turtle")
    nps = URIRef(glossary.uri(glossary.concept("NPS")))
    assert Literal("NPS", lang="de") not in set(graph.objects(nps, SKOS.prefLabel))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "export.ttl").write_bytes(glossary.export("turtle")[0])
    again = Glossary.build(read_paths([tmp_path / "out"])[0])
    assert again.concept("Abwanderung").pref_label == "Abwanderung"  # not the English name
    assert "NPS" in again.concept("NPS").acronyms


def test_plainly_english_text_is_told_without_the_model(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import ingest.language as language

    def no_model() -> None:
        raise AssertionError("the model was loaded for plain English")

    monkeypatch.setattr(language, "_identifier", no_model)
    assert (
        text_language(["The share of customers who leave in a period, and the revenue lost."] * 3)
        is None
    )


def test_a_concepts_detail_says_the_language_of_each_label_and_definition(mixed: Glossary) -> None:
    from api.schemas import ConceptDetail
    from kg.views import detail

    shown = ConceptDetail.model_validate(detail(mixed, mixed.concept("NPS")))
    assert shown.language == "en"
    assert shown.label_languages == {"Weiterempfehlungsrate": "de"}
    assert sorted(d.language for d in shown.definitions) == ["de", "en"]


def test_kg_ingest_and_show_say_the_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import main

    monkeypatch.setenv("KG_CURATION", str(tmp_path / "none.toml"))
    write_pair(tmp_path / "in")
    build = str(tmp_path / "build")
    assert main(["ingest", str(tmp_path / "in"), "--build-dir", build]) == 0
    assert "csv (de)" in capsys.readouterr().out
    assert main(["show", "NPS", "--build-dir", build]) == 0
    shown = capsys.readouterr().out
    assert "Net Promoter Score [en]" in shown and "Weiterempfehlungsrate [de]" in shown


def test_the_concept_page_marks_each_labels_language(mixed: Glossary) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    nps = mixed.concept("NPS")
    page = TestClient(create_app(mixed)).get(f"/c/{nps.id}").text
    assert '<span class="chip" lang="de">Weiterempfehlungsrate' in page
    german = TestClient(create_app(mixed)).get(f"/c/{mixed.concept('Abwanderung').id}").text
    assert '<h1 id="concept-title" lang="de">Abwanderung</h1>' in german
    assert '<blockquote lang="de">' in german


def test_a_file_with_english_and_german_rows_tags_each_row(tmp_path: Path) -> None:
    (tmp_path / "mixed.csv").write_text(
        "Term,Definition\n"
        "Churn,The share of customers who cancel their subscription in a given period.\n"
        "Upsell,Selling a higher tier or additional licences to an existing customer.\n"
        "Renewal,The extension of a customer's contract at the end of its term.\n"
        'Kundenabwanderung,"Der Anteil der Kunden, die ihre Verträge in einem Zeitraum kündigen."\n'
        "Zusatzverkauf,Der Verkauf höherwertiger Versionen an bestehende Kunden.\n"
        "Vertragsverlängerung,Die Verlängerung eines Kundenvertrags am Ende der Laufzeit.\n",
        encoding="utf-8",
    )
    [source] = read_paths([tmp_path])[0]
    assert [e.language for e in source.entries] == [None, None, None, "de", "de", "de"]


def test_a_short_glossary_clearly_in_spanish_is_spanish(tmp_path: Path) -> None:
    (tmp_path / "es.txt").write_text(
        "Facturación: Importe total facturado a los clientes en un periodo.\n"
        "Abandono: Porcentaje de clientes que cancelan su suscripción en un periodo.\n"
        "Renovación: Extensión del contrato de un cliente al final de su plazo.\n",
        encoding="utf-8",
    )
    [source] = read_paths([tmp_path])[0]
    assert source.language == "es" and {e.language for e in source.entries} == {"es"}


def test_the_skosmos_api_finds_a_preferred_label_in_another_language(mixed: Glossary) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    client = TestClient(create_app(mixed))
    [hit] = client.get("/rest/v1/glossary/search", params={"query": "weiterempf*"}).json()[
        "results"
    ]
    assert (hit["prefLabel"], hit["lang"], hit["matchedPrefLabel"]) == (
        "Net Promoter Score",
        "en",
        "Weiterempfehlungsrate",
    )
    [german] = client.get("/rest/v1/glossary/search", params={"query": "Abwanderung"}).json()[
        "results"
    ]
    assert german["lang"] == "de"
    found = client.get("/rest/v1/glossary/lookup", params={"label": "weiterempfehlungsrate"})
    assert found.json()["result"][0]["matchedPrefLabel"] == "Weiterempfehlungsrate"


def test_a_language_column_with_blanks_tags_the_blanks_by_the_file(tmp_path: Path) -> None:
    (tmp_path / "de.csv").write_text(
        "Begriff;Beschreibung;Sprache\n"
        "Abwanderung;Der Anteil der Kunden, die in einem Zeitraum kündigen.;de\n"
        "Zusatzverkauf;Der Verkauf höherwertiger Versionen an die bestehenden Kunden.;\n"
        "Churn;The share of customers who leave in a period.;en\n",
        encoding="utf-8",
    )
    [source] = read_paths([tmp_path])[0]
    assert [e.language for e in source.entries] == ["de", "de", None]
