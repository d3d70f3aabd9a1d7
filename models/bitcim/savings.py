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
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
    res = subprocess.run([str(bitcim), "run", "--weights", str(weights), "--config", f.name, "--limit", str(limit),
                          "--json", "--no-baseline"], capture_output=True, text=True)
    Path(f.name).unlink()
    if res.returncode != 0:
        sys.exit(f"savings: bitcim run failed on {weights}: {res.stderr.strip()}")
    return json.loads(res.stdout)


def summarize(report: Dict[str, Any]) -> Dict[str, Any]:
    n = report["images"]
    e = report["energy_pj"]
    return {"accuracy": report["accuracy"], "energy_nj": e["total"] / n / 1e3, "cells_nj": e["cells"] / n / 1e3,
            "adc_nj": e["adc"] / n / 1e3, "latency_us": report["latency_ns"] / n / 1e3,
            "crossbars": sum(l["crossbars"] for l in report["layers"])}


def table3(bitcim: Path) -> Dict[str, Any]:
    """The bit-slice paper's Table 3 from the TLM chip: one 16x16 layer with N-bit ADCs on
    every slice, N = 8, 3, 1. Energy per conversion and ADC area come from the chip's
    reports. Conversion time comes from the latency difference between ADCs serving 16
    columns and ADCs serving 1 (the same reads, 15 more conversions per ADC each), so the
    crossbar read time drops out: speedup(N) = dL(8) / dL(N)."""
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
    def conversions_time(bits: int) -> float:
        return measured[bits]["latency_16"] - measured[bits]["latency_1"]
    return {f"{bits}-bit": {
        "energy_saving": measured[8]["adc_pj_per_conversion"] / measured[bits]["adc_pj_per_conversion"],
        "conversion_speedup": conversions_time(8) / conversions_time(bits),
        "area_saving": measured[8]["adc_area_mm2"] / measured[bits]["adc_area_mm2"]} for bits in (3, 1)}


def table(rows: List[Dict[str, Any]]) -> str:
    lines = ["| network | configuration | accuracy | energy nJ/img | saving | ADC nJ/img | ADC saving | crossbars |"
             " latency us |", "|" + " --- |" * 9]
    for r in rows:
        lines.append(f"| {r['network']} | {r['config']} | {100 * r['accuracy']:.2f}% | {r['energy_nj']:.1f} | "
                     f"{r['energy_saving']:.2f}x | {r['adc_nj']:.2f} | {r['adc_saving']:.2f}x | {r['crossbars']} | "
                     f"{r['latency_us']:.2f} |")
    return "\n".join(lines)


def plot(rows: List[Dict[str, Any]], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(CONFIGS)
    for j, cfg in enumerate(CONFIGS):
        sel = [r for r in rows if r["config"] == cfg]
        xs = [i + j * width for i in range(len(sel))]
        ax.bar(xs, [r["cells_nj"] for r in sel], width, color=f"C{j}", label=f"{cfg}: cells")
        ax.bar(xs, [r["adc_nj"] for r in sel], width, bottom=[r["cells_nj"] for r in sel], color=f"C{j}",
               hatch="//", edgecolor="white", label=f"{cfg}: ADC")
        for x, r in zip(xs, sel):
            ax.annotate(f"{100 * r['accuracy']:.1f}%", (x, r["energy_nj"]), ha="center", fontsize=7,
                        xytext=(0, 2), textcoords="offset points")
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(NETWORKS))], list(NETWORKS))
    ax.set_ylabel("energy per image (nJ)")
    ax.set_title("Energy per image by training method and hardware mapping (labels: accuracy)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


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
    for r in rows:
        r["energy_saving"] = base["energy_nj"] / r["energy_nj"]
        r["adc_saving"] = base["adc_nj"] / r["adc_nj"]
    t3 = table3(a.bitcim)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.with_suffix(".json").write_text(json.dumps({"images": a.limit, "baseline": f"{base['network']} on "
                                                      f"{base['config']}", "rows": rows, "table3": t3},
                                                     indent=1) + "\n")
    md = (f"# Energy savings on the shipped MLPs ({a.limit} Fashion-MNIST test images, golden level)\n\n"
          f"Savings are ratios against the dense network on the ISAAC-like chip (>1 is better). Made by\n"
          f"`PYTHONPATH=models /usr/bin/python3 -m bitcim.savings --limit {a.limit}`.\n\n" + table(rows) + "\n\n"
          "## The bit-slice paper's Table 3 from the TLM chip (vs 8-bit ADCs; paper: 28.4x / 14.2x energy, "
          "8x / 2.67x speed, 2x area)\n\n| ADC | energy saving | conversion speedup | area saving |\n"
          "| --- | --- | --- | --- |\n" +
          "".join(f"| {k} | {v['energy_saving']:.1f}x | {v['conversion_speedup']:.2f}x | {v['area_saving']:.1f}x |\n"
                  for k, v in t3.items()) +
          "\nThe RTL SAR controller spends one more cycle per conversion (sampling), so at the cycle level a\n"
          "conversion takes N + 1 bit times (`sar_adc_cosim`), which would make the speedups 4.5x and 2.25x.\n")
    a.out.with_suffix(".md").write_text(md)
    plot(rows, a.out.with_suffix(".png"))
    print(md)


if __name__ == "__main__":
    main()
