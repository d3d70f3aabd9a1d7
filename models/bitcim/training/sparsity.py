"""Bit-slice statistics of quantized layers: per-slice non-zero ratios, slice counts, the weights
pruning keeps, and each magnitude's nearest sparser value (what the slice-aware regularizers pull toward).
Slicing follows each layer's HwConfig (weight bits, cell bits, sign)."""
from __future__ import annotations

import functools
from typing import List, Tuple

import torch
from torch import nn

from ..hw.quant import slice_of, twos_pattern
from ..nn.layers import quant_layers


def magnitudes_and_step(layer: nn.Module) -> Tuple[torch.Tensor, float]:
    """|B| (integer magnitudes) of a layer's quantized weights and the real step."""
    _, ints, step = layer.quantized_weight()
    return ints.abs(), step


def slice_count(mag: torch.Tensor, cell_bits: int, weight_bits: int,
                dtype: torch.dtype = torch.int64) -> torch.Tensor:
    """Per weight, the sum of its slice values (slices of `cell_bits` bits); magnitudes below 2^weight_bits.
    `dtype`: the counts' type (float32 holds every one exactly)."""
    return _per_magnitude(_slice_count_table(cell_bits, weight_bits, dtype), mag, "slice_count")


def slice_nonzero_ratio(model: nn.Module) -> List[float]:
    """Fraction of non-zero slices over the whole model, MSB slice first (the paper's Table 1).

    Raises:
        ValueError: the layers are sliced into different numbers of slices.
    """
    nonzero: List[int] = []
    total = 0
    with torch.no_grad():
        for name, layer in quant_layers(model):
            hw = layer.hw
            slices = hw.num_slices
            if not nonzero:
                nonzero = [0] * slices
            if slices != len(nonzero):
                raise ValueError(f"slice_nonzero_ratio: layer {name!r} has {slices} slices, others {len(nonzero)}")
            mag, _ = magnitudes_and_step(layer)
            if hw.sign == "twos":
                mag = twos_pattern(layer.quantized_weight()[1], hw.weight_bits)
            total += mag.numel()
            for k in range(slices):
                nonzero[slices - 1 - k] += int((slice_of(mag, k, hw.cell_bits) != 0).sum())
    return [n / max(total, 1) for n in nonzero]


def weights_kept(model: nn.Module) -> float:
    """The fraction of the quantized layers' weights their pruning masks keep."""
    layers = [l for _, l in quant_layers(model)]
    return sum(int(l.weight_mask.sum()) for l in layers) / sum(l.weight_mask.numel() for l in layers)


def sparser_target(mag: torch.Tensor, cell_bits: int, max_value: int = 255,
                   dtype: torch.dtype = torch.int64) -> torch.Tensor:
    """For each magnitude (0..max_value), the nearest value whose lowest non-zero slice is cleared:
    rounded down or up to a multiple of 2^(c(k+1)), k the lowest non-zero slice
    (down when up would leave the format's range). `dtype`: the targets' type (float32 holds every
    one of a format of at most 16 bits exactly)."""
    return _per_magnitude(_sparser_target_table(cell_bits, max_value, dtype), mag, "sparser_target")


# Both functions depend on the magnitude alone, which the weight format bounds (2^16 values at
# most), so each is computed once over every magnitude and then looked up: one gather a weight
# instead of a pass a slice (#15: the QAT step's cost), in the type the caller computes in.
def _per_magnitude(table: torch.Tensor, mag: torch.Tensor, what: str) -> torch.Tensor:
    if mag.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
        raise ValueError(f"{what}: magnitudes must be integers, not {mag.dtype}")
    if mag.numel():
        low, high = (int(v) for v in torch.aminmax(mag))
        if low < 0 or high >= table.numel():
            raise ValueError(f"{what}: a magnitude is outside 0..{table.numel() - 1}")
    index = mag.reshape(-1) if mag.dtype in (torch.int64, torch.int32) else mag.reshape(-1).long()
    return table.index_select(0, index).reshape(mag.shape)  # take's gather, 2x slower


@functools.lru_cache(maxsize=None)
def _slice_count_table(cell_bits: int, weight_bits: int, dtype: torch.dtype) -> torch.Tensor:
    values = torch.arange(1 << weight_bits, dtype=torch.int64)
    return sum(slice_of(values, k, cell_bits) for k in range(weight_bits // cell_bits)).to(dtype)


@functools.lru_cache(maxsize=None)
def _sparser_target_table(cell_bits: int, max_value: int, dtype: torch.dtype) -> torch.Tensor:
    m = torch.arange(max_value + 1, dtype=torch.int64)
    # the lowest non-zero slice k of m > 0: the lowest set bit's index over the cell bits
    lowest_bit = torch.log2((m & -m).clamp(min=1).double()).long()
    unit = torch.ones_like(m) << (cell_bits * (lowest_bit // cell_bits + 1))
    down = (m // unit) * unit
    up = down + unit
    target = torch.where((m - down <= up - m) | (up > max_value), down, up)
    return torch.where(m == 0, torch.zeros_like(m), target).to(dtype)
