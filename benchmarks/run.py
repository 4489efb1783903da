"""Benchmark the course on this machine: start-up of the CLI, each lesson, the whole course, training throughput.

    python benchmarks/run.py                       # everything, results in benchmarks/results/
    python benchmarks/run.py --lessons 13 14 --out /tmp/bench

Writes ``bench.json`` (every figure, and the machine it came from) and ``bench.md`` (the same as Markdown
tables, each target marked met or missed) and prints the Markdown.

What is measured:

- ``pytorch-tutorial list``: wall time of the command in a fresh process, median of several runs;
- each lesson and the whole course: ``pytorch-tutorial run all --quiet --out TMP`` in a subprocess; the seconds
  of each lesson come from its ``summary.json``, next to the wall time of the whole command;
- lesson 18's ``POST /predict`` over loopback: median of 100 requests (:func:`predict_latency`);
- training throughput of lessons 13 and 14: the samples per second they report (epochs x 4,000 training digits
  / the ``train_seconds`` they report, fastest of 3 runs), next to this machine's limit for the same work: as many
  forward + backward + optimizer steps of the same model, with the same batch size and optimizer, on random
  tensors already in memory (no data loading). The ratio shows what the input pipeline costs.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from pytorch_tutorial import course, runtime

TARGETS = {
    "list_seconds": 0.5,  # `pytorch-tutorial list` answers in under half a second
    "lesson_seconds": 15.0,  # every lesson, default settings
    "course_seconds": 45.0,  # `pytorch-tutorial run all` (23 lessons), wall time of the whole command
    "throughput_ratio": 0.70,  # lessons 13 and 14 train at >= 70 % of the in-memory limit
    "predict_seconds": 0.050,  # lesson 18's app answers POST /predict in <= 50 ms (median of 100, on the CPU)
}
COURSE_LESSONS = range(1, 23)  # the playlist; lesson 23 (distributed) is beyond it
TRAIN_SAMPLES = 4000  # training digits of the embedded MNIST subset
# lesson number -> (model in pytorch_tutorial.models, input height = width)
THROUGHPUT_LESSONS = {13: ("FeedForward", 28), 14: ("LeNet", 32)}


# ---------------------------------------------------------------------------------------------------------
# Machine


def machine_info(device: str = "auto") -> dict[str, Any]:
    """The machine the figures come from: CPU model, cores, load, Python, torch, the device lessons run on."""
    import torch

    cpu_model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.lower().startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    resolved = runtime.resolve_device(device)
    info: dict[str, Any] = {
        "cpu": cpu_model,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "torch_threads": torch.get_num_threads(),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "device": str(resolved),
    }
    if resolved.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(resolved)
    return info


# ---------------------------------------------------------------------------------------------------------
# Measurements


def cli_command() -> list[str]:
    """The ``pytorch-tutorial`` console script beside this Python, or ``python -m pytorch_tutorial``."""
    script = Path(sys.executable).with_name("pytorch-tutorial")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pytorch_tutorial"]


def time_list(repeats: int = 7) -> dict[str, Any]:
    """Wall time of ``pytorch-tutorial list`` in a fresh process, ``repeats`` times; the median is the figure."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        proc = subprocess.run([*cli_command(), "list"], capture_output=True, text=True, timeout=60)
        runs.append(round(time.perf_counter() - start, 4))  # the median of the figures shown, not of others
        if proc.returncode != 0:
            raise RuntimeError(f"'pytorch-tutorial list' failed ({proc.returncode}): {proc.stderr.strip()}")
    return {"runs": runs, "median_seconds": statistics.median(runs)}


_STARTED = time.perf_counter()


