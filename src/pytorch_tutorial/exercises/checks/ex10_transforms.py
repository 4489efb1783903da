"""Checks for lesson 10 — Transforms."""

from __future__ import annotations

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


@check("10.1")
def _(MultiplyTransform):
    for factor in (2.0, 0.5, -1.0):
        transform = MultiplyTransform(factor)
        expect(callable(transform), "a MultiplyTransform object should be callable: define __call__")
        features = random_tensor((4,), int(factor * 10) + 20)
        stored = features.clone()
        result = transform((features, 7))
        if not (isinstance(result, tuple) and len(result) == 2):
            fail(f"MultiplyTransform({factor})(sample) should return a pair (features, label)", got=result)
        expect_tensor(result[0], stored * factor, f"the features after MultiplyTransform({factor})")
        expect(result[1] == 7, f"MultiplyTransform({factor}) changed the label", expected=7, got=result[1])
        expect(
            torch.equal(features, stored),
            f"MultiplyTransform({factor}) changed the stored features in place: return a new tensor",
            expected=stored,
            got=features,
        )
        again = transform((features, 7))  # reading the same item twice gives the same values
        expect_tensor(again[0], stored * factor, "the features when the same sample is transformed a second time")


@check("10.2")
def _(compose):
    @for_all(
        steps=st.lists(st.tuples(st.integers(-3, 3), st.integers(-5, 5)), min_size=0, max_size=5),
        x=st.integers(-100, 100),
    )
    def _(steps, x):
        functions = [lambda v, a=a, b=b: a * v + b for a, b in steps]  # the order matters: a*v + b do not commute
        expected = x
        for a, b in steps:
            expected = a * expected + b
        got = compose(functions)(x)
        expect(
            got == expected, f"compose of {len(steps)} affine maps {steps} applied to {x}", expected=expected, got=got
        )

    calls = []
    composed = compose([lambda s: calls.append("first") or s, lambda s: calls.append("second") or s])
    expect(calls == [], "compose calls the transforms already when composing: call them only when applied")
    composed(0)
    expect(
        calls == ["first", "second"], "the transforms ran in the wrong order", expected=["first", "second"], got=calls
    )


@check("10.3")
def _(to_normalized_float):
    @for_all(channels=st.integers(1, 4), height=st.integers(1, 5), width=st.integers(1, 5), seed=st.integers(0, 999))
    def _(channels, height, width, seed):
        gen = torch.Generator().manual_seed(seed)
        image = torch.randint(0, 256, (channels, height, width), generator=gen, dtype=torch.uint8)
        mean = torch.rand(channels, generator=gen).tolist()
        std = (torch.rand(channels, generator=gen) + 0.1).tolist()
        expected = (image.float() / 255 - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
        got = to_normalized_float(image.clone(), mean, std)
        expect_tensor(
            got, expected, f"to_normalized_float(image of shape {(channels, height, width)}, mean, std)", atol=1e-5
        )

    small = (torch.zeros(3, 2, 2, dtype=torch.uint8), [0.5] * 3, [0.2] * 3)
    big = (torch.zeros(6, 8, 8, dtype=torch.uint8), [0.5] * 6, [0.2] * 6)
    expect_no_loops(to_normalized_float, small, big, "to_normalized_float")
