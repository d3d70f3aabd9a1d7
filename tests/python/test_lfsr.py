import json

import pytest

from bitcim.hw.lfsr import LfsrParams, lfsr_next, lfsr_period, lfsr_sequence


def test_step_rule():
    assert lfsr_next(0x1, 0xB400) == 0xB400
    assert lfsr_next(0x2, 0xB400) == 0x1


def test_maximal_period_16bit():
    assert lfsr_period(LfsrParams(16, 0xB400, 0x1)) == 65535


def test_rotation_has_period_width():
    assert lfsr_period(LfsrParams(16, 0x8000, 0x1)) == 16


@pytest.mark.parametrize("width,taps,seed", [(0, 1, 1), (33, 1, 1), (16, 0x10000, 1),
                                             (16, 0, 1), (16, 0xB400, 0)])
def test_refuses_bad_parameters(width, taps, seed):
    with pytest.raises(ValueError, match="lfsr"):
        LfsrParams(width, taps, seed)


def test_matches_shared_vectors(vectors_dir):
    cases = json.loads((vectors_dir / "lfsr.json").read_text())["cases"]
    assert len(cases) >= 16
    for c in cases:
        params = LfsrParams(c["width"], c["taps"], c["seed"])
        assert lfsr_sequence(params, len(c["states"])) == c["states"], c


def test_indices_match_shared_vectors(vectors_dir):
    from bitcim.hw.lfsr import lfsr_indices
    cases = json.loads((vectors_dir / "lfsr.json").read_text())["index_cases"]
    assert len(cases) >= 6
    for c in cases:
        got = lfsr_indices(LfsrParams(c["width"], c["taps"], c["seed"]), c["n"], c["count"])
        assert got == c["indices"]
        assert len(set(got)) == len(got) and max(got, default=0) < c["n"]


def test_indices_refuse_impossible_requests():
    from bitcim.hw.lfsr import lfsr_indices
    with pytest.raises(ValueError):
        lfsr_indices(LfsrParams(16, 0xB400, 1), 10, 11)
    with pytest.raises(ValueError, match="reached only"):
        lfsr_indices(LfsrParams(4, 0xC, 1), 100, 20)


def test_primitive_taps_table_is_maximal_up_to_20_bits():
    from bitcim.hw.lfsr import PRIMITIVE_TAPS
    for width in range(2, 17):
        assert lfsr_period(LfsrParams(width, PRIMITIVE_TAPS[width], 1)) == (1 << width) - 1, width


def test_lfsr_for_positions_reaches_every_index():
    from bitcim.hw.lfsr import lfsr_for_positions, lfsr_indices
    params = lfsr_for_positions(784 * 256, seed=3)
    assert params.width == 19
    chosen = lfsr_indices(params, 784 * 256, 784 * 256 // 2)
    assert len(set(chosen)) == 784 * 256 // 2
