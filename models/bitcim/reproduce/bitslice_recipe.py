"""The bit-slice L1 paper's training recipe, as its public code runs it, in resumable steps
shared by Table 1 (the MLP) and Table 2 (VGG-11, ResNet-20):

pretrain with L1 (SGD lr 0.01, momentum 0.5, batch 64, the regularizer divided by the parameter
count) -> prune every weight below a real magnitude threshold (0.01) -> fine-tune with the pruning
masks kept, with L1, with bit-slice L1 differentiated straight through floor (the paper's) or
with the slice-aware surrogate (ours), at several strengths alpha over several seeds.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

import torch

from ..io.datasets import DEFAULT_DATASET, load_dataset
from ..nn import zoo
from ..training.checkpoint import load_checkpoint, save_checkpoint
from ..training.pruning import real_threshold_prune
from ..training.sparsity import slice_nonzero_ratio, weights_kept
from ..training.trainer import Trainer, TrainOptions, accuracy
from . import steps

METHODS = {"l1": "L1", "bitslice-l1-ste": "BL1 (direct STE, the paper's)", "bitslice-l1": "BL1 (slice-aware)"}


@dataclass(frozen=True)
class Settings:
    """What an experiment runs (its models, seeds, epochs, strengths and data)."""

    models: Tuple[str, ...] = ("mlp100", "mlp")
    seeds: Tuple[int, ...] = (0, 1, 2)
    pretrain_epochs: int = 6           # the paper's code: 100
    finetune_epochs: int = 3           # the paper's code: 50
    pretrain_alpha: float = 10.0       # the paper's code: pretrain_weights/10_0.01
    alphas: Dict[str, Tuple[float, ...]] = field(default_factory=lambda: {
        "l1": (10.0, 40.0, 160.0), "bitslice-l1-ste": (0.1, 0.4, 1.6), "bitslice-l1": (0.1, 0.4, 1.6)})
    threshold: float = 0.01
    lr: float = 0.01
    momentum: float = 0.5
    batch_size: int = 64
    dataset: str = DEFAULT_DATASET
    data_dir: Optional[str] = None
    limit_train: int = 0
    limit_test: int = 0
    log_every: int = 100
    matched_within: float = 0.01       # "equal accuracy": within 1 point of the L1-pretrained model



@lru_cache(maxsize=1)
def data(dataset: str, data_dir: Optional[str], limit_train: int, limit_test: int):
    x, y = load_dataset(dataset, data_dir, "train")
    xt, yt = load_dataset(dataset, data_dir, "test")
    if limit_train:
        x, y = x[:limit_train], y[:limit_train]
    if limit_test:
        xt, yt = xt[:limit_test], yt[:limit_test]
    return x, y, xt, yt


def _options(s: Settings, model: str, seed: int, method: str, epochs: int, alpha: float,
             init: Optional[Path]) -> TrainOptions:
    return TrainOptions(model=model, method=method, epochs=epochs, seed=seed, lr=s.lr, batch_size=s.batch_size,
                        alpha=alpha, init=init, log_every=s.log_every, quiet=True, optimizer="sgd",
                        momentum=s.momentum, normalize=True)


def test_accuracy(model: torch.nn.Module, s) -> float:
    """Accuracy on the test images of any experiment's settings `s` (dataset, data_dir, limits)."""
    _, _, xt, yt = data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
    return accuracy(model, xt, yt)


def _measure(model: torch.nn.Module, s: Settings) -> Dict:
    return {"accuracy": test_accuracy(model, s), "slice_nonzero": slice_nonzero_ratio(model)}


def pretrain(s: Settings, model: str, seed: int, state: str) -> Dict:
    x, y, xt, yt = data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
    t = Trainer(_options(s, model, seed, "l1", s.pretrain_epochs, s.pretrain_alpha, None))
    t.train(x, y, xt, yt)
    save_checkpoint({"model": t.model.state_dict()}, state)
    return _measure(t.model, s)


def prune(s: Settings, model: str, seed: int, pretrained: str, state: str) -> Dict:
    net = zoo.build(model)
    net.load_state_dict(load_checkpoint(pretrained)["model"])
    real_threshold_prune(net, s.threshold)
    save_checkpoint({"model": net.state_dict()}, state)
    return {**_measure(net, s), "weights_kept": weights_kept(net)}


def finetune(s: Settings, model: str, seed: int, method: str, alpha: float, pruned: str,
             state: Optional[str] = None) -> Dict:
    x, y, xt, yt = data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
    t = Trainer(_options(s, model, seed, method, s.finetune_epochs, alpha, Path(pruned)))
    t.train(x, y, xt, yt)
    if state:
        save_checkpoint({"model": t.model.state_dict()}, state)
    return {**_measure(t.model, s), "history": t.history}


def finetuned_state(work: Path, method: str, alpha: float, model: str, seed: int) -> Path:
    return work / f"{method}-a{alpha:g}-{model}-s{seed}.pt"


def run(s: Settings, name: str, out: Path, jobs: int, keep_states: bool = False) -> Tuple[Path, Dict]:
    """Runs (or resumes) the recipe's steps under OUT/NAME-work; returns the directory and every step's result."""
    work = out / f"{name}-work"
    # Steps are named by model, seed, method and alpha; what else they ran with must not change under them.
    steps.hold_settings(work, {k: v for k, v in asdict(s).items() if k != "alphas"})
    pairs = [(m, seed) for m in s.models for seed in s.seeds]
    pretrained = {p: str(work / f"pretrain-{p[0]}-s{p[1]}.pt") for p in pairs}
    pruned = {p: str(work / f"pruned-{p[0]}-s{p[1]}.pt") for p in pairs}
    results = steps.run(work, [steps.Step(f"pretrain-{m}-s{seed}", pretrain,
                                          dict(s=s, model=m, seed=seed, state=pretrained[(m, seed)]))
                               for m, seed in pairs], jobs, f"{name} pretrain")
    results.update(steps.run(work, [steps.Step(f"pruned-{m}-s{seed}", prune,
                                               dict(s=s, model=m, seed=seed, pretrained=pretrained[(m, seed)],
                                                    state=pruned[(m, seed)])) for m, seed in pairs],
                             1, f"{name} prune"))
    tune = [steps.Step(f"{method}-a{alpha:g}-{m}-s{seed}", finetune,
                       dict(s=s, model=m, seed=seed, method=method, alpha=alpha, pruned=pruned[(m, seed)],
                            state=str(finetuned_state(work, method, alpha, m, seed)) if keep_states else None))
            for m, seed in pairs for method in METHODS for alpha in s.alphas[method]]
    results.update(steps.run(work, tune, jobs, f"{name} fine-tune"))
    return work, results


def summary(s: Settings, results: Dict, command: str) -> Dict:
    """The experiment's JSON: settings, methods, every step's result and the time they took."""
    settings = asdict(s)
    settings["alphas"] = {k: list(v) for k, v in s.alphas.items()}
    return {"settings": settings, "methods": METHODS, "steps": results,
            "step_seconds": round(sum(r["seconds"] for r in results.values()), 1), "command": command}
