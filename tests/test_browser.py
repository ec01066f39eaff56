"""The web UI of `kg serve` in headless Chromium (Debian `chromium`, driven by Playwright; never `playwright install`).

Screenshots go to tests/artifacts/ (gitignored). A missing /usr/bin/chromium FAILS the tests: CI installs it.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.serve import named_queries
from kg.store import Store
from virtuoso_fixture import XSS_LABEL, KGServe, add_trig, build_seed_store, have_build, trig_store

pytestmark = pytest.mark.timeout(300)
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
KGD = "https://w3id.org/kgdk/id/"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "store"
    if have_build():
        build_seed_store(path)
        add_trig(path)
    else:
        trig_store(path)
    return path


@pytest.fixture(scope="module")
def server(store):
    s = KGServe(store)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), \
        "chromium not installed (Debian package `chromium`; .ci/run installs it)"
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(exist_ok=True)
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=ARGS)
        yield ctx
        ctx.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, server):
    pg = browser.new_page()
    pg.problems = []
    pg.outside = []
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    pg.on("request", lambda r: pg.outside.append(r.url) if not r.url.startswith((server.base, "data:", "blob:"))
          else None)
    yield pg
    pg.close()


def embedded_rows(store, query: str) -> tuple[list[str], list]:
    st = Store.open(store, create=False)
    try:
        res = st.query(query)
        return [v.value for v in res.variables], list(res)
    finally:
        st.close()


def test_editor_runs_star_funding(page, server, store):
    queries = {q["name"]: q for q in named_queries()}
    assert "star-funding" in queries, f"named query star-funding missing (have {sorted(queries)})"
    names, expected = embedded_rows(store, queries["star-funding"]["query"])
    assert expected, "star-funding has no rows on the seed store"

    page.goto(server.base + "/")
    page.wait_for_selector("body[data-queries-loaded]", timeout=30000)
    assert page.locator("button.named-query").count() == len(queries)
    page.click('button.named-query[data-name="star-funding"]')
    assert page.evaluate("window.yasgui.getTab().getQuery()").strip() == queries["star-funding"]["query"].strip()
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30000)
    table = page.inner_text(".yasr table.dataTable tbody")
    rows = page.locator(".yasr table.dataTable tbody tr").count()
    page.screenshot(path=str(ARTIFACTS / "browser-star-funding.png"), full_page=True)
    assert rows == len(expected)
    # every value of every expected row is on screen (literals as text, IRIs as links)
    hrefs = set(page.eval_on_selector_all(".yasr table.dataTable tbody a[href]",
                                           "els => els.map(e => e.getAttribute('href'))"))
    for sol in expected:
        for var in names:
            val = sol[var]
            if isinstance(val, ox.NamedNode):
                assert val.value in hrefs, (var, val.value)          # IRIs are links (text may be prefixed)
            elif val is not None:
                assert " ".join(val.value.split()) in " ".join(table.split()), (var, val.value)
    if have_build():
        assert "jobformidling først" in table.lower()
    assert not page.problems, page.problems
    assert not page.outside, f"requests left the server: {page.outside}"
    # an IRI of our data in the result table opens its entity page on this server
    links = page.locator(f'.yasr table.dataTable tbody a[href^="{KGD}"]')
    if links.count():
        links.first.evaluate("a => a.click()")     # (a truncated cell can overlap the link's box)
        page.wait_for_url(server.base + "/id/**", timeout=30000)
        assert page.locator("#entity-label").count() == 1


def test_entity_page_in_browser(page, server, store):
    # the real project of the seed minutes when the store was built by `kg build`, else the hand-written one
    _, rows = embedded_rows(store, 'SELECT ?p ?l WHERE { ?p a <https://w3id.org/kgdk/ontology#Project> ; '
                                   '<http://www.w3.org/2000/01/rdf-schema#label> ?l '
                                   'FILTER(CONTAINS(LCASE(?l), "først")) } ORDER BY ?p LIMIT 1')
    assert rows, "no project labelled ...først"
    iri, label = rows[0]["p"].value, rows[0]["l"].value
    assert iri.startswith(KGD)
    page.goto(server.base + "/id/" + iri[len(KGD):])
    assert page.inner_text("#entity-label") == label
    page.wait_for_selector("#graph[data-nodes]", timeout=30000)    # sigma rendered the neighbourhood
    assert int(page.get_attribute("#graph", "data-nodes")) >= 2
    assert page.locator("#graph canvas").count() >= 1
    assert page.locator("ul.sources li a").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "browser-entity.png"), full_page=True)
    assert not page.problems, page.problems
    assert not page.outside, f"requests left the server: {page.outside}"


def test_script_in_data_is_not_executed(page, server):
    page.goto(server.base + "/id/organization/xss")
    assert page.inner_text("#entity-label") == XSS_LABEL           # shown as text...
    page.wait_for_selector("#graph[data-nodes]", timeout=30000)
    assert page.evaluate("typeof window.__pwned") == "undefined"   # ...never run
    page.goto(server.base + "/id/project/serve-test-project")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.screenshot(path=str(ARTIFACTS / "browser-xss.png"), full_page=True)
    # ... nor in the editor's result table
    page.goto(server.base + "/")
    page.wait_for_selector("body[data-queries-loaded]", timeout=30000)
    page.evaluate("window.yasgui.getTab().setQuery('SELECT ?l WHERE { <%sorganization/xss> "
                  "<http://www.w3.org/2000/01/rdf-schema#label> ?l }')" % KGD)
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30000)
    assert XSS_LABEL in page.inner_text(".yasr table.dataTable tbody")
    page.wait_for_timeout(300)   # give an injected onerror handler the chance to fire
    assert page.evaluate("typeof window.__pwned") == "undefined"
