"""Checks for lesson 17 — Saving and loading."""

from __future__ import annotations

import contextlib
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path

import torch
from torch import nn

from pytorch_tutorial.exercises.checking import (
    check,
    expect,
    expect_number,
    fail,
    random_tensor,
    same_parameters,
)


def _train(model: nn.Module, optimizer: torch.optim.Optimizer, steps: int, seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        x, y = torch.randn(8, 4, generator=gen), torch.randint(0, 3, (8,), generator=gen)
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def _model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


@contextlib.contextmanager
def _torch_load_watched() -> Iterator[list[object]]:
    """Records the ``weights_only`` argument of every ``torch.load`` call made inside the block."""
    original = torch.load
    calls: list[object] = []

    def watched(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return original(*args, **kwargs)

    torch.load = watched
    try:
        yield calls
    finally:
        torch.load = original


@check("17.1")
def _(save_checkpoint, load_checkpoint):
    optimizers = {
        "Adam": lambda p: torch.optim.Adam(p, lr=0.01),
        "SGD with momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, make_optimizer in optimizers.items():
            # straight through: 4 steps
            straight = _model(0)
            straight_optimizer = make_optimizer(straight.parameters())
            _train(straight, straight_optimizer, 2, seed=1)
            _train(straight, straight_optimizer, 2, seed=2)
            # 2 steps, save, load into fresh objects, 2 more steps
            first = _model(0)
            first_optimizer = make_optimizer(first.parameters())
            _train(first, first_optimizer, 2, seed=1)
            path = Path(tmp) / f"checkpoint-{name.split()[0]}.pt"
            save_checkpoint(str(path), first, first_optimizer, 7)
            expect(path.is_file(), f"save_checkpoint wrote no file at the path it was given ({name})")
            try:
                torch.load(path, weights_only=True)
            except pickle.UnpicklingError as exc:
                fail(
                    "the checkpoint does not load with torch.load(weights_only=True): save state_dict()s, not objects",
                    got=str(exc).splitlines()[0][:200],
                )
            resumed = _model(99)  # different initial weights: everything must come from the file
            resumed_optimizer = make_optimizer(resumed.parameters())
            with _torch_load_watched() as calls:
                epoch = load_checkpoint(str(path), resumed, resumed_optimizer)
            expect(
                False not in calls,
                "load_checkpoint called torch.load(..., weights_only=False), which unpickles any object, and a "
                "pickle can run code: a checkpoint of state dicts loads safely with weights_only=True",
                expected="torch.load(path, weights_only=True)",
                got="torch.load(..., weights_only=False)",
            )
            expect_number(epoch, 7, f"the epoch load_checkpoint returns ({name})")
            expect(
                same_parameters(resumed, first),
                f"after load_checkpoint the model's weights differ from the saved ones ({name})",
            )
            _train(resumed, resumed_optimizer, 2, seed=2)
            if not same_parameters(resumed, straight):
                diff = max(
                    (a - b).abs().max().item() for a, b in zip(resumed.parameters(), straight.parameters(), strict=True)
                )
                fail(
                    f"training resumed from the checkpoint does not continue exactly ({name}): is the optimizer's state saved and loaded?",
                    expected="bit-identical weights to 4 uninterrupted steps",
                    got=f"weights that differ by up to {diff:.3g}",
                )


class _Unsaveable:
    def __reduce__(self):
        raise RuntimeError("this object cannot be saved")


@check("17.2")
def _(save_atomic):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "weights.pt"
        first = {"w": random_tensor((3, 3), 0)}
        save_atomic(first, str(path))
        expect(path.is_file(), "save_atomic wrote no file at the path it was given")
        expect(
            torch.equal(torch.load(path, weights_only=True)["w"], first["w"]),
            "the saved file does not load back to what was saved",
        )
        second = {"w": random_tensor((3, 3), 1)}
        save_atomic(second, path)  # a pathlib.Path works too, and replaces the old file
        expect(
            torch.equal(torch.load(path, weights_only=True)["w"], second["w"]), "saving again did not replace the file"
        )
        # a save that fails midway: a big tensor first (so bytes are written), then something that cannot be pickled
        try:
            save_atomic({"big": torch.zeros(100_000), "bad": _Unsaveable()}, path)
        except Exception:  # noqa: BLE001 - the failure itself is expected
            pass
        else:
            fail("save_atomic did not raise when torch.save failed: let the exception propagate")
        try:
            restored = torch.load(path, weights_only=True)
        except Exception as exc:  # noqa: BLE001
            fail(
                "a failed save left a broken file behind: the previous file must stay intact",
                got=f"{type(exc).__name__}: {exc}"[:200],
            )
        expect(torch.equal(restored["w"], second["w"]), "a failed save changed the previous file")
        leftovers = sorted(p.name for p in folder.iterdir() if p.name != "weights.pt")
        expect(not leftovers, "save_atomic left temporary files behind", expected="only weights.pt", got=leftovers)
