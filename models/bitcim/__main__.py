"""``python3 -m bitcim``: lists the tools; ``--version`` prints the version and git revision."""
import sys

from . import version_line
from .entry import TOOLS


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        print(version_line())
        return 0
    print(version_line())
    print("tools (python3 -m MODULE, or the entry point after `pip install models`):")
    for tool, module in TOOLS.items():
        print(f"  {tool:22s} python3 -m {module.replace('.__main__', '')}")
    return 0 if not sys.argv[1:] or sys.argv[1:] in (["-h"], ["--help"]) else 2


if __name__ == "__main__":
    sys.exit(main())
