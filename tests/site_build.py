"""The course's website, built once per test session in quick mode, for test_site.py (and any other module).

Under pytest-xdist the two modules may run in different worker processes: the first to ask builds the site under
a file lock in the session's shared temporary folder, the other waits for it and reads the result back."""

from __future__ import annotations

import pickle
import time

import pytest
from filelock import FileLock
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
        root = tmp_path_factory.getbasetemp()
        if root.name.startswith("popen-gw"):  # an xdist worker: its siblings share the parent folder
            root = root.parent
        saved = root / "quick-site.pickle"
        with FileLock(str(root / "quick-site.lock")):
            if saved.exists():
                _BUILT["site"] = pickle.loads(saved.read_bytes())
            else:
                start = time.perf_counter()
                out = root / "quick-site"
                result = site.build(out, settings_for=quick_settings(), jobs=2, echo=False)
                print(
                    f"\nbuilt the site in quick mode: {len(result.pages)} pages in {time.perf_counter() - start:.1f} s"
                )
                saved.write_bytes(pickle.dumps(result))
                _BUILT["site"] = result
    return _BUILT["site"]
