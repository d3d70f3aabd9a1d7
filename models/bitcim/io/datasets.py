"""Data sets by name: the one entry point the command-line tools load images through.

    x, y = load_dataset("cifar10", "/data/cifar-10-batches-bin", "test")

`fashion-mnist` and `mnist` (a user's files: it is not packaged) read idx files (bitcim.io.idx), `cifar10` the binary CIFAR-10 batches
(bitcim.io.cifar). Images are float32 [N, C, H, W] = pixel / 255, labels int64 [N]; a
missing or malformed file raises a ValueError (IdxError or CifarError) naming it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple, Union

import torch

from .cifar import CifarError, load_cifar10
from .idx import FASHION_MNIST_DIR, IdxError, load_idx_dataset

DATASETS = ("fashion-mnist", "mnist", "cifar10")
DEFAULT_DATASET = "fashion-mnist"
# Where each data set is looked for when no directory is given (None: the user must say).
DEFAULT_DIRS = {"fashion-mnist": FASHION_MNIST_DIR, "mnist": None, "cifar10": None}


class DatasetError(ValueError):
    """An unknown data set name, a bad split, or a data set with no default directory."""


def default_dir(name: str) -> Optional[Path]:
    if name not in DATASETS:
        raise DatasetError(f"unknown dataset {name!r} (known: {', '.join(DATASETS)})")
    return DEFAULT_DIRS[name]


def load_dataset(name: str, data_dir: Union[str, Path, None], split: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """Images float32 [N, C, H, W] in [0, 1] and labels int64 [N] of a split ("train" or "test")."""
    if split not in ("train", "test"):
        raise DatasetError(f"dataset split must be train or test, not {split!r}")
    if data_dir is None:
        data_dir = default_dir(name)
        if data_dir is None:
            raise DatasetError(f"dataset {name} has no default directory: give its data directory (--data-dir)")
    if name in ("fashion-mnist", "mnist"):
        return load_idx_dataset(data_dir, split)
    if name == "cifar10":
        return load_cifar10(data_dir, split)
    raise DatasetError(f"unknown dataset {name!r} (known: {', '.join(DATASETS)})")


__all__ = ["DATASETS", "DEFAULT_DATASET", "DatasetError", "CifarError", "IdxError", "default_dir", "load_dataset"]
