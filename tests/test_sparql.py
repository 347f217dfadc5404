"""The read-only SPARQL endpoint: the protocol, result formats, refusals and limits."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from fastapi.testclient import TestClient
from rdflib import SKOS, Graph, Literal, URIRef, Variable
from rdflib.compare import isomorphic
from rdflib.query import Result

from api.app import create_app
from api.sparql import ROOT, Busy, Engine, Limits, choose, negotiate, nesting
from kg.glossary import Glossary

COUNT = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a skos:Concept }"
LABELS = "SELECT ?c ?label WHERE { ?c a skos:Concept ; skos:prefLabel ?label } ORDER BY ?label"
GUARD = 30.0  # seconds: a generous bound, never a timing assertion


@pytest.fixture(scope="module")
def client(glossary: Glossary) -> TestClient:
    return TestClient(create_app(glossary))


def ask(client: TestClient, query: str, **kw: object) -> tuple[int, str, bytes]:
    started = time.monotonic()
    response = client.get("/sparql", params={"query": query}, **kw)
    assert time.monotonic() - started < GUARD
    return response.status_code, response.headers.get("content-type", ""), response.content


def detail(client: TestClient, query: str, **params: str) -> tuple[int, str]:
    response = client.get("/sparql", params={"query": query, **params})
    return response.status_code, response.json()["detail"]


def count(client: TestClient) -> int:
    status, _, body = ask(client, COUNT)
    assert status == 200
    return int(Result.parse(io.BytesIO(body), format="json").bindings[0][Variable("n")])


# --- queries and formats ----------------------------------------------------------------------


def test_select_counts_every_concept(client: TestClient, glossary: Glossary) -> None:
    status, media, _ = ask(client, COUNT)
    assert status == 200 and media.startswith("application/sparql-results+json")
    assert count(client) == len(glossary.concepts)


@pytest.mark.parametrize(
    ("accept", "fmt", "media"),
    [
        ("application/sparql-results+json", "json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
        ("text/csv", "csv", "text/csv"),
        ("text/tab-separated-values", "tsv", "text/tab-separated-values"),
        ("application/json;q=0.5, text/csv;q=0.9", "csv", "text/csv"),
    ],
)
def test_select_result_formats_read_back(
    client: TestClient, glossary: Glossary, accept: str, fmt: str, media: str
) -> None:
    status, got, body = ask(client, LABELS + " LIMIT 5", headers={"accept": accept})
    assert status == 200 and got.startswith(media)
    rows = Result.parse(io.BytesIO(body), format=fmt).bindings
    assert len(rows) == 5
    expected = sorted(c.pref_label for c in glossary.concepts)[:5]
    assert [str(r[Variable("label")]) for r in rows] == expected


@pytest.mark.parametrize(
    ("query", "solutions"),
    [
        ("SELECT ?x WHERE { VALUES ?y { 1 2 } }", 2),  # two solutions, ?x bound in neither
        ("SELECT ?x WHERE { BIND(1/0 AS ?x) }", 1),  # an error leaves ?x unbound, as SPARQL says
    ],
)
def test_solutions_binding_none_of_the_selected_variables_are_kept(
    client: TestClient, query: str, solutions: int
) -> None:
    status, _, body = ask(client, query)
    assert status == 200
    assert json.loads(body)["results"]["bindings"] == [{}] * solutions


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": LABELS + " LIMIT 1", "format": "xml"},
        headers={"accept": "text/csv"},
    )
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    status, message = detail(client, LABELS, format="turtle")
    assert status == 400 and "does not suit a SELECT query" in message


@pytest.mark.parametrize(("pattern", "answer"), [("skos:Concept", True), ("skos:Nothing", False)])
def test_ask(client: TestClient, pattern: str, answer: bool) -> None:
    for accept, fmt in (("application/sparql-results+json", "json"), ("text/xml", "xml")):
        status, _, body = ask(client, f"ASK {{ ?c a {pattern} }}", headers={"accept": accept})
        assert status == 200
        assert Result.parse(io.BytesIO(body), format=fmt).askAnswer is answer


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_in_every_rdf_format(
    client: TestClient, glossary: Glossary, accept: str | None, fmt: str
) -> None:
    query = "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c a skos:Concept ; skos:prefLabel ?l }"
    headers = {"accept": accept} if accept else {}
    status, media, body = ask(client, query, headers=headers)
    assert status == 200 and media.startswith(accept or "text/turtle")
    expected = Graph()
    for concept in glossary.concepts:
        expected.add(
            (URIRef(glossary.uri(concept)), SKOS.prefLabel, Literal(concept.pref_label, lang="en"))
        )
    assert isomorphic(Graph().parse(data=body, format=fmt), expected)


def test_construct_where_with_limit(client: TestClient) -> None:
    status, _, body = ask(client, "CONSTRUCT WHERE { ?c skos:prefLabel ?l } LIMIT 3")
    assert status == 200 and len(Graph().parse(data=body, format="turtle")) == 3


def test_describe_a_concept(client: TestClient, glossary: Glossary) -> None:
    nrr = URIRef(glossary.base_uri + "net-revenue-retention")
    status, _, body = ask(client, f"DESCRIBE <{nrr}>")
    assert status == 200
    graph = Graph().parse(data=body, format="turtle")
    assert (nrr, SKOS.prefLabel, Literal("Net Revenue Retention", lang="en")) in graph
    assert set(graph.subjects()) == {nrr}


def test_post_form_and_direct_body(client: TestClient, glossary: Glossary) -> None:
    form = client.post("/sparql", data={"query": COUNT})
    direct = client.post(
        "/sparql",
        content=COUNT.encode(),
        headers={"content-type": "application/sparql-query; charset=utf-8", "accept": "text/csv"},
    )
    assert form.status_code == direct.status_code == 200
    rows = Result.parse(io.BytesIO(form.content), format="json").bindings
    assert rows[0][Variable("n")] == Literal(len(glossary.concepts))
    assert direct.text.splitlines() == ["n", str(len(glossary.concepts))]


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "PREFIX ex: <http://example.org/#>\n# a comment\nDELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://example.org/g>",
        "CREATE GRAPH <http://example.org/g>",
        "COPY DEFAULT TO <http://example.org/g>",
        "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused_however_sent(
    client: TestClient, glossary: Glossary, update: str
) -> None:
    responses = [
        client.get("/sparql", params={"query": update}),
        client.get("/sparql", params={"update": update}),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", data={"query": update}),
        client.post(
            "/sparql", content=update, headers={"content-type": "application/sparql-update"}
        ),
        client.post(
            "/sparql", content=update, headers={"content-type": "application/sparql-query"}
        ),
    ]
    for response in responses:
        assert response.status_code == 400, response.text
        assert "read-only" in response.json()["detail"]
    assert count(client) == len(glossary.concepts)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        (
            "SELECT * WHERE { ?c a skos:Concept OPTIONAL { SERVICE SILENT <http://127.0.0.1:1/> "
            "{ ?c ?p ?o } } }",
            "SERVICE",
        ),
        ("SELECT * FROM <http://example.org/other> WHERE { ?s ?p ?o }", "FROM <http"),
        ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM NAMED <file"),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "GRAPH"),
    ],
)
def test_no_network_no_files_no_other_graphs(client: TestClient, query: str, words: str) -> None:
    status, message = detail(client, query)
    assert status == 400 and words in message


def test_the_vocabularys_own_graph_may_be_named(client: TestClient, glossary: Glossary) -> None:
    status, _, _ = ask(client, f"SELECT * FROM <{glossary.base_uri}> WHERE {{ ?s ?p ?o }} LIMIT 1")
    assert status == 200
    status, message = detail(client, COUNT, **{"default-graph-uri": "http://example.org/x"})
    assert status == 400 and "not available" in message


def test_syntax_error_names_line_and_column(client: TestClient) -> None:
    status, message = detail(client, "SELECT ?s\nWHERE { ?s ?p }")
    assert status == 400
    assert message.startswith("SPARQL syntax error at line 2, column") and "\n" not in message


@pytest.mark.parametrize(
    ("request_kw", "status"),
    [
        ({"json": {"query": COUNT}}, 415),
        ({"content": "x" * 40_000, "headers": {"content-type": "application/sparql-query"}}, 413),
        ({"data": {"query": COUNT + " #" + "x" * 10_000}}, 413),
        ({"data": {"query": [COUNT, COUNT]}}, 400),
        ({"data": {}}, 415),
        (
            {"content": b"\xff\xfe", "headers": {"content-type": "application/sparql-query"}},
            400,
        ),
    ],
)
def test_bad_posts(client: TestClient, request_kw: dict[str, object], status: int) -> None:
    response = client.post("/sparql", **request_kw)
    assert response.status_code == status and response.json()["detail"]


def test_missing_query(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 400 and "query" in response.json()["detail"]


# --- limits -----------------------------------------------------------------------------------


def test_cross_product_hits_the_row_limit(client: TestClient) -> None:
    status, message = detail(client, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert status == 413 and "more than 10,000 rows" in message


def test_cross_product_construct_is_bounded(client: TestClient) -> None:
    started = time.monotonic()
    status, message = detail(
        client, "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    )
    assert 400 <= status < 500 and message
    assert time.monotonic() - started < GUARD


def test_slow_query_is_stopped_and_the_endpoint_recovers(
    client: TestClient, glossary: Glossary
) -> None:
    started = time.monotonic()
    status, message = detail(
        client, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    )
    assert time.monotonic() - started < GUARD
    assert status == 400 and "took longer than 5 s" in message
    assert count(client) == len(glossary.concepts)


def test_deep_nesting_is_refused_and_moderate_nesting_works(client: TestClient) -> None:
    deep = "SELECT * WHERE { " + "{ " * 1000 + "?s ?p ?o " + "} " * 1000 + "}"
    status, message = detail(client, deep)
    assert status == 400 and "nests brackets 1001 deep" in message
    parens = "ASK { FILTER(" + "(" * 2000 + "1" + ")" * 2000 + ") }"
    assert detail(client, parens)[0] == 400
    moderate = "ASK { " + "{ " * 30 + "?s a skos:Concept " + "} " * 30 + "}"
    assert ask(client, moderate)[0] == 200
    sums = "ASK { FILTER(" + " + ".join(["1"] * 500) + " > 0) }"  # long, flat
    assert 200 <= ask(client, sums)[0] < 500


def test_nesting_ignores_strings_iris_and_comments() -> None:
    assert nesting('SELECT * WHERE { ?s ?p "((({{{" . ?s ?p <http://x/(a> } # ((((') == 1
    assert nesting("ASK { { ?s ?p ?o } }") == 2


def test_negotiation() -> None:
    offers = ["application/sparql-results+json", "text/csv"]
    assert negotiate(None, offers) == offers[0]
    assert negotiate("text/*", offers) == "text/csv"
    assert negotiate("text/csv;q=0.1, */*;q=0.5", offers) == offers[0]
    assert negotiate("image/png", offers) is None
    assert choose("SELECT", "text/html", None) == offers[0]  # nothing acceptable: the default
    assert choose("CONSTRUCT", "application/json", None) == "application/ld+json"
    assert choose("ASK", "text/csv", None) == offers[0]


def test_a_stuck_query_process_is_killed_and_replaced(glossary: Glossary) -> None:
    engine = Engine(glossary.rdf, glossary.base_uri, Limits(seconds=1))
    try:
        assert engine.run("ASK { ?s ?p ?o }").status == 200
        [pid] = engine.pids
        os.kill(pid, signal.SIGSTOP)  # as if stuck in C code, deaf to its own alarm
        stuck = engine.run("ASK { ?s ?p ?o }")
        assert stuck.status == 400 and "took longer than 1 s" in stuck.detail
        assert engine.pids == []
        assert engine.run("ASK { ?s ?p ?o }").status == 200
        assert engine.pids and engine.pids != [pid]
    finally:
        engine.close()


def test_a_crashed_query_process_is_replaced(glossary: Glossary) -> None:
    engine = Engine(glossary.rdf, glossary.base_uri)
    try:
        assert engine.run("ASK {}").status == 200
        [pid] = engine.pids
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + GUARD
        while pid in engine.pids:  # reaped
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert engine.run("ASK {}").status == 200
    finally:
        engine.close()


def test_too_many_waiting_queries_are_turned_away(glossary: Glossary) -> None:
    engine = Engine(glossary.rdf, glossary.base_uri, Limits(queue=0))
    with pytest.raises(Busy):
        engine.run("ASK {}")
    assert engine.pids == []


SANDBOX = """
import os, sys
from api.sparql import Limits, confine
confine(Limits())
for attempt in sys.argv[1:]:
    try:
        exec(attempt)
    except PermissionError as exc:
        print("denied:", exc)
    else:
        print("ALLOWED:", attempt)
