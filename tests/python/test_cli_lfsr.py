"""The `bitcim lfsr` command-line contract."""
import subprocess

import pytest

from bitcim.hw.lfsr import LfsrParams, lfsr_sequence


def run(bitcim_bin, *args):
    return subprocess.run([str(bitcim_bin), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("level", ["golden", "rtl"])
def test_prints_states_after_each_step(bitcim_bin, level):
    res = run(bitcim_bin, "lfsr", "--width", "16", "--taps", "0xB400", "--seed", "0x1",
              "--count", "20", "--level", level)
    assert res.returncode == 0, res.stderr
    expected = [f"0x{s:X}" for s in lfsr_sequence(LfsrParams(16, 0xB400, 1), 20)]
    assert res.stdout.split() == expected


def test_levels_agree_on_32_bits(bitcim_bin):
    args = ["lfsr", "--width", "32", "--taps", "0xA3000000", "--seed", "0xDEADBEEF", "--count", "500"]
    golden = run(bitcim_bin, *args, "--level", "golden")
    rtl = run(bitcim_bin, *args, "--level", "rtl")
    assert golden.returncode == rtl.returncode == 0
    assert golden.stdout == rtl.stdout
    assert len(golden.stdout.split()) == 500


def test_rtl_trace_writes_both_waveforms(bitcim_bin, tmp_path):
    prefix = tmp_path / "lfsr"
    res = run(bitcim_bin, "lfsr", "--count", "50", "--level", "rtl", "--trace", str(prefix))
    assert res.returncode == 0, res.stderr
    sc_vcd = tmp_path / "lfsr_sc.vcd"
    rtl_vcd = tmp_path / "lfsr_rtl.vcd"
    assert "$var" in sc_vcd.read_text()
    assert "state_q" in rtl_vcd.read_text()
    assert str(sc_vcd) in res.stderr


@pytest.mark.parametrize("args,message", [
    (["--width", "0"], "width 0"),
    (["--width", "33"], "width 33"),
    (["--width", "8", "--taps", "0x1B8"], "wider than width"),
    (["--seed", "0"], "seed 0x0"),
    (["--taps", "zz"], "--taps"),
    (["--level", "spice"], "level"),
])
def test_refuses_bad_arguments_with_status_2(bitcim_bin, args, message):
    res = run(bitcim_bin, "lfsr", *args)
    assert res.returncode == 2
    assert message in res.stderr
    assert res.stdout == ""
