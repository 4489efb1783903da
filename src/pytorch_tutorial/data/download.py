"""Where downloaded and unpacked data lives, and how a failed download is told to a learner."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pytorch_tutorial.runtime import UsageError

_warned: set[str] = set()


def cache_dir(*parts: str) -> Path:
    """A folder under the course's data cache (``$PYTORCH_TUTORIAL_CACHE``, default ``~/.cache/pytorch_tutorial``).

    When the default cannot be used (no writable home, ``HOME`` naming a file), a private folder under the
    system's temporary folder stands in, with a one-line note; a ``PYTORCH_TUTORIAL_CACHE`` that cannot be used
    is one :class:`UsageError` line.
    """
    chosen = os.environ.get("PYTORCH_TUTORIAL_CACHE")
    if chosen:
        try:
            return _make(Path(chosen, *parts))
        except OSError as exc:
            raise UsageError(
                f"PYTORCH_TUTORIAL_CACHE={chosen}: cannot make {Path(chosen, *parts)} ({_reason(exc)}); "
                "set PYTORCH_TUTORIAL_CACHE to a writable folder"
            ) from None
    try:
        default = Path.home() / ".cache" / "pytorch_tutorial"
        return _make(Path(default, *parts))
    except (OSError, RuntimeError) as exc:  # RuntimeError: Path.home() with no home at all
        fallback = _private_temp_folder()
        if str(fallback) not in _warned:
            _warned.add(str(fallback))
            print(
                f"note: the data cache ~/.cache/pytorch_tutorial cannot be used ({_reason(exc)}); using {fallback} "
                "instead (set PYTORCH_TUTORIAL_CACHE to a writable folder to keep it)",
                file=sys.stderr,
            )
        try:
            return _make(Path(fallback, *parts))
        except OSError as exc2:
            raise UsageError(
                f"no folder for the course's data cache ({_reason(exc2)}); set PYTORCH_TUTORIAL_CACHE to a writable folder"
            ) from None


def _make(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if not os.access(path, os.W_OK):
        raise PermissionError(13, "not writable", str(path))
    return path


def _private_temp_folder() -> Path:
    """``TMP/pytorch_tutorial-UID``, a folder only this user owns (a fresh one if another user holds the name)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"pytorch_tutorial-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
        if stat.S_ISDIR(info.st_mode) and (not hasattr(os, "getuid") or info.st_uid == uid):
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="pytorch_tutorial-"))


def _reason(exc: BaseException) -> str:
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).lower()


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


def download_archive(url: str, target: Path, inside: str, what: str, offline_hint: str) -> Path:
    """Download the archive at ``url`` and put its folder ``inside`` at ``target`` (in the course cache).

    The archive is unpacked into a temporary folder beside ``target`` and moved into place in one step, so an
    interrupted download never leaves half a data set behind. Offline, one :class:`UsageError` line says so
    (:func:`download_guard`, with ``what`` and ``offline_hint``).
    """
    from torchvision.datasets.utils import download_and_extract_archive  # imported here: it costs a second

    cache = target.parent
    with download_guard(what, cache, offline_hint):
        staging = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
        try:
            download_and_extract_archive(url, download_root=str(staging), remove_finished=True)
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging / inside, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target
