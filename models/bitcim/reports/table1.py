"""The bit-slice L1 paper's Table 1 (Markdown) and Figure 2 from a `bitcim.table1` result."""
from __future__ import annotations

from pathlib import Path
from typing import Dict

from .common import pyplot


def markdown(result: Dict) -> str:
    """The Table 1 rows as a Markdown table (accuracy, per-slice non-zero ratios, mean ± std)."""
    lines = [f"Table 1 on {result['dataset']} ({result['model']}), {result['pretrain_epochs']} L1 pretraining "
             f"epochs then {result['epochs']} epochs per row, seed {result['seed']}.", "",
             "| Method | Accuracy | B3 | B2 | B1 | B0 | Average |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in result["rows"]:
        s = " | ".join(f"{100 * v:.2f}%" for v in r["slice_nonzero"])
        lines.append(f"| {r['method']} | {100 * r['accuracy']:.2f}% | {s} | "
                     f"{100 * r['mean']:.2f} ± {100 * r['std']:.2f}% |")
    return "\n".join(lines) + "\n"


def plot_figure2(result: Dict, path: Path) -> None:
    """Per-slice non-zero ratios during training, one panel per slice (the paper's Figure 2)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.6), sharey=False)
    for k, ax in enumerate(axes):
        for r in result["rows"]:
            steps = [h["step"] for h in r["history"]]
            ax.plot(steps, [100 * h["slice_nonzero"][k] for h in r["history"]], label=r["method"])
        ax.set_title(f"slice B{3 - k} ({'MSB' if k == 0 else 'LSB' if k == 3 else 'middle'})")
        ax.set_xlabel("training step")
        ax.set_ylabel("non-zero slices (%)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Bit-slice sparsity during training (bit-slice L1 paper, Figure 2), Fashion-MNIST MLP")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
