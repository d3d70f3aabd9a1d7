"""Twofold sparsity (Karimzadeh et al.) on ResNet-20: accuracy against network-level sparsity
before and after post-training, and total energy against the dense 8-bit baseline (issue #18):

    python3 -m bitcim.reproduce twofold [--out results/] [--jobs 2] [--smoke]

Per sparsity level and seed: train with the twofold regularizer (network level: the L2 norm of
the LFSR-chosen weights; bit level: the 1-bit slices' count, slice-aware), then cut the
LFSR-chosen weights (accuracy "before post-training"), then post-train with the cut kept
("after"). Every network is exported with its LFSR and run through `bitcim run` (golden) with
8-bit and with [1,3,3,3] ADCs; a network trained without any regularizer, run with 8-bit ADCs,
is the dense baseline. Energy per image counts cell reads by state (the slides' 00..11 figures,
config/technology.json), ADCs, the LFSR regenerating the pruned indices, DACs, shift-add,
buffers and periphery; crossbar programming, once per network, is reported apart.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ..io.export import export
from ..reports.twofold import write_page
from ..training import pruning
from ..training.checkpoint import save_checkpoint
from ..training.sparsity import weights_kept
from ..training.trainer import Trainer, TrainOptions
from . import cli, steps
from .bitslice_recipe import data, test_accuracy
from .hardware import ROOT, bitcim_binary, bitcim_run

ADCS = {"adc8": {"adc_bits": [8, 8, 8, 8]}, "adc1333": {"adc_bits": [1, 3, 3, 3]}}


@dataclass(frozen=True)
class Settings:
    model: str = "resnet20"
    sparsities: Tuple[float, ...] = (0.0, 0.3, 0.5, 0.7, 0.9)
    seeds: Tuple[int, ...] = (0, 1)
    epochs: int = 3                  # twofold training before the cut
    post_epochs: int = 1             # post-training with the cut kept
    alpha: float = 1e-3              # the trainer's twofold default (network level; bit level alpha / 100)
    lr: float = 1e-3
    batch_size: int = 128
    dataset: str = "fashion-mnist"
    data_dir: Optional[str] = None
    limit_train: int = 10000
    limit_test: int = 1000


FULL = Settings()
SMOKE = Settings(sparsities=(0.0, 0.5), seeds=(0,), epochs=1, post_epochs=1, limit_train=128, limit_test=20)


def _options(s: Settings, method: str, seed: int, epochs: int, sparsity: float, prune_epoch: int,
             init: Optional[str]) -> TrainOptions:
    return TrainOptions(model=s.model, method=method, epochs=epochs, seed=seed, lr=s.lr, batch_size=s.batch_size,
                        alpha=s.alpha if method == "twofold" else None, sparsity=sparsity, prune_epoch=prune_epoch,
                        init=Path(init) if init else None, quiet=True)


def train(s: Settings, seed: int, sparsity: float, state: str) -> Dict:
    """Twofold training (no cut yet), then the cut: accuracy before it and right after it."""
    x, y, xt, yt = data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
    t = Trainer(_options(s, "twofold", seed, s.epochs, sparsity, s.epochs, None))  # prune_epoch past the end
    t.train(x, y, xt, yt)
    regularized = test_accuracy(t.model, s)
    pruning.apply_prune_masks(t.model, t.prune_masks)
    save_checkpoint({"model": t.model.state_dict()}, state)
    return {"accuracy_regularized": regularized, "accuracy_cut": test_accuracy(t.model, s)}


def post_train(s: Settings, seed: int, sparsity: float, cut: str, weights: str) -> Dict:
    """Post-training with the cut kept (the same LFSR masks, re-applied at epoch 0), then the export."""
    x, y, xt, yt = data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
    t = Trainer(_options(s, "twofold", seed, s.post_epochs, sparsity, 0, cut))
    t.train(x, y, xt, yt)
    export(t.model, weights, f"{s.model}-twofold-{sparsity:g}", (1, 28, 28), lfsr=t.lfsr if sparsity else None)
    return {"accuracy": test_accuracy(t.model, s), "network_sparsity": 1 - weights_kept(t.model)}


def dense(s: Settings, seed: int, weights: str) -> Dict:
    """The baseline: the same network and epochs without any regularizer or pruning."""
    x, y, xt, yt = data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
    t = Trainer(_options(s, "none", seed, s.epochs + s.post_epochs, 0.0, 0, None))
    t.train(x, y, xt, yt)
    export(t.model, weights, f"{s.model}-dense", (1, 28, 28))
    return {"accuracy": test_accuracy(t.model, s)}


def on_hardware(weights: str, images: int, adcs: List[str]) -> Dict:
    out = {}
    for name in adcs:
        r = bitcim_run(weights, ADCS[name], images)
        out[name] = {"accuracy": r["accuracy"], "images": r["images"], "energy_pj": r["energy_pj"],
                     "cell_reads": [sum(l["cell_reads"][k] for l in r["layers"]) for k in range(4)],
                     "lfsr_steps": sum(l.get("lfsr_steps", 0) for l in r["layers"])}
    return out


def main(argv: Optional[List[str]] = None) -> None:
    a, s = cli.options("twofold", __doc__, argv, FULL, SMOKE)
    work = a.out / "twofold-work"
    try:
        bitcim_binary()
        data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
        steps.hold_settings(work, asdict(s))
        levels = [(sp, seed) for sp in s.sparsities for seed in s.seeds]
        name = {lv: f"{lv[0]:g}-s{lv[1]}" for lv in levels}
        results = steps.run(work, [steps.Step(f"dense-s{seed}", dense,
                                              dict(s=s, seed=seed, weights=str(work / f"dense-s{seed}.safetensors")))
                                   for seed in s.seeds]
                            + [steps.Step(f"train-{name[lv]}", train, dict(s=s, seed=lv[1], sparsity=lv[0],
                                                                           state=str(work / f"cut-{name[lv]}.pt")))
                               for lv in levels], a.jobs, "twofold train")
        results.update(steps.run(work, [steps.Step(f"post-{name[lv]}", post_train,
                                                   dict(s=s, seed=lv[1], sparsity=lv[0],
                                                        cut=str(work / f"cut-{name[lv]}.pt"),
                                                        weights=str(work / f"twofold-{name[lv]}.safetensors")))
                                        for lv in levels], a.jobs, "twofold post-train"))
        hw = [steps.Step(f"hardware-dense-s{seed}", on_hardware,
                         dict(weights=str(work / f"dense-s{seed}.safetensors"), images=s.limit_test, adcs=["adc8"]))
              for seed in s.seeds]
        hw += [steps.Step(f"hardware-{name[lv]}", on_hardware,
                          dict(weights=str(work / f"twofold-{name[lv]}.safetensors"), images=s.limit_test,
                               adcs=list(ADCS))) for lv in levels]
        results.update(steps.run(work, hw, a.jobs, "twofold hardware"))
    except (ValueError, RuntimeError) as e:
        cli.fail("twofold", e)
    tech = json.loads((ROOT / "config" / "technology.json").read_text())
    result = {"settings": {**asdict(s), "sparsities": list(s.sparsities), "seeds": list(s.seeds)}, "adcs": ADCS,
              "cell_read_energy_pj": tech["cell_read_energy_pj"]["value"]["2"],
              "lfsr_step_energy_pj": tech["lfsr_step_energy_pj"]["value"], "steps": results,
              "step_seconds": round(sum(r["seconds"] for r in results.values()), 1),
              "command": cli.command("twofold", argv)}
    cli.finish("twofold", a.out, result, write_page)
