"""Issue #20's packaging: `cmake --install` into a prefix gives a working `bitcim`, libraries,
headers and pkg-config files a program builds against; `bitcim --version` / `bitcim version`
print the version and git revision ("unknown" outside a checkout); models/ installs offline
with pip into a temporary prefix and its entry points run (docs/DECISIONS.md D-100..D-103)."""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

VERSION = (ROOT / "models" / "bitcim" / "VERSION").read_text().strip()
VERSION_LINE = re.compile(r"^bitcim (\d+\.\d+\.\d+) \(git ([0-9a-f]{12}(?:-dirty)?|unknown)\)$")


def run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def check_version_line(text: str) -> str:
    """The version line's revision, after checking its form and version."""
    m = VERSION_LINE.match(text.strip())
    assert m, f"not a version line: {text!r}"
    assert m.group(1) == VERSION
    return m.group(2)


def assert_known_revision(revision: str) -> None:
    if not (ROOT / ".git").exists():
        assert revision == "unknown"
        return
    commit = revision.removesuffix("-dirty")
    assert commit != "unknown", "a build from a git checkout must know its revision"
    # HEAD may have moved since the build (the tree is shared): the commit must exist.
    assert run(["git", "-C", str(ROOT), "cat-file", "-e", commit + "^{commit}"]).returncode == 0, revision


def test_version_flag_and_subcommand(bitcim_bin):
    flag = run([str(bitcim_bin), "--version"])
    sub = run([str(bitcim_bin), "version"])
    assert flag.returncode == 0 and sub.returncode == 0, flag.stderr + sub.stderr
    assert flag.stdout == sub.stdout
    assert_known_revision(check_version_line(flag.stdout))
    # The project's version comes from the one file (CMake's project() reads it).
    cache = (bitcim_bin.parent / "CMakeCache.txt").read_text()
    assert f"CMAKE_PROJECT_VERSION:STATIC={VERSION}" in cache


def version_header(tmp_path: Path, source_dir: Path, revision: str = "") -> str:
    out = tmp_path / "v.h"
    r = run(["cmake", f"-DVERSION_FILE={ROOT / 'models/bitcim/VERSION'}", f"-DSOURCE_DIR={source_dir}",
             f"-DOUT={out}", f"-DREVISION={revision}", "-P", str(ROOT / "cmake/version_info.cmake")])
    assert r.returncode == 0, r.stderr
    return re.search(r'BITCIM_GIT_REVISION "([^"]*)"', out.read_text()).group(1)


def test_revision_unknown_without_git(tmp_path):
    """A tarball (no .git) says unknown, also when unpacked inside some other repository."""
    tarball = tmp_path / "bitcim-0.1.0"
    tarball.mkdir()
    assert version_header(tmp_path, tarball) == "unknown"
    assert version_header(tmp_path, ROOT / "models") == "unknown"  # inside this repo, not its top
    assert version_header(tmp_path, tarball, 'pkg "1"') == "pkg__1_"  # a packager's, kept C-safe
    if (ROOT / ".git").exists():
        assert_known_revision(version_header(tmp_path, ROOT))


def sanitized(build: Path) -> bool:
    return "BITCIM_SANITIZERS:BOOL=ON" in (build / "CMakeCache.txt").read_text()


GOLDEN_PROGRAM = r"""
#include <iostream>
#include "core/crossbar_layer.h"
#include "core/mvm_report.h"
#include "core/technology.h"
int main() {
    bitcim::core::HwConfig cfg;  // the defaults: 8-bit weights in 2-bit cells, 8-bit ADCs
    bitcim::core::IntMatrix w(2, 3);
    w.data = {1, -2, 3, 40, 50, -60};
    bitcim::core::BitSlicedLayer layer(cfg, w);
    auto r = bitcim::core::run_golden(layer, {{7, 8, 9}}, bitcim::core::default_technology());
    std::cout << r.outputs[0][0] << " " << r.outputs[0][1] << "\n";
}
"""

TLM_PROGRAM = r"""
#include <iostream>
#include "core/technology.h"
#include "tlm/tlm_system.h"
int sc_main(int, char**) {
    bitcim::core::HwConfig cfg;
    bitcim::core::IntMatrix w(2, 3);
    w.data = {1, -2, 3, 40, 50, -60};
    auto r = bitcim::run_mvm_tlm(cfg, bitcim::core::default_technology(), w, {{7, 8, 9}}, "");
    std::cout << r.report.outputs[0][0] << " " << r.report.outputs[0][1] << "\n";
    return r.error;
}
"""


