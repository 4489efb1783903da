"""MNIST through torchvision's own loader, from one of three sources.

- default: the embedded subset shipped in this package (5,000 real MNIST digits, 4,000 train / 1,000 test,
  400 / 100 per class), made by ``scripts/make_embedded_mnist.py``;
- ``--data-dir DIR``: a learner's copy laid out as torchvision expects, ``DIR/MNIST/raw/*-ubyte`` (gzip or not);
- ``--full-data``: the full 70,000 digits, downloaded by torchvision into the course's cache.

MNIST: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, http://yann.lecun.com/exdb/mnist/,
available under the Creative Commons Attribution-Share Alike 3.0 licence.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from pytorch_tutorial import runtime
from pytorch_tutorial.data.download import cache_dir, download_guard

EMBEDDED = Path(__file__).parent / "files" / "mnist"
RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
CLASSES = tuple(range(10))
MEAN, STD = 0.1307, 0.3081  # of the full MNIST training set, in [0, 1] pixel units


# The largest IDX file the course reads: the full training images are 47 MB; a header claiming more is refused
# before anything is unpacked (a gzip bomb is not unpacked past what its header says).
MAX_IDX_BYTES = 512 * 2**20
_MAGIC = {1: 0x00000801, 3: 0x00000803}  # uint8 labels (1 dimension), uint8 images (3 dimensions)


def _read_header(name: str, source: Path, stream: BinaryIO) -> tuple[bytes, int]:
    """Read and check an IDX header (magic number, sizes): the header's bytes and how many values it announces."""
    what = "labels" if "labels-idx1" in name else "images"
    expected = _MAGIC[1] if "labels-idx1" in name else _MAGIC[3]
    header = stream.read(4)
    magic = int.from_bytes(header, "big") if len(header) == 4 else None
    if magic != expected:
        found = f"0x{magic:08x}" if magic is not None else "missing (the file is too short)"
        raise ValueError(
            f"{source.name} is not an MNIST {what} file: its IDX magic number is {found}, expected 0x{expected:08x}"
        )
    ndim = header[3]
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise ValueError(f"{source.name} is truncated: its IDX header is incomplete")
    size = math.prod(int.from_bytes(dims[4 * i : 4 * i + 4], "big") for i in range(ndim))
    if size > MAX_IDX_BYTES:
        raise ValueError(f"{source.name} announces {size:,} values in its IDX header, more than MNIST ever holds")
    return header + dims, size


def _read_idx(name: str, source: Path, keep: bool = True) -> bytes:
    """The IDX bytes of ``source`` (gzip or not), checked against its header: the magic number, and no more
    (a gzip bomb is never unpacked further) and no fewer values than the header announces. With ``keep=False``
    only the check is made and nothing is kept in memory."""
    with source.open("rb") as first:
        gzipped = first.read(2) == b"\x1f\x8b"
    try:
        with gzip.open(source, "rb") if gzipped else source.open("rb") as stream:
            header, size = _read_header(name, source, stream)
            if keep:
                data = stream.read(size)
                got = len(data)
            else:
                data, got = b"", 0
                while got < size and (chunk := stream.read(min(2**20, size - got))):
                    got += len(chunk)
            extra = stream.read(1)
    except (EOFError, OSError, zlib.error) as exc:
        raise ValueError(f"{source.name} cannot be unpacked: {exc}") from exc
    if got < size:
        raise ValueError(f"{source.name} is truncated: its IDX header announces {size:,} values, it holds {got:,}")
    if extra:
        more = "unpacks to" if gzipped else "holds"
        raise ValueError(f"{source.name} {more} more than the {size:,} values its IDX header announces")
    return header + data


def _unpack(sources: dict[str, Path], root: Path) -> Path:
    """Decompress IDX files into ``root/MNIST/raw`` (atomically, once); returns ``root``."""
    raw = root / "MNIST" / "raw"
    for name, source in sources.items():
        target = raw / name
        if target.exists():
            continue
        data = _read_idx(name, source)
        runtime.write_atomic(target, lambda file, data=data: file.write(data))
    return root


def embedded_root() -> Path:
    """A torchvision-style root holding the embedded subset, unpacked into the cache on first use."""
    digest = hashlib.sha256(b"".join((EMBEDDED / f"{n}.gz").read_bytes() for n in RAW_FILES)).hexdigest()
    return _unpack({name: EMBEDDED / f"{name}.gz" for name in RAW_FILES}, cache_dir("embedded", digest[:12]))


