"""A fast smoke test of benchmarks/run.py: every code path with tiny settings, not the benchmark itself."""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def bench():
    """benchmarks/run.py loaded from its path (benchmarks/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("model_name, size", [("FeedForward", 28), ("LeNet", 32)])
def test_in_memory_throughput_counts_samples(bench, model_name, size):
    row = bench.in_memory_throughput(model_name, batch_size=8, steps=3, size=size, optimizer="sgd", warmup=1, repeats=2)
    assert row["steps"] == 3 and row["batch_size"] == 8 and len(row["timings"]) == 2
    assert row["seconds"] == min(row["timings"]) > 0  # the best of the repeats
    assert row["samples_per_s"] == pytest.approx(3 * 8 / row["seconds"])


def test_in_memory_throughput_rejects_a_wrong_input_size(bench):
    with pytest.raises(RuntimeError):  # LeNet's 400 features need 32x32 input: the size really reaches the model
        bench.in_memory_throughput("LeNet", batch_size=2, steps=1, size=28, warmup=0)


@given(
    epochs=st.integers(1, 50),
    seconds=st.floats(0.01, 1000),
    samples=st.integers(1, 100_000),
)
def test_lesson_throughput_is_samples_seen_per_second(bench, epochs, seconds, samples):
    assert bench.lesson_throughput(epochs, seconds, samples) == pytest.approx(epochs * samples / seconds)


def test_list_start_time_is_measured(bench):
    timing = bench.time_list(repeats=2)
    assert len(timing["runs"]) == 2 and all(run > 0 for run in timing["runs"])
    assert min(timing["runs"]) <= timing["median_seconds"] <= max(timing["runs"])


def _fake_result(list_s: float, lesson_s: list[float], ratio13: float | None) -> dict:
    lessons = [
        {"number": n, "title": f"L{n}", "seconds": s, "status": "ok", "metrics": {}}
        for n, s in enumerate(lesson_s, start=1)
    ]
    complete = len(lessons) >= 22
    result = {
        "created": "2026-01-01T00:00:00",
        "machine": {
            "cpu": "Test CPU",
            "cores": 2,
            "usable_cores": 2,
            "python": "3.11",
            "torch": "2.x",
            "device": "cpu",
            "load_average_1min": 0.1,
        },
        "list": {"runs": [list_s], "median_seconds": list_s},
        "run": {
            "command": "pytorch-tutorial run all --quiet --out TMP --device auto",
            "exit_status": 0,
            "wall_seconds": sum(lesson_s) + 2,
            "lessons_seconds": sum(lesson_s),
            "course_seconds": sum(lesson_s) + 2 if complete else None,
            "lessons": lessons,
        },
        "throughput": [],
    }
    if ratio13 is not None:
        result["throughput"].append(
            {
                "lesson": 13,
                "model": "FeedForward",
                "epochs": 3,
                "batch_size": 100,
                "optimizer": "adam",
                "train_seconds": 1.0,
                "lesson_samples_per_s": 12000 * ratio13,
                "in_memory_samples_per_s": 12000.0,
                "ratio": ratio13,
            }
        )
    return result


def test_targets_are_marked_met_and_missed(bench):
    result = _fake_result(0.3, [1.0] * 21 + [20.0], ratio13=0.5)
    targets = {t["name"]: t for t in bench.evaluate_targets(result)}
    assert targets["`pytorch-tutorial list` (median)"]["met"] is True
    assert targets["lesson 1 (L1)"]["met"] is True
    assert targets["lesson 22 (L22)"]["met"] is False  # 20 s > 15 s
    assert targets["`run all` (wall)"]["met"] is True  # 43 s
    assert targets["lesson 13 throughput / in-memory limit"]["met"] is False  # 50 % < 70 %
    assert targets["lesson 14 throughput / in-memory limit"]["met"] is None  # not in this run

    slow = {t["name"]: t for t in bench.evaluate_targets(_fake_result(0.9, [4.0] * 22, ratio13=0.8))}
    assert slow["`pytorch-tutorial list` (median)"]["met"] is False
    assert slow["`run all` (wall)"]["met"] is False  # 90 s
    assert slow["lesson 13 throughput / in-memory limit"]["met"] is True

    partial = {t["name"]: t for t in bench.evaluate_targets(_fake_result(0.3, [1.0, 1.0], ratio13=None))}
    assert partial["`run all` (wall)"]["met"] is None


def test_markdown_table_shows_figures_and_marks(bench):
    result = _fake_result(0.3, [1.0] * 21 + [20.0], ratio13=0.5)
    result["targets"] = bench.evaluate_targets(result)
    markdown = bench.render_markdown(result)
    assert "Test CPU, 2 usable of 2 cores" in markdown
    assert "| `pytorch-tutorial list` (median) | 0.30 s | < 0.5 s | met |" in markdown
    assert "| lesson 22 (L22) | 20.00 s | < 15 s | **missed** |" in markdown
    assert "| lesson 13 throughput / in-memory limit | 50% | >= 70% | **missed** |" in markdown
    assert "| lesson 14 throughput / in-memory limit | – | >= 70% | not measured |" in markdown
    assert "| 13 | FeedForward | 3 x 100 | adam | 6,000 | 12,000 | 50% |" in markdown


def test_main_runs_a_lesson_and_writes_json_and_markdown(bench, tmp_path_factory, capsys):
    """End to end on lesson 2 (fast): the run's summary.json is read back, files are written, the README updated."""
    tmp_path = tmp_path_factory.mktemp("results")
    readme = tmp_path_factory.mktemp("repo") / "README.md"
    readme.write_text(
        f"# Course\n\n## Speed\n\n{bench.README_BEGIN}\nold table\n{bench.README_END}\n\nWhere it goes.\n"
    )
    args = ["--lessons", "2", "--out", str(tmp_path), "--list-repeats", "1", "--device", "cpu", "--readme", str(readme)]
    assert bench.main(args) == 0
    result = json.loads((tmp_path / "bench.json").read_text())
    (entry,) = result["run"]["lessons"]
    assert entry["number"] == 2 and entry["status"] == "ok" and entry["seconds"] > 0
    assert result["run"]["wall_seconds"] > entry["seconds"]
    assert result["run"]["course_seconds"] is None  # the course was not all run
    assert result["machine"]["device"] == "cpu" and result["machine"]["torch"]
    markdown = (tmp_path / "bench.md").read_text()
    assert "| lesson 2 (Tensor basics) |" in markdown
    assert markdown in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench.json", "bench.md"]
    updated = readme.read_text()
    assert "old table" not in updated and "\n### Benchmark (" in updated and "| lesson 2 (Tensor basics) |" in updated
    assert updated.startswith("# Course\n\n## Speed\n\n") and updated.endswith(
        f"{bench.README_END}\n\nWhere it goes.\n"
    )