def test_cmake_install_and_pkg_config(bitcim_bin, tmp_path):
    build = bitcim_bin.parent
    prefix = tmp_path / "prefix"
    r = run(["cmake", "--install", str(build), "--prefix", str(prefix)])
    assert r.returncode == 0, r.stdout + r.stderr
    installed = prefix / "bin" / "bitcim"
    out = run([str(installed), "--version"])
    assert out.returncode == 0 and check_version_line(out.stdout)
    assert run([str(installed), "version"]).stdout == out.stdout
    pcdirs = list(prefix.glob("lib*/**/pkgconfig"))
    assert len(pcdirs) == 1, pcdirs
    libdir = pcdirs[0].parent
    for lib in ("core", "io", "network", "components", "sim", "tlm", "cycle"):
        assert (libdir / f"libbitcim_{lib}.a").is_file(), lib
    include = prefix / "include" / "bitcim"
    for header in ("core/hw_config.h", "io/weight_file.h", "network/network.h", "tlm/chip.h",
                   "cycle/pe_cycle.h", "sim/simulation.h", "components/sar_adc.h"):
        assert (include / header).is_file(), header
    assert not (include / "app").exists()  # the command line's headers stay private
    assert (prefix / "share" / "bitcim" / "technology.json").is_file()

    # The pkg-config files find the prefix from where they lie (--prefix at install time only).
    env = dict(os.environ, PKG_CONFIG_PATH=str(pcdirs[0]))
    mod = run(["pkg-config", "--modversion", "bitcim", "bitcim-systemc"], env=env)
    assert mod.stdout.split() == [VERSION, VERSION], mod.stderr
    flags = run(["pkg-config", "--cflags", "--libs", "bitcim-systemc"], env=env).stdout
    includes = [Path(w[2:]).resolve() for w in flags.split() if w.startswith("-I")]
    assert include in includes, flags
    # A sanitized build's libraries carry their flags in the .pc file: nothing to add here.
    assert ("-fsanitize=address,undefined" in flags) == sanitized(build), flags
    compiles = []
    for name, source, pkg in (("golden", GOLDEN_PROGRAM, "bitcim"), ("tlm", TLM_PROGRAM, "bitcim-systemc")):
        (tmp_path / f"{name}.cpp").write_text(source)
        cmd = (f"c++ -std=c++17 -O0 {name}.cpp -o {name} "
               f"$(pkg-config --cflags --libs {pkg})")
        compiles.append((name, subprocess.Popen(["sh", "-c", cmd], cwd=tmp_path, env=env,
                                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
    # W x = (7 - 16 + 27, 280 + 400 - 540) with the default 8-bit ADCs: exact.
    for name, proc in compiles:
        log, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{name} did not build against the installed bitcim:\n{log}"
        ran = run([str(tmp_path / name)], env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.split()[-2:] == ["18", "140"], ran.stdout


def main_modules() -> set:
    """Every `python3 -m bitcim.X` the package has (a module with `if __name__ == "__main__"`)."""
    found = set()
    for path in (ROOT / "models" / "bitcim").rglob("*.py"):
        if any(isinstance(n, ast.If) and "__main__" in ast.unparse(n.test) for n in ast.parse(path.read_text()).body):
            rel = path.relative_to(ROOT / "models").with_suffix("")
            found.add(".".join(rel.parts))
    return found


def test_every_tool_has_an_entry_point():
    import tomllib
    from bitcim.entry import TOOLS
    modules = main_modules() - {"bitcim.__main__"}
    assert set(TOOLS.values()) == modules
    scripts = tomllib.loads((ROOT / "models" / "pyproject.toml").read_text())["project"]["scripts"]
    assert set(scripts) == set(TOOLS)
    for name, target in scripts.items():
        assert target == f"bitcim.entry:{name.removeprefix('bitcim-').replace('-', '_')}"


@pytest.mark.parametrize("editable", [True, False], ids=["editable", "copy"])
def test_pip_install_offline(tmp_path, editable):
    """README's install: `pip install --no-build-isolation --no-deps [-e] models` with Debian's
    setuptools into a venv that sees Debian's torch (--system-site-packages; the venv's python
    runs Debian's pip), with no index and no network; the entry points run."""
    source = ROOT / "models"
    if not editable:  # a build writes into the source tree (build/, egg-info): use a copy
        source = tmp_path / "models"
        shutil.copytree(ROOT / "models", source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    venv = tmp_path / "venv"
    r = run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", "--without-pip", str(venv)])
    assert r.returncode == 0, r.stderr
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    cmd = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps"] + \
        (["-e"] if editable else []) + [str(source)]
    r = run(cmd, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    bindir = venv / "bin"
    out = run([str(bindir / "bitcim-plots"), "--help"], env=env, cwd=tmp_path)
    assert out.returncode == 0 and "sweep or faults directory" in out.stdout, out.stderr
    for tool in ("bitcim-train", "bitcim-nas", "bitcim-convert"):
        v = run([str(bindir / tool), "--version"], env=env, cwd=tmp_path)
        assert v.returncode == 0 and v.stdout.startswith(f"{tool} {VERSION} (git "), v.stdout + v.stderr
    # The package found is the installed one; a copy knows no git revision.
    where = run([str(bindir / "python"), "-c", "import bitcim; print(bitcim.__file__, bitcim.__version__)"],
                env=env, cwd=tmp_path).stdout.split()
    assert where[1] == VERSION
    assert Path(where[0]).is_relative_to(ROOT / "models" if editable else venv), where
    if not editable:
        assert run([str(bindir / "bitcim-train"), "--version"], env=env, cwd=tmp_path).stdout.strip() \
            == f"bitcim-train {VERSION} (git unknown)"
    assert not list((ROOT / "models").glob("*.egg-info")), "the install left egg-info in the tree"
