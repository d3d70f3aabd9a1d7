#!/usr/bin/python3
"""Demo step: one 256x128 layer, dense and bit-sparse weights, through `bitcim mvm`
with 8-bit ADCs everywhere and with [1,3,3,3]; prints what per-slice ADC
resolution does to accuracy and ADC energy."""
from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np


def write_csv(path: Path, rows: np.ndarray) -> Path:
    path.write_text("\n".join(",".join(str(int(v)) for v in r) for r in rows) + "\n")
    return path


def run_mvm(bitcim: Path, w: Path, x: Path, cfg: Path) -> dict:
    out = subprocess.run([str(bitcim), "mvm", "--matrix", str(w), "--input", str(x), "--config", str(cfg), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bitcim", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(2019)
    rows, cols, batch = 128, 256, 8
    dense = rng.integers(-255, 256, size=(rows, cols))
    # Bit-sparse: what bit-slice L1 aims for, most weights zero and the rest small.
    sparse = np.where(rng.random((rows, cols)) < 0.08, rng.integers(-40, 41, size=(rows, cols)), 0)
    x = rng.integers(0, 256, size=(batch, cols))
    xf = write_csv(args.out / "x.csv", x)
    print(f"{'weights':<11} {'ADC bits':<13} {'saturations (MSB..LSB)':<26} {'max |err|':>10} {'ADC pJ':>9} {'total pJ':>9}")
    summary = []
    for name, w in (("dense", dense), ("bit-sparse", sparse)):
        wf = write_csv(args.out / f"W_{name}.csv", w)
        exact = x @ w.T
        for bits in ([8, 8, 8, 8], [1, 3, 3, 3]):
            cfg = args.out / f"cfg_{''.join(map(str, bits))}.json"
            cfg.write_text(json.dumps({"adc_bits": bits}))
            rep = run_mvm(args.bitcim, wf, xf, cfg)
            err = int(np.abs(np.array(rep["output"]) - exact).max())
            sat = "/".join(str(s) for s in rep["adc_saturations"])
            e = rep["energy_pj"]
            print(f"{name:<11} {str(bits):<13} {sat:<26} {err:>10} {e['adc']:>9.1f} {e['total']:>9.1f}")
            summary.append({"weights": name, "adc_bits": bits, "max_abs_error": err, **{k: rep[k] for k in
                            ("adc_saturations", "adc_conversions", "energy_pj", "latency_ns")}})
    (args.out / "mvm_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"reports: {args.out / 'mvm_summary.json'}")


if __name__ == "__main__":
    main()
