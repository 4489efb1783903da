"""``pytorch-tutorial predict``: read your own handwritten digits with the CNN that lesson 14 trained.

A photo or scan of a digit looks nothing like an MNIST image: it is large, in colour, usually dark ink on light
paper, and the digit sits anywhere. :func:`mnist_like` makes it look like one by repeating what was done to the
MNIST digits themselves:

1. grey-scale, with ink bright on a dark background (MNIST's polarity): when the border of the image is light,
   the image is inverted;
2. the background level is subtracted and the contrast stretched, so that paper is 0 and the darkest ink 1;
3. crop to the bounding box of the ink;
4. scale so that the longer side is 20 pixels, keeping the aspect ratio (with anti-aliasing);
5. paste into a 28x28 image so that the centre of mass of the ink falls on the centre, pixel (14, 14).

:func:`model_input` then pads the 28x28 digit to the network's input size (32 for LeNet) and normalises it with
the mean and standard deviation stored in the checkpoint, exactly as the training images were.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError
from torch import nn

from pytorch_tutorial import checkpoint, models
from pytorch_tutorial.runtime import UsageError, check_file

DIGIT_BOX = 20  # MNIST digits fit a 20x20 box ...
CANVAS = 28  # ... inside a 28x28 image ...
CENTRE = 14.0  # ... with their centre of mass at pixel (14, 14) (row, column)
MAX_SIDE = 1024  # larger photos are shrunk first: the digit ends up 20 pixels tall anyway
INK_THRESHOLD = 0.2  # after the contrast stretch, darker pixels count as background (paper grain, shadows)
TRIM = 0.002  # the bounding box ignores this fraction of the ink on each side (specks of dust)


@dataclass
class Classifier:
    """A digit classifier loaded from a checkpoint, with the preprocessing its training data had."""

    model: nn.Module
    input_size: int
    mean: float
    std: float
    path: Path


class ImageError(UsageError):
    """An image that cannot be read as one digit; ``reason`` says why, for a server's status code.

    ``reason`` is one of ``"empty"``, ``"not an image"``, ``"too large"`` and ``"no digit"``.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def read_image(
    source: bytes | Path, name: str, formats: tuple[str, ...] | None = None, max_pixels: int | None = None
) -> Image.Image:
    """Decode ``source`` (a file's bytes, or a path) as a grey-scale PIL image: transparent parts become white
    paper, the EXIF rotation of a phone photo is applied.

    ``name`` starts every error message (``"image scan.png"``, ``"the upload"``). ``formats`` limits the
    decoders PIL may use (a server accepts ``("PNG", "JPEG")`` only); ``max_pixels`` refuses larger images
    before their pixels are decoded (by default PIL's own limit against decompression bombs, which is refused as
    well: a small file that would decode to hundreds of megabytes). Raises :class:`ImageError`.
    """
    if isinstance(source, bytes) and not source:
        raise ImageError(f"{name} is empty: give a PNG or JPEG of one digit", "empty")
    allowed = " or ".join(formats) if formats else "PNG or JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # a warning alone would let it through
            with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source, formats=formats) as opened:
                width, height = opened.size
                if max_pixels is not None and width * height > max_pixels:
                    raise ImageError(
                        f"{name} is too large ({width}x{height} pixels, more than {max_pixels:,}); "
                        "a photo of one digit needs far fewer",
                        "too large",
                    )
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            f"{name} is too large to decode safely ({_bomb_size(exc)}): a decompression bomb? "
            "Give a photo or scan of one digit",
            "too large",
        ) from None
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not an image file; give a {allowed} of one digit", "not an image") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(
            f"{name} is unreadable: {exc}; give a {allowed} of one digit".replace("\n", " "), "not an image"
        ) from None
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    return image.convert("L")


def _bomb_size(exc: Exception) -> str:
    """``"400,000,000 pixels, PIL's limit is 178,956,970"`` from PIL's decompression-bomb message."""
    numbers = [int(n) for n in re.findall(r"\d+", str(exc))]
    if len(numbers) >= 2:
        return f"{numbers[0]:,} pixels, PIL's limit is {numbers[1]:,}"
    return "more pixels than PIL's limit"


