"""The bit-slice L1 paper's Table 1 and Figure 2, with the paper's recipe (issue #18):

    python3 -m bitcim.reproduce table1 [--out results/] [--jobs 2] [--smoke]

The recipe (bitslice_recipe): L1 pretraining, pruning at |w| < 0.01, fine-tuning with the masks
kept with L1, bit-slice L1 straight through floor (the paper's) or the slice-aware surrogate (ours),
each at several strengths alpha over several seeds, on the paper's 784-100-10 MLP and on ours
(784-256-10). The Pruned row is the pruned model itself. Fashion-MNIST by default (MNIST is not
packaged: --dataset mnist --data-dir DIR takes a user's MNIST idx files).
"""
from __future__ import annotations

from typing import List, Optional

from ..reports.table1 import write_page
from . import cli
from .bitslice_recipe import Settings, data, run, summary

FULL = Settings()  # what results/table1.md comes from
SMOKE = Settings(models=("mlp100",), seeds=(0,), pretrain_epochs=1, finetune_epochs=1,
                 alphas={"l1": (40.0,), "bitslice-l1-ste": (0.4,), "bitslice-l1": (0.4,)},
                 limit_train=256, limit_test=200, log_every=2)


def main(argv: Optional[List[str]] = None) -> None:
    a, s = cli.options("table1", __doc__, argv, FULL, SMOKE)
    try:
        data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
        _, results = run(s, "table1", a.out, a.jobs)
    except ValueError as e:
        cli.fail("table1", e)
    cli.finish("table1", a.out, summary(s, results, cli.command("table1", argv)), write_page)