def progress(message: str) -> None:
    """One line on stderr as the benchmark goes, with the seconds since it started."""
    print(f"benchmark [{time.perf_counter() - _STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def run_course(lessons: list[str], device: str = "auto", timeout: float = 1800) -> dict[str, Any]:
    """``pytorch-tutorial run LESSONS --out TMP`` in a subprocess: wall time and summary.json's seconds.

    The narrative goes to a pipe (no progress bars there) and is read as it comes, so that each lesson's banner
    is reported as it starts."""
    with tempfile.TemporaryDirectory(prefix="bench-") as out:
        command = [*cli_command(), "run", *lessons, "--out", out, "--device", device]
        start = time.perf_counter()
        with subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        ) as proc:
            stderr: list[str] = []
            reader = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)  # type: ignore[arg-type]
            reader.start()
            for line in proc.stdout:  # type: ignore[union-attr]
                if re.match(r"Lesson \d+: ", line):
                    progress(line.strip())
                if time.perf_counter() - start > timeout:
                    proc.kill()
                    raise RuntimeError(f"'{' '.join(command)}' took more than {timeout:.0f} s")
            proc.wait()
            reader.join(5)
        wall = time.perf_counter() - start
        summary_path = Path(out) / "summary.json"
        if not summary_path.exists():
            errors = "".join(stderr)[-2000:]
            raise RuntimeError(f"'{' '.join(command)}' wrote no summary ({proc.returncode}): {errors}")
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    entries = summary["lessons"]
    numbers = {entry["number"] for entry in entries}
    course_complete = all(number in numbers for number in COURSE_LESSONS)
    return {
        "command": "pytorch-tutorial run " + " ".join(lessons) + f" --out TMP --device {device}",
        "exit_status": proc.returncode,
        "wall_seconds": wall,
        "lessons_seconds": sum(entry["seconds"] for entry in entries),
        "course_seconds": wall if course_complete else None,  # the whole course: the command's wall time
        "lessons": entries,
    }


def lesson_optimizer(lesson: course.Lesson) -> str:
    """Which optimizer a lesson trains with, read from its source: 'adam' or 'sgd'."""
    source = lesson.path.read_text(encoding="utf-8")
    return "adam" if "optim.Adam(" in source else "sgd"


def in_memory_throughput(
    model_name: str,
    batch_size: int,
    steps: int,
    size: int = 28,
    optimizer: str = "adam",
    device: str = "cpu",
    warmup: int = 3,
    repeats: int = 3,
) -> dict[str, Any]:
    """Samples per second of ``steps`` forward + backward + optimizer steps of ``models.<model_name>`` on a random
    batch already on ``device`` (no data loading at all): the machine's limit for a lesson's training work.

    The fastest of ``repeats`` timings counts: a limit is the best the machine does, and other programs running
    at the same time only ever slow it down."""
    import torch
    from torch import nn

    from pytorch_tutorial import models

    target = runtime.resolve_device(device)
    torch.manual_seed(0)
    model = getattr(models, model_name)().to(target)
    inputs = torch.rand(batch_size, 1, size, size, device=target)
    labels = torch.randint(0, 10, (batch_size,), device=target)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters()) if optimizer == "adam" else torch.optim.SGD(model.parameters(), lr=0.01)
    model.train()

    def step() -> None:
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        opt.step()
        opt.zero_grad()

    for _ in range(warmup):
        step()
    timings = []
    for _ in range(repeats):
        _synchronize(target)
        start = time.perf_counter()
        for _ in range(steps):
            step()
        _synchronize(target)
        timings.append(time.perf_counter() - start)
    seconds = min(timings)
    return {
        "model": model_name,
        "batch_size": batch_size,
        "steps": steps,
        "optimizer": optimizer,
        "timings": timings,
        "seconds": seconds,
        "samples_per_s": steps * batch_size / seconds,
    }


def _synchronize(device: Any) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def lesson_throughput(epochs: int, train_seconds: float, train_samples: int = TRAIN_SAMPLES) -> float:
    """Samples per second a lesson trained at: every training sample once per epoch."""
    return epochs * train_samples / train_seconds


