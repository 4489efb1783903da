"""The data layer: the embedded MNIST files, torchvision reading them, --data-dir, --full-data offline, wine.csv."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import ROOT, assert_usage_error, run_cli_here
from sklearn.datasets import load_wine

from pytorch_tutorial import runtime
from pytorch_tutorial.data import idx, mnist, wine

EMBEDDED_SHA256 = {
    "train-images-idx3-ubyte.gz": "d6ca48adb6023a8bb44823e0f8df97d5af48a87b4ec6dc282a4f2b157ac01081",
    "train-labels-idx1-ubyte.gz": "7d0eab0cb879e54c4a0f8c29aeced7db2bed3387b722fb3666c0e4acc10e40f1",
    "t10k-images-idx3-ubyte.gz": "63f2d607efcb543441fdaaf54216f23e779467bb973e95a1d9efda4e8fd85a12",
    "t10k-labels-idx1-ubyte.gz": "162d11e7a798e7d8dec532d63a1b12d4fb040bc5292ffdeae1fe5e4cb243ad2e",
}
WINE_SHA256 = "cf490b4e6fb4cdeabab143f434ed3d9705b1642fb44a0e6e62364dbdbd0e5d67"


def embedded(name: str) -> np.ndarray:
    return idx.read(mnist.EMBEDDED / f"{name}.gz")


def context(**options: object) -> runtime.RunContext:
    """A run context for lesson 9 with the runner's data options."""
    return runtime.RunContext(number=9, slug="dataloader", device="cpu", **options)


# ---------------------------------------------------------------------------------------------------------
# The embedded subset


def test_embedded_files_checksums():
    files = {path.name: path for path in mnist.EMBEDDED.iterdir()}
    assert set(files) == set(EMBEDDED_SHA256)
    for name, digest in EMBEDDED_SHA256.items():
        assert hashlib.sha256(files[name].read_bytes()).hexdigest() == digest, name


def test_embedded_shapes_and_class_balance():
    train_images, test_images = embedded("train-images-idx3-ubyte"), embedded("t10k-images-idx3-ubyte")
    train_labels, test_labels = embedded("train-labels-idx1-ubyte"), embedded("t10k-labels-idx1-ubyte")
    assert train_images.shape == (4000, 28, 28) and test_images.shape == (1000, 28, 28)
    assert train_images.dtype == np.uint8 and train_labels.shape == (4000,) and test_labels.shape == (1000,)
    assert np.bincount(train_labels, minlength=10).tolist() == [400] * 10
    assert np.bincount(test_labels, minlength=10).tolist() == [100] * 10  # stratified: 80/20 in every class
    # real digits: mostly black background, some full-white strokes, every image has ink
    assert train_images.max() == 255 and (train_images.reshape(4000, -1).max(axis=1) > 100).all()
    assert 0.05 < (train_images > 0).mean() < 0.35


def test_embedded_splits_are_disjoint_and_shuffled():
    train_bytes = {image.tobytes() for image in embedded("train-images-idx3-ubyte")}
    test_bytes = {image.tobytes() for image in embedded("t10k-images-idx3-ubyte")}
    assert len(train_bytes) == 4000 and len(test_bytes) == 1000  # no duplicates inside a split
    assert not train_bytes & test_bytes
    labels = embedded("train-labels-idx1-ubyte")
    assert len(set(labels[:50].tolist())) >= 8  # not sorted by class


