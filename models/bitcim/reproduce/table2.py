"""The bit-slice L1 paper's Table 2 (VGG-11 and ResNet-20), with the paper's recipe, and the ADC
resolution each network then tolerates on the hardware model (issue #18):

    python3 -m bitcim.reproduce table2 [--out results/] [--jobs 2] [--smoke]

The recipe of Table 1 (bitslice_recipe) on the zoo's VGG-11 with batch norm and ResNet-20 for
1x28x28 Fashion-MNIST (the paper: CIFAR-10; `--dataset cifar10 --data-dir DIR` is not offered
because the zoo's stems are 1-channel). Then every fine-tuned network is exported (batch norm
folded) and run through `bitcim run` (golden) with 8-bit ADCs on every slice and with [1,3,3,3]
ADCs, on the test images PyTorch's accuracy is measured on: the accuracy the bit-slice
sparsity keeps at low ADC resolution.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from ..io.export import export
from ..nn import zoo
from ..reports.table2 import write_page
from ..training.checkpoint import load_checkpoint
from . import cli, steps
from .bitslice_recipe import METHODS, Settings, data, finetuned_state, run, summary
from .hardware import bitcim_binary, bitcim_run

ADCS = {"adc8": {"adc_bits": [8, 8, 8, 8]}, "adc1333": {"adc_bits": [1, 3, 3, 3]}}
FULL = Settings(models=("vgg11bn", "resnet20"), seeds=(0, 1, 2), pretrain_epochs=3, finetune_epochs=2,
                alphas={"l1": (40.0, 160.0), "bitslice-l1-ste": (0.4, 1.6), "bitslice-l1": (0.4, 1.6)},
                limit_train=10000, limit_test=2000)
SMOKE = Settings(models=("resnet20",), seeds=(0,), pretrain_epochs=1, finetune_epochs=1,
                 alphas={"l1": (40.0,), "bitslice-l1-ste": (0.4,), "bitslice-l1": (0.4,)},
                 limit_train=128, limit_test=20, log_every=1)


def on_hardware(model: str, state: str, weights: str, images: int) -> Dict:
    """Exports one fine-tuned network and runs it on the model with each ADC configuration."""
    net = zoo.build(model)
    net.load_state_dict(load_checkpoint(state)["model"])
    export(net, weights, f"{model}-table2", (1, 28, 28))
    runs = {name: bitcim_run(weights, cfg, images) for name, cfg in ADCS.items()}
    return {name: {"accuracy": r["accuracy"], "images": r["images"], "energy_pj": r["energy_pj"]}
            for name, r in runs.items()}


def main(argv: Optional[List[str]] = None) -> None:
    a, s = cli.options("table2", __doc__, argv, FULL, SMOKE)
    images = s.limit_test  # the images PyTorch's accuracy is measured on
    try:
        bitcim_binary()
        data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
        work, results = run(s, "table2", a.out, a.jobs, keep_states=True)
        hw = [steps.Step(f"hardware-{method}-a{alpha:g}-{m}-s{seed}", on_hardware,
                         dict(model=m, state=str(finetuned_state(work, method, alpha, m, seed)),
                              weights=str(work / f"{method}-a{alpha:g}-{m}-s{seed}.safetensors"), images=images))
              for m in s.models for seed in s.seeds for method in METHODS for alpha in s.alphas[method]]
        results.update(steps.run(work, hw, a.jobs, "table2 hardware"))
    except (ValueError, RuntimeError) as e:
        cli.fail("table2", e)
    result = summary(s, results, cli.command("table2", argv))
    result["hardware"] = {"images": images, "level": "golden", "adcs": ADCS}
    cli.finish("table2", a.out, result, write_page)
