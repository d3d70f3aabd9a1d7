"""Writes the shared test vectors that hold the C++ and Python implementations together.

Run as ``python3 -m bitcim.vectors OUT_DIR`` (``scripts/gen_vectors`` does it).
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Dict, List

from .lfsr import LFSR_MAX_WIDTH, LFSR_MIN_WIDTH, LfsrParams, lfsr_sequence

VECTOR_SEED = 20261122


def lfsr_vectors(rng: random.Random, cases: int = 64, steps: int = 100) -> Dict[str, object]:
    """Random (width, taps, seed) triples with their first `steps` states."""
    out: List[Dict[str, object]] = []
    for _ in range(cases):
        width = rng.randint(LFSR_MIN_WIDTH, LFSR_MAX_WIDTH)
        taps = rng.randrange(1, 1 << width)
        seed = rng.randrange(1, 1 << width)
        params = LfsrParams(width, taps, seed)
        out.append({"width": width, "taps": taps, "seed": seed,
                    "states": lfsr_sequence(params, steps)})
    return {"rule": "next = (s >> 1) ^ (s & 1 ? taps : 0)", "cases": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(VECTOR_SEED)
    (args.out_dir / "lfsr.json").write_text(json.dumps(lfsr_vectors(rng)) + "\n")
    print(f"wrote {args.out_dir / 'lfsr.json'}")


if __name__ == "__main__":
    main()
