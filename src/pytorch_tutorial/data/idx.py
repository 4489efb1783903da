"""MNIST's IDX file format: a big-endian header (magic, sizes) followed by the raw uint8 values.

Used to write the embedded subset and test fixtures; torchvision reads the files.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
from pathlib import Path

import numpy as np

_UINT8 = 0x08


def encode(array: np.ndarray) -> bytes:
    """The IDX bytes of a uint8 array (labels: 1-d; images: 3-d, count x rows x columns)."""
    if array.dtype != np.uint8:
        raise ValueError(f"IDX files here hold uint8 values, not {array.dtype}")
    header = struct.pack(">BBBB", 0, 0, _UINT8, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array).tobytes()


def decode(data: bytes) -> np.ndarray:
    """The uint8 array stored in IDX bytes."""
    zero1, zero2, kind, ndim = struct.unpack(">BBBB", data[:4])
    if (zero1, zero2, kind) != (0, 0, _UINT8):
        raise ValueError("not a uint8 IDX file")
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def write(path: Path, array: np.ndarray, compress: bool | None = None) -> Path:
    """Write ``array`` as an IDX file (gzip when ``path`` ends in .gz), atomically."""
    path = Path(path)
    data = encode(array)
    if compress if compress is not None else path.suffix == ".gz":
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as stream:  # mtime=0: same bytes every time
            stream.write(data)
        data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def read(path: Path) -> np.ndarray:
    """Read an IDX file, gzip or not."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return decode(data)
