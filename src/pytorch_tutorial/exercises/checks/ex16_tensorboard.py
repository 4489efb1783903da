"""Checks for lesson 16 — TensorBoard."""

from __future__ import annotations

import tempfile
from pathlib import Path

import torch
from hypothesis import strategies as st

from pytorch_tutorial.exercises.checking import (
    check,
    expect,
    expect_tensor,
    fail,
    for_all,
    random_tensor,
)


def _read_scalars(log_dir: Path) -> dict[str, list[tuple[int, float]]]:
    """The scalar series in a log folder, read with TensorBoard's own event reader."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(log_dir), size_guidance={"scalars": 0})
    accumulator.Reload()
    return {tag: [(e.step, e.value) for e in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]}


@check("16.1")
def _(log_scalars):
    with tempfile.TemporaryDirectory() as tmp:
        for case, (tag, values) in enumerate((("loss/train", [2.5, 1.25, 0.5, 0.25]), ("accuracy", [0.5]))):
            log_dir = Path(tmp) / f"run{case}"
            result = log_scalars(str(log_dir), tag, values)
            what = f"log_scalars(log_dir, '{tag}', {values})"
            expect(result is None, f"{what} should return None", got=result)
            events = list(log_dir.glob("events.out.tfevents.*")) if log_dir.is_dir() else []
            expect(
                bool(events),
                f"{what} wrote no event file into log_dir",
                expected="events.out.tfevents.* in log_dir",
                got=sorted(p.name for p in log_dir.rglob("*")) if log_dir.is_dir() else "no folder",
            )
            scalars = _read_scalars(log_dir)
            expect(
                tag in scalars,
                f"{what}: TensorBoard finds no series '{tag}' (did you close the writer?)",
                expected=[tag],
                got=sorted(scalars),
            )
            got = scalars[tag]
            expected = [(step, value) for step, value in enumerate(values)]
            expect(
                [s for s, _ in got] == [s for s, _ in expected]
                and all(abs(a - b) < 1e-6 for (_, a), (_, b) in zip(got, expected, strict=True)),
                f"{what}: the series TensorBoard reads back is wrong",
                expected=expected,
                got=got,
            )
        log_dir = Path(tmp) / "as-path"
        log_scalars(log_dir, "x", [1.0, 2.0])
        expect(
            "x" in _read_scalars(log_dir),
            "log_scalars with log_dir given as a pathlib.Path wrote nothing TensorBoard can read",
        )


@check("16.2")
def _(pr_curve_data):
    @for_all(n=st.integers(1, 12), classes=st.integers(2, 5), class_index=st.integers(0, 4), seed=st.integers(0, 999))
    def _(n, classes, class_index, seed):
        class_index %= classes
        logits = random_tensor((n, classes), seed, scale=2.0)
        targets = torch.randint(0, classes, (n,), generator=torch.Generator().manual_seed(seed))
        result = pr_curve_data(logits.clone(), targets.clone(), class_index)
        if not (isinstance(result, tuple) and len(result) == 2):
            fail("pr_curve_data should return a pair (labels, probabilities)", got=result)
        labels, probabilities = result
        what = f"for {n} samples, {classes} classes, class_index={class_index}"
        expect_tensor(labels, targets == class_index, f"labels {what} (the true class, not the prediction)")
        expect_tensor(probabilities, torch.softmax(logits, dim=1)[:, class_index], f"probabilities {what}", atol=1e-6)
