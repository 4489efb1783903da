"""`pytorch-tutorial predict`: MNIST-style preprocessing of large, off-centre digits in either polarity, the top-3
output (text and JSON), and one clear line with exit 2 for every bad input."""

from __future__ import annotations

import json
import pathlib
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import assert_usage_error, run_cli_here, run_lesson_at
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from torch.nn import functional as F

from pytorch_tutorial import predict
from pytorch_tutorial.data import mnist
from pytorch_tutorial.models import FeedForward, LeNet

# two real test digits of each class, found once from the labels
TEST_DIGITS_PER_CLASS = 2


def lesson14_checkpoint(model: torch.nn.Module, **changes: object) -> dict:
    """The dict lesson 14 saves (arch, shape, normalisation, weights), with ``changes`` applied."""
    saved = {
        "arch": "LeNet",
        "in_channels": 1,
        "num_classes": 10,
        "input_size": 32,
        "mean": mnist.MEAN,
        "std": mnist.STD,
        "state_dict": model.state_dict(),
    }
    saved.update(changes)
    return saved


@pytest.fixture(scope="module")
def test_split():
    images, labels = mnist.tensors(train=False)
    return images[:, 0], labels


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, LeNet]:
    """Lesson 14 run with 2 epochs (seconds): the checkpoint it saves for predict, and its trained network."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # on a busy 2-core machine one thread is several times faster than two
    try:
        out = tmp_path_factory.mktemp("outputs")
        result = run_lesson_at(14, out, epochs=2, quiet=True)
    finally:
        torch.set_num_threads(threads)
    model = LeNet()  # the package's copy of the lesson's network (a class pickle can find), with its weights
    model.load_state_dict(result.namespace["model"].state_dict())
    return out / "14-cnn" / "lenet_mnist.pt", model.eval()


def render(digit: np.ndarray, rng: np.random.Generator, light_paper: bool) -> Image.Image:
    """A 28x28 MNIST digit (uint8, bright ink) blown up 8-16x onto a large canvas at a random off-centre spot,
    either as bright ink on dark, or as dark ink on light grey paper, with a little sensor noise."""
    scale = int(rng.integers(8, 17))
    big = Image.fromarray(digit).resize((28 * scale, 28 * scale), Image.Resampling.BICUBIC)
    width, height = int(rng.integers(600, 1000)), int(rng.integers(500, 900))
    canvas = Image.new("L", (width, height), 0)
    canvas.paste(big, (int(rng.integers(0, width - 28 * scale)), int(rng.integers(0, height - 28 * scale))))
    pixels = np.asarray(canvas, dtype=np.float32)
    pixels = 235.0 - 0.85 * pixels if light_paper else 20.0 + 0.9 * pixels
    pixels += rng.normal(0.0, 4.0, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def real_digit_indices(labels: torch.Tensor) -> list[int]:
    return [int(i) for digit in range(10) for i in torch.nonzero(labels == digit).flatten()[:TEST_DIGITS_PER_CLASS]]


def test_mnist_like_reproduces_the_original_digit(test_split):
    images, labels = test_split
    rng = np.random.default_rng(1)
    correlations = []
    for index in real_digit_indices(labels):
        original = images[index]
        digit = (original.numpy() * 255).astype(np.uint8)
        for light_paper in (False, True):
            restored = predict.mnist_like(render(digit, rng, light_paper))
            assert restored.shape == (28, 28) and restored.min() >= 0.0 and restored.max() <= 1.0
            correlations.append(best_correlation(restored, original))
    # MNIST digits are already boxed to 20x20 and centred: the pipeline gets them back, up to a pixel of shift
    # (rounding of the centre of mass) and the odd speck that MNIST kept and the ink crop drops
    assert np.median(correlations) > 0.95, correlations
    assert min(correlations) > 0.9, correlations


def best_correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    """Pearson correlation of two images, the best over shifts of up to one pixel in each direction."""
    return max(
        float(np.corrcoef(torch.roll(a, (dy, dx), dims=(0, 1)).flatten().numpy(), b.flatten().numpy())[0, 1])
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def test_predict_reads_real_digits_on_large_canvases_in_both_polarities(tmp_path, trained, test_split):
    path, model = trained
    images, labels = test_split
    rng = np.random.default_rng(0)
    files, truth = [], []
    for index in real_digit_indices(labels):
        digit = (images[index].numpy() * 255).astype(np.uint8)
        for light_paper, suffix in ((False, ".png"), (True, ".jpg")):
            file = tmp_path / f"digit{index}_{'light' if light_paper else 'dark'}{suffix}"
            render(digit, rng, light_paper).save(file)
            files.append(file)
            truth.append(int(labels[index]))
    proc = run_cli_here("predict", *map(str, files), "--checkpoint", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [row["path"] for row in rows] == [str(file) for file in files]
    for row in rows:
        digits, probabilities = zip(*row["top3"], strict=True)
        assert len(set(digits)) == 3 and all(d in range(10) for d in digits)
        assert list(probabilities) == sorted(probabilities, reverse=True) and sum(probabilities) <= 1.0 + 1e-6
    correct = sum(row["top3"][0][0] == digit for row, digit in zip(rows, truth, strict=True))
    assert correct >= 0.9 * len(files), f"{correct}/{len(files)}"
    # and about as well as on the original 28x28 digits
    with torch.no_grad():
        inputs = (F.pad(images[real_digit_indices(labels)][:, None], (2, 2, 2, 2)) - mnist.MEAN) / mnist.STD
        on_originals = (model(inputs).argmax(1) == labels[real_digit_indices(labels)]).sum().item()
    assert correct >= 2 * on_originals - 2, (correct, on_originals)


def draw_digit(digit: int, light_paper: bool) -> Image.Image:
    """A digit drawn with strokes, the way one writes it, somewhere on a 600x450 page."""
    image = Image.new("L", (600, 450), 245 if light_paper else 10)
    pen = ImageDraw.Draw(image)
    ink = 20 if light_paper else 240
    if digit == 0:
        pen.ellipse([(100, 60), (280, 390)], outline=ink, width=30)
    elif digit == 1:
        pen.line([(400, 80), (390, 380)], fill=ink, width=28)
    elif digit == 4:
        pen.line([(300, 60), (120, 280), (360, 280)], fill=ink, width=26, joint="curve")
        pen.line([(290, 150), (290, 420)], fill=ink, width=26)
    elif digit == 7:
        pen.line([(150, 80), (380, 80), (230, 400)], fill=ink, width=28, joint="curve")
    return image


def test_predict_reads_digits_drawn_with_strokes(trained):
    path, _ = trained
    classifier = predict.load_classifier(path)
    for digit in (0, 1, 4, 7):
        for light_paper in (False, True):
            (best, *_), *_ = predict.top_k(classifier, [predict.mnist_like(draw_digit(digit, light_paper))])
            assert best[0] == digit, (digit, light_paper, best)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    x=st.integers(0, 400),
    y=st.integers(0, 300),
    height=st.integers(40, 300),
    width=st.integers(8, 200),
    stroke=st.integers(6, 20),
    paper=st.integers(180, 255),
)
def test_mnist_like_boxes_and_centres_any_stroke_in_either_polarity(x, y, height, width, stroke, paper):
    image = Image.new("L", (520, 420), paper)
    ImageDraw.Draw(image).line([(x, y), (x + width, y + height)], fill=paper - 160, width=stroke)
    dark_on_light = predict.mnist_like(image)
    bright_on_dark = predict.mnist_like(Image.fromarray(255 - np.asarray(image)))
    # the polarity is found from the border: both give the same MNIST-style digit
    assert torch.allclose(dark_on_light, bright_on_dark, atol=0.02)
    ink = dark_on_light > 0
    rows, cols = torch.nonzero(ink.any(dim=1)).flatten(), torch.nonzero(ink.any(dim=0)).flatten()
    longer_side = max(rows.max() - rows.min() + 1, cols.max() - cols.min() + 1).item()
    assert 19 <= longer_side <= 20
    mass = dark_on_light.sum()
    centre_row = (dark_on_light.sum(dim=1) * torch.arange(28.0)).sum() / mass
    centre_col = (dark_on_light.sum(dim=0) * torch.arange(28.0)).sum() / mass
    assert abs(centre_row - 14) <= 0.5 + 1e-4 and abs(centre_col - 14) <= 0.5 + 1e-4


def test_text_output_uses_lesson_14s_checkpoint_in_out(tmp_path, trained):
    path, _ = trained
    image = tmp_path / "seven.png"
    draw_digit(7, light_paper=True).save(image)
    proc = run_cli_here("predict", str(image), "--out", str(path.parent.parent))
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    name, _, guesses = line.partition(": ")
    assert name == str(image)
    shown = [guess.split(" ") for guess in guesses.split(", ")]
    assert [int(digit) for digit, _ in shown][0] == 7 and len(shown) == 3
    percentages = [float(p.strip("(%)")) for _, p in shown]
    assert percentages == sorted(percentages, reverse=True) and percentages[0] > 50


class TouchOnLoad:
    """Unpickling this creates ``marker``: a stand-in for any code a malicious checkpoint could run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory, trained) -> dict[str, Path]:
    path, model = trained
    folder = tmp_path_factory.mktemp("bad")
    draw_digit(1, light_paper=True).save(folder / "one.png")
    (folder / "notes.png").write_text("this is text, not a picture\n")
    Image.new("L", (300, 200), 240).save(folder / "blank.png")
    torch.save(lesson14_checkpoint(FeedForward(), arch="FeedForward", input_size=784), folder / "mlp.pt")
    torch.save(lesson14_checkpoint(LeNet(in_channels=3), in_channels=3), folder / "cifar.pt")
    torch.save(lesson14_checkpoint(LeNet(num_classes=5)), folder / "five_classes.pt")
    torch.save({"conv1.weight": model.conv1.weight}, folder / "bare_state_dict.pt")
    torch.save(model, folder / "whole_model.pt")
    torch.save(lesson14_checkpoint(model, payload=TouchOnLoad(folder / "pwned")), folder / "evil.pt")
    (folder / "truncated.pt").write_bytes(path.read_bytes()[:3000])
    return {"folder": folder, "good": path}


