"""The HTTP API, exercised in-process through the app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.glossary import Glossary


@pytest.fixture(scope="module")
def client(glossary: Glossary) -> TestClient:
    return TestClient(create_app(glossary))


def test_health(client: TestClient, glossary: Glossary) -> None:
    assert client.get("/health").json() == {"status": "ok", "concepts": len(glossary.concepts)}


def test_concepts_are_paged_and_sorted(client: TestClient, glossary: Glossary) -> None:
    first = client.get("/concepts", params={"limit": 10}).json()
    assert first["total"] == len(glossary.concepts)
    labels = [i["pref_label"] for i in first["items"]]
    assert labels == sorted(labels, key=str.casefold)
    assert set(first["items"][0]) == {"id", "uri", "pref_label", "alt_labels"}
    second = client.get("/concepts", params={"offset": 10, "limit": 10}).json()
    assert second["items"][0]["pref_label"].casefold() >= labels[-1].casefold()


def test_concept_detail_has_every_sourced_definition(client: TestClient) -> None:
    body = client.get("/concepts/net-revenue-retention").json()
    assert body["pref_label"] == "Net Revenue Retention"
    assert body["uri"].endswith("/net-revenue-retention")
    assert {"NRR", "NDR"} <= set(body["alt_labels"])
    assert {d["source"] for d in body["definitions"]} >= {"docs-glossary", "pdf-glossary"}
    for field in ("hidden_labels", "broader", "narrower", "related", "collections"):
        assert isinstance(body[field], list)


@pytest.mark.parametrize("label", ["ndr", "Net-Dollar  retention!", "NET DOLLAR RETENTION"])
def test_lookup_ignores_case_spacing_hyphens_punctuation(client: TestClient, label: str) -> None:
    assert client.get("/lookup", params={"label": label}).json()["id"] == "net-revenue-retention"


def test_lookup_finds_hidden_labels(client: TestClient) -> None:
    assert (
        client.get("/lookup", params={"label": "net promotor score"}).json()["pref_label"]
        == "Net Promoter Score"
    )


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/concepts/no-such-thing", 404),
        ("/lookup?label=zzzz%20nothing", 404),
        ("/lookup?label=", 422),
        ("/concepts?limit=0", 422),
        ("/concepts?limit=100000", 422),
        ("/concepts?offset=-1", 422),
        ("/concepts?limit=abc", 422),
        ("/concepts/..%2F..%2Fetc%2Fpasswd", 404),
        ("/lookup?label=%00", 404),
    ],
)
def test_bad_requests_get_a_clear_4xx(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail


def test_openapi_docs_and_page(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/concepts/{concept_id}" in client.get("/openapi.json").json()["paths"]
    page = client.get("/")
    assert page.status_code == 200 and "Net Revenue Retention" in page.text
