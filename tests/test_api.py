"""The HTTP API, exercised in-process through the app."""

from __future__ import annotations

import re
from pathlib import Path

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


def test_the_server_runs_blas_on_one_thread(client: TestClient) -> None:
    """Concurrent requests each starting BLAS threads cut throughput six times over."""
    from threadpoolctl import threadpool_info

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_concept_detail_lists_its_curated_phrasings(client: TestClient) -> None:
    body = client.get("/concepts/churn").json()
    assert "customers walking away" in body["phrasings"]
    assert "customers walking away" not in body["alt_labels"] + body["hidden_labels"]
    page = client.get("/c/churn")
    assert page.status_code == 200 and "Asked as" in page.text


@pytest.mark.parametrize("label", ["ndr", "Net-Dollar  retention!", "NET DOLLAR RETENTION"])
def test_lookup_ignores_case_spacing_hyphens_punctuation(client: TestClient, label: str) -> None:
    assert client.get("/lookup", params={"label": label}).json()["id"] == "net-revenue-retention"


def test_lookup_finds_hidden_labels(client: TestClient) -> None:
    assert (
        client.get("/lookup", params={"label": "net promotor score"}).json()["pref_label"]
        == "Net Promoter Score"
    )


def test_lookup_of_a_label_two_concepts_share_names_the_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sources using CAC for two things: /lookup gave one of them, with no sign of the other."""
    from api.cli import main

    (tmp_path / "sales.txt").write_text(
        "Sales glossary\n\nCAC (Customer Acquisition Cost)\n"
        "What it costs in sales and marketing to win one new customer.\n"
    )
    (tmp_path / "cs.txt").write_text(
        "CS glossary\n\nCAC (Customer Advisory Council)\n"
        "A group of customers who meet to advise on the product roadmap.\n"
    )
    build = tmp_path / "build"
    assert (
        main(
            [
                "ingest",
                str(tmp_path / "sales.txt"),
                str(tmp_path / "cs.txt"),
                "--build-dir",
                str(build),
            ]
        )
        == 0
    )
    client = TestClient(create_app(Glossary.load(build)))
    found = client.get("/lookup", params={"label": "CAC"}).json()
    ids = {"customer-acquisition-cost", "customer-advisory-council"}
    assert found["id"] in ids
    assert [r["id"] for r in found["same_label"]] == sorted(ids - {found["id"]})
    alone = client.get("/lookup", params={"label": "Customer Advisory Council"}).json()
    assert alone["same_label"] == []


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
        ("/lookup?label=%00", 400),  # a NUL is refused, as in /search
    ],
)
def test_bad_requests_get_a_clear_4xx(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail


def test_openapi_docs_and_page(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text  # nothing from the internet
    for asset in re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', docs.text):
        assert client.get(asset).status_code == 200, asset
    assert "/concepts/{concept_id}" in client.get("/openapi.json").json()["paths"]
    page = client.get("/")
    assert page.status_code == 200 and "Net Revenue Retention" in page.text


def test_search_returns_the_contract_fields_best_first(client: TestClient) -> None:
    body = client.get("/search", params={"q": "NDR", "k": 5}).json()
    assert body["query"] == "NDR"
    top = body["results"][0]
    assert top["id"] == "net-revenue-retention"
    assert {"id", "uri", "pref_label", "alt_labels", "score", "definition"} <= set(top)
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 5
    assert top["explanation"]


def test_ask_cites_the_glossary(client: TestClient) -> None:
    body = client.get("/ask", params={"q": "what is net promotor score?"}).json()
    assert {"question", "answer", "confidence", "concepts", "citations"} <= set(body)
    assert body["concepts"][0]["pref_label"] == "Net Promoter Score"
    assert body["citations"] and all({"source", "text"} <= set(c) for c in body["citations"])


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": ""}, 422),
        ({"q": "x" * 513}, 422),
        ({"q": "churn", "k": 0}, 422),
        ({"q": "churn", "k": 101}, 422),
        ({"q": "   "}, 400),
        ({"q": "churn\x00"}, 400),
    ],
)
def test_bad_search_queries_get_4xx(client: TestClient, params: dict, status: int) -> None:
    for path in ("/search", "/ask"):
        if path == "/ask" and "k" in params:
            continue
        response = client.get(path, params=params)
        assert response.status_code == status, (path, params, response.text)
        assert isinstance(response.json()["detail"], str)


def test_emoji_queries_are_answered(client: TestClient) -> None:
    response = client.get("/search", params={"q": "🚀 churn 🔥"})
    assert response.status_code == 200
    assert response.json()["results"][0]["pref_label"] == "Churn"


def test_concept_shows_relations_with_reasons_and_collections(client: TestClient) -> None:
    body = client.get("/concepts/account-churn").json()
    assert {"id": "churn", "pref_label": "Churn"}.items() <= body["broader"][0].items()
    assert body["broader"][0]["reason"]
    assert body["collections"] and all({"id", "pref_label"} <= set(c) for c in body["collections"])


def test_neighbors_and_path(client: TestClient) -> None:
    body = client.get("/concepts/upsell/neighbors", params={"depth": 2}).json()
    assert body["nodes"][0]["id"] == "upsell"
    assert all({"source", "target", "relation"} <= set(e) for e in body["edges"])
    path = client.get("/path", params={"from": "upsell", "to": "net-revenue-retention"}).json()
    assert [n["id"] for n in path["nodes"]] == ["upsell", "net-revenue-retention"]
    assert "Upsells drive NRR" in path["edges"][0]["reason"]
    assert client.get("/concepts/upsell/neighbors", params={"depth": 4}).status_code == 422
    assert client.get("/path", params={"from": "upsell", "to": "nope"}).status_code == 404


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("turtle", "text/turtle"),
        ("xml", "application/rdf+xml"),
        ("json-ld", "application/ld+json"),
        ("nt", "application/n-triples"),
    ],
)
def test_export_formats(client: TestClient, fmt: str, media_type: str) -> None:
    response = client.get("/export", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert b"net-revenue-retention" in response.content


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples;q=0.9, text/turtle;q=0.5", "application/n-triples"),
        ("text/html", "text/turtle"),  # none of ours: Turtle, as with no header
        (None, "text/turtle"),
    ],
)
def test_export_without_a_format_answers_the_accept_header(
    client: TestClient, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/export", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    # a format named in the query wins over the header
    named = client.get("/export", params={"format": "nt"}, headers={"Accept": "text/turtle"})
    assert named.headers["content-type"].startswith("application/n-triples")


def test_export_refuses_unknown_formats(client: TestClient) -> None:
    for fmt in ("pdf", "../../etc/passwd", ""):
        assert client.get("/export", params={"format": fmt}).status_code == 422


def test_invalid_utf8_in_a_query_is_refused(client: TestClient) -> None:
    for path in ("/search", "/ask"):
        response = client.get(f"{path}?q=%ff%fe%20churn")
        assert response.status_code == 400
        assert "UTF-8" in response.json()["detail"]


def test_head_is_get_without_a_body(client: TestClient) -> None:
    for url in ("/", "/health", "/search?q=churn"):
        head, get = client.head(url), client.get(url)
        assert head.status_code == 200 and head.content == b"", url
        assert head.headers["content-type"] == get.headers["content-type"], url


def test_invisible_or_control_characters_are_refused_alike(client: TestClient) -> None:
    assert client.get("/search", params={"q": "\u200b"}).status_code == 400  # zero width only
    assert client.get("/lookup", params={"label": "churn\x00"}).status_code == 400
