"""Lesson 18's page in a real browser: headless Chromium, driven by chromedriver over the W3C WebDriver protocol
(plain HTTP and JSON, spoken here with urllib), opens the page from `pytorch-tutorial serve`, draws a 1 with the
mouse and a 7 with a finger (real pointer events), presses Predict and reads the answer from the page. The
browser runs with every address but loopback blocked: the page must load and work with no failed request.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the module is skipped,
except under CI (`CI` set), where a missing browser is a failure."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from browser import chromium
from conftest import run_lesson_at


def _stroke(*corners: tuple[float, float], step: float = 8.0) -> list[tuple[float, float]]:
    """Points every ``step`` pixels along the straight segments between ``corners``."""
    points = [corners[0]]
    for (x0, y0), (x1, y1) in zip(corners, corners[1:], strict=False):
        count = max(1, round(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 / step))
        points += [(x0 + (x1 - x0) * k / count, y0 + (y1 - y0) * k / count) for k in range(1, count + 1)]
    return points


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`pytorch-tutorial serve` on a free loopback port, with the model lesson 18 trains."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        lesson = run_lesson_at(18, tmp_path_factory.mktemp("outputs"))
    finally:
        torch.set_num_threads(threads)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytorch_tutorial",
            "serve",
            "--port",
            "0",
            "--checkpoint",
            str(lesson.namespace["model_path"]),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line = process.stdout.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    assert found, (line, process.stderr.read() if process.poll() is not None else "")
    yield found.group(1)
    process.terminate()
    process.communicate(timeout=15)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium under chromedriver; every address but loopback blocked."""
    with chromium(window_size="640,820") as session:
        yield session


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser")


def test_the_page_loads_with_everything_but_loopback_blocked_and_no_failed_request(browser, server):
    browser.network_log()  # start from an empty log
    browser.get(f"{server}/")
    assert browser.script("return document.title") == "Digit classifier"
    events = browser.network_log()
    requested = [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]
    assert requested == [f"{server}/"]  # the page only: no script, style, font or icon fetched
    assert [e for e in events if e["method"] == "Network.loadingFailed"] == []
    statuses = [e["params"]["response"]["status"] for e in events if e["method"] == "Network.responseReceived"]
    assert statuses == [200]
    assert browser.console_errors() == []
    # the blocking is real and the log shows a failure when there is one: the outside is unreachable
    outcome = browser.async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('https://example.com/').then(() => done('reached'), (error) => done('failed: ' + error));"
    )
    assert outcome.startswith("failed")
    assert [e for e in browser.network_log() if e["method"] == "Network.loadingFailed"]
    browser.console_errors()  # the console reports that failed fetch: drop it


@pytest.mark.parametrize(
    ("digit", "pointer", "corners"),
    [
        (1, "mouse", [(140, 45), (138, 235)]),  # a vertical stroke
        (7, "touch", [(70, 60), (215, 60), (120, 235)]),  # a bar and a slanted stem, with a finger
    ],
)
def test_a_digit_drawn_on_the_canvas_is_recognised(browser, server, screenshots, digit, pointer, corners):
    browser.get(f"{server}/")
    browser.network_log()
    browser.draw(_stroke(*corners), pointer)
    inked = browser.script(
        "const d = document.getElementById('pad').getContext('2d').getImageData(0, 0, 280, 280).data;"
        "let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++; return n;"
    )
    assert inked > 1500, f"the stroke left only {inked} dark pixels: the pointer events did not draw"
    browser.click("#predict")
    shown = browser.wait_for("const p = document.getElementById('prediction'); return p && p.textContent;")
    bars = browser.script("return document.querySelectorAll('#bars .bar').length")
    text = browser.script("return document.body.innerText")
    path = browser.screenshot(screenshots / f"drawn_{digit}.png")
    print(f"\nscreenshot of the page with its answer: {path}")
    assert shown == str(digit), text
    assert bars == 3 and re.search(r"\d+\.\d %", text)
    posts = [
        e["params"]["request"]
        for e in browser.network_log()
        if e["method"] == "Network.requestWillBeSent" and e["params"]["request"]["method"] == "POST"
    ]
    assert [request["url"] for request in posts] == [f"{server}/predict"]
    assert browser.console_errors() == []
    browser.click("#clear")
    assert browser.script("return document.getElementById('prediction')") is None
