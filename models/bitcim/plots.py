"""Plots of a `bitcim sweep` directory (accuracy vs energy Pareto chart, energy
breakdown per configuration) or of a `bitcim run --json` report (crossbar
utilization histogram as the mapping paper's Figure 4, per-slice weight sparsity
and energy by layer).

    PYTHONPATH=models /usr/bin/python3 -m bitcim.plots sweep-out/
    PYTHONPATH=models /usr/bin/python3 -m bitcim.plots run.json
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Dict, List


def read_sweep(directory: Path) -> List[Dict[str, str]]:
    with open(directory / "sweep.csv", newline="") as f:
        return list(csv.DictReader(f))


def pareto_front(rows: List[Dict[str, str]]) -> List[Dict[str, str]]:
    """Configurations no other beats on both energy (lower) and accuracy (higher)."""
    front = []
    for r in rows:
        e, a = float(r["energy_pj_per_image"]), float(r["accuracy"])
        dominated = any(float(o["energy_pj_per_image"]) <= e and float(o["accuracy"]) >= a and
                        (float(o["energy_pj_per_image"]) < e or float(o["accuracy"]) > a) for o in rows)
        if not dominated:
            front.append(r)
    return sorted(front, key=lambda r: float(r["energy_pj_per_image"]))


def plot(directory: Path) -> List[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = read_sweep(directory)
    front = pareto_front(rows)
    out = []
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter([float(r["energy_pj_per_image"]) / 1e3 for r in rows], [100 * float(r["accuracy"]) for r in rows],
               color="tab:gray", label="configurations")
    ax.plot([float(r["energy_pj_per_image"]) / 1e3 for r in front], [100 * float(r["accuracy"]) for r in front],
            "o-", color="tab:red", label="Pareto front")
    for r in rows:
        ax.annotate(f"{r['adc_bits']} p{r['parallel_rows']} x{r['xbar']} c{r['cell_bits']}",
                    (float(r["energy_pj_per_image"]) / 1e3, 100 * float(r["accuracy"])), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("energy per image (nJ)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Accuracy vs energy over the sweep")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    out.append(directory / "pareto.png")
    fig.savefig(out[-1], dpi=110)

    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(rows)), 4.5))
    labels = [f"{r['adc_bits']}\np{r['parallel_rows']} x{r['xbar']} c{r['cell_bits']}" for r in rows]
    bottom = [0.0] * len(rows)
    for part, color in (("cells_pj", "tab:blue"), ("adc_pj", "tab:orange"), ("shift_add_pj", "tab:green")):
        vals = [float(r[part]) / 1e3 for r in rows]
        ax.bar(labels, vals, bottom=bottom, label=part.replace("_pj", ""), color=color)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_ylabel("energy per image (nJ)")
    ax.set_title("Energy breakdown by component")
    ax.legend()
    ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    out.append(directory / "energy_breakdown.png")
    fig.savefig(out[-1], dpi=110)
    return out


def plot_run(report_path: Path) -> List[Path]:
    """Crossbar utilization histogram, per-slice non-zero ratios and energy by layer."""
    import json
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    report = json.loads(report_path.read_text())
    layers = report["layers"]
    stem = report_path.with_suffix("")
    out = []
    fig, ax = plt.subplots(figsize=(7, 4))
    util = [100 * u for l in layers for u in l["crossbar_utilization"]]
    ax.hist(util, bins=[0, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100], edgecolor="black")
    ax.set_xlabel("non-zero cells in the crossbar (%)")
    ax.set_ylabel("crossbars")
    ax.set_title(f"Crossbar utilization ({len(util)} crossbars, all slices and polarities)")
    fig.tight_layout()
    out.append(Path(f"{stem}_utilization.png"))
    fig.savefig(out[-1], dpi=110)

    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    width = 0.8 / max(1, len(layers))
    for j, l in enumerate(layers):
        xs = [k + j * width for k in range(len(l["slice_nonzero"]))]
        axes[0].bar(xs, [100 * r for r in l["slice_nonzero"]], width, label=l["name"])
    k = len(layers[0]["slice_nonzero"]) if layers else 0
    axes[0].set_xticks([i + 0.4 - width / 2 for i in range(k)], [f"B{k - 1 - i}" for i in range(k)])
    axes[0].set_ylabel("non-zero slices (%)")
    axes[0].set_title("Weight sparsity per slice (MSB first)")
    axes[0].legend(fontsize=8)
    n = report["images"]
    bottom = [0.0] * len(layers)
    for part, color in (("cells", "tab:blue"), ("adc", "tab:orange"), ("shift_add", "tab:green")):
        vals = [l["energy_pj"][part] / n / 1e3 for l in layers]
        axes[1].bar([l["name"] for l in layers], vals, bottom=bottom, label=part, color=color)
        bottom = [b + v for b, v in zip(bottom, vals)]
    axes[1].set_ylabel("energy per image (nJ)")
    axes[1].set_title("Energy by layer and component")
    axes[1].legend()
    fig.tight_layout()
    out.append(Path(f"{stem}_layers.png"))
    fig.savefig(out[-1], dpi=110)
    return out


def main() -> None:
    p = argparse.ArgumentParser(prog="python3 -m bitcim.plots", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", type=Path, help="a sweep directory, or a bitcim run --json report")
    a = p.parse_args()
    for path in (plot_run(a.target) if a.target.is_file() else plot(a.target)):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
