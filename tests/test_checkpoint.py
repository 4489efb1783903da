"""checkpoint.py: atomic saves survive an interrupted write; loads never unpickle code; GPU files load on a CPU."""

from __future__ import annotations

import errno
import pathlib
import pickle
from pathlib import Path

import pytest
import torch

from pytorch_tutorial import checkpoint, runtime
from pytorch_tutorial.models import LeNet


class TouchOnLoad:
    """A malicious object: unpickling it calls ``Path(marker).touch()`` — any function could run instead."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def write_malicious(path: Path, marker: Path) -> Path:
    """A checkpoint-looking file whose loading with full unpickling would create ``marker``."""
    torch.save({"arch": "LeNet", "state_dict": {}, "payload": TouchOnLoad(marker)}, path)
    return path


def test_round_trip_restores_identical_weights(tmp_path):
    torch.manual_seed(0)
    model = LeNet()
    path = checkpoint.save_atomic({"arch": "LeNet", "state_dict": model.state_dict()}, tmp_path / "sub" / "m.pt")
    loaded = checkpoint.load_weights(path)
    fresh = LeNet()
    fresh.load_state_dict(loaded["state_dict"])
    for name, tensor in model.state_dict().items():
        assert torch.equal(fresh.state_dict()[name], tensor), name
    assert [p.name for p in path.parent.iterdir()] == ["m.pt"]  # no temporary file left behind


def test_interrupted_save_keeps_the_previous_checkpoint_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    checkpoint.save_atomic({"epoch": 1, "w": torch.ones(1000)}, path)
    before = path.read_bytes()
    real_save = torch.save

    def save_half_then_crash(obj, f, *args, **kwargs):
        real_save(obj, f, *args, **kwargs)
        f.truncate(f.tell() // 2)  # the disk filled up midway
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", save_half_then_crash)
    with pytest.raises(runtime.UsageError, match=f"could not write {path}: no space left on device"):
        checkpoint.save_atomic({"epoch": 2, "w": torch.zeros(1000)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    restored = checkpoint.load_weights(path)
    assert restored["epoch"] == 1 and torch.equal(restored["w"], torch.ones(1000))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]


def test_a_half_written_file_is_refused_in_one_line(tmp_path):
    path = checkpoint.save_atomic({"w": torch.ones(1000)}, tmp_path / "full.pt")
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(runtime.UsageError, match="not a readable PyTorch file") as info:
        checkpoint.load_checkpoint(truncated)
    assert "\n" not in str(info.value)


def test_malicious_pickle_is_refused_and_its_payload_never_runs(tmp_path):
    # control: the payload is real — unpickling this (our own, trusted) file fully does create the marker
    control_marker = tmp_path / "control-marker"
    torch.load(write_malicious(tmp_path / "control.pt", control_marker), weights_only=False)
    assert control_marker.exists()

    marker = tmp_path / "pwned"
    evil = write_malicious(tmp_path / "evil.pt", marker)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        checkpoint.load_weights(evil)
    with pytest.raises(runtime.UsageError, match="not a plain weights file") as info:
        checkpoint.load_checkpoint(evil)
    assert "\n" not in str(info.value)
    # the same payload as a bare pickle (not torch's zip format) is refused too
    raw = tmp_path / "evil.pkl"
    raw.write_bytes(pickle.dumps(TouchOnLoad(marker)))
    with pytest.raises(runtime.UsageError, match="not a plain weights file"):
        checkpoint.load_checkpoint(raw)
    assert not marker.exists()


def test_whole_model_pickle_is_not_a_plain_weights_file(tmp_path):
    path = tmp_path / "whole.pt"
    torch.save(torch.nn.Linear(2, 2), path)
    with pytest.raises(runtime.UsageError, match=r"not a plain weights file: .*torch\.nn\.modules\.linear\.Linear"):
        checkpoint.load_checkpoint(path)


@pytest.mark.parametrize("content", [b"", b"hello world" * 10, b"\x89PNG\r\n\x1a\n" + bytes(100)])
def test_files_that_are_not_checkpoints_are_one_line_errors(tmp_path, content):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(runtime.UsageError, match="not a readable PyTorch file|not a plain weights file") as info:
        checkpoint.load_checkpoint(path)
    assert "\n" not in str(info.value)


def test_missing_checkpoint_and_folder(tmp_path):
    with pytest.raises(runtime.UsageError, match="does not exist"):
        checkpoint.load_checkpoint(tmp_path / "nothing.pt")
    with pytest.raises(runtime.UsageError, match="not a file"):
        checkpoint.load_checkpoint(tmp_path)


def test_gpu_saved_checkpoint_loads_on_cpu_with_map_location(tmp_path):
    weights = {"w": torch.arange(6.0).reshape(2, 3)}
    if torch.cuda.is_available():
        gpu_file = checkpoint.save_atomic({"w": weights["w"].cuda()}, tmp_path / "gpu.pt")
    else:
        cpu_file = checkpoint.save_atomic(weights, tmp_path / "cpu.pt")
        gpu_file = checkpoint.as_if_saved_on_gpu(cpu_file, tmp_path / "gpu.pt")
        with pytest.raises(RuntimeError, match="map_location"):
            torch.load(gpu_file, weights_only=True)  # without map_location it wants a GPU that is not there
    loaded = checkpoint.load_weights(gpu_file, map_location="cpu")
    assert loaded["w"].device.type == "cpu"
    assert torch.equal(loaded["w"], weights["w"])


def test_as_if_saved_on_gpu_needs_a_file_with_cpu_tensors(tmp_path):
    no_tensors = checkpoint.save_atomic({"epoch": 3}, tmp_path / "epoch.pt")
    with pytest.raises(ValueError, match="no tensor on the CPU"):
        checkpoint.as_if_saved_on_gpu(no_tensors, tmp_path / "gpu.pt")
