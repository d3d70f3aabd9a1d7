"""python3 -m bitcim.reproduce NAME ...: runs one of the seed papers' experiments."""
from __future__ import annotations

import importlib
import sys
from typing import List, Optional

from . import EXPERIMENTS


def main(argv: Optional[List[str]] = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip() + "\n\nexperiments: " + ", ".join(EXPERIMENTS) +
              "\n(python3 -m bitcim.reproduce NAME --help for one's options)")
        sys.exit(0 if argv else 2)
    if argv[0] not in EXPERIMENTS:
        print(f"bitcim.reproduce: error: unknown experiment {argv[0]!r}; choose one of {', '.join(EXPERIMENTS)}",
              file=sys.stderr)
        sys.exit(2)
    importlib.import_module(EXPERIMENTS[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    main()
