"""The results page and plots of `bitcim.chip_figures`: the mapping paper's Figure 10
(speedup of the sparse-mapped network over the dense mapping on the same chip) and Figure 8
(energy against crossbar size at several pruning levels)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from .common import pyplot, save_figure


def _copies(run: Dict[str, Any]) -> str:
    return ", ".join(f"{k} x{v}" for k, v in run["copies"].items())


def markdown(result: Dict[str, Any]) -> str:
    lines = [
        "# The mapping paper's Figures 10 and 8 on the configured chip",
        "",
        f"Measured with `bitcim run` (golden level, analytic chip timing, {result['limit']} Fashion-MNIST test images "
        "a run) on the default ISAAC-like chip (`config/technology.json`, chip_*) with the tile count below. Made by "
        "`PYTHONPATH=models /usr/bin/python3 -m bitcim.chip_figures --limit " + str(result["limit"]) + " --out results/chip`.",
        "",
        "## Figure 10: speedup of the sparse-mapped, crossbar-pruned network over the dense mapping",
        "",
        "The chip is the smallest whole number of tiles that holds the dense mapping (one copy of each layer), "
        "then twice that. Both mappings replicate layers into the crossbars they leave free (`chip.replication`). "
        "Speedup is the ratio of throughputs (images/s); energy per image is the steady state (weights written once, "
        "outside it). The MLP pairs `weights/mlp_dense` (dense mapping) with `weights/mlp_xbar` (k-means column "
        "exchange and crossbar-grained pruning, compact mapping); LeNet-5 and VGG-11-BN (no crossbar-pruned file "
        "shipped) compare the same bit-sparse file mapped dense and compact.",
        "",
        "| network | crossbar | tiles | dense: crossbars, copies, images/s, bottleneck | sparse: crossbars, copies, "
        "images/s, bottleneck | speedup | energy saving | accuracy dense / sparse |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in result["figure10"]:
        d, s = r["dense_run"], r["sparse_run"]
        lines.append(f"| {r['network']} | {r['xbar']}x{r['xbar']} | {r['tiles']} | {d['crossbars']}, {_copies(d)}, "
                     f"{d['images_per_s']:.0f}, {d['bottleneck']} | {s['crossbars']}, {_copies(s)}, "
                     f"{s['images_per_s']:.0f}, {s['bottleneck']} | {r['speedup']:.2f}x | {r['energy_saving']:.2f}x | "
                     f"{100 * d['accuracy']:.1f}% / {100 * s['accuracy']:.1f}% |")
    if result["figure10"]:
        best = max(result["figure10"], key=lambda r: r["speedup"])
        worst = min(result["figure10"], key=lambda r: r["speedup"])
        lines += ["", f"Speedups range from {worst['speedup']:.2f}x ({worst['network']}, {worst['xbar']}x{worst['xbar']}, "
                      f"{worst['tiles']} tiles) to {best['speedup']:.2f}x ({best['network']}, {best['xbar']}x{best['xbar']}, "
                      f"{best['tiles']} tiles); the paper reports 2.5-6x against PRIME."]
    lines += [
        "",
        "## Figure 8: energy against crossbar size at several pruning levels",
        "",
        "The MLP with compact mapping on the default chip; efficiency is the dense network's energy per image on "
        "256 x 256 crossbars over this one's (>1 is better), as the paper normalizes to PRIME's 256 x 256.",
        "",
        "| network | zero weights | crossbar | crossbars | energy nJ/img | efficiency vs dense 256 | TOPS/W |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in result["figure8"]:
        run = r["run"]
        if run is None:
            lines.append(f"| {r['weights']} | {100 * r['zero_weights']:.1f}% | {r['xbar']} | does not fit | | | |")
            continue
        lines.append(f"| {r['weights']} | {100 * r['zero_weights']:.1f}% | {r['xbar']}x{r['xbar']} | {run['crossbars']} "
                     f"| {run['energy_per_image_pj'] / 1e3:.1f} | {r['efficiency_vs_dense_256']:.2f}x | "
                     f"{run['tops_per_w']:.3g} |")
    lowest = []
    for weights in dict.fromkeys(r["weights"] for r in result["figure8"]):
        pts = [r for r in result["figure8"] if r["weights"] == weights and r["run"] is not None]
        if pts:
            best = min(pts, key=lambda r: r["run"]["energy_per_image_pj"])
            lowest.append(f"{weights} at {best['xbar']}x{best['xbar']}")
    if lowest:
        lines += ["", "Lowest energy per image: " + ", ".join(lowest) + ". The paper finds 32x32 best for VGG-16, "
                  "16x16 worse again."]
    return "\n".join(lines) + "\n"


def plot(result: Dict[str, Any], out: Path) -> List[Path]:
    plt = pyplot()
    paths = []
    fig, ax = plt.subplots(figsize=(8, 4))
    rows = result["figure10"]
    labels = [f"{r['network']}\n{r['xbar']}x{r['xbar']}, {r['tiles']} tiles" for r in rows]
    ax.bar(range(len(rows)), [r["speedup"] for r in rows], color="tab:blue")
    ax.axhline(1.0, color="gray", linewidth=1)
    ax.set_xticks(range(len(rows)), labels, fontsize=7)
    ax.set_ylabel("speedup over the dense mapping")
    ax.set_title("Figure 10 on the configured chip: sparse mapping + crossbar pruning")
    fig.tight_layout()
    paths.append(Path(f"{out}_figure10.png"))
    save_figure(fig, paths[-1], dpi=110)

    fig, ax = plt.subplots(figsize=(7, 4))
    for weights in dict.fromkeys(r["weights"] for r in result["figure8"]):
        pts = [r for r in result["figure8"] if r["weights"] == weights and r["run"] is not None]
        ax.plot([r["xbar"] for r in pts], [r["efficiency_vs_dense_256"] for r in pts], "o-",
                label=f"{weights} ({100 * pts[0]['zero_weights']:.0f}% zero weights)" if pts else weights)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("crossbar size (rows = columns)")
    ax.set_ylabel("energy efficiency vs dense on 256x256")
    ax.set_title("Figure 8 on the configured chip")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    paths.append(Path(f"{out}_figure8.png"))
    save_figure(fig, paths[-1], dpi=110)
    return paths
