"""`bitcim sweep`: grid of configurations, parallel, resumable; plots from its CSV."""
import csv
import subprocess
from pathlib import Path

from bitcim.reports.sweep import pareto_front, plot_sweep

WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "mlp_bitsparse.safetensors"


def sweep(bitcim_bin, out, *extra):
    return subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--adc-bits", "8,8,8,8",
                           "--adc-bits", "1,3,3,3", "--parallel-rows", "128", "--parallel-rows", "16", "--limit", "60",
                           "--jobs", "2", "--out", str(out), *extra], capture_output=True, text=True, timeout=600)


def test_sweep_writes_csv_resumes_and_plots(bitcim_bin, tmp_path):
    res = sweep(bitcim_bin, tmp_path)
    assert res.returncode == 0, res.stderr
    assert "4 to run" in res.stderr
    rows = list(csv.DictReader(open(tmp_path / "sweep.csv")))
    assert len(rows) == 4
    by_key = {r["key"]: r for r in rows}
    # lower ADC resolution costs less ADC energy; fewer parallel rows saturate less
    assert float(by_key["adc1333_p128_x128_c2"]["adc_pj"]) < float(by_key["adc8888_p128_x128_c2"]["adc_pj"])
    assert float(by_key["adc1333_p16_x128_c2"]["saturations_per_image"]) < \
        float(by_key["adc1333_p128_x128_c2"]["saturations_per_image"])
    # resume: only the configuration whose report is gone runs again, to the same result
    before = (tmp_path / "sweep.csv").read_text()
    (tmp_path / "adc1333_p16_x128_c2.json").unlink()
    again = sweep(bitcim_bin, tmp_path)
    assert again.returncode == 0 and "3 already done, 1 to run" in again.stderr
    assert (tmp_path / "sweep.csv").read_text() == before
    paths = plot_sweep(tmp_path)
    assert all(p.exists() and p.stat().st_size > 10_000 for p in paths)
    assert any(r["key"] == "adc8888_p128_x128_c2" for r in pareto_front(rows))


def test_sweep_refuses_bad_grids(bitcim_bin, tmp_path):
    res = subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--adc-bits", "1,x,3,3",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "--adc-bits '1,x,3,3'" in res.stderr
    res = subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--parallel-rows", "100",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "do not divide" in res.stderr


def test_run_report_plots_utilization_and_layers(bitcim_bin, tmp_path):
    from bitcim.reports.run import plot_run
    report = tmp_path / "run.json"
    res = subprocess.run([str(bitcim_bin), "run", "--weights", str(WEIGHTS), "--limit", "20", "--json"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    report.write_text(res.stdout)
    import json
    for layer in json.loads(res.stdout)["layers"]:
        assert len(layer["crossbar_utilization"]) == layer["crossbars"]
        assert all(0 <= u <= 1 for u in layer["crossbar_utilization"])
        assert len(layer["slice_nonzero"]) == 4
    paths = plot_run(report)
    assert all(p.exists() and p.stat().st_size > 10_000 for p in paths)
