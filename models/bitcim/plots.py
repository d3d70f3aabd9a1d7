"""Plots of a `bitcim sweep` directory (accuracy vs energy Pareto chart, energy
breakdown per configuration, crossbar utilization per crossbar size and cell
bits, ADC code histograms per slice when swept with --adc-histogram), of a
`bitcim faults` directory (accuracy and saturations against fault rate, per
network), or of a `bitcim run --json` report (crossbar utilization histogram as
the mapping paper's Figure 4, per-slice weight sparsity, energy by layer, ADC
code histograms per slice with --adc-histogram).

    PYTHONPATH=models /usr/bin/python3 -m bitcim.plots sweep-out/
    PYTHONPATH=models /usr/bin/python3 -m bitcim.plots faults-out/
    PYTHONPATH=models /usr/bin/python3 -m bitcim.plots run.json
"""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any, Dict, List

UTILIZATION_BINS = [0, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100]


def slice_code_histograms(report: Dict[str, Any]) -> List[List[int]]:
    """Conversions by ADC code per ADC group (MSB slice first), summed over layers."""
    groups: List[List[int]] = []
    for layer in report["layers"]:
        for g, hist in enumerate(layer.get("adc_codes", [])):
            if g == len(groups):
                groups.append([0] * len(hist))
            if len(groups[g]) < len(hist):
                groups[g] += [0] * (len(hist) - len(groups[g]))
            for code, n in enumerate(hist):
                groups[g][code] += n
    return groups


def draw_code_histograms(axes, groups: List[List[int]], title: str) -> None:
    for g, (ax, hist) in enumerate(zip(axes, groups)):
        top = max((c for c, n in enumerate(hist) if n), default=0)
        ax.bar(range(top + 1), hist[:top + 1], width=1.0, color="tab:blue")
        ax.set_yscale("log")
        ax.set_title(f"{title}ADC group {g} (slice B{len(groups) - 1 - g})", fontsize=8)
        ax.set_xlabel("ADC code", fontsize=8)
    axes[0].set_ylabel("conversions")


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

    reports = {r["key"]: json.loads((directory / f"{r['key']}.json").read_text()) for r in rows}
    # Utilization depends on the weights, crossbar size and cell bits only.
    fig, ax = plt.subplots(figsize=(7, 4))
    seen = {}
    for r in rows:
        seen.setdefault((r["xbar"], r["cell_bits"]), r["key"])
    for (xbar, cell), key in seen.items():
        util = [100 * u for l in reports[key]["layers"] for u in l["crossbar_utilization"]]
        ax.hist(util, bins=UTILIZATION_BINS, histtype="step", linewidth=2, label=f"{xbar}x{xbar}, {cell}-bit cells")
    ax.set_xlabel("non-zero cells in the crossbar (%)")
    ax.set_ylabel("crossbars")
    ax.set_title("Crossbar utilization by crossbar size and cell bits")
    ax.legend()
    fig.tight_layout()
    out.append(directory / "utilization.png")
    fig.savefig(out[-1], dpi=110)

    with_codes = [r for r in rows if slice_code_histograms(reports[r["key"]])]
    if with_codes:
        width = max(len(slice_code_histograms(reports[r["key"]])) for r in with_codes)
        fig, axes = plt.subplots(len(with_codes), width, figsize=(3 * width, 2.4 * len(with_codes)), squeeze=False)
        for row, r in zip(axes, with_codes):
            draw_code_histograms(row, slice_code_histograms(reports[r["key"]]),
                                 f"{r['adc_bits']} p{r['parallel_rows']} x{r['xbar']} c{r['cell_bits']}\n")
        fig.tight_layout()
        out.append(directory / "adc_codes.png")
        fig.savefig(out[-1], dpi=100)
    return out


def plot_faults(directory: Path) -> List[Path]:
    """Accuracy (mean, min..max over seeds) and ADC saturations against the fault rate, per network."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    summary = json.loads((directory / "faults.json").read_text())
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    positive = [r for r in summary["rates"] if r > 0]
    for net in summary["networks"]:
        pts = net["points"]
        rates = [p["rate"] for p in pts]
        mean = [100 * p["accuracy_mean"] for p in pts]
        lo = [m - 100 * min(p["accuracy"]) for m, p in zip(mean, pts)]
        hi = [100 * max(p["accuracy"]) - m for m, p in zip(mean, pts)]
        nonzero = [sum(v) / len(v) for v in zip(*net["slice_nonzero"].values())]
        label = f"{Path(net['weights']).stem} (non-zero slices, layer mean {', '.join(f'{100 * v:.0f}%' for v in nonzero)})"
        axes[0].errorbar(rates, mean, yerr=[lo, hi], marker="o", capsize=3, label=label)
        axes[1].plot(rates, [p["saturations_per_image"] for p in pts], marker="o", label=label)
    for ax in axes:
        ax.set_xscale("symlog", linthresh=min(positive) if positive else 1.0)
        ax.set_xlabel(f"{summary['kind']}: {summary['kind_meaning']}", fontsize=8)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("accuracy (%)")
    axes[0].set_title(f"Accuracy under device faults ({summary['images']} images, {summary['seeds']} fault maps)")
    axes[0].legend(fontsize=7)
    axes[1].set_ylabel("ADC saturations per image")
    axes[1].set_title("ADC saturations under device faults")
    fig.tight_layout()
    out = directory / "faults.png"
    fig.savefig(out, dpi=110)
    return [out]


def plot_run(report_path: Path) -> List[Path]:
    """Crossbar utilization histogram, per-slice non-zero ratios and energy by layer."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    report = json.loads(report_path.read_text())
    layers = report["layers"]
    stem = report_path.with_suffix("")
    out = []
    fig, ax = plt.subplots(figsize=(7, 4))
    util = [100 * u for l in layers for u in l["crossbar_utilization"]]
    ax.hist(util, bins=UTILIZATION_BINS, edgecolor="black")
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

    groups = slice_code_histograms(report)
    if groups:
        fig, axes = plt.subplots(1, len(groups), figsize=(3.2 * len(groups), 3.2), squeeze=False)
        draw_code_histograms(axes[0], groups, "")
        fig.suptitle("ADC codes per slice, all layers (top code = saturation)", fontsize=10)
        fig.tight_layout()
        out.append(Path(f"{stem}_adc_codes.png"))
        fig.savefig(out[-1], dpi=110)
    return out


def main() -> None:
    p = argparse.ArgumentParser(prog="python3 -m bitcim.plots", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", type=Path, help="a sweep or faults directory, or a bitcim run --json report")
    a = p.parse_args()
    if a.target.is_file():
        paths = plot_run(a.target)
    elif (a.target / "faults.json").exists():
        paths = plot_faults(a.target)
    elif (a.target / "sweep.csv").exists():
        paths = plot(a.target)
    else:
        p.error(f"{a.target}: neither a report file nor a directory with sweep.csv or faults.json")
    for path in paths:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
