"""Train a quantized zoo model with bit-slice sparsity and export it.

    python3 -m bitcim.train --model mlp --method bitslice-l1 --epochs 3 --out weights/mlp.safetensors

Methods: none, l1, bitslice-l1 (slice-aware surrogate), bitslice-l1-ste (direct
straight-through), pruned (magnitude), lfsr-prune, twofold, xbar-prune.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from . import pruning, slicing, zoo
from .data import FASHION_MNIST_DIR, load_idx_dataset
from .export import export
from .layers import quant_layers
from .lfsr import lfsr_for_positions

METHODS = ("none", "l1", "bitslice-l1", "bitslice-l1-ste", "pruned", "lfsr-prune", "twofold", "xbar-prune")
DEFAULT_ALPHA = {"l1": 2e-5, "bitslice-l1": 2e-6, "bitslice-l1-ste": 2e-6, "twofold": 1e-3}


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct / max(len(x), 1)


class Trainer:
    """One training run: model, method, data, history; checkpoints every epoch."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        seed_everything(args.seed)
        self.model = zoo.build(args.model, weight_format=args.weight_format, sign=args.sign)
        if args.init:
            state = torch.load(args.init, map_location="cpu")
            self.model.load_state_dict(state["model"] if "model" in state else state)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=args.lr)
        self.alpha = args.alpha if args.alpha is not None else DEFAULT_ALPHA.get(args.method, 0.0)
        largest = max(layer.weight.numel() for _, layer in quant_layers(self.model))
        self.lfsr = lfsr_for_positions(largest, seed=args.seed + 1)
        self.prune_masks: Dict[str, torch.Tensor] = {}
        self.column_maps: Dict[str, torch.Tensor] = {}
        self.history: List[dict] = []
        self.epoch = 0
        self.step = 0

    # -- methods ---------------------------------------------------------------------
    def regularizer(self) -> torch.Tensor:
        m = self.args.method
        if m == "l1":
            return self.alpha * slicing.l1(self.model)
        if m == "bitslice-l1":
            return self.alpha * slicing.bitslice_l1_surrogate(self.model, self.args.cell_bits)
        if m == "bitslice-l1-ste":
            return self.alpha * slicing.bitslice_l1_ste(self.model, self.args.cell_bits)
        if m == "twofold":
            return slicing.twofold(self.model, self.prune_masks, self.alpha, self.alpha * 1e-2)
        return torch.zeros(())

    def before_epoch(self) -> None:
        a, m = self.args, self.args.method
        if m == "pruned" and self.epoch == a.prune_epoch:
            pruning.magnitude_prune(self.model, a.sparsity)
        if m in ("lfsr-prune", "twofold") and not self.prune_masks:
            self.prune_masks = pruning.lfsr_masks(self.model, a.sparsity, self.lfsr)
            if m == "lfsr-prune":
                pruning.apply_prune_masks(self.model, self.prune_masks)
        if m == "twofold" and self.epoch == a.prune_epoch:
            pruning.apply_prune_masks(self.model, self.prune_masks)  # regularized toward zero, now cut
        if m == "xbar-prune" and self.epoch >= a.prune_epoch:
            rounds = max(1, a.epochs - a.prune_epoch)
            for name, layer in quant_layers(self.model):
                self.column_maps[name] = pruning.kmeans_column_map(pruning.crossbar_matrix(layer), a.xbar, seed=a.seed)
                pruning.crossbar_prune(layer, a.xbar, a.sparsity / rounds, self.column_maps[name])

    # -- loop ----------------------------------------------------------------------------
    def train(self, x: torch.Tensor, y: torch.Tensor, x_test: torch.Tensor, y_test: torch.Tensor) -> None:
        a = self.args
        for self.epoch in range(self.epoch, a.epochs):
            self.before_epoch()
            self.model.train()
            order = torch.randperm(len(x), generator=torch.Generator().manual_seed(a.seed + self.epoch))
            bar = tqdm(range(0, len(x), a.batch_size), desc=f"epoch {self.epoch + 1}/{a.epochs}", unit="batch",
                       file=sys.stderr, mininterval=2.0, disable=a.quiet)
            for i in bar:
                idx = order[i:i + a.batch_size]
                loss_ce = F.cross_entropy(self.model(x[idx]), y[idx])
                loss = loss_ce + self.regularizer()
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.step += 1
                if self.step % a.log_every == 0:
                    ratios = slicing.slice_nonzero_ratio(self.model, a.cell_bits)
                    self.history.append({"step": self.step, "epoch": self.epoch, "loss": float(loss_ce),
                                         "slice_nonzero": ratios})
                    bar.set_postfix(loss=f"{float(loss_ce):.3f}", nz=f"{sum(ratios) / len(ratios):.3f}")
            acc = evaluate(self.model, x_test, y_test)
            print(f"epoch {self.epoch + 1}: test accuracy {acc:.4f}, non-zero slices (MSB first) "
                  f"{[round(r, 4) for r in slicing.slice_nonzero_ratio(self.model, a.cell_bits)]}", file=sys.stderr)
            self.epoch += 1
            if a.checkpoint:
                self.save_checkpoint(Path(a.checkpoint))

    def save_checkpoint(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        torch.save({"model": self.model.state_dict(), "opt": self.opt.state_dict(), "epoch": self.epoch,
                    "step": self.step, "history": self.history, "prune_masks": self.prune_masks,
                    "column_maps": self.column_maps}, directory / "last.pt")

    def resume(self, path: Path) -> None:
        state = torch.load(path, map_location="cpu")
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        self.epoch, self.step, self.history = state["epoch"], state["step"], state["history"]
        self.prune_masks, self.column_maps = state["prune_masks"], state["column_maps"]


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python3 -m bitcim.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=sorted(zoo.MODELS), default="mlp")
    p.add_argument("--method", choices=METHODS, default="bitslice-l1")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--out", type=Path, help="weight file to write (.safetensors); a .json summary goes beside it")
    p.add_argument("--data-dir", type=Path, default=FASHION_MNIST_DIR, help="directory of idx files")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--alpha", type=float, help="regularizer strength (default per method)")
    p.add_argument("--sparsity", type=float, default=0.5, help="fraction pruned (pruning methods)")
    p.add_argument("--prune-epoch", type=int, default=1, help="epoch at which pruning starts")
    p.add_argument("--xbar", type=int, default=128, help="crossbar size for k-means mapping and pruning")
    p.add_argument("--cell-bits", type=int, default=2, choices=(1, 2, 4))
    p.add_argument("--weight-format", choices=("dfp", "sym"), default="dfp")
    p.add_argument("--sign", choices=("differential", "twos"), default="differential")
    p.add_argument("--limit-train", type=int, help="use only the first N training images")
    p.add_argument("--limit-test", type=int, help="evaluate on the first N test images")
    p.add_argument("--init", type=Path, help="start from a saved model state (e.g. an L1-trained checkpoint)")
    p.add_argument("--checkpoint", type=Path, help="directory for last.pt after every epoch")
    p.add_argument("--resume", type=Path, help="continue from a checkpoint file")
    p.add_argument("--log-every", type=int, default=50, help="steps between history records")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    if args.epochs < 0 or not 0 <= args.sparsity < 1:
        p.error("--epochs must be >= 0 and --sparsity in [0, 1)")
    return args


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(os.cpu_count() or 1)
    x, y = load_idx_dataset(args.data_dir, "train")
    x_test, y_test = load_idx_dataset(args.data_dir, "test")
    if args.limit_train:
        x, y = x[:args.limit_train], y[:args.limit_train]
    if args.limit_test:
        x_test, y_test = x_test[:args.limit_test], y_test[:args.limit_test]
    trainer = Trainer(args)
    if args.resume:
        trainer.resume(args.resume)
    start = time.time()
    trainer.train(x, y, x_test, y_test)
    summary = {"model": args.model, "method": args.method, "epochs": args.epochs, "seed": args.seed,
               "alpha": trainer.alpha, "test_accuracy": evaluate(trainer.model, x_test, y_test),
               "slice_nonzero": slicing.slice_nonzero_ratio(trainer.model, args.cell_bits),
               "seconds": round(time.time() - start, 1), "history": trainer.history,
               "command": "python3 -m bitcim.train " + " ".join(sys.argv[1:] if argv is None else argv)}
    if trainer.column_maps:
        reports = {n: pruning.crossbar_report(l, args.xbar, trainer.column_maps[n]).__dict__
                   for n, l in quant_layers(trainer.model) if n in trainer.column_maps}
        summary["crossbars"] = reports
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        try:
            export(trainer.model, args.out, f"{args.model}-{args.method}", cell_bits=args.cell_bits,
                   lfsr=trainer.lfsr if trainer.prune_masks else None, column_maps=trainer.column_maps or None)
        except NotImplementedError as e:
            print(f"not exported: {e}", file=sys.stderr)
        args.out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
        torch.save({"model": trainer.model.state_dict()}, args.out.with_suffix(".pt"))
    print(f"test accuracy {summary['test_accuracy']:.4f}; non-zero slices MSB..LSB "
          f"{[round(r, 4) for r in summary['slice_nonzero']]}")
    return summary


if __name__ == "__main__":
    main()
