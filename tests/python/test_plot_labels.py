"""What the report figures say (#20): a single run's figures name the network and configuration
they show, the per-slice plot is labelled as non-zero ratios, ADC code histograms mark full
scale at 2^bits - 1; a sweep's figures name the network. Checked on the drawn figures (the text
and lines matplotlib holds when each is saved), from small synthetic reports."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bitcim.reports.run import plot_run
from bitcim.reports.sweep import plot_sweep


def layer(name: str, codes: bool):
    l = {"name": name, "crossbars": 2, "crossbar_utilization": [0.1, 0.6], "slice_nonzero": [0.05, 0.2, 0.4, 0.5],
         "energy_pj": {"cells": 1e4, "adc": 3e4, "shift_add": 1e3}}
    if codes:  # [1,3,3,3] ADCs: 2, 8, 8 and 8 codes, some conversions at full scale
        l["adc_codes"] = [[90, 10], [50, 20, 5, 0, 0, 0, 0, 7], [60, 10, 0, 0, 0, 0, 0, 0], [70, 0, 0, 0, 0, 0, 0, 1]]
    return l


def report(codes: bool = True):
    return {"weights": "weights/mlp_bitsparse.safetensors", "level": "tlm", "images": 20, "accuracy": 0.85,
            "config": {"weight_bits": 8, "cell_bits": 2, "input_bits": 8, "dac_bits": 1, "xbar_rows": 128,
                       "xbar_cols": 128, "parallel_rows": 16, "columns_per_adc": 128, "adc_bits": [1, 3, 3, 3],
                       "adc_mode": "clip", "sign": "differential", "composition": "digital", "mapping": "dense"},
            "layers": [layer("fc1", codes), layer("fc2", codes)], "periphery": [{"energy_pj": 500.0}]}


@pytest.fixture
def saved(monkeypatch):
    """Every figure saved, by file name."""
    from matplotlib.figure import Figure
    figures = {}
    real = Figure.savefig

    def savefig(self, path, *a, **kw):
        figures[Path(path).name] = self
        return real(self, path, *a, **kw)
    monkeypatch.setattr(Figure, "savefig", savefig)
    return figures


def suptitle(fig) -> str:
    return fig._suptitle.get_text() if fig._suptitle else ""


def test_run_figures_name_network_and_configuration(tmp_path, saved):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(report()))
    plot_run(path)
    assert sorted(saved) == ["run_adc_codes.png", "run_layers.png", "run_utilization.png"]
    for name, fig in saved.items():
        caption = suptitle(fig)
        for says in ("mlp_bitsparse.safetensors", "tlm level", "20 images", "85.00%", "ADCs [1, 3, 3, 3] (clip)",
                     "16 of 128 rows", "128x128 crossbars", "2-bit cells"):
            assert says in caption, f"{name}: {says!r} not in {caption!r}"

    per_slice = saved["run_layers.png"].axes[0]
    assert "non-zero ratio" in per_slice.get_ylabel().lower()
    assert "non-zero ratio" in per_slice.get_title().lower()
    assert "sparsity" not in per_slice.get_title().lower() + per_slice.get_ylabel().lower()


def test_adc_histograms_mark_full_scale(tmp_path, saved):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(report()))
    plot_run(path)
    axes = saved["run_adc_codes.png"].axes
    assert len(axes) == 4
    for ax, bits in zip(axes, [1, 3, 3, 3]):
        full = 2 ** bits - 1
        marks = [l for l in ax.get_lines() if "full scale" in l.get_label()]
        assert len(marks) == 1, ax.get_title()
        assert list(marks[0].get_xdata()) == [full, full]
        assert f"code {full}" in marks[0].get_label()
        lo, hi = ax.get_xlim()
        assert lo < 0 and hi > full  # the whole code range shows, even codes never reached
        assert f"{bits}-bit" in ax.get_title()


def test_run_without_histograms_has_no_code_figure(tmp_path, saved):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(report(codes=False)))
    assert [p.name for p in plot_run(path)] == ["run_utilization.png", "run_layers.png"]


def test_sweep_figures_name_the_network(tmp_path, saved):
    columns = ["key", "adc_bits", "parallel_rows", "xbar", "cell_bits", "tiles", "replication", "accuracy",
               "energy_pj_per_image", "area_mm2", "chip_latency_ns", "cells_pj", "adc_pj", "shift_add_pj"]
    with open(tmp_path / "sweep.csv", "w", newline="") as f:
        w = csv.DictWriter(f, columns)
        w.writeheader()
        for key, acc, energy in (("a", 0.85, 9e4), ("b", 0.80, 5e4)):
            w.writerow({"key": key, "adc_bits": "1-3-3-3", "parallel_rows": 16, "xbar": 128, "cell_bits": 2,
                        "accuracy": acc, "energy_pj_per_image": energy, "area_mm2": 1.0, "chip_latency_ns": 3000,
                        "cells_pj": 1e4, "adc_pj": 3e4, "shift_add_pj": 1e3})
            (tmp_path / f"{key}.json").write_text(json.dumps(report()))
    plot_sweep(tmp_path)
    assert {"pareto.png", "energy_breakdown.png", "utilization.png", "adc_codes.png"} <= set(saved)
    for name, fig in saved.items():
        assert "mlp_bitsparse.safetensors, tlm level, 20 images, 2 configurations" in suptitle(fig), name
    assert all(any("full scale" in l.get_label() for l in ax.get_lines()) for ax in saved["adc_codes.png"].axes)