def fastest_train_seconds(run: dict[str, Any], device: str = "auto", repeats: int = 3) -> dict[int, list[float]]:
    """``train_seconds`` of lessons 13 and 14: the one from ``run`` plus ``repeats - 1`` more runs of just them.

    The lesson side gets as many tries as the in-memory side, so that the fastest of each is compared: a single
    run of under a second is at the mercy of whatever else the machine does at that moment."""
    seconds: dict[int, list[float]] = {}
    runs = [run]
    wanted = [str(number) for number in THROUGHPUT_LESSONS if _train_seconds(run, number) is not None]
    for _ in range(repeats - 1 if wanted else 0):
        runs.append(run_course(wanted, device))
    for number in THROUGHPUT_LESSONS:
        found = [value for value in (_train_seconds(one, number) for one in runs) if value is not None]
        if found:
            seconds[number] = found
    return seconds


def _train_seconds(run: dict[str, Any], number: int) -> float | None:
    for entry in run["lessons"]:
        if entry["number"] == number and "train_seconds" in entry.get("metrics", {}):
            return float(entry["metrics"]["train_seconds"])
    return None


def measure_throughput(run: dict[str, Any], device: str = "auto", repeats: int = 3) -> list[dict[str, Any]]:
    """Lessons 13 and 14 (those that ran and reported ``train_seconds``) next to their in-memory limit, the
    fastest of ``repeats`` timings on each side."""
    rows = []
    timings = fastest_train_seconds(run, device, repeats)
    for number, (model_name, size) in THROUGHPUT_LESSONS.items():
        if number not in timings:
            continue
        lesson = course.BY_NUMBER[number]
        declared = course.declared_settings(lesson)
        epochs, batch_size = int(declared.get("epochs", 1)), int(declared.get("batch_size", 100))
        steps = epochs * math.ceil(TRAIN_SAMPLES / batch_size)
        limit = in_memory_throughput(
            model_name, batch_size, steps, size, lesson_optimizer(lesson), device, repeats=repeats
        )
        train_seconds = min(timings[number])
        achieved = lesson_throughput(epochs, train_seconds)
        rows.append(
            {
                "lesson": number,
                "model": model_name,
                "epochs": epochs,
                "batch_size": batch_size,
                "optimizer": limit["optimizer"],
                "train_seconds": train_seconds,
                "train_seconds_runs": timings[number],
                "lesson_samples_per_s": achieved,
                "in_memory_samples_per_s": limit["samples_per_s"],
                "ratio": achieved / limit["samples_per_s"],
            }
        )
    return rows


def predict_latency(requests: int = 100) -> dict[str, Any]:
    """Lesson 18's app under waitress on a free loopback port: the seconds each of ``requests`` ``POST /predict``
    of one drawn digit (a 280x280 PNG, as the page sends) takes, client to answer; the median is the figure.
    The network's weights are random: the work per request does not depend on them."""
    import io
    import urllib.request
    import uuid

    import torch
    from PIL import Image, ImageDraw

    from pytorch_tutorial import webapp
    from pytorch_tutorial.models import LeNet

    page = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(page).line([(70, 60), (215, 60), (120, 235)], fill=0, width=18)
    image = io.BytesIO()
    page.save(image, format="PNG")
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="digit.png"\r\n\r\n'.encode()
        + image.getvalue()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        checkpoint = Path(folder) / "lenet.pt"
        torch.save({"arch": "LeNet", "input_size": 32, "state_dict": LeNet().state_dict()}, checkpoint)
        runs = []
        with webapp.BackgroundServer(webapp.create_app(checkpoint)) as server:
            for _ in range(requests + 5):  # 5 to warm up
                request = urllib.request.Request(
                    f"{server.url}/predict", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
                )
                start = time.perf_counter()
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                runs.append(time.perf_counter() - start)
    runs = runs[5:]
    return {"requests": requests, "median_seconds": statistics.median(runs), "max_seconds": max(runs)}


