"""The server-rendered web page, through the app in-process (no browser): every page
renders, reads without JavaScript, escapes what the sources say, and fails kindly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.pages import why
from ingest.concept import Concept, Conflict, Definition, Joined
from ingest.pipeline import SourceResult
from ingest.sources import slug
from kg.glossary import Glossary
from kg.relations import Link

EVIL = "<script>alert('x')</script> & <b>co</b>"


@pytest.fixture(scope="module")
def client(glossary: Glossary) -> TestClient:
    return TestClient(create_app(glossary))


@pytest.fixture(scope="module")
def hostile() -> TestClient:
    """A tiny glossary whose sources put markup in every field, with a curated link."""
    source = SourceResult(
        id="evil-source", path=Path("evil.txt"), format="text", sha256="0" * 64, title=EVIL
    )

    def concept(cid: str, label: str, texts: list[str]) -> Concept:
        return Concept(
            id=cid,
            pref_label=label,
            alt_labels=[f"{label} <i>alias</i>"],
            hidden_labels=["<img src=x onerror=alert(1)>"],
            definitions=[Definition(t, "evil-source", (3, 4), label) for t in texts],
            preferred=0,
            preferred_reason="agrees <em>most</em>",
            joined=[Joined("evil-source", (3, 4), label, ())],
        )

    evil = concept("evil", EVIL, ["It is <b>profit</b>.", "It is <i>revenue</i>."])
    evil.conflicts = [Conflict("what <u>it</u> measures", (("<profit>", (0,)), ("revenue", (1,))))]
    other = concept("other", "Other <thing>", ["Plain <tt>text</tt>."])
    glossary = Glossary(
        [source],
        [evil, other],
        links=[Link("evil", "other", "related", "a person said <so>", curated=True)],
        collections={EVIL: ["evil", "other"]},
    )
    return TestClient(create_app(glossary))


def html(response) -> str:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_home_has_search_index_collections_path_and_downloads(
    client: TestClient, glossary: Glossary
) -> None:
    page = html(client.get("/"))
    assert re.search(r'<form[^>]+action="/find"[^>]+method="get"', page)
    assert 'name="q"' in page and "/static/search.js" in page
    links = set(re.findall(r'href="/c/([^"]+)"', page))
    assert links == {c.id for c in glossary.concepts}  # the A–Z index lists every concept
    assert 'href="#letter-N"' in page and 'id="letter-N"' in page
    for name in glossary.collections:
        assert name.replace("&", "&amp;") in page
    for fmt in ("turtle", "xml", "json-ld", "nt"):
        assert f'href="/export?format={fmt}"' in page
    assert 'action="/explore/path"' in page and 'list="concept-labels"' in page


def test_every_linked_page_renders(client: TestClient) -> None:
    home = html(client.get("/"))
    targets = set(re.findall(r'href="(/(?:c|collections)/[^"#]*)"', home))
    targets |= {"/collections", "/explore/path", "/find"}
    assert len(targets) > 100
    for url in sorted(targets):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<h1" in response.text, url
    # the footer's SPARQL link runs a first query rather than asking for one
    (sparql,) = set(re.findall(r'href="(/sparql\?[^"]+)"', home))
    response = client.get(sparql.replace("&amp;", "&"))
    assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == 25


def test_concept_page_shows_labels_sourced_definitions_conflicts_relations(
    client: TestClient,
) -> None:
    page = html(client.get("/c/customer-lifetime-value"))
    assert "<h1" in page and "Customer Lifetime Value" in page
    for label in ("CLV", "LTV", "Lifetime value"):
        assert f">{label}<" in page
    # every definition, with its source's title, id and lines
    assert page.count('<li class="def') == 4
    assert "The Ultimate Customer Success Glossary" in page
    assert "docs-glossary, lines 46–48" in page
    assert "Preferred" in page
    # the disagreement between sources, both sides
    assert "The sources disagree" in page
    assert re.search(r'position-value">profit<', page)
    assert re.search(r'position-value">revenue<', page)
    # relations with reasons, collections, and the graph's hook
    assert 'href="/c/lagging-indicators" data-relation="related"' in page
    assert "names &#39;Lifetime value&#39;" in page
    assert 'href="/collections/metrics"' in page
    assert 'data-graph data-concept="customer-lifetime-value"' in page
    assert "/static/graph.js" in page


def test_concept_by_label_or_former_id_redirects_to_its_page(client: TestClient) -> None:
    response = client.get("/c/NDR", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/c/net-revenue-retention"


@pytest.mark.parametrize(
    "url",
    ["/c/no-such-thing", "/collections/no-such-collection", "/c/%3Cscript%3Ex%3C%2Fscript%3E"],
)
def test_unknown_pages_get_a_friendly_html_404(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    page = html(response)
    assert "Not found" in page and 'href="/#a-z"' in page
    assert "<script>x" not in page


def test_search_works_without_javascript(client: TestClient) -> None:
    page = html(client.get("/find", params={"q": "net dollar retention"}))
    first = page.index('class="hit"')
    assert page.index("Net Revenue Retention", first) < page.index("Gross Revenue", first)
    assert "exact alias &#39;Net Dollar Retention&#39;" in page  # why it matched
    assert 'class="why-kind">Words<' in page
    assert 'value="net dollar retention"' in page  # the box keeps the query


def test_search_page_says_when_nothing_is_a_close_match(client: TestClient) -> None:
    page = html(client.get("/find", params={"q": "what is the capital of France"}))
    assert "No concept is a close match for “what is the capital of France”" in page
    assert 'class="hit"' in page  # the nearest are still listed
    page = html(client.get("/find", params={"q": "NRR"}))
    assert "best first" in page and "close match" not in page
    data = client.get("/search", params={"q": "NRR"}).json()
    assert data["close"] is True and data["confidence"] >= 0.7
    data = client.get("/search", params={"q": "what is the capital of France"}).json()
    assert data["close"] is False and data["confidence"] < 0.7


def test_search_page_without_query_and_with_markup(client: TestClient) -> None:
    assert 'class="hit"' not in html(client.get("/find"))
    page = html(client.get("/find", params={"q": "<script>alert(1)</script>"}))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_path_view_explains_each_step(client: TestClient) -> None:
    params = {"from": "Churn", "to": "Customer Lifetime Value"}
    page = html(client.get("/explore/path", params=params))
    steps = re.findall(r'<li class="path-step">(.*?)</li>', page, re.S)
    assert steps
    for step in steps:
        assert re.search(r'class="reason">[^<]{10,}<', step)
    assert page.rstrip().count('href="/c/customer-lifetime-value"') >= 1


def test_path_view_form_and_errors(client: TestClient) -> None:
    assert 'class="path-step"' not in html(client.get("/explore/path"))
    response = client.get("/explore/path", params={"from": "Churn", "to": "zzz nothing"})
    assert response.status_code == 404
    assert "zzz nothing" in html(response) and 'role="alert"' in response.text


def test_json_api_is_not_shadowed_by_pages(client: TestClient) -> None:
    body = client.get("/path", params={"from": "churn", "to": "customer-retention"}).json()
    assert body["nodes"][0]["id"] == "churn"
    assert client.get("/concepts/churn").json()["id"] == "churn"


def test_static_assets_are_served_and_local(client: TestClient) -> None:
    for name in ("style.css", "search.js", "graph.js", "favicon.svg"):
        assert client.get(f"/static/{name}").status_code == 200
    for url in ("/", "/c/churn", "/find?q=churn", "/explore/path", "/collections"):
        page = client.get(url).text
        assert not re.search(r'<(script|img|link)[^>]+(src|href)="(https?:)?//', page), url


def test_everything_from_the_sources_is_escaped(hostile: TestClient) -> None:
    pages = ["/", "/c/evil", "/c/other", "/collections", "/explore/path?from=evil&to=other"]
    pages.append(f"/collections/{slug(EVIL)}")
    for url in pages:
        page = hostile.get(url).text
        for raw in ("<script>alert", "<b>co</b>", "<img src=x", "<i>alias</i>", "<so>", "<tt>"):
            assert raw not in page, (url, raw)
    assert hostile.get(f"/collections/{slug(EVIL)}").status_code == 200
    concept = hostile.get("/c/evil").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;" in concept
    assert "&lt;profit&gt;" in concept and "what &lt;u&gt;it&lt;/u&gt; measures" in concept


def test_curated_links_are_marked(hostile: TestClient) -> None:
    page = hostile.get("/c/evil").text
    assert re.search(
        r'href="/c/other"[^>]*>Other &lt;thing&gt;</a> <span class="badge badge-curated"', page
    )
    path = hostile.get("/explore/path", params={"from": "evil", "to": "other"}).text
    assert "badge-curated" in path


def test_search_without_an_index_says_so(hostile: TestClient) -> None:
    response = hostile.get("/find", params={"q": "profit"})
    assert response.status_code == 200
    assert "no search index" in response.text


def test_why_a_hit_matched_reads_as_the_words_typed() -> None:
    evidence = {"bm25": "words: lifetim, valu", "dense": "alias 'Lifetime value'"}
    assert why(evidence, "Lifetime VALUE?") == [
        ("Words", "lifetime, value"),
        ("Meaning", "close to the alias 'Lifetime value'"),
    ]


def test_overlong_input_is_cut_not_refused(client: TestClient) -> None:
    long = "x" * 5000
    response = client.get(f"/c/{long}")
    assert response.status_code == 404 and long not in response.text
    assert client.get("/explore/path", params={"from": long, "to": "churn"}).status_code == 404
    assert client.get("/find", params={"q": long}).status_code == 200


def test_the_search_page_answers_the_question_with_its_sources(client: TestClient) -> None:
    question = "what is the difference between upsell and cross-sell"
    page = html(client.get("/find", params={"q": question}))
    answer = re.search(r'<section id="answer".*?</section>', page, re.S)
    assert answer and "Upsell and Cross-sell, side by side." in answer[0]
    cited = set(re.findall(r'href="#cite-(\d+)"', answer[0]))
    listed = set(re.findall(r'<li id="cite-(\d+)"', answer[0]))
    assert cited and cited == listed  # every mark has its source, every source is used
    assert (
        client.get("/ask", params={"q": question})
        .json()["answer"]
        .startswith("Upsell and Cross-sell, side by side.")
    )  # the same answer as GET /ask
    unsure = html(client.get("/find", params={"q": "what is the capital of France"}))
    assert "not sure" in re.search(r'<section id="answer".*?</section>', unsure, re.S)[0]
    assert 'id="answer"' not in html(client.get("/find", params={"q": "<script>x</script>"}))


def test_an_unknown_address_is_a_page_for_a_browser_and_json_for_a_program(
    client: TestClient,
) -> None:
    browser = client.get("/nonexistent/page", headers={"accept": "text/html,*/*"})
    assert browser.status_code == 404 and "<h1" in browser.text and 'href="/#a-z"' in browser.text
    program = client.get("/nonexistent/page", headers={"accept": "application/json"})
    assert program.status_code == 404 and program.json() == {"detail": "Not Found"}
    assert client.get("/explore/path").status_code == 200  # real pages still answer
    half = html(client.get("/explore/path", params={"from": "", "to": "Churn"}))
    assert "Give both concepts: where the path starts." in half


def test_addresses_the_app_redirects_are_not_taken_for_missing_pages(client: TestClient) -> None:
    slash = client.get("/health/", follow_redirects=False, headers={"accept": "text/html"})
    assert slash.status_code in (307, 308)  # the framework's own redirect, not a 404 page
    assert client.post("/nowhere").status_code == 404


def test_the_path_page_says_a_name_of_two_concepts_is_ambiguous(tmp_path: Path) -> None:
    from api.app import create_app
    from ingest.pipeline import read_paths
    from kg.glossary import Glossary

    (tmp_path / "a.txt").write_text(
        "Customer Acquisition Cost (CAC): Sales and marketing spend per new customer.\n"
        "Customer Advisory Council (CAC): Key customers who meet to advise us.\n"
        "Churn: Customers lost.\n"
    )
    small = TestClient(create_app(Glossary.build(read_paths([tmp_path])[0])))
    page = small.get("/explore/path", params={"from": "CAC", "to": "Churn"})
    assert page.status_code == 400 and "names 2 concepts" in page.text and "<h1" in page.text
