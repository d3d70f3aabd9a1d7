"""Reproduce the bit-slice L1 paper's Table 1 (and Figure 2) on Fashion-MNIST with the MLP.

    python3 -m bitcim.table1 --out results/

Starting from one L1-pretrained MLP (as the paper recommends), trains four rows
for the same number of epochs: Pruned (magnitude pruning + finetune), L1, bit-slice
L1 with the slice-aware surrogate gradient, and bit-slice L1 differentiated
straight through. Writes table1.json, table1.md and figure2.png (per-slice
non-zero ratio during training) to --out. Records whatever comes out.
"""
from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Dict, List

from .reports.table1 import markdown, plot_figure2
from .train import main as train

ROWS = [("Pruned", "pruned"), ("L1", "l1"), ("BL1 (slice-aware)", "bitslice-l1"), ("BL1 (direct STE)", "bitslice-l1-ste")]


def run(out: Path, pretrain_epochs: int, epochs: int, seed: int, limit_train: int, sparsity: float) -> Dict:
    out.mkdir(parents=True, exist_ok=True)
    common = ["--model", "mlp", "--seed", str(seed), "--quiet", "--log-every", "100"]
    if limit_train:
        common += ["--limit-train", str(limit_train)]
    base = out / "pretrain_l1.safetensors"
    print(f"== pretraining the MLP with L1 for {pretrain_epochs} epochs")
    train(common + ["--method", "l1", "--epochs", str(pretrain_epochs), "--out", str(base)])
    rows = []
    for label, method in ROWS:
        print(f"== {label}: {epochs} epochs from the L1-pretrained model")
        extra = ["--sparsity", str(sparsity), "--prune-epoch", "0"] if method == "pruned" else []
        s = train(common + ["--method", method, "--epochs", str(epochs), "--init", str(base.with_suffix(".pt")),
                            "--out", str(out / f"table1_{method}.safetensors")] + extra)
        ratios = s["slice_nonzero"]
        rows.append({"method": label, "train_method": method, "accuracy": s["test_accuracy"], "slice_nonzero": ratios,
                     "mean": statistics.mean(ratios), "std": statistics.pstdev(ratios), "history": s["history"],
                     "alpha": s["alpha"], "command": s["command"]})
    return {"dataset": "Fashion-MNIST", "model": "mlp 784-256-10, dfp 8-bit weights, 2-bit slices",
            "pretrain_epochs": pretrain_epochs, "epochs": epochs, "seed": seed, "rows": rows}


def main(argv: List[str] = None) -> None:
    p = argparse.ArgumentParser(prog="python3 -m bitcim.table1", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("results"))
    p.add_argument("--pretrain-epochs", type=int, default=2)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit-train", type=int, default=0, help="first N training images only (0: all)")
    p.add_argument("--sparsity", type=float, default=0.85, help="magnitude pruning sparsity of the Pruned row")
    a = p.parse_args(argv)
    result = run(a.out, a.pretrain_epochs, a.epochs, a.seed, a.limit_train, a.sparsity)
    (a.out / "table1.json").write_text(json.dumps(result, indent=1) + "\n")
    (a.out / "table1.md").write_text(markdown(result))
    plot_figure2(result, a.out / "figure2.png")
    print(markdown(result))
    print(f"wrote {a.out / 'table1.json'}, {a.out / 'table1.md'}, {a.out / 'figure2.png'}")


if __name__ == "__main__":
    main()
