"""The bit-slice L1 paper's Table 1 and Figure 2, with the paper's recipe (issue #18):

    python3 -m bitcim.reproduce table1 [--out results/] [--jobs 2] [--smoke]

The recipe (bitslice_recipe): L1 pretraining, pruning at |w| < 0.01, fine-tuning with the masks
kept with L1, bit-slice L1 straight through floor (the paper's) or the slice-aware surrogate (ours),
each at several strengths alpha over several seeds, on the paper's 784-100-10 MLP and on ours
(784-256-10). The Pruned row is the pruned model itself. Fashion-MNIST by default (MNIST is not
packaged: --dataset mnist --data-dir DIR takes a user's MNIST idx files).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import List, Optional

from ..io.datasets import DATASETS, DEFAULT_DATASET
from ..reports.table1 import write_page
from .bitslice_recipe import Settings, data, run, summary

FULL = Settings()  # what results/table1.md comes from
SMOKE = Settings(models=("mlp100",), seeds=(0,), pretrain_epochs=1, finetune_epochs=1,
                 alphas={"l1": (40.0,), "bitslice-l1-ste": (0.4,), "bitslice-l1": (0.4,)},
                 limit_train=256, limit_test=200, log_every=2)


def parser(prog: str, doc: str) -> argparse.ArgumentParser:
    """The options every recipe experiment takes."""
    p = argparse.ArgumentParser(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("results"), help="directory of the page, its JSON and figures")
    p.add_argument("--jobs", type=int, default=1, help="worker processes of one torch thread each (default 1)")
    p.add_argument("--smoke", action="store_true", help="a seconds-long run of every step on a few images")
    p.add_argument("--dataset", choices=DATASETS, default=DEFAULT_DATASET)
    p.add_argument("--data-dir", type=Path, help="the data set's directory (e.g. a user's MNIST idx files)")
    return p


def main(argv: Optional[List[str]] = None) -> None:
    p = parser("python3 -m bitcim.reproduce table1", __doc__)
    a = p.parse_args(argv)
    if a.jobs < 1:
        p.error("--jobs must be at least 1")
    s = replace(SMOKE if a.smoke else FULL, dataset=a.dataset, data_dir=str(a.data_dir) if a.data_dir else None)
    try:
        data(s.dataset, s.data_dir, s.limit_train, s.limit_test)
        _, results = run(s, "table1", a.out, a.jobs)
    except ValueError as e:  # a missing or malformed data set, a work directory of other settings
        print(f"bitcim.reproduce table1: error: {e}", file=sys.stderr)
        sys.exit(2)
    result = summary(s, results, "python3 -m bitcim.reproduce table1 " + " ".join(sys.argv[2:] if argv is None
                                                                                 else argv))
    (a.out / "table1.json").write_text(json.dumps(result, indent=1) + "\n")
    print(write_page(result, a.out))
    print(f"wrote {a.out / 'table1.json'}, {a.out / 'table1.md'} and its figures", file=sys.stderr)