@pytest.mark.parametrize(
    ("case", "phrases"),
    [
        ("missing image", ["does not exist"]),
        ("text file named .png", ["not an image", "PNG or JPEG"]),
        ("blank image", ["no digit found"]),
        ("no model yet", ["no trained model yet", "pytorch-tutorial run 14"]),
        ("missing checkpoint", ["does not exist"]),
        ("feed-forward checkpoint", ["FeedForward", "LeNet digit classifier"]),
        ("colour checkpoint", ["3-channel", "LeNet digit classifier"]),
        ("wrong shapes", ["does not fit"]),
        ("bare state_dict", ["no 'arch' and 'state_dict'"]),
        ("whole pickled model", ["not a plain weights file"]),
        ("malicious pickle", ["not a plain weights file", "nothing in it ran"]),
        ("truncated checkpoint", ["not a readable PyTorch file"]),
    ],
)
def test_bad_inputs_are_one_line_and_exit_2(bad_inputs, case, phrases, tmp_path):
    folder, good = bad_inputs["folder"], str(bad_inputs["good"])
    one = str(folder / "one.png")
    args = {
        "missing image": [str(folder / "nope.png"), "--checkpoint", good],
        "text file named .png": [str(folder / "notes.png"), "--checkpoint", good],
        "blank image": [str(folder / "blank.png"), "--checkpoint", good],
        "no model yet": [one, "--out", str(tmp_path)],
        "missing checkpoint": [one, "--checkpoint", str(folder / "nope.pt")],
        "feed-forward checkpoint": [one, "--checkpoint", str(folder / "mlp.pt")],
        "colour checkpoint": [one, "--checkpoint", str(folder / "cifar.pt")],
        "wrong shapes": [one, "--checkpoint", str(folder / "five_classes.pt")],
        "bare state_dict": [one, "--checkpoint", str(folder / "bare_state_dict.pt")],
        "whole pickled model": [one, "--checkpoint", str(folder / "whole_model.pt")],
        "malicious pickle": [one, "--checkpoint", str(folder / "evil.pt")],
        "truncated checkpoint": [one, "--checkpoint", str(folder / "truncated.pt")],
    }[case]
    proc = run_cli_here("predict", *args)
    assert_usage_error(proc, *phrases)
    assert proc.stdout == ""
    assert not (folder / "pwned").exists()


