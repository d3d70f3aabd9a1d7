"""The training loop: one run of a zoo model with a sparsity method, history and checkpoints.

Methods: none, l1, bitslice-l1 (slice-aware surrogate), bitslice-l1-ste (direct
straight-through), pruned (magnitude), lfsr-prune, twofold, xbar-prune.
"""
from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from ..hw.config import HwConfig
from ..hw.lfsr import lfsr_for_positions
from ..nn import zoo
from ..nn.layers import quant_layers
from . import mapping, pruning, regularizers
from .checkpoint import load_checkpoint, save_checkpoint
from .sparsity import slice_nonzero_ratio

METHODS = ("none", "l1", "bitslice-l1", "bitslice-l1-ste", "pruned", "lfsr-prune", "twofold", "xbar-prune")
OPTIMIZERS = ("adam", "sgd")
BITSLICE_METHODS = ("bitslice-l1", "bitslice-l1-ste")
NORMALIZED_METHODS = ("l1",) + BITSLICE_METHODS  # those `normalize` applies to
DEFAULT_ALPHA = {"l1": 2e-5, "bitslice-l1": 2e-6, "bitslice-l1-ste": 2e-6, "twofold": 1e-3}


@dataclass(frozen=True)
class TrainOptions:
    """What a training run does.

    Args:
        model: a zoo model name.
        method: one of METHODS.
        hw: the hardware the network is trained for: its number formats, cell bits (slicing
            of the regularizers) and crossbars (k-means mapping and crossbar pruning).
        weight_format: "dfp" or "sym".
        alpha: regularizer strength; None: DEFAULT_ALPHA for the method.
        sparsity: fraction pruned by the pruning methods.
        prune_epoch: epoch at which pruning starts.
        init: a saved model state to start from.
        checkpoint: directory for last.pt after every epoch.
        optimizer: "adam" or "sgd" (with `momentum`), at learning rate `lr`.
        normalize: divide the regularizer by the number of weights (per slice for bit-slice
            L1), as the bit-slice L1 paper's code does, so alpha does not scale with the model.
    """

    model: str = "mlp"
    method: str = "bitslice-l1"
    epochs: int = 3
    hw: HwConfig = field(default_factory=HwConfig)
    weight_format: str = "dfp"
    seed: int = 0
    lr: float = 1e-3
    batch_size: int = 128
    alpha: Optional[float] = None
    sparsity: float = 0.5
    prune_epoch: int = 1
    init: Optional[Path] = None
    checkpoint: Optional[Path] = None
    log_every: int = 50
    quiet: bool = False
    optimizer: str = "adam"
    momentum: float = 0.0
    normalize: bool = False


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    """Test accuracy of `model` (in eval mode) on images x with labels y."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct / max(len(x), 1)


class Trainer:
    """One training run: model, method, data, history; checkpoints every epoch.

    `model`: train this module (e.g. a converted twin, bitcim.convert) instead of the zoo's `opts.model`.
    """

    def __init__(self, opts: TrainOptions, model: Optional[nn.Module] = None) -> None:
        self.opts = opts
        seed_everything(opts.seed)
        self.model = model if model is not None else zoo.build(opts.model, hw=opts.hw, weight_format=opts.weight_format)
        if opts.init:
            state = load_checkpoint(opts.init)
            self.model.load_state_dict(state["model"] if "model" in state else state)
        if opts.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {opts.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        self.opt = (torch.optim.SGD(self.model.parameters(), lr=opts.lr, momentum=opts.momentum)
                    if opts.optimizer == "sgd" else torch.optim.Adam(self.model.parameters(), lr=opts.lr))
        self.alpha = opts.alpha if opts.alpha is not None else DEFAULT_ALPHA.get(opts.method, 0.0)
        largest = max(layer.weight.numel() for _, layer in quant_layers(self.model))
        if opts.normalize and opts.method not in NORMALIZED_METHODS:
            raise ValueError(f"normalize applies to l1 and bit-slice L1, not to method {opts.method!r}")
        self.reg_count = self._regularizer_count() if opts.normalize else 1.0
        self.lfsr = lfsr_for_positions(largest, seed=opts.seed + 1)
        self.prune_masks: Dict[str, torch.Tensor] = {}
        self.column_maps: Dict[str, torch.Tensor] = {}
        self.history: List[dict] = []
        self.epoch = 0
        self.step = 0

    # -- methods ---------------------------------------------------------------------
    def _regularizer_count(self) -> float:
        """What `normalize` divides by: the weights for L1, the weights' slices for bit-slice L1."""
        layers = quant_layers(self.model)
        if self.opts.method in BITSLICE_METHODS:
            return float(sum(l.weight.numel() * (l.hw.weight_bits // l.hw.cell_bits) for _, l in layers))
        return float(sum(l.weight.numel() for _, l in layers))

    def regularizer(self) -> torch.Tensor:
        m = self.opts.method
        if m == "l1":
            return self.alpha * regularizers.l1(self.model) / self.reg_count
        if m == "bitslice-l1":
            return self.alpha * regularizers.bitslice_l1_surrogate(self.model) / self.reg_count
        if m == "bitslice-l1-ste":
            return self.alpha * regularizers.bitslice_l1_ste(self.model) / self.reg_count
        if m == "twofold":
            return regularizers.twofold(self.model, self.prune_masks, self.alpha, self.alpha * 1e-2)
        return torch.zeros(())

    def before_epoch(self) -> None:
        o, m = self.opts, self.opts.method
        if m == "pruned" and self.epoch == o.prune_epoch:
            pruning.magnitude_prune(self.model, o.sparsity)
        if m in ("lfsr-prune", "twofold") and not self.prune_masks:
            self.prune_masks = pruning.lfsr_masks(self.model, o.sparsity, self.lfsr)
            if m == "lfsr-prune":
                pruning.apply_prune_masks(self.model, self.prune_masks)
        if m == "twofold" and self.epoch == o.prune_epoch:
            pruning.apply_prune_masks(self.model, self.prune_masks)  # regularized toward zero, now cut
        if m == "xbar-prune" and self.epoch >= o.prune_epoch:
            rounds = max(1, o.epochs - o.prune_epoch)
            for name, layer in quant_layers(self.model):
                self.column_maps[name] = mapping.kmeans_column_map(mapping.crossbar_matrix(layer), layer.hw,
                                                                   seed=o.seed)
                mapping.crossbar_prune(layer, o.sparsity / rounds, self.column_maps[name])

    # -- loop ----------------------------------------------------------------------------
    def train(self, x: torch.Tensor, y: torch.Tensor, x_test: torch.Tensor, y_test: torch.Tensor) -> None:
        o = self.opts
        for self.epoch in range(self.epoch, o.epochs):
            self.before_epoch()
            self.model.train()
            order = torch.randperm(len(x), generator=torch.Generator().manual_seed(o.seed + self.epoch))
            bar = tqdm(range(0, len(x), o.batch_size), desc=f"epoch {self.epoch + 1}/{o.epochs}", unit="batch",
                       file=sys.stderr, mininterval=2.0, disable=o.quiet)
            for i in bar:
                idx = order[i:i + o.batch_size]
                loss_ce = F.cross_entropy(self.model(x[idx]), y[idx])
                loss = loss_ce + self.regularizer()
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.step += 1
                if self.step % o.log_every == 0:
                    ratios = slice_nonzero_ratio(self.model)
                    self.history.append({"step": self.step, "epoch": self.epoch, "loss": float(loss_ce),
                                         "slice_nonzero": ratios})
                    bar.set_postfix(loss=f"{float(loss_ce):.3f}", nz=f"{sum(ratios) / len(ratios):.3f}")
            acc = accuracy(self.model, x_test, y_test)
            print(f"epoch {self.epoch + 1}: test accuracy {acc:.4f}, non-zero slices (MSB first) "
                  f"{[round(r, 4) for r in slice_nonzero_ratio(self.model)]}", file=sys.stderr)
            self.epoch += 1
            if o.checkpoint:
                self.save_checkpoint(Path(o.checkpoint))

    def save_checkpoint(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        save_checkpoint({"model": self.model.state_dict(), "opt": self.opt.state_dict(), "epoch": self.epoch,
                         "step": self.step, "history": self.history, "prune_masks": self.prune_masks,
                         "column_maps": self.column_maps}, directory / "last.pt")

    def resume(self, path: Path) -> None:
        state = load_checkpoint(path)
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        self.epoch, self.step, self.history = state["epoch"], state["step"], state["history"]
        self.prune_masks, self.column_maps = state["prune_masks"], state["column_maps"]

    def crossbar_reports(self) -> Dict[str, dict]:
        """Per layer with a column map (xbar-prune), crossbars needed dense, compacted and mapped."""
        return {n: mapping.crossbar_report(l, self.column_maps[n]).__dict__
                for n, l in quant_layers(self.model) if n in self.column_maps}
