"""The seed papers' experiments (`python3 -m bitcim.reproduce`, #18): smoke runs of every step,
resuming, refusing a work directory of other settings, and the recipe's pieces."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from bitcim.nn import zoo
from bitcim.nn.layers import quant_layers
from bitcim.training import regularizers
from bitcim.training.pruning import real_threshold_prune
from bitcim.training.trainer import Trainer, TrainOptions

ROOT = Path(__file__).resolve().parents[2]


def reproduce(*args, cwd, bitcim_bin=None, timeout=600):
    env = {"PYTHONPATH": str(ROOT / "models")}
    if bitcim_bin is not None:
        env["BITCIM_BIN"] = str(bitcim_bin)
    return subprocess.run([sys.executable, "-m", "bitcim.reproduce", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=env)


def test_table1_smoke_runs_resumes_and_refuses_other_settings(tmp_path):
    first = reproduce("table1", "--smoke", "--out", str(tmp_path), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    for name in ("table1.md", "table1.json", "table1_frontier.png", "figure2.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    result = json.loads((tmp_path / "table1.json").read_text())
    steps = result["steps"]
    assert set(steps) == {"pretrain-mlp100-s0", "pruned-mlp100-s0", "l1-a40-mlp100-s0",
                          "bitslice-l1-ste-a0.4-mlp100-s0", "bitslice-l1-a0.4-mlp100-s0"}
    assert 0 < steps["pruned-mlp100-s0"]["weights_kept"] < 1
    page = (tmp_path / "table1.md").read_text()
    assert "| BL1 | 97.67% | 0.84% |" in page  # the paper's row beside ours
    assert "784-100-10 (the paper's)" in page

    again = reproduce("table1", "--smoke", "--out", str(tmp_path), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "3 steps, 3 already done, 0 to run" in again.stderr
    assert json.loads((tmp_path / "table1.json").read_text())["steps"] == steps

    other = reproduce("table1", "--out", str(tmp_path), cwd=tmp_path)  # FULL settings on smoke steps
    assert other.returncode == 2 and "holds steps run with other settings" in other.stderr
    assert "Traceback" not in other.stderr


def test_real_threshold_prune_masks_exactly_the_small_weights():
    net = zoo.build("mlp100")
    real_threshold_prune(net, 0.01)
    for _, layer in quant_layers(net):
        assert torch.equal(layer.weight_mask, (layer.weight.abs() >= 0.01).float())
    assert 0 < float(net.fc1.weight_mask.mean()) < 1


def test_normalize_divides_by_weights_for_l1_and_by_slices_for_bitslice_l1():
    n = sum(l.weight.numel() for _, l in quant_layers(zoo.build("mlp100")))
    for method, raw, count in (("l1", regularizers.l1, n), ("bitslice-l1-ste", regularizers.bitslice_l1_ste, 4 * n)):
        plain = Trainer(TrainOptions(model="mlp100", method=method, alpha=1.0))
        normed = Trainer(TrainOptions(model="mlp100", method=method, alpha=1.0, normalize=True))
        assert float(plain.regularizer()) == pytest.approx(float(raw(plain.model)))
        assert float(normed.regularizer()) == pytest.approx(float(raw(normed.model)) / count)


def test_sgd_and_refusals():
    t = Trainer(TrainOptions(model="mlp100", method="l1", optimizer="sgd", lr=0.01, momentum=0.5))
    assert isinstance(t.opt, torch.optim.SGD) and t.opt.defaults["momentum"] == 0.5
    with pytest.raises(ValueError, match="unknown optimizer"):
        Trainer(TrainOptions(method="l1", optimizer="rmsprop"))
    with pytest.raises(ValueError, match="normalize applies"):
        Trainer(TrainOptions(method="twofold", normalize=True))


def test_table2_smoke_runs_the_fine_tuned_networks_on_the_model(tmp_path, bitcim_bin):
    res = reproduce("table2", "--smoke", "--out", str(tmp_path), cwd=tmp_path, bitcim_bin=bitcim_bin, timeout=900)
    assert res.returncode == 0, res.stderr
    result = json.loads((tmp_path / "table2.json").read_text())
    hw = result["steps"]["hardware-bitslice-l1-a0.4-resnet20-s0"]
    assert hw["adc8"]["images"] == hw["adc1333"]["images"] == result["settings"]["limit_test"]
    # Fewer ADC bits on the three low slices cost conversions energy: the runs really differ in configuration.
    assert hw["adc1333"]["energy_pj"]["adc"] < hw["adc8"]["energy_pj"]["adc"]
    assert "| ResNet-20 | BL1 | 89.66% |" in (tmp_path / "table2.md").read_text()
    assert (tmp_path / "table2_adcs.png").stat().st_size > 0


def test_table2_names_a_missing_program(tmp_path):
    res = reproduce("table2", "--smoke", "--out", str(tmp_path), cwd=tmp_path, bitcim_bin=tmp_path / "no-bitcim",
                    timeout=120)
    assert res.returncode == 2 and "no bitcim program" in res.stderr and "Traceback" not in res.stderr


def test_twofold_smoke_counts_lfsr_energy_only_where_weights_were_pruned(tmp_path, bitcim_bin):
    res = reproduce("twofold", "--smoke", "--out", str(tmp_path), cwd=tmp_path, bitcim_bin=bitcim_bin, timeout=900)
    assert res.returncode == 0, res.stderr
    steps = json.loads((tmp_path / "twofold.json").read_text())["steps"]
    assert steps["post-0.5-s0"]["network_sparsity"] == pytest.approx(0.5, abs=0.01)
    assert steps["post-0-s0"]["network_sparsity"] == 0
    pruned, unpruned = steps["hardware-0.5-s0"]["adc8"], steps["hardware-0-s0"]["adc8"]
    assert pruned["lfsr_steps"] > 0 and pruned["energy_pj"]["lfsr"] > 0
    assert unpruned["lfsr_steps"] == 0 and unpruned["energy_pj"]["lfsr"] == 0
    assert "up to 5x" in (tmp_path / "twofold.md").read_text()
    for name in ("twofold_accuracy.png", "twofold_energy.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_twofold_energy_by_state_must_add_up_to_what_the_program_counted():
    from bitcim.reports.twofold import components
    run = {"images": 1, "cell_reads": [10, 0, 0, 1], "energy_pj": {
        "cells": 10 * 0.079 + 1.49, "adc": 1.0, "lfsr": 0.5, "programming": 7.0,
        "dac": 0, "shift_add": 0, "buffers": 0, "periphery": 0, "control": 0}}
    result = {"cell_read_energy_pj": [0.079, 0.36, 0.73, 1.49]}
    assert components(run, result)["total"] == pytest.approx((10 * 0.079 + 1.49 + 1.5) / 1e3)
    run["energy_pj"]["cells"] += 1.0  # a program that ran with other figures
    with pytest.raises(ValueError, match="not the technology the program ran with"):
        components(run, result)


def test_mapping_smoke_prunes_crossbars_and_reads_utilization_from_the_model(tmp_path, bitcim_bin):
    res = reproduce("mapping", "--smoke", "--out", str(tmp_path), cwd=tmp_path, bitcim_bin=bitcim_bin, timeout=900)
    assert res.returncode == 0, res.stderr
    steps = json.loads((tmp_path / "mapping.json").read_text())["steps"]
    for net, sparsity in (("lenet5", 0.92), ("vgg11bn", 0.925)):
        assert steps[f"pruned-{net}-s0"]["weights_pruned"] == pytest.approx(sparsity, abs=0.01)
        # crossbar pruning removes whole crossbar rows on top of the magnitude pruning
        assert steps[f"xbar-{net}-s0"]["weights_pruned"] > steps[f"pruned-{net}-s0"]["weights_pruned"]
        after = sum(r["mapped"] for r in steps[f"xbar-{net}-s0"]["crossbars"].values())
        before = sum(r["mapped"] for r in steps[f"xbar-{net}-s0"]["crossbars_before"].values())
        assert after <= before
    fig4 = steps["figure4-vgg11bn-s0"]
    assert len(fig4["dense"]["utilization"]) == fig4["dense"]["crossbars"]
    assert all(0 <= u <= 1 for u in fig4["kmeans"]["utilization"])
    page = (tmp_path / "mapping.md").read_text()
    assert "| VGG-11-BN | 92.5% |" in page and "LeNet-5 99.23%" in page
    for name in ("mapping_figure4.png", "mapping_figure6.png", "mapping_figure11.png"):
        assert (tmp_path / name).stat().st_size > 0
