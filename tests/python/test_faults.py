"""`bitcim faults`: fault-injection campaigns, their CSV/JSON/plot, and bad requests."""
import csv
import json
import subprocess
from pathlib import Path

import pytest

from bitcim.reports.faults import plot_faults

WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "mlp_bitsparse.safetensors"


def campaign(bitcim_bin, out, *extra):
    return subprocess.run([str(bitcim_bin), "faults", "--weights", str(WEIGHTS), "--limit", "40", "--jobs", "2",
                           "--out", str(out), *extra], capture_output=True, text=True, timeout=600)


def test_stuck_hrs_campaign_counts_only_changed_cells_and_plots(bitcim_bin, tmp_path):
    res = campaign(bitcim_bin, tmp_path, "--kind", "stuck-hrs", "--rates", "0,0.3", "--seeds", "2")
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(open(tmp_path / "faults.csv")))
    assert [(r["rate"], r["seed"]) for r in rows] == [("0", "1"), ("0", "2"), ("0.3", "1"), ("0.3", "2")]
    clean = subprocess.run([str(bitcim_bin), "run", "--weights", str(WEIGHTS), "--limit", "40", "--json",
                            "--no-baseline"], capture_output=True, text=True, timeout=300)
    assert float(rows[0]["accuracy"]) == json.loads(clean.stdout)["accuracy"]  # rate 0 is the ideal chip
    summary = json.loads((tmp_path / "faults.json").read_text())
    faulty = summary["networks"][0]["points"][1]
    assert faulty["stuck_cells"] > 0
    # A cell stuck at HRS changes only if it held a non-zero level: the share is the
    # non-zero cell fraction, far below 1 for a bit-sparse network.
    assert 0.05 < faulty["stuck_changed_share"] < 0.5
    assert faulty["accuracy_mean"] < summary["networks"][0]["points"][0]["accuracy_mean"]
    assert "4 already done, 0 to run" in campaign(bitcim_bin, tmp_path, "--kind", "stuck-hrs", "--rates", "0,0.3",
                                                  "--seeds", "2").stderr
    # a changed request never reuses a report made for another one
    res = campaign(bitcim_bin, tmp_path, "--kind", "stuck-hrs", "--rates", "0,0.3,0.5", "--seeds", "2")
    assert "4 already done, 2 to run" in res.stderr, res.stderr
    res = subprocess.run([str(bitcim_bin), "faults", "--weights", str(WEIGHTS), "--limit", "30", "--kind", "stuck-hrs",
                          "--rates", "0,0.3", "--seeds", "2", "--out", str(tmp_path)], capture_output=True, text=True,
                         timeout=600)
    assert "0 already done, 4 to run" in res.stderr, res.stderr
    paths = plot_faults(tmp_path)
    assert all(p.exists() and p.stat().st_size > 10_000 for p in paths)


def test_faults_refuses_bad_requests(bitcim_bin, tmp_path):
    for args, message in [(["--rates", "0,x"], "--rates '0,x'"), (["--kind", "cosmic"], "--kind 'cosmic'"),
                          (["--rates", "2"], "above 1"), (["--seeds", "0"], "--seeds"),
                          (["--weights", str(tmp_path / "missing.safetensors")], "missing.safetensors")]:
        res = campaign(bitcim_bin, tmp_path, *args)
        assert res.returncode == 2 and message in res.stderr, (args, res.stderr)


def test_faults_campaign_sets_the_chip_and_reports_its_columns(bitcim_bin, tmp_path):
    res = subprocess.run([str(bitcim_bin), "faults", "--weights", str(WEIGHTS), "--limit", "10", "--jobs", "2",
                          "--rates", "0,0.01", "--seeds", "1", "--tiles", "8", "--xbar", "64", "--replication", "off",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(open(tmp_path / "faults.csv")))
    assert len(rows) == 2
    summary = json.loads((tmp_path / "faults.json").read_text())
    assert summary["config"]["xbar_rows"] == 64 and summary["config"]["parallel_rows"] == 64
    assert summary["config"]["chip"] == {"tiles": 8, "replication": False}
    cell = 0.0002 / (128 * 128)  # ISAAC: a 128 x 128 array in 0.0002 mm^2
    report = json.loads(next(p for p in tmp_path.glob("net0_*_r0_s1*.json")
                             if not p.name.endswith((".job.json", ".cfg.json"))).read_text())
    assert report["area_mm2"]["crossbars"] == pytest.approx(8 * 12 * 8 * 64 * 64 * cell)
    for r in rows:
        assert float(r["area_mm2"]) == pytest.approx(report["area_mm2"]["total"])
        assert float(r["images_per_s"]) > 0 and float(r["chip_latency_ns"]) > 0 and float(r["tops_per_w"]) > 0
    assert all(l["replicas"] == 1 for l in report["chip"]["mapping"]["layers"])


def test_faults_figure_names_the_campaign_and_configuration(tmp_path, monkeypatch):
    """The figure's caption says which campaign and configuration it shows, per network when
    they differ (#20; single runs: D-105)."""
    from matplotlib.figure import Figure
    captions = {}
    real = Figure.savefig

    def savefig(self, path, *a, **kw):
        captions[Path(path).name] = self._suptitle.get_text() if self._suptitle else ""
        return real(self, path, *a, **kw)
    monkeypatch.setattr(Figure, "savefig", savefig)
    cfg = {"weight_bits": 8, "cell_bits": 2, "xbar_rows": 64, "xbar_cols": 64, "parallel_rows": 16,
           "adc_bits": [1, 3, 3, 3], "adc_mode": "clip", "sign": "differential", "composition": "digital",
           "mapping": "dense", "chip": {"tiles": 8, "replication": False}}
    point = {"rate": 0, "accuracy_mean": 0.8, "accuracy": [0.8], "saturations_per_image": 1.0}
    summary = {"kind": "stuck-lrs", "kind_meaning": "cells stuck at LRS", "rates": [0, 0.01], "seeds": 1, "images": 40,
               "level": "tlm", "config": cfg,
               "networks": [{"weights": "w/a.safetensors", "config": cfg, "slice_nonzero": {"fc1": [0.1, 0.2, 0.3, 0.4]},
                             "points": [point, dict(point, rate=0.01)]},
                            {"weights": "w/b.safetensors", "config": dict(cfg, cell_bits=1, adc_bits=[8] * 8),
                             "slice_nonzero": {"fc1": [0.1] * 8}, "points": [point, dict(point, rate=0.01)]}]}
    (tmp_path / "faults.json").write_text(json.dumps(summary))
    plot_faults(tmp_path)
    caption = captions["faults.png"]
    for says in ("stuck-lrs faults", "tlm level", "40 images", "1 fault maps", "a.safetensors: ADCs [1, 3, 3, 3] (clip)",
                 "16 of 64 rows a read", "64x64 crossbars", "8 tiles", "replication off", "2-bit cells",
                 "b.safetensors: ADCs [8, 8, 8, 8, 8, 8, 8, 8]", "1-bit cells"):
        assert says in caption, f"{says!r} not in {caption!r}"
