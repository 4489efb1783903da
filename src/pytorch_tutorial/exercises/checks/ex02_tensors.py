"""Checks for lesson 2 — Tensor basics."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from pytorch_tutorial.exercises.checking import (
    check,
    expect,
    expect_no_loops,
    expect_tensor,
    fail,
    for_all,
    random_tensor,
)

DTYPES = st.sampled_from([torch.float32, torch.float64, torch.int64, torch.int32])


@check("2.1")
def _(pairwise_sums):
    got = pairwise_sums(torch.tensor([0, 10]), torch.tensor([1, 2, 3]))
    expect_tensor(got, torch.tensor([[1, 2, 3], [11, 12, 13]]), "pairwise_sums([0, 10], [1, 2, 3])")

    @for_all(n=st.integers(1, 7), m=st.integers(1, 7), dtype=DTYPES, seed=st.integers(0, 999))
    def _(n, m, dtype, seed):
        a, b = random_tensor((n,), seed, dtype), random_tensor((m,), seed + 1, dtype)
        expected = a.reshape(n, 1).expand(n, m) + b.reshape(1, m).expand(n, m)
        what = f"pairwise_sums(a, b) for {str(dtype).replace('torch.', '')} tensors of shapes ({n},) and ({m},)"
        expect_tensor(pairwise_sums(a.clone(), b.clone()), expected, what)

    small = (torch.arange(3.0), torch.arange(4.0))
    big = (torch.arange(30.0), torch.arange(40.0))
    expect_no_loops(pairwise_sums, small, big, "pairwise_sums")


@check("2.2")
def _(to_patches):
    image = torch.arange(16).reshape(4, 4)
    expected = torch.tensor([[[0, 1], [4, 5]], [[2, 3], [6, 7]], [[8, 9], [12, 13]], [[10, 11], [14, 15]]])
    expect_tensor(to_patches(image.clone(), 2), expected, "to_patches(arange(16).reshape(4, 4), 2)")

    @for_all(rows=st.integers(1, 4), cols=st.integers(1, 4), size=st.integers(1, 4), dtype=DTYPES)
    def _(rows, cols, size, dtype):
        image = torch.arange(rows * size * cols * size).reshape(rows * size, cols * size).to(dtype)
        got = to_patches(image.clone(), size)
        what = f"to_patches(image of shape {tuple(image.shape)}, size={size})"
        expected = torch.stack(
            [image[r * size : (r + 1) * size, c * size : (c + 1) * size] for r in range(rows) for c in range(cols)]
        )
        expect_tensor(got, expected, what)

    expect_no_loops(to_patches, (torch.zeros(4, 4), 2), (torch.zeros(12, 12), 2), "to_patches")


@check("2.3")
def _(shared_and_copied):
    for dtype in (np.float32, np.float64, np.int64):
        array = np.arange(6, dtype=dtype).reshape(2, 3)
        original = array.copy()
        result = shared_and_copied(array)
        if not (isinstance(result, tuple) and len(result) == 2):
            fail("shared_and_copied should return a pair (shared, copied)", expected="a tuple of 2 tensors", got=result)
        shared, copied = result
        for name, tensor in (("shared", shared), ("copied", copied)):
            expect_tensor(tensor, torch.from_numpy(original), f"{name} for a {np.dtype(dtype).name} array")
        array += 100  # change the array in place: the shared tensor must follow, the copy must not
        expect(
            torch.equal(shared, torch.from_numpy(original + 100)),
            "changing the array did not change `shared`: it does not share the array's memory",
            expected=torch.from_numpy(original + 100),
            got=shared,
        )
        expect(
            torch.equal(copied, torch.from_numpy(original)),
            "changing the array changed `copied`: it shares the array's memory instead of copying",
            expected=torch.from_numpy(original),
            got=copied,
        )
