"""Lesson 18 and the web app: the lesson's three ways to talk to the app, the course's app through its test client
(right digits, a 4xx JSON error for every bad request, and the next request still answered), the lesson's app
and the course's giving the same answers, `pytorch-tutorial serve` for real on a free loopback port, and its page in
headless Chromium with a digit drawn by real pointer events."""

from __future__ import annotations

import functools
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import pytest
import torch
from browser import chromium
from conftest import assert_usage_error, run_cli_here, run_lesson_at
from PIL import Image
from test_predict import draw_digit, png_bomb, render

from pytorch_tutorial import course, predict, runtime, webapp
from pytorch_tutorial.data import mnist

LESSON = course.BY_NUMBER[18]


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    """Lesson 18 run once with its default settings."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # on a busy 2-core machine one thread is several times faster than two
    try:
        return run_lesson_at(18, tmp_path_factory.mktemp("outputs"))
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def model_path(lesson) -> Path:
    return lesson.namespace["model_path"]


@pytest.fixture(scope="module")
def client(model_path):
    return webapp.create_app(model_path).test_client()


def png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(client, data: bytes, field: str = "file", name: str = "digit.png"):
    return client.post("/predict", data={field: (io.BytesIO(data), name)})


@pytest.fixture(scope="module")
def digit_files() -> list[tuple[bytes, int]]:
    """Real test digits of every class blown up onto large pages (both polarities, PNG and JPEG), and digits
    drawn with strokes: what a learner photographs or draws."""
    images, labels = mnist.tensors(train=False)
    rng = np.random.default_rng(18)
    files = []
    for digit in range(10):
        index = int(torch.nonzero(labels == digit)[0])
        pixels = (images[index, 0].numpy() * 255).astype(np.uint8)
        files.append((png(render(pixels, rng, light_paper=False)), digit))
        files.append((png(render(pixels, rng, light_paper=True), "JPEG"), digit))
    files += [(png(draw_digit(digit, light_paper=True)), digit) for digit in (0, 1, 4, 7)]
    return files


# ---------------------------------------------------------------------------------------------------------
# The lesson


def test_core_is_at_most_100_lines_and_ends_before_going_further():
    assert course.core_lines(LESSON) <= 100
    assert "# ## Going further" in LESSON.path.read_text(encoding="utf-8")


def test_the_lesson_trains_saves_and_answers_through_the_test_client_and_a_real_server(lesson):
    metrics, namespace = lesson.metrics, lesson.namespace
    assert metrics["test_accuracy"] >= 0.9  # held-out digits
    assert metrics["client_prediction"] == metrics["true_digit"] == int(mnist.tensors(train=False)[1][0])
    assert metrics["server_prediction"] == metrics["true_digit"]
    assert namespace["server_answer"] == namespace["client_answer"]  # the same app, with and without a network
    assert namespace["server_status"] == 200 and namespace["wrong_field_status"] == 400
    assert not namespace["server"].thread.is_alive()  # the lesson stopped its server
    probabilities = [guess["probability"] for guess in namespace["client_answer"]["top3"]]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1.0 + 1e-3
    # the model was saved as a plain weights file that `predict` and `serve` load
    assert namespace["model_path"].parent.name == "18-deploy"
    classifier = predict.load_classifier(namespace["model_path"])
    assert classifier.input_size == 32 and classifier.mean == mnist.MEAN


def test_going_further_shows_every_bad_request_and_the_course_app_agrees(lesson):
    metrics = lesson.metrics
    assert metrics["bad_statuses"] == {
        "no file": 400,
        "wrong field name": 400,
        "empty file": 400,
        "not an image": 415,
        "blank page": 422,
        "decompression bomb": 413,
        "too large": 413,
        "GET /predict": 405,
        "GET /nowhere": 404,
    }
    assert metrics["same_answer"] is True
    assert 0 < metrics["median_ms"] < 100  # the benchmark holds it to 50 ms over 100 requests


def test_the_lessons_app_and_the_course_app_give_the_same_answers(lesson, client, digit_files):
    lessons_client = lesson.namespace["app"].test_client()
    for data, _ in digit_files:
        assert upload(lessons_client, data).get_json() == upload(client, data).get_json()
    bad = {
        "no file": lambda c: c.post("/predict", data={}),
        "wrong field": lambda c: upload(c, digit_files[0][0], field="image"),
        "empty": lambda c: upload(c, b""),
        "not an image": lambda c: upload(c, b"GIF89a? no, plain text"),
        "a GIF": lambda c: upload(c, png(draw_digit(7, True), "GIF")),
        "blank": lambda c: upload(c, png(Image.new("L", (200, 200), 250))),
    }
    for name, send in bad.items():
        ours, course_app = send(lessons_client), send(client)
        assert ours.status_code == 400 and 400 <= course_app.status_code < 500, name
        assert course_app.get_json()["error"].startswith(ours.get_json()["error"]), name


def test_the_lesson_prints_the_command_that_opens_the_page(lesson, capsys):
    source = LESSON.path.read_text(encoding="utf-8")
    assert 'print(f"    pytorch-tutorial serve --checkpoint {model_path}")' in source
    assert "http://127.0.0.1:8000/" in source


# ---------------------------------------------------------------------------------------------------------
# The course's app through its test client


def test_digits_get_the_right_answer(client, digit_files):
    correct = 0
    for data, digit in digit_files:
        response = upload(client, data)
        assert response.status_code == 200 and response.is_json
        body = response.get_json()
        assert set(body) == {"prediction", "class_name", "top3"}
        assert body["class_name"] == str(body["prediction"]) == body["top3"][0]["class_name"]
        assert [set(guess) for guess in body["top3"]] == [{"digit", "class_name", "probability"}] * 3
        probabilities = [guess["probability"] for guess in body["top3"]]
        assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1.0 + 1e-3
        correct += body["prediction"] == digit
    assert correct >= 0.9 * len(digit_files), f"{correct}/{len(digit_files)}"
    for digit in (1, 7):  # the two the browser test draws
        assert upload(client, png(draw_digit(digit, light_paper=False))).get_json()["prediction"] == digit


def multipart(fields: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="x.png"\r\n\r\n'.encode()
        + data
        + b"\r\n"
        for name, data in fields.items()
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


BAD_REQUESTS = {
    # name: (send it, status, a phrase of the error)
    "no body": (lambda c, d: c.post("/predict"), 400, "form field named 'file'"),
    "wrong field name": (lambda c, d: upload(c, d, field="image"), 400, "this request has 'image'"),
    "a form field, not a file": (lambda c, d: c.post("/predict", data={"file": "7"}), 400, "this request has 'file'"),
    "empty file": (lambda c, d: upload(c, b""), 400, "the upload is empty"),
    "not an image": (lambda c, d: upload(c, b"%PDF-1.4 not a picture"), 415, "not an image file"),
    "a GIF": (lambda c, d: upload(c, png(draw_digit(7, True), "GIF")), 415, "PNG or JPEG"),
    "truncated PNG": (lambda c, d: upload(c, d[:100]), 415, "unreadable"),
    "blank image": (lambda c, d: upload(c, png(Image.new("L", (300, 200), 240))), 422, "no digit found"),
    "decompression bomb": (lambda c, d: upload(c, bomb()), 413, "400,000,000 pixels"),
    "too many pixels": (lambda c, d: upload(c, png(Image.new("1", (6000, 6000)))), 413, "6000x6000 pixels, more"),
    "too large": (
        lambda c, d: upload(c, bytes(webapp.MAX_UPLOAD_BYTES + 1)),
        413,
        "larger than the limit of 2,097,152",
    ),
    "JSON instead of a form": (lambda c, d: c.post("/predict", json={"file": "x"}), 400, "form field named 'file'"),
    "broken multipart": (
        lambda c, d: c.post("/predict", data=b"--x\r\nnot a part", content_type="multipart/form-data; boundary=x"),
        400,
        "",
    ),
    "GET /predict": (lambda c, d: c.get("/predict"), 405, "GET is not allowed on /predict"),
    "PUT /": (lambda c, d: c.put("/"), 405, "PUT is not allowed on /"),
    "unknown page": (lambda c, d: c.get("/admin"), 404, "no page at /admin"),
}


@functools.cache
def bomb() -> bytes:
    """A real decompression bomb: 400 million pixels in a few kilobytes."""
    with tempfile.TemporaryDirectory() as folder:
        data = png_bomb(Path(folder) / "bomb.png", 20_000, 20_000).read_bytes()
    assert len(data) < 100_000
    return data


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_every_bad_request_gets_its_4xx_json_error_is_logged_and_the_next_request_is_answered(
    client, digit_files, case, caplog
):
    send, status, phrase = BAD_REQUESTS[case]
    good = digit_files[0][0]
    with caplog.at_level(logging.INFO, logger="pytorch_tutorial.webapp"):
        response = send(client, good)
    assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.is_json and set(response.get_json()) == {"error"}
    message = response.get_json()["error"]
    assert phrase in message and "Traceback" not in message
    assert any(r.levelno == logging.WARNING and f"-> {status}: {message}" in r.getMessage() for r in caplog.records)
    if status == 405:
        assert response.headers["Allow"]
    again = upload(client, good)
    assert again.status_code == 200 and again.get_json()["prediction"] == digit_files[0][1]


def test_a_bug_is_a_500_json_error_logged_with_its_traceback(model_path, digit_files, monkeypatch, caplog):
    client = webapp.create_app(model_path).test_client()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the model code")

    monkeypatch.setattr(predict, "top_k", broken)
    with caplog.at_level(logging.ERROR, logger="pytorch_tutorial.webapp"):
        response = upload(client, digit_files[0][0])
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal error: the server could not answer this request"}
    assert any(record.exc_info and "a bug in the model code" in str(record.exc_info[1]) for record in caplog.records)


def test_the_page_draws_with_pointer_events_and_fetches_nothing_from_outside(client):
    response = client.get("/")
    assert response.status_code == 200 and response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert '<canvas id="pad"' in page and "touch-action: none" in page
    assert ">Predict</button>" in page and ">Clear</button>" in page
    assert 'addEventListener("pointerdown"' in page and 'addEventListener("pointermove"' in page
    assert '"pointerup", "pointercancel"' in page  # mouse, pen and touch alike
    assert 'fetch("predict"' in page and 'form.append("file"' in page
    # no external script, style, font or image: every src/href/url()/@import is inline data or relative
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)|url\(([^)]*)\)|@import\s+["']?([^"';]+)""", page)
    assert [ref for ref in sum(map(list, references), []) if ref and not ref.startswith("data:")] == []
    assert "http://" not in page and "https://" not in page and "<script src" not in page


