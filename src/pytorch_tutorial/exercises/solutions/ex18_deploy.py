"""Reference solutions for lesson 18 — Deploying as a web app."""

import io
from collections.abc import Callable

import torch
from flask import Flask, request
from PIL import Image, UnidentifiedImageError


def crop_to_ink(pixels: torch.Tensor) -> torch.Tensor:
    """Exercise 18.1 — Bright ink on dark, cropped to the digit."""
    border = torch.cat([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    if border.median() > 0.5:  # light paper: make the ink bright, as in MNIST
        pixels = 1 - pixels
    rows = torch.nonzero((pixels > 0.5).any(dim=1)).flatten()
    cols = torch.nonzero((pixels > 0.5).any(dim=0)).flatten()
    return pixels[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def create_app(classify: Callable[[Image.Image], list[tuple[int, float]]]) -> Flask:
    """Exercise 18.2 — A /predict route that answers every request."""
    app = Flask(__name__)

    @app.post("/predict")
    def predict_digit():
        file = request.files.get("file")
        if file is None:
            return {"error": "no file: send the image as the form field 'file'"}, 400
        data = file.read()
        if not data:
            return {"error": "the file is empty"}, 400
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except (UnidentifiedImageError, OSError):
            return {"error": "not an image: send a PNG or JPEG"}, 415
        best = classify(image)
        top3 = [{"digit": digit, "probability": probability} for digit, probability in best]
        return {"prediction": best[0][0], "class_name": str(best[0][0]), "top3": top3}

    return app
