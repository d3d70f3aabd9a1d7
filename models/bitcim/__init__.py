"""bitcim training library: bit-sparse quantized networks for the ReRAM CIM model.

Library subpackages:

- ``bitcim.hw``: the hardware's arithmetic and its configuration (HwConfig and its
  validator, number formats, LFSR, crossbar and ADC evaluation, whole networks).
- ``bitcim.nn``: quantized layers with straight-through estimators, and the model zoo.
- ``bitcim.training``: sparsity statistics, regularizers, pruning, k-means column
  exchange, the training loop.
- ``bitcim.io``: weight files, idx data, export, the shared test vectors' contents.
- ``bitcim.reports``: tables and figures of the tools' and ``bitcim``'s results.

Command-line tools (``python3 -m bitcim.TOOL``, or the ``bitcim-TOOL`` entry points of
``pip install models``, listed in models/pyproject.toml): train, convert, evaluate, reproduce,
savings, chip_figures, plots, nas, vectors. ``python3 -m bitcim --version`` prints the version.
"""
from pathlib import Path as _Path

# One version for the package and the C++ program: models/bitcim/VERSION, read by CMake,
# by models/pyproject.toml and here (docs/DECISIONS.md D-102).
__version__ = (_Path(__file__).parent / "VERSION").read_text().strip()


def git_revision() -> str:
    """The git revision of the checkout this package runs from ("-dirty" when tracked files
    differ from it), or "unknown" (an installed copy, a tarball, no git)."""
    import subprocess
    root = _Path(__file__).resolve().parent.parent.parent
    if not (root / ".git").exists():
        return "unknown"
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=True, timeout=30).stdout.strip()
    try:
        head = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def version_line(tool: str = "bitcim") -> str:
    """What ``--version`` prints: the tool, the version and the git revision."""
    return f"{tool} {__version__} (git {git_revision()})"
