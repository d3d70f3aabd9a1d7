"""The sparse-mapping paper's page (results/mapping.md): Table II, Figures 4, 6 and 11, from a
`python3 -m bitcim.reproduce mapping` result."""
from __future__ import annotations

import statistics
from pathlib import Path
from typing import Dict, List

from .common import mean_std_text, pyplot, save_figure, UTILIZATION_BINS

NAMES = {"lenet5": "LeNet-5", "vgg11bn": "VGG-11-BN", "resnet20": "ResNet-20", "mlp": "MLP 784-256-10"}
# The paper's Table II (LeNet-5 on MNIST, VGG-16 and ResNet-18 on CIFAR-10; LSTM-5 left out: no RNN here).
PAPER_TABLE2 = {"LeNet-5": (99.23, 99.13, 99.15), "VGG-16": (93.64, 93.62, 93.72), "ResNet-18": (92.37, 92.07, 91.78)}


def _runs(result: Dict, kind: str, model: str) -> List[Dict]:
    return [result["steps"][f"{kind}-{model}-s{seed}"] for seed in result["settings"]["seeds"]]


def figure11(result: Dict, model: str) -> Dict[str, List[float]]:
    """Over the whole network: weights removed by crossbar pruning, and crossbars it saves after the
    k-means mapping, each as a fraction of the dense network's (weights, crossbars)."""
    out = {"params_pruned": [], "crossbars_saved": [], "kmeans_saved": []}
    for x, p in zip(_runs(result, "xbar", model), _runs(result, "pruned", model)):
        dense = sum(r["dense"] for r in x["crossbars_before"].values())
        before = sum(r["mapped"] for r in x["crossbars_before"].values())
        after = sum(r["mapped"] for r in x["crossbars"].values())
        out["params_pruned"].append(x["weights_pruned"] - p["weights_pruned"])
        out["crossbars_saved"].append((before - after) / dense)
        out["kmeans_saved"].append((dense - before) / dense)
    return out