# ---------------------------------------------------------------------------------------------------------
# Targets and the report


def evaluate_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured value and whether it is met (None: not measured in this run)."""
    targets = []
    if "list" in result:
        value = result["list"]["median_seconds"]
        targets.append(
            _target(
                "`pytorch-tutorial list` (median)",
                value,
                f"< {TARGETS['list_seconds']} s",
                value < TARGETS["list_seconds"],
            )
        )
    run = result.get("run")
    if run:
        for entry in run["lessons"]:
            ok = entry["status"] == "ok" and entry["seconds"] < TARGETS["lesson_seconds"]
            name = f"lesson {entry['number']} ({entry['title']})" + ("" if entry["status"] == "ok" else " FAILED")
            targets.append(_target(name, entry["seconds"], f"< {TARGETS['lesson_seconds']:.0f} s", ok))
        course_seconds = run.get("course_seconds")
        met = None if course_seconds is None else course_seconds < TARGETS["course_seconds"]
        targets.append(_target("`run all` (wall)", course_seconds, f"< {TARGETS['course_seconds']:.0f} s", met))
    measured = {row["lesson"]: row for row in result.get("throughput", [])}
    for number in THROUGHPUT_LESSONS:
        row = measured.get(number)
        ratio = None if row is None else row["ratio"]
        met = None if ratio is None else ratio >= TARGETS["throughput_ratio"]
        targets.append(
            _target(
                f"lesson {number} throughput / in-memory limit", ratio, f">= {TARGETS['throughput_ratio']:.0%}", met
            )
        )
    if "predict" in result:
        value = result["predict"]["median_seconds"]
        targets.append(
            _target(
                f"lesson 18 `POST /predict` (median of {result['predict']['requests']})",
                value,
                f"<= {TARGETS['predict_seconds'] * 1000:.0f} ms",
                value <= TARGETS["predict_seconds"],
            )
        )
    return targets


def _target(name: str, value: float | None, target: str, met: bool | None) -> dict[str, Any]:
    return {"name": name, "value": value, "target": target, "met": met}


def _mark(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def render_markdown(result: dict[str, Any]) -> str:
    """The benchmark as Markdown: the machine, then every target with its figure and met/missed."""
    machine = result["machine"]
    lines = [f"## Benchmark ({result.get('created', '')})", ""]
    gpu = f", GPU {machine['gpu']}" if machine.get("gpu") else ""
    lines.append(
        f"Machine: {machine['cpu']}, {machine['usable_cores']} usable of {machine['cores']} cores{gpu}; "
        f"Python {machine['python']}, torch {machine['torch']}; device `{machine['device']}`; "
        f"1-min load average at start {machine.get('load_average_1min')}."
    )
    lines += ["", "| what | measured | target | |", "|---|---:|---|---|"]
    for target in result["targets"]:
        value = target["value"]
        if value is None:
            shown = "–"
        elif "throughput" in target["name"]:
            shown = f"{value:.0%}"
        elif "/predict" in target["name"]:
            shown = f"{value * 1000:.1f} ms"
        else:
            shown = f"{value:.2f} s"
        lines.append(f"| {target['name']} | {shown} | {target['target']} | {_mark(target['met'])} |")
    run = result.get("run")
    if run:
        lines += [
            "",
            f"`{run['command']}`: {run['wall_seconds']:.1f} s wall time for the whole command, "
            f"{run['lessons_seconds']:.1f} s in the lessons (exit status {run['exit_status']}).",
        ]
    if result.get("throughput"):
        lines += [
            "",
            "| lesson | model | epochs x batch | optimizer | lesson samples/s | in-memory samples/s | ratio |",
            "|---|---|---|---|---:|---:|---:|",
        ]
        for row in result["throughput"]:
            lines.append(
                f"| {row['lesson']} | {row['model']} | {row['epochs']} x {row['batch_size']} | {row['optimizer']} | "
                f"{row['lesson_samples_per_s']:,.0f} | {row['in_memory_samples_per_s']:,.0f} | {row['ratio']:.0%} |"
            )
        lines += [
            "",
            "Lesson: epochs x 4,000 training digits / the `train_seconds` the lesson reports, fastest of "
            f"{len(result['throughput'][0].get('train_seconds_runs', [0]))} runs. In-memory: the same number of "
            "forward + backward + optimizer steps of the same model and batch size on random tensors already on the "
            "device, fastest of 3 timings. Both sides are noisy on a busy machine: measure on an idle one.",
        ]
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and ``os.replace``: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------------
# Command line


README_BEGIN, README_END = "<!-- bench:begin -->", "<!-- bench:end -->"


def readme_parts(readme: Path) -> tuple[str, str]:
    """The README's text before its bench begin marker and after its end marker; one line if they are missing."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError as exc:
        raise runtime.UsageError(f"--readme {readme}: {exc.strerror}") from None
    if (
        text.count(README_BEGIN) != 1
        or text.count(README_END) != 1
        or text.index(README_BEGIN) > text.index(README_END)
    ):
        raise runtime.UsageError(f"--readme {readme}: needs one '{README_BEGIN}' line before one '{README_END}' line")
    head, rest = text.split(README_BEGIN)
    return head, rest.split(README_END)[1]


