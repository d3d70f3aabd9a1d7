"""The training library: quantizers with STEs, hardware evaluation, regularizers,
pruning and mapping, export, and a tiny training run."""
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from bitcim.hw.config import HwConfig
from bitcim.hw.crossbar import crossbar_mvm
from bitcim.hw.lfsr import LfsrParams
from bitcim.io.export import export
from bitcim.io.idx import IdxError, read_idx
from bitcim.io.weightfile import load
from bitcim.nn import zoo
from bitcim.nn.layers import QuantConv2d, QuantLinear, set_hardware
from bitcim.train import main as train_main
from bitcim.training import mapping, pruning, regularizers, sparsity


def test_weight_quantizer_round_trip_and_straight_through():
    layer = QuantLinear(16, 4)
    wq, ints, step = layer.quantized_weight()
    assert torch.allclose(wq.double(), ints.double() * step)
    assert ints.abs().max() <= 255
    wq.sum().backward()
    assert torch.equal(layer.weight.grad, torch.ones_like(layer.weight))  # straight through


def test_activation_quantizer_recovers_raw_pixels():
    layer = QuantLinear(4, 2, input_scale=1 / 255)
    pixels = torch.tensor([[0, 1, 128, 255]], dtype=torch.float32)
    _, ints = layer.quantized_input(pixels / 255)
    assert ints.tolist() == [[0, 1, 128, 255]]


@pytest.mark.parametrize("cls,shape", [(QuantLinear, (3, 20)), (QuantConv2d, (2, 3, 7, 7))])
def test_hardware_eval_with_wide_adcs_equals_quantized_float(cls, shape):
    torch.manual_seed(0)
    layer = cls(20, 5) if cls is QuantLinear else cls(3, 4, 3, padding=1)
    layer.act_quant.running_max.fill_(4.0)
    x = torch.rand(*shape) * 4
    layer.eval()
    with torch.no_grad():
        ref = layer(x)
        set_hardware(layer, HwConfig(adc_bits=[16, 16, 16, 16]))
        hw = layer(x)
    assert torch.allclose(hw, ref, atol=1e-4), (hw - ref).abs().max()


def test_hardware_eval_shows_adc_saturation():
    torch.manual_seed(0)
    model = zoo.MLP(hidden=64)
    model.eval()
    x = torch.rand(8, 1, 28, 28)
    with torch.no_grad():
        model.fc2.act_quant.running_max.fill_(float(torch.relu(model.fc1(x.flatten(1))).max()))
        ref = model(x)
        set_hardware(model, HwConfig(adc_bits=[1, 1, 1, 1]))
        low = model(x)
    assert not torch.allclose(low, ref, atol=1e-3)


def test_crossbar_mvm_refuses_out_of_range():
    with pytest.raises(ValueError, match="weights outside"):
        crossbar_mvm(torch.tensor([[256]]), torch.tensor([[1]]), HwConfig())
    with pytest.raises(ValueError, match="inputs outside"):
        crossbar_mvm(torch.tensor([[1]]), torch.tensor([[256]]), HwConfig())
    with pytest.raises(ValueError, match="parallel_rows"):
        HwConfig(parallel_rows=100)
    with pytest.raises(ValueError, match="not a configuration key"):
        HwConfig.from_dict({"xbar_row": 3})


def test_direct_ste_bitslice_gradient_is_the_same_for_every_weight():
    torch.manual_seed(0)
    model = zoo.MLP(hidden=32)
    regularizers.bitslice_l1_ste(model).backward()
    g = model.fc1.weight.grad.abs()
    nonzero = g[g > 0]
    assert torch.allclose(nonzero, nonzero[0].expand_as(nonzero))


def test_surrogate_bitslice_gradient_depends_on_slices():
    torch.manual_seed(0)
    model = zoo.MLP(hidden=32)
    regularizers.bitslice_l1_surrogate(model).backward()
    g = model.fc1.weight.grad
    w = model.fc1.weight
    # some weights are pulled up (toward a rounder value above), others down
    assert bool(((g * w.sign()) < 0).any()) and bool(((g * w.sign()) > 0).any())


def test_sparser_target_clears_the_lowest_slice():
    mag = torch.tensor([0, 1, 2, 63, 65, 96, 255])
    # 96 = slices 1,2,0,0: clearing slice 2 gives 64 or 128, equally near; ties round down
    assert sparsity.sparser_target(mag, 2).tolist() == [0, 0, 0, 64, 64, 64, 252]