def markdown(result: Dict) -> str:
    s = result["settings"]
    lines = ["# Sparse mapping and crossbar-grained pruning (Lin et al., 2019)", "",
             f"Command: `{result['command'].strip()}` (resumable; `--smoke` runs every step in seconds).", "",
             f"- Data: {s['dataset']}, first {s['limit_train']} training images, {s['limit_test']} test images; "
             f"seeds {', '.join(map(str, s['seeds']))}.",
             f"- Per network: {s['dense_epochs']} dense epochs (Adam lr {s['lr']:g}, batch {s['batch_size']}), "
             f"magnitude pruning to the paper's Table I sparsity with {s['prune_epochs']} fine-tuning epoch(s), then "
             f"k-means column exchange and crossbar-grained pruning of {100 * s['xbar_fraction']:.0f}% of the non-zero "
             f"crossbar rows ({s['xbar']}x{s['xbar']} crossbars) with {s['xbar_epochs']} fine-tuning epoch(s). The "
             "paper prunes and fine-tunes repeatedly, adjusting the rate by hand; one round here.",
             f"- Time: {result['step_seconds'] / 60:.1f} min of steps on 2 shared cores.",
             "- Figures 8 and 10 (energy and speed-up on the fixed chip): [results/chip.md](chip.md).",
             "", "## Table II: accuracy after crossbar pruning", "",
             "The paper: " + "; ".join(f"{n} {o:.2f}% / {p:.2f}% / {x:.2f}%" for n, (o, p, x) in PAPER_TABLE2.items())
             + " (original / normal pruning / crossbar pruning).", "",
             "| Network | sparsity (Table I) | Original | Normal pruning | Crossbar pruning |",
             "| --- | --- | --- | --- | --- |"]
    for model, sparsity in s["networks"].items():
        acc = {k: [100 * r["accuracy"] for r in _runs(result, k, model)] for k in ("dense", "pruned", "xbar")}
        lines.append(f"| {NAMES.get(model, model)} | {100 * sparsity:g}% | {mean_std_text(acc['dense'])}% | "
                     f"{mean_std_text(acc['pruned'])}% | {mean_std_text(acc['xbar'])}% |")
    lines += [""] + _table2_findings(result)
    lines += ["", "## Figure 11: parameters pruned against crossbars saved", "",
              "| Network | k-means mapping saves | crossbar pruning removes (weights) | and saves (crossbars) |",
              "| --- | --- | --- | --- |"]
    for model in s["networks"]:
        f = figure11(result, model)
        lines.append(f"| {NAMES.get(model, model)} | {mean_std_text([100 * v for v in f['kmeans_saved']])}% | "
                     f"{mean_std_text([100 * v for v in f['params_pruned']])}% | {mean_std_text([100 * v for v in f['crossbars_saved']])}% |")
    lines += ["", "Fractions of the dense network's weights and crossbars.", "", "![Figure 11](mapping_figure11.png)"]
    fig4 = [k for k in result["steps"] if k.startswith("figure4-")]
    if fig4:
        r = result["steps"][fig4[0]]
        low = {k: sum(u < 0.15 for u in r[k]["utilization"]) / len(r[k]["utilization"]) for k in ("dense", "kmeans")}
        lines += ["", f"## Figure 4: crossbar utilization, pruned VGG-11-BN on {s['figure4_xbar']}x"
                      f"{s['figure4_xbar']} crossbars", "",
                  f"Dense mapping: {r['dense']['crossbars']} crossbars, {100 * low['dense']:.1f}% of them under 15% "
                  f"utilized (the paper: more than 20% of VGG-16's). k-means column exchange with compact mapping: "
                  f"{r['kmeans']['crossbars']} crossbars, {100 * low['kmeans']:.1f}% under 15%. Both from "
                  "`bitcim run`'s per-crossbar utilization: the non-zero cells of each physical crossbar over "
                  "its cells, one crossbar per weight slice and polarity, so a non-zero weight fills one cell in "
                  "up to four of eight crossbars. The paper counts non-zero weights in a crossbar-sized block, "
                  "so its figures for the same weights read higher than ours."]
        if r["kmeans"]["crossbars"] >= r["dense"]["crossbars"]:
            lines += ["", "Compact mapping after the k-means column exchange saves no crossbar here: a block of "
                      f"{s['figure4_xbar']} outputs keeps every input row with a non-zero weight among them, and "
                      "after magnitude pruning every block still has that on enough rows to need as many "
                      f"{s['figure4_xbar']}-row crossbars as the dense layout. The paper's Figure 4 shifts toward "
                      "fuller crossbars; this run does not reproduce that."]
        lines += ["", "![Figure 4](mapping_figure4.png)"]
    lines += ["", "## Figure 6: accuracy against pruning sparsity by weight precision (LeNet-5)", "",
              "| sparsity | " + " | ".join(f"{b}-bit" for b in s["figure6_bits"]) + " |",
              "|" + " --- |" * (1 + len(s["figure6_bits"]))]
    for sp in s["figure6_sparsities"]:
        cells = [mean_std_text([100 * result["steps"][f"figure6-b{b}-p{sp:g}-s{seed}"]["accuracy"] for seed in s["seeds"]])
                 + "%" for b in s["figure6_bits"]]
        lines.append(f"| {100 * sp:g}% | " + " | ".join(cells) + " |")
    lines += [""] + _figure6_findings(result)
    lines += ["", "16-bit stands in for the paper's float (the zoo's layers always quantize). The paper (VGG-16): "
              "8-bit follows float, no loss up to 90% pruning and under 1% at 95%; 4-bit lower from the start and "
              "falling badly at 90%.", "", "![Figure 6](mapping_figure6.png)", "",
              "## What differs from the paper, and why", "",
              f"- Data set: {s['dataset']} (1x28x28) for every network, not MNIST and CIFAR-10: neither is "
              "packaged for Debian and nothing is downloaded at run time.",
              "- Networks: the zoo's, which the weight format and the converter carry end to end: LeNet-5, "
              "VGG-11-BN for VGG-16, ResNet-20 for ResNet-18, and our MLP; the paper's LSTM is left out (no "
              "recurrent layers here).",
              f"- Budget: {s['dense_epochs']} dense epochs and one round of pruning and fine-tuning on the first "
              f"{s['limit_train']} training images, so that the experiment fits about an hour of 2 cores "
              "(issue #18); the paper prunes and fine-tunes over many rounds, its rates tuned by hand.",
              "- Float: the zoo's layers always quantize, so 16-bit weights stand in for Figure 6's float.", ""]
    return "\n".join(lines)


def _mean_acc(result: Dict, kind: str, model: str) -> float:
    return 100 * statistics.mean(r["accuracy"] for r in _runs(result, kind, model))


def _table2_findings(result: Dict) -> List[str]:
    """Each network's accuracy lost to normal and to crossbar pruning, against the paper's largest loss."""
    paper_loss = max(o - min(p, x) for o, p, x in PAPER_TABLE2.values())
    lines, worst = [], 0.0
    for model in result["settings"]["networks"]:
        orig = _mean_acc(result, "dense", model)
        pruned, xbar = orig - _mean_acc(result, "pruned", model), orig - _mean_acc(result, "xbar", model)
        worst = max(worst, pruned, xbar)
        lines.append(f"- {NAMES.get(model, model)}: normal pruning {-pruned:+.1f} points, crossbar pruning "
                     f"{-xbar:+.1f} points against the original.")
    verdict = (f"The paper's networks lose at most {paper_loss:.2f} points; ours lose up to {worst:.1f} after one "
               "round of fine-tuning, which contradicts the paper at this budget." if worst > 2 * paper_loss + 1 else
               f"Like the paper's (at most {paper_loss:.2f} points lost), ours keep their accuracy.")
    return lines + ["", verdict]


