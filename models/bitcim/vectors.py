"""Writes the shared test vectors that hold the C++ and Python implementations together.

Run as ``python3 -m bitcim.vectors OUT_DIR`` (``scripts/gen_vectors`` does it).
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Dict, List

import torch

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


def quant_vectors(rng: random.Random, cases: int = 24) -> Dict[str, object]:
    """float32 weights with their dfp and sym quantizations, n in 4..8.

    Includes exact powers of two (ceil(log2) edge), ties for rounding, zeros and
    denormal-small values.
    """
    from .quant import quantize_dfp, quantize_sym
    out: List[Dict[str, object]] = []
    gen = torch.Generator().manual_seed(rng.randrange(1 << 31))
    for i in range(cases):
        bits = 4 + i % 5
        w = torch.randn(40, generator=gen, dtype=torch.float32) * (2.0 ** rng.randint(-8, 3))
        w[0] = 0.0
        if i % 3 == 0:
            w[1] = 2.0 ** rng.randint(-6, 2)  # max exactly a power of two
            w[2] = -w[1]
        if i % 4 == 1:
            w[3] = w.abs().max() * 0.5 / ((1 << (bits - 1)) - 1)  # a sym rounding tie
        w = w.to(torch.float32)
        dfp, step_log2 = quantize_dfp(w, bits)
        sym, scale = quantize_sym(w, bits)
        out.append({"bits": bits, "weights": [float(v) for v in w],
                    "dfp": dfp.tolist(), "dfp_step_log2": step_log2,
                    "sym": sym.tolist(), "sym_scale": scale})
    return {"cases": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(VECTOR_SEED)
    (args.out_dir / "lfsr.json").write_text(json.dumps(lfsr_vectors(rng)) + "\n")
    (args.out_dir / "quant.json").write_text(json.dumps(quant_vectors(rng)) + "\n")
    print(f"wrote {args.out_dir / 'lfsr.json'}, {args.out_dir / 'quant.json'}")


if __name__ == "__main__":
    main()
