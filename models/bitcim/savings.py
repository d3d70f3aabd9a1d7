"""Energy savings of the sparsity methods and the crossbar mapping on the shipped
networks, measured with `bitcim run`: every network under every hardware
configuration, with ratios against the dense network on the ISAAC-like chip
(8-bit ADCs on every slice, all rows per read, dense mapping).

    PYTHONPATH=models /usr/bin/python3 -m bitcim.savings --bitcim build/bitcim --limit 1000 --out results/savings
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

from .reproduce.hardware import bitcim_run
from .reports.savings import add_savings, markdown, plot, summarize, table3

ROOT = Path(__file__).resolve().parents[2]

NETWORKS = {
    "dense": "weights/mlp_dense.safetensors",
    "bit-slice L1": "weights/mlp_bitsparse.safetensors",
    "twofold": "weights/mlp_twofold.safetensors",
    "k-means + xbar pruning": "weights/mlp_xbar.safetensors",
}
CONFIGS = {
    "ISAAC-like (8-bit ADCs, dense map)": {},
    "compact map, 8-bit ADCs": {"mapping": "compact"},
    "compact map, [1,3,3,3] ADCs, 16 rows": {"mapping": "compact", "adc_bits": [1, 3, 3, 3], "parallel_rows": 16},
}


def run(bitcim: Path, weights: Path, config: Dict[str, Any], limit: int) -> Dict[str, Any]:
    try:
        return bitcim_run(weights, config, limit, binary=bitcim)
    except RuntimeError as e:
        sys.exit(f"savings: {e}")


def measure_table3(bitcim: Path) -> Dict[int, Dict[str, float]]:
    """One 16x16 layer through the TLM chip with N-bit ADCs on every slice, N = 8, 3, 1,
    each ADC serving 1 and 16 columns: energy per conversion, ADC area and latencies."""
    measured: Dict[int, Dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "W.csv").write_text("\n".join(",".join(str((i * 7 + j * 3) % 9 - 4) for j in range(16)) for i in range(16)))
        (d / "x.csv").write_text(",".join(str((7 * j) % 256) for j in range(16)) + "\n")
        for bits in (8, 3, 1):
            for sharing in (1, 16):
                (d / "cfg.json").write_text(json.dumps({"adc_bits": [bits] * 4, "columns_per_adc": sharing}))
                res = subprocess.run([str(bitcim), "mvm", "--matrix", str(d / "W.csv"), "--input", str(d / "x.csv"),
                                      "--config", str(d / "cfg.json"), "--level", "tlm", "--json"],
                                     capture_output=True, text=True)
                if res.returncode != 0:
                    sys.exit(f"savings: bitcim mvm failed: {res.stderr.strip()}")
                r = json.loads(res.stdout)
                m = measured.setdefault(bits, {})
                m["adc_pj_per_conversion"] = r["energy_pj"]["adc"] / sum(r["adc_conversions"])
                m[f"latency_{sharing}"] = r["latency_ns"]
                if sharing == 16:
                    m["adc_area_mm2"] = r["area_mm2"]["adc"]
    return measured


def main(argv: List[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python3 -m bitcim.savings", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bitcim", type=Path, default=ROOT / "build" / "bitcim")
    p.add_argument("--limit", type=int, default=1000, help="test images per run")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "savings")
    a = p.parse_args(argv)
    rows: List[Dict[str, Any]] = []
    start, total = time.time(), len(NETWORKS) * len(CONFIGS)
    for name, weights in NETWORKS.items():
        for cfg_name, cfg in CONFIGS.items():
            rows.append({"network": name, "weights": weights, "config": cfg_name, "hw": cfg,
                         **summarize(run(a.bitcim, ROOT / weights, cfg, a.limit))})
            done = len(rows)
            rate = done / (time.time() - start)
            print(f"savings: {done}/{total} runs, {rate:.2f}/s, ETA {(total - done) / rate:.0f} s", file=sys.stderr)
    base = rows[0]  # the dense network on the ISAAC-like chip
    add_savings(rows, base)
    t3 = table3(measure_table3(a.bitcim))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.with_suffix(".json").write_text(json.dumps({"images": a.limit, "baseline": f"{base['network']} on "
                                                      f"{base['config']}", "rows": rows, "table3": t3},
                                                     indent=1) + "\n")
    md = markdown(rows, t3, a.limit)
    a.out.with_suffix(".md").write_text(md)
    plot(rows, a.out.with_suffix(".png"))
    print(md)


if __name__ == "__main__":
    main()