def _figure6_findings(result: Dict) -> List[str]:
    """Loss at the paper's 90% and 95% per precision, against the paper's 'no loss to 90%, under 1% at 95%'."""
    s = result["settings"]
    def acc(bits: int, sp: float) -> float:
        return 100 * statistics.mean(result["steps"][f"figure6-b{bits}-p{sp:g}-s{seed}"]["accuracy"] for seed in s["seeds"])
    base = min(s["figure6_sparsities"])
    high = [sp for sp in s["figure6_sparsities"] if sp >= 0.9]
    if not high:
        return []
    lines = [f"- {bits}-bit: " + ", ".join(f"{acc(bits, sp) - acc(bits, base):+.1f} points at {100 * sp:g}%" for sp in high)
             for bits in s["figure6_bits"]]
    worst = max(acc(b, base) - acc(b, sp) for b in s["figure6_bits"] if b >= 8 for sp in high)
    return lines + ["", f"At 8 bits and above, LeNet-5 here loses up to {worst:.1f} points at 90-95% sparsity after one "
                    "fine-tuning epoch" + (", against the paper's under 1%: not reproduced at this budget." if worst > 2
                                           else ", as the paper's networks do not.")]


def plot_figure11(result: Dict, path: Path) -> None:
    plt = pyplot()
    models = list(result["settings"]["networks"])
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for k, (key, label) in enumerate((("params_pruned", "weights removed by crossbar pruning"),
                                      ("crossbars_saved", "crossbars it saves"))):
        ax.bar([i + 0.4 * k for i in range(len(models))],
               [100 * statistics.mean(figure11(result, m)[key]) for m in models], width=0.4, label=label)
    ax.set_xticks([i + 0.2 for i in range(len(models))])
    ax.set_xticklabels([NAMES.get(m, m) for m in models], fontsize=8)
    ax.set_ylabel("% of the dense network")
    ax.legend(fontsize=8)
    ax.set_title(f"Figure 11: crossbar-grained pruning, {result['settings']['xbar']}x{result['settings']['xbar']} "
                 "crossbars", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def plot_figure4(result: Dict, path: Path) -> None:
    plt = pyplot()
    key = next(k for k in result["steps"] if k.startswith("figure4-"))
    r = result["steps"][key]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    bins = [b / 100 for b in UTILIZATION_BINS]
    for k, (name, label) in enumerate((("dense", "dense mapping"), ("kmeans", "k-means column exchange"))):
        u = r[name]["utilization"]
        counts = [sum(lo <= x < hi or (hi == 1 and x == 1) for x in u) / len(u) * 100
                  for lo, hi in zip(bins, bins[1:])]
        ax.bar([i + 0.4 * k for i in range(len(counts))], counts, width=0.4, label=f"{label} ({len(u)} crossbars)")
    ax.set_xticks([i + 0.2 for i in range(len(bins) - 1)])
    ax.set_xticklabels([f"{a}-{b}" for a, b in zip(UTILIZATION_BINS, UTILIZATION_BINS[1:])], fontsize=7)
    ax.set_xlabel("crossbar utilization: non-zero cells (%)")
    ax.set_ylabel("crossbars (%)")
    ax.legend(fontsize=8)
    ax.set_title(f"Figure 4: pruned VGG-11-BN on {result['settings']['figure4_xbar']}x"
                 f"{result['settings']['figure4_xbar']} crossbars", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def plot_figure6(result: Dict, path: Path) -> None:
    plt = pyplot()
    s = result["settings"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for b in s["figure6_bits"]:
        ax.plot([100 * sp for sp in s["figure6_sparsities"]],
                [100 * statistics.mean(result["steps"][f"figure6-b{b}-p{sp:g}-s{seed}"]["accuracy"]
                                       for seed in s["seeds"]) for sp in s["figure6_sparsities"]],
                marker="o", label=f"{b}-bit weights" + (" (float stand-in)" if b == 16 else ""))
    ax.set_xlabel("pruning sparsity (%)")
    ax.set_ylabel("test accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"Figure 6: LeNet-5 on {s['dataset']}, accuracy by pruning and precision", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=110)


def write_page(result: Dict, out: Path) -> str:
    page = markdown(result)
    (out / "mapping.md").write_text(page)
    plot_figure11(result, out / "mapping_figure11.png")
    if any(k.startswith("figure4-") for k in result["steps"]):
        plot_figure4(result, out / "mapping_figure4.png")
    plot_figure6(result, out / "mapping_figure6.png")
    return page
