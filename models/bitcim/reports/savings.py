"""The savings report from `bitcim run` and `bitcim mvm` reports: per-image figures of
each run, savings against a baseline row, the bit-slice paper's Table 3 ratios, the
Markdown report and the energy bar chart."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from .common import pyplot, save_figure


def summarize(report: Dict[str, Any]) -> Dict[str, Any]:
    """Per-image accuracy, energy (total, cells, ADC, nJ), latency (us) and crossbars of a run report."""
    n = report["images"]
    e = report["energy_pj"]
    return {"accuracy": report["accuracy"], "energy_nj": e["total"] / n / 1e3, "cells_nj": e["cells"] / n / 1e3,
            "adc_nj": e["adc"] / n / 1e3, "latency_us": report["latency_ns"] / n / 1e3,
            "crossbars": sum(l["crossbars"] for l in report["layers"])}


def add_savings(rows: List[Dict[str, Any]], base: Dict[str, Any]) -> None:
    """Adds each row's energy and ADC-energy saving against `base` (>1 is better)."""
    for r in rows:
        r["energy_saving"] = base["energy_nj"] / r["energy_nj"]
        r["adc_saving"] = base["adc_nj"] / r["adc_nj"]


def table3(measured: Dict[int, Dict[str, float]]) -> Dict[str, Any]:
    """Table 3 ratios against 8-bit ADCs from per-resolution measurements (`adc_pj_per_conversion`,
    `adc_area_mm2`, and the latencies `latency_1` / `latency_16` of ADCs serving 1 or 16
    columns). Conversion time is the latency difference between the two sharings (the same
    reads, 15 more conversions per ADC each), so the crossbar read time drops out:
    speedup(N) = dL(8) / dL(N)."""
    def conversions_time(bits: int) -> float:
        return measured[bits]["latency_16"] - measured[bits]["latency_1"]
    return {f"{bits}-bit": {
        "energy_saving": measured[8]["adc_pj_per_conversion"] / measured[bits]["adc_pj_per_conversion"],
        "conversion_speedup": conversions_time(8) / conversions_time(bits),
        "area_saving": measured[8]["adc_area_mm2"] / measured[bits]["adc_area_mm2"]} for bits in measured if bits != 8}


def table(rows: List[Dict[str, Any]]) -> str:
    lines = ["| network | configuration | accuracy | energy nJ/img | saving | ADC nJ/img | ADC saving | crossbars |"
             " latency us |", "|" + " --- |" * 9]
    for r in rows:
        lines.append(f"| {r['network']} | {r['config']} | {100 * r['accuracy']:.2f}% | {r['energy_nj']:.1f} | "
                     f"{r['energy_saving']:.2f}x | {r['adc_nj']:.2f} | {r['adc_saving']:.2f}x | {r['crossbars']} | "
                     f"{r['latency_us']:.2f} |")
    return "\n".join(lines)


def markdown(rows: List[Dict[str, Any]], t3: Dict[str, Any], images: int) -> str:
    """The whole savings.md."""
    return (f"# Energy savings on the shipped MLPs ({images} Fashion-MNIST test images, golden level)\n\n"
            f"Savings are ratios against the dense network on the ISAAC-like chip (>1 is better). Made by\n"
            f"`PYTHONPATH=models /usr/bin/python3 -m bitcim.savings --limit {images}`.\n\n" + table(rows) + "\n\n"
            "## The bit-slice paper's Table 3 from the TLM chip (vs 8-bit ADCs; paper: 28.4x / 14.2x energy, "
            "8x / 2.67x speed, 2x area)\n\n| ADC | energy saving | conversion speedup | area saving |\n"
            "| --- | --- | --- | --- |\n" +
            "".join(f"| {k} | {v['energy_saving']:.1f}x | {v['conversion_speedup']:.2f}x | {v['area_saving']:.1f}x |\n"
                    for k, v in t3.items()) +
            "\nThe RTL SAR controller spends one more cycle per conversion (sampling), so at the cycle level a\n"
            "conversion takes N + 1 bit times (`sar_adc_cosim`), which would make the speedups 4.5x and 2.25x.\n")


def plot(rows: List[Dict[str, Any]], path: Path) -> None:
    """Energy per image (cells and ADC stacked) per network, one bar per configuration."""
    plt = pyplot()
    configs = list(dict.fromkeys(r["config"] for r in rows))
    networks = list(dict.fromkeys(r["network"] for r in rows))
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(configs)
    for j, cfg in enumerate(configs):
        sel = [r for r in rows if r["config"] == cfg]
        xs = [i + j * width for i in range(len(sel))]
        ax.bar(xs, [r["cells_nj"] for r in sel], width, color=f"C{j}", label=f"{cfg}: cells")
        ax.bar(xs, [r["adc_nj"] for r in sel], width, bottom=[r["cells_nj"] for r in sel], color=f"C{j}",
               hatch="//", edgecolor="white", label=f"{cfg}: ADC")
        for x, r in zip(xs, sel):
            ax.annotate(f"{100 * r['accuracy']:.1f}%", (x, r["energy_nj"]), ha="center", fontsize=7,
                        xytext=(0, 2), textcoords="offset points")
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(networks))], networks)
    ax.set_ylabel("energy per image (nJ)")
    ax.set_title("Energy per image by training method and hardware mapping (labels: accuracy)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
