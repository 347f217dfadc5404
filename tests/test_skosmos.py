"""The Skosmos REST API v1 subset: through NatLibFi's own Python client against a real
server, and its shapes and errors in-process."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import SKOS, Graph, Literal, URIRef
from skosmos_client import SkosmosClient

from api.app import create_app
from api.skosmos import VOCID
from kg.glossary import Glossary
from tests.servers import serve_in_thread

NRR = "net-revenue-retention"


@pytest.fixture(scope="module")
def client(glossary: Glossary) -> TestClient:
    return TestClient(create_app(glossary))


@pytest.fixture(scope="module")
def server(glossary: Glossary) -> Iterator[str]:
    """The app served by uvicorn on a free local port, in a background thread."""
    with serve_in_thread(create_app(glossary)) as url:
        yield url


@pytest.fixture(scope="module")
def skosmos(server: str) -> SkosmosClient:
    return SkosmosClient(api_base=f"{server}/rest/v1/")


def uri(glossary: Glossary, concept_id: str) -> str:
    concept = glossary.get(concept_id)
    assert concept is not None
    return glossary.uri(concept)


# --- the real client ----------------------------------------------------------------------


def test_client_lists_the_one_vocabulary(skosmos: SkosmosClient) -> None:
    assert skosmos.vocabularies("en") == [{"uri": VOCID, "id": VOCID, "title": "Business glossary"}]


def test_client_vocabulary_information(skosmos: SkosmosClient, glossary: Glossary) -> None:
    info = skosmos.get_vocabulary(VOCID, lang="en")
    assert info["id"] == VOCID
    assert info["defaultLanguage"] == "en" and info["languages"] == ["en"]
    assert [s["uri"] for s in info["conceptschemes"]] == [glossary.base_uri]
    assert info["@context"]["uri"] == "@id"
    with pytest.raises(ValueError):
        skosmos.get_vocabulary("no-such-vocabulary")


@pytest.mark.parametrize("query", ["NDR*", "net*", "*dollar retention", "Net Revenue Retention"])
def test_client_search_with_wildcards_finds_net_revenue_retention(
    skosmos: SkosmosClient, glossary: Glossary, query: str
) -> None:
    hits = skosmos.search(query, lang="en")
    mine = [h for h in hits if h["uri"] == uri(glossary, NRR)]
    assert mine, hits
    assert all(h["prefLabel"] == "Net Revenue Retention" for h in mine)
    assert all(h["vocab"] == VOCID and h["lang"] == "en" for h in mine)
    assert mine[0]["localname"] == NRR and mine[0]["type"] == ["skos:Concept"]


def test_client_search_reports_the_matched_label(skosmos: SkosmosClient) -> None:
    hits = skosmos.search("ndr*", vocabs=VOCID)
    assert [h.get("altLabel") for h in hits] == ["NDR"]


def test_client_search_unique_and_paging(skosmos: SkosmosClient, glossary: Glossary) -> None:
    every = skosmos.search("*", vocabs=[VOCID], maxhits=1000, unique=True)
    assert len(every) == len(glossary.concepts)
    assert len({h["uri"] for h in every}) == len(every)
    page = skosmos.search("*", vocabs=VOCID, maxhits=10, offset=10, unique=True)
    assert page == every[10:20]
    # without `unique`, a concept matched by several labels comes once per label
    assert len(skosmos.search("net*")) > len(skosmos.search("net*", unique=True))


def test_client_lookup(skosmos: SkosmosClient, glossary: Glossary) -> None:
    [hit] = skosmos.lookup(VOCID, "net revenue retention", lang="en")
    assert hit["uri"] == uri(glossary, NRR) and hit["prefLabel"] == "Net Revenue Retention"
    [alt] = skosmos.lookup(VOCID, "nrr")
    assert alt["uri"] == hit["uri"] and alt["altLabel"] == "NRR"
    with pytest.raises(ValueError):
        skosmos.lookup(VOCID, "zzzz no such label")


def test_client_top_concepts_have_no_broader(skosmos: SkosmosClient, glossary: Glossary) -> None:
    tops = skosmos.top_concepts(VOCID, lang="en")
    graph = glossary.rdf()
    expected = {str(c) for c in graph.subjects(SKOS.topConceptOf, URIRef(glossary.base_uri))}
    assert {t["uri"] for t in tops} == expected
    assert all(t["topConceptOf"] == glossary.base_uri for t in tops)
    assert all(not list(graph.objects(URIRef(t["uri"]), SKOS.broader)) for t in tops)
    churn = next(t for t in tops if t["uri"] == uri(glossary, "churn"))
    assert churn["hasChildren"] is True and churn["label"] == "Churn"


def test_client_groups_are_the_collections(skosmos: SkosmosClient, glossary: Glossary) -> None:
    groups = skosmos.groups(VOCID, lang="en")
    assert sorted(g["prefLabel"] for g in groups) == sorted(glossary.collections)
    assert all(g["hasMembers"] is True for g in groups)


def test_client_types(skosmos: SkosmosClient) -> None:
    for types in (skosmos.types("en"), skosmos.types("en", vocid=VOCID)):
        assert {t["uri"] for t in types} == {str(SKOS.Concept), str(SKOS.Collection)}


class RdfXmlByDefault(Graph):
    """rdflib < 6 parsed RDF/XML when given no format, and skosmos-client 0.3 (the latest)
    relies on that: it asks Skosmos for application/rdf+xml and parses it format-less."""

    def parse(self, *args, **kwargs):
        kwargs.setdefault("format", "xml")
        return super().parse(*args, **kwargs)


@pytest.mark.parametrize("vocid", [None, VOCID])
def test_client_data_is_the_concepts_rdf(
    skosmos: SkosmosClient, glossary: Glossary, vocid: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skosmos_client

    monkeypatch.setattr(skosmos_client, "rdflib", SimpleNamespace(Graph=RdfXmlByDefault))
    graph = skosmos.data(uri(glossary, NRR), vocid=vocid)
    node = URIRef(uri(glossary, NRR))
    assert (node, SKOS.prefLabel, Literal("Net Revenue Retention", lang="en")) in graph
    assert (node, SKOS.altLabel, Literal("NRR", lang="en")) in graph
    definitions = list(graph.objects(node, SKOS.definition))
    preferred = glossary.concept(NRR).definition.text
    assert Literal(preferred, lang="en") in definitions  # as text, for any SKOS reader
    for definition in definitions:  # and every sourced definition, with its source
        if not isinstance(definition, Literal):
            assert list(graph.predicate_objects(definition))


def test_client_concept_operations(skosmos: SkosmosClient, glossary: Glossary) -> None:
    churn = skosmos.get_concept(VOCID, uri(glossary, "churn"))
    assert churn.label() == "Churn" and churn.label("en") == "Churn"
    assert "Account Churn" in [n["prefLabel"] for n in churn.narrower("en")]
    assert churn.broader() == []
    below = churn.narrowerTransitive()
    assert uri(glossary, "account-churn") in below
    assert below[churn.uri]["narrower"] == [n["uri"] for n in churn.narrower()]

    account = skosmos.get_concept(VOCID, uri(glossary, "account-churn"))
    assert [b["uri"] for b in account.broader()] == [churn.uri]
    above = account.broaderTransitive("en", limit=10)
    assert set(above) == {account.uri, churn.uri}
    assert above[account.uri]["broader"] == [churn.uri]

    nrr = skosmos.get_concept(VOCID, uri(glossary, NRR))
    graph = glossary.rdf()
    expected = {str(o) for o in graph.objects(URIRef(nrr.uri), SKOS.related)}
    assert {r["uri"] for r in nrr.related()} == expected


def test_client_unknown_concept_is_an_http_404(skosmos: SkosmosClient, glossary: Glossary) -> None:
    import requests

    ghost = skosmos.get_concept(VOCID, glossary.base_uri + "no-such-concept")
    with pytest.raises(requests.HTTPError) as caught:
        ghost.broader()
    assert caught.value.response is not None
    assert caught.value.response.status_code == 404


# --- shapes and errors, in-process -----------------------------------------------------------


def rest(client: TestClient, path: str, **params: str) -> dict[str, Any]:
    response = client.get(f"/rest/v1/{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_search_shape_follows_skosmos(client: TestClient, glossary: Glossary) -> None:
    body = rest(client, f"{VOCID}/search", query="churn*", lang="en")
    assert body["uri"] == ""
    assert body["@context"]["results"] == {"@id": "onki:results", "@container": "@list"}
    assert body["@context"]["@language"] == "en"
    labels = [h.get("altLabel") or h.get("hiddenLabel") or h["prefLabel"] for h in body["results"]]
    assert labels == sorted(labels, key=str.casefold)
    assert all(label.casefold().startswith("churn") for label in labels)


def test_search_fields_parent_group_and_type(client: TestClient, glossary: Glossary) -> None:
    churn = uri(glossary, "churn")
    body = rest(client, "search", query="*", parent=churn, fields="broader definition")
    [hit] = [h for h in body["results"] if h["uri"] == uri(glossary, "account-churn")]
    assert hit["broader"] == [{"uri": churn, "prefLabel": "Churn"}]
    assert hit["definition"] and all(isinstance(d, str) for d in hit["definition"])
    texts = {d.text for d in glossary.concept("account-churn").definitions}
    assert sorted(hit["definition"]) == sorted(texts)  # each once, the preferred too
    assert body["@context"]["broader"] == "skos:broader"

    name, members = next(iter(sorted(glossary.collections.items())))
    group = next(g for g in rest(client, f"{VOCID}/groups")["groups"] if g["prefLabel"] == name)
    found = rest(client, "search", group=group["uri"], unique="true", maxhits="1000")
    assert {h["localname"] for h in found["results"]} == set(members)

    collections = rest(client, "search", query=f"{name[:3]}*", type="skos:Collection")
    assert [h["type"] for h in collections["results"]] == [["skos:Collection"]] * len(
        collections["results"]
    )
    assert group["uri"] in {h["uri"] for h in collections["results"]}


def test_group_members(client: TestClient, glossary: Glossary) -> None:
    name, members = next(iter(sorted(glossary.collections.items())))
    group = next(g for g in rest(client, f"{VOCID}/groups")["groups"] if g["prefLabel"] == name)
    body = rest(client, f"{VOCID}/groupMembers", uri=group["uri"])
    assert {m["uri"] for m in body["members"]} == {uri(glossary, m) for m in members}
    assert all(m["type"] == ["skos:Concept"] and "prefLabel" in m for m in body["members"])


def test_hierarchy_label_and_children(client: TestClient, glossary: Glossary) -> None:
    churn, account = uri(glossary, "churn"), uri(glossary, "account-churn")
    body = rest(client, f"{VOCID}/hierarchy", uri=account)
    steps = body["broaderTransitive"]
    assert set(steps) == {churn, account}
    assert steps[churn]["top"] == glossary.base_uri and steps[churn]["hasChildren"] is True
    assert {"uri": account, "label": "Account Churn", "hasChildren": False} in steps[churn][
        "narrower"
    ]
    labels = rest(client, f"{VOCID}/label", uri=uri(glossary, NRR))
    assert labels["prefLabel"] == "Net Revenue Retention" and "NRR" in labels["altLabel"]
    kids = rest(client, f"{VOCID}/children", uri=churn)["narrower"]
    assert {"uri": account, "prefLabel": "Account Churn", "hasChildren": False} in kids


def test_whole_vocabulary_data_and_json_ld(client: TestClient, glossary: Glossary) -> None:
    response = client.get(f"/rest/v1/{VOCID}/data", params={"format": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=response.content, format="turtle")) == len(glossary.rdf())
    body = rest(client, "data", uri=uri(glossary, NRR), format="application/ld+json")
    assert body["@context"]["prefLabel"] == "skos:prefLabel"
    [node] = [n for n in body["graph"] if n["uri"] == uri(glossary, NRR)]
    assert node["prefLabel"] == {"lang": "en", "value": "Net Revenue Retention"}


def test_jsonp_and_json_ld_media_types(client: TestClient) -> None:
    response = client.get("/rest/v1/vocabularies", params={"lang": "en", "callback": "show"})
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.text.startswith("show({") and response.text.endswith("});")
    ld = client.get(f"/rest/v1/{VOCID}/", headers={"accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")


def test_other_languages_match_nothing(client: TestClient) -> None:
    assert rest(client, "search", query="churn*", lang="fi")["results"] == []
    assert (
        client.get(f"/rest/v1/{VOCID}/lookup", params={"label": "churn", "lang": "fi"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("path", "params", "status", "detail"),
    [
        ("vocabularies", {}, 400, "lang parameter missing"),
        ("search", {}, 400, "query parameter missing"),
        ("search", {"query": "a*", "maxhits": "lots"}, 400, "maxhits parameter is invalid"),
        ("search", {"query": "a*", "offset": "-1"}, 400, "offset parameter is invalid"),
        ("search", {"query": "a*", "vocab": "yso"}, 404, "Vocabulary id 'yso' not found"),
        ("yso/search", {"query": "a*"}, 404, "Vocabulary id 'yso' not found"),
        (f"{VOCID}/lookup", {}, 400, "label parameter missing"),
        (f"{VOCID}/broader", {}, 400, "uri parameter missing"),
        (f"{VOCID}/narrower", {"uri": "https://nowhere/x"}, 404, "Could not find concept"),
        (f"{VOCID}/broaderTransitive", {"uri": "x", "limit": "0"}, 400, "Invalid limit"),
        (f"{VOCID}/groupMembers", {"uri": "https://nowhere/g"}, 404, "Could not find group"),
        (f"{VOCID}/label", {"uri": "https://nowhere/x"}, 404, "Could not find concept"),
        ("data", {}, 400, "uri parameter missing"),
        ("data", {"uri": "https://nowhere/x"}, 404, "no concept found"),
        (f"{VOCID}/data", {"format": "text/html"}, 406, "Unsupported format"),
        ("vocabularies", {"lang": "en", "callback": "alert(1)"}, 400, "callback"),
    ],
)
def test_errors_as_skosmos_gives_them(
    client: TestClient, path: str, params: dict[str, str], status: int, detail: str
) -> None:
    response = client.get(f"/rest/v1/{path}", params=params)
    assert response.status_code == status
    assert detail in response.json()["detail"]