def test_limits_and_the_default_checkpoint(model_path, monkeypatch, tmp_path, digit_files):
    small = webapp.create_app(model_path, max_upload_bytes=1000, max_pixels=10_000).test_client()
    assert upload(small, bytes(2000)).status_code == 413
    assert "1,000 bytes" in upload(small, bytes(2000)).get_json()["error"]
    tiny = png(Image.new("L", (101, 100), 0))
    assert upload(small, tiny).status_code == 413
    assert "101x100 pixels, more than 10,000" in upload(small, tiny).get_json()["error"]
    monkeypatch.setenv("PYTORCH_TUTORIAL_CHECKPOINT", str(model_path))
    assert upload(webapp.create_app().test_client(), digit_files[0][0]).status_code == 200
    monkeypatch.delenv("PYTORCH_TUTORIAL_CHECKPOINT")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(runtime.UsageError, match="outputs/18-deploy/lenet_mnist.pt does not exist"):
        webapp.create_app()


def test_background_server_starts_and_stops_cleanly_every_time(model_path, digit_files):
    """Closing waitress's sockets from another thread races with its loop (EBADF in about 1 stop in 5): the
    server closes them from its own thread, after the workers have finished."""
    app = webapp.create_app(model_path)
    errors: list[str] = []
    previous = threading.excepthook
    threading.excepthook = lambda hook: errors.append(f"{hook.exc_type.__name__}: {hook.exc_value}")
    handler = _ListHandler()
    logging.getLogger("waitress").addHandler(handler)
    try:
        for _ in range(15):
            with webapp.BackgroundServer(app) as server:
                body, content_type = multipart({"file": digit_files[0][0]})
                request = urllib.request.Request(f"{server.url}/predict", body, {"Content-Type": content_type})
                with urllib.request.urlopen(request, timeout=10) as response:
                    assert json.load(response)["prediction"] == digit_files[0][1]
            assert not server.thread.is_alive()
            with pytest.raises(OSError):
                urllib.request.urlopen(server.url, timeout=2)
    finally:
        threading.excepthook = previous
        logging.getLogger("waitress").removeHandler(handler)
    assert errors == []
    assert [m for m in handler.messages if "Exception" in m] == []


def test_stop_survives_the_loop_running_its_work_before_its_wake_up_byte_is_written(model_path):
    """waitress's pull_trigger queues the work, then writes a byte to wake the loop; a worker's last wake-up byte can
    make the loop run that work first. Here that happens every time: the work must not close the trigger that
    the second write goes to (it did: EBADF, or a byte written into whatever file had taken its number)."""
    server = webapp.BackgroundServer(webapp.create_app(model_path))
    trigger = server.server.trigger
    write_byte = trigger._physical_pull

    def someone_else_wakes_the_loop_first() -> None:
        write_byte()  # the loop runs the queued work and ends
        server.thread.join(10)
        assert not server.thread.is_alive()
        write_byte()  # then stop()'s own byte arrives

    trigger._physical_pull = someone_else_wakes_the_loop_first
    server.stop()
    assert trigger._closed and trigger._fds == []  # closed by stop() itself, once the loop was gone
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url, timeout=2)


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


# ---------------------------------------------------------------------------------------------------------
# `pytorch-tutorial serve` for real


def start_serve(*args: str) -> tuple[subprocess.Popen, str, float]:
    """``python -m pytorch_tutorial serve ARGS`` in a fresh process; returns it, its URL and its start time."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "pytorch_tutorial", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line = process.stdout.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    if not found:
        process.kill()
        raise AssertionError(f"no URL in {line!r}: {process.stderr.read()}")
    return process, found.group(1), started


def post(url: str, fields: dict[str, bytes]) -> tuple[int, dict]:
    body, content_type = multipart(fields)
    request = urllib.request.Request(f"{url}/predict", body, {"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_serve_answers_within_3_seconds_keeps_answering_and_stops_on_ctrl_c(model_path, digit_files):
    process, url, started = start_serve("--port", "0", "--checkpoint", str(model_path))
    try:
        with urllib.request.urlopen(f"{url}/", timeout=10) as response:
            first_answer = time.perf_counter() - started
            assert response.status == 200 and b"<canvas" in response.read()
        assert first_answer <= 3.0, f"first answer {first_answer:.2f} s after start"
        good, digit = digit_files[0]
        # asked for at once, while the server may still be importing torch and loading the model: it waits for it
        assert post(url, {"file": good}) == (200, upload_answer(model_path, good))
        first_prediction = time.perf_counter() - started
        for fields, status in [
            ({"image": good}, 400),
            ({"file": b""}, 400),
            ({"file": b"not an image"}, 415),
            ({"file": bomb()}, 413),
            ({"file": bytes(3 * 1024 * 1024)}, 413),  # over the limit: Flask's JSON 413, through waitress
        ]:
            code, body = post(url, fields)
            assert code == status and set(body) == {"error"}, (code, body)
            assert post(url, {"file": good})[1]["prediction"] == digit  # and the server carries on
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out.strip() == "stopped" and "Traceback" not in err
    assert re.search(r"POST /predict -> 415: the upload is not an image file", err)  # logged
    print(f"\nserve: the page {first_answer:.2f} s after start, the first prediction {first_prediction:.2f} s")


def upload_answer(model_path: Path, data: bytes) -> dict:
    return upload(webapp.create_app(model_path).test_client(), data).get_json()


def test_serve_stops_on_sigterm_too(model_path):
    process, url, _ = start_serve("--port", "0", "--checkpoint", str(model_path))
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=15)
    assert process.returncode == 0 and out.strip() == "stopped" and "Traceback" not in err


def test_serve_mistakes_are_one_line(tmp_path, model_path):
    assert_usage_error(
        run_cli_here("serve", "--out", str(tmp_path)), "no trained model yet", "pytorch-tutorial run 18", "--checkpoint"
    )
    assert_usage_error(run_cli_here("serve", "--checkpoint", str(tmp_path / "nope.pt")), "does not exist")
    (tmp_path / "text.pt").write_text("not a checkpoint")
    assert_usage_error(
        run_cli_here("serve", "--checkpoint", str(tmp_path / "text.pt")), f"checkpoint {tmp_path / 'text.pt'}"
    )
    assert_usage_error(run_cli_here("serve", "--port", "70000", "--checkpoint", str(model_path)), "--port 70000")
    assert_usage_error(run_cli_here("serve", "--port", "eighty"), "--port", "invalid int")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert_usage_error(
            run_cli_here("serve", "--port", port, "--checkpoint", str(model_path)), f"cannot listen on 127.0.0.1:{port}"
        )


def test_the_benchmark_measures_predict_latency_over_loopback():
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    timing = bench.predict_latency(requests=5)
    assert timing["requests"] == 5 and 0 < timing["median_seconds"] <= timing["max_seconds"]
    (row,) = [t for t in bench.evaluate_targets({"predict": timing}) if "/predict" in t["name"]]
    assert row["value"] == timing["median_seconds"] and row["met"] == (timing["median_seconds"] <= 0.05)


# ---------------------------------------------------------------------------------------------------------
# The page in a real browser: headless Chromium, driven by chromedriver over the W3C WebDriver protocol (plain
# HTTP and JSON, spoken with urllib in tests/browser.py), opens the page from `pytorch-tutorial serve`, draws a 1
# with the mouse and a 7 with a finger (real pointer events), presses Predict and reads the answer from the page.
# The browser runs with every address but loopback blocked: the page must load and work with no failed request.
# Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); without them these tests are
# skipped, except under CI (`CI` set), where a missing browser is a failure.


def _stroke(*corners: tuple[float, float], step: float = 8.0) -> list[tuple[float, float]]:
    """Points every ``step`` pixels along the straight segments between ``corners``."""
    points = [corners[0]]
    for (x0, y0), (x1, y1) in zip(corners, corners[1:], strict=False):
        count = max(1, round(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 / step))
        points += [(x0 + (x1 - x0) * k / count, y0 + (y1 - y0) * k / count) for k in range(1, count + 1)]
    return points


@pytest.fixture(scope="module")
def page_server(model_path):
    """`pytorch-tutorial serve` on a free loopback port, with the model this module's lesson 18 trained."""
    process, url, _ = start_serve("--port", "0", "--checkpoint", str(model_path))
    yield url
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


def test_the_page_loads_with_everything_but_loopback_blocked_and_no_failed_request(browser, page_server):
    browser.network_log()  # start from an empty log
    browser.get(f"{page_server}/")
    assert browser.script("return document.title") == "Digit classifier"
    events = browser.network_log()
    requested = [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]
    assert requested == [f"{page_server}/"]  # the page only: no script, style, font or icon fetched
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
def test_a_digit_drawn_on_the_canvas_is_recognised(browser, page_server, screenshots, digit, pointer, corners):
    browser.get(f"{page_server}/")
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
    assert [request["url"] for request in posts] == [f"{page_server}/predict"]
    assert browser.console_errors() == []
    browser.click("#clear")
    assert browser.script("return document.getElementById('prediction')") is None
