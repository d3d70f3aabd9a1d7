"""The sparse-mapping paper (Lin et al., 2019): Figure 4, Figure 6, Figure 11 and Table II on the
zoo's networks (issue #18):

    python3 -m bitcim.reproduce mapping [--out results/] [--jobs 2] [--smoke]

Per network and seed: train it dense ("Original"), prune it by magnitude to the paper's Table I
sparsity and fine-tune ("Normal pruning"), then k-means column exchange and crossbar-grained
pruning (the lowest-saliency crossbar rows of each column block) with fine-tuning ("Crossbar
pruning"): Table II's accuracies, and Figure 11's parameters pruned against crossbars saved,
both counted over the whole network. Figure 4: the magnitude-pruned VGG on 64x64 crossbars run
through `bitcim run`, dense mapping against the k-means column map with compact mapping: the
per-crossbar utilization each reports. Figure 6: LeNet-5 pruned to each sparsity and fine-tuned
with 4-bit, 8-bit and 16-bit weights (the zoo's layers always quantize: 16-bit stands in for float).
Figures 8 and 10 are the fixed chip's: results/chip.md.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ..hw.config import HwConfig
from ..io.export import export
from ..nn import zoo
from ..nn.layers import quant_layers
from ..reports.mapping import write_page
from ..training import mapping as xbar
from ..training.checkpoint import load_checkpoint, save_checkpoint
from ..training.sparsity import weights_kept
from ..training.trainer import Trainer, TrainOptions
from . import cli, steps
from .bitslice_recipe import data, test_accuracy
from .hardware import bitcim_binary, bitcim_run

FIGURE4_XBAR = 64  # the paper's Figure 4 crossbars


@dataclass(frozen=True)
class Settings:
    # network -> magnitude-pruning sparsity (the paper's Table I where it has the network; MLP ours)
    networks: Dict[str, float] = field(default_factory=lambda: {"lenet5": 0.92, "vgg11bn": 0.925, "resnet20": 0.75,
                                                                "mlp": 0.90})
    xbar_fraction: float = 0.2          # of the non-zero crossbar rows, pruned by saliency
    xbar: int = 128                     # crossbars of Table II / Figure 11's mapping
    seeds: Tuple[int, ...] = (0,)
    dense_epochs: int = 3
    prune_epochs: int = 1
    xbar_epochs: int = 1
    figure6_sparsities: Tuple[float, ...] = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95)
    figure6_bits: Tuple[int, ...] = (4, 8, 16)
    lr: float = 1e-3
    batch_size: int = 128
    dataset: str = "fashion-mnist"
    data_dir: Optional[str] = None
    limit_train: int = 10000
    limit_test: int = 1000


FULL = Settings()
SMOKE = Settings(networks={"lenet5": 0.92, "vgg11bn": 0.925}, dense_epochs=1, figure6_sparsities=(0.0, 0.9),
                 figure6_bits=(4, 8), limit_train=128, limit_test=20)


def _trainer(s: Settings, model: str, method: str, seed: int, epochs: int, init: Optional[str],
             sparsity: float = 0.5, bits: int = 8) -> Trainer:
    return Trainer(TrainOptions(model=model, method=method, epochs=epochs, seed=seed, lr=s.lr, batch_size=s.batch_size,
                                sparsity=sparsity, prune_epoch=0, init=Path(init) if init else None, quiet=True,
                                hw=HwConfig(weight_bits=bits, xbar_rows=s.xbar, xbar_cols=s.xbar)))


def _fit(t: Trainer, s: Settings) -> Trainer:
    t.train(*data(s.dataset, s.data_dir, s.limit_train, s.limit_test))
    return t


def dense(s: Settings, model: str, seed: int, state: str) -> Dict:
    t = _fit(_trainer(s, model, "none", seed, s.dense_epochs, None), s)
    save_checkpoint({"model": t.model.state_dict()}, state)
    return {"accuracy": test_accuracy(t.model, s)}


def normal_prune(s: Settings, model: str, seed: int, dense_state: str, state: str, weights: str) -> Dict:
    t = _fit(_trainer(s, model, "pruned", seed, s.prune_epochs, dense_state, sparsity=s.networks[model]), s)
    save_checkpoint({"model": t.model.state_dict()}, state)
    export(t.model, weights, f"{model}-pruned", (1, 28, 28))
    return {"accuracy": test_accuracy(t.model, s), "weights_pruned": 1 - weights_kept(t.model)}


def crossbar_prune(s: Settings, model: str, seed: int, pruned_state: str) -> Dict:
    t = _trainer(s, model, "xbar-prune", seed, s.xbar_epochs, pruned_state, sparsity=s.xbar_fraction)
    # the crossbars the magnitude-pruned network needs, k-means mapped, before crossbar pruning starts
    before = {n: xbar.crossbar_report(l, xbar.kmeans_column_map(xbar.crossbar_matrix(l), l.hw, seed=seed)).__dict__
              for n, l in quant_layers(t.model)}
    _fit(t, s)
    return {"accuracy": test_accuracy(t.model, s), "weights_pruned": 1 - weights_kept(t.model),
            "crossbars": t.crossbar_reports(), "crossbars_before": before}


def figure4(s: Settings, model: str, seed: int, pruned_state: str, work: str, images: int) -> Dict:
    """The pruned network on 64x64 crossbars: dense mapping, and k-means column maps with compact mapping."""
    net = zoo.build(model, hw=HwConfig(xbar_rows=FIGURE4_XBAR, xbar_cols=FIGURE4_XBAR))
    net.load_state_dict(load_checkpoint(pruned_state)["model"])
    maps = {n: xbar.kmeans_column_map(xbar.crossbar_matrix(l), l.hw, seed=seed) for n, l in quant_layers(net)}
    plain, mapped = Path(work) / f"fig4-{model}-s{seed}.safetensors", Path(work) / f"fig4-{model}-s{seed}-kmeans.safetensors"
    export(net, plain, f"{model}-pruned", (1, 28, 28))
    export(net, mapped, f"{model}-pruned-kmeans", (1, 28, 28), column_maps=maps)
    geometry = {"xbar_rows": FIGURE4_XBAR, "xbar_cols": FIGURE4_XBAR}
    runs = {"dense": bitcim_run(plain, {**geometry, "mapping": "dense"}, images),
            "kmeans": bitcim_run(mapped, {**geometry, "mapping": "compact"}, images)}
    return {k: {"utilization": [u for l in r["layers"] for u in l["crossbar_utilization"]],
                "crossbars": sum(l["crossbars"] for l in r["layers"]), "accuracy": r["accuracy"]}
            for k, r in runs.items()}


def figure6(s: Settings, seed: int, bits: int, sparsity: float, dense_state: str) -> Dict:
    """LeNet-5 at `bits`-bit weights: from the 8-bit dense network, pruned to `sparsity` and fine-tuned."""
    t = _fit(_trainer(s, "lenet5", "pruned", seed, s.prune_epochs, dense_state, sparsity=sparsity, bits=bits), s)
    return {"accuracy": test_accuracy(t.model, s)}


def main(argv: Optional[List[str]] = None) -> None:
    a, s = cli.options("mapping", __doc__, argv, FULL, SMOKE)
    work = a.out / "mapping-work"
    try:
        bitcim_binary()
        data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
        steps.hold_settings(work, asdict(s))
        pairs = [(m, seed) for m in s.networks for seed in s.seeds]
        tag = {pr: f"{pr[0]}-s{pr[1]}" for pr in pairs}
        dense_pt = {pr: str(work / f"dense-{tag[pr]}.pt") for pr in pairs}
        pruned_pt = {pr: str(work / f"pruned-{tag[pr]}.pt") for pr in pairs}
        results = steps.run(work, [steps.Step(f"dense-{tag[pr]}", dense, dict(s=s, model=pr[0], seed=pr[1],
                                                                              state=dense_pt[pr])) for pr in pairs],
                            a.jobs, "mapping dense")
        results.update(steps.run(work, [steps.Step(f"pruned-{tag[pr]}", normal_prune, dict(
            s=s, model=pr[0], seed=pr[1], dense_state=dense_pt[pr], state=pruned_pt[pr],
            weights=str(work / f"pruned-{tag[pr]}.safetensors"))) for pr in pairs], a.jobs, "mapping prune"))
        later = [steps.Step(f"xbar-{tag[pr]}", crossbar_prune, dict(s=s, model=pr[0], seed=pr[1],
                                                                    pruned_state=pruned_pt[pr])) for pr in pairs]
        later += [steps.Step(f"figure4-{tag[pr]}", figure4, dict(s=s, model=pr[0], seed=pr[1],
                                                                 pruned_state=pruned_pt[pr], work=str(work),
                                                                 images=min(s.limit_test, 100)))
                  for pr in pairs if pr[0] == "vgg11bn"]
        later += [steps.Step(f"figure6-b{bits}-p{sp:g}-s{seed}", figure6, dict(
            s=s, seed=seed, bits=bits, sparsity=sp, dense_state=dense_pt[("lenet5", seed)]))
            for seed in s.seeds for bits in s.figure6_bits for sp in s.figure6_sparsities]
        results.update(steps.run(work, later, a.jobs, "mapping crossbars and figures"))
    except (ValueError, RuntimeError, KeyError) as e:
        cli.fail("mapping", e)
    settings = {**asdict(s), "seeds": list(s.seeds), "figure6_sparsities": list(s.figure6_sparsities),
                "figure6_bits": list(s.figure6_bits), "figure4_xbar": FIGURE4_XBAR}
    result = {"settings": settings, "steps": results,
              "step_seconds": round(sum(r["seconds"] for r in results.values()), 1),
              "command": cli.command("mapping", argv)}
    cli.finish("mapping", a.out, result, write_page)
