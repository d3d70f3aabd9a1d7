import json

import torch

from bitcim.hw.quant import ceil_log2, quantize_dfp, quantize_sym, slice_of, twos_pattern


def test_ceil_log2_exact():
    assert ceil_log2(1.0) == 0
    assert ceil_log2(0.5) == -1
    assert ceil_log2(0.75) == 0
    assert ceil_log2(4.000001) == 3


def test_dfp_paper_equations():
    q, step_log2 = quantize_dfp(torch.tensor([0.75, -0.1, 0.0, 0.0624]), 4)
    assert step_log2 == -4
    assert q.tolist() == [12, -1, 0, 0]
    assert quantize_dfp(torch.tensor([1.0]), 8)[0].tolist() == [255]


def test_dfp_codes_fit_in_n_bits():
    w = torch.randn(1000) * 3
    q, _ = quantize_dfp(w, 8)
    assert q.abs().max() <= 255


def test_sym_rounds_half_away_from_zero():
    q, scale = quantize_sym(torch.tensor([1.0, 0.5 / 7, -1.5 / 7, 0.0]), 4)
    assert q[0] == 7 and q[3] == 0
    assert abs(scale - 1 / 7) < 1e-15


def test_slices_and_pattern():
    w = torch.tensor([0b11100100])
    assert [int(slice_of(w, k, 2)) for k in range(4)] == [0, 1, 2, 3]
    assert int(twos_pattern(torch.tensor(-1), 8)) == 0xFF


def test_matches_shared_vectors(vectors_dir):
    cases = json.loads((vectors_dir / "quant.json").read_text())["cases"]
    assert len(cases) >= 8
    for c in cases:
        w = torch.tensor(c["weights"], dtype=torch.float32)
        dfp, step_log2 = quantize_dfp(w, c["bits"])
        sym, scale = quantize_sym(w, c["bits"])
        assert dfp.tolist() == c["dfp"] and step_log2 == c["dfp_step_log2"]
        assert sym.tolist() == c["sym"] and scale == c["sym_scale"]
