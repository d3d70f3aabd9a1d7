"""`bitcim sweep`: grid of configurations, parallel, resumable; plots from its CSV."""
import csv
import subprocess
from pathlib import Path

import pytest

from bitcim.reports.sweep import pareto_front, plot_sweep

WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "mlp_bitsparse.safetensors"


def sweep(bitcim_bin, out, *extra):
    return subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--adc-bits", "8,8,8,8",
                           "--adc-bits", "1,3,3,3", "--parallel-rows", "128", "--parallel-rows", "16", "--limit", "60",
                           "--jobs", "2", "--out", str(out), *extra], capture_output=True, text=True, timeout=600)


def label(key):
    """A campaign key without the hash of its configuration."""
    return key.rsplit("-", 1)[0]


def test_sweep_writes_csv_resumes_and_plots(bitcim_bin, tmp_path):
    res = sweep(bitcim_bin, tmp_path)
    assert res.returncode == 0, res.stderr
    assert "4 to run" in res.stderr
    rows = list(csv.DictReader(open(tmp_path / "sweep.csv")))
    assert len(rows) == 4
    by_key = {label(r["key"]): r for r in rows}
    # lower ADC resolution costs less ADC energy; fewer parallel rows saturate less
    assert float(by_key["adc1-3-3-3_p128_x128_c2"]["adc_pj"]) < float(by_key["adc8-8-8-8_p128_x128_c2"]["adc_pj"])
    assert float(by_key["adc1-3-3-3_p16_x128_c2"]["saturations_per_image"]) < \
        float(by_key["adc1-3-3-3_p128_x128_c2"]["saturations_per_image"])
    # resume: only the configuration whose report is gone runs again, to the same result
    before = (tmp_path / "sweep.csv").read_text()
    (tmp_path / (by_key["adc1-3-3-3_p16_x128_c2"]["key"] + ".json")).unlink()
    again = sweep(bitcim_bin, tmp_path)
    assert again.returncode == 0 and "3 already done, 1 to run" in again.stderr
    assert (tmp_path / "sweep.csv").read_text() == before
    paths = plot_sweep(tmp_path)
    assert all(p.exists() and p.stat().st_size > 10_000 for p in paths)
    assert any(label(r["key"]) == "adc8-8-8-8_p128_x128_c2" for r in pareto_front(rows))


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


def test_sweep_keys_never_collide(bitcim_bin, tmp_path):
    """[1,13,3,3] and [11,3,3,3] once shared the key adc11333: one point showed the other's
    accuracy and was re-run on every resume."""
    res = subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--adc-bits", "1,13,3,3",
                          "--adc-bits", "11,3,3,3", "--limit", "20", "--jobs", "1", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(open(tmp_path / "sweep.csv")))
    assert sorted(r["adc_bits"] for r in rows) == ["1-13-3-3", "11-3-3-3"]
    assert len({r["key"] for r in rows}) == 2
    for r in rows:
        import json
        report = json.loads((tmp_path / (r["key"] + ".json")).read_text())
        assert "-".join(map(str, report["config"]["adc_bits"])) == r["adc_bits"]
    again = subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--adc-bits", "1,13,3,3",
                            "--adc-bits", "11,3,3,3", "--limit", "20", "--jobs", "1", "--out", str(tmp_path)],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "2 already done, 0 to run" in again.stderr


