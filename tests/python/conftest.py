"""Puts the training library on the path and finds the built `bitcim` binary."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "models"))
VECTORS = ROOT / "tests" / "vectors"


@pytest.fixture(scope="session")
def bitcim_bin() -> Path:
    path = Path(os.environ.get("BITCIM_BIN", ROOT / "build" / "bitcim"))
    if not path.exists():
        pytest.fail(f"bitcim binary not found at {path}: build first (scripts/build)")
    return path


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    return VECTORS
