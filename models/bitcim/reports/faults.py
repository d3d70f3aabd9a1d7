"""Figure of a `bitcim faults` directory: accuracy and ADC saturations against the fault rate, per network,
captioned with the campaign (kind, level, images, fault maps) and the configuration each network ran on."""
from __future__ import annotations

from pathlib import Path
from typing import List

from ..io.json_bounded import loads_bounded
from .common import describe_config, pyplot, save_figure


def describe_campaign(summary) -> str:
    """The campaign and the configuration it ran on: one line for a configuration all networks
    share, else one per network (faults.json from before #20 has only the campaign's)."""
    lines = [f"{summary['kind']} faults, {summary.get('level', '?')} level, {summary['images']} images a run, "
             f"{summary['seeds']} fault maps a rate"]
    configs = [(Path(n["weights"]).name, n.get("config") or summary.get("config") or {}) for n in summary["networks"]]
    if configs and all(c == configs[0][1] for _, c in configs):
        lines.append(describe_config(configs[0][1]))
    else:
        lines += [f"{name}: {describe_config(cfg)}" for name, cfg in configs]
    return "\n".join(lines)


def plot_faults(directory: Path) -> List[Path]:
    """Accuracy (mean, min..max over seeds) and ADC saturations against the fault rate, per network."""
    plt = pyplot()
    summary = loads_bounded((directory / "faults.json").read_text())
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
    caption = describe_campaign(summary)
    fig.suptitle(caption, fontsize=8, y=0.995, va="top")
    fig.tight_layout()
    fig.subplots_adjust(top=1 - (0.25 + 0.16 * caption.count("\n")) / fig.get_figheight())
    out = directory / "faults.png"
    save_figure(fig, out, dpi=110)
    return [out]
