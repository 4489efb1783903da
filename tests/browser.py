"""Headless Chromium driven by chromedriver over the W3C WebDriver protocol (plain HTTP and JSON, spoken with
urllib; no selenium), shared by the browser tests (lesson 18's web app, the course's website).

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them a test that asks for a
browser is skipped, except under CI (`CI` set), where a missing browser is a failure."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome", "chromium-headless-shell")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C key of an element reference
START_PAGE = "data:,"  # the blank page chromedriver opens every session on


def find_browser() -> tuple[str, str]:
    """The browser binary and chromedriver; skips the test (fails it under CI) when either is missing."""
    browser = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    missing = " and ".join(name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path)
    reason = f"{missing} not found: install them with `apt-get install chromium chromium-driver`"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser test; .ci/run installs them)")
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebDriver:
    """A W3C WebDriver session: each command is one HTTP request to chromedriver."""

    def __init__(self, driver_url: str, capabilities: dict[str, Any]) -> None:
        self.driver_url = driver_url
        self.session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})["sessionId"]
        self._start_page_requests: set[str] = set()

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
        """The DevTools network events since the last call (chromedriver's performance log), without those of the
        blank start page: on a busy machine they can reach the log late, after a test has emptied it."""
        entries = self.command("POST", "/se/log", {"type": "performance"})
        events = [json.loads(entry["message"])["message"] for entry in entries]
        network = [event for event in events if event["method"].startswith("Network.")]
        for event in network:
            params = event["params"]
            if START_PAGE in (params.get("request", {}).get("url"), params.get("response", {}).get("url")):
                self._start_page_requests.add(params["requestId"])
        return [event for event in network if event["params"].get("requestId") not in self._start_page_requests]

    def console_errors(self) -> list[str]:
        return [e["message"] for e in self.command("POST", "/se/log", {"type": "browser"}) if e["level"] == "SEVERE"]

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.command("GET", "/screenshot")))
        return path

    def quit(self) -> None:
        self.command("DELETE", "")


@contextmanager
def chromium(window_size: str = "640,820") -> Iterator[WebDriver]:
    """Headless Chromium under chromedriver, every address but loopback blocked; quits it afterwards."""
    binary, driver_path = find_browser()
    port = free_port()
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
                        f"--window-size={window_size}",
                        # everything but loopback goes to a proxy that does not exist, names resolve to nothing
                        "--proxy-server=http://127.0.0.1:9",
                        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                    ],
                    "perfLoggingPrefs": {"enableNetwork": True, "enablePage": False},
                },
                "goog:loggingPrefs": {"performance": "ALL", "browser": "ALL"},
            },
        )
        try:
            yield session
        finally:
            session.quit()
    finally:
        driver.terminate()
        driver.wait(timeout=15)
