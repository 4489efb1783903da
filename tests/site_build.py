"""The course's website, built once per test session in quick mode, for test_site.py and test_site_browser.py."""

from __future__ import annotations

import time

import pytest
from test_notebooks import fast_settings

from pytorch_tutorial import course, site

_BUILT: dict[str, site.BuildResult] = {}


def quick_settings() -> dict[int, str]:
    """Each lesson's small settings (as ``PYTORCH_TUTORIAL_SET``), the ones the notebook tests use."""
    settings = {}
    for lesson in course.available_lessons():
        value = fast_settings(lesson).get("PYTORCH_TUTORIAL_SET")
        if value:
            settings[lesson.number] = value
    return settings


def quick_site(tmp_path_factory: pytest.TempPathFactory) -> site.BuildResult:
    """Build the site of every lesson with small settings, once per session (both modules share it)."""
    if "site" not in _BUILT:
        start = time.perf_counter()
        result = site.build(tmp_path_factory.mktemp("site"), settings_for=quick_settings(), jobs=2, echo=False)
        print(f"\nbuilt the site in quick mode: {len(result.pages)} pages in {time.perf_counter() - start:.1f} s")
        _BUILT["site"] = result
    return _BUILT["site"]
