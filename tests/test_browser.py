"""The web page end to end in a real headless Chromium (Debian's, driven by Playwright).

Never skipped in CI: without /usr/bin/chromium or Playwright these tests fail when $CI is
set, and are skipped only on a developer's machine. Screenshots go to a temporary folder
(KG_UPDATE_SCREENSHOTS=1 writes docs/screenshots/).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from kg.glossary import Glossary
from tests.servers import serve_in_thread

ROOT = Path(__file__).resolve().parents[1]
# Screenshots go to a temporary folder; KG_UPDATE_SCREENSHOTS=1 refreshes the README's copies.
SHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("KG_UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "kg-screenshots"
)
CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 860}
TIMEOUT = 10_000  # ms
PHONE = {"width": 375, "height": 812}


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what}; CI must run the browser tests (see .ci/apt-packages)")
    pytest.skip(f"{what}; the browser tests run in CI", allow_module_level=True)


try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    _missing("the playwright package is not installed")


@pytest.fixture(scope="module")
def base_url(glossary: Glossary) -> Iterator[str]:
    """The app served by uvicorn on a free local port, in a background thread."""
    glossary.search("warm up", 1)  # the first search loads the model: not a UI matter
    with serve_in_thread(create_app(glossary)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM}")
    expect.set_options(timeout=TIMEOUT)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh desktop page; fails the test on any script error."""
    context = browser.new_context(viewport=DESKTOP, base_url=base_url, accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    errors: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"script errors: {errors}"


def type_query(page: Page, text: str) -> None:
    box = page.get_by_role("searchbox", name="Search the glossary")
    box.fill("")
    box.press_sequentially(text, delay=25)  # as a person types: the search is debounced


def test_search_as_you_type_open_top_concept_follow_related(page: Page) -> None:
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/search?" in r.url else None)
    page.goto("/")
    type_query(page, "customers walking away")
    hits = page.locator("#search-results .hit")
    expect(hits.first).to_be_visible()
    assert hits.count() >= 3
    expect(page.locator("#search-status")).to_contain_text("customers walking away")
    first = hits.first
    expect(first.locator(".hit-def")).not_to_be_empty()
    expect(first.locator(".why")).to_contain_text(re.compile("Words|Meaning|Name"))
    assert 1 <= len(searches) <= 3, f"not debounced: {len(searches)} searches for 22 keys"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "desktop-search.png")

    # a question the glossary does not cover still lists the nearest, saying so
    type_query(page, "what is the capital of France")
    expect(page.locator("#search-status")).to_contain_text("No concept is a close match")

    # a known name ranks first; the keyboard reaches it and opens it
    type_query(page, "net dollar retention")
    expect(hits.first.locator(".hit-label")).to_have_text("Net Revenue Retention")
    expect(page.locator("#search-status")).to_contain_text("best first")
    expect(hits.first.locator(".why")).to_contain_text("exact alias")
    page.keyboard.press("ArrowDown")
    expect(hits.first.locator(".hit-label")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/c/net-revenue-retention")
    expect(page.get_by_role("heading", level=1)).to_have_text("Net Revenue Retention")
    expect(page.locator(".def").first).to_contain_text("Preferred")
    expect(page.locator(".def cite").first).not_to_be_empty()

    related = page.locator(".rel a[data-relation]").first
    name = related.inner_text()
    target = related.get_attribute("href")
    related.click()
    page.wait_for_url(f"**{target}")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_graph_draws_the_neighbourhood_and_nodes_navigate(page: Page, base_url: str) -> None:
    page.goto("/c/customer-lifetime-value")
    nodes = page.locator("svg.graph-svg a.node")
    expect(nodes.first).to_be_visible()
    api = page.request.get(f"{base_url}/concepts/customer-lifetime-value/neighbors").json()
    assert nodes.count() == len(api["nodes"]) - 1  # every neighbour, the concept itself not
    assert page.locator("svg.graph-svg line.edge").count() == len(api["edges"])
    expect(page.locator(".conflicts")).to_contain_text("profit")
    page.screenshot(path=SHOTS / "desktop-concept.png", full_page=True)

    page.get_by_role("button", name="2 steps").click()
    expect(nodes).to_have_count(
        len(
            page.request.get(
                f"{base_url}/concepts/customer-lifetime-value/neighbors?depth=2"
            ).json()["nodes"]
        )
        - 1
    )
    page.get_by_role("button", name="1 step").click()
    expect(nodes).to_have_count(len(api["nodes"]) - 1)

    # keyboard: a node takes focus and Enter moves there
    node = nodes.first
    target = node.get_attribute("data-id")
    node.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/c/{target}")
    expect(page.locator("svg.graph-svg a.node").first).to_be_visible()

    # mouse: clicking a node moves there, and its graph is drawn in turn
    back = page.locator("svg.graph-svg a.node[data-id='customer-lifetime-value']")
    back.click()
    page.wait_for_url("**/c/customer-lifetime-value")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer Lifetime Value")


def test_download_turtle(page: Page) -> None:
    page.goto("/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Turtle")).click()
    assert download.value.suggested_filename == "glossary.ttl"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("@prefix")
    assert "skos:prefLabel" in text


