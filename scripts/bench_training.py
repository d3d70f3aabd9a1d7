#!/usr/bin/python3
"""Training step time with quantization and each sparsity regularizer, as a ratio to a float
step of the same network (issue #15: a QAT step at most 1.5x a float step). A benchmark, not a
test: prints a table.

    PYTHONPATH=models /usr/bin/python3 scripts/bench_training.py [--models mlp lenet5] [--reps 7]

The float step runs the very same modules with their quantizers bypassed (weights and inputs
used as they are), so the ratio is the cost of quantization and regularizers alone. Each
repetition times every variant once, in a random order, in process CPU time on one thread;
the table gives the median of the per-repetition ratios and its spread.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))
from bitcim.nn.layers import quant_layers  # noqa: E402
from bitcim.training.trainer import Trainer, TrainOptions  # noqa: E402

VARIANTS = ("float", "qat", "qat+l1", "qat+bitslice-l1-ste", "qat+bitslice-l1", "qat+twofold")


def bypass_quantizers(model: torch.nn.Module) -> None:
    """Float arithmetic on the same modules: each layer's quantizers return their input."""
    for _, layer in quant_layers(model):
        layer.quantized_input = lambda x, integers=True: (x, None)
        layer.quantized_weight = lambda layer=layer: (layer.weight * layer.weight_mask, None, 1.0)


def stepper(model: str, variant: str, batch: int) -> Callable[[], None]:
    method = variant.split("+", 1)[1] if "+" in variant else "none"
    t = Trainer(TrainOptions(model=model, method=method, epochs=1, quiet=True, sparsity=0.5))
    if variant == "float":
        bypass_quantizers(t.model)
    t.before_epoch()  # twofold draws its LFSR masks here
    t.model.train()
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, 1, 28, 28, generator=gen)
    y = torch.randint(0, 10, (batch,), generator=gen)

    def step() -> None:
        loss = F.cross_entropy(t.model(x), y) + t.regularizer()
        t.opt.zero_grad()
        loss.backward()
        t.opt.step()
    return step


def time_steps(step: Callable[[], None], steps: int) -> float:
    t0 = time.process_time()
    for _ in range(steps):
        step()
    return (time.process_time() - t0) / steps


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", nargs="+", default=["mlp", "lenet5", "resnet20"])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=20, help="steps per timing")
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(1)
    print(f"| model | variant | ms/step (median) | / float (median) | / float (min..max) |")
    print("| --- | --- | ---: | ---: | --- |")
    for model in a.models:
        steps = {v: stepper(model, v, a.batch) for v in VARIANTS}
        for s in steps.values():
            time_steps(s, 3)  # warm-up
        times: Dict[str, List[float]] = {v: [] for v in VARIANTS}
        for _ in range(a.reps):
            for v in random.sample(VARIANTS, len(VARIANTS)):
                times[v].append(time_steps(steps[v], a.steps))
        for v in VARIANTS:
            ratios = [t / f for t, f in zip(times[v], times["float"])]
            print(f"| {model} | {v} | {statistics.median(times[v]) * 1e3:.2f} | {statistics.median(ratios):.2f} | "
                  f"{min(ratios):.2f}..{max(ratios):.2f} |", flush=True)


if __name__ == "__main__":
    main()
