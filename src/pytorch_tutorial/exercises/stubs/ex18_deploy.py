"""Exercises for lesson 18 — Deploying as a web app.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 18         (all exercises of this file)
    pytorch-tutorial check 18.1       (one exercise)
    pytorch-tutorial hint 18.1        (stuck? a hint)
"""

import io  # noqa: F401 - for io.BytesIO
from collections.abc import Callable

import torch
from flask import Flask, request  # noqa: F401 - for your app
from PIL import Image, UnidentifiedImageError  # noqa: F401 - for reading the upload


def crop_to_ink(pixels: torch.Tensor) -> torch.Tensor:
    """Exercise 18.1 — Bright ink on dark, cropped to the digit.

    `pixels` is a float tensor (H, W) with values in [0, 1]: a photo of one digit, either dark ink on light
    paper or bright ink on a dark background, with background all around the digit. MNIST digits are bright
    ink on black, so:
    1. if the median of the border pixels (the first and last row and column) is above 0.5, the paper is
       light: invert the image (1 - pixels);
    2. crop to the smallest rectangle that holds every pixel above 0.5 (after step 1).
    Return the cropped tensor (h, w), ink bright. The input always holds some ink.
    """
    raise NotImplementedError


def create_app(classify: Callable[[Image.Image], list[tuple[int, float]]]) -> Flask:
    """Exercise 18.2 — A /predict route that answers every request.

    Return a Flask app with one route, POST /predict. It reads the image from the multipart form field
    'file', opens it with PIL, and calls classify(image), which returns the 3 most probable digits as
    [(digit, probability), ...]. It answers with JSON:
    - 200: {"prediction": best digit, "class_name": str(best digit),
            "top3": [{"digit": d, "probability": p}, ...]} in classify's order;
    - 400 {"error": "..."} when there is no field 'file' or the file is empty;
    - 415 {"error": "..."} when the file is not an image PIL can open.
    The server must never answer a bad request with a 500 (an exception) or an HTML page.
    """
    raise NotImplementedError