def load_image(path: Path) -> Image.Image:
    """Open the file ``path`` with :func:`read_image` (any format PIL reads, up to PIL's pixel limit).

    Raises :class:`UsageError` when the file is missing or a folder, :class:`ImageError` when it is not an image
    PIL can read or would decode to more pixels than PIL allows.
    """
    path = Path(path)
    check_file(path, "image")
    if path.stat().st_size == 0:
        raise ImageError(f"image {path} is empty: give a PNG or JPEG of one digit", "empty")
    return read_image(path, f"image {path}")


def mnist_like(image: Image.Image) -> torch.Tensor:
    """A photo or scan of one digit as an MNIST digit: ``float32 (28, 28)`` in [0, 1], ink bright on dark.

    The steps are those of the module docstring: polarity from the border, background subtraction and contrast
    stretch, crop to the ink, scale the longer side to 20 pixels keeping the aspect ratio, centre of mass at
    (14, 14) in a 28x28 canvas. Raises :class:`UsageError` when the image holds no visible ink.
    """
    image = image.convert("L")
    if max(image.size) > MAX_SIDE:
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    pixels = np.asarray(image, dtype=np.float32) / 255.0

    # 1. polarity: the border is background; MNIST has bright ink on a dark background
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    if np.median(border) > 0.5:
        pixels = 1.0 - pixels
        border = 1.0 - border

    # 2. background to 0, the brightest ink to 1 (a high percentile, so that one hot pixel does not decide)
    background = float(np.median(border))
    peak = float(np.percentile(pixels, 99.9))
    if peak - background < 0.1:
        raise ImageError("no digit found: the image is almost uniform", "no digit")
    ink = np.clip((pixels - background) / (peak - background), 0.0, 1.0)
    ink[ink < INK_THRESHOLD] = 0.0

    # 3. crop to the ink, ignoring a tiny fraction of it at each edge
    top, bottom = _ink_span(ink.sum(axis=1))
    left, right = _ink_span(ink.sum(axis=0))
    ink = ink[top : bottom + 1, left : right + 1]

    # 4. the longer side becomes 20 pixels; the aspect ratio stays
    height, width = ink.shape
    scale = DIGIT_BOX / max(height, width)
    new_size = (max(1, round(height * scale)), max(1, round(width * scale)))
    digit = torch.nn.functional.interpolate(
        torch.from_numpy(np.ascontiguousarray(ink))[None, None], size=new_size, mode="bilinear", antialias=True
    )[0, 0].clamp_(0.0, 1.0)

    # 5. paste so that the centre of mass lands on (14, 14)
    rows = torch.arange(new_size[0], dtype=torch.float32)
    cols = torch.arange(new_size[1], dtype=torch.float32)
    mass = digit.sum()
    centre_row = float((digit.sum(dim=1) * rows).sum() / mass)
    centre_col = float((digit.sum(dim=0) * cols).sum() / mass)
    top = min(max(round(CENTRE - centre_row), 0), CANVAS - new_size[0])
    left = min(max(round(CENTRE - centre_col), 0), CANVAS - new_size[1])
    canvas = torch.zeros(CANVAS, CANVAS)
    canvas[top : top + new_size[0], left : left + new_size[1]] = digit
    return canvas


def _ink_span(profile: np.ndarray) -> tuple[int, int]:
    """First and last index of ``profile`` (ink per row or column) once ``TRIM`` of the ink is cut at each end."""
    total = float(profile.sum())
    if total <= 0.0:
        raise ImageError("no digit found: the image is almost uniform", "no digit")
    cumulative = np.cumsum(profile) / total
    first = int(np.searchsorted(cumulative, TRIM, side="right"))
    last = int(np.searchsorted(cumulative, 1.0 - TRIM, side="left"))
    return first, max(first, min(last, len(profile) - 1))


