"""--threads (issue #15, D-090): golden splits images (run) or vectors (mvm) between threads,
and the reports are byte-identical for every thread count: counters, histograms, energy,
and the device-fault noise, whose draws are keyed by vector, not by thread."""
import json
import random
import subprocess
from pathlib import Path

import pytest

WEIGHTS = Path(__file__).resolve().parents[2] / "weights"
FAULTS = {"seed": 11, "stuck_lrs_rate": 0.002, "stuck_hrs_rate": 0.002, "conductance_sigma": [0.02, 0.04, 0.04, 0.06],
          "adc_offset_sigma": 0.3, "adc_noise_sigma": 0.4}


def run(bitcim_bin, *args, timeout=600):
    res = subprocess.run([str(bitcim_bin), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, res.stderr
    return res.stdout


# Several batches a run (250 images: 100, 100, 50; LeNet-5 in 2 MiB: batches of 4 images, and
# one batch at a time fits), so threads take different batches.
@pytest.mark.parametrize("name,limit,cfg,extra", [
    ("lenet5_bitsparse", 30, {"adc_bits": [2, 4, 4, 4], "parallel_rows": 32, "faults": FAULTS},
     ["--no-baseline", "--max-memory", "2"]),
    ("lenet5_bitsparse", 250, {"adc_bits": [1, 3, 3, 3]}, ["--adc-histogram"]),
    ("mlp_bitsparse", 250, {"adc_bits": [1, 3, 3, 3], "faults": FAULTS}, []),
    ("mlp_xbar", 250, {"adc_bits": [2, 4, 4, 4], "mapping": "compact", "faults": FAULTS}, ["--adc-histogram"]),
])
def test_run_report_is_the_same_for_every_thread_count(bitcim_bin, tmp_path, name, limit, cfg, extra):
    (tmp_path / "cfg.json").write_text(json.dumps(cfg))
    base = [bitcim_bin, "run", "--weights", WEIGHTS / f"{name}.safetensors", "--limit", limit, "--config",
            tmp_path / "cfg.json", "--json", *extra]
    reports = {n: run(*base, "--threads", n) for n in (1, 2, 3)}
    assert reports[2] == reports[1] and reports[3] == reports[1]
    # The noise streams are the tlm level's, which simulates on one thread.
    if "faults" in cfg:
        tlm = json.loads(run(*base, "--level", "tlm"))
        golden = json.loads(reports[1])
        assert tlm["predictions"] == golden["predictions"]
        assert [l["adc_saturations"] for l in tlm["layers"]] == [l["adc_saturations"] for l in golden["layers"]]


def test_mvm_is_the_same_for_every_thread_count(bitcim_bin, tmp_path):
    rng = random.Random(3)
    rows, cols, vectors = 40, 300, 37
    (tmp_path / "w.csv").write_text("\n".join(",".join(str(rng.randint(-255, 255) if rng.random() < 0.3 else 0)
                                                       for _ in range(cols)) for _ in range(rows)) + "\n")
    (tmp_path / "x.csv").write_text("\n".join(",".join(str(rng.randint(0, 255)) for _ in range(cols))
                                              for _ in range(vectors)) + "\n")
    (tmp_path / "cfg.json").write_text(json.dumps({"adc_bits": [2, 4, 4, 4], "parallel_rows": 64, "faults": FAULTS}))
    base = [bitcim_bin, "mvm", "--matrix", tmp_path / "w.csv", "--input", tmp_path / "x.csv", "--config",
            tmp_path / "cfg.json", "--json"]
    reports = {n: run(*base, "--threads", n) for n in (1, 2, 3)}
    assert reports[2] == reports[1] and reports[3] == reports[1]
    tlm = json.loads(run(*base, "--level", "tlm"))
    one = json.loads(reports[1])
    assert tlm["output"] == one["output"] and tlm["adc_saturations"] == one["adc_saturations"]


def test_threads_are_not_part_of_a_campaign_job(bitcim_bin, tmp_path):
    """A sweep resumes whatever --threads its runs had: the reports do not depend on it."""
    def sweep(threads):
        return subprocess.run([str(bitcim_bin), "sweep", "--weights", str(WEIGHTS / "mlp_bitsparse.safetensors"),
                               "--adc-bits", "1,3,3,3", "--parallel-rows", "16", "--parallel-rows", "128", "--limit",
                               "120", "--jobs", "1", "--threads", str(threads), "--out", str(tmp_path)],
                              capture_output=True, text=True, timeout=600)
    first = sweep(1)
    assert first.returncode == 0, first.stderr
    reports = {p.name: p.read_text() for p in tmp_path.glob("*.json") if not p.name.endswith(".job.json")}
    # Remove one configuration's report (not its .cfg.json or .job.json), whatever order the directory lists in.
    outcome = sorted(p for p in tmp_path.glob("*.json")
                     if not p.name.endswith((".job.json", ".cfg.json")) and p.name != "sweep.json")
    assert len(outcome) == 2
    outcome[0].unlink()
    again = sweep(2)
    assert again.returncode == 0 and "1 already done, 1 to run" in again.stderr
    assert {p.name: p.read_text() for p in tmp_path.glob("*.json") if not p.name.endswith(".job.json")} == reports


@pytest.mark.parametrize("command", ["run", "mvm", "sweep", "faults"])
def test_threads_must_be_positive(bitcim_bin, command, tmp_path):
    res = subprocess.run([str(bitcim_bin), command, "--threads", "0"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "--threads" in res.stderr
