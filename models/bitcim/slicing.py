"""Bit-slice statistics and regularizers: L1, bit-slice L1 (direct straight-through
and slice-aware surrogate), and the twofold-sparsity regularizers."""
from __future__ import annotations

from typing import Dict, List

import torch
from torch import nn

from .layers import quant_layers


def magnitudes_and_step(layer: nn.Module):
    """|B| (integer magnitudes) of a layer's quantized weights and the real step."""
    _, ints, step = layer.quantized_weight()
    return ints.abs(), step


def slice_nonzero_ratio(model: nn.Module, cell_bits: int = 2, weight_bits: int = 8) -> List[float]:
    """Fraction of non-zero slices over the whole model, MSB slice first (the paper's Table 1)."""
    slices = weight_bits // cell_bits
    nonzero = [0] * slices
    total = 0
    with torch.no_grad():
        for _, layer in quant_layers(model):
            mag, _ = magnitudes_and_step(layer)
            if layer.sign == "twos":
                mag = layer.quantized_weight()[1] & ((1 << weight_bits) - 1)
            total += mag.numel()
            for k in range(slices):
                nonzero[slices - 1 - k] += int((((mag >> (cell_bits * k)) & ((1 << cell_bits) - 1)) != 0).sum())
    return [n / max(total, 1) for n in nonzero]


def l1(model: nn.Module) -> torch.Tensor:
    """Plain L1 of the real weights of every quantized layer."""
    return sum(layer.weight.abs().sum() for _, layer in quant_layers(model))


def _slice_count(mag: torch.Tensor, cell_bits: int, weight_bits: int) -> torch.Tensor:
    mask = (1 << cell_bits) - 1
    return sum(((mag >> (cell_bits * k)) & mask) for k in range(weight_bits // cell_bits))


def bitslice_l1_ste(model: nn.Module, cell_bits: int = 2) -> torch.Tensor:
    """Bit-slice L1 (paper eq. 3), sum of slice values, differentiated straight through.

    Treating floor and slicing as identities gives d slice_k / d|w| = 1 / (step * 4^k),
    so every weight of a layer gets the same gradient, sign(w) * sum_k 4^-k / step:
    this is L1 with a per-layer factor. Kept to show exactly that (see results/).
    """
    total = torch.zeros(())
    for _, layer in quant_layers(model):
        mag, step = magnitudes_and_step(layer)
        value = _slice_count(mag, cell_bits, layer.weight_bits).sum().to(torch.float32)
        real = (layer.weight * layer.weight_mask).abs() / step
        factor = sum(1.0 / (1 << (cell_bits * k)) for k in range(layer.weight_bits // cell_bits))
        surrogate = real.sum() * factor
        total = total + value + (surrogate - surrogate.detach())
    return total


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


def bitslice_l1_surrogate(model: nn.Module, cell_bits: int = 2) -> torch.Tensor:
    """Slice-aware bit-slice L1: value = the number of slice units (as eq. 3), gradient
    pulling each weight toward its nearest sparser value (sparser_target), so the
    push differs per weight and clears low slices first."""
    total = torch.zeros(())
    for _, layer in quant_layers(model):
        mag, step = magnitudes_and_step(layer)
        value = _slice_count(mag, cell_bits, layer.weight_bits).sum().to(torch.float32)
        target = sparser_target(mag, cell_bits, (1 << layer.weight_bits) - 1).to(torch.float32)
        real = (layer.weight * layer.weight_mask).abs() / step
        surrogate = (real - target).abs().sum()
        total = total + value + (surrogate - surrogate.detach())
    return total


def twofold(model: nn.Module, prune_masks: Dict[str, torch.Tensor], lam: float, beta: float) -> torch.Tensor:
    """Twofold sparsity (Karimzadeh): network level lam * sum ||W . M||_2 over the
    LFSR-chosen positions M, plus bit level beta * sum (n_l / N) ||bit count||_2 with
    the slice-aware gradient on 1-bit slices."""
    layers = quant_layers(model)
    n_total = sum(layer.weight.numel() for _, layer in layers)
    net = torch.zeros(())
    bit = torch.zeros(())
    for name, layer in layers:
        if name in prune_masks:
            net = net + (layer.weight * prune_masks[name]).norm(2)
        mag, step = magnitudes_and_step(layer)
        ones = _slice_count(mag, 1, layer.weight_bits).to(torch.float32)
        real = (layer.weight * layer.weight_mask).abs() / step
        pull = (real - sparser_target(mag, 1, (1 << layer.weight_bits) - 1).to(torch.float32)).abs()
        per_weight = ones + (pull - pull.detach())
        bit = bit + (layer.weight.numel() / n_total) * per_weight.norm(2)
    return lam * net + beta * bit
