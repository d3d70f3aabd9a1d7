"""Every Python command refuses bad input with one error line and exit status 2, never a
traceback (#16)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("args,message", [
    (["bitcim.plots", "DEEP"], "nested deeper than 64 levels"),
    (["bitcim.plots", str(ROOT / "README.md")], "not a bitcim report it can plot"),
    (["bitcim.train", "--model", "mlp", "--epochs", "1", "--data-dir", "/no/such/dir"], "no train-images-idx3-ubyte"),
    (["bitcim.evaluate", "--weights", str(ROOT / "weights" / "mlp_bitsparse.safetensors"), "--config", "/no/cfg.json"],
     "cannot open configuration file"),
    (["bitcim.evaluate", "--weights", "/no/w.safetensors"], "No such file"),
    (["bitcim.convert", "--model", "/no/net.py:build", "--state", "x.pt", "--out", "y.safetensors"],
     "cannot build the model"),
    (["bitcim.reproduce", "no-such-experiment"], "unknown experiment 'no-such-experiment'"),
    (["bitcim.reproduce", "table1", "--smoke", "--dataset", "mnist"], "no default directory"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    args = [str(deep) if a == "DEEP" else a for a in args]
    res = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={"PYTHONPATH": str(ROOT / "models")})
    assert res.returncode == 2, res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.stderr
