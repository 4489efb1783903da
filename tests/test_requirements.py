"""requirements.txt pins every package the course's code imports, with ==, and nothing platform-only."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys

from conftest import ROOT


def _pins() -> dict[str, list[str]]:
    """Distribution name (normalised) -> the version specifiers of its lines in requirements.txt."""
    pins: dict[str, list[str]] = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", line).groups()
            pins.setdefault(re.sub(r"[-_.]+", "-", name).lower(), []).append(spec)
    return pins


def _imported_top_level_modules() -> set[str]:
    modules = set()
    for path in (ROOT / "src" / "pytorch_tutorial").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"pytorch_tutorial", "__future__"}


def test_every_imported_package_is_pinned_exactly():
    pins = _pins()
    distributions = importlib.metadata.packages_distributions()
    for module in sorted(_imported_top_level_modules()):
        names = {re.sub(r"[-_.]+", "-", name).lower() for name in distributions.get(module, [module])}
        pinned = names & set(pins)
        assert pinned, f"'import {module}' ({', '.join(sorted(names))}) has no line in requirements.txt"
        for name in pinned:
            assert all(spec.startswith("==") for spec in pins[name]), (name, pins[name])


def test_no_platform_only_packages_are_pinned():
    assert not [name for name in _pins() if name.startswith("nvidia-") or name in {"triton", "pywin32"}]
