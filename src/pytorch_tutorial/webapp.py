"""The digit classifier as a web app (lesson 18): ``POST /predict`` answers JSON, ``GET /`` is a page to draw on.

- :func:`create_app` is a Flask app factory: it loads a checkpoint once (with ``weights_only=True``, through
  :func:`pytorch_tutorial.predict.load_classifier`) and prepares every upload as ``pytorch-tutorial predict``
  does (polarity, crop to the ink, centre of mass), so a photo of a digit on paper works as well as a drawing.
- Every bad request is a 4xx with a JSON ``{"error": ...}`` naming the problem, logged, and the next request is
  answered normally: no file, an empty file, a file that is not a PNG or JPEG, a wrong field name, an upload over
  the size limit, a decompression bomb, a wrong method or path.
- :class:`BackgroundServer` runs an app under waitress in a thread and stops it cleanly (lesson 18, the tests,
  the benchmark); :func:`main` is ``pytorch-tutorial serve``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request
from waitress import wasyncore
from waitress.server import create_server
from werkzeug.exceptions import HTTPException

from pytorch_tutorial.runtime import UsageError, check_file

if TYPE_CHECKING:  # predict imports torch: `serve` answers its page before that import is done
    from pytorch_tutorial.predict import Classifier

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a photo of one digit is far smaller; larger requests get 413
MAX_PIXELS = 25_000_000  # a 25-megapixel photo decodes to 25 MB of grey values; larger images get 413
FORMATS = ("PNG", "JPEG")  # the only decoders an upload reaches
DEFAULT_CHECKPOINT = Path("18-deploy") / "lenet_mnist.pt"  # under the --out folder of `pytorch-tutorial run 18`
STATUS_FOR = {"empty": 400, "not an image": 415, "too large": 413, "no digit": 422}

log = logging.getLogger("pytorch_tutorial.webapp")


def create_app(
    checkpoint_path: Path | str | None = None,
    *,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> Flask:
    """A Flask app that classifies handwritten digits with the checkpoint at ``checkpoint_path``.

    The default is ``$PYTORCH_TUTORIAL_CHECKPOINT`` or else lesson 18's ``outputs/18-deploy/lenet_mnist.pt``
    (so ``waitress-serve --call pytorch_tutorial.webapp:create_app`` works). The checkpoint is loaded once, here;
    a missing or unusable one raises :class:`~pytorch_tutorial.runtime.UsageError`.
    """
    from pytorch_tutorial import predict

    if checkpoint_path is None:
        checkpoint_path = os.environ.get("PYTORCH_TUTORIAL_CHECKPOINT") or Path("outputs") / DEFAULT_CHECKPOINT
    classifier = predict.load_classifier(Path(checkpoint_path))
    return _app(lambda: classifier, max_upload_bytes=max_upload_bytes, max_pixels=max_pixels)


class ModelNotLoaded(Exception):
    """The server's model could not be loaded (``serve`` is stopping with the reason): ``/predict`` answers 503."""


def _app(classifier: Callable[[], Classifier], *, max_upload_bytes: int, max_pixels: int) -> Flask:
    """The app's routes around ``classifier()``, which gives the model (``serve``: once it is loaded)."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = max_upload_bytes

    @app.before_request
    def start_clock() -> None:
        g.start = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        milliseconds = (time.perf_counter() - g.get("start", time.perf_counter())) * 1000
        log.info("%s %s %d %.1f ms", request.method, request.path, response.status_code, milliseconds)
        return response

    @app.get("/")
    def page() -> Response:
        """The drawing page: one HTML document, its style and script inline (nothing else is fetched)."""
        return Response(PAGE, content_type="text/html; charset=utf-8")

    @app.post("/predict")
    def predict_digit() -> tuple[dict[str, Any], int]:
        """The top-3 digits for the PNG or JPEG in the multipart field ``file``, or a JSON error."""
        from pytorch_tutorial import predict

        file = request.files.get("file")
        if file is None:
            fields = sorted(set(request.files) | set(request.form))
            got = f" (this request has {', '.join(repr(f) for f in fields)})" if fields else ""
            return _error(400, f"no file: send the image as a multipart form field named 'file'{got}")
        try:
            image = predict.read_image(file.read(), "the upload", formats=FORMATS, max_pixels=max_pixels)
            digit = predict.mnist_like(image)
        except predict.ImageError as exc:
            return _error(STATUS_FOR[exc.reason], str(exc))
        try:
            model = classifier()
        except ModelNotLoaded as exc:
            return _error(503, str(exc))
        (top3,) = predict.top_k(model, [digit])
        return answer(top3), 200

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """Werkzeug's errors (404, 405, 413, a malformed body) as JSON, keeping their headers (``Allow``)."""
        messages = {
            404: f"no page at {request.path}: this app has GET / (the drawing page) and POST /predict",
            405: f"{request.method} is not allowed on {request.path}: "
            + ("POST an image as the multipart field 'file'" if request.path == "/predict" else "use GET"),
            413: f"the request is larger than the limit of {max_upload_bytes:,} bytes; send a smaller image",
        }
        message = messages.get(exc.code or 0, f"bad request: {exc.description}")
        body, status = _error(exc.code or 400, message)
        response = exc.get_response()
        response.set_data(json.dumps(body))
        response.content_type = "application/json"
        response.status_code = status
        return response

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> tuple[dict[str, Any], int]:
        """A bug of ours: logged with its traceback here, a short JSON error for the client."""
        log.exception("error while answering %s %s", request.method, request.path)
        return {"error": "internal error: the server could not answer this request"}, 500

    return app


