"""`bitcim run` (C++ golden) and the Python twin (bitcim.hw.network, behind bitcim.evaluate) agree image for image."""
import json
import subprocess
from pathlib import Path

import pytest

from bitcim.hw.config import HwConfig
from bitcim.hw.network import predict
from bitcim.io.idx import FASHION_MNIST_DIR, load_idx_dataset
from bitcim.io.weightfile import load

WEIGHTS = Path(__file__).resolve().parents[2] / "weights"


@pytest.mark.parametrize("name,limit,cfg", [
    ("mlp_bitsparse", 300, {}),
    ("mlp_bitsparse", 300, {"adc_bits": [1, 3, 3, 3]}),
    ("mlp_bitsparse", 200, {"adc_bits": [2, 4, 4, 4], "parallel_rows": 32, "adc_mode": "scaled"}),
    ("lenet5_bitsparse", 60, {"adc_bits": [3, 6, 6, 6], "parallel_rows": 16}),
    ("mlp_xbar", 200, {"adc_bits": [1, 3, 3, 3], "mapping": "compact"}),
    ("lenet5_bitsparse", 40, {"adc_bits": [2, 5, 5, 5], "parallel_rows": 32, "xbar_rows": 64, "xbar_cols": 64,
                              "mapping": "compact"}),
])
def test_cpp_run_matches_python_prediction_for_prediction(bitcim_bin, tmp_path, name, limit, cfg):
    (tmp_path / "cfg.json").write_text(json.dumps(cfg))
    res = subprocess.run([str(bitcim_bin), "run", "--weights", str(WEIGHTS / f"{name}.safetensors"), "--limit",
                          str(limit), "--config", str(tmp_path / "cfg.json"), "--json"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    cpp = json.loads(res.stdout)
    x, y = load_idx_dataset(FASHION_MNIST_DIR, "test")
    network, tensors = load(WEIGHTS / f"{name}.safetensors")
    py = predict(network, tensors, HwConfig.from_dict(cfg, "cfg.json"), x[:limit])
    mismatches = sum(a != b for a, b in zip(cpp["predictions"], py))
    assert mismatches == 0
    assert cpp["accuracy"] == pytest.approx(sum(int(p == t) for p, t in zip(py, y[:limit].tolist())) / limit)


def test_run_refuses_a_corrupt_weight_file(bitcim_bin, tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes((WEIGHTS / "mlp_bitsparse.safetensors").read_bytes()[:1000])
    res = subprocess.run([str(bitcim_bin), "run", "--weights", str(bad), "--limit", "5"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2 and "truncated" in res.stderr


FAULTS = {"seed": 3, "stuck_lrs_rate": 0.002, "stuck_hrs_rate": 0.002, "conductance_sigma": [0.02, 0.04, 0.04, 0.06],
          "adc_offset_sigma": 0.3, "adc_noise_sigma": 0.3}


@pytest.mark.parametrize("name,cfg", [("lenet5_bitsparse", {"adc_bits": [2, 4, 4, 4], "parallel_rows": 32}),
                                      ("mlp_bitsparse", {"adc_bits": [1, 3, 3, 3]}),
                                      ("mlp_bitsparse", {"adc_bits": [3, 6, 6, 6], "parallel_rows": 32,
                                                         "faults": FAULTS}),
                                      ("lenet5_bitsparse", {"adc_bits": [3, 6, 6, 6], "adc_mode": "scaled",
                                                            "faults": FAULTS}),
                                      ("mlp_xbar", {"adc_bits": [2, 4, 4, 4], "mapping": "compact",
                                                    "faults": FAULTS})])
def test_tlm_run_equals_golden_run(bitcim_bin, tmp_path, name, cfg):
    """Same predictions, counts, code histograms and energy; with device faults too
    (120 images: the noise stream crosses the 100-image batch boundary)."""
    (tmp_path / "cfg.json").write_text(json.dumps(cfg))
    reports = {}
    for level in ("golden", "tlm"):
        res = subprocess.run([str(bitcim_bin), "run", "--weights", str(WEIGHTS / f"{name}.safetensors"), "--limit",
                              "120", "--config", str(tmp_path / "cfg.json"), "--level", level, "--json",
                              "--adc-histogram", "--no-baseline"],
                             capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr
        reports[level] = json.loads(res.stdout)
    g, t = reports["golden"], reports["tlm"]
    assert t["predictions"] == g["predictions"]
    for lg, lt in zip(g["layers"], t["layers"]):
        assert lt["adc_saturations"] == lg["adc_saturations"] and lt["adc_conversions"] == lg["adc_conversions"]
        assert lt["adc_codes"] == lg["adc_codes"]
        assert [sum(h) for h in lg["adc_codes"]] == lg["adc_conversions"]
        assert lt.get("faults") == lg.get("faults") and ("faults" in lg) == ("faults" in cfg)
        assert lt["energy_pj"]["total"] == pytest.approx(lg["energy_pj"]["total"], rel=1e-12)
    assert t["area_mm2"]["total"] > 0 and t["latency_ns"] > 0
    assert g["area_mm2"] == t["area_mm2"]  # golden reports the area of the chip tlm elaborates


def test_run_reports_savings_against_the_8bit_baseline(bitcim_bin, tmp_path):
    def report(cfg, *extra):
        (tmp_path / "cfg.json").write_text(json.dumps(cfg))
        res = subprocess.run([str(bitcim_bin), "run", "--weights", str(WEIGHTS / "mlp_bitsparse.safetensors"),
                              "--limit", "100", "--config", str(tmp_path / "cfg.json"), "--json", *extra],
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)
    same = report({"adc_bits": [8, 8, 8, 8]})
    assert same["savings"] == {"energy": 1.0, "adc_energy": 1.0, "latency": 1.0}
    assert same["baseline"]["accuracy"] == same["accuracy"]
    low = report({"adc_bits": [1, 3, 3, 3], "parallel_rows": 16})
    assert low["savings"]["adc_energy"] > 1.5  # fewer bits per conversion outweigh 8x more conversions
    assert low["savings"]["latency"] < 1  # but 8 reads per crossbar instead of 1
    assert low["baseline"]["energy_pj"] == same["energy_pj"]
    assert "savings" not in report({"adc_bits": [1, 3, 3, 3]}, "--no-baseline")


def test_cycle_run_equals_golden_run_and_writes_waveforms(bitcim_bin, tmp_path):
    """The cycle level (Verilated SAR ADCs) agrees with golden image for image; its
    latency adds one sampling cycle per conversion, never less than golden's."""
    (tmp_path / "cfg.json").write_text(json.dumps({"adc_bits": [1, 3, 3, 3], "parallel_rows": 64}))
    reports = {}
    for level in ("golden", "cycle"):
        args = [str(bitcim_bin), "run", "--weights", str(WEIGHTS / "mlp_bitsparse.safetensors"), "--limit", "6",
                "--config", str(tmp_path / "cfg.json"), "--level", level, "--json", "--no-baseline"]
        if level == "cycle":
            args += ["--trace", str(tmp_path / "wave.vcd")]
        res = subprocess.run(args, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr
        reports[level] = json.loads(res.stdout)
    g, c = reports["golden"], reports["cycle"]
    assert c["predictions"] == g["predictions"]
    for lg, lc in zip(g["layers"], c["layers"]):
        assert lc["adc_saturations"] == lg["adc_saturations"] and lc["adc_conversions"] == lg["adc_conversions"]
        assert lc["energy_pj"]["total"] == pytest.approx(lg["energy_pj"]["total"], rel=1e-12)
        assert lc["latency_ns"] > lg["latency_ns"]
    assert c["cycle"]["simulated_cycles"] > 0
    rtl = (tmp_path / "wave_rtl.vcd").read_text()
    assert "$var" in rtl and "idx_q" in rtl and "dac_code_o" in rtl
    assert "adc_clk" in (tmp_path / "wave_sc.vcd").read_text()


@pytest.mark.parametrize("args,message", [
    (["--level", "cycle", "--config", "FAULTS"], "device faults are modelled at the golden and tlm levels"),
    (["--level", "golden", "--trace", "x.vcd"], "--trace needs --level tlm or cycle"),
    (["--level", "cycle", "--adc-histogram"], "--adc-histogram is offered at the golden and tlm levels"),
    (["--level", "tlm", "--trace", "/no/such/dir/x.vcd"], "--trace /no/such/dir/x.vcd: directory /no/such/dir does not exist"),
])
def test_run_refuses_what_a_level_cannot_do(bitcim_bin, tmp_path, args, message):
    (tmp_path / "faults.json").write_text(json.dumps({"faults": FAULTS}))
    args = [str(tmp_path / "faults.json") if a == "FAULTS" else a for a in args]
    res = subprocess.run([str(bitcim_bin), "run", "--weights", str(WEIGHTS / "mlp_bitsparse.safetensors"),
                          "--limit", "2", *args], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and message in res.stderr, res.stderr


def test_compact_mapping_saves_crossbars_without_changing_exact_results(bitcim_bin, tmp_path):
    """With ADCs that never saturate, where the rows sit changes nothing in the
    results; compact mapping of the k-means-mapped network then only saves."""
    reports = {}
    for mapping in ("dense", "compact"):
        (tmp_path / "cfg.json").write_text(json.dumps({"mapping": mapping}))
        res = subprocess.run([str(bitcim_bin), "run", "--weights", str(WEIGHTS / "mlp_xbar.safetensors"), "--limit",
                              "50", "--config", str(tmp_path / "cfg.json"), "--json", "--no-baseline"],
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        reports[mapping] = json.loads(res.stdout)
    d, c = reports["dense"], reports["compact"]
    assert c["predictions"] == d["predictions"]
    assert sum(l["crossbars"] for l in c["layers"]) < sum(l["crossbars"] for l in d["layers"])
    assert c["energy_pj"]["total"] < d["energy_pj"]["total"]
    assert c["energy_pj"]["adc"] < d["energy_pj"]["adc"]
    # Utilization is of the crossbars as mapped: one figure a crossbar, the same non-zero cells
    # over fewer crossbars (a report of the logical layout would list the dense crossbars).
    for ld, lc in zip(d["layers"], c["layers"]):
        assert len(ld["crossbar_utilization"]) == ld["crossbars"]
        assert len(lc["crossbar_utilization"]) == lc["crossbars"]
        assert sum(lc["crossbar_utilization"]) == pytest.approx(sum(ld["crossbar_utilization"]), rel=1e-12)
    fill = {k: sum(u for l in r["layers"] for u in l["crossbar_utilization"]) / sum(l["crossbars"] for l in r["layers"])
            for k, r in reports.items()}
    assert fill["compact"] > fill["dense"]


def test_run_python_check_reports_mismatches_and_fails_on_any(bitcim_bin, tmp_path):
    (tmp_path / "cfg.json").write_text(json.dumps({"adc_bits": [1, 3, 3, 3], "mapping": "compact"}))
    args = [str(bitcim_bin), "run", "--weights", str(WEIGHTS / "mlp_xbar.safetensors"), "--limit", "80", "--config",
            str(tmp_path / "cfg.json"), "--python-check", "--json", "--no-baseline"]
    res = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["python"] == {"accuracy": report["accuracy"], "mismatching_predictions": 0}
    # A twin that disagrees (planted: always class 0) must fail the run with exit status 3.
    fake = tmp_path / "fake" / "bitcim"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "evaluate.py").write_text(
        "import json, sys\nn = int(sys.argv[sys.argv.index('--limit') + 1])\n"
        "print(json.dumps({'accuracy': 0.1, 'predictions': [0] * n}))\n")
    import os
    res = subprocess.run(args[:-2], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "BITCIM_MODELS_DIR": str(tmp_path / "fake")})
    assert res.returncode == 3 and "mismatching predictions: " in res.stdout
    assert "mismatching predictions: 0" not in res.stdout
