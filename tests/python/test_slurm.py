"""Sweeps and fault campaigns as Slurm job arrays (#20), on a real one-node Slurm that the
module fixture starts on localhost from Debian's slurm-wlm and munge (slurm_cluster.py) and
stops by pid at the end: the array's collected CSVs equal a local run's, a resubmission runs
only what is not done, and a finished array is collected from the directory alone."""
from __future__ import annotations

import csv
import subprocess
import time
from pathlib import Path

import pytest

from slurm_cluster import SlurmCluster, missing_programs

WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "mlp_bitsparse.safetensors"
# 2 ADCs x 2 row groups x 2 crossbar sizes: 8 points, of which the two with 128 parallel
# rows on 64-row crossbars cannot exist.
GRID = ["--adc-bits", "8,8,8,8", "--adc-bits", "1,3,3,3", "--parallel-rows", "128", "--parallel-rows", "16",
        "--xbar", "64", "--xbar", "128", "--limit", "20"]


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    missing = missing_programs()
    if missing:
        pytest.skip(f"Slurm is not installed (no {', '.join(missing)}): scripts/setup installs slurm-wlm and munge")
    cluster = SlurmCluster(tmp_path_factory.mktemp("slurm"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def bitcim(bitcim_bin, env, *args, timeout=300):
    return subprocess.run([str(bitcim_bin), *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout)


def job_id(stderr: str) -> str:
    line = next(l for l in stderr.splitlines() if ": Slurm job " in l)
    return line.split(": Slurm job ")[1].split()[0]


def wait_for(slurm, job: str, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        out = subprocess.run(["squeue", "-h", "-j", job], env=slurm.env, capture_output=True, text=True)
        if out.returncode == 0 and not out.stdout.strip():
            return
        time.sleep(0.5)
    raise AssertionError(f"Slurm job {job} still queued or running after {timeout} s:\n{slurm.logs()}")


def test_sweep_as_a_job_array_equals_a_local_sweep_and_resumes(bitcim_bin, slurm, tmp_path):
    local = bitcim(bitcim_bin, slurm.env, "sweep", "--weights", WEIGHTS, *GRID, "--jobs", "2", "--out", tmp_path / "local")
    assert local.returncode == 0, local.stderr
    out = tmp_path / "array"
    res = bitcim(bitcim_bin, slurm.env, "sweep", "--weights", WEIGHTS, *GRID, "--engine", "slurm", "--points-per-task",
                 "2", "--partition", "debug", "--time", "5", "--mem", "100M", "--out", out)
    assert res.returncode == 0, res.stderr
    assert "6 configurations, 0 already done, 6 to run" in res.stderr
    assert "a Slurm job array of 3 tasks (2 points a task)" in res.stderr, res.stderr
    assert not (out / "sweep.csv").exists()  # submitted, not waited for
    wait_for(slurm, job_id(res.stderr))
    collected = bitcim(bitcim_bin, slurm.env, "sweep", "--collect", "--out", out)
    assert collected.returncode == 0, collected.stderr + "\n" + "".join(p.read_text() for p in (out / "slurm").glob("*.out"))
    assert (out / "sweep.csv").read_text() == (tmp_path / "local" / "sweep.csv").read_text()
    rows = list(csv.DictReader(open(out / "sweep.csv")))
    assert [r["status"] for r in rows].count("skipped") == 2 and [r["status"] for r in rows].count("ok") == 6

    # Resubmitted with one report gone: one point in one task, waited for, then collected.
    (out / (next(r["key"] for r in rows if r["status"] == "ok") + ".json")).unlink()
    again = bitcim(bitcim_bin, slurm.env, "sweep", "--weights", WEIGHTS, *GRID, "--engine", "slurm", "--wait", "--out", out)
    assert again.returncode == 0, again.stderr
    assert "5 already done, 1 to run" in again.stderr, again.stderr
    assert "submitting 1 points as a Slurm job array of 1 tasks" in again.stderr, again.stderr
    assert (out / "sweep.csv").read_text() == (tmp_path / "local" / "sweep.csv").read_text()


def test_fault_campaign_as_a_job_array_equals_a_local_one(bitcim_bin, slurm, tmp_path):
    args = ["faults", "--weights", WEIGHTS, "--kind", "stuck-hrs", "--rates", "0,0.3", "--seeds", "2", "--limit", "20"]
    local = bitcim(bitcim_bin, slurm.env, *args, "--out", tmp_path / "local")
    assert local.returncode == 0, local.stderr
    res = bitcim(bitcim_bin, slurm.env, *args, "--engine", "slurm", "--wait", "--out", tmp_path / "array")
    assert res.returncode == 0, res.stderr
    assert "a Slurm job array of 1 tasks (4 points a task)" in res.stderr  # 20 images a point: short points share a task
    for name in ("faults.csv", "faults.json"):
        assert (tmp_path / "array" / name).read_text() == (tmp_path / "local" / name).read_text(), name
