"""Bit-slice statistics of quantized layers: per-slice non-zero ratios, slice counts, the weights
pruning keeps, and each magnitude's nearest sparser value (what the slice-aware regularizers pull toward).
Slicing follows each layer's HwConfig (weight bits, cell bits, sign)."""
from __future__ import annotations

from typing import List, Tuple

import torch
from torch import nn

from ..hw.quant import slice_of, twos_pattern
from ..nn.layers import quant_layers


def magnitudes_and_step(layer: nn.Module) -> Tuple[torch.Tensor, float]:
    """|B| (integer magnitudes) of a layer's quantized weights and the real step."""
    _, ints, step = layer.quantized_weight()
    return ints.abs(), step


def slice_count(mag: torch.Tensor, cell_bits: int, weight_bits: int) -> torch.Tensor:
    """Per weight, the sum of its slice values (slices of `cell_bits` bits)."""
    return sum(slice_of(mag, k, cell_bits) for k in range(weight_bits // cell_bits))


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


def sparser_target(mag: torch.Tensor, cell_bits: int, max_value: int = 255) -> torch.Tensor:
    """For each magnitude, the nearest value whose lowest non-zero slice is cleared:
    rounded down or up to a multiple of 2^(c(k+1)), k the lowest non-zero slice
    (down when up would leave the format's range)."""
    target = torch.zeros_like(mag)
    nonzero = mag != 0
    m = mag[nonzero]
    # index of the lowest non-zero slice
    k = torch.zeros_like(m)
    rest = m.clone()
    mask = (1 << cell_bits) - 1
    while bool(((rest & mask) == 0).any()):
        zero_low = (rest & mask) == 0
        rest = torch.where(zero_low, rest >> cell_bits, rest)
        k = torch.where(zero_low, k + 1, k)
    unit = torch.pow(torch.full_like(m, 2), cell_bits * (k + 1))
    down = (m // unit) * unit
    up = down + unit
    target[nonzero] = torch.where((m - down <= up - m) | (up > max_value), down, up)
    return target
