"""Train a quantized zoo model with bit-slice sparsity and export it.

    python3 -m bitcim.train --model mlp --method bitslice-l1 --epochs 3 --out weights/mlp.safetensors

Methods: none, l1, bitslice-l1 (slice-aware surrogate), bitslice-l1-ste (direct
straight-through), pruned (magnitude), lfsr-prune, twofold, xbar-prune.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import List, Optional, Tuple

import torch

from .hw.config import HwConfig
from .io.export import export
from .io.datasets import DATASETS, DEFAULT_DATASET, load_dataset
from .nn import zoo
from .training.sparsity import slice_nonzero_ratio
from .training.trainer import METHODS, Trainer, TrainOptions, accuracy


# torch's intra-op threads unless --threads says otherwise: one was measured fastest for the
# zoo's models on 2 cores, loaded or not (docs/PERFORMANCE.md; one thread a core made a
# 100-step run 8x slower on a loaded machine).
DEFAULT_THREADS = 1


def parse_args(argv: Optional[List[str]] = None) -> Tuple[argparse.Namespace, TrainOptions]:
    p = argparse.ArgumentParser(prog="python3 -m bitcim.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=sorted(zoo.MODELS), default="mlp")
    p.add_argument("--method", choices=METHODS, default="bitslice-l1")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--out", type=Path, help="weight file to write (.safetensors); a .json summary goes beside it")
    p.add_argument("--dataset", choices=DATASETS, default=DEFAULT_DATASET)
    p.add_argument("--data-dir", type=Path, help="data set directory (default: fashion-mnist's; cifar10 needs one)")
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
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                   help=f"torch intra-op threads (default {DEFAULT_THREADS}: measured fastest on small models, "
                        "docs/PERFORMANCE.md)")
    a = p.parse_args(argv)
    if a.threads < 1:
        p.error("--threads must be at least 1")
    if a.dataset == "cifar10" and a.data_dir is None:
        p.error("--dataset cifar10 needs --data-dir (the directory of its binary batches)")
    if a.epochs < 0 or not 0 <= a.sparsity < 1:
        p.error("--epochs must be >= 0 and --sparsity in [0, 1)")
    try:
        hw = HwConfig(cell_bits=a.cell_bits, sign=a.sign, xbar_rows=a.xbar, xbar_cols=a.xbar)
    except ValueError as e:
        p.error(str(e))
    opts = TrainOptions(model=a.model, method=a.method, epochs=a.epochs, hw=hw, weight_format=a.weight_format,
                        seed=a.seed, lr=a.lr, batch_size=a.batch_size, alpha=a.alpha, sparsity=a.sparsity,
                        prune_epoch=a.prune_epoch, init=a.init, checkpoint=a.checkpoint, log_every=a.log_every,
                        quiet=a.quiet)
    return a, opts


def main(argv: Optional[List[str]] = None) -> dict:
    args, opts = parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        x, y = load_dataset(args.dataset, args.data_dir, "train")
        x_test, y_test = load_dataset(args.dataset, args.data_dir, "test")
    except ValueError as e:  # a missing or malformed data set: one line, exit 2
        print(f"bitcim.train: error: {e}", file=sys.stderr)
        sys.exit(2)
    if args.limit_train:
        x, y = x[:args.limit_train], y[:args.limit_train]
    if args.limit_test:
        x_test, y_test = x_test[:args.limit_test], y_test[:args.limit_test]
    try:
        trainer = Trainer(opts)
        if args.resume:
            trainer.resume(args.resume)
    except (ValueError, KeyError, RuntimeError) as e:  # a bad --init/--resume file: one line, exit 2
        print(f"bitcim.train: error: {e}", file=sys.stderr)
        sys.exit(2)
    start = time.time()
    trainer.train(x, y, x_test, y_test)
    summary = {"model": args.model, "method": args.method, "epochs": args.epochs, "seed": args.seed,
               "alpha": trainer.alpha, "test_accuracy": accuracy(trainer.model, x_test, y_test),
               "slice_nonzero": slice_nonzero_ratio(trainer.model),
               "seconds": round(time.time() - start, 1), "history": trainer.history,
               "command": "python3 -m bitcim.train " + " ".join(sys.argv[1:] if argv is None else argv)}
    if trainer.column_maps:
        summary["crossbars"] = trainer.crossbar_reports()
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        export(trainer.model, args.out, f"{args.model}-{args.method}", tuple(x.shape[1:]),
               lfsr=trainer.lfsr if trainer.prune_masks else None, column_maps=trainer.column_maps or None)
        args.out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
        torch.save({"model": trainer.model.state_dict()}, args.out.with_suffix(".pt"))
    print(f"test accuracy {summary['test_accuracy']:.4f}; non-zero slices MSB..LSB "
          f"{[round(r, 4) for r in summary['slice_nonzero']]}")
    return summary


if __name__ == "__main__":
    main()
