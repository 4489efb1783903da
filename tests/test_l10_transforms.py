"""Lesson 10: callable transforms never change the stored data; torchvision v2 transforms, step by step and as one
Compose, do what the lesson says; Lambda and random augmentation after 'Going further'."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import run_lesson_at
from PIL import Image
from sklearn.datasets import load_sample_image

from pytorch_tutorial import course, runtime
from pytorch_tutorial.data import wine

LESSON = course.BY_NUMBER[10]


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
    assert np.array_equal(dataset.x, features) and np.array_equal(
        dataset.y, labels
    )  # every read above left the stored array as loaded
    assert lesson.metrics["scaled_first_feature"] == pytest.approx(2 * 14.23, rel=1e-6)


def test_in_place_transform_really_corrupts_the_stored_data(lesson):
    reads = lesson.metrics["in_place_reads"]
    assert reads == pytest.approx([28.46, 56.92, 113.84], rel=1e-6)  # the check above can fail
    assert lesson.namespace["broken"].x[0, 0] == pytest.approx(8 * 14.23, rel=1e-6)


def test_to_tensor_shares_the_features_and_makes_the_label_a_0d_int64_tensor(lesson):
    ns = lesson.namespace
    dataset = ns["WineDataset"](transform=ns["ToTensor"]())
    features, label = dataset[3]
    assert features.dtype == torch.float32 and features.shape == (13,)
    assert np.shares_memory(features.numpy(), dataset.x)  # from_numpy: the memory the prose warns about
    assert label.dtype == torch.int64 and label.dim() == 0 and label.item() == wine.load()[1][3]


def test_core_is_short_and_plain():
    assert course.core_lines(LESSON) <= 90
    source = LESSON.path.read_text(encoding="utf-8")
    core = source.split("# ## Going further")[0]
    assert "return torch.from_numpy(features), torch.tensor(label)" in core
    assert "pipeline = v2.Compose([resize, crop, flip, to_float, normalize])" in core
    for clever in ("stages", "as_subclass", "UsageError", "[-1][1]"):
        assert clever not in source, clever


def test_factor_setting(run_lesson):
    result = run_lesson(10, factor=3.0, photo="flower.jpg", image_size=64)
    assert result.metrics["scaled_first_feature"] == pytest.approx(3 * 14.23, rel=1e-6)
    assert result.metrics["image_shape"] == [3, 64, 64]


def test_photo_pipeline_steps(lesson):
    ns = lesson.namespace
    photo = load_sample_image("china.jpg").copy()
    assert torch.equal(ns["image"], torch.from_numpy(photo).permute(2, 0, 1))
    resized = ns["resized"]
    assert tuple(resized.shape) == (3, 224, 335)  # shorter side 224, aspect ratio kept (640 * 224 / 427)
    cropped = ns["cropped"]
    assert cropped.shape == (3, 224, 224)
    left = round((335 - 224) / 2)  # torchvision rounds the offset
    assert torch.equal(cropped, resized[:, :, left : left + 224])
    assert torch.equal(ns["flipped"], cropped.flip(-1))
    scaled = ns["scaled"]
    assert scaled.dtype == torch.float32
    assert torch.allclose(scaled, ns["flipped"].float() / 255)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    assert torch.allclose(ns["normalized"], (scaled - mean) / std, atol=1e-6)
    assert torch.equal(ns["transformed"], ns["normalized"])  # one Compose does the five steps
    assert lesson.metrics["image_shape"] == [3, 224, 224]
    low, high = lesson.metrics["scaled_range"]
    assert 0.0 <= low < 0.1 and 0.9 < high <= 1.0


def test_before_after_grid_and_augmented_reads_png(lesson):
    assert sorted(path.name for path in lesson.files) == ["augmented.png", "transforms.png"]
    for path in lesson.files:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width > 600


def test_lambda_one_hot_and_random_augmentation(lesson):
    ns = lesson.namespace
    assert ns["one_hot_label"].tolist() == [0, 0, 1]
    augmented = ns["augmented"]
    assert len(augmented) == 4 and all(tuple(picture.shape) == (3, 224, 224) for picture in augmented)
    assert all(picture.dtype == torch.uint8 for picture in augmented)
    for i in range(4):  # every read is a different picture
        for j in range(i + 1, 4):
            assert not torch.equal(augmented[i], augmented[j])


def test_unknown_photo_is_a_usage_error(run_lesson):
    with pytest.raises(runtime.UsageError, match=r"photo=cat.jpg: choose photo=china.jpg or photo=flower.jpg"):
        run_lesson(10, photo="cat.jpg")
