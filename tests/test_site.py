"""`pytorch-tutorial site`: every lesson a page with its outputs and figures, nothing loaded from another host,
every internal link resolves, exercises without solutions, and a lesson that fails stops the build by name.

The site is built once per session in quick mode (small settings, as the notebook tests use); the cache and
failure tests build a one-lesson site of their own. The end of the module opens every page in headless Chromium."""

from __future__ import annotations

import ast
import functools
import http.server
import re
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser import chromium
from conftest import ROOT, assert_usage_error, run_cli_here
from site_build import quick_site

from pytorch_tutorial import course, site
from pytorch_tutorial.exercises import catalog

# what a browser fetches by itself: these must never name another host
LOADED = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src")}
LOADED |= {("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("img", "srcset")}


class _Page(HTMLParser):
    """The links, loaded resources, element ids and text of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.loaded: list[str] = []
        self.ids: set[str] = set()
        self.images: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and tag != "meta":
                self.ids.add(value)
            if (tag, name) in LOADED:
                self.loaded.append(value)
            if name == "href" and tag == "a":
                self.links.append(value)
            if name == "style":
                self.styles.append(value)
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _is_other_host(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "data", "mailto", "javascript")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> site.BuildResult:
    return quick_site(tmp_path_factory)


@pytest.fixture(scope="module")
def parsed(built) -> dict[Path, _Page]:
    return {path: _parse(path) for path in built.pages}


def _lesson_page(built: site.BuildResult, lesson: course.Lesson) -> Path:
    return built.out / "lessons" / f"{site.page_name(lesson)}.html"


def test_every_lesson_has_a_page_with_its_executed_outputs(built, parsed):
    lessons = course.available_lessons()
    assert sorted(built.run_seconds) == [lesson.number for lesson in lessons]
    for lesson in lessons:
        path = _lesson_page(built, lesson)
        assert path in parsed, lesson.number
        html = path.read_text(encoding="utf-8")
        outputs = re.findall(r'<div class="cell_output docutils container">(.*?)</div>\s*</div>', html, re.S)
        assert outputs, f"lesson {lesson.number}: no executed output on its page"
        assert "[report]" in html, lesson.number  # it ran to its last cell
        # no ipywidgets warning box (tqdm.auto in a kernel) in what a learner reads
        assert "TqdmWarning" not in html and "IProgress" not in html, lesson.number
        assert f"Lesson {lesson.number}" in "".join(parsed[path].text)
        assert "PYTORCH_TUTORIAL_LESSON" not in html  # the notebook's setup cell is hidden


def test_every_lesson_that_saves_a_figure_shows_it(built, parsed):
    shown = 0
    for lesson in course.available_lessons():
        if "runtime.save_figure(" not in lesson.path.read_text(encoding="utf-8"):
            continue
        path = _lesson_page(built, lesson)
        images = [src for src in parsed[path].images if "_images/" in src]
        assert images, f"lesson {lesson.number} saves a figure but its page shows none"
        for src in images:
            file = (path.parent / unquote(src)).resolve()
            assert file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", src
        shown += 1
    assert shown >= 5  # lessons 5, 7, 10, 12, 13, 14 ... draw figures


def test_no_page_loads_anything_from_another_host(built, parsed):
    for path, page in parsed.items():
        other = [url for url in page.loaded if _is_other_host(url)]
        styles = [url for text in page.styles for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text)]
        assert not other + [url for url in styles if _is_other_host(url)], path
    assets = [p for p in built.out.rglob("*") if p.suffix in (".css", ".js") and ".build" not in p.parts]
    assert assets
    for asset in assets:
        text = asset.read_text(encoding="utf-8", errors="replace")
        if asset.suffix == ".css":
            urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text) + re.findall(r"@import\s+['\"]([^'\"]+)", text)
            assert not [url for url in urls if _is_other_host(url)], asset
        else:  # a script's code names no other host (comments may cite one; an SVG namespace is never fetched)
            code = re.sub(r"(^|\s)//.*", "", re.sub(r"/\*.*?\*/", "", text, flags=re.S))
            hosts = set(re.findall(r"[\"'`]https?://([^/\"'`\s]+)", code)) - {"www.w3.org"}
            assert not hosts, (asset, hosts)
    # the only references to other hosts are plain links a reader may follow: sources of data, the theme's credit
    links = {urlsplit(url).netloc for page in parsed.values() for url in page.links if _is_other_host(url)}
    print(f"\nlinks (not loads) to other hosts: {sorted(links)}")


def test_every_internal_link_and_resource_resolves(built, parsed):
    ids = {path.resolve(): page.ids for path, page in parsed.items()}
    checked = 0
    for path, page in parsed.items():
        for url in page.links + page.loaded:
            parts = urlsplit(url)
            if _is_other_host(url) or url.startswith(("data:", "mailto:", "javascript:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path.resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{path.relative_to(built.out)}: {url} does not resolve"
            if parts.fragment and target.suffix == ".html":
                assert unquote(parts.fragment) in ids[target], f"{path.relative_to(built.out)}: {url}: no such anchor"
            checked += 1
    assert checked > 100


def test_the_home_page_says_what_the_course_is_and_lists_every_lesson(built, parsed):
    page = parsed[built.index]
    text = "".join(page.text)
    assert "PyTorch Tutorial" in text
    for line in site.QUICK_START:
        assert line in text
    html = built.index.read_text(encoding="utf-8")
    for lesson in course.available_lessons():
        link = f"lessons/{site.page_name(lesson)}.html"
        assert link in page.links, lesson.number
        row = re.search(rf"<tr[^>]*>\s*<td[^>]*><p>{lesson.number}</p></td>.*?</tr>", html, re.S)
        assert row, lesson.number
        cells = re.findall(r"<td[^>]*><p>(.*?)</p></td>", row.group(0), re.S)
        assert cells[-2] == str(course.core_lines(lesson)), (lesson.number, cells)
        assert float(cells[-1]) == pytest.approx(built.run_seconds[lesson.number], abs=0.051)
    assert (
        "exercises.html" in page.links
        and "api.html" in page.links
        and "search.html" in " ".join(page.loaded + page.links)
    )


def test_quick_start_on_the_home_page_is_the_readmes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- quickstart:begin -->")[1].split("<!-- quickstart:end -->")[0]
    assert [line for line in block.splitlines() if line and not line.startswith("```")] == list(site.QUICK_START)


def test_lesson_pages_show_their_exercises_and_links_but_never_a_solution(built, parsed):
    for lesson in course.available_lessons():
        path = _lesson_page(built, lesson)
        text = "".join(parsed[path].text)
        downloads = [url for url in parsed[path].links if "_downloads/" in url]
        assert {Path(url).name for url in downloads} >= {
            f"{site.page_name(lesson)}.ipynb",
            f"{site.page_name(lesson)}.py",
        }
        for exercise, stub in site.exercise_tasks(lesson.number):
            assert f"Exercise {exercise.id}" in text and exercise.title in text, exercise.id
            assert f"pytorch-tutorial check {exercise.id}" in text
            # the stub text is signatures and docstrings only: every function body is its docstring and `...`
            for node in ast.walk(ast.parse(stub)):
                if isinstance(node, ast.FunctionDef):
                    kinds = [type(statement).__name__ for statement in node.body]
                    assert kinds in (["Expr"], ["Expr", "Expr"]), (exercise.id, node.name, kinds)
                    assert isinstance(node.body[-1].value, ast.Constant), (exercise.id, node.name)
            for name in exercise.names:
                assert name in text
    # every exercise of a built lesson is on its page
    built_lessons = {lesson.number for lesson in course.available_lessons()}
    expected = [e.id for e in catalog.EXERCISES if e.lesson in built_lessons]
    shown = [e.id for lesson in course.available_lessons() for e, _ in site.exercise_tasks(lesson.number)]
    assert shown == expected


def test_the_exercises_page_and_the_api_page(built, parsed):
    exercises = "".join(parsed[built.out / "exercises.html"].text).replace("\u2019", "'")  # Sphinx's smart quotes
    assert "pytorch-tutorial check" in exercises and "pytorch-tutorial exercises start" in exercises
    for exercise in catalog.EXERCISES:
        if course.BY_NUMBER[exercise.lesson].path.exists():
            assert exercise.title in exercises, exercise.id
    api = parsed[built.out / "api.html"]
    for module in site.API_MODULES:
        assert f"module-pytorch_tutorial.{module}" in api.ids, module
    assert "pytorch_tutorial.engine.train_epoch" in api.ids
    from pytorch_tutorial import engine

    first_line = engine.train_epoch.__doc__.strip().splitlines()[0]
    assert first_line.split("``")[0].strip() in "".join(api.text)  # the docstring is there


def test_search_index_knows_the_dataloader_lesson(built):
    index = (built.out / "searchindex.js").read_text(encoding="utf-8")
    assert "dataloader" in index.lower() and "lessons/l09_dataloader" in index


def test_site_command_usage_errors(tmp_path):
    file = tmp_path / "afile"
    file.write_text("x", encoding="utf-8")
    assert_usage_error(run_cli_here("site", "--out", str(file)), "--out", "is a file")
    proc = run_cli_here("site", "--help")
    assert proc.returncode == 0 and "--open" in proc.stdout


@dataclass(frozen=True)
class ScratchLesson(course.Lesson):
    """A lesson whose file lives in a test's folder."""

    folder: str = ""

    @property
    def path(self) -> Path:
        return Path(self.folder) / f"l{self.number:02d}_{self.slug}.py"


SCRATCH = """# %% [markdown]
# # Lesson 99 — Scratch
# {sentence}

# %%
print("the answer is", {answer})
"""


def test_a_prose_edit_runs_nothing_again_and_a_code_edit_reruns_the_lesson(tmp_path):
    lesson = ScratchLesson(99, "scratch", "Scratch", "a one-cell lesson", folder=str(tmp_path))
    lesson.path.write_text(SCRATCH.format(sentence="First words.", answer=41), encoding="utf-8")
    out = tmp_path / "site"
    first = site.build(out, lessons=[lesson], jobs=1, echo=False)
    assert first.executed == [99] and not first.warnings, first.warnings
    page = out / "lessons" / "l99_scratch.html"
    assert "the answer is 41" in page.read_text(encoding="utf-8")

    lesson.path.write_text(SCRATCH.format(sentence="Second words, edited.", answer=41), encoding="utf-8")
    start = time.perf_counter()
    second = site.build(out, lessons=[lesson], jobs=1, echo=False)
    print(f"\nrebuild after a prose edit: {time.perf_counter() - start:.1f} s")
    assert second.executed == []  # myst-nb's cache keys on the code: nothing ran
    html = page.read_text(encoding="utf-8")
    assert "Second words, edited." in html and "First words." not in html and "the answer is 41" in html

    lesson.path.write_text(SCRATCH.format(sentence="Second words, edited.", answer=42), encoding="utf-8")
    third = site.build(out, lessons=[lesson], jobs=1, echo=False)
    assert third.executed == [99] and "the answer is 42" in page.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l99_scratch.py", "site"]  # nothing beside the site


def test_what_a_cell_printed_is_one_block_however_the_kernel_sent_it():
    import nbformat

    cell = nbformat.v4.new_code_cell("print('a'); print('b', file=sys.stderr); print('c'); print('d')")
    stream = nbformat.v4.new_output
    cell.outputs = [
        stream("stream", name="stdout", text="a"),  # a print's line end may arrive in the next message
        stream("stream", name="stdout", text="\n"),
        stream("stream", name="stderr", text="b\n"),
        stream("stream", name="stdout", text="c\n"),
        stream("stream", name="stdout", text="d\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_markdown_cell("text")])
    joined = site._join_streams(nb).cells[0].outputs
    assert [(o.name, o.text) for o in joined] == [("stdout", "a\n"), ("stderr", "b\n"), ("stdout", "c\nd\n")]


def test_a_broken_lesson_fails_the_build_with_its_name_and_error(tmp_path):
    lesson = ScratchLesson(98, "broken", "Broken on purpose", "raises", folder=str(tmp_path))
    lesson.path.write_text("# %% [markdown]\n# # Lesson 98 — Broken\n\n# %%\nprint(1 / 0)\n", encoding="utf-8")
    with pytest.raises(site.BuildError) as failure:
        site.build(tmp_path / "site", lessons=[lesson], jobs=1, echo=False)
    assert str(failure.value) == "lesson 98 (Broken on purpose) failed: ZeroDivisionError: division by zero"
    assert not (tmp_path / "site" / "index.html").exists()  # no page is written, not even an empty one


# ---------------------------------------------------------------------------------------------------------
# The site in a real browser: headless Chromium (tests/browser.py) opens every page from a server on loopback,
# with every other address blocked. Each page loads with no console error and no failed request, every image
# has loaded, and Sphinx's search (JavaScript over searchindex.js) finds lesson 9 for `DataLoader`. (In this
# module, not one of its own, so that pytest-xdist's --dist loadfile gives the build and its readers one worker
# instead of leaving a second worker waiting for the build.)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


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
