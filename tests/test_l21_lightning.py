"""Lesson 21: lesson 13's network trained by a Lightning Trainer reaches lesson 13's accuracy on the test split;
the CSV log and the checkpoint it leaves in OUT/21-lightning hold what the lesson says; a quiet run prints only
the summary (no warnings, no Lightning info lines, no progress bar)."""

from __future__ import annotations

import contextlib
import csv
import io
import json

import lightning as L
import pytest
import torch
from conftest import run_cli
from PIL import Image

from pytorch_tutorial import course, engine, runtime
from pytorch_tutorial.data import mnist
from pytorch_tutorial.models import FeedForward

LESSON = course.BY_NUMBER[21]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The lesson with its default settings on the CPU, once for this module; what it printed is kept in
    ``result.printed``."""
    ctx = runtime.RunContext(21, LESSON.slug, device="cpu", out_root=tmp_path_factory.mktemp("l21"), quiet=False)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = course.run_lesson(LESSON, ctx)
    assert result.status == "ok", result.error
    result.printed = printed.getvalue()
    result.out_dir = ctx.out_dir
    return result


def _rows(path) -> list[dict[str, str]]:
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def test_accuracy_bar_on_the_test_split_with_defaults(default_run):
    assert set(default_run.metrics) == {"test_accuracy", "best_val_loss"}
    test_accuracy = default_run.metrics["test_accuracy"]
    assert test_accuracy >= 0.94  # lesson 13's bar
    assert f"accuracy on 1000 test digits: {test_accuracy:.2%}" in default_run.printed
    # the figure is the best checkpoint's, measured again here on the embedded test split
    ns = default_run.namespace
    restored = ns["LitNeuralNet"].load_from_checkpoint(ns["checkpoint"].best_model_path, weights_only=True)
    test_images, test_labels = mnist.tensors(train=False)
    assert torch.equal(ns["data"].test_set.tensors[1], test_labels)
    assert engine.evaluate(restored, ns["data"].test_dataloader(), torch.device("cpu")) == pytest.approx(
        test_accuracy, abs=1e-6
    )


def test_core_is_short_and_uses_the_lightning_2_api():
    assert course.core_lines(LESSON) <= 100
    source = LESSON.path.read_text(encoding="utf-8")
    core = source.split("# ## Going further")[0]
    for written in (
        "class LitNeuralNet(L.LightningModule):",
        "class MNISTDataModule(L.LightningDataModule):",
        "def training_step(self, batch, batch_idx):",
        "def validation_step(self, batch, batch_idx):",
        "def test_step(self, batch, batch_idx):",
        "def configure_optimizers(self):",
        'self.log("train_loss", loss)',
        "fast_dev_run=True",
        "trainer.test(",
        "devices=1",
        "CSVLogger(",
        "ModelCheckpoint(",
        "## What Lightning took off your hands",
    ):
        assert written in core, written
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
    for removed in ("pytorch_lightning", "validation_epoch_end", "training_epoch_end", "{'log'", '{"log"'):
        assert removed not in code, removed  # the original's APIs that Lightning 2.0 removed (the prose names them)
    assert "from pytorch_tutorial.models" not in source  # the network is written in the lesson


def test_the_lightning_module_is_lesson_13s_network(default_run):
    """Same layers and outputs as models.FeedForward (lesson 13's NeuralNet), and the trained weights carry over."""
    lesson_class = default_run.namespace["LitNeuralNet"]
    torch.manual_seed(0)
    ours, package = lesson_class(784, 500, 10, 0.001), FeedForward(784, 500, 10)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [(n, p.shape) for n, p in package.named_parameters()]
    package.load_state_dict(ours.state_dict())
    images = torch.randn(7, 1, 28, 28)
    assert torch.equal(ours(images), package(images))
    assert isinstance(ours, L.LightningModule) and dict(ours.hparams) == {
        "input_size": 784,
        "hidden_size": 500,
        "num_classes": 10,
        "lr": 0.001,
    }


def test_data_module_splits_the_training_digits_and_keeps_the_test_split_apart(default_run):
    data = default_run.namespace["data"]
    assert (len(data.train_set), len(data.val_set), len(data.test_set)) == (3600, 400, 1000)
    assert "3600 training, 400 validation and 1000 test digits" in default_run.printed
    assert set(data.train_set.indices).isdisjoint(data.val_set.indices)
    assert sorted(data.train_set.indices + data.val_set.indices) == list(range(4000))
    normalized = data.train_set.dataset.tensors[0]
    assert abs(normalized.mean().item()) < 0.05 and abs(normalized.std().item() - 1) < 0.05  # lesson 13's (x-m)/s
    for loader in (data.train_dataloader(), data.val_dataloader(), data.test_dataloader()):
        assert loader.num_workers == 0 and loader.batch_size == 100


def test_trainer_ran_on_the_chosen_device_for_every_epoch(default_run):
    ns = default_run.namespace
    trainer = ns["trainer"]
    assert trainer.strategy.root_device == torch.device("cpu")  # --device cpu is obeyed
    assert trainer.current_epoch == ns["cfg"].epochs == 10
    assert trainer.global_step == 10 * 36  # 3,600 digits in batches of 100
    assert ns["smoke_test"].global_step == 1  # fast_dev_run: one batch, and it trained a throwaway network
    assert "fast_dev_run: 1 training step" in default_run.printed


def test_csv_log_holds_the_logged_metrics(default_run):
    ns = default_run.namespace
    log_dir = default_run.out_dir / "logs" / "version_0"
    assert ns["logger"].log_dir == str(log_dir)
    assert sorted(path.name for path in (default_run.out_dir / "logs").iterdir()) == [
        "version_0"
    ]  # none from fast_dev_run
    rows = _rows(log_dir / "metrics.csv")
    assert set(rows[0]) == {"epoch", "step", "train_loss", "val_loss", "val_acc", "test_acc"}
    train = [row for row in rows if row["train_loss"]]
    val = [row for row in rows if row["val_loss"]]
    test = [row for row in rows if row["test_acc"]]
    assert [int(row["step"]) for row in train] == list(range(9, 360, 10))  # every 10th of 360 steps
    assert [int(row["epoch"]) for row in val] == list(range(10))  # one row after each epoch
    assert all(0 < float(row["val_acc"]) <= 1 for row in val)
    assert float(val[-1]["val_acc"]) > float(val[0]["val_acc"])
    assert float(train[-1]["train_loss"]) < float(train[0]["train_loss"]) / 5
    assert len(test) == 1 and float(test[0]["test_acc"]) == pytest.approx(default_run.metrics["test_accuracy"])
    hparams = (log_dir / "hparams.yaml").read_text(encoding="utf-8")
    assert "hidden_size: 500" in hparams and "lr: 0.001" in hparams
    assert f"every logged number: {log_dir}/metrics.csv" in default_run.printed
    # the figure plots those rows
    figure = default_run.out_dir / "lightning_metrics.png"
    assert figure in default_run.files
    with Image.open(figure) as image:
        assert image.width > 500 and image.height > 200


def test_checkpoint_is_the_epoch_with_the_lowest_validation_loss_and_loads(default_run):
    ns = default_run.namespace
    log_dir = default_run.out_dir / "logs" / "version_0"
    val = [row for row in _rows(log_dir / "metrics.csv") if row["val_loss"]]
    best = min(val, key=lambda row: float(row["val_loss"]))
    (path,) = (log_dir / "checkpoints").glob("*.ckpt")
    assert str(path) == ns["checkpoint"].best_model_path
    assert path.name == f"epoch={best['epoch']}-step={(int(best['epoch']) + 1) * 36}.ckpt"
    assert default_run.metrics["best_val_loss"] == pytest.approx(float(best["val_loss"]))
    stored = torch.load(path, weights_only=True)  # plain tensors and numbers: no pickled code
    assert stored["epoch"] == int(best["epoch"])
    restored = ns["LitNeuralNet"].load_from_checkpoint(path, map_location="cpu", weights_only=True)
    assert dict(restored.hparams) == dict(ns["model"].hparams)
    for name, tensor in restored.state_dict().items():
        assert torch.equal(tensor, stored["state_dict"][name]), name
    assert ns["restored_accuracy"] == pytest.approx(default_run.metrics["test_accuracy"], abs=1e-6)


def test_quiet_run_prints_only_the_summary(tmp_path):
    """``run 21 --quiet --set epochs=1`` in a fresh process, deprecation warnings shown: nothing but the summary."""
    proc = run_cli(
        "run", "21", "--quiet", "--set", "epochs=1", "--out", str(tmp_path), env={"PYTHONWARNINGS": "default"}
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no warning, no "GPU available: ..." or "💡 Tip" line, no progress bar
    lines = proc.stdout.strip().splitlines()
    assert lines[0].split() == ["#", "lesson", "seconds", "status", "headline", "figures"]
    assert lines[1].startswith("21  PyTorch Lightning") and " ok " in lines[1]
    assert lines[2].startswith("1 lesson in ") and lines[2].endswith(", 0 failed")
    assert lines[3:] == [f"summary written to {tmp_path}/summary.json"]
    (entry,) = json.loads((tmp_path / "summary.json").read_text())["lessons"]
    assert entry["status"] == "ok" and entry["metrics"]["test_accuracy"] > 0.8  # one epoch learns most digits