def data_dir_root(data_dir: Path) -> Path:
    """The root to read a learner's ``--data-dir`` from; gzip-only copies are unpacked into the cache."""
    raw = Path(data_dir) / "MNIST" / "raw"
    sources: dict[str, Path] = {}
    missing = []
    for name in RAW_FILES:
        if (raw / name).is_file():
            sources[name] = raw / name
        elif (raw / f"{name}.gz").is_file():
            sources[name] = raw / f"{name}.gz"
        else:
            missing.append(name)
    if missing:
        raise runtime.UsageError(
            f"--data-dir {data_dir}: expected MNIST files in {raw} ({', '.join(missing)} missing, gzip or not)"
        )
    if all(source.name == name for name, source in sources.items()):
        try:
            for name, source in sources.items():
                _read_idx(name, source, keep=False)  # torchvision's own check is a bare AssertionError
        except ValueError as exc:
            raise runtime.UsageError(f"--data-dir {data_dir}: in {raw}, {exc}") from exc
        return Path(data_dir)
    # Keyed on the files' path, size and modification time: a learner who replaces their copy gets it unpacked
    # afresh, never the stale one from before.
    stamp = [f"{source.resolve()}:{source.stat().st_size}:{source.stat().st_mtime_ns}" for source in sources.values()]
    key = hashlib.sha256("\n".join(stamp).encode()).hexdigest()[:12]
    try:
        return _unpack(sources, cache_dir("data-dir", key))
    except ValueError as exc:
        raise runtime.UsageError(f"--data-dir {data_dir}: in {raw}, {exc}") from exc


def read_data_dir(data_dir: Path, train: bool, transform: Callable[[Any], Any] | None = None):
    """``torchvision.datasets.MNIST`` over a learner's ``--data-dir``; a file that is not valid MNIST IDX data is
    one clear :class:`runtime.UsageError`, not a traceback from inside torchvision."""
    from torchvision.datasets import MNIST

    root = data_dir_root(data_dir)
    split = "training" if train else "test"
    problem = f"--data-dir {data_dir}: the {split} files in {Path(data_dir) / 'MNIST' / 'raw'}"
    try:
        mnist = MNIST(root, train=train, transform=transform, download=False)
    except (AssertionError, EOFError, OSError, RuntimeError, ValueError) as exc:
        detail = str(exc).strip() or type(exc).__name__
        raise runtime.UsageError(f"{problem} are not valid MNIST IDX data ({detail})") from exc
    if len(mnist.data) != len(mnist.targets) or tuple(mnist.data.shape[1:]) != (28, 28):
        raise runtime.UsageError(
            f"{problem} do not fit together: {len(mnist.data)} images of {tuple(mnist.data.shape[1:])} pixels and "
            f"{len(mnist.targets)} labels (expected one 28x28 image per label)"
        )
    if len(mnist.targets) and int(mnist.targets.max()) > 9:
        raise runtime.UsageError(
            f"{problem} hold labels up to {int(mnist.targets.max())}; MNIST labels are the digits 0 to 9"
        )
    return mnist


def check_data_dir(data_dir: Path) -> None:
    """Read both splits of ``--data-dir`` once, so that a bad folder stops a run before its first lesson."""
    for train in (True, False):
        read_data_dir(data_dir, train)


def source() -> str:
    """Which MNIST this run uses: 'embedded', 'data-dir' or 'full'."""
    ctx = runtime.current()
    if ctx.data_dir is not None:
        return "data-dir"
    return "full" if ctx.full_data else "embedded"


def root() -> Path:
    """The folder that ``torchvision.datasets.MNIST(root=..., download=False)`` reads for this run's source.

    The embedded subset (unpacked into the cache on first use), the learner's ``--data-dir``, or with
    ``--full-data`` the full 70,000 digits, downloaded once into the course's cache. Lesson 9 passes it to the
    torchvision call it teaches; :func:`dataset` makes the same call with the ``--data-dir`` checks around it.
    """
    ctx = runtime.current()
    kind = source()
    if kind == "data-dir":
        assert ctx.data_dir is not None
        return data_dir_root(ctx.data_dir)
    if kind == "full":
        from torchvision.datasets import MNIST

        folder = cache_dir("full")
        with download_guard("MNIST", folder / "MNIST", "the embedded 5,000-digit subset works without --full-data"):
            MNIST(folder, train=True, download=True)  # fetches the files of both splits
        return folder
    return embedded_root()


def dataset(train: bool, transform: Callable[[Any], Any] | None = None):
    """``torchvision.datasets.MNIST`` for the training or test split of the run's source (see module doc)."""
    from torchvision.datasets import MNIST

    ctx = runtime.current()
    kind = source()
    if kind == "data-dir":
        assert ctx.data_dir is not None
        return read_data_dir(ctx.data_dir, train, transform)
    if kind == "full":
        root = cache_dir("full")
        with download_guard("MNIST", root / "MNIST", "the embedded 5,000-digit subset works without --full-data"):
            return MNIST(root, train=train, transform=transform, download=True)
    return MNIST(embedded_root(), train=train, transform=transform, download=False)


def tensors(train: bool):
    """The split as two tensors: images ``float32 (N, 1, 28, 28)`` scaled to [0, 1], labels ``int64 (N,)``.

    Reading the whole split once and batching tensors is much faster than converting one PIL image at a time.
    """
    import torch

    mnist = dataset(train)
    images = mnist.data.unsqueeze(1).to(torch.float32).div_(255.0)
    return images, mnist.targets.to(torch.int64)
