"""The course's website in a real browser: headless Chromium (tests/browser.py) opens every page from a server on
loopback, with every other address blocked. Each page loads with no console error and no failed request, every
image has loaded, and Sphinx's search (JavaScript over searchindex.js) finds lesson 9 for `DataLoader`.

Uses the site test_site.py builds (once per session, quick mode)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from browser import chromium
from site_build import quick_site

from pytorch_tutorial import course, site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> site.BuildResult:
    return quick_site(tmp_path_factory)


@pytest.fixture(scope="module")
def server(built):
    """The built site over HTTP on a free loopback port, as any static host would serve it."""
    handler = functools.partial(_QuietHandler, directory=str(built.out))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with chromium(window_size="1200,1400") as session:
        yield session


def _load(browser, url: str) -> dict:
    """Open ``url``, wait until it and its images have loaded; what was requested, what failed, what the console said."""
    browser.network_log()  # start from an empty log
    browser.get(url)
    browser.wait_for("return document.readyState === 'complete'")
    browser.wait_for("return Array.from(document.images).every((image) => image.complete)")
    broken = browser.script(
        "return Array.from(document.images).filter((image) => !(image.naturalWidth > 0)).map((image) => image.src)"
    )
    images = browser.script("return document.images.length")
    events = browser.network_log()
    requested = [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]
    failed = [e["params"] for e in events if e["method"] == "Network.loadingFailed"]
    statuses = [
        (e["params"]["response"]["url"], e["params"]["response"]["status"])
        for e in events
        if e["method"] == "Network.responseReceived"
    ]
    return {
        "requested": requested,
        "failed": failed,
        "bad_status": [(u, s) for u, s in statuses if s >= 400],
        "broken_images": broken,
        "images": images,
        "console_errors": browser.console_errors(),
    }


def test_every_page_loads_with_no_console_error_no_failed_request_and_every_image(built, server, browser):
    seen = {"pages": 0, "requests": 0, "images": 0}
    for path in built.pages:
        url = f"{server}/{path.relative_to(built.out).as_posix()}"
        report = _load(browser, url)
        where = path.relative_to(built.out)
        assert report["failed"] == [], (where, report["failed"])
        assert report["bad_status"] == [], (where, report["bad_status"])
        assert report["console_errors"] == [], (where, report["console_errors"])
        assert report["broken_images"] == [], (where, report["broken_images"])
        assert all(request.startswith(server) or request.startswith("data:") for request in report["requested"])
        seen["pages"] += 1
        seen["requests"] += len(report["requested"])
        seen["images"] += report["images"]
    print(f"\nbrowser: {seen['pages']} pages, {seen['requests']} requests, {seen['images']} images, all loaded")
    assert seen["pages"] == len(built.pages) >= len(course.available_lessons()) + 3


def test_a_lesson_page_as_a_reader_sees_it(built, server, browser, tmp_path_factory):
    lesson = course.BY_NUMBER[13] if course.BY_NUMBER[13].path.exists() else course.available_lessons()[0]
    _load(browser, f"{server}/lessons/{site.page_name(lesson)}.html")
    assert browser.script("return document.querySelectorAll('.cell_output').length") > 0
    title = browser.script("return document.querySelector('h1').textContent")
    assert title.startswith(f"Lesson {lesson.number}"), title
    # the first figure, with the code that drew it above it
    browser.script(
        "const image = document.querySelector('.cell_output img');"
        "if (image) { image.closest('.cell').scrollIntoView(); window.scrollBy(0, -40); }"
    )
    path = browser.screenshot(Path(tmp_path_factory.mktemp("site_browser")) / "site_lesson.png")
    print(f"\nscreenshot of lesson {lesson.number}'s page: {path}")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_searching_for_dataloader_finds_lesson_9(built, server, browser, tmp_path_factory):
    report = _load(browser, f"{server}/search.html?q=DataLoader")
    results = browser.wait_for(
        "const links = Array.from(document.querySelectorAll('#search-results ul.search li a'));"
        "return links.length ? links.map((a) => a.getAttribute('href')) : null;",
        timeout=30,
    )
    assert any("lessons/l09_dataloader.html" in href for href in results), results
    assert browser.console_errors() == [] and report["failed"] == []
    print(f"\nsearch for DataLoader: {len(results)} results, lesson 9 among them")