def model_input(digit: torch.Tensor, input_size: int, mean: float, std: float) -> torch.Tensor:
    """A 28x28 digit in [0, 1] as one network input ``(1, 1, input_size, input_size)``: padded, normalised."""
    pad = (input_size - CANVAS) // 2
    padded = torch.nn.functional.pad(digit, (pad, input_size - CANVAS - pad) * 2)
    return ((padded - mean) / std)[None, None]


def load_classifier(path: Path) -> Classifier:
    """The digit classifier saved by lesson 14 (a plain weights file), ready to predict.

    Raises :class:`UsageError` for a missing or unreadable file, a file that is not a plain weights file
    (refused, never unpickled), or a checkpoint of another architecture or shape.
    """
    path = Path(path)
    saved = checkpoint.load_checkpoint(path)
    wanted = "lesson 14's LeNet digit classifier (1 input channel, 10 classes, 32x32 input)"
    if not isinstance(saved, dict) or "arch" not in saved or "state_dict" not in saved:
        raise UsageError(f"checkpoint {path} has no 'arch' and 'state_dict' entries; predict needs {wanted}")
    arch, channels, classes = saved.get("arch"), saved.get("in_channels", 1), saved.get("num_classes", 10)
    size = saved.get("input_size", 32)
    if arch != "LeNet" or channels != 1 or classes != 10 or size != 32:
        raise UsageError(
            f"checkpoint {path} holds a {arch} for {channels}-channel images, {classes} classes and {size}x{size} "
            f"input; predict needs {wanted}"
        )
    try:
        model = models.build_model(saved)
        mean, std = _single_number(saved.get("mean", 0.0)), _single_number(saved.get("std", 1.0))
    except (ValueError, TypeError) as exc:
        raise UsageError(f"checkpoint {path} does not fit {wanted}: {exc}") from None
    return Classifier(model=model.eval(), input_size=32, mean=mean, std=std, path=path)


def _single_number(value: Any) -> float:
    """A normalisation constant stored as a number or a one-element list (one grey channel)."""
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"mean and std must be one number each, not {value!r}")
    return float(value)


@torch.no_grad()
def top_k(classifier: Classifier, digits: list[torch.Tensor], k: int = 3) -> list[list[tuple[int, float]]]:
    """The ``k`` most probable digits with their softmax probabilities, for each 28x28 digit."""
    batch = torch.cat([model_input(d, classifier.input_size, classifier.mean, classifier.std) for d in digits])
    probabilities = torch.softmax(classifier.model(batch), dim=1)
    values, indices = probabilities.topk(k, dim=1)
    return [
        [(int(i), float(p)) for i, p in zip(row_indices, row_values, strict=True)]
        for row_indices, row_values in zip(indices.tolist(), values.tolist(), strict=True)
    ]


def main(args: argparse.Namespace) -> int:
    """Classify ``args.images`` and print the top-3 digits of each (one JSON object per line with ``--json``).

    A checkpoint that cannot be used stops everything with one line. An image that cannot be read gets its own
    error line on stderr and the other images are still classified; the exit status is then 2.
    """
    checkpoint_path = args.checkpoint
    if checkpoint_path is None:
        checkpoint_path = Path(args.out) / "14-cnn" / "lenet_mnist.pt"
        if not checkpoint_path.exists():
            raise UsageError(
                f"no trained model yet ({checkpoint_path} does not exist): run `pytorch-tutorial run 14` first, "
                "or pass --checkpoint FILE"
            )
    classifier = load_classifier(checkpoint_path)
    failed = 0
    for path in args.images:
        try:
            digit = mnist_like(load_image(path))
        except UsageError as exc:  # this image only: the others are still classified
            message = str(exc) if str(exc).startswith("image ") else f"image {path}: {exc}"
            print(f"pytorch-tutorial: error: {message}", file=sys.stderr, flush=True)
            failed += 1
            continue
        (best,) = top_k(classifier, [digit])
        if args.json:
            print(json.dumps({"path": str(path), "top3": [[d, round(p, 6)] for d, p in best]}), flush=True)
        else:
            print(f"{path}: {', '.join(f'{d} ({p:.1%})' for d, p in best)}", flush=True)
    return 2 if failed else 0
