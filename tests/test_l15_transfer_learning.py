"""Lesson 15: a real transfer from digits 0-4 to 5-9 through an ImageFolder of PNG files; the --full-data ResNet-18
cells run on stand-ins, and offline they fail with one line."""

from __future__ import annotations

import contextlib
import io
import os
import shutil

import numpy as np
import pytest
import torch
from conftest import assert_usage_error, run_cli_here
from PIL import Image

from pytorch_tutorial.data import mnist


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """On a busy 2-core machine one thread trains several times faster than two; results stay within the margins."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    """Lesson 15 with its default settings, seed 0, run once for the tests below."""
    from pytorch_tutorial import course, runtime

    out = tmp_path_factory.mktemp("outputs")
    ctx = runtime.RunContext(number=15, slug="transfer_learning", device="cpu", out_root=out)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = course.run_lesson(course.BY_NUMBER[15], ctx)
    assert result.status == "ok", result.error
    result.printed = printed.getvalue()
    return result


def assert_transfer_beats_scratch(metrics, margin=0.05):
    assert metrics["finetune_accuracy"] >= metrics["scratch_accuracy"] + margin, metrics
    assert metrics["frozen_accuracy"] >= metrics["scratch_accuracy"] + margin, metrics


def test_both_transfer_runs_beat_scratch_by_five_points_with_defaults(lesson):
    metrics = lesson.metrics
    assert_transfer_beats_scratch(metrics)
    assert metrics["source_accuracy"] > 0.9  # the source task was really learned, on held-out digits 0-4
    assert metrics["finetune_accuracy"] > 0.7
    assert metrics["finetune_accuracy"] > metrics["frozen_accuracy"]  # "it lags behind fine-tuning"
    assert set(metrics["seconds"]) == {"from scratch", "fine-tuning", "frozen + new head"}
    assert "resnet_accuracy" not in metrics  # the ResNet cells do nothing without --full-data


def test_the_numbers_the_prose_states(lesson):
    ns = lesson.namespace
    # "4 epochs of 5 batches, 20 steps"; "425 weights to learn instead of 61,281"; 20 images per class
    assert "a run: 4 epochs of 5 batches, 20 steps" in lesson.printed
    assert (ns["cfg"].epochs, len(ns["train_loader"])) == (4, 5)
    assert ns["frozen_trainable"] == 425 and ns["finetune_trainable"] == ns["scratch_trainable"] == 61_281
    assert ns["cfg"].shots_per_class == 20 and len(ns["target_train"]) == 5 * 20
    assert (ns["cfg"].step_size, ns["cfg"].gamma) == (3, 0.1)
    assert "frozen + new head                425" in lesson.printed


def test_the_core_is_short_and_the_head_is_one_plain_assignment():
    from pytorch_tutorial import course

    lesson = course.BY_NUMBER[15]
    assert course.core_lines(lesson) <= 100
    source = lesson.path.read_text(encoding="utf-8")
    core = source.split("# ## Going further")[0]
    assert "finetune_model.fc3 = nn.Linear(finetune_model.fc3.in_features, num_classes)" in core
    assert "getattr" not in source and "setattr" not in source
    assert "full_data" not in core  # the ResNet path has cells of its own


@pytest.mark.parametrize("seed", [1, 2])
def test_the_gap_holds_for_other_seeds(run_lesson, seed):
    assert_transfer_beats_scratch(run_lesson(15, seed=seed).metrics)


def test_target_images_form_an_image_folder_of_held_out_pngs(lesson):
    root = lesson.namespace["image_root"]
    assert sorted(p.name for p in root.iterdir()) == ["train", "val"]
    train_files = {c.name: sorted(c.glob("*.png")) for c in (root / "train").iterdir()}
    val_files = {c.name: sorted(c.glob("*.png")) for c in (root / "val").iterdir()}
    assert sorted(train_files) == sorted(val_files) == ["5", "6", "7", "8", "9"]
    assert all(len(files) == 20 for files in train_files.values())
    test_images, test_labels = mnist.tensors(train=False)
    train_images, _ = mnist.tensors(train=True)
    as_bytes = lambda images: {(image[0] * 255).round().to(torch.uint8).numpy().tobytes() for image in images}  # noqa: E731
    test_digits = {d: as_bytes(test_images[test_labels == d]) for d in range(5, 10)}
    train_set = as_bytes(train_images)
    for digit, files in val_files.items():
        pixels = {np.asarray(Image.open(f)).tobytes() for f in files}
        assert pixels == test_digits[int(digit)]  # all test digits of that class, lossless
    for files in train_files.values():
        for file in files:
            with Image.open(file) as image:
                assert image.format == "PNG" and image.size == (28, 28)
                assert np.asarray(image).tobytes() in train_set  # from the training split
    ns = lesson.namespace
    assert ns["target_train"].classes == ["5", "6", "7", "8", "9"]
    assert not any(p.name.startswith(".") for p in root.parent.iterdir())  # no staging folder left


def test_frozen_run_trained_only_the_new_head(lesson):
    ns = lesson.namespace
    source, frozen, finetuned = ns["source_model"], ns["frozen_model"], ns["finetune_model"]
    assert [name for name, p in frozen.named_parameters() if p.requires_grad] == ["fc3.weight", "fc3.bias"]
    assert ns["frozen_trainable"] == 84 * 5 + 5
    for name, weight in source.state_dict().items():
        if name.startswith("fc3"):
            continue
        assert torch.equal(frozen.state_dict()[name], weight), name  # frozen: unchanged
        assert not torch.equal(finetuned.state_dict()[name], weight), name  # fine-tuned: moved
    assert source.fc3.out_features == 5 and frozen.fc3.out_features == 5
    assert not torch.equal(frozen.fc3.weight, finetuned.fc3.weight)


def test_with_a_longer_budget_scratch_catches_up_as_the_lesson_says(run_lesson):
    metrics = run_lesson(15, epochs=30, step_size=20).metrics
    assert metrics["scratch_accuracy"] >= metrics["finetune_accuracy"] - 0.03, metrics
    assert metrics["scratch_accuracy"] >= metrics["frozen_accuracy"] + 0.03, metrics


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network (every download goes to a closed local port) and empty data and weights caches."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTORCH_TUTORIAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path


def full_mnist_stand_in(cache):
    """The embedded digits copied where --full-data looks for the full MNIST, so that nothing is downloaded."""
    raw = cache / "full" / "MNIST" / "raw"
    shutil.copytree(mnist.embedded_root() / "MNIST" / "raw", raw)


QUICK = ("--set", "pretrain_epochs=1", "--set", "epochs=1")


def test_full_data_offline_is_one_line(offline):
    proc = run_cli_here("run", "15", "--full-data", *QUICK, "--out", str(offline / "out"))
    assert_usage_error(proc, "could not download MNIST")


def test_full_data_without_the_photos_is_one_line_and_leaves_nothing_behind(offline):
    full_mnist_stand_in(offline / "cache")
    proc = run_cli_here("run", "15", "--full-data", *QUICK, "--out", str(offline / "out"))
    assert_usage_error(proc, "could not download the ants and bees photos", "without --full-data")
    assert list((offline / "cache" / "hymenoptera").iterdir()) == []


def test_full_data_without_the_weights_is_one_line(offline):
    # the digits and the photos are already in the cache (tiny stand-ins), the ImageNet weights are not
    full_mnist_stand_in(offline / "cache")
    for split in ("train", "val"):
        for insect in ("ants", "bees"):
            folder = offline / "cache" / "hymenoptera" / "hymenoptera_data" / split / insect
            os.makedirs(folder)
            Image.new("RGB", (40, 30), (200, 120, 40)).save(folder / "0.jpg")
    proc = run_cli_here("run", "15", "--full-data", *QUICK, "--out", str(offline / "out"))
    assert_usage_error(proc, "could not download the ResNet-18 ImageNet weights")
    checkpoints = offline / "torch" / "hub" / "checkpoints"
    assert not checkpoints.exists() or list(checkpoints.iterdir()) == []


def test_full_data_path_fine_tunes_resnet18_on_an_image_folder(offline, run_lesson):
    # offline stand-ins for the two downloads: a few photos in the data cache, ResNet-18 weights in torch's cache
    from torchvision.models import ResNet18_Weights, resnet18

    full_mnist_stand_in(offline / "cache")
    rng = np.random.default_rng(0)
    for split in ("train", "val"):
        for brightness, insect in ((0.4, "ants"), (1.0, "bees")):
            folder = offline / "cache" / "hymenoptera" / "hymenoptera_data" / split / insect
            os.makedirs(folder)
            for i in range(3):
                pixels = rng.random((60, 80, 3)) * 255 * brightness
                Image.fromarray(pixels.astype(np.uint8)).save(folder / f"{i}.jpg")
    stand_in = resnet18().state_dict()
    weights_file = offline / "torch" / "hub" / "checkpoints" / os.path.basename(ResNet18_Weights.DEFAULT.url)
    os.makedirs(weights_file.parent)
    torch.save(stand_in, weights_file)

    result = run_lesson(15, full_data=True, epochs=1, pretrain_epochs=1)
    ns = result.namespace
    assert ns["photo_classes"] == ["ants", "bees"]
    image, _ = ns["photos_train"][0]
    assert image.shape == (3, 224, 224)
    assert torch.equal(ns["resnet"].conv1.weight, stand_in["conv1.weight"])  # weights= loaded the file
    for name in ("resnet_scratch", "resnet_finetune", "resnet_frozen"):
        assert ns[name].fc.out_features == 2, name
    assert ns["resnet_frozen_trainable"] == 512 * 2 + 2
    assert [n for n, p in ns["resnet_frozen"].named_parameters() if p.requires_grad] == ["fc.weight", "fc.bias"]
    for name, weight in ns["resnet"].state_dict().items():
        if not name.startswith("fc.") and weight.is_floating_point() and "running" not in name:
            assert torch.equal(ns["resnet_frozen"].state_dict()[name], weight), name  # frozen: unchanged
    accuracies = result.metrics["resnet_accuracy"]
    assert len(accuracies) == 3 and all(0.0 <= value <= 1.0 for value in accuracies.values())
    assert 0.0 <= result.metrics["finetune_accuracy"] <= 1.0  # the digits ran too, on the full-MNIST stand-in
