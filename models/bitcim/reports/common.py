"""What the report figures share: the pyplot backend, the utilization bins, ADC code histograms."""
from __future__ import annotations

from typing import Any, Dict, List

UTILIZATION_BINS = [0, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100]


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend (imported when a figure is drawn)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


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
