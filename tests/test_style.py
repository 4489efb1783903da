"""The code is ruff clean: lint and format."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    beside_python = Path(sys.executable).with_name("ruff")
    exe = str(beside_python) if beside_python.exists() else shutil.which("ruff") or "ruff"
    return subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint_clean():
    proc = _ruff("check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_clean():
    proc = _ruff("format", "--check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr
