"""Regenerate ``src/pytorch_tutorial/data/files/names/LANG.txt``: surnames in 15 languages, one per line, ASCII.

PyTorch's char-RNN tutorial classifies about 20,000 surnames from 18 languages, a data set no package ships.
This script builds a stand-in from a package that does: the surname lists of Faker's locale person providers
(MIT licence, https://github.com/joke2k/faker), version ``FAKER_VERSION``. The 15 languages are 15 of the
original's 18 (Korean, Scottish and Vietnamese are missing: Faker has no romanized Korean surnames, no Scottish
locale and ten Vietnamese surnames). Then:

- every name is written in the course's 57 letters (ASCII letters and `` .,;'``): Latin accents are dropped
  (Unicode NFD, as lesson 19 does), the few letters NFD cannot split are spelled out (ß -> ss, Ł -> L), Greek is
  romanized as on Greek passports (ELOT 743, simplified: Παπαδόπουλος -> Papadopoulos) and Russian as in English
  texts (Васильев -> Vasilyev); Chinese and Japanese come from Faker's romanized lists. A character outside these
  tables stops the script, so nothing is dropped unseen;
- a name must be one surname: optional particles (van der, da, O', Le, ...) and then one capitalized word; Faker's
  Dutch list also holds historical names ("Godfrey van Alemannie", "WestFrancie, van"), its German list "Koch II";
- names are de-duplicated within a language. A name in two languages' lists stays with the one it comes from
  where ``KEPT_BY`` says so (the French list holds Schneider, García and Rossi, the Irish one Smith and Jones);
  any other name in two or more languages is dropped from all of them (the network cannot be right about
  "Martin" whichever language the file says);
- each language keeps at most ``CAP`` names, so that no language dominates and the majority-class baseline
  stays honest: all of its first list's names when they fit (de_DE before de_AT), the rest a seeded sample.

Faker is needed only here, not by the course::

    pip install faker==40.54.0
    python scripts/make_names.py
"""

from __future__ import annotations

import importlib
import random
import re
import string
import unicodedata
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src" / "pytorch_tutorial" / "data" / "files" / "names"
FAKER_VERSION = "40.54.0"
LETTERS = set(string.ascii_letters + " .,;'")
CAP = 500
SEED = 0

# language -> the (Faker locale, provider attribute) lists it is made of
SOURCES: dict[str, list[tuple[str, str]]] = {
    "Arabic": [("fr_DZ", "last_names")],  # Algerian surnames in French spelling: Benali, Bouzid, Abdellaoui
    "Chinese": [("zh_CN", "last_romanized_names"), ("zh_TW", "last_romanized_names")],
    "Czech": [("cs_CZ", "last_names")],
    "Dutch": [("nl_NL", "last_names")],
    "English": [("en_GB", "last_names")],
    "French": [("fr_FR", "last_names")],
    "German": [("de_DE", "last_names"), ("de_AT", "last_names")],
    "Greek": [("el_GR", "last_names")],
    "Irish": [("en_IE", "last_names")],
    "Italian": [("it_IT", "last_names")],
    "Japanese": [("ja_JP", "last_romanized_names")],
    "Polish": [("pl_PL", "male_last_names"), ("pl_PL", "unisex_last_names")],
    "Portuguese": [("pt_PT", "last_names"), ("pt_BR", "last_names")],
    "Russian": [("ru_RU", "last_names")],
    "Spanish": [("es_ES", "last_names")],
}

LATIN = {"ß": "ss", "ł": "l", "Ł": "L"}  # letters that NFD does not split into a base letter and an accent
GREEK_PAIRS = {"ου": "ou", "αυ": "av", "ευ": "ev", "ηυ": "iv", "γγ": "ng", "γξ": "nx", "γχ": "nch"}
GREEK_FIRST = {"μπ": "b", "ντ": "d"}  # at the start of a name; inside it they stay mp, nt
GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k", "λ": "l",
    "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f",
    "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
RUSSIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
# (kept by, dropped from): the second language's Faker list also holds names of the first language's
KEPT_BY = {
    ("English", "Dutch"), ("English", "Irish"), ("French", "Dutch"), ("German", "Dutch"), ("German", "French"),
    ("German", "Polish"), ("Italian", "French"), ("Portuguese", "French"), ("Spanish", "French"),
}  # fmt: skip
PARTICLES = {"'s", "'t", "da", "das", "de", "del", "della", "den", "der", "di", "do", "dos", "du", "het", "la", "le"}
PARTICLES |= {"mac", "o", "op", "ten", "ter", "van", "von"}
ONE_SURNAME = re.compile(r"(?:\S+ )*[A-Z][A-Za-z']*[a-z][A-Za-z']*")


