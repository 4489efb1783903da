"""Lesson 17: state_dict round trips, whole-model pickles refused, bit-identical resume from a checkpoint."""

from __future__ import annotations

import contextlib
import io
import pickle

import pytest
import torch
from conftest import assert_usage_error, run_cli_here

from pytorch_tutorial import checkpoint, course, runtime


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    """Lesson 17 with its default settings, run once (output captured) for the tests below."""
    ctx = runtime.RunContext(number=17, slug="save_load", device="cpu", out_root=tmp_path_factory.mktemp("out"))
    printed = io.StringIO()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # on a busy 2-core machine one thread is several times faster than two
    try:
        with contextlib.redirect_stdout(printed):
            result = course.run_lesson(course.BY_NUMBER[17], ctx)
    finally:
        torch.set_num_threads(threads)
    assert result.status == "ok", result.error
    result.printed = printed.getvalue()
    return result


def test_resume_from_a_checkpoint_is_bit_identical_and_needs_the_rng_states(lesson):
    assert lesson.metrics["resume_max_abs_diff"] == 0.0
    ns = lesson.namespace
    straight, resumed = ns["straight_weights"], ns["resumed_model"].state_dict()
    assert straight.keys() == resumed.keys()
    assert all(torch.equal(straight[name], resumed[name]) for name in straight)
    # the run really trained past the checkpoint, and leaving the random states out really changes the result
    assert lesson.metrics["resume_without_rng_max_abs_diff"] > 1e-3
    assert lesson.metrics["test_accuracy"] > 0.9


def test_the_checkpoint_holds_everything_and_loads_with_weights_only(lesson):
    ns = lesson.namespace
    # the core's general checkpoint: model, optimiser and epoch, restored into fresh objects
    state = checkpoint.load_weights(ns["checkpoint_path"])  # weights_only=True
    assert set(state) == {"epoch", "model", "optimizer"} and state["epoch"] == ns["start_epoch"] == 4
    assert all(torch.equal(state["model"][name], weights) for name, weights in ns["straight_weights"].items())
    restored, saved = ns["restored_optimizer"].state_dict()["state"], state["optimizer"]["state"]
    assert set(restored) == set(saved) == {0, 1, 2, 3}
    for index, buffers in saved.items():
        assert buffers["momentum_buffer"].abs().sum() > 0  # real momentum, after 4 epochs
        assert torch.equal(restored[index]["momentum_buffer"], buffers["momentum_buffer"])
    assert all(torch.equal(p, ns["straight_weights"][n]) for n, p in ns["restored_model"].state_dict().items())
    assert ns["restored_model"].training  # ready to train on
    assert "restored the checkpoint of epoch 4; momentum buffer of parameter 0: (128, 784)" in lesson.printed
    # Going further's checkpoint adds the random states
    state = checkpoint.load_weights(ns["resume_path"])
    assert set(state) == {
        "epoch",
        "model",
        "optimizer",
        "torch_rng_state",
        "cuda_rng_states",
        "mps_rng_state",
        "loader_rng_state",
    }
    assert state["epoch"] == ns["resume_after"] == 2
    assert set(state["optimizer"]["state"][0]) == {"momentum_buffer"}
    assert state["torch_rng_state"].dtype == torch.uint8 and state["loader_rng_state"].dtype == torch.uint8
    assert not any(path.name.startswith(".") for path in ns["resume_path"].parent.iterdir())  # no temp files


def test_the_core_uses_plain_torch_save_and_load_and_is_short():
    lesson = course.BY_NUMBER[17]
    assert course.core_lines(lesson) <= 100
    core = lesson.path.read_text(encoding="utf-8").split("# ## Going further")[0]
    assert "torch.save(model.state_dict(), weights_path)" in core
    assert "loaded_model.load_state_dict(torch.load(weights_path, weights_only=True))" in core
    assert "torch.save(model, whole_model_path)" in core
    assert "map_location=" in core
    assert "from pytorch_tutorial import engine, runtime\n" in core
    for extra in ("checkpoint.save_atomic", "rng_state", "__reduce__", "as_if_saved_on_gpu", "inspect"):
        assert extra not in core, extra


