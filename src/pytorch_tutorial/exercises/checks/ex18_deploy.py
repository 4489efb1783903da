"""Checks for lesson 18 — Deploying as a web app."""

from __future__ import annotations

import io
from typing import Any

import torch
from hypothesis import strategies as st
from PIL import Image

from pytorch_tutorial.exercises.checking import check, expect, expect_tensor, fail, for_all


def _page(height: int, width: int, boxes: list[tuple[int, int, int, int]], light_paper: bool) -> torch.Tensor:
    """A (height, width) photo: ink in ``boxes`` (top, left, bottom, right, inclusive), paper around them."""
    ink = torch.zeros(height, width, dtype=torch.bool)
    for top, left, bottom, right in boxes:
        ink[top : bottom + 1, left : right + 1] = True
    gen = torch.Generator().manual_seed(height * 1000 + width)
    paper = 0.75 + 0.2 * torch.rand(height, width, generator=gen)  # never near 0.5: no ambiguity
    bright_ink = 0.8 + 0.2 * torch.rand(height, width, generator=gen)
    pixels = torch.where(ink, bright_ink, 1 - paper)  # bright ink on dark
    return 1 - pixels if light_paper else pixels


def _expected(pixels: torch.Tensor, boxes: list[tuple[int, int, int, int]], light_paper: bool) -> torch.Tensor:
    top, left = min(b[0] for b in boxes), min(b[1] for b in boxes)
    bottom, right = max(b[2] for b in boxes), max(b[3] for b in boxes)
    bright = 1 - pixels if light_paper else pixels
    return bright[top : bottom + 1, left : right + 1]


@check("18.1")
def _(crop_to_ink):
    boxes = [(4, 9, 20, 12), (4, 5, 6, 12)]  # a 7-like stroke: a bar and a stem
    for light_paper in (False, True):
        page = _page(28, 24, boxes, light_paper)
        got = crop_to_ink(page.clone())
        expected = _expected(page, boxes, light_paper)
        if light_paper and isinstance(got, torch.Tensor) and got.shape == page.shape:
            fail(
                "on dark ink on light paper nothing was cropped: when the border is light, invert the image first "
                "(1 - pixels), so that the ink is bright and the paper dark",
                expected=f"shape {tuple(expected.shape)}",
                got=f"shape {tuple(got.shape)}",
            )
        if light_paper and isinstance(got, torch.Tensor) and got.shape == expected.shape and got.mean() < 0.5:
            fail("the crop is right but the ink is dark: invert the image when the border is light", got=got)
        paper = "dark ink on light paper" if light_paper else "bright ink on a dark background"
        expect_tensor(got, expected, f"crop_to_ink of {paper}", dtype=False)

    @for_all(
        height=st.integers(8, 40),
        width=st.integers(8, 40),
        corners=st.lists(
            st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=3
        ),
        light_paper=st.booleans(),
    )
    def _(height, width, corners, light_paper):
        boxes = []
        for a, b, c, d in corners:  # boxes inside a margin of 2 pixels of paper
            top, bottom = sorted((2 + round(a * (height - 5)), 2 + round(b * (height - 5))))
            left, right = sorted((2 + round(c * (width - 5)), 2 + round(d * (width - 5))))
            boxes.append((top, left, bottom, right))
        page = _page(height, width, boxes, light_paper)
        paper = "dark ink on light paper" if light_paper else "bright ink on a dark background"
        expect_tensor(
            crop_to_ink(page.clone()), _expected(page, boxes, light_paper), f"crop_to_ink of {paper}", dtype=False
        )


class _Classifier:
    """Stands in for the network: records the images it gets and answers a fixed top 3."""

    def __init__(self) -> None:
        self.images: list[Any] = []

    def __call__(self, image: Image.Image) -> list[tuple[int, float]]:
        image.load()
        self.images.append(image)
        return [(7, 0.9), (1, 0.06), (9, 0.02)]


def _file(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@check("18.2")
def _(create_app):
    from flask import Flask

    classify = _Classifier()
    app = create_app(classify)
    expect(isinstance(app, Flask), "create_app should return a Flask app", got=type(app).__name__)
    client = app.test_client()
    digit = Image.new("L", (40, 30), 255)
    digit.paste(0, (18, 5, 22, 25))
    for fmt in ("PNG", "JPEG"):
        response = client.post("/predict", data={"file": (io.BytesIO(_file(digit, fmt)), f"digit.{fmt.lower()}")})
        expect(
            response.status_code == 200,
            f"a {fmt} upload should be answered with 200",
            expected="200",
            got=f"{response.status_code} {response.get_data(as_text=True)[:150]}",
        )
        expect(
            response.is_json, f"the answer to a {fmt} upload should be JSON (return a dict)", got=response.content_type
        )
        expect(
            classify.images and getattr(classify.images[-1], "size", None) == (40, 30),
            "classify should get the uploaded image as a PIL image",
            expected="a PIL image of 40x30 pixels",
            got=repr(classify.images[-1])[:100] if classify.images else "no call",
        )
        body = response.get_json()
        expected = {"prediction": 7, "class_name": "7", "top3": [(7, 0.9), (1, 0.06), (9, 0.02)]}
        try:
            got = {
                "prediction": body["prediction"],
                "class_name": body["class_name"],
                "top3": [(guess["digit"], guess["probability"]) for guess in body["top3"]],
            }
        except (KeyError, TypeError) as exc:
            fail(f"the JSON answer lacks {exc}", expected=str(expected), got=str(body)[:200])
        expect(got == expected, "the JSON answer is wrong", expected=str(expected), got=str(got))
    bad = {
        "a request without a field 'file'": ({}, 400),
        "a file sent as the field 'image'": ({"image": (io.BytesIO(_file(digit, "PNG")), "digit.png")}, 400),
        "an empty file": ({"file": (io.BytesIO(b""), "digit.png")}, 400),
        "a file that is not an image": ({"file": (io.BytesIO(b"just some text"), "digit.png")}, 415),
    }
    for name, (data, status) in bad.items():
        response = client.post("/predict", data=data)
        got = f"{response.status_code} {response.get_data(as_text=True)[:150]}"
        expect(
            response.status_code == status,
            f"{name} should get {status} with a JSON error",
            expected=f"{status} {{'error': ...}}",
            got=got,
        )
        expect(
            response.is_json and isinstance(response.get_json(), dict) and "error" in response.get_json(),
            f"the answer to {name} should be JSON with an 'error'",
            got=got,
        )
