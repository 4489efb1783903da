"""Hostile-trial defects of the data layer (issue 12): no writable home needed, gzip bombs, wrong IDX magic
numbers, labels outside 0-9 — each one line, before a lesson runs."""

from __future__ import annotations

import gzip
import struct
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_usage_error, run_cli, run_cli_here

from pytorch_tutorial import runtime
from pytorch_tutorial.data import download, idx, mnist


def _copy(folder: Path, compress: bool = True, labels: np.ndarray | None = None) -> Path:
    """A small --data-dir copy: 20 training and 10 test digits."""
    raw = folder / "MNIST" / "raw"
    suffix = ".gz" if compress else ""
    images = idx.read(mnist.EMBEDDED / "t10k-images-idx3-ubyte.gz")
    idx.write(raw / f"train-images-idx3-ubyte{suffix}", images[:20])
    idx.write(raw / f"t10k-images-idx3-ubyte{suffix}", images[20:30])
    train_labels = labels if labels is not None else np.arange(20, dtype=np.uint8) % 10
    idx.write(raw / f"train-labels-idx1-ubyte{suffix}", train_labels)
    idx.write(raw / f"t10k-labels-idx1-ubyte{suffix}", np.arange(10, dtype=np.uint8))
    return folder


def test_labels_outside_0_to_9_are_one_line(tmp_path):
    copy = _copy(tmp_path / "copy", labels=np.full(20, 200, dtype=np.uint8))
    with pytest.raises(runtime.UsageError, match="labels up to 200; MNIST labels are the digits 0 to 9"):
        mnist.check_data_dir(copy)


def test_a_gzip_bomb_is_refused_without_unpacking_it(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("PYTORCH_TUTORIAL_CACHE", str(cache))
    copy = _copy(tmp_path / "copy")
    bomb = copy / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz"
    with gzip.open(bomb, "wb") as stream:  # the header says 20 labels; 200 MB of zeros follow
        stream.write(struct.pack(">BBBBI", 0, 0, 8, 1, 20))
        for _ in range(200):
            stream.write(bytes(2**20))
    assert bomb.stat().st_size < 400_000
    start = time.perf_counter()
    with pytest.raises(runtime.UsageError, match="train-labels-idx1-ubyte.gz unpacks to more than the 20 values"):
        mnist.check_data_dir(copy)
    assert time.perf_counter() - start < 2
    assert not [p for p in cache.rglob("train-labels*") if p.is_file()]


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "uncompressed"])
def test_a_wrong_idx_magic_number_is_a_clear_line(tmp_path, compress):
    copy = _copy(tmp_path / "copy", compress=compress)
    suffix = ".gz" if compress else ""
    wrong = copy / "MNIST" / "raw" / f"t10k-labels-idx1-ubyte{suffix}"
    idx.write(wrong, np.zeros((10, 1, 1), dtype=np.uint8))  # an images-shaped file where labels belong
    with pytest.raises(runtime.UsageError) as info:
        mnist.check_data_dir(copy)
    assert "AssertionError" not in str(info.value)
    assert (
        f"t10k-labels-idx1-ubyte{suffix} is not an MNIST labels file: its IDX magic number is 0x00000803, "
        "expected 0x00000801" in str(info.value)
    )


def test_an_uncompressed_file_longer_than_its_header_says_is_refused(tmp_path):
    copy = _copy(tmp_path / "copy", compress=False)
    images = copy / "MNIST" / "raw" / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes() + bytes(100))
    with pytest.raises(runtime.UsageError, match="holds more than the 15,680 values its IDX header announces"):
        mnist.check_data_dir(copy)


@pytest.fixture
def no_home(tmp_path, monkeypatch):
    """HOME names a file (the trial's ``echo x > notadir; HOME=notadir``) and no PYTORCH_TUTORIAL_CACHE is set."""
    (tmp_path / "notadir").write_text("x\n")
    monkeypatch.setenv("HOME", str(tmp_path / "notadir"))
    monkeypatch.delenv("PYTORCH_TUTORIAL_CACHE")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(download, "_warned", set())
    return tmp_path


def test_the_embedded_data_needs_no_writable_home(no_home, capsys):
    with runtime.activate(runtime.RunContext(number=9, slug="dataloader", device="cpu")):
        images, labels = mnist.tensors(train=False)
    assert images.shape == (1000, 1, 28, 28) and labels.shape == (1000,)
    assert mnist.embedded_root().is_relative_to(no_home / "tmp")
    (note,) = capsys.readouterr().err.strip().splitlines()
    assert "cannot be used (not a directory)" in note and "PYTORCH_TUTORIAL_CACHE" in note


def test_an_unusable_cache_setting_is_one_line_naming_it(tmp_path):
    (tmp_path / "afile").write_text("x\n")
    proc = run_cli_here(
        "run", "13", "--set", "epochs=1", cwd=tmp_path, env={"PYTORCH_TUTORIAL_CACHE": str(tmp_path / "afile")}
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert f"PYTORCH_TUTORIAL_CACHE={tmp_path / 'afile'}: cannot make" in proc.stdout + proc.stderr


def test_lesson_13_runs_with_home_naming_a_file(tmp_path):
    """The trial's repro: ``echo x > notadir; HOME=notadir pytorch-tutorial run 13``."""
    (tmp_path / "notadir").write_text("x\n")
    env = {"HOME": "notadir", "PYTORCH_TUTORIAL_CACHE": "", "TMPDIR": str(tmp_path)}
    proc = run_cli("run", "13", "--quiet", "--set", "epochs=1", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Matplotlib" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1  # the note naming the folder used instead


def test_a_data_dir_bomb_through_the_cli_is_one_line(tmp_path):
    copy = _copy(tmp_path / "copy", compress=False)
    images = copy / "MNIST" / "raw" / "train-images-idx3-ubyte"
    data = bytearray(images.read_bytes())
    data[4:8] = struct.pack(">I", 2**31)  # a header claiming two billion images
    images.write_bytes(bytes(data))
    assert_usage_error(run_cli_here("run", "9", "--data-dir", str(copy), cwd=tmp_path), "more than MNIST ever holds")
