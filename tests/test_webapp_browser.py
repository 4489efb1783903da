"""Lesson 18's page in a real browser: headless Chromium, driven by chromedriver over the W3C WebDriver protocol
(plain HTTP and JSON, spoken here with urllib), opens the page from `pytorch-tutorial serve`, draws a 1 with the
mouse and a 7 with a finger (real pointer events), presses Predict and reads the answer from the page. The
browser runs with every address but loopback blocked: the page must load and work with no failed request.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the module is skipped,
except under CI (`CI` set), where a missing browser is a failure."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import torch
from conftest import run_lesson_at

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome", "chromium-headless-shell")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C key of an element reference


def _find_browser() -> tuple[str, str]:
    browser = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    missing = " and ".join(name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path)
    reason = f"{missing} not found: install them with `apt-get install chromium chromium-driver`"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser test; .ci/run installs them)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebDriver:
    """A W3C WebDriver session: each command is one HTTP request to chromedriver."""

    def __init__(self, driver_url: str, capabilities: dict[str, Any]) -> None:
        self.driver_url = driver_url
        self.session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})["sessionId"]

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.driver_url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)["value"]
        except urllib.error.HTTPError as error:
            raise AssertionError(f"WebDriver {method} {path}: {error.code} {error.read()[:500]!r}") from None

    def command(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def get(self, url: str) -> None:
        self.command("POST", "/url", {"url": url})

    def script(self, source: str, *args: Any) -> Any:
        return self.command("POST", "/execute/sync", {"script": source, "args": list(args)})

    def async_script(self, source: str, *args: Any) -> Any:
        return self.command("POST", "/execute/async", {"script": source, "args": list(args)})

    def click(self, css: str) -> None:
        element = self.command("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]
        self.command("POST", f"/element/{element}/click", {})

    def draw(self, points: list[tuple[float, float]], pointer: str) -> None:
        """One stroke through ``points`` (canvas pixels) with a real mouse or touch pointer."""
        box = self.script("const b = document.getElementById('pad').getBoundingClientRect(); return [b.x, b.y];")
        path = [(round(box[0] + 2 + x), round(box[1] + 2 + y)) for x, y in points]  # 2 px of border
        moves = [{"type": "pointerMove", "duration": 10, "origin": "viewport", "x": x, "y": y} for x, y in path]
        actions = [moves[0], {"type": "pointerDown", "button": 0}, *moves[1:], {"type": "pointerUp", "button": 0}]
        self.command(
            "POST",
            "/actions",
            {
                "actions": [
                    {"type": "pointer", "id": pointer, "parameters": {"pointerType": pointer}, "actions": actions}
                ]
            },
        )
        self.command("DELETE", "/actions")

    def wait_for(self, source: str, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.script(source)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for: {source}")

    def network_log(self) -> list[dict[str, Any]]:
        """The DevTools network events since the last call (chromedriver's performance log)."""
        entries = self.command("POST", "/se/log", {"type": "performance"})
        events = [json.loads(entry["message"])["message"] for entry in entries]
        return [event for event in events if event["method"].startswith("Network.")]

    def console_errors(self) -> list[str]:
        return [e["message"] for e in self.command("POST", "/se/log", {"type": "browser"}) if e["level"] == "SEVERE"]

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.command("GET", "/screenshot")))
        return path

    def quit(self) -> None:
        self.command("DELETE", "")


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
    binary, driver_path = _find_browser()
    port = _free_port()
    driver = subprocess.Popen(
        [driver_path, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    driver_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{driver_url}/status", timeout=2) as response:
                    if json.load(response)["value"]["ready"]:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline and driver.poll() is None, "chromedriver did not start"
            time.sleep(0.1)
        session = WebDriver(
            driver_url,
            {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": binary,
                    "args": [
                        "--headless=new",
                        "--no-sandbox",  # tests may run as root in a container
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--window-size=640,820",
                        # everything but loopback goes to a proxy that does not exist, names resolve to nothing
                        "--proxy-server=http://127.0.0.1:9",
                        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                    ],
                    "perfLoggingPrefs": {"enableNetwork": True, "enablePage": False},
                },
                "goog:loggingPrefs": {"performance": "ALL", "browser": "ALL"},
            },
        )
        yield session
        session.quit()
    finally:
        driver.terminate()
        driver.wait(timeout=15)


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