def test_a_readme_without_the_markers_is_one_line_before_measuring(bench, tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# Course\n")
    assert bench.main(["--lessons", "2", "--out", str(tmp_path / "results"), "--readme", str(readme)]) == 2
    assert "needs one '<!-- bench:begin -->' line" in capsys.readouterr().err
    assert readme.read_text() == "# Course\n" and not (tmp_path / "results").exists()


def test_main_rejects_an_unknown_lesson_at_once(bench, tmp_path, capsys):
    assert bench.main(["--lessons", "99", "--out", str(tmp_path)]) == 2
    assert "unknown lesson '99'" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_lesson_timings_come_from_the_run_without_extra_runs_when_repeats_is_one(bench, monkeypatch):
    monkeypatch.setattr(bench, "run_course", lambda *args, **kwargs: pytest.fail("no extra run was asked for"))
    run = {"lessons": [{"number": 13, "metrics": {"train_seconds": 0.7}}, {"number": 4, "metrics": {}}]}
    assert bench.fastest_train_seconds(run, repeats=1) == {13: [0.7]}


def test_lesson_timings_add_runs_of_only_the_throughput_lessons(bench, monkeypatch):
    asked = []

    def fake_run_course(lessons, device="auto"):
        asked.append(lessons)
        return {"lessons": [{"number": 14, "metrics": {"train_seconds": 1.5 + len(asked)}}]}

    monkeypatch.setattr(bench, "run_course", fake_run_course)
    run = {"lessons": [{"number": 14, "metrics": {"train_seconds": 2.0}}]}
    assert bench.fastest_train_seconds(run, repeats=3) == {14: [2.0, 2.5, 3.5]}
    assert asked == [["14"], ["14"]]  # lesson 13 did not run in `run`, so it is not timed either


def test_the_benchmark_reports_each_lesson_as_it_starts(bench, capsys):
    run = bench.run_course(["2", "3"], device="cpu")
    assert run["exit_status"] == 0 and [entry["number"] for entry in run["lessons"]] == [2, 3]
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("benchmark [")]
    assert [line.split("] ", 1)[1] for line in lines] == ["Lesson 2: Tensor basics", "Lesson 3: Autograd"]
