"""Lesson 19: the shipped names (what the build script makes), one-hot shapes, a hand-written RNN trained one name
at a time that beats the majority class by 20 points on held-out names, the figures, the learner's names, and
the original tutorial's data with --full-data (offline: one line)."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path
from urllib.error import URLError

import pytest
import torch
from conftest import ROOT, run_lesson_at, run_lesson_printed
from PIL import Image

from pytorch_tutorial import course, runtime
from pytorch_tutorial.data import names as names_data

LESSON = course.BY_NUMBER[19]
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,;'"


def load_script():
    """scripts/make_names.py as a module (it needs Faker only when it reads Faker's lists)."""
    spec = importlib.util.spec_from_file_location("make_names", ROOT / "scripts" / "make_names.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_names"] = module
    spec.loader.exec_module(module)
    return module


def decode(name_tensor: torch.Tensor) -> str:
    """The name a one-hot tensor (letters, 1, 57) spells."""
    return "".join(LETTERS[index] for index in name_tensor[:, 0].argmax(dim=1).tolist())


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """The lesson with its defaults on the embedded names, once for this module; its output in ``printed``."""
    return run_lesson_printed(19, tmp_path_factory.mktemp("l19"))


# ---------------------------------------------------------------------------------------------------------
# The shipped data


def test_shipped_names_are_enough_ascii_and_one_language_each():
    names = names_data.load()
    assert names_data.source() == "embedded" and names_data.folder() == names_data.EMBEDDED
    assert len(names) == 15 and sum(map(len, names.values())) == 5590  # the issue asks for >= 10 and >= 4,000
    assert list(names) == sorted(names) and "Japanese" in names and "Russian" in names
    seen: dict[str, str] = {}
    for language, surnames in names.items():
        text = (names_data.EMBEDDED / f"{language}.txt").read_bytes()
        assert text.isascii() and text.endswith(b"\n") and b"\r" not in text and b"\n\n" not in text
        assert surnames == text.decode("ascii").splitlines()  # one name a line, nothing else
        assert surnames == sorted(set(surnames)), language  # sorted, no name twice
        assert 49 <= len(surnames) <= 500, language
        for name in surnames:
            assert set(name) <= set(LETTERS) and len(name) >= 2, name
            assert seen.setdefault(name, language) == language, (name, seen[name], language)


def test_the_package_ships_the_names():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = ROOT / "src" / "pytorch_tutorial"
    shipped = {path for pattern in patterns["pytorch_tutorial"] for path in package.glob(pattern)}
    files = set(names_data.EMBEDDED.glob("*.txt"))
    assert len(files) == 15 and files <= shipped


def test_the_script_cleans_transliterates_and_assigns_names():
    script = load_script()
    assert script.romanize_greek("Παπαδόπουλος") == "Papadopoulos"
    assert script.romanize_greek("Μπακογιάννης") == "Bakogiannis"  # μπ at the start is b
    assert script.romanize_greek("Αγγελάκης") == "Angelakis"
    assert script.romanize_russian("Васильев") == "Vasilyev" and script.romanize_russian("Кузьмин") == "Kuzmin"
    assert script.romanize_russian("Высоцкий") == "Vysotsky" and script.romanize_russian("Зайцев") == "Zaytsev"
    assert script.to_ascii("Dvořák", "Czech") == "Dvorak" and script.to_ascii("Łukasz", "Polish") == "Lukasz"
    assert script.to_ascii("Straße", "German") == "Strasse" and script.to_ascii("MÜLLER", "German") == "Muller"
    with pytest.raises(ValueError, match="no spelling in 57 letters"):
        script.to_ascii("Ørsted", "Danish")
    for name in ("van der Berg", "O'Brien", "Da Silva", "'s Gravensande", "Li"):
        assert script.is_one_surname(name), name
    for name in ("Koch II", "Dussen van", "WestFrancie, van", "Godfrey van Alemannie", "Meyer-Klein", "lower"):
        assert not script.is_one_surname(name), name
    raw = {
        "English": [["Smith", "Jones", "Martin", "Baker"]],
        "Irish": [["Smith", "Murphy", "Kelly"]],  # Smith: an English name in the Irish list
        "French": [["Martin", "Dubois", "Koch II"]],  # Martin: in the English list too, dropped from both
        "German": [["Schmidt", "Weber", "Müller"], ["Aigner", "Huber", "Weber", "Ebner"]],
        "Greek": [["Παπαδόπουλος"]],
    }
    built = script.build(raw, cap=4, seed=0)
    assert built["English"] == ["Baker", "Jones", "Smith"]
    assert built["Irish"] == ["Kelly", "Murphy"] and built["French"] == ["Dubois"]
    assert built["Greek"] == ["Papadopoulos"]
    # the first list whole (Weber once), then one of the second list's others to make 4
    german = built["German"]
    assert len(german) == 4 and {"Muller", "Schmidt", "Weber"} < set(german) and german == sorted(german)
    assert built == script.build(raw, cap=4, seed=0)  # seeded: the same files every time


def test_the_shipped_files_are_what_the_script_writes_from_its_lists(tmp_path):
    script = load_script()
    assert script.TARGET == names_data.EMBEDDED
    shipped = names_data.load()
    # every shipped name is already in the script's final spelling
    for language, surnames in shipped.items():
        assert all(script.to_ascii(name, language) == name and script.is_one_surname(name) for name in surnames)
    # what write() makes for these lists is byte for byte what ships
    script.write(shipped, tmp_path)
    for path in names_data.EMBEDDED.glob("*.txt"):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()
    faker = pytest.importorskip("faker", reason="Faker builds the names; the course does not need it")
    if faker.VERSION != script.FAKER_VERSION:
        pytest.skip(f"the names are built from Faker {script.FAKER_VERSION}, not {faker.VERSION}")
    assert script.build(script.faker_names()) == shipped


# ---------------------------------------------------------------------------------------------------------
# The lesson with its defaults


def test_core_is_short_and_writes_the_rnn_out(default_run):
    assert course.core_lines(LESSON) <= 100
    source = LESSON.path.read_text(encoding="utf-8")
    core = source.split("# ## Going further")[0]
    for line in (
        'text = unicodedata.normalize("NFD", text)',
        "class RNN(nn.Module):",
        "self.i2h = nn.Linear(input_size + hidden_size, hidden_size)",
        "self.i2o = nn.Linear(input_size + hidden_size, output_size)",
        "combined = torch.cat((letter, hidden), dim=1)",
        "loss_fn = nn.NLLLoss()",
        "optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr)",
    ):
        assert line in core, line
    assert "nn.RNN(" not in core and "sklearn" not in source  # nn.RNN comes after the core
    declared = course.declarations(LESSON)
    assert isinstance(declared["n_iters"], runtime.Setting) and declared["n_iters"].default == 2000
    assert isinstance(declared["lr"], runtime.Setting) and declared["lr"].default == 0.05
    assert declared["names"] == "Schmidt,Rossi,Nakamura"


def test_shapes_are_printed_and_every_name_is_one_hot(default_run):
    printed = default_run.printed
    for line in (
        "57 letters; 'Ślusàrski' -> 'Slusarski'",
        "letter_to_tensor('J'): shape (1, 57), the 1 at index 35",
        "name_to_tensor('Jones'): shape (5, 1, 57)",
        "one step: output (1, 15) (a log-probability per language), hidden (1, 128)",
        "nn.RNN on 'Jones': output (5, 1, 128), h_n (1, 1, 128)",
        "4472 names to train on, 1118 to test (embedded data)",
    ):
        assert line in printed, line
    ns = default_run.namespace
    assert ns["N_LETTERS"] == 57 and ns["ALL_LETTERS"] == LETTERS
    for name_tensor in ns["test_tensors"] + [t for language in ns["train_tensors"] for t in language]:
        assert name_tensor.shape[1:] == (1, 57) and name_tensor.dtype == torch.float32
        assert torch.equal(name_tensor.sum(dim=2), torch.ones(len(name_tensor), 1))


def test_the_split_is_stratified_and_held_out(default_run):
    ns = default_run.namespace
    names = names_data.load()
    assert ns["languages"] == list(names)
    test_names = [decode(t) for t in ns["test_tensors"]]
    for label, language in enumerate(ns["languages"]):
        train = [decode(t) for t in ns["train_tensors"][label]]
        test = [name for name, lab in zip(test_names, ns["test_labels"], strict=True) if lab == label]
        assert len(test) == round(0.2 * len(names[language])), language  # a fifth of every language
        assert sorted(train + test) == names[language] and not set(train) & set(test), language
    assert ns["test_labels"].count(ns["languages"].index("Japanese")) == 10  # even the smallest is tested


def test_test_accuracy_beats_the_majority_class_by_20_points(default_run):
    metrics, ns = default_run.metrics, default_run.namespace
    assert set(metrics) == {"test_accuracy", "chance", "majority_baseline", "nn_rnn_test_accuracy"}
    assert metrics["chance"] == pytest.approx(1 / 15)
    assert metrics["majority_baseline"] == pytest.approx(100 / 1118)  # 500 names, 100 of them tested
    # 0.393 with the default seed; 0.338-0.397 for seeds 1-3
    assert metrics["test_accuracy"] >= metrics["majority_baseline"] + 0.20
    assert metrics["nn_rnn_test_accuracy"] >= metrics["majority_baseline"] + 0.20  # 0.356; 0.333-0.374
    # measured again here, from the trained network on the test names
    rnn = ns["rnn"]
    assert not rnn.training
    with torch.no_grad():
        guesses = torch.tensor([rnn(t).argmax().item() for t in ns["test_tensors"]])
    assert (guesses == torch.tensor(ns["test_labels"])).float().mean().item() == metrics["test_accuracy"]
    line = f"test accuracy {metrics['test_accuracy']:.1%}; chance 6.7%; always Dutch 8.9%"
    assert line in default_run.printed


def test_trained_one_name_at_a_time_and_the_loss_falls(default_run):
    ns = default_run.namespace
    for losses in (ns["losses"], ns["char_rnn_losses"]):
        assert len(losses) == 20  # the mean of every 100 of 2,000 names
        assert 2.4 < losses[0] < 2.9  # about ln 15 = 2.71: no idea yet
        assert losses[-1] < losses[0] - 0.5
    assert ns["largest_difference"] < 1e-5  # nn.RNN computes the hand-written i2h's hidden states


def test_the_figures_are_pngs_and_the_confusion_matrix_counts_the_test_names(default_run):
    files = {path.name: path for path in default_run.files}
    for name in ("training_loss.png", "confusion_matrix.png"):
        assert files[name].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(files[name]) as image:
            image.verify()
    ns = default_run.namespace
    confusion, labels = ns["confusion"], torch.tensor(ns["test_labels"])
    assert confusion.shape == (15, 15)
    assert torch.equal(confusion.sum(dim=1), torch.bincount(labels, minlength=15))
    assert confusion.diagonal().sum().item() == round(ns["test_accuracy"] * len(labels))
    shares, languages = ns["shares"], ns["languages"]
    largest = max(shares[t, g].item() for t in range(15) for g in range(15) if t != g)
    true, guess = ns["mix_ups"][0]
    assert true != guess and shares[true, guess].item() == largest
    assert f"{largest:.0%} of the {languages[true]} test names are guessed {languages[guess]}" in default_run.printed


def test_top3_for_the_default_names(default_run):
    top3 = default_run.namespace["top3"]
    assert list(top3) == ["Schmidt", "Rossi", "Nakamura"]
    for guesses in top3.values():
        languages, probabilities = zip(*guesses, strict=True)
        assert len(set(languages)) == 3 and list(probabilities) == sorted(probabilities, reverse=True)
        assert 0 < sum(probabilities) <= 1
    assert top3["Nakamura"][0][0] == "Japanese"
    language, probability = top3["Nakamura"][0]
    assert f"    Nakamura: {language} {probability:.0%}" in default_run.printed


def test_names_from_the_command_line_and_zero_iterations(tmp_path):
    # --set keeps the commas of the value (only the first '=' splits)
    assert course.parse_overrides(["names=Dvořák, Ślusàrski,,O'Neill,42"], [LESSON]) == {
        "names": "Dvořák, Ślusàrski,,O'Neill,42"
    }
    result = run_lesson_at(19, tmp_path, n_iters=0, names="Dvořák, Ślusàrski,,O'Neill,42")
    ns = result.namespace
    assert list(ns["top3"]) == ["Dvorak", "Slusarski", "O'Neill"]  # accents dropped; empty and "42" skipped
    assert ns["losses"] == [] and result.metrics["test_accuracy"] < 0.2  # untrained: about chance


# ---------------------------------------------------------------------------------------------------------
# --full-data: the original tutorial's data.zip


def write_data_zip(path: Path) -> None:
    """A small data.zip laid out as the original (data/names/LANG.txt, UTF-8, with accents)."""
    names = {
        "Czech": ["Dvořák", "Novák", "Svoboda", "Černý", "Procházka"] * 2,
        "Italian": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi"] * 2,
        "Korean": ["Ahn", "Baik", "Chang", "Cho", "Choi"] * 2,
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data/eng-fra.txt", "Go.\tVa !\n")
        for language, surnames in names.items():
            archive.writestr(f"data/names/{language}.txt", "\n".join(surnames) + "\n")


def test_full_data_reads_the_original_zip_from_the_cache(tmp_path, monkeypatch):
    import torchvision.datasets.utils as tv_utils

    monkeypatch.setenv("PYTORCH_TUTORIAL_CACHE", str(tmp_path / "cache"))
    downloads = []

    def download(url, download_root, remove_finished=False, **kwargs):
        downloads.append(url)
        archive = Path(download_root) / "data.zip"
        write_data_zip(archive)
        tv_utils.extract_archive(str(archive), download_root, remove_finished=remove_finished)

    monkeypatch.setattr(tv_utils, "download_and_extract_archive", download)
    result = run_lesson_at(19, tmp_path / "out", full_data=True, n_iters=100, names="Dvořák")
    ns = result.namespace
    assert downloads == [names_data.URL] and ns["languages"] == ["Czech", "Italian", "Korean"]
    czech = [decode(t) for t in ns["train_tensors"][0]]
    assert len(czech) == 8 and set(czech) <= {"Dvorak", "Novak", "Svoboda", "Cerny", "Prochazka"}  # accents dropped
    assert list(ns["top3"]) == ["Dvorak"]
    assert sorted(path.name for path in (tmp_path / "cache" / "names").iterdir()) == ["names"]  # no staging left
    with runtime.activate(runtime.RunContext(19, LESSON.slug, full_data=True)):
        assert names_data.load()["Korean"][:2] == ["Ahn", "Baik"]  # the second time from the cache
    assert len(downloads) == 1


def test_full_data_offline_is_one_line_and_leaves_nothing_behind(tmp_path, monkeypatch):
    import torchvision.datasets.utils as tv_utils

    monkeypatch.setenv("PYTORCH_TUTORIAL_CACHE", str(tmp_path / "cache"))

    def offline(url, download_root, *args, **kwargs):
        Path(download_root, "data.zip").write_bytes(b"partial")  # a download cut short
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(tv_utils, "download_and_extract_archive", offline)
    with pytest.raises(runtime.UsageError, match=r"could not download the names .*without --full-data") as error:
        run_lesson_at(19, tmp_path / "out", full_data=True)
    assert "\n" not in str(error.value)
    assert list((tmp_path / "cache" / "names").iterdir()) == []