def test_path_between_two_concepts_explains_each_step(page: Page) -> None:
    page.goto("/")
    page.get_by_label("From", exact=True).fill("Churn")
    page.get_by_label("To", exact=True).fill("Customer Lifetime Value")
    page.get_by_role("button", name="Find the path").click()
    page.wait_for_url("**/explore/path?*")
    steps = page.locator(".path-step")
    expect(steps.first).to_be_visible()
    for i in range(steps.count()):
        assert len(steps.nth(i).locator(".reason").inner_text()) > 10
    expect(steps.last.locator(".path-node a")).to_have_text("Customer Lifetime Value")


def test_phone_width_has_no_horizontal_scroll(browser: Browser, base_url: str) -> None:
    context = browser.new_context(
        viewport=PHONE, base_url=base_url, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT)
    tab = context.new_page()
    try:
        checks: list[tuple[str, Any]] = [
            ("/", None),
            ("/c/customer-lifetime-value", "svg.graph-svg a.node"),
            ("/c/churn", "svg.graph-svg a.node"),
            ("/find?q=net+dollar+retention", None),
            ("/explore/path?from=Churn&to=Customer+Lifetime+Value", None),
            ("/collections", None),
        ]
        for url, ready in checks:
            tab.goto(url)
            if ready:
                expect(tab.locator(ready).first).to_be_visible()
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{url} scrolls sideways: {width}px"
            if url == "/c/customer-lifetime-value":
                tab.screenshot(path=SHOTS / "phone-concept.png")
        tab.goto("/")
        type_query(tab, "customers walking away")
        expect(tab.locator("#search-results .hit").first).to_be_visible()
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        tab.screenshot(path=SHOTS / "phone-search.png")
    finally:
        context.close()


def test_pages_work_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=base_url, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT)
    tab = context.new_page()
    try:
        tab.goto("/")
        box = tab.get_by_role("searchbox", name="Search the glossary")
        box.fill("net dollar retention")
        box.press("Enter")  # the plain form submits to the server-rendered results
        tab.wait_for_url("**/find?q=net+dollar+retention")
        top = tab.locator("#search-results .hit-label").first
        expect(top).to_have_text("Net Revenue Retention")
        top.click()
        tab.wait_for_url("**/c/net-revenue-retention")
        expect(tab.locator(".def").first).to_be_visible()
        expect(tab.locator(".rel a[data-relation]").first).to_be_visible()
        expect(tab.locator(".graph-canvas")).to_contain_text(
            "needs JavaScript", use_inner_text=True
        )
        expect(tab.locator(".graph-controls")).to_be_hidden()
    finally:
        context.close()


def test_pressing_enter_answers_with_sources_and_a_new_query_hides_the_answer(page: Page) -> None:
    page.goto("/")
    page.locator("#q").fill("what is the difference between NRR and GRR")
    page.keyboard.press("Enter")
    page.wait_for_url("**/find?q=*")
    answer = page.locator("#answer")
    expect(answer).to_be_visible()
    expect(answer.locator(".answer-text")).to_contain_text("side by side")
    page.locator(".answer-text sup a").first.click()
    expect(page.locator(".citations li:target")).to_have_count(1)  # the mark leads to its source
    type_query(page, "customers walking away")
    expect(page.locator("#search-results .hit").first).to_be_visible()
    expect(answer).to_be_hidden()  # it answered another question
    type_query(page, "<script>alert(1)</script>")
    expect(page.locator("#search-status")).to_contain_text("only HTML markup")


def test_back_from_a_concept_shows_the_search_again(page: Page) -> None:
    page.goto("/")
    type_query(page, "net dollar retention")
    hits = page.locator("#search-results .hit")
    expect(hits.first.locator(".hit-label")).to_have_text("Net Revenue Retention")
    expect(page).to_have_url(re.compile(r"/\?q=net%20dollar%20retention$"))
    hits.first.locator(".hit-label").click()
    page.wait_for_url("**/c/net-revenue-retention")
    page.go_back()
    expect(page.get_by_role("searchbox", name="Search the glossary")).to_have_value(
        "net dollar retention"
    )
    expect(hits.first.locator(".hit-label")).to_have_text("Net Revenue Retention")


def test_the_api_docs_render_without_the_internet(page: Page) -> None:
    page.goto("/docs")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Glossary knowledge graph")
    expect(page.locator(".opblock-summary-path", has_text="/ask").first).to_be_visible()
