"""idx-format data sets (Fashion-MNIST as Debian ships it, or any idx files at a path)."""
from __future__ import annotations

import gzip
import struct
from pathlib import Path
from typing import Tuple, Union

import numpy as np
import torch

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
MAX_IDX_BYTES = 1 << 31


class IdxError(ValueError):
    """A malformed idx file."""


def read_idx(path: Union[str, Path]) -> np.ndarray:
    """Reads an idx file (optionally gzip-compressed), validating header and size."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read(MAX_IDX_BYTES + 1)
    except (OSError, EOFError) as e:
        raise IdxError(f"{path}: cannot read: {e}") from None
    if len(data) > MAX_IDX_BYTES:
        raise IdxError(f"{path}: larger than {MAX_IDX_BYTES} bytes")
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise IdxError(f"{path}: not an idx file (bad magic)")
    dtype, ndim = data[2], data[3]
    if dtype not in _IDX_TYPES or ndim == 0:
        raise IdxError(f"{path}: unsupported idx type 0x{dtype:02X} or zero dimensions")
    if len(data) < 4 + 4 * ndim:
        raise IdxError(f"{path}: truncated header")
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    itemsize = np.dtype(_IDX_TYPES[dtype]).itemsize
    expected = int(np.prod(dims, dtype=object)) * itemsize
    body = data[4 + 4 * ndim:]
    if len(body) != expected:
        raise IdxError(f"{path}: header says {dims} ({expected} bytes) but {len(body)} bytes follow")
    return np.frombuffer(body, dtype=_IDX_TYPES[dtype]).reshape(dims)


def load_idx_dataset(data_dir: Union[str, Path], split: str = "train") -> Tuple[torch.Tensor, torch.Tensor]:
    """Images as float32 [N, 1, H, W] in [0, 1] (pixel / 255) and labels as int64 [N].

    Looks for `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]` in `data_dir`.
    """
    data_dir = Path(data_dir)
    prefix = {"train": "train", "test": "t10k"}[split]

    def find(kind: str) -> Path:
        for name in (f"{prefix}-{kind}-ubyte.gz", f"{prefix}-{kind}-ubyte"):
            if (data_dir / name).exists():
                return data_dir / name
        raise IdxError(f"{data_dir}: no {prefix}-{kind}-ubyte[.gz]")

    images = read_idx(find("images-idx3"))
    labels = read_idx(find("labels-idx1"))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise IdxError(f"{data_dir}: {split} images {images.shape} and labels {labels.shape} do not match")
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))
