"""Checks for lesson 19 — RNN name classification."""

from __future__ import annotations

import string
import unicodedata

import torch
from hypothesis import strategies as st
from torch import nn

from pytorch_tutorial.exercises.checking import check, expect, expect_tensor, fail, for_all, show

ALL_LETTERS = string.ascii_letters + " .,;'"
# letters with accents, letters that NFD cannot split (ø, ß, ł), other scripts, digits and signs outside the 57
OTHER_CHARACTERS = "éèêëàáâäãåçñšžčřďťňůúüöÉÅŚŻøßłΩπж-0123456789!?\u0301"


def _to_ascii(text: str, form: str = "NFD") -> str:
    text = unicodedata.normalize(form, text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn" and ch in ALL_LETTERS)


def _check_ascii(unicode_to_ascii, text: str) -> None:
    got = unicode_to_ascii(text)
    what = f"unicode_to_ascii({text!r})"
    expect(isinstance(got, str), f"{what} should return a str, not {type(got).__name__}", got=got)
    expected = _to_ascii(text)
    if got == expected:
        return
    outside = sorted(set(got) - set(ALL_LETTERS))
    if outside:
        fail(f"{what} kept characters that are not among the 57 letters: {outside}", expected=expected, got=got)
    if got == _to_ascii(text, "NFC") or got == "".join(ch for ch in text if ch in ALL_LETTERS):
        fail(
            f"{what} dropped the accented letters whole: normalize the text with 'NFD' first, which splits 'é' "
            "into 'e' and a combining accent, then drop the accents (unicodedata.category(ch) == 'Mn')",
            expected=expected,
            got=got,
        )
    fail(f"{what} returned the wrong text", expected=expected, got=got)


@check("19.1")
def _(unicode_to_ascii):
    for text in ("Ślusàrski", "Dvořák", "Jean-Luc 2", "O'Néill", "Müller, Straße", "Παπαδόπουλος", "Nakamura", ""):
        _check_ascii(unicode_to_ascii, text)

    @for_all(text=st.text(alphabet=ALL_LETTERS + OTHER_CHARACTERS, max_size=12))
    def _(text):
        _check_ascii(unicode_to_ascii, text)


def _one_hot(name: str) -> torch.Tensor:
    tensor = torch.zeros(len(name), 1, len(ALL_LETTERS))
    for position, letter in enumerate(name):
        tensor[position, 0, ALL_LETTERS.index(letter)] = 1
    return tensor


def _check_name_tensor(name_to_tensor, name: str) -> None:
    got = name_to_tensor(name)
    what = f"name_to_tensor({name!r})"
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (len(name), len(ALL_LETTERS)):
        fail(
            f"{what} has no batch dimension: the network reads one letter of shape (1, 57) at a time, so the name "
            "is (len(name), 1, 57), one name in a batch of one",
            expected=f"shape {(len(name), 1, len(ALL_LETTERS))}",
            got=f"shape {tuple(got.shape)}",
        )
    expect_tensor(got, _one_hot(name), what)


@check("19.2")
def _(name_to_tensor):
    for name in ("Jones", "a", "O'Neill", "van der Berg", "Nakamura"):
        _check_name_tensor(name_to_tensor, name)

    @for_all(name=st.text(alphabet=ALL_LETTERS, min_size=1, max_size=12))
    def _(name):
        _check_name_tensor(name_to_tensor, name)


def _read(name_tensor, i2h, i2o, *, tanh=True, carry=True, letter_first=True, log=True):
    """The reference, and with one switch off, a typical mistake."""
    hidden = torch.zeros(1, i2h.out_features)
    for letter in name_tensor:
        parts = (letter, hidden if carry else torch.zeros_like(hidden))
        combined = torch.cat(parts if letter_first else parts[::-1], dim=1)
        scores = i2o(combined)
        output = torch.log_softmax(scores, dim=1) if log else torch.softmax(scores, dim=1)
        new_hidden = i2h(combined)
        hidden = torch.tanh(new_hidden) if tanh else new_hidden
    return output


MISTAKES = (
    ({"carry": False}, "carries no hidden state from letter to letter: each step must get the hidden state the "
     "step before it returned (start from zeros only once, before the first letter)"),
    ({"tanh": False}, "leaves out the tanh: the new hidden state is torch.tanh(i2h(combined))"),
    ({"letter_first": False}, "puts the hidden state before the letter: combined = torch.cat((letter, hidden), dim=1)"),
    ({"log": False}, "returns probabilities (softmax), not log-probabilities: use torch.log_softmax(..., dim=1)"),
)  # fmt: skip


@check("19.3")
def _(read_name):
    for seed, (hidden_size, languages, name) in enumerate(((8, 5, "Jones"), (16, 3, "Li"), (4, 7, "Q"))):
        torch.manual_seed(seed)
        i2h = nn.Linear(len(ALL_LETTERS) + hidden_size, hidden_size)
        i2o = nn.Linear(len(ALL_LETTERS) + hidden_size, languages)
        name_tensor = _one_hot(name)
        with torch.no_grad():
            expected = _read(name_tensor, i2h, i2o)
            got = read_name(name_tensor.clone(), i2h, i2o)
        what = f"read_name of {name!r} (hidden size {hidden_size}, {languages} languages)"
        if not isinstance(got, torch.Tensor):
            fail(f"{what} should return a torch.Tensor, not {type(got).__name__}", expected=expected, got=got)
        for switches, mistake in MISTAKES:
            with torch.no_grad():
                wrong = _read(name_tensor, i2h, i2o, **switches)
            same_as_mistake = got.shape == wrong.shape and torch.allclose(got.detach().float(), wrong, atol=1e-5)
            if same_as_mistake and not torch.allclose(wrong, expected, atol=1e-5):
                fail(f"{what} {mistake}", expected=show(expected), got=show(got))
        expect_tensor(got.detach(), expected, what)