def test_predict_reads_the_checkpoint_lesson_14_saves(trained, tmp_path, test_split):
    path, _ = trained
    assert path.is_file() and path.parent.name == "14-cnn"
    images, labels = test_split
    rng = np.random.default_rng(3)
    files, truth = [], []
    for index in real_digit_indices(labels)[::2]:
        file = tmp_path / f"digit{index}.png"
        render((images[index].numpy() * 255).astype(np.uint8), rng, light_paper=index % 2 == 0).save(file)
        files.append(str(file))
        truth.append(int(labels[index]))
    proc = run_cli_here("predict", *files, "--out", str(path.parents[1]), "--json")
    assert proc.returncode == 0, proc.stderr
    guesses = [json.loads(line)["top3"][0][0] for line in proc.stdout.splitlines()]
    assert sum(g == t for g, t in zip(guesses, truth, strict=True)) >= 8, (guesses, truth)


def test_phone_photo_size_and_exif_rotation(tmp_path, trained):
    path, _ = trained
    classifier = predict.load_classifier(path)
    upright = Image.new("L", (3000, 2200), 230)
    upright.paste(draw_digit(7, light_paper=True).resize((1200, 900)), (1500, 1100))
    # a phone stores the pixels as the sensor saw them and an EXIF tag saying how to turn them for display
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    photo = tmp_path / "photo.jpg"
    upright.rotate(90, expand=True).save(photo, exif=exif.tobytes(), quality=90)
    loaded = predict.load_image(photo)
    assert loaded.size == upright.size
    digit = predict.mnist_like(loaded)
    assert best_correlation(digit, predict.mnist_like(upright)) > 0.95
    (best, *_), *_ = predict.top_k(classifier, [digit])
    assert best[0] == 7