def test_sweep_refuses_a_directory_in_use_and_absurd_jobs(bitcim_bin, tmp_path):
    import fcntl
    with open(tmp_path / ".bitcim.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a running campaign holds it
        res = sweep(bitcim_bin, tmp_path)
    assert res.returncode == 2 and "is in use by another campaign" in res.stderr
    res = subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--jobs", "1000000",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "--jobs 1000000 exceeds 256" in res.stderr


def test_sweep_takes_the_chip_axes_and_reports_area_latency_and_throughput(bitcim_bin, tmp_path):
    # The MLP needs 16 PEs: 2 tiles of 12 hold one copy; 16 tiles copy fc1 and fc2 (replication on).
    res = subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--adc-bits", "1,3,3,3", "--tiles", "2",
                          "--tiles", "16", "--replication", "on", "--replication", "off", "--limit", "20", "--jobs",
                          "2", "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    rows = {label(r["key"]): r for r in csv.DictReader(open(tmp_path / "sweep.csv"))}
    assert sorted(rows) == ["adc1-3-3-3_p128_x128_c2_t16_norep", "adc1-3-3-3_p128_x128_c2_t16_rep",
                            "adc1-3-3-3_p128_x128_c2_t2_norep", "adc1-3-3-3_p128_x128_c2_t2_rep"]
    small, large = rows["adc1-3-3-3_p128_x128_c2_t2_rep"], rows["adc1-3-3-3_p128_x128_c2_t16_rep"]
    assert (small["tiles"], large["tiles"], large["replication"]) == ("2", "16", "on")
    assert float(large["area_mm2"]) == pytest.approx(8 * float(small["area_mm2"]))  # area scales with the tiles
    # Copies raise throughput on the large chip only; one image's latency stays.
    assert float(large["images_per_s"]) > float(rows["adc1-3-3-3_p128_x128_c2_t16_norep"]["images_per_s"])
    assert float(small["images_per_s"]) == float(rows["adc1-3-3-3_p128_x128_c2_t2_norep"]["images_per_s"])
    assert float(large["chip_latency_ns"]) == pytest.approx(float(small["chip_latency_ns"]))
    paths = plot_sweep(tmp_path, "area", "latency")
    assert tmp_path / "pareto_latency_area.png" in paths and all(p.stat().st_size > 10_000 for p in paths)


def test_pareto_front_on_any_two_axes():
    def row(key, accuracy, energy, area, latency):
        return {"key": key, "accuracy": str(accuracy), "energy_pj_per_image": str(energy), "area_mm2": str(area),
                "chip_latency_ns": str(latency)}
    rows = [row("a", 0.9, 100, 10, 5), row("b", 0.8, 50, 20, 4), row("c", 0.7, 60, 5, 6), row("d", 0.9, 100, 30, 3)]
    assert [r["key"] for r in pareto_front(rows)] == ["b", "a", "d"]  # d ties a on both: neither dominates
    assert [r["key"] for r in pareto_front(rows, "area", "latency")] == ["c", "a", "b", "d"]
    assert [r["key"] for r in pareto_front(rows, "area", "accuracy")] == ["c", "a"]
    with pytest.raises(ValueError, match="before the configured chip"):
        pareto_front([{"key": "old", "accuracy": "0.9", "energy_pj_per_image": "1"}], "area", "accuracy")


def test_sweep_skips_points_that_cannot_exist_with_the_reason(bitcim_bin, tmp_path):
    """README's grid: 128 parallel rows cannot be on 64-row crossbars; one tile cannot hold the
    MLP (bitcim run refuses it). Both are skipped with the reason, the rest runs (#20)."""
    res = subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--adc-bits", "1,3,3,3",
                          "--parallel-rows", "128", "--parallel-rows", "16", "--xbar", "64", "--xbar", "128",
                          "--tiles", "1", "--tiles", "16", "--limit", "10", "--jobs", "2", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    rows = {label(r["key"]): r for r in csv.DictReader(open(tmp_path / "sweep.csv"))}
    assert len(rows) == 8
    impossible = rows["adc1-3-3-3_p128_x64_c2_t16"]
    assert impossible["status"] == "skipped" and impossible["accuracy"] == ""
    assert impossible["reason"] == "parallel rows 128 do not divide crossbar size 64"
    assert "adc1-3-3-3_p128_x64_c2_t16 skipped: parallel rows 128 do not divide crossbar size 64" in res.stderr
    one_tile = rows["adc1-3-3-3_p16_x128_c2_t1"]
    # bitcim run's own refusal, not "run it with bitcim run --config ... to see why"
    assert one_tile["status"] == "skipped" and "tile" in one_tile["reason"] and "see why" not in one_tile["reason"]
    assert "error:" not in one_tile["reason"] and "exit status" not in one_tile["reason"]  # the message, not the line
    assert one_tile["reason"] in res.stderr
    assert rows["adc1-3-3-3_p16_x128_c2_t16"]["status"] == "ok" and float(rows["adc1-3-3-3_p16_x128_c2_t16"]["accuracy"]) > 0.5
    assert [r["status"] for r in rows.values()].count("ok") == 3  # x64 p16 and x128 p128/p16 on 16 tiles
    paths = plot_sweep(tmp_path)  # the plots show the points that ran
    assert all(p.exists() for p in paths)
    # Every point impossible: refused, naming why.
    res = subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--parallel-rows", "128", "--xbar", "64",
                          "--out", str(tmp_path / "none")], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "no point of the grid can exist" in res.stderr and "crossbar size 64" in res.stderr


