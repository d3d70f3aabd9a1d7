#!/usr/bin/python3
"""Demo step: the shipped bit-sparse MLP through the TLM chip model on Fashion-MNIST
test images, with an ISAAC-like baseline (8-bit ADCs on every slice) and with
per-slice low-resolution ADCs; prints accuracy and what the ADCs save."""
from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

CONFIGS = [
    ("baseline: 8-bit ADCs, 128 rows/read", {"adc_bits": [8, 8, 8, 8]}),
    ("[1,3,3,3] ADCs, 128 rows/read", {"adc_bits": [1, 3, 3, 3]}),
    ("[1,3,3,3] ADCs, 16 rows/read", {"adc_bits": [1, 3, 3, 3], "parallel_rows": 16}),
]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bitcim", type=Path, required=True)
    p.add_argument("--weights", type=Path, required=True)
    p.add_argument("--images", type=int, default=300)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args()
    rows = []
    for label, cfg in CONFIGS:
        path = a.out / f"run_{len(rows)}.json"
        cfg_path = a.out / f"run_{len(rows)}_cfg.json"
        cfg_path.write_text(json.dumps(cfg))
        res = subprocess.run([str(a.bitcim), "run", "--weights", str(a.weights), "--limit", str(a.images), "--level",
                              "tlm", "--config", str(cfg_path), "--json", "--python-check"],
                             check=True, capture_output=True, text=True)
        path.write_text(res.stdout)
        rows.append((label, json.loads(res.stdout)))
    base = rows[0][1]
    n = base["images"]
    print(f"{'configuration':<38} {'accuracy':>8} {'ADC nJ/img':>10} {'ADC saving':>10} {'total nJ/img':>12} "
          f"{'latency us/img':>14} {'ADC area mm2':>12} {'Python twin: mismatches':>24}")
    for label, r in rows:
        adc = r["energy_pj"]["adc"] / n / 1e3
        print(f"{label:<38} {100 * r['accuracy']:>7.2f}% {adc:>10.2f} "
              f"{base['energy_pj']['adc'] / r['energy_pj']['adc']:>9.1f}x {r['energy_pj']['total'] / n / 1e3:>12.1f} "
              f"{r['latency_ns'] / n / 1e3:>14.2f} {r['area_mm2']['adc']:>12.4f} "
              f"{r['python']['mismatching_predictions']:>24}")
    print(f"reports: {a.out}/run_*.json")


if __name__ == "__main__":
    main()
