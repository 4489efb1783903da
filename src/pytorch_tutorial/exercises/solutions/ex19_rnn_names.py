"""Reference solutions for lesson 19 — RNN name classification."""

import string
import unicodedata

import torch
from torch import nn

ALL_LETTERS = string.ascii_letters + " .,;'"  # the 57 letters of lesson 19


def unicode_to_ascii(text: str) -> str:
    """Exercise 19.1 — Names in 57 letters."""
    text = unicodedata.normalize("NFD", text)  # "é" -> "e" and a combining accent (category Mn)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn" and ch in ALL_LETTERS)


def name_to_tensor(name: str) -> torch.Tensor:
    """Exercise 19.2 — A name as one-hot letters."""
    tensor = torch.zeros(len(name), 1, len(ALL_LETTERS))
    for position, letter in enumerate(name):
        tensor[position, 0, ALL_LETTERS.index(letter)] = 1
    return tensor


def read_name(name_tensor: torch.Tensor, i2h: nn.Linear, i2o: nn.Linear) -> torch.Tensor:
    """Exercise 19.3 — Read a name with the hand-written RNN."""
    hidden = torch.zeros(1, i2h.out_features)
    for letter in name_tensor:
        combined = torch.cat((letter, hidden), dim=1)
        output = torch.log_softmax(i2o(combined), dim=1)
        hidden = torch.tanh(i2h(combined))
    return output
