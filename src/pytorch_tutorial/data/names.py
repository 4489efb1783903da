"""Surnames by language, for lesson 19 (classifying a name's language with a recurrent network).

- default: the embedded set shipped in this package, ``files/names/LANG.txt`` (one ASCII name a line; 5,590
  surnames in 15 of the original's 18 languages), made by ``scripts/make_names.py`` from the surname lists of
  Faker 40.54.0's locale person providers (MIT licence, https://github.com/joke2k/faker), Greek and Russian
  romanized by the script;
- ``--full-data``: the original tutorial's 18 languages (about 20,000 names, UTF-8 with accents), from PyTorch's
  https://download.pytorch.org/tutorial/data.zip, downloaded once into the course's cache.
"""

from __future__ import annotations

from pathlib import Path

from pytorch_tutorial import runtime
from pytorch_tutorial.data.download import cache_dir, download_archive

EMBEDDED = Path(__file__).parent / "files" / "names"
URL = "https://download.pytorch.org/tutorial/data.zip"
OFFLINE_HINT = "lesson 19 runs offline on the embedded names without --full-data"


def source() -> str:
    """Which names this run uses: 'embedded' or 'full'."""
    return "full" if runtime.current().full_data else "embedded"


def folder() -> Path:
    """The folder of ``LANG.txt`` files this run reads (the full set is downloaded on first use)."""
    return full_folder() if source() == "full" else EMBEDDED


def full_folder() -> Path:
    """The original tutorial's ``data/names`` folder, downloaded and unpacked into the cache once
    (:func:`~pytorch_tutorial.data.download.download_archive`: never half a data set; offline, one line)."""
    target = cache_dir("names") / "names"
    if target.is_dir() and any(target.glob("*.txt")):
        return target
    return download_archive(URL, target, "data/names", "the names of the original tutorial (data.zip)", OFFLINE_HINT)


def read(path: Path) -> list[str]:
    """The names in one ``LANG.txt`` file, in file order, without blank lines (UTF-8, as the original's files)."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load() -> dict[str, list[str]]:
    """``{language: [names]}`` for this run's source, languages in alphabetical order."""
    return {path.stem: read(path) for path in sorted(folder().glob("*.txt"))}