def test_every_report_names_the_configuration_that_ran(bitcim_bin, tmp_path):
    """--cell-bits 1 slices 8-bit weights into 8 cells: the reports say 1-bit cells and 8 ADCs,
    not cfg.json's default 2 (#20); an ADC list naming 4 slices cannot serve 8 and is skipped."""
    import json
    res = subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--adc-bits", "8,8,8,8", "--adc-bits",
                          "1,3,3,3", "--cell-bits", "1", "--cell-bits", "2", "--limit", "10", "--jobs", "2", "--out",
                          str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    rows = {label(r["key"]): r for r in csv.DictReader(open(tmp_path / "sweep.csv"))}
    assert rows["adc1-3-3-3_p128_x128_c1"]["status"] == "skipped"
    assert "ADC bits 1-3-3-3 name 4 slices" in rows["adc1-3-3-3_p128_x128_c1"]["reason"]
    for key, cells, adcs in (("adc8-8-8-8_p128_x128_c1", 1, [8] * 8), ("adc8-8-8-8_p128_x128_c2", 2, [8] * 4),
                             ("adc1-3-3-3_p128_x128_c2", 2, [1, 3, 3, 3])):
        config = json.loads((tmp_path / (rows[key]["key"] + ".json")).read_text())["config"]
        assert (config["cell_bits"], config["adc_bits"]) == (cells, adcs), key
    run = subprocess.run([str(bitcim_bin), "run", "--weights", str(WEIGHTS), "--cell-bits", "1", "--limit", "5",
                          "--no-baseline", "--json"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["config"]["cell_bits"] == 1


def test_slurm_options_and_refusals_without_a_cluster(bitcim_bin, tmp_path):
    base = [str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--limit", "10", "--out", str(tmp_path)]
    res = subprocess.run(base + ["--partition", "gpu"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "--partition needs --engine slurm" in res.stderr
    # sbatch refuses: its message, exit 2
    sbatch = tmp_path / "sbatch"
    sbatch.write_text("#!/bin/sh\necho 'sbatch: error: invalid partition specified: nope' >&2\nexit 1\n")
    sbatch.chmod(0o755)
    res = subprocess.run(base + ["--engine", "slurm", "--partition", "nope", "--sbatch", str(sbatch)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "invalid partition specified: nope" in res.stderr, res.stderr
    # an array submitted before and still queued: no second submission
    (tmp_path / "slurm" / "jobs").write_text("4242\n")
    squeue = tmp_path / "squeue"
    squeue.write_text("#!/bin/sh\necho 4242\n")
    squeue.chmod(0o755)
    res = subprocess.run(base + ["--engine", "slurm", "--sbatch", str(sbatch), "--squeue", str(squeue)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "Slurm job 4242 still queued or running" in res.stderr, res.stderr
    res = subprocess.run(base + ["--squeue", str(squeue)], capture_output=True, text=True, timeout=60)  # nor a local run
    assert res.returncode == 2 and "Slurm job 4242 still queued or running" in res.stderr, res.stderr
    res = subprocess.run([str(bitcim_bin), "sweep", "--collect", "--out", str(tmp_path / "empty")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "campaign.command" in res.stderr
    # An array that has not run yet (an sbatch that only queues): submitted, then collected as pending.
    queued = tmp_path / "queued"
    sbatch.write_text("#!/bin/sh\necho 77\n")
    res = subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS), "--parallel-rows", "16",
                          "--parallel-rows", "32", "--limit", "10", "--engine", "slurm", "--sbatch", str(sbatch),
                          "--out", str(queued)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and "Slurm job 77" in res.stderr and "--collect --out" in res.stderr, res.stderr
    res = subprocess.run([str(bitcim_bin), "sweep", "--collect", "--out", str(queued)], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(open(queued / "sweep.csv")))
    assert [r["status"] for r in rows] == ["pending"] * 4 and all(r["accuracy"] == "" for r in rows)
    res = subprocess.run([str(bitcim_bin), "faults", "--weights", str(WEIGHTS), "--rates", "0", "--seeds", "1",
                          "--engine", "slurm", "--sbatch", str(sbatch), "--out", str(tmp_path / "fq")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    res = subprocess.run([str(bitcim_bin), "faults", "--collect", "--out", str(tmp_path / "fq")], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 1 and "1 of 1 runs are not finished yet" in res.stderr, res.stderr
