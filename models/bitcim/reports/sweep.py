"""Figures of a `bitcim sweep` directory: a Pareto chart of any two of accuracy, energy,
area and latency (accuracy vs energy by default), energy breakdown per configuration,
crossbar utilization per crossbar size and cell bits, ADC code histograms per slice (when
swept with --adc-histogram)."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Dict, List, NamedTuple

from ..io.json_bounded import loads_bounded
from .common import UTILIZATION_BINS, draw_code_histograms, pyplot, slice_code_histograms, save_figure


def read_sweep(directory: Path) -> List[Dict[str, str]]:
    """The points of sweep.csv that ran (status ok; sweeps from before #20 have no status)."""
    with open(directory / "sweep.csv", newline="") as f:
        return [r for r in csv.DictReader(f) if r.get("status", "ok") in ("ok", "")]


class Metric(NamedTuple):
    column: str      # of sweep.csv
    better: int      # +1: higher is better, -1: lower is
    scale: float     # column value x scale = plotted value
    label: str


# The quantities a Pareto chart can put on its axes.
METRICS = {
    "accuracy": Metric("accuracy", +1, 100.0, "accuracy (%)"),
    "energy": Metric("energy_pj_per_image", -1, 1e-3, "energy per image (nJ)"),
    "area": Metric("area_mm2", -1, 1.0, "chip area (mm^2)"),
    "latency": Metric("chip_latency_ns", -1, 1e-3, "latency per image through the chip (us)"),
}


def _value(row: Dict[str, str], name: str) -> float:
    column = METRICS[name].column
    if not row.get(column):
        raise ValueError(f"sweep.csv has no {column} values (a sweep from before the configured chip: run it again)")
    return float(row[column])


def pareto_front(rows: List[Dict[str, str]], x: str = "energy", y: str = "accuracy") -> List[Dict[str, str]]:
    """Configurations no other beats on both `x` and `y` (each better higher or lower, METRICS),
    sorted by `x`."""
    def better_or_equal(o: Dict[str, str], r: Dict[str, str], m: str) -> bool:
        return METRICS[m].better * (_value(o, m) - _value(r, m)) >= 0

    def strictly_better(o: Dict[str, str], r: Dict[str, str], m: str) -> bool:
        return METRICS[m].better * (_value(o, m) - _value(r, m)) > 0

    front = [r for r in rows
             if not any(better_or_equal(o, r, x) and better_or_equal(o, r, y) and
                        (strictly_better(o, r, x) or strictly_better(o, r, y)) for o in rows)]
    return sorted(front, key=lambda r: _value(r, x))


def _point_label(r: Dict[str, str]) -> str:
    chip = "".join(f" {k[0]}{r[k]}" for k in ("tiles", "replication") if r.get(k))
    return f"{r['adc_bits']} p{r['parallel_rows']} x{r['xbar']} c{r['cell_bits']}{chip}"


def describe_sweep(reports) -> str:
    """The networks, level and images a sweep's figures show, and how its points are labelled."""
    reports = list(reports)
    names = sorted({str(r.get("weights", "?")).rsplit("/", 1)[-1] for r in reports})
    levels = sorted({str(r.get("level", "?")) for r in reports})
    images = sorted({str(r.get("images", "?")) for r in reports})
    return (f"{', '.join(names)}, {'/'.join(levels)} level, {'/'.join(images)} images, {len(reports)} configurations; "
            "points: ADC bits (MSB first), p parallel rows, x crossbar rows, c cell bits, t tiles, r replication")


def _caption(fig, caption: str) -> None:
    """The sweep's caption above the figure, the axes laid out below it."""
    fig.suptitle(caption, fontsize=7, y=0.995, va="top", wrap=True)
    fig.tight_layout()
    fig.subplots_adjust(top=1 - 0.6 / fig.get_figheight())


def plot_sweep(directory: Path, x: str = "energy", y: str = "accuracy") -> List[Path]:
    """Pareto chart of `y` against `x` (any two of METRICS), energy breakdown, utilization by
    crossbar size and cell bits, ADC codes. The chart is pareto.png for accuracy vs energy,
    pareto_<y>_<x>.png otherwise."""
    if x not in METRICS or y not in METRICS or x == y:
        raise ValueError(f"Pareto axes must be two different ones of {', '.join(METRICS)}, got {x} and {y}")
    plt = pyplot()
    rows = read_sweep(directory)
    reports = {r["key"]: loads_bounded((directory / f"{r['key']}.json").read_text()) for r in rows}
    caption = describe_sweep(reports.values())
    front = pareto_front(rows, x, y)
    mx, my = METRICS[x], METRICS[y]
    out = []
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter([_value(r, x) * mx.scale for r in rows], [_value(r, y) * my.scale for r in rows],
               color="tab:gray", label="configurations")
    ax.plot([_value(r, x) * mx.scale for r in front], [_value(r, y) * my.scale for r in front],
            "o-", color="tab:red", label="Pareto front")
    for r in rows:
        ax.annotate(_point_label(r), (_value(r, x) * mx.scale, _value(r, y) * my.scale), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel(mx.label)
    ax.set_ylabel(my.label)
    ax.set_title(f"{y.capitalize()} vs {x} over the sweep")
    ax.grid(alpha=0.3)
    ax.legend()
    _caption(fig, caption)
    out.append(directory / ("pareto.png" if (x, y) == ("energy", "accuracy") else f"pareto_{y}_{x}.png"))
    save_figure(fig, out[-1], dpi=110)

    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(rows)), 4.5))
    labels = [_point_label(r).replace(" p", "\np", 1) for r in rows]
    bottom = [0.0] * len(rows)
    for part, color in (("cells_pj", "tab:blue"), ("adc_pj", "tab:orange"), ("shift_add_pj", "tab:green"),
                        ("periphery_pj", "tab:purple"), ("dac_pj", "tab:brown"), ("buffers_pj", "tab:pink"),
                        ("programming_pj", "tab:olive"), ("control_pj", "tab:cyan")):
        vals = [float(r.get(part) or 0.0) / 1e3 for r in rows]  # older sweeps lack the later parts
        ax.bar(labels, vals, bottom=bottom, label=part.replace("_pj", ""), color=color)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_ylabel("energy per image (nJ)")
    ax.set_title("Energy breakdown by component")
    ax.legend()
    ax.tick_params(axis="x", labelsize=7)
    _caption(fig, caption)
    out.append(directory / "energy_breakdown.png")
    save_figure(fig, out[-1], dpi=110)

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
    _caption(fig, caption)
    out.append(directory / "utilization.png")
    save_figure(fig, out[-1], dpi=110)

    with_codes = [r for r in rows if slice_code_histograms(reports[r["key"]])]
    if with_codes:
        width = max(len(slice_code_histograms(reports[r["key"]])) for r in with_codes)
        fig, axes = plt.subplots(len(with_codes), width, figsize=(3 * width, 2.4 * len(with_codes)), squeeze=False)
        for row, r in zip(axes, with_codes):
            draw_code_histograms(row, slice_code_histograms(reports[r["key"]]), _point_label(r) + "\n")
        _caption(fig, caption)
        out.append(directory / "adc_codes.png")
        save_figure(fig, out[-1], dpi=100)
    return out
