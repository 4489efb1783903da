"""Hostile-trial defects of writing and loading files (issue 12): atomic writes on a full disk and under
concurrency, diverged models never kept, refused pickles named, wrong-size checkpoints explained."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import pickle
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import assert_usage_error, run_cli_here
from PIL import Image, ImageDraw

from pytorch_tutorial import checkpoint, cli, course, runtime


def ctx(tmp_path: Path, **kwargs: object) -> runtime.RunContext:
    return runtime.RunContext(number=99, slug="files", out_root=tmp_path, **kwargs)


# ---------------------------------------------------------------------------------------------------------
# A full disk: the old file stays, nothing half-written, one line naming the file and the cause


def _full_disk_writer(file):
    file.write(b"half a file")
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "summary.json"
    path.write_text("the old summary\n")
    with pytest.raises(runtime.UsageError) as info:
        runtime.write_atomic(path, _full_disk_writer)
    assert (
        str(info.value) == f"could not write {path}: no space left on device (the previous file, if any, is unchanged)"
    )
    assert path.read_text() == "the old summary\n"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_torch_saves_full_disk_error_is_told_as_its_cause(tmp_path, monkeypatch):
    """torch.save reports a failed write as '[enforce fail at inline_container.cc] unexpected pos'."""
    path = checkpoint.save_atomic({"w": torch.ones(10)}, tmp_path / "model.pt")
    before = path.read_bytes()
    real_save = torch.save

    def save_then_fail(obj, f, *args, **kwargs):
        real_save(obj, f, *args, **kwargs)
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError:
            raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 704 vs 598") from None

    monkeypatch.setattr(torch, "save", save_then_fail)
    with pytest.raises(runtime.UsageError, match=f"could not write {path}: no space left on device"):
        checkpoint.save_atomic({"w": torch.zeros(10)}, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["model.pt"]


def test_a_figure_that_cannot_be_written_leaves_no_empty_png(tmp_path, monkeypatch):
    with runtime.activate(ctx(tmp_path)):
        plt = runtime.pyplot()
        fig, ax = plt.subplots()
        ax.plot([0, 1])
        monkeypatch.setattr(fig, "savefig", lambda file, **kwargs: _full_disk_writer(file))
        with pytest.raises(runtime.UsageError, match="line.png: no space left on device"):
            runtime.save_figure(fig, "line.png")
    assert list((tmp_path / "99-files").iterdir()) == []


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs (needs root and mount); skipped where it cannot be made."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {made.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def test_a_real_full_disk(tiny_disk):
    model = checkpoint.save_atomic({"w": torch.ones(100)}, tiny_disk / "model.pt")
    before = model.read_bytes()
    cli.write_json_atomic(tiny_disk / "summary.json", {"lessons": []})
    with pytest.raises(runtime.UsageError, match=f"could not write {model}: no space left on device"):
        checkpoint.save_atomic({"w": torch.ones(100_000)}, model)  # 400 KB on a 64 KiB disk
    with pytest.raises(runtime.UsageError, match="summary.json: no space left on device"):
        cli.write_json_atomic(tiny_disk / "summary.json", {"lessons": ["x" * 100_000]})
    with runtime.activate(runtime.RunContext(number=99, slug="files", out_root=tiny_disk)):
        plt = runtime.pyplot()
        fig, ax = plt.subplots(figsize=(20, 20))
        ax.imshow(np.random.default_rng(0).random((500, 500)))  # noise: a PNG far above 64 KiB
        with pytest.raises(runtime.UsageError, match="noise.png: no space left on device"):
            runtime.save_figure(fig, "noise.png")
    assert model.read_bytes() == before
    assert json.loads((tiny_disk / "summary.json").read_text()) == {"lessons": []}
    assert sorted(p.name for p in tiny_disk.rglob("*") if p.is_file()) == ["model.pt", "summary.json"]


def test_two_writers_never_tear_each_others_file(tmp_path):
    """Two runs into one --out write summary.json at once, a third reads it: every read is a whole file."""
    path = tmp_path / "summary.json"
    cli.write_json_atomic(path, {"writer": -1, "lessons": []})
    errors: list[BaseException] = []
    torn = 0
    done = threading.Event()

    def write(writer: int) -> None:
        try:
            for i in range(150):
                cli.write_json_atomic(path, {"writer": writer, "lessons": list(range(i % 50 * 20))})
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    def read() -> None:
        nonlocal torn
        while not done.is_set():
            try:
                json.loads(path.read_text())
            except json.JSONDecodeError:
                torn += 1

    writers = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
    reader = threading.Thread(target=read)
    for thread in (*writers, reader):
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    assert errors == [] and torn == 0
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


# ---------------------------------------------------------------------------------------------------------
# A diverged model is never kept


def test_non_finite_weights_are_never_saved_over_a_good_file(tmp_path):
    path = checkpoint.save_atomic({"state_dict": {"w": torch.ones(3)}}, tmp_path / "model.pt")
    before = path.read_bytes()
    with pytest.raises(runtime.Diverged, match=r"'state_dict\.w' holds NaN or infinity, so .*model\.pt was not saved"):
        checkpoint.save_atomic({"state_dict": {"w": torch.tensor([1.0, float("nan")])}}, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["model.pt"]
    checkpoint.save_atomic({"rng": torch.get_rng_state(), "best_loss": float("inf")}, tmp_path / "ok.pt")  # fine


@pytest.mark.parametrize("load", [checkpoint.load_weights, checkpoint.load_checkpoint])
def test_a_checkpoint_with_non_finite_weights_is_refused_in_one_line(tmp_path, load):
    path = tmp_path / "nan.pt"
    torch.save({"arch": "LeNet", "state_dict": {"fc.weight": torch.full((2, 2), float("inf"))}}, path)
    with pytest.raises(runtime.UsageError, match="'state_dict.fc.weight' holds NaN or infinity") as info:
        load(path)
    assert "\n" not in str(info.value)


def test_predict_refuses_a_diverged_checkpoint(tmp_path):
    from pytorch_tutorial.models import LeNet

    torch.manual_seed(0)
    state = {k: torch.full_like(v, float("nan")) for k, v in LeNet().state_dict().items()}
    path = tmp_path / "nan.pt"
    torch.save({"arch": "LeNet", "in_channels": 1, "num_classes": 10, "state_dict": state}, path)
    image = Image.new("L", (200, 200), 240)
    ImageDraw.Draw(image).line([(100, 30), (100, 170)], fill=20, width=18)
    image.save(tmp_path / "one.png")
    assert_usage_error(run_cli_here("predict", "one.png", "--checkpoint", "nan.pt", cwd=tmp_path), "NaN or infinity")


@dataclasses.dataclass(frozen=True)
class _FileLesson(course.Lesson):
    file: Path = Path()

    @property
    def path(self) -> Path:
        return self.file


@pytest.mark.parametrize(
    ("overrides", "hint"),
    [
        # the learner raised lr: its tenth (100) would diverge too; the lesson's own value is the one to go back to
        ({"lr": "1000"}, "lr=1000 is likely too large: try --set lr=0.5 (this lesson's default)"),
        ({}, "lr=0.5 is likely too large: try --set lr=0.05"),  # the default itself diverged: a tenth of it
    ],
    ids=["raised by the learner", "the default"],
)
def test_a_loss_that_turns_nan_stops_the_lesson_in_one_line_naming_lr(tmp_path, overrides, hint):
    code = (
        "import torch\nfrom pytorch_tutorial import runtime\ncfg = runtime.settings(lr=0.5)\n"
        "loss = torch.nn.MSELoss()(torch.tensor([1.0]), torch.tensor([2.0]))\n"
        "loss = torch.nn.MSELoss()(torch.tensor([float('inf')]), torch.tensor([2.0]))\n"
        "print('never reached')\n"
    )
    (tmp_path / "l99_nan.py").write_text(code)
    lesson = _FileLesson(99, "nan", "NaN", "diverges", file=tmp_path / "l99_nan.py")
    result = course.run_lesson(lesson, ctx(tmp_path, overrides=overrides, quiet=True))
    assert result.status == "failed"
    assert result.error == f"training diverged: the loss (MSELoss) became inf; {hint}"
    assert result.log is None
    # the check is the lesson's only: after it, a non-finite loss is the caller's business
    assert torch.nn.MSELoss()(torch.tensor([float("nan")]), torch.tensor([0.0])).isnan()


def test_lesson_14_with_a_huge_lr_keeps_the_good_model(tmp_path):
    """The trial's repro: ``run 14 --set lr=1000 --set epochs=1`` reported ok and overwrote the model with NaN.
    (With today's plain SGD, lr=1000 kills every ReLU while the weights stay finite; 1e30 overflows to NaN.)"""
    out = tmp_path / "n"
    good = checkpoint.save_atomic({"arch": "LeNet", "state_dict": {}}, out / "14-cnn" / "lenet_mnist.pt")
    before = good.read_bytes()
    lesson = course.BY_NUMBER[14]
    context = runtime.RunContext(14, lesson.slug, device="cpu", out_root=out, overrides={"lr": 1e30, "epochs": 1})
    context.quiet = True
    result = course.run_lesson(lesson, context)
    assert result.status == "failed" and result.error.startswith("training diverged: the loss"), result.error
    assert "lr=1e+30 is likely too large: try --set lr=0.1 (this lesson's default)" in result.error
    assert good.read_bytes() == before


# ---------------------------------------------------------------------------------------------------------
# Clear messages for refused and mismatched checkpoints


class _System:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize("bare", [False, True], ids=["torch file", "bare pickle"])
def test_a_refused_pickle_names_the_global_it_wanted(tmp_path, bare):
    path = tmp_path / "evil.pt"
    if bare:
        path.write_bytes(pickle.dumps(_System()))
    else:
        torch.save({"state_dict": {}, "x": _System()}, path)
    with pytest.raises(runtime.UsageError, match=rf"Python object \({os.system.__module__}\.system\)") as info:
        checkpoint.load_checkpoint(path)
    assert "\n" not in str(info.value) and "will likely succeed" not in str(info.value)


def test_a_wrong_size_checkpoint_says_what_differs():
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    other = torch.nn.Sequential(torch.nn.Linear(5, 3), torch.nn.Linear(3, 2)).state_dict()
    other["extra"] = torch.zeros(1)
    with pytest.raises(runtime.UsageError) as info:
        checkpoint.load_state_dict(model, other, "m.pt")
    assert str(info.value) == (
        "checkpoint m.pt does not fit the model: 0.weight is [3, 5] in the file but [3, 4] in the model; "
        "not in the model: extra"
    )
    checkpoint.load_state_dict(model, torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2)).state_dict())


def test_predict_says_which_input_size_a_checkpoint_has(tmp_path):
    """The trial: a checkpoint with input_size 28 was told only what predict needs, not what differs."""
    from pytorch_tutorial import predict
    from pytorch_tutorial.models import LeNet

    meta = {"arch": "LeNet", "in_channels": 1, "num_classes": 10, "input_size": 28}
    path = checkpoint.save_atomic({**meta, "state_dict": LeNet().state_dict()}, tmp_path / "m.pt")
    with pytest.raises(runtime.UsageError, match="10 classes and 28x28 input; predict needs .* 32x32 input"):
        predict.load_classifier(path)


def test_a_lessons_thread_count_does_not_leak_into_the_next_lesson(tmp_path):
    """Lesson 19 trains on one thread; in 'run all' lessons 20-23 must still get the usual number."""
    (tmp_path / "l98_threads.py").write_text("import torch\ntorch.set_num_threads(1)\n")
    lesson = _FileLesson(98, "threads", "Threads", "one thread", file=tmp_path / "l98_threads.py")
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        result = course.run_lesson(lesson, ctx(tmp_path, quiet=True))
        assert result.status == "ok" and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
