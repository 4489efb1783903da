"""Where downloaded and unpacked data lives, and how a failed download is told to a learner."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from pytorch_tutorial.runtime import UsageError


def cache_dir(*parts: str) -> Path:
    """A folder under the course's data cache (``$PYTORCH_TUTORIAL_CACHE``, default ``~/.cache/pytorch_tutorial``)."""
    root = os.environ.get("PYTORCH_TUTORIAL_CACHE") or Path.home() / ".cache" / "pytorch_tutorial"
    path = Path(root, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def download_guard(what: str, folder: Path, offline_hint: str) -> Iterator[None]:
    """Turn a failed download into one clear :class:`UsageError`, removing whatever it half-wrote in ``folder``.

    ``offline_hint`` tells the learner what works without the download, e.g. "run without --full-data".
    """
    folder = Path(folder)
    before = set(folder.rglob("*")) if folder.exists() else set()
    try:
        yield
    except UsageError:
        raise
    except Exception as exc:
        for path in sorted(set(folder.rglob("*")) - before, reverse=True):  # files before their folders
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        innermost: BaseException = exc
        while innermost.__cause__ or innermost.__context__:
            innermost = innermost.__cause__ or innermost.__context__  # type: ignore[assignment]
        lines = [line.strip() for line in str(innermost).splitlines() if line.strip()] or [type(innermost).__name__]
        reason = lines[0]
        if reason.endswith(":") and len(lines) > 1:  # torchvision: "Error downloading x.gz:" then the causes
            reason = f"{reason} {lines[-1]}"
        raise UsageError(f"could not download {what} ({reason}); {offline_hint}") from None
