"""Wrong-but-plausible and right-but-different answers to every exercise, one module per lesson file.

``tests/test_exercises.py`` runs each through the checker: every WRONG answer must fail with its phrase, every
RIGHT one must pass. A lesson's helpers add to its own module (``ex13_feedforward.py``) only.
"""

from __future__ import annotations

import importlib
from pathlib import Path


def collect() -> tuple[dict[str, tuple[str, str]], dict[str, list[str]]]:
    """All WRONG and RIGHT variants of every module in this folder."""
    wrong: dict[str, tuple[str, str]] = {}
    right: dict[str, list[str]] = {}
    for path in sorted(Path(__file__).parent.glob("ex[0-9][0-9]_*.py")):
        module = importlib.import_module(f"{__name__}.{path.stem}")
        wrong.update(module.WRONG)
        for exercise_id, answers in module.RIGHT.items():
            right.setdefault(exercise_id, []).extend(answers)
    return wrong, right