def png_bomb(path: Path, width: int, height: int) -> Path:
    """A valid 1-bit black PNG of ``width`` x ``height`` pixels: a few kilobytes on disk, hundreds of megabytes
    once decoded (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


def test_several_images_a_bad_one_gets_its_own_line_and_the_good_ones_are_read(bad_inputs, tmp_path):
    folder, good = bad_inputs["folder"], str(bad_inputs["good"])
    seven = tmp_path / "seven.png"
    draw_digit(7, light_paper=True).save(seven)
    bomb = png_bomb(tmp_path / "bomb.png", 20_000, 20_000)  # 400 million pixels: PIL refuses it
    images = [folder / "one.png", folder / "notes.png", tmp_path / "missing.png", bomb, folder / "blank.png", seven]
    proc = run_cli_here("predict", *map(str, images), "--checkpoint", good, "--json")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(row["path"], row["top3"][0][0]) for row in rows] == [(str(folder / "one.png"), 1), (str(seven), 7)]
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 4, proc.stderr
    for line, image, phrase in zip(
        errors, images[1:5], ["not an image", "does not exist", "decompression bomb", "no digit found"], strict=True
    ):
        assert line.startswith(f"pytorch-tutorial: error: image {image}") and phrase in line, line


@pytest.mark.parametrize("size", [10_000, 20_000])  # 100 million pixels: PIL warns; 400 million: PIL refuses
def test_a_decompression_bomb_is_one_line(tmp_path, trained, size):
    path, _ = trained
    bomb = png_bomb(tmp_path / "bomb.png", size, size)
    assert bomb.stat().st_size < 100_000
    proc = run_cli_here("predict", str(bomb), "--checkpoint", str(path))
    assert_usage_error(proc, "too large to decode safely", f"{size * size:,} pixels", "decompression bomb")
    assert proc.stdout == ""


def test_read_image_limits_formats_and_pixels(tmp_path):
    page = draw_digit(4, light_paper=True)
    page.save(tmp_path / "four.gif")
    page.save(tmp_path / "four.png")
    data = (tmp_path / "four.png").read_bytes()
    assert predict.read_image(data, "the upload", formats=("PNG", "JPEG")).size == (600, 450)
    with pytest.raises(predict.ImageError, match="the upload is not an image file; give a PNG or JPEG") as info:
        predict.read_image((tmp_path / "four.gif").read_bytes(), "the upload", formats=("PNG", "JPEG"))
    assert info.value.reason == "not an image"
    assert predict.read_image(tmp_path / "four.gif", "image four.gif").size == (600, 450)  # the CLI reads any format
    with pytest.raises(predict.ImageError, match=r"too large \(600x450 pixels, more than 100,000\)") as info:
        predict.read_image(data, "the upload", max_pixels=100_000)
    assert info.value.reason == "too large"
    with pytest.raises(predict.ImageError, match="the upload is empty") as info:
        predict.read_image(b"", "the upload")
    assert info.value.reason == "empty"
    with pytest.raises(predict.ImageError, match="unreadable") as info:
        predict.read_image(data[:200], "the upload")  # a truncated PNG
    assert info.value.reason == "not an image"