def _nearest_sparser(m: int, c: int, top: int) -> int:
    """The rule of sparser_target, one magnitude at a time."""
    if m == 0:
        return 0
    k = 0
    while (m >> (c * k)) & ((1 << c) - 1) == 0:
        k += 1
    unit = 1 << (c * (k + 1))
    down = m // unit * unit
    return down if m - down <= down + unit - m or down + unit > top else down + unit


def test_slice_tables_hold_the_rule_for_every_magnitude():
    for c, bits in ((1, 8), (2, 8), (4, 8), (2, 4), (1, 16), (2, 16)):
        top = (1 << bits) - 1
        mag = torch.arange(top + 1)
        counts = [sum((m >> (c * k)) & ((1 << c) - 1) for k in range(bits // c)) for m in range(top + 1)]
        assert sparsity.slice_count(mag, c, bits).tolist() == counts, (c, bits)
        assert sparsity.sparser_target(mag, c, top).tolist() == [_nearest_sparser(m, c, top) for m in range(top + 1)]
    for bad in (torch.tensor([256]), torch.tensor([-1])):
        with pytest.raises(ValueError, match="outside 0..255"):
            sparsity.sparser_target(bad, 2, 255)
    with pytest.raises(ValueError, match="integers"):
        sparsity.slice_count(torch.tensor([1.0]), 2, 8)


def test_lfsr_masks_follow_the_index_rule():
    model = zoo.MLP(hidden=16)
    masks = pruning.lfsr_masks(model, 0.25, LfsrParams(16, 0xB400, 7))
    assert int(masks["fc1"].sum()) == round(0.25 * 784 * 16)
    again = pruning.lfsr_masks(model, 0.25, LfsrParams(16, 0xB400, 7))
    assert torch.equal(masks["fc1"], again["fc1"])  # regenerable from (width, taps, seed)


def test_kmeans_column_exchange_saves_crossbars():
    torch.manual_seed(1)
    rows, cols, xbar = 64, 64, 16
    # two interleaved column families with disjoint non-zero rows
    m = torch.zeros(rows, cols)
    m[:32, 0::2] = torch.randn(32, 32)
    m[32:, 1::2] = torch.randn(32, 32)
    hw = HwConfig(xbar_rows=xbar, xbar_cols=xbar)
    perm = mapping.kmeans_column_map(m, hw, restarts=2)
    assert sorted(perm.tolist()) == list(range(cols))
    assert mapping.crossbars_needed(m[:, perm], hw) < mapping.crossbars_needed(m, hw)


def test_crossbar_prune_removes_whole_crossbar_rows():
    torch.manual_seed(0)
    layer = QuantLinear(32, 16, hw=HwConfig(xbar_rows=8, xbar_cols=8))
    perm = torch.arange(16)
    pruned = mapping.crossbar_prune(layer, 0.25, perm)
    assert pruned == 0.25 * (32 * 2) * 8  # 64 segments of 8 weights, a quarter go
    segs = layer.weight_mask.t().reshape(32, 2, 8)
    assert bool(((segs.sum(dim=2) == 0) | (segs.sum(dim=2) == 8)).all())


def test_export_is_readable_by_python_and_cpp(tmp_path, bitcim_bin):
    model = zoo.LeNet5()
    path = tmp_path / "lenet.safetensors"
    export(model, path, "lenet5")
    network, tensors = load(path)
    assert [n["name"] for n in network["nodes"] if n["op"] in ("conv2d", "linear")] == ["conv1", "conv2", "fc1",
                                                                                         "fc2", "fc3"]
    assert [n["op"] for n in network["nodes"]].count("max_pool2d") == 2
    res = subprocess.run([str(bitcim_bin), "inspect", "--weights", str(path), "--json"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    layers = json.loads(res.stdout)["layers"]
    assert [l["rows"] for l in layers if "rows" in l] == [25, 150, 400, 120, 84]


def test_resnet20_exports_its_graph(tmp_path):
    out = tmp_path / "r.safetensors"
    train_main(["--model", "resnet20", "--method", "none", "--epochs", "0", "--limit-train", "10", "--limit-test",
                "10", "--quiet", "--out", str(out)])
    network, tensors = load(out)
    ops = [n["op"] for n in network["nodes"]]
    assert ops.count("add") == 9 and ops.count("global_avg_pool") == 1 and ops.count("conv2d") == 21
    assert "affine" not in ops  # every batch norm folded into its convolution
    assert sum(1 for n in network["nodes"] if "scale" in n and n["op"] == "conv2d") == 21


def test_idx_reader_refuses_malformed_files(tmp_path):
    bad = tmp_path / "x-ubyte"
    bad.write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05abc")
    with pytest.raises(IdxError, match="header says"):
        read_idx(bad)
    bad.write_bytes(b"PK\x03\x04")
    with pytest.raises(IdxError, match="bad magic"):
        read_idx(bad)


def test_tiny_training_run_reduces_loss(tmp_path):
    out = tmp_path / "mlp.safetensors"
    summary = train_main(["--model", "mlp", "--method", "bitslice-l1", "--epochs", "2", "--limit-train", "2000",
                          "--limit-test", "500", "--log-every", "5", "--quiet", "--out", str(out)])
    losses = [h["loss"] for h in summary["history"]]
    assert np.mean(losses[-5:]) < np.mean(losses[:3])
    assert summary["test_accuracy"] > 0.5
    assert out.exists() and out.with_suffix(".json").exists()


@pytest.mark.parametrize("name,layers", [("mlp_bitsparse", 2), ("lenet5_bitsparse", 5)])
def test_shipped_weights_load_and_are_bit_sparse(name, layers, bitcim_bin):
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "weights" / f"{name}.safetensors"
    network, tensors = load(path)
    assert sum(1 for n in network["nodes"] if n["op"] in ("conv2d", "linear")) == layers
    res = subprocess.run([str(bitcim_bin), "inspect", "--weights", str(path), "--json"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    largest = max(json.loads(res.stdout)["layers"], key=lambda l: l["rows"] * l["outputs"])
    assert largest["slice_nonzero"][0] < 0.1  # MSB slice almost empty: what lets a 1-bit ADC serve it


def test_a_crafted_checkpoint_cannot_run_code(tmp_path):
    """--init/--resume load with weights_only: a pickle that would run a command is refused
    with one error line and exit 2, and the command never runs."""
    import os
    import pickle
    import subprocess
    import sys

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    with open(tmp_path / "evil.pt", "wb") as f:
        pickle.dump({"model": Evil()}, f)
    for flag in ("--init", "--resume"):
        res = subprocess.run([sys.executable, "-m", "bitcim.train", "--model", "mlp", "--epochs", "1",
                              flag, str(tmp_path / "evil.pt"), "--limit-train", "10", "--limit-test", "10"],
                             capture_output=True, text=True, timeout=300,
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "models")})
        assert res.returncode == 2, res.stderr
        assert "not a checkpoint bitcim loads" in res.stderr and "Traceback" not in res.stderr
        assert not marker.exists()


def test_train_threads_default_to_the_measured_one_and_refuse_zero(monkeypatch):
    """--threads sets torch's intra-op threads; the default is the one measured fastest
    (docs/PERFORMANCE.md: one thread, 3.3x faster than two on a loaded 2-core machine)."""
    from bitcim import train
    args, _ = train.parse_args([])
    assert args.threads == train.DEFAULT_THREADS == 1
    assert train.parse_args(["--threads", "3"])[0].threads == 3
    with pytest.raises(SystemExit):
        train.parse_args(["--threads", "0"])
    seen = []
    monkeypatch.setattr(torch, "set_num_threads", seen.append)
    monkeypatch.setattr(train, "load_dataset", lambda *a: (_ for _ in ()).throw(ValueError("no data here")))
    with pytest.raises(SystemExit):
        train.main(["--threads", "2"])
    assert seen == [2]


def _reference_regularizers(model, prune_masks):
    """The three slice regularizers as written before #15: magnitudes from a second quantization
    (magnitudes_and_step), the real-valued ones from |w * mask| / step."""
    layers = sparsity.quant_layers(model)
    n_total = sum(layer.weight.numel() for _, layer in layers)
    ste, surrogate, net, bit = torch.zeros(()), torch.zeros(()), torch.zeros(()), torch.zeros(())
    for name, layer in layers:
        c, n = layer.hw.cell_bits, layer.hw.weight_bits
        mag, step = sparsity.magnitudes_and_step(layer)
        real = (layer.weight * layer.weight_mask).abs() / step
        value = sparsity.slice_count(mag, c, n).sum().to(torch.float32)
        s = real.sum() * sum(1.0 / (1 << (c * k)) for k in range(n // c))
        ste = ste + value + (s - s.detach())
        s = (real - sparsity.sparser_target(mag, c, (1 << n) - 1).to(torch.float32)).abs().sum()
        surrogate = surrogate + value + (s - s.detach())
        if name in prune_masks:
            net = net + (layer.weight * prune_masks[name]).norm(2)
        pull = (real - sparsity.sparser_target(mag, 1, (1 << n) - 1).to(torch.float32)).abs()
        per_weight = sparsity.slice_count(mag, 1, n).to(torch.float32) + (pull - pull.detach())
        bit = bit + (layer.weight.numel() / n_total) * per_weight.norm(2)
    return {"ste": ste, "surrogate": surrogate, "twofold": 1e-3 * net + 1e-5 * bit}


def _bits(t: torch.Tensor) -> torch.Tensor:
    """A float tensor's bit patterns: equal NaNs (a step far below float32's range) compare equal."""
    return t.view(torch.int64 if t.dtype == torch.float64 else torch.int32)


def _regularizer_values_and_gradients(model, prune_masks, compute):
    out = {}
    for name, value in compute(model, prune_masks).items():
        model.zero_grad()
        value.backward(retain_graph=True)  # the reference's terms share a graph
        out[name] = (value.detach(), [p.grad.clone() for p in model.parameters() if p.grad is not None])
    return out


def test_slice_regularizers_equal_their_requantizing_form_bit_for_bit():
    # The regularizers take the magnitudes from |w * mask| / step (one pass) where the stock dfp
    # quantizer on float32 allows it, else from a second quantization; both must give the same
    # values and gradients: weights at the top of their range (|w| = 2^S, whose magnitude 2^n clamps
    # to 2^n - 1), pruned (masked) weights, steps out of float32's exact range, float64, the sym
    # format and an overridden quantizer (BST-NAS's fixed point).
    from bitcim.nas.fixed_point import FixedPointLinear

    def new(model, masks):
        return {"ste": regularizers.bitslice_l1_ste(model), "surrogate": regularizers.bitslice_l1_surrogate(model),
                "twofold": regularizers.twofold(model, masks, 1e-3, 1e-5)}

    cases = []
    for exponent in (0, -3, 5, -140, 125):  # -140: steps below 2^-149, 0 in float32
        torch.manual_seed(exponent + 200)
        model = zoo.LeNet5(hw=HwConfig(cell_bits=2))
        for i, (_, layer) in enumerate(sparsity.quant_layers(model)):
            with torch.no_grad():
                layer.weight.mul_(2.0 ** exponent)
                layer.weight.view(-1)[0] = -(2.0 ** (exponent - i))  # the layer's max|w|, a power of two
                layer.weight_mask.view(-1)[1::7] = 0
        cases.append(model)
    cases.append(zoo.MLP(hidden=16).double())
    cases.append(zoo.MLP(hidden=16, weight_format="sym"))
    nas = zoo.MLP(hidden=16)
    nas.fc1 = FixedPointLinear(784, 16)
    cases.append(nas)
    patched = zoo.MLP(hidden=16)  # a quantizer replaced on the instance (as bench_training's float bypass)
    stock = patched.fc2.quantized_weight
    patched.fc2.quantized_weight = lambda: (lambda wq, ints, step: (wq, ints // 2, step))(*stock())
    cases.append(patched)
    for model in cases:
        masks = {name: (torch.rand_like(layer.weight) < 0.5).to(layer.weight.dtype)
                 for name, layer in sparsity.quant_layers(model)}
        got = _regularizer_values_and_gradients(model, masks, new)
        want = _regularizer_values_and_gradients(model, masks, _reference_regularizers)
        for name in got:
            assert torch.equal(_bits(got[name][0]), _bits(want[name][0])), name
            assert len(got[name][1]) == len(want[name][1]) > 0
            assert all(torch.equal(_bits(a), _bits(b)) for a, b in zip(got[name][1], want[name][1])), name
    fast = [layer for model in cases[:5] for _, layer in sparsity.quant_layers(model)]
    assert all(regularizers._stock_dfp(layer) for layer in fast)  # the one-pass form is what is checked
    assert not any(regularizers._stock_dfp(layer) for layer in (nas.fc1, cases[6].fc1, patched.fc2))
