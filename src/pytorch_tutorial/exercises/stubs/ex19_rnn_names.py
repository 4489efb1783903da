"""Exercises for lesson 19 — RNN name classification.

Replace each `raise NotImplementedError` with your code, then check it:
    pytorch-tutorial check 19         (all exercises of this file)
    pytorch-tutorial check 19.1       (one exercise)
    pytorch-tutorial hint 19.1        (stuck? a hint)
"""

import string
import unicodedata  # noqa: F401  (for exercise 19.1)

import torch
from torch import nn

ALL_LETTERS = string.ascii_letters + " .,;'"  # the 57 letters of lesson 19


def unicode_to_ascii(text: str) -> str:
    """Exercise 19.1 — Names in 57 letters.

    Return `text` written in the 57 characters of ALL_LETTERS, as lesson 19 does: accented letters lose their
    accents ("Ślusàrski" -> "Slusarski", "Dvořák" -> "Dvorak"), and every character that is not one of the 57
    (digits, hyphens, Greek letters, ...) is dropped ("Jean-Luc 2" -> "JeanLuc "). Keep the order of the others.
    """
    raise NotImplementedError


def name_to_tensor(name: str) -> torch.Tensor:
    """Exercise 19.2 — A name as one-hot letters.

    `name` is made of characters of ALL_LETTERS. Return a float32 tensor of shape (len(name), 1, 57): for the
    letter at position i, row [i, 0] is all zeros except a 1 at ALL_LETTERS.index(letter). The middle dimension
    is a batch of one name, the shape that lesson 19's network and nn.RNN read letter by letter.
    """
    raise NotImplementedError


def read_name(name_tensor: torch.Tensor, i2h: nn.Linear, i2o: nn.Linear) -> torch.Tensor:
    """Exercise 19.3 — Read a name with the hand-written RNN.

    `name_tensor` has shape (letters, 1, 57) (at least one letter); `i2h` maps 57 + H numbers to H (the hidden
    size, i2h.out_features), `i2o` maps them to one score per language. Start from a hidden state of zeros, shape
    (1, H). For each letter (1, 57): combined = the letter and the hidden state side by side (1, 57 + H), the
    output = log-softmax of i2o(combined) over the languages, the new hidden state = tanh(i2h(combined)). Return
    the output after the last letter, shape (1, languages).
    """
    raise NotImplementedError
