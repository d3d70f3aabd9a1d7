"""Console entry points of the installed package (models/pyproject.toml [project.scripts]):
``bitcim-train`` runs ``python3 -m bitcim.train``, and so on for every tool. Each also
answers ``--version`` (the package version and git revision, as ``bitcim --version``)."""
from __future__ import annotations

import importlib
import sys
from typing import Callable, Dict

# entry point name -> module whose main() it runs
TOOLS: Dict[str, str] = {
    "bitcim-train": "bitcim.train",
    "bitcim-convert": "bitcim.convert",
    "bitcim-evaluate": "bitcim.evaluate",
    "bitcim-plots": "bitcim.plots",
    "bitcim-nas": "bitcim.nas.__main__",
    "bitcim-reproduce": "bitcim.reproduce.__main__",
    "bitcim-savings": "bitcim.savings",
    "bitcim-chip-figures": "bitcim.chip_figures",
    "bitcim-vectors": "bitcim.vectors",
}


def run(tool: str) -> int:
    """Runs TOOLS[tool]'s main() on sys.argv; its exit status (main's int, else 0)."""
    if sys.argv[1:] == ["--version"]:
        from . import version_line
        print(version_line(tool))
        return 0
    result = importlib.import_module(TOOLS[tool]).main()
    # Some tools return their summary (a dict): that is a success, not an exit status.
    return result if isinstance(result, int) else 0


def _entry(tool: str) -> Callable[[], int]:
    def entry() -> int:
        return run(tool)
    entry.__name__ = tool.replace("-", "_")
    entry.__doc__ = f"{tool}: python3 -m {TOOLS[tool].replace('.__main__', '')}"
    return entry


train = _entry("bitcim-train")
convert = _entry("bitcim-convert")
evaluate = _entry("bitcim-evaluate")
plots = _entry("bitcim-plots")
nas = _entry("bitcim-nas")
reproduce = _entry("bitcim-reproduce")
savings = _entry("bitcim-savings")
chip_figures = _entry("bitcim-chip-figures")
vectors = _entry("bitcim-vectors")