def answer(top3: list[tuple[int, float]]) -> dict[str, Any]:
    """The JSON body of a prediction: the best digit, its class name, and the top 3 with probabilities."""
    best = top3[0][0]
    return {
        "prediction": best,
        "class_name": str(best),
        "top3": [{"digit": digit, "class_name": str(digit), "probability": round(p, 4)} for digit, p in top3],
    }


def _error(status: int, message: str) -> tuple[dict[str, Any], int]:
    """A JSON error answer, logged (the client never sees a traceback)."""
    log.warning("%s %s -> %d: %s", request.method, request.path, status, message)
    return {"error": message}, status


class BackgroundServer:
    """waitress serving ``app`` on ``host:port`` in a background thread (``port=0``: a free port).

    ``url`` is where it listens; :meth:`stop` waits for the requests in progress, closes every socket from the
    server's own thread (closing them from another thread races with waitress's loop) and joins the thread.
    Also a context manager.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, **adjustments: Any) -> None:
        self.server = create_server(app, host=host, port=port, **adjustments)
        self.url = f"http://{host}:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, name="waitress", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving: finish the running requests, close the sockets, end the thread."""
        if not self.thread.is_alive():
            return
        self.server.task_dispatcher.shutdown(timeout=timeout)  # no worker touches the sockets after this
        server, trigger, channels = self.server, self.server.trigger, self.server._map

        def close_all_but_the_trigger() -> None:
            for channel in list(channels.values()):
                with contextlib.suppress(OSError):
                    if channel is server:  # the listening socket (the server's own close would close the trigger)
                        wasyncore.dispatcher.close(server)
                    elif channel is not trigger:
                        channel.close()
            trigger.del_channel()  # an empty map ends the loop: run() returns
            channels.clear()

        # The sockets are closed by the loop's own thread (closing them from another races with its select).
        # The trigger itself is closed only after that thread has ended: the loop may run this function before
        # pull_trigger has written its wake-up byte (a worker's last wake-up can get there first), and a closed
        # trigger would make that write fail, or land in whatever file took its number.
        trigger.pull_trigger(close_all_but_the_trigger)
        self.thread.join(timeout)
        trigger.close()

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Loading:
    """``serve``'s model, loaded while the server already answers: ``POST /predict`` waits for it."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._classifier: Classifier | None = None

    def set(self, classifier: Classifier | None) -> None:
        """The loaded model (None: it could not be loaded); releases the requests waiting for it."""
        self._classifier = classifier
        self._done.set()

    def __call__(self) -> Classifier:
        self._done.wait()
        if self._classifier is None:
            raise ModelNotLoaded("the server could not load its model and is stopping")
        return self._classifier


def main(args: argparse.Namespace) -> int:
    """``pytorch-tutorial serve``: the app under waitress until Ctrl-C (or SIGTERM).

    The server listens and answers the drawing page at once, then loads the model (importing torch takes a
    couple of seconds); a prediction asked for meanwhile waits for it. A checkpoint that cannot be used stops
    the server with one line.
    """
    checkpoint_path = args.checkpoint
    if checkpoint_path is None:
        checkpoint_path = Path(args.out) / DEFAULT_CHECKPOINT
        if not checkpoint_path.exists():
            raise UsageError(
                f"no trained model yet ({checkpoint_path} does not exist): run `pytorch-tutorial run 18` first, "
                "or pass --checkpoint FILE (lesson 14's outputs/14-cnn/lenet_mnist.pt works too)"
            )
    check_file(Path(checkpoint_path), "checkpoint")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: choose a port from 1 to 65535 (0 picks a free one)")
    if args.threads < 1:
        raise UsageError(f"--threads {args.threads}: at least 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    model = _Loading()
    app = _app(model, max_upload_bytes=MAX_UPLOAD_BYTES, max_pixels=MAX_PIXELS)
    try:
        # waitress stops reading huge bodies; Flask answers 413
        server = BackgroundServer(
            app, args.host, args.port, threads=args.threads, max_request_body_size=4 * MAX_UPLOAD_BYTES
        )
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    # From here on, Ctrl-C or SIGTERM at any moment (even right after the URL is printed) is a clean stop.
    handlers = {}
    try:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):  # SIGINT even when started with it ignored;
                handlers[signum] = signal.signal(signum, signal.default_int_handler)  # SIGTERM: `docker stop`
        url = f"{server.url}/"
        print(f"serving the digit classifier of {checkpoint_path} at {url} (Ctrl-C stops)", flush=True)
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"note: --host {args.host} makes the app reachable from other machines", flush=True)
        from pytorch_tutorial import predict

        try:
            model.set(predict.load_classifier(Path(checkpoint_path)))
        except BaseException:
            model.set(None)
            raise
        while server.thread.is_alive():
            server.thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    print("stopped", flush=True)
    return 0


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Digit classifier</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 34rem; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.4rem; }
  #pad { border: 2px solid #444; border-radius: 6px; touch-action: none; cursor: crosshair; background: #fff; }
  .buttons { margin: 0.6rem 0 1rem; }
  button { font-size: 1.05rem; padding: 0.4rem 1.2rem; margin-right: 0.5rem; }
  #answer { font-size: 1.2rem; min-height: 1.6rem; }
  #prediction { font-size: 2.4rem; font-weight: bold; }
  .bar { display: flex; align-items: center; margin: 0.25rem 0; }
  .bar span { width: 1.5rem; font-weight: bold; }
  .bar div { background: #3a7bd5; height: 1.1rem; margin: 0 0.5rem; }
  .error { color: #b00020; }
</style>
</head>
<body>
<h1>Draw a digit</h1>
<canvas id="pad" width="280" height="280" aria-label="drawing area"></canvas>
<div class="buttons">
  <button id="predict" type="button">Predict</button>
  <button id="clear" type="button">Clear</button>
</div>
<div id="answer" aria-live="polite">Draw one digit (0-9), then press Predict.</div>
<div id="bars"></div>
<script>
"use strict";
const pad = document.getElementById("pad");
const pen = pad.getContext("2d");
const answer = document.getElementById("answer");
const bars = document.getElementById("bars");
let drawing = false;
let strokes = 0;

function clearPad() {
  pen.fillStyle = "#fff";
  pen.fillRect(0, 0, pad.width, pad.height);
  pen.lineWidth = 18;
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.strokeStyle = "#000";
  strokes = 0;
  answer.className = "";
  answer.textContent = "Draw one digit (0-9), then press Predict.";
  bars.textContent = "";
}

function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) * pad.width / box.width, (event.clientY - box.top) * pad.height / box.height];
}

pad.addEventListener("pointerdown", (event) => {
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  drawing = true;
  strokes += 1;
  const [x, y] = point(event);
  pen.beginPath();
  pen.moveTo(x, y);
  pen.lineTo(x + 0.01, y);
  pen.stroke();
});
pad.addEventListener("pointermove", (event) => {
  if (!drawing) return;
  const [x, y] = point(event);
  pen.lineTo(x, y);
  pen.stroke();
});
for (const name of ["pointerup", "pointercancel"]) {
  pad.addEventListener(name, () => { drawing = false; });
}

function showAnswer(result) {
  answer.className = "";
  answer.innerHTML = "";
  const label = document.createElement("span");
  label.textContent = "It is a ";
  const digit = document.createElement("span");
  digit.id = "prediction";
  digit.textContent = result.class_name;
  answer.append(label, digit);
  bars.textContent = "";
  for (const guess of result.top3) {
    const row = document.createElement("div");
    row.className = "bar";
    const name = document.createElement("span");
    name.textContent = guess.class_name;
    const bar = document.createElement("div");
    bar.style.width = Math.max(1, Math.round(guess.probability * 300)) + "px";
    const value = document.createElement("em");
    value.textContent = (guess.probability * 100).toFixed(1) + " %";
    row.append(name, bar, value);
    bars.append(row);
  }
}

function showError(message) {
  answer.className = "error";
  answer.textContent = message;
  bars.textContent = "";
}

document.getElementById("clear").addEventListener("click", clearPad);
document.getElementById("predict").addEventListener("click", () => {
  if (strokes === 0) { showError("Draw a digit first."); return; }
  answer.className = "";
  answer.textContent = "Thinking...";
  pad.toBlob(async (blob) => {
    const form = new FormData();
    form.append("file", blob, "digit.png");
    try {
      const response = await fetch("predict", { method: "POST", body: form });
      const result = await response.json();
      if (response.ok) showAnswer(result); else showError(result.error);
    } catch (error) {
      showError("The server did not answer: " + error);
    }
  }, "image/png");
});

clearPad();
</script>
</body>
</html>
"""