def test_state_dict_round_trip_gives_identical_outputs(lesson):
    ns = lesson.namespace
    assert lesson.metrics["state_dict_max_abs_diff"] == 0.0
    saved = checkpoint.load_weights(ns["weights_path"])
    assert all(torch.equal(saved[name], weights) for name, weights in ns["straight_weights"].items())
    fresh = ns["make_model"]()
    fresh.load_state_dict(saved)
    fresh.eval()
    with torch.no_grad():
        outputs = fresh(ns["some_images"])
        assert torch.equal(outputs, ns["loaded_model"](ns["some_images"]))
    assert (outputs.argmax(dim=1) == ns["test_labels"][:100]).float().mean() > 0.85  # the trained weights


def test_whole_model_pickle_is_refused_by_default(lesson):
    ns = lesson.namespace
    assert lesson.metrics["whole_model_refused"] is True
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        torch.load(ns["whole_model_path"])  # no weights_only argument: the default refuses
    with pytest.raises(runtime.UsageError, match="not a plain weights file"):
        checkpoint.load_checkpoint(ns["whole_model_path"])
    assert "refused by weights_only=True: UnpicklingError" in lesson.printed
    # the lesson's own, trusted file: the payload ran when loaded with weights_only=False, and is refused otherwise
    assert ">>> this line was printed by code inside the file, while loading it <<<" in lesson.printed
    with pytest.raises(pickle.UnpicklingError):
        checkpoint.load_weights(ns["demo_path"])


def test_map_location_brings_a_gpu_saved_file_to_the_cpu(lesson):
    ns = lesson.namespace
    stored = checkpoint.load_weights(ns["weights_path"])
    assert set(ns["on_cpu"]) == set(stored) == set(ns["gpu_on_cpu"])
    assert all(tensor.device.type == "cpu" for tensor in ns["on_cpu"].values())
    assert all(tensor.device.type == "cpu" for tensor in ns["gpu_on_cpu"].values())
    if not torch.cuda.is_available():
        # the file really records a GPU: the lesson saw the load fail without map_location, and so do we
        assert ns["gpu_file_needs_map_location"] is True
        assert "Attempting to deserialize object on a CUDA device" in lesson.printed
        with pytest.raises(RuntimeError, match="map_location"):
            torch.load(ns["gpu_path"], weights_only=True)
        assert all(torch.equal(ns["gpu_on_cpu"][name], stored[name]) for name in stored)


def test_resume_is_exact_for_other_split_points(run_lesson):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        metrics = run_lesson(17, epochs=3, dropout=0.5).metrics
    finally:
        torch.set_num_threads(threads)
    assert metrics["resume_max_abs_diff"] == 0.0
    assert metrics["resume_without_rng_max_abs_diff"] > 1e-3


def test_resume_works_with_a_single_epoch(run_lesson):
    metrics = run_lesson(17, epochs=1).metrics  # stops after 0 epochs, resumes for 1
    assert metrics["resume_max_abs_diff"] == 0.0


def test_no_epochs_is_one_line(tmp_path):
    assert_usage_error(run_cli_here("run", "17", "--set", "epochs=0", "--out", str(tmp_path)), "epochs=0")


def test_exercise_17_1_rejects_a_checkpoint_without_the_optimizer(tmp_path):
    # a second wrong answer besides tests/exercise_variants' weights_only=False one (that module holds one per id)
    from pytorch_tutorial.exercises import catalog
    from pytorch_tutorial.exercises.runner import FAILED, CheckRunner

    exercise = catalog.BY_ID["17.1"]
    source = (catalog.SOLUTIONS / exercise.file).read_text(encoding="utf-8")
    wrong = (
        "def save_checkpoint(path, model, optimizer, epoch):\n"
        "    torch.save({'epoch': epoch, 'model': model.state_dict()}, path)\n\n"
        "def load_checkpoint(path, model, optimizer):\n"
        "    checkpoint = torch.load(path, weights_only=True)\n"
        "    model.load_state_dict(checkpoint['model'])\n"
        "    return checkpoint['epoch']\n"
    )
    (tmp_path / exercise.file).write_text(f"{source}\n\n{wrong}", encoding="utf-8")
    with CheckRunner(timeout=60) as runner:
        outcome = runner.run(tmp_path, exercise)
    assert outcome["status"] == FAILED and "optimizer" in outcome["message"], outcome