def test_idx_round_trip(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    for name in ("a-idx3-ubyte", "a-idx3-ubyte.gz"):
        path = idx.write(tmp_path / name, array)
        assert np.array_equal(idx.read(path), array)
    assert (tmp_path / "a-idx3-ubyte").read_bytes()[:8] == b"\x00\x00\x08\x03\x00\x00\x00\x02"
    with pytest.raises(ValueError):
        idx.encode(array.astype(np.int32))


@pytest.mark.parametrize("train", [True, False])
def test_torchvision_mnist_reads_the_embedded_files(train):
    from torchvision.datasets import MNIST

    prefix = "train" if train else "t10k"
    with runtime.activate(context()):
        assert mnist.source() == "embedded"
        dataset = mnist.dataset(train=train)
        images, labels = mnist.tensors(train=train)
    assert isinstance(dataset, MNIST)
    assert np.array_equal(dataset.data.numpy(), embedded(f"{prefix}-images-idx3-ubyte"))
    assert np.array_equal(dataset.targets.numpy(), embedded(f"{prefix}-labels-idx1-ubyte"))
    image, label = dataset[0]
    assert image.size == (28, 28) and image.mode == "L" and label == int(dataset.targets[0])
    assert images.shape == (len(dataset), 1, 28, 28) and images.dtype == torch.float32
    assert images.min() == 0.0 and images.max() == 1.0 and labels.dtype == torch.int64
    assert torch.equal(images[0, 0], dataset.data[0].float() / 255)


# ---------------------------------------------------------------------------------------------------------
# --data-dir: the learner's own copy


def write_mnist_copy(folder: Path, compress: bool) -> tuple[np.ndarray, np.ndarray]:
    """A small MNIST copy in ``folder/MNIST/raw`` (mirrored digits, so it differs from the embedded set)."""
    train_images = embedded("train-images-idx3-ubyte")[:200, :, ::-1].copy()
    test_images = embedded("t10k-images-idx3-ubyte")[:50, :, ::-1].copy()
    suffix = ".gz" if compress else ""
    raw = folder / "MNIST" / "raw"
    idx.write(raw / f"train-images-idx3-ubyte{suffix}", train_images)
    idx.write(raw / f"train-labels-idx1-ubyte{suffix}", embedded("train-labels-idx1-ubyte")[:200])
    idx.write(raw / f"t10k-images-idx3-ubyte{suffix}", test_images)
    idx.write(raw / f"t10k-labels-idx1-ubyte{suffix}", embedded("t10k-labels-idx1-ubyte")[:50])
    return train_images, test_images


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "uncompressed"])
def test_data_dir_used_by_a_lesson(run_lesson, tmp_path, compress):
    copy = tmp_path / "my-mnist"
    train_images, test_images = write_mnist_copy(copy, compress)
    before = sorted(path.name for path in (copy / "MNIST" / "raw").iterdir())
    result = run_lesson(9, data_dir=copy, num_workers=0, epochs=1)
    assert result.metrics["mnist_train_size"] == 200 and result.metrics["mnist_test_size"] == 50
    assert np.array_equal(result.namespace["mnist_train"].data.numpy(), train_images)
    assert np.array_equal(result.namespace["mnist_test"].data.numpy(), test_images)
    assert sorted(path.name for path in (copy / "MNIST" / "raw").iterdir()) == before  # the learner's folder as it was


