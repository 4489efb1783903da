"""Lesson 10: callable transforms never change the stored data; torchvision v2 transforms do what they say."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import run_lesson_at
from PIL import Image
from sklearn.datasets import load_sample_image

from pytorch_tutorial import course, runtime
from pytorch_tutorial.data import wine


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> course.LessonResult:
    """Lesson 10 run once on the CPU with its defaults."""
    return run_lesson_at(10, tmp_path_factory.mktemp("out"))


def test_composed_transform_scales_and_leaves_stored_data_alone(lesson):
    ns = lesson.namespace
    features, labels = wine.load()
    dataset = ns["dataset"]
    assert lesson.metrics["item_unchanged"] is True
    for index in (0, 77, 177):
        first, label = dataset[index]
        second, _ = dataset[index]
        assert isinstance(first, torch.Tensor) and torch.equal(first, second)
        assert torch.allclose(first, torch.from_numpy(features[index]) * 2.0)
        assert label.dtype == torch.int64 and label.item() == labels[index]
    assert np.array_equal(dataset.features, features)  # every read above left the stored array as loaded
    assert lesson.metrics["scaled_first_feature"] == pytest.approx(2 * 14.23, rel=1e-6)


def test_in_place_transform_really_corrupts_the_stored_data(lesson):
    reads = lesson.metrics["in_place_reads"]
    assert reads == pytest.approx([28.46, 56.92, 113.84], rel=1e-6)  # the check above can fail
    assert lesson.namespace["broken"].features[0, 0] == pytest.approx(8 * 14.23, rel=1e-6)


def test_factor_setting(run_lesson):
    result = run_lesson(10, factor=3.0, photo="flower.jpg", image_size=64)
    assert result.metrics["scaled_first_feature"] == pytest.approx(3 * 14.23, rel=1e-6)
    assert result.metrics["image_shape"] == [3, 64, 64]


def test_photo_pipeline_steps(lesson):
    ns = lesson.namespace
    stages = dict(ns["stages"])
    photo = load_sample_image("china.jpg").copy()
    assert torch.equal(stages["original"].as_subclass(torch.Tensor), torch.from_numpy(photo).permute(2, 0, 1))
    assert tuple(stages["Resize"].shape) == (3, 256, 383)  # shorter side 256, aspect ratio kept
    cropped = stages["CenterCrop"].as_subclass(torch.Tensor)
    assert cropped.shape == (3, 224, 224)
    top, left = round((256 - 224) / 2), round((383 - 224) / 2)  # torchvision rounds the offsets
    assert torch.equal(cropped, stages["Resize"].as_subclass(torch.Tensor)[:, top : top + 224, left : left + 224])
    assert torch.equal(stages["RandomHorizontalFlip"].as_subclass(torch.Tensor), cropped.flip(-1))
    scaled = stages["ToDtype"].as_subclass(torch.Tensor)
    assert scaled.dtype == torch.float32
    assert torch.allclose(scaled, stages["RandomHorizontalFlip"].as_subclass(torch.Tensor).float() / 255)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    assert torch.allclose(stages["Normalize"].as_subclass(torch.Tensor), (scaled - mean) / std, atol=1e-6)
    assert lesson.metrics["image_shape"] == [3, 224, 224]
    low, high = lesson.metrics["scaled_range"]
    assert 0.0 <= low < 0.1 and 0.9 < high <= 1.0


def test_before_after_grid_png(lesson):
    (path,) = lesson.files
    assert path.name == "transforms.png"
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 600


def test_unknown_photo_is_a_usage_error(run_lesson):
    with pytest.raises(runtime.UsageError, match=r"photo=cat.jpg: choose photo=china.jpg or photo=flower.jpg"):
        run_lesson(10, photo="cat.jpg")
