"""Checks for lesson 9 — Dataset and DataLoader."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import torch
from hypothesis import strategies as st
from torch.utils.data import DataLoader, Dataset, TensorDataset

from pytorch_tutorial.exercises.checking import (
    check,
    expect,
    expect_number,
    expect_tensor,
    fail,
    for_all,
)


def _write_csv(folder: Path, rows: int, features: int, classes: int, seed: int) -> tuple[Path, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(1, classes + 1, size=rows)
    values = np.round(rng.normal(size=(rows, features)) * 10, 3).astype(np.float32)
    path = folder / f"data_{seed}.csv"
    header = ",".join(["Class"] + [f"f{i}" for i in range(features)])
    lines = [header] + [
        ",".join([str(label)] + [repr(float(v)) for v in row]) for label, row in zip(labels, values, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, values, labels - 1


@check("9.1")
def _(CSVDataset):
    with tempfile.TemporaryDirectory() as tmp:
        for rows, features, classes, seed in ((6, 3, 3, 0), (1, 13, 2, 1), (25, 2, 4, 2)):
            path, values, labels = _write_csv(Path(tmp), rows, features, classes, seed)
            dataset = CSVDataset(str(path))
            what = f"CSVDataset over a file with {rows} rows and {features} features"
            expect(isinstance(dataset, Dataset), "CSVDataset should subclass torch.utils.data.Dataset")
            expect_number(len(dataset), rows, f"len() of {what}")
            for i in sorted({0, rows // 2, rows - 1}):
                item = dataset[i]
                if not (isinstance(item, tuple) and len(item) == 2):
                    fail(f"{what}[{i}] should be a pair (features, label)", got=item)
                x, y = item
                expect_tensor(x, torch.from_numpy(values[i]), f"the features of {what}[{i}]")
                expect_tensor(y, torch.tensor(int(labels[i])), f"the label of {what}[{i}] (classes counted from 0)")
            batches = list(DataLoader(dataset, batch_size=4))
            xb, yb = batches[0]
            expect_tensor(xb, torch.from_numpy(values[:4]), f"the first batch of a DataLoader over {what}")
            expect_tensor(
                yb, torch.from_numpy(labels[:4].astype(np.int64)), f"the labels of the first batch over {what}"
            )
        # a path given as a pathlib.Path works too
        expect_number(len(CSVDataset(Path(path))), rows, "len(CSVDataset(pathlib.Path(...)))")


@check("9.2")
def _(iterations_per_epoch):
    expect_number(iterations_per_epoch(178, 4), 45, "iterations_per_epoch(178, 4)")

    @for_all(n=st.integers(1, 300), batch_size=st.integers(1, 64), drop_last=st.booleans())
    def _(n, batch_size, drop_last):
        expected = len(DataLoader(range(n), batch_size=batch_size, drop_last=drop_last))
        got = iterations_per_epoch(n, batch_size, drop_last)
        expect(isinstance(got, int) and not isinstance(got, bool), "iterations_per_epoch should return an int", got=got)
        expect_number(got, expected, f"iterations_per_epoch({n}, {batch_size}, drop_last={drop_last})")


def _epoch(loader) -> list[list[int]]:
    return [batch[0].tolist() for batch in loader]


@check("9.3")
def _(shuffled_loader):
    dataset = TensorDataset(torch.arange(40))
    state = torch.random.get_rng_state()
    loader = shuffled_loader(dataset, 8, 0)
    expect(isinstance(loader, DataLoader), "shuffled_loader should return a DataLoader", got=loader)
    expect(
        torch.equal(torch.random.get_rng_state(), state),
        "shuffled_loader changed the global random state (torch.manual_seed?): give the DataLoader its own generator",
    )
    first = _epoch(shuffled_loader(dataset, 8, 1))
    again = _epoch(shuffled_loader(dataset, 8, 1))
    expect(first == again, "two loaders with the same seed gave different batches", expected=first[:2], got=again[:2])
    expect(
        sorted(sum(first, [])) == list(range(40)),
        "an epoch does not visit every sample exactly once",
        got=sorted(sum(first, [])),
    )
    expect(
        all(len(batch) == 8 for batch in first),
        "batches of the wrong size",
        expected="5 batches of 8",
        got=[len(b) for b in first],
    )
    expect(sum(first, []) != list(range(40)), "the samples come in their original order: shuffle them")
    orders = {tuple(sum(_epoch(shuffled_loader(dataset, 8, seed)), [])) for seed in range(2, 6)}
    expect(len(orders) > 1, "loaders with different seeds all give the same order: use the seed")
    loader = shuffled_loader(dataset, 8, 7)
    expect(_epoch(loader) != _epoch(loader), "every epoch of one loader has the same order: reshuffle each epoch")
    torch.random.set_rng_state(state)
    torch.manual_seed(123)
    after_global = _epoch(shuffled_loader(dataset, 8, 1))
    expect(after_global == first, "the order depends on the global random state: give the DataLoader its own generator")