def test_data_dir_through_the_cli(tmp_path):
    copy = tmp_path / "my-mnist"
    write_mnist_copy(copy, compress=True)
    out = tmp_path / "out"
    proc = run_cli_here("run", "9", "--quiet", "--data-dir", str(copy), "--set", "num_workers=0", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads((out / "summary.json").read_text())["lessons"]
    assert entry["metrics"]["mnist_train_size"] == 200 and entry["metrics"]["mnist_test_size"] == 50


def test_data_dir_with_missing_files_is_one_line_and_exit_2(tmp_path):
    copy = tmp_path / "incomplete"
    raw = copy / "MNIST" / "raw"
    idx.write(raw / "train-images-idx3-ubyte.gz", embedded("t10k-images-idx3-ubyte")[:10])
    idx.write(raw / "train-labels-idx1-ubyte", embedded("t10k-labels-idx1-ubyte")[:10])
    proc = run_cli_here("run", "9", "--data-dir", str(copy), "--set", "num_workers=0", "--out", str(tmp_path / "out"))
    assert_usage_error(proc, "--data-dir", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "missing")
    assert not (tmp_path / "out" / "summary.json").exists()
    assert_usage_error(run_cli_here("run", "9", "--data-dir", str(tmp_path / "nowhere")), "no such folder")


def test_a_replaced_data_dir_copy_is_read_afresh(tmp_path):
    copy = tmp_path / "my-mnist"
    write_mnist_copy(copy, compress=True)
    assert len(mnist.read_data_dir(copy, train=True)) == 200
    raw = copy / "MNIST" / "raw"
    idx.write(raw / "train-images-idx3-ubyte.gz", embedded("train-images-idx3-ubyte")[:120])
    idx.write(raw / "train-labels-idx1-ubyte.gz", embedded("train-labels-idx1-ubyte")[:120])
    assert len(mnist.read_data_dir(copy, train=True)) == 120  # not the unpacked copy of the first version


@pytest.mark.parametrize("damage", ["garbage", "truncated gzip", "labels of the other split"])
def test_a_damaged_data_dir_is_one_usage_error(tmp_path, damage):
    copy = tmp_path / "my-mnist"
    write_mnist_copy(copy, compress=True)
    images = copy / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    if damage == "garbage":
        images.write_bytes(b"not an IDX file")
    elif damage == "truncated gzip":
        images.write_bytes(images.read_bytes()[:500])
    else:
        idx.write(copy / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz", embedded("t10k-labels-idx1-ubyte")[:50])
    with pytest.raises(runtime.UsageError, match=r"^--data-dir .*(training files|train-images)") as caught:
        mnist.check_data_dir(copy)
    assert "\n" not in str(caught.value)


def test_a_damaged_data_dir_stops_the_run_before_the_first_lesson(tmp_path):
    copy = tmp_path / "my-mnist"
    write_mnist_copy(copy, compress=False)
    (copy / "MNIST" / "raw" / "t10k-images-idx3-ubyte").write_bytes(b"\x00" * 40)
    out = tmp_path / "out"
    proc = run_cli_here("run", "1", "9", "--data-dir", str(copy), "--out", str(out))
    assert_usage_error(proc, "--data-dir", "t10k-images-idx3-ubyte is not an MNIST images file", "magic number")
    assert "Lesson 1" not in proc.stdout and not out.exists()


# ---------------------------------------------------------------------------------------------------------
# --full-data offline


def test_full_data_offline_is_one_line_exit_2_and_leaves_nothing(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("PYTORCH_TUTORIAL_CACHE", str(cache))
    for variable in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")  # a closed port: offline even where there is a network
    for variable in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    out = tmp_path / "out"
    proc = run_cli_here("run", "9", "--full-data", "--set", "num_workers=0", "--out", str(out))
    assert_usage_error(proc, "could not download MNIST", "without --full-data")
    assert [path for path in cache.rglob("*") if path.is_file()] == []  # nothing half-written
    assert not (out / "summary.json").exists()


# ---------------------------------------------------------------------------------------------------------
# The wine data


def test_wine_csv_shape_labels_and_checksum():
    assert hashlib.sha256(wine.PATH.read_bytes()).hexdigest() == WINE_SHA256
    features, labels = wine.load()
    assert features.shape == (178, 13) and features.dtype == np.float32
    assert labels.shape == (178,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [59, 71, 48]
    assert wine.feature_names()[:2] == ["Alcohol", "Malic.acid"] and len(wine.feature_names()) == 13
    first_line = wine.PATH.read_text().splitlines()[1]
    assert first_line.startswith("1,14.23,1.71,2.43,15.6,127,")  # the original file's first row, class 1


def test_wine_csv_is_the_uci_data():
    bunch = load_wine()
    features, labels = wine.load()
    assert np.array_equal(labels, bunch.target)
    assert np.allclose(features, bunch.data, rtol=1e-6)


def test_wine_script_regenerates_the_same_file(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_wine_csv", ROOT / "scripts" / "make_wine_csv.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setattr(script, "TARGET", tmp_path / "wine.csv")
    script.main()
    assert (tmp_path / "wine.csv").read_bytes() == wine.PATH.read_bytes()
    assert [path.name for path in tmp_path.iterdir()] == ["wine.csv"]  # no temporary file left
