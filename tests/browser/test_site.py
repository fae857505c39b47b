"""The course site in a real browser: offline, typeset, navigable, searchable, readable on a phone.

The site is built once per test run from the lessons' smoke runs (shared with
tests/test_lessons.py through ``conftest.lesson_run``) and served from 127.0.0.1 by a server
this module starts and stops (on each pytest-xdist worker that runs its tests).
Every request that leaves that server is blocked and reported: the site must need no network.
Screenshots of every page at 1280 px and 390 px go to ``build/test-artifacts/site/``.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import NOTEBOOKS, ROOT, lesson_run, need_browser, shared_lock

pytestmark = pytest.mark.xdist_group("site")

WIDTHS = (1280, 390)
LOCAL = ("data:", "blob:", "about:")


@pytest.fixture(scope="module")
def site() -> Path:
    """The course site, built once per test run: the first worker that needs it builds it, and a
    test on another worker waits on a file lock and reads it from disk."""
    need_browser()  # skip (or fail in CI) before running any lesson
    from cxlib.course import build_site

    with shared_lock("site") as folder:
        out = folder / "site" / "html"
        if (out / "index.html").exists():
            return out
        # two lessons at a time: a run is one kernel on one core (in `make test` the runs exist already)
        with ThreadPoolExecutor(2) as pool:  # three at a time was slower (690 s of CPU against 620 s)
            runs = dict(zip([p.stem for p in NOTEBOOKS], pool.map(lambda p: lesson_run(p.stem, "smoke"), NOTEBOOKS)))
        executed = [Path(r.output) for r in runs.values() if r.output]
        assert len(executed) == len(NOTEBOOKS), {s: r.error for s, r in runs.items() if not r.output}
        return build_site(executed, out, root=ROOT, records={s: r.records for s, r in runs.items()},
                          failures={s: r.reason or r.status for s, r in runs.items() if not r.ok}, echo=False)


@pytest.fixture(scope="module")
def base(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).parts[0].startswith("_"))


#: Where the site's pages send anything not addressed to 127.0.0.1: a proxy on a port nothing
#: listens on (127.0.0.1 itself bypasses it), so a remote request fails inside the browser. The
#: test also sees every request and reports any that leaves the server. (Routing each request
#: through the test instead, to abort it there, cost about 20 s of CPU over the site's pages.)
DEAD_PROXY = {"server": "http://127.0.0.1:1", "bypass": "127.0.0.1"}


def _open(browser, base: str, width: int):
    """A page that records console errors, failed requests and every request leaving ``base``."""
    page = browser.new_page(viewport={"width": width, "height": 900}, proxy=DEAD_PROXY)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: None if r.url.startswith((base, *LOCAL)) else problems.append(f"remote request: {r.url}"))
    return page, problems


def test_the_site_has_every_page(site):
    pages = set(_pages(site))
    lessons = {f"lessons/{p.stem}.html" for p in NOTEBOOKS}
    assert lessons <= pages
    assert {"index.html", "exercises.html", "bibliography.html", "api/index.html", "search.html"} <= pages
    from cxlib._course_site import READINGS

    assert {f"readings/{r[:-4]}.html" for r in READINGS} <= pages
    home = (site / "index.html").read_text()
    for p in NOTEBOOKS:  # the course map: every lesson, its question and labelled key results
        assert f'href="lessons/{p.stem}.html"' in home
    results = [part.split("</ul>")[0] for part in home.split("Key results")[1:]]
    assert len(results) == len(NOTEBOOKS), "a lesson shows no key results on the course map"
    for listed in results:  # formatted for people: no JSON braces or brackets
        assert "<li>" in listed and not set("{}[]") & set(re.sub("<[^>]+>", "", listed)), listed
    bib = (site / "bibliography.html").read_text()
    assert "Fader" in bib and "Gupta" in bib and "Heskett" in bib


#: The pages are checked in two halves: the second is in an xdist group of its own, so that in a
#: run of the browser tests alone the worker that ran JupyterLab checks it while the site's own
#: worker checks the first (that worker spends some four minutes running the lessons and building
#: the site, the other about as long in JupyterLab).
HALVES = [0, pytest.param(1, marks=pytest.mark.xdist_group("site-pages"))]


@pytest.mark.parametrize("half", HALVES)
def test_every_page_loads_offline_typeset_and_fits_a_phone(browser, base, site, artifacts, half):
    """Each page is loaded once at 1280 px, checked, and shot; then the window is narrowed to
    390 px (the page reflows through its CSS, as a phone's would) and checked and shot again.
    Loading every page again at 390 px cost 40 s of CPU; on every page the width it measured at
    390 px was the same as after narrowing."""
    shots = artifacts / "site"
    shots.mkdir(exist_ok=True)
    report = []
    page, problems = _open(browser, base, WIDTHS[0])
    for rel in _pages(site)[half::2]:
        problems.clear()
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        page.goto(base + rel, wait_until="load")
        if page.locator("span.math, div.math").count():
            # MathJax 3 replaces every TeX span with an <mjx-container>; wait until all are done
            page.wait_for_function("document.querySelectorAll('mjx-container').length > 0"
                                   " && !Array.from(document.querySelectorAll('span.math, div.math'))"
                                   ".some(e => !e.querySelector('mjx-container'))", timeout=30_000)
        broken = page.evaluate("Array.from(document.images)"
                               ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
        problems += [f"image not loaded: {src}" for src in broken]
        no_alt = page.evaluate("Array.from(document.querySelectorAll('article img'))"
                               ".filter(i => !(i.alt || '').trim()).map(i => i.src)")
        problems += [f"image without alt text: {src}" for src in no_alt]
        if "No description has been provided" in page.content():
            problems.append("nbconvert's placeholder alt text")
        for width in WIDTHS:
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": 900})
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                overflow = page.evaluate("document.documentElement.scrollWidth")
                if overflow > width + 2:
                    problems.append(f"page is {overflow} px wide on a {width} px screen")
            # JPEG: Chromium encodes it faster than PNG (4 s of CPU less over the 84 shots)
            page.screenshot(path=str(shots / f"{rel.replace('/', '_')[:-5]}-{width}.jpg"), quality=85)
        report += [f"{rel}: {p}" for p in problems]
    page.close()
    assert not report, "\n".join(report)


def test_lessons_show_figures_and_explorers_statically(site):
    for p in NOTEBOOKS:
        text = (site / "lessons" / f"{p.stem}.html").read_text()
        assert "application/vnd.jupyter.widget" not in text, f"{p.stem}: a widget view is left on the page"
        assert "<img" in text, f"{p.stem}: no figure"
        if "widgets." in p.read_text():  # a lesson with an explorer shows its default view
            assert "This explorer is live in JupyterLab" in text, p.stem


LINKS_JS = """([html, url]) => {
  // a page's previous and next links, read from its HTML without rendering it
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const href = (sel) => { const a = doc.querySelector(sel); return a ? new URL(a.getAttribute('href'), url).href : null; };
  return {prev: href('a.left-prev'), next: href('a.right-next')};
}"""


def test_previous_next_and_the_sidebar_reach_every_lesson(browser, base):
    """The home page's sidebar links every lesson; "next", followed from the home page, visits
    them all in order, and each page's "previous" leads back. The first step is a real click; the
    rest of the chain is read from each page's HTML (the test above renders every page)."""
    page, problems = _open(browser, base, 1280)
    page.goto(base + "index.html")
    sidebar = page.eval_on_selector_all("nav.bd-docs-nav a", "as => as.map(a => a.getAttribute('href'))")
    lessons = [f"lessons/{p.stem}.html" for p in NOTEBOOKS]
    for lesson in lessons:
        assert any(h.endswith(lesson) for h in sidebar), f"{lesson} is not in the sidebar"
    page.locator("a.right-next").first.click()
    page.wait_for_load_state("load")
    chain = [base + "index.html", page.url]
    while len(chain) < len(lessons) + 12:
        links = page.evaluate(LINKS_JS, [page.request.get(chain[-1]).text(), chain[-1]])
        assert links["prev"] == chain[-2], f"'previous' on {chain[-1]} leads to {links['prev']}, not {chain[-2]}"
        if not links["next"]:
            break
        chain.append(links["next"])
    visited = [u.removeprefix(base) for u in chain[1:]]
    assert [v for v in visited if v.startswith("lessons/")] == lessons, visited
    page.close()
    assert not problems, problems


def test_search_finds_a_lesson_by_a_word_from_its_text(browser, base):
    page, problems = _open(browser, base, 1280)
    page.goto(base + "search.html?q=Heskett")
    page.wait_for_selector("#search-results ul.search li", timeout=30_000)
    hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.getAttribute('href'))")
    assert any("09_service_profit_chain" in h for h in hits), hits
    page.close()
    assert not problems, problems


def test_a_remote_request_is_reported_and_fails(browser):
    """The guard of the tests above: a page asking for anything beyond 127.0.0.1 is caught, and
    the request never leaves the machine."""
    page, problems = _open(browser, "http://127.0.0.1:9/", 1280)
    page.set_content('<img src="https://cdn.example.org/x.png"><script src="http://cdn.example.org/m.js"></script>')
    page.wait_for_load_state("load")
    page.close()
    for url in ("https://cdn.example.org/x.png", "http://cdn.example.org/m.js"):
        assert f"remote request: {url}" in problems, problems
        assert any(p.startswith(f"request failed: {url} (net::ERR_PROXY_CONNECTION_FAILED)") for p in problems), problems
