"""Sparsity regularizers: L1, bit-slice L1 (direct straight-through and slice-aware
surrogate), and the twofold-sparsity regularizer. Each layer is sliced as its HwConfig
says (cell bits, weight bits)."""
from __future__ import annotations

from typing import Dict, Tuple

import torch
from torch import nn

from ..hw.quant import dfp_step_log2, float32_step_exact
from ..nn.layers import _QuantMixin, quant_layers
from .sparsity import magnitudes_and_step, slice_count, sparser_target


def _stock_dfp(layer: nn.Module) -> bool:
    """Whether the layer's weights go through the library's own dfp quantizer (not an override of
    quantized_weight, as nas.fixed_point's), which _scaled_weights reproduces."""
    return (getattr(layer, "weight_format", None) == "dfp" and "quantized_weight" not in vars(layer)
            and type(layer).quantized_weight is _QuantMixin.quantized_weight)


def _scaled_weights(layer: nn.Module) -> Tuple[torch.Tensor, torch.Tensor]:
    """(real, mag): real = |w * mask| / step with its gradient, what the surrogates pull; mag the
    integer magnitudes |B| of magnitudes_and_step (int32 or int64).

    For float32 weights through the stock dfp quantizer, mag = min(floor(real), 2^n - 1) from the
    same pass instead of a second quantization (#15): step is a power of two that scales float32
    exactly there (D-095), so floor(|w| / step) is the quantizer's |trunc(w * 2^-(S - n))|.
    """
    masked = layer.weight * layer.weight_mask
    bits = layer.hw.weight_bits
    if _stock_dfp(layer) and masked.dtype == torch.float32:
        step_log2 = dfp_step_log2(masked, bits)
        if float32_step_exact(step_log2):
            real = masked.abs() / 2.0 ** step_log2
            return real, real.detach().floor().clamp_(max=(1 << bits) - 1).int()
    mag, step = magnitudes_and_step(layer)
    return masked.abs() / step, mag


def l1(model: nn.Module) -> torch.Tensor:
    """Plain L1 of the real weights of every quantized layer."""
    return sum(layer.weight.abs().sum() for _, layer in quant_layers(model))


def bitslice_l1_ste(model: nn.Module) -> torch.Tensor:
    """Bit-slice L1 (paper eq. 3), sum of slice values, differentiated straight through.

    Treating floor and slicing as identities gives d slice_k / d|w| = 1 / (step * 2^(ck)),
    so every weight of a layer gets the same gradient, sign(w) * sum_k 2^-(ck) / step:
    this is L1 with a per-layer factor. Kept to show exactly that (see results/).
    """
    total = torch.zeros(())
    for _, layer in quant_layers(model):
        c, n = layer.hw.cell_bits, layer.hw.weight_bits
        real, mag = _scaled_weights(layer)
        value = slice_count(mag, c, n).sum().to(torch.float32)
        factor = sum(1.0 / (1 << (c * k)) for k in range(n // c))
        surrogate = real.sum() * factor
        total = total + value + (surrogate - surrogate.detach())
    return total


def bitslice_l1_surrogate(model: nn.Module) -> torch.Tensor:
    """Slice-aware bit-slice L1: value = the number of slice units (as eq. 3), gradient
    pulling each weight toward its nearest sparser value (sparser_target), so the
    push differs per weight and clears low slices first."""
    total = torch.zeros(())
    for _, layer in quant_layers(model):
        c, n = layer.hw.cell_bits, layer.hw.weight_bits
        real, mag = _scaled_weights(layer)
        value = slice_count(mag, c, n).sum().to(torch.float32)
        target = sparser_target(mag, c, (1 << n) - 1, torch.float32)
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
        real, mag = _scaled_weights(layer)
        ones = slice_count(mag, 1, layer.hw.weight_bits, torch.float32)
        pull = (real - sparser_target(mag, 1, (1 << layer.hw.weight_bits) - 1, torch.float32)).abs()
        per_weight = ones + (pull - pull.detach())
        bit = bit + (layer.weight.numel() / n_total) * per_weight.norm(2)
    return lam * net + beta * bit
