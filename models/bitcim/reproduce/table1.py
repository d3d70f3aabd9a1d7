"""The bit-slice L1 paper's Table 1 and Figure 2, with the paper's recipe (issue #18):

    python3 -m bitcim.reproduce table1 [--out results/] [--jobs 2] [--smoke]

As the paper's public code: pretrain the fixed-point MLP with L1 (SGD lr 0.01, momentum 0.5,
batch 64, the regularizer divided by the parameter count), prune every weight below a real
magnitude threshold (0.01), then fine-tune with the pruning masks kept, with L1, with
bit-slice L1 differentiated straight through floor (the paper's) or with the slice-aware
surrogate (ours). The Pruned row is the pruned model itself. Each fine-tuning method is run
at several strengths alpha (a sparsity/accuracy frontier, not one point) over several seeds,
on the paper's 784-100-10 MLP and on ours (784-256-10). Fashion-MNIST by default (MNIST is not
packaged: --dataset mnist --data-dir DIR takes a user's MNIST idx files).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import torch

from ..io.datasets import DATASETS, DEFAULT_DATASET, load_dataset
from ..nn import zoo
from ..training.checkpoint import load_checkpoint, save_checkpoint
from ..training.pruning import real_threshold_prune
from ..training.sparsity import slice_nonzero_ratio
from ..training.trainer import Trainer, TrainOptions, accuracy
from . import steps
from ..reports.table1 import write_page

METHODS = {"l1": "L1", "bitslice-l1-ste": "BL1 (direct STE, the paper's)", "bitslice-l1": "BL1 (slice-aware)"}


@dataclass(frozen=True)
class Settings:
    """What the experiment runs; FULL is what results/table1.md comes from."""

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


FULL = Settings()
SMOKE = Settings(models=("mlp100",), seeds=(0,), pretrain_epochs=1, finetune_epochs=1,
                 alphas={"l1": (40.0,), "bitslice-l1-ste": (0.4,), "bitslice-l1": (0.4,)},
                 limit_train=256, limit_test=200, log_every=2)


@lru_cache(maxsize=1)
def _data(dataset: str, data_dir: Optional[str], limit_train: int, limit_test: int):
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


def _measure(model: torch.nn.Module, s: Settings) -> Dict:
    _, _, xt, yt = _data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
    return {"accuracy": accuracy(model, xt, yt), "slice_nonzero": slice_nonzero_ratio(model)}


def pretrain(s: Settings, model: str, seed: int, state: str) -> Dict:
    x, y, xt, yt = _data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
    t = Trainer(_options(s, model, seed, "l1", s.pretrain_epochs, s.pretrain_alpha, None))
    t.train(x, y, xt, yt)
    save_checkpoint({"model": t.model.state_dict()}, state)
    return _measure(t.model, s)


def prune(s: Settings, model: str, seed: int, pretrained: str, state: str) -> Dict:
    net = zoo.build(model)
    net.load_state_dict(load_checkpoint(pretrained)["model"])
    real_threshold_prune(net, s.threshold)
    save_checkpoint({"model": net.state_dict()}, state)
    kept = sum(int(l.weight_mask.sum()) for l in net.modules() if hasattr(l, "weight_mask"))
    total = sum(l.weight_mask.numel() for l in net.modules() if hasattr(l, "weight_mask"))
    return {**_measure(net, s), "weights_kept": kept / total}


def finetune(s: Settings, model: str, seed: int, method: str, alpha: float, pruned: str) -> Dict:
    x, y, xt, yt = _data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
    t = Trainer(_options(s, model, seed, method, s.finetune_epochs, alpha, Path(pruned)))
    t.train(x, y, xt, yt)
    return {**_measure(t.model, s), "history": t.history}


def run(s: Settings, out: Path, jobs: int) -> Dict:
    work = out / "table1-work"
    # Steps are named by model, seed, method and alpha; what else they ran with must not change under them.
    fixed = {k: v for k, v in asdict(s).items() if k != "alphas"}
    steps.hold_settings(work, fixed)
    start = time.time()
    pairs = [(m, seed) for m in s.models for seed in s.seeds]
    state = {p: str(work / f"{kind}-{p[0]}-s{p[1]}.pt") for kind in ("pretrain",) for p in pairs}
    pruned = {p: str(work / f"pruned-{p[0]}-s{p[1]}.pt") for p in pairs}
    results = steps.run(work, [steps.Step(f"pretrain-{m}-s{seed}", pretrain, dict(s=s, model=m, seed=seed,
                                                                                  state=state[(m, seed)]))
                               for m, seed in pairs], jobs, "table1 pretrain")
    results.update(steps.run(work, [steps.Step(f"pruned-{m}-s{seed}", prune,
                                               dict(s=s, model=m, seed=seed, pretrained=state[(m, seed)],
                                                    state=pruned[(m, seed)])) for m, seed in pairs],
                             1, "table1 prune"))
    tune = [steps.Step(f"{method}-a{alpha:g}-{m}-s{seed}", finetune,
                       dict(s=s, model=m, seed=seed, method=method, alpha=alpha, pruned=pruned[(m, seed)]))
            for m, seed in pairs for method in METHODS for alpha in s.alphas[method]]
    results.update(steps.run(work, tune, jobs, "table1 fine-tune"))
    settings = asdict(s)
    settings["alphas"] = {k: list(v) for k, v in s.alphas.items()}
    return {"settings": settings, "methods": METHODS, "steps": results,
            "step_seconds": round(sum(r["seconds"] for r in results.values()), 1),
            "wall_seconds_this_run": round(time.time() - start, 1),
            "command": "python3 -m bitcim.reproduce table1 " + " ".join(sys.argv[2:])}


def main(argv: Optional[List[str]] = None) -> None:
    p = argparse.ArgumentParser(prog="python3 -m bitcim.reproduce table1", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("results"), help="directory of table1.md/.json and figures")
    p.add_argument("--jobs", type=int, default=1, help="worker processes of one torch thread each (default 1)")
    p.add_argument("--smoke", action="store_true", help="a seconds-long run of every step on a few images")
    p.add_argument("--dataset", choices=DATASETS, default=DEFAULT_DATASET)
    p.add_argument("--data-dir", type=Path, help="the data set's directory (e.g. a user's MNIST idx files)")
    a = p.parse_args(argv)
    if a.jobs < 1:
        p.error("--jobs must be at least 1")
    s = replace(SMOKE if a.smoke else FULL, dataset=a.dataset, data_dir=str(a.data_dir) if a.data_dir else None)
    try:
        _data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
        result = run(s, a.out, a.jobs)
    except ValueError as e:  # a missing or malformed data set, a work directory of other settings
        print(f"bitcim.reproduce table1: error: {e}", file=sys.stderr)
        sys.exit(2)
    (a.out / "table1.json").write_text(json.dumps(result, indent=1) + "\n")
    page = write_page(result, a.out)
    print(page)
    print(f"wrote {a.out / 'table1.json'}, {a.out / 'table1.md'} and its figures", file=sys.stderr)
