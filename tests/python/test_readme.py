"""README's commands work as written (#20, docs/DECISIONS.md D-104).

Every fenced block of README.md whose info string is `sh runnable` runs, in README order, as
`bash -eo pipefail` in one scratch directory that looks like a fresh clone after the build
(every top-level entry of the tree linked in, `build` the suite's build directory: the
binary under test), with HOME a scratch directory too and no PYTHONPATH: a marked block that
fails, fails the test. A block marked `text output` right after a runnable block lists lines
its output must contain. Every other `sh` block (usage synopses, long trainings, GTKWave) is
not run, but its `build/bitcim SUB --option` and `-m bitcim.TOOL --option` must name a
subcommand, tool and options that exist (their --help), and no README command or inline
command may run the Python tools with a bare `python3 -m bitcim` (it needs
PYTHONPATH=models or the installed entry points).
"""
from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, NamedTuple, Tuple

import pytest

from conftest import ROOT

README = ROOT / "README.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)


class Block(NamedTuple):
    line: int        # of the opening fence
    info: List[str]  # the info string's words: language, then markers
    text: str


def blocks(text: str) -> List[Block]:
    return [Block(text.count("\n", 0, m.start()) + 1, m.group(1).split(), m.group(2)) for m in FENCE.finditer(text)]


def logical_lines(text: str) -> List[str]:
    """Lines with their backslash continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    return [re.sub(r"(^|\s)#.*$", "", l).strip() for l in joined.splitlines() if re.sub(r"(^|\s)#.*$", "", l).strip()]


def commands(block: Block) -> List[Tuple[str, str, List[str]]]:
    """(kind, name, options) of every bitcim or Python-tool command in a block: kind "bitcim"
    with its subcommand, or "python" with its module (and the nas or reproduce subcommand)."""
    found = []
    for line in logical_lines(block.text):
        for segment in re.split(r"&&|;", line):
            words = segment.split()
            options = sorted({re.sub(r"=.*", "", w.strip("[]")) for w in words if w.strip("[").startswith("--")})
            for i, w in enumerate(words):
                if re.fullmatch(r"(\S*/)?bitcim", w) and i + 1 < len(words):
                    # `bitcim --version`: an option of the program itself ("" = no subcommand)
                    found.append(("bitcim", "" if words[i + 1].startswith("-") else words[i + 1], options))
                elif w == "-m" and i + 1 < len(words) and words[i + 1].startswith("bitcim"):
                    module = words[i + 1]
                    if module in ("bitcim.nas", "bitcim.reproduce") and i + 2 < len(words) \
                            and not words[i + 2].startswith("-"):
                        module += " " + words[i + 2]
                    found.append(("python", module, options))
    return found


SCRATCH_SKIP = {".git", "__pycache__"}


def scratch_clone(tmp_path: Path, build: Path) -> Path:
    work = tmp_path / "clone"
    work.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in SCRATCH_SKIP or entry.name.startswith("build") or entry.name.endswith("-out"):
            continue
        (work / entry.name).symlink_to(entry)
    (work / "build").symlink_to(build)
    return work


def clean_env(home: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BITCIM_BIN")}
    env.update(HOME=str(home), PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               MPLCONFIGDIR=str(home / ".mpl"), SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    return env


def test_readme_has_runnable_blocks_and_they_are_well_formed():
    all_blocks = blocks(README.read_text())
    runnable = [b for b in all_blocks if "runnable" in b.info]
    assert len(runnable) >= 8, "README's runnable examples went missing"
    for b in all_blocks:
        if "output" in b.info:
            before = [o for o in all_blocks if o.line < b.line]
            assert before and "runnable" in before[-1].info, f"README line {b.line}: output of no runnable block"
        if b.info[:1] == ["sh"]:
            assert set(b.info[1:]) <= {"runnable", "synopsis"}, f"README line {b.line}: unknown marker {b.info}"


def test_no_bare_python_module_commands():
    """`python3 -m bitcim.X` fails from a clone (no module named bitcim): commands say
    `PYTHONPATH=models /usr/bin/python3 -m bitcim.X`, or use the bitcim-X entry points."""
    bad = [(n + 1, l) for n, l in enumerate(README.read_text().splitlines())
           if re.search(r"(?<!PYTHONPATH=models /usr/bin/)python3 -m bitcim", l)]
    assert not bad, f"bare python3 -m bitcim in README: {bad}"


def help_text(kind: str, name: str, bitcim_bin: Path, env: Dict[str, str]) -> Tuple[str, str, int, str]:
    if kind == "bitcim":
        cmd = [str(bitcim_bin), *name.split(), "--help"]
    else:
        module, *sub = name.split()
        cmd = ["/usr/bin/python3", "-m", module, *sub, "--help"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    return kind, name, r.returncode, r.stdout + r.stderr


def test_every_readme_command_names_real_subcommands_and_options(bitcim_bin, tmp_path):
    env = clean_env(tmp_path)
    env["PYTHONPATH"] = str(ROOT / "models")
    wanted: Dict[Tuple[str, str], List[Tuple[int, str]]] = {}
    for b in blocks(README.read_text()):
        if b.info[:1] != ["sh"]:
            continue
        for kind, name, options in commands(b):
            for o in options or [""]:
                wanted.setdefault((kind, name), []).append((b.line, o))
    assert ("bitcim", "run") in wanted and ("python", "bitcim.plots") in wanted
    with ThreadPoolExecutor(4) as pool:
        helps = list(pool.map(lambda k: help_text(*k, bitcim_bin, env), wanted))
    problems = []
    for kind, name, rc, text in helps:
        if rc != 0:
            problems.append(f"{kind} {name}: --help exits {rc}: {text[-300:]}")
            continue
        for line, option in wanted[(kind, name)]:
            if option and not re.search(re.escape(option) + r"(?![\w-])", text):
                problems.append(f"README line {line}: {kind} {name} has no option {option}")
    assert not problems, "\n".join(problems)


def test_readme_runnable_blocks_run(bitcim_bin, tmp_path):
    all_blocks = blocks(README.read_text())
    work = scratch_clone(tmp_path, bitcim_bin.parent)
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)
    failures = []
    for i, b in enumerate(all_blocks):
        if "runnable" not in b.info:
            continue
        r = subprocess.run(["bash", "-eo", "pipefail", "-c", b.text], cwd=work, env=env, capture_output=True,
                           text=True, timeout=600)
        output = r.stdout + r.stderr
        if r.returncode != 0:
            failures.append(f"README line {b.line}: exit {r.returncode}\n{b.text}{output[-2000:]}")
            continue
        following = all_blocks[i + 1] if i + 1 < len(all_blocks) else None
        if following is not None and "output" in following.info:
            for expected in following.text.splitlines():
                if expected.strip() and expected.strip() not in output:
                    failures.append(f"README line {following.line}: {expected.strip()!r} not in the output of "
                                    f"line {b.line}'s commands:\n{output[-2000:]}")
    assert not failures, "\n\n".join(failures)