"""
PROBE = ROOT / "sparql-sandbox-probe"


def test_the_query_process_sandbox() -> None:
    attempts = [
        "import socket; socket.create_connection(('127.0.0.1', 9))",
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9/')",
        "open('/etc/passwd').read()",
        f"open({str(PROBE)!r}, 'w')",
        f"os.open({str(PROBE)!r}, os.O_WRONLY | os.O_CREAT)",
        "import subprocess; subprocess.run(['true'])",
        "os.system('true')",
    ]
    done = subprocess.run(
        [sys.executable, "-c", SANDBOX, *attempts],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=GUARD,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == len(attempts), done.stderr
    assert all(line.startswith("denied:") for line in lines), lines
    assert not PROBE.exists()


def test_a_huge_limit_or_a_second_query_is_a_clear_400(client) -> None:  # type: ignore[no-untyped-def]
    huge = "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999"
    response = client.get("/sparql", params={"query": huge})
    assert response.status_code == 400 and "is too large" in response.json()["detail"]
    two = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert two.status_code == 400 and "send one `query`" in two.json()["detail"]


def test_limit_checks_read_numbers_not_strings(client) -> None:  # type: ignore[no-untyped-def]
    enormous = "SELECT * WHERE { ?s ?p ?o } LIMIT " + "9" * 5000
    assert client.get("/sparql", params={"query": enormous}).status_code == 400
    quoted = 'SELECT ?l WHERE { ?c ?p ?l FILTER(?l != "limit 99999999999999") } LIMIT 3'
    assert client.get("/sparql", params={"query": quoted}).status_code == 200
