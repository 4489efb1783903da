"""Lesson 16: the event files hold what the lesson computed — read back with TensorBoard's own EventAccumulator,
and served by the real tensorboard program over HTTP."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import numpy as np
import pytest
import torch
from conftest import run_lesson_at
from PIL import Image

from pytorch_tutorial import course, runtime


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    """Lesson 16 with its default settings, run once for the tests below."""
    ctx = runtime.RunContext(number=16, slug="tensorboard", device="cpu", out_root=tmp_path_factory.mktemp("out"))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = course.run_lesson(course.BY_NUMBER[16], ctx)
    assert result.status == "ok", result.error
    result.printed = printed.getvalue()
    return result


@pytest.fixture(scope="module")
def events(lesson):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(
        lesson.metrics["log_dir"], size_guidance={"scalars": 0, "images": 0, "histograms": 0, "tensors": 0}
    )
    accumulator.Reload()
    return accumulator


def test_reports_held_out_accuracy_and_the_log_folder(lesson):
    ns = lesson.namespace
    assert lesson.metrics["test_accuracy"] > 0.85
    # the reported accuracy is the test split's, recomputed here from the model the lesson left
    model = ns["model"].eval()
    with torch.no_grad():
        inputs = (ns["test_images"] - 0.1307) / 0.3081
        recomputed = (model(inputs).argmax(dim=1) == ns["test_labels"]).float().mean().item()
    assert recomputed == pytest.approx(lesson.metrics["test_accuracy"], abs=1e-6)
    assert lesson.metrics["log_dir"].endswith("16-tensorboard/runs/lr=0.001,batch_size=100,hidden_size=500,epochs=2")
    assert ns["writer"].file_writer is None  # closed
    source = course.BY_NUMBER[16].path.read_text(encoding="utf-8")
    assert source.count(".close()") == 1


def test_event_files_hold_every_kind_of_record(events):
    tags = events.Tags()
    assert set(tags["scalars"]) == {"training loss", "accuracy", "hparam/test_accuracy"}
    assert tags["images"] == ["mnist_images"]
    assert set(tags["histograms"]) == {"l1.weight", "l1.bias", "l2.weight", "l2.bias"}
    assert set(events.PluginTagToContent("pr_curves")) == {str(d) for d in range(10)}
    assert tags["graph"] is True


def test_scalars_are_the_values_the_lesson_computed(lesson, events):
    logged = lesson.namespace["logged"]
    cfg = lesson.namespace["cfg"]
    steps_per_epoch = len(lesson.namespace["train_loader"])
    assert len(logged["training loss"]) == cfg.epochs * steps_per_epoch // cfg.log_every
    for tag in ("training loss", "accuracy"):
        written = [(event.step, event.value) for event in events.Scalars(tag)]
        assert [step for step, _ in written] == [step for step, _ in logged[tag]]
        assert np.allclose([v for _, v in written], [v for _, v in logged[tag]], rtol=1e-6)
    losses = [value for _, value in logged["training loss"]]
    assert losses[-1] < losses[0] / 2  # it learned
    (result,) = events.Scalars("hparam/test_accuracy")
    assert result.value == pytest.approx(lesson.metrics["test_accuracy"], rel=1e-6)


def test_image_grid_is_the_first_training_images(lesson, events):
    (event,) = events.Images("mnist_images")
    picture = np.asarray(Image.open(io.BytesIO(event.encoded_image_string)).convert("L"), dtype=np.int16)
    grid = lesson.namespace["image_grid"]
    assert picture.shape == grid.shape[1:] == (242, 242)  # 8x8 digits of 28 pixels, 2-pixel gaps
    expected = (grid[0].numpy() * 255).astype(np.int16)
    assert np.abs(picture - expected).max() <= 1


def test_histograms_describe_the_weights(lesson, events):
    model = lesson.namespace["model"]
    epochs = lesson.namespace["cfg"].epochs
    for name, parameter in model.named_parameters():
        history = events.Histograms(name)
        assert [event.step for event in history] == list(range(1, epochs + 1))
        last = history[-1].histogram_value  # logged after the last epoch: the final weights
        assert last.num == parameter.numel()
        assert last.min == pytest.approx(parameter.min().item()) and last.max == pytest.approx(parameter.max().item())
        assert last.sum == pytest.approx(parameter.sum().item(), abs=1e-3)
    first, last = (events.Histograms("l1.weight")[i].histogram_value for i in (0, -1))
    assert first.sum_squares != last.sum_squares  # the weights moved between epochs


def test_pr_curves_use_the_true_labels_against_softmax_probabilities(lesson, events):
    from tensorboard.util import tensor_util

    ns = lesson.namespace
    targets, probabilities = ns["test_targets"], ns["test_probabilities"]
    assert torch.allclose(probabilities.sum(dim=1), torch.ones(len(targets)))
    predicted = probabilities.argmax(dim=1)
    # the mix-up bug would be visible: the number of predicted and of true images differs for some digit
    assert any((predicted == d).sum() != (targets == d).sum() for d in range(10))
    for digit in range(10):
        tp, fp, tn, fn, precision, recall = tensor_util.make_ndarray(events.Tensors(str(digit))[0].tensor_proto)
        thresholds = len(tp)
        positive = targets == digit
        buckets = torch.floor(probabilities[:, digit].double() * (thresholds - 1)).long()
        expected_tp = [int((positive & (buckets >= i)).sum()) for i in range(thresholds)]
        expected_fp = [int((~positive & (buckets >= i)).sum()) for i in range(thresholds)]
        assert tp.tolist() == expected_tp, digit
        assert fp.tolist() == expected_fp, digit
        assert (tp + fn == positive.sum().item()).all() and (fp + tn == (~positive).sum().item()).all()


def test_hparams_record_the_settings(lesson, events):
    from tensorboard.plugins.hparams import plugin_data_pb2

    content = events.PluginTagToContent("hparams")["_hparams_/session_start_info"]
    hparams = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info.hparams
    cfg = lesson.namespace["cfg"]
    assert {key: value.number_value for key, value in hparams.items()} == {
        "lr": pytest.approx(cfg.lr),
        "batch_size": cfg.batch_size,
        "hidden_size": cfg.hidden_size,
        "epochs": cfg.epochs,
    }


def test_prints_the_exact_command_to_open_the_dashboard(lesson):
    runs_dir = lesson.namespace["runs_dir"]
    assert runs_dir.is_dir() and runs_dir == lesson.namespace["log_dir"].parent
    assert f"\n    tensorboard --logdir {runs_dir}\n" in lesson.printed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_tensorboard_server_serves_the_logged_scalars(lesson, tmp_path):
    runs_dir = lesson.namespace["runs_dir"]
    port = free_port()
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(runs_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--load_fast", "false"]
    with open(tmp_path / "tensorboard.log", "wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            query = urllib.parse.urlencode({"tag": "training loss", "run": lesson.namespace["run_name"]})
            url = f"http://127.0.0.1:{port}/data/plugin/scalars/scalars?{query}"
            deadline, series = time.monotonic() + 90, None
            while series is None:
                assert server.poll() is None, (tmp_path / "tensorboard.log").read_text()
                assert time.monotonic() < deadline, "tensorboard did not answer in 90 s"
                try:
                    with no_proxy.open(url, timeout=5) as response:
                        series = json.loads(response.read())
                except OSError:  # not listening yet, or the run is not loaded yet (HTTP 400/404)
                    time.sleep(0.5)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    logged = lesson.namespace["logged"]["training loss"]
    assert [step for _, step, _ in series] == [step for step, _ in logged]
    assert np.allclose([value for _, _, value in series], [value for _, value in logged], rtol=1e-6)


def test_a_run_with_other_settings_lands_beside_the_first_and_a_rerun_replaces_only_its_own(lesson, events):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out_root = lesson.namespace["runs_dir"].parent.parent  # the --out folder of the module's run
    first = lesson.namespace["log_dir"]
    first_files = sorted(first.iterdir())
    # the same settings three times (log_every is not in the name): each run replaces the folder of the one before;
    # with log_every above the steps of an epoch, the lesson runs and logs no curve
    for log_every in (100, 15, 15):
        other = run_lesson_at(16, out_root, lr=0.01, epochs=1, log_every=log_every).namespace
    assert other["log_dir"].name == "lr=0.01,batch_size=100,hidden_size=500,epochs=1"
    assert sorted(p.name for p in lesson.namespace["runs_dir"].iterdir()) == sorted([first.name, other["log_dir"].name])
    assert sorted(first.iterdir()) == first_files  # the first run's files are untouched
    accumulator = EventAccumulator(str(other["log_dir"]), size_guidance={"scalars": 0})
    accumulator.Reload()
    steps = [event.step for event in accumulator.Scalars("training loss")]
    assert steps == [step for step, _ in other["logged"]["training loss"]]  # one run's curve, not two on top
    assert len(steps) == len(other["train_loader"]) // 15


def test_the_core_logs_without_warning_filters_and_says_both_zero_grad_orders_are_right():
    lesson = course.BY_NUMBER[16]
    assert course.core_lines(lesson) <= 100
    core = lesson.path.read_text(encoding="utf-8").split("# ## Going further")[0]
    assert "warnings" not in core
    assert "Both orders are right" in core
    assert core.index("optimizer.zero_grad()\n") < core.index("loss.backward()\n")


def test_data_that_cannot_be_read_leaves_no_half_filled_log(tmp_path):
    damaged = tmp_path / "my-mnist" / "MNIST" / "raw"
    damaged.mkdir(parents=True)
    for name in (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ):
        (damaged / name).write_bytes(b"not MNIST")
    with pytest.raises(runtime.UsageError, match="--data-dir"):
        run_lesson_at(16, tmp_path / "out", data_dir=tmp_path / "my-mnist")
    assert not list((tmp_path / "out").rglob("events.out.tfevents*"))
