"""What every experiment's command line shares: its options, its settings, its errors, its output."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, NoReturn, Optional, Tuple

from ..io.datasets import DATASETS, DEFAULT_DATASET


def options(name: str, doc: str, argv: Optional[List[str]], full: Any, smoke: Any) -> Tuple[argparse.Namespace, Any]:
    """Parses `python3 -m bitcim.reproduce NAME ...`; the settings (FULL or SMOKE) with the data set asked for.
    Every experiment trains the zoo's 1x28x28 networks, so CIFAR-10 is refused."""
    p = argparse.ArgumentParser(prog=f"python3 -m bitcim.reproduce {name}", description=doc,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("results"), help="directory of the page, its JSON and figures")
    p.add_argument("--jobs", type=int, default=1, help="worker processes of one torch thread each (default 1)")
    p.add_argument("--smoke", action="store_true", help="a seconds-long run of every step on a few images")
    p.add_argument("--dataset", choices=DATASETS, default=DEFAULT_DATASET)
    p.add_argument("--data-dir", type=Path, help="the data set's directory (e.g. a user's MNIST idx files)")
    a = p.parse_args(argv)
    if a.jobs < 1:
        p.error("--jobs must be at least 1")
    if a.dataset == "cifar10":
        p.error(f"{name} runs the zoo's 1x28x28 networks: --dataset fashion-mnist, or mnist with --data-dir")
    return a, replace(smoke if a.smoke else full, dataset=a.dataset,
                      data_dir=str(a.data_dir) if a.data_dir else None)


def fail(name: str, error: Exception) -> NoReturn:
    """No data, no program, a work directory of other settings, a failed run: one line, exit 2."""
    print(f"bitcim.reproduce {name}: error: {error}", file=sys.stderr)
    sys.exit(2)


def command(name: str, argv: Optional[List[str]]) -> str:
    return f"python3 -m bitcim.reproduce {name} " + " ".join(sys.argv[2:] if argv is None else argv)


def finish(name: str, out: Path, result: Dict, write_page: Callable[[Dict, Path], str]) -> None:
    """Writes OUT/NAME.json and the page with its figures; prints the page."""
    (out / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(write_page(result, out))
    print(f"wrote {out / (name + '.json')}, {out / (name + '.md')} and its figures", file=sys.stderr)
