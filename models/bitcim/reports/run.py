"""Figures of a `bitcim run --json` report: crossbar utilization histogram (the mapping
paper's Figure 4), per-slice non-zero ratios of the weights, energy by layer, ADC code
histograms per slice with full scale marked (with --adc-histogram). Every figure's subtitle
names the network and the configuration (common.describe_run)."""
from __future__ import annotations

from pathlib import Path
from typing import List

from ..io.json_bounded import loads_bounded
from .common import UTILIZATION_BINS, describe_run, draw_code_histograms, pyplot, slice_code_histograms, save_figure


def plot_run(report_path: Path) -> List[Path]:
    """Crossbar utilization histogram, per-slice non-zero ratios and energy by layer."""
    plt = pyplot()
    report = loads_bounded(report_path.read_text())
    layers = report["layers"]
    stem = report_path.with_suffix("")
    caption = describe_run(report)
    out = []

    def finish(fig, name: str, dpi: int = 110) -> None:
        """Subtitle: the network and configuration; then save as STEM_name.png."""
        fig.suptitle(caption, fontsize=8, y=0.995, va="top")
        fig.tight_layout()
        fig.subplots_adjust(top=1 - (0.14 * (caption.count("\n") + 1) + 0.3) / fig.get_figheight())
        out.append(Path(f"{stem}_{name}.png"))
        save_figure(fig, out[-1], dpi=dpi)

    fig, ax = plt.subplots(figsize=(7, 4))
    util = [100 * u for l in layers for u in l["crossbar_utilization"]]
    ax.hist(util, bins=UTILIZATION_BINS, edgecolor="black")
    ax.set_xlabel("non-zero cells in the crossbar (%)")
    ax.set_ylabel("crossbars")
    ax.set_title(f"Crossbar utilization ({len(util)} crossbars, all slices and polarities)", fontsize=10)
    finish(fig, "utilization")

    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    width = 0.8 / max(1, len(layers))
    for j, l in enumerate(layers):
        xs = [k + j * width for k in range(len(l["slice_nonzero"]))]
        axes[0].bar(xs, [100 * r for r in l["slice_nonzero"]], width, label=l["name"])
    k = len(layers[0]["slice_nonzero"]) if layers else 0
    axes[0].set_xticks([i + 0.4 - width / 2 for i in range(k)], [f"B{k - 1 - i}" for i in range(k)])
    axes[0].set_ylabel("non-zero ratio (% of weights)")
    axes[0].set_title("Non-zero ratio per weight slice, MSB first (lower is sparser)", fontsize=10)
    axes[0].legend(fontsize=8)
    n = report["images"]
    bottom = [0.0] * len(layers)
    for part, color in (("cells", "tab:blue"), ("adc", "tab:orange"), ("shift_add", "tab:green")):
        vals = [l["energy_pj"][part] / n / 1e3 for l in layers]
        axes[1].bar([l["name"] for l in layers], vals, bottom=bottom, label=part, color=color)
        bottom = [b + v for b, v in zip(bottom, vals)]
    # The digital periphery (rescale, quantize, pools, adds) beside the crossbar layers.
    periphery = sum(p["energy_pj"] for p in report.get("periphery", [])) / n / 1e3
    if periphery:
        axes[1].bar(["periphery"], [periphery], label="digital periphery", color="tab:purple")
    axes[1].set_ylabel("energy per image (nJ)")
    axes[1].set_title("Energy by layer and component", fontsize=10)
    axes[1].legend()
    finish(fig, "layers")

    groups = slice_code_histograms(report)
    if groups:
        fig, axes = plt.subplots(1, len(groups), figsize=(3.2 * len(groups), 3.8), squeeze=False)
        draw_code_histograms(axes[0], groups, "")
        caption = "ADC codes per slice, all layers (full scale = saturation)\n" + caption
        finish(fig, "adc_codes")
    return out