def update_readme(readme: Path, markdown: str) -> None:
    """Replace the text between the README's bench markers with ``markdown`` (the table and its machine)."""
    head, tail = readme_parts(readme)
    table = re.sub(r"^## ", "### ", markdown.strip(), flags=re.MULTILINE)  # under the README's own section
    write_atomic(readme, f"{head}{README_BEGIN}\n{table}\n{README_END}{tail}")


def benchmark(lessons: list[str], device: str = "auto", list_repeats: int = 7) -> dict[str, Any]:
    """Every measurement, the machine and the targets, as one JSON-ready dict."""
    result: dict[str, Any] = {
        "created": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine_info(device),
    }
    progress(f"timing 'pytorch-tutorial list' {list_repeats} times")
    result["list"] = time_list(list_repeats)
    progress(f"running lessons {' '.join(lessons)}")
    result["run"] = run_course(lessons, device)
    progress("measuring the training throughput of lessons 13 and 14 against the in-memory limit")
    result["throughput"] = measure_throughput(result["run"], device)
    progress("timing 100 requests to lesson 18's /predict")
    result["predict"] = predict_latency()
    progress("done")
    result["targets"] = evaluate_targets(result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results", help="folder for the results")
    parser.add_argument("--lessons", nargs="+", default=["all"], metavar="N", help="lessons to run (default all)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or mps, as for 'pytorch-tutorial run'")
    parser.add_argument("--list-repeats", type=int, default=7, help="runs of 'pytorch-tutorial list' (median)")
    parser.add_argument("--readme", type=Path, help="also put the table between the bench markers of this README")
    args = parser.parse_args(argv)
    try:
        course.select(args.lessons)  # an unknown lesson: one line now, not after minutes of measuring
        if args.readme is not None:
            readme_parts(args.readme)  # no markers: one line now, not after minutes of measuring
        result = benchmark(args.lessons, args.device, args.list_repeats)
    except runtime.UsageError as exc:
        print(f"benchmark: error: {exc}", file=sys.stderr)
        return 2
    markdown = render_markdown(result)
    write_atomic(args.out / "bench.json", json.dumps(result, indent=2) + "\n")
    write_atomic(args.out / "bench.md", markdown)
    print(markdown)
    print(f"written: {args.out / 'bench.json'}, {args.out / 'bench.md'}")
    if args.readme is not None:
        update_readme(args.readme, markdown)
        print(f"updated the table in {args.readme}")
    return 0 if result["run"]["exit_status"] == 0 else 1  # a missed target is a finding; a failed lesson is not


if __name__ == "__main__":
    sys.exit(main())
