"""`bitcim mvm --level cycle`: Verilated SAR ADC controllers in the loop, same results
as golden, latency = golden's plus one sampling cycle per conversion."""
import json
import subprocess

import numpy as np
import pytest

from helpers import write_csv

T_BIT_NS = 0.09765625  # config/technology.json sar_bit_time_ns: the cycle model's clock


def mvm(bitcim_bin, *args):
    return subprocess.run([str(bitcim_bin), "mvm", *map(str, args)], capture_output=True, text=True, timeout=600)



def layer(tmp_path, cfg, outputs=40, inputs=70, batch=2, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.integers(-127, 128, size=(outputs, inputs))
    w[rng.random(w.shape) < 0.5] = 0
    x = rng.integers(0, 256, size=(batch, inputs))
    (tmp_path / "cfg.json").write_text(json.dumps({"xbar_rows": 32, "xbar_cols": 32, **cfg}))
    return ["--matrix", write_csv(tmp_path / "W.csv", w), "--input", write_csv(tmp_path / "x.csv", x),
            "--config", tmp_path / "cfg.json", "--json"]


@pytest.mark.parametrize("cfg", [
    {"adc_bits": [1, 3, 3, 3], "parallel_rows": 16, "columns_per_adc": 8},
    {"adc_bits": [2, 5, 5, 5], "dac_bits": 2, "adc_mode": "scaled"},
    {"cell_bits": 1, "composition": "analog", "adc_bits": [8], "parallel_rows": 8},
    {"sign": "twos", "cell_bits": 4, "adc_bits": [3, 6], "columns_per_adc": 16},
    {"sign": "twos", "composition": "analog", "adc_bits": [7], "adc_mode": "scaled"},
])
def test_cycle_level_equals_golden(bitcim_bin, tmp_path, cfg):
    args = layer(tmp_path, cfg)
    gold, cyc = (mvm(bitcim_bin, *args, "--level", lvl) for lvl in ("golden", "cycle"))
    assert gold.returncode == 0 and cyc.returncode == 0, gold.stderr + cyc.stderr
    g, c = json.loads(gold.stdout), json.loads(cyc.stdout)
    for key in ("output", "adc_conversions", "adc_saturations"):
        assert c[key] == g[key], key
    assert c["energy_pj"]["total"] == pytest.approx(g["energy_pj"]["total"], rel=1e-12)
    assert c["cycle"]["cycles"] > 0 and c["cycle"]["simulated_cycles"] >= c["cycle"]["cycles"]


def test_cycle_latency_is_golden_plus_one_sampling_cycle_per_conversion(bitcim_bin, tmp_path):
    # 8 columns per ADC, 40 outputs: every ADC of the fullest crossbar converts 8 columns per read.
    args = layer(tmp_path, {"adc_bits": [4, 4, 4, 4], "parallel_rows": 16, "columns_per_adc": 8}, batch=3)
    g = json.loads(mvm(bitcim_bin, *args, "--level", "golden").stdout)
    c = json.loads(mvm(bitcim_bin, *args, "--level", "cycle").stdout)
    reads_per_vector = 8 * 2  # 8 input bit-planes x 2 row groups of the fullest 32-row crossbar
    extra_cycles = 3 * reads_per_vector * 8  # vectors x reads x conversions per ADC
    assert c["latency_ns"] == pytest.approx(g["latency_ns"] + extra_cycles * T_BIT_NS, abs=1e-6)


def test_cycle_trace_has_systemc_and_rtl_waveforms(bitcim_bin, tmp_path):
    args = layer(tmp_path, {"adc_bits": [1, 3, 3, 3]}, outputs=4, inputs=20, batch=1)
    res = mvm(bitcim_bin, *args, "--level", "cycle", "--trace", tmp_path / "pe.vcd")
    assert res.returncode == 0, res.stderr
    sc = (tmp_path / "pe_sc.vcd").read_text()
    rtl = (tmp_path / "pe_rtl.vcd").read_text()
    for name in (" adc_clk ", " dac_code ", " done ", " reading "):
        assert name in sc, name
    assert "code_q" in rtl and "idx_q" in rtl


def test_cycle_level_refuses_adcs_wider_than_the_rtl(bitcim_bin, tmp_path):
    args = layer(tmp_path, {"adc_bits": [9, 9, 9, 9]}, outputs=2, inputs=4, batch=1)
    res = mvm(bitcim_bin, *args, "--level", "cycle")
    assert res.returncode == 2 and "at most 8-bit" in res.stderr