def strip_accents(text: str) -> str:
    """NFD splits é into e and a combining accent (category Mn); the accents are dropped."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")


def romanize_greek(name: str) -> str:
    """Παπαδόπουλος -> Papadopoulos: ELOT 743 without its voiced/voiceless rules (αυ is always av)."""
    text, out = strip_accents(name).lower(), ""
    for first, latin in GREEK_FIRST.items():
        if text.startswith(first):
            text, out = text[2:], latin
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in GREEK_PAIRS:
            out, i = out + GREEK_PAIRS[pair], i + 2
        else:
            out, i = out + GREEK.get(text[i], text[i]), i + 1
    return out.capitalize()


def romanize_russian(name: str) -> str:
    """Васильев -> Vasilyev, Кузьмин -> Kuzmin, Высоцкий -> Vysotsky: the spelling of English texts.

    The soft sign is y before е and и (Vasilyev, Ilyin) and silent elsewhere; -ий and -ый at the end are -y.
    """
    text = name.lower()
    text = re.sub("[иы]й$", "y", text)
    text = re.sub("ь(?=[еи])", "y", text)
    return "".join(RUSSIAN.get(ch, ch) for ch in text).capitalize()


def to_ascii(name: str, language: str) -> str:
    """The name in the course's 57 letters; a character no table knows raises ``ValueError``."""
    if language == "Greek":
        name = romanize_greek(name)
    elif language == "Russian":
        name = romanize_russian(name)
    text = "".join(LATIN.get(ch, ch) for ch in strip_accents(name)).strip()
    unknown = sorted(set(text) - LETTERS - {"-"})
    if unknown:
        raise ValueError(f"{language} name {name!r}: no spelling in 57 letters for {unknown}")
    return text.title() if text.isupper() and len(text) > 1 else text


def is_one_surname(name: str) -> bool:
    """Particles, then one capitalized word: 'van der Berg', "O'Brien", 'Da Silva'; not 'Koch II' or 'Dussen van'."""
    words = name.split(" ")
    return "-" not in name and bool(ONE_SURNAME.fullmatch(name)) and all(w.lower() in PARTICLES for w in words[:-1])


def build(raw: dict[str, list[list[str]]], cap: int = CAP, seed: int = SEED) -> dict[str, list[str]]:
    """``{language: names}`` as the files hold them, from ``{language: [each Faker list, as Faker spells it]}``.

    Cleaned (:func:`to_ascii`, :func:`is_one_surname`, at least two letters), de-duplicated, a name of several
    languages kept by one of them (``KEPT_BY``) or dropped, at most ``cap`` per language (the first list's names
    first, the others a sample seeded with ``seed``), each list sorted.
    """
    lists = {
        language: [
            {name for name in (to_ascii(n, language) for n in names) if len(name) >= 2 and is_one_surname(name)}
            for names in source_lists
        ]
        for language, source_lists in raw.items()
    }
    languages_of: dict[str, set[str]] = {}
    for language, source_lists in lists.items():
        for name in set().union(*source_lists):
            languages_of.setdefault(name, set()).add(language)

    def owned(name: str, language: str) -> bool:
        """Only this language lists the name, or it keeps the name from every other that does."""
        return all((language, other) in KEPT_BY for other in languages_of[name] - {language})

    rng = random.Random(seed)
    kept = {}
    for language, (first, *rest) in lists.items():
        main = sorted(name for name in first if owned(name, language))
        extra = sorted(name for name in set().union(*rest) - first if owned(name, language))
        if len(main) >= cap:
            kept[language] = sorted(rng.sample(main, cap))
        else:
            kept[language] = sorted(main + rng.sample(extra, min(cap - len(main), len(extra))))
    return kept


def faker_list(locale: str, attribute: str) -> list[str]:
    """One list of a Faker person provider (some are weighted dicts: their keys are the names)."""
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    names = getattr(provider, attribute)
    return list(names.keys()) if isinstance(names, dict) else list(names)


def faker_names() -> dict[str, list[list[str]]]:
    """``{language: [each of its Faker lists]}``, as Faker spells the names (checks Faker's version)."""
    import faker

    if faker.VERSION != FAKER_VERSION:
        raise SystemExit(f"Faker {faker.VERSION} is installed; the shipped files are from {FAKER_VERSION}")
    return {
        language: [faker_list(locale, attribute) for locale, attribute in sources]
        for language, sources in SOURCES.items()
    }


def write(names: dict[str, list[str]], target: Path = TARGET) -> None:
    """One ``LANG.txt`` per language (replacing the old files), one name a line."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.txt"):
        old.unlink()
    for language, kept in names.items():
        (target / f"{language}.txt").write_text("\n".join(kept) + "\n", encoding="ascii")


def main() -> None:
    """Write one file per language and print the counts."""
    names = build(faker_names())
    write(names)
    for language, kept in names.items():
        print(f"{language:<11} {len(kept):>4} names")
    print(f"{sum(map(len, names.values()))} names in {len(names)} languages written to {TARGET}")


if __name__ == "__main__":
    main()
