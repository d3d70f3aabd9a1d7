"""What the report figures share: the pyplot backend, the utilization bins, ADC code histograms."""
from __future__ import annotations

import statistics
from typing import Any, Dict, List, Tuple

UTILIZATION_BINS = [0, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100]


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend (imported when a figure is drawn)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def mean_std(values: List[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation over seeds (0 for one value)."""
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def mean_std_text(values: List[float]) -> str:
    """"m ± s" to two decimals; the mean alone for one value (no spread to show)."""
    m, s = mean_std(values)
    return f"{m:.2f} ± {s:.2f}" if len(values) > 1 else f"{m:.2f}"


def save_figure(fig, path, dpi: int = 110) -> None:
    """Writes the figure and closes it: a report draws many, and pyplot keeps every open one."""
    fig.savefig(path, dpi=dpi)
    pyplot().close(fig)


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
    """One histogram a group over its whole code range, full scale (the top code, 2^bits - 1:
    every saturated conversion lands there) marked by a dashed red line."""
    for g, (ax, hist) in enumerate(zip(axes, groups)):
        full_scale = len(hist) - 1  # a group's histogram has 2^bits codes
        ax.bar(range(len(hist)), hist, width=1.0, color="tab:blue")
        ax.axvline(full_scale, color="tab:red", linestyle="--", linewidth=1,
                   label=f"full scale: code {full_scale}")
        ax.set_xlim(-0.5 - 0.02 * full_scale, full_scale + 0.5 + 0.02 * full_scale)
        ax.set_yscale("log")
        ax.set_title(f"{title}ADC group {g} (slice B{len(groups) - 1 - g}), {(len(hist) - 1).bit_length()}-bit",
                     fontsize=8)
        ax.set_xlabel("ADC code", fontsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=7, loc="best")
    axes[0].set_ylabel("conversions")


def describe_config(cfg: Dict[str, Any]) -> str:
    """A configuration (a report's `config`) in one line: ADCs, row groups, crossbars, cells,
    composition, mapping, device faults when any."""
    adc = f"ADCs {cfg.get('adc_bits')} ({cfg.get('adc_mode', 'clip')})"
    rows = f"{cfg.get('parallel_rows')} of {cfg.get('xbar_rows')} rows a read"
    xbar = f"{cfg.get('xbar_rows')}x{cfg.get('xbar_cols')} crossbars"
    cells = f"{cfg.get('weight_bits')}-bit weights in {cfg.get('cell_bits')}-bit cells, {cfg.get('sign')} sign"
    parts = [adc, rows, xbar, cells, f"{cfg.get('composition')} composition", f"{cfg.get('mapping', 'dense')} mapping"]
    chip = cfg.get("chip") or {}
    if "tiles" in chip:
        parts.append(f"{chip['tiles']} tiles")
    if "replication" in chip:
        parts.append(f"replication {'on' if chip['replication'] else 'off'}")
    faults = cfg.get("faults") or {}
    if any(v for k, v in faults.items() if k != "seed"):
        parts.append("with device faults")
    return ", ".join(parts)


def describe_run(report: Dict[str, Any]) -> str:
    """Which network and configuration a `bitcim run --json` report shows, for a plot's
    subtitle: weight file, level, images, accuracy, ADCs, row groups, crossbars, cells, mapping,
    faults when any."""
    cfg = report.get("config", {})
    name = str(report.get("weights", "?")).rsplit("/", 1)[-1]
    parts = [f"{name}, {report.get('level', '?')} level, {report.get('images', '?')} images"]
    if "accuracy" in report:
        parts[0] += f", {100 * report['accuracy']:.2f}% accurate"
    if cfg:
        parts.append(describe_config(cfg))
    return "\n".join(parts)
