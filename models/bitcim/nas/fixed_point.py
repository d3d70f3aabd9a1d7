"""BST-NAS's fixed-point quantization (its public code, nics_fix_pt's FIX_AUTO): a tensor's
scale is S = ceil(log2 max|x|), its step 2^(S - bits), its values round(x / step) clamped to
+-(2^bits - 1), the sign kept apart as in the dfp format; rounding is straight through.
Weights take the scale of their current maximum at every forward pass; activations the
batch's maximum in training, frozen in eval mode. Only the search's supernet computes this
way (it is never exported); the evaluated networks use the library's dfp layers.
"""
from __future__ import annotations

import math
from typing import Tuple

import torch
from torch import nn

from ..hw.quant import ceil_log2
from ..nn.layers import QuantConv2d, QuantLinear
from ..nn.ste import StraightThrough


def scale_log2(x: torch.Tensor) -> int:
    """S = ceil(log2 max|x|); 0 for an all-zero tensor."""
    m = float(x.detach().abs().max()) if x.numel() else 0.0
    if not math.isfinite(m):
        raise ValueError("fixed point: tensor is not finite")
    return ceil_log2(m) if m > 0 else 0


def fixed_point_ints(x: torch.Tensor, bits: int, scale: int) -> Tuple[torch.Tensor, float]:
    """(round(x / step) clamped to +-(2^bits - 1), as floats; the step 2^(scale - bits))."""
    step = math.ldexp(1.0, scale - bits)
    top = float((1 << bits) - 1)
    return torch.round(x.detach() * (1.0 / step)).clamp_(-top, top), step


def fixed_point(x: torch.Tensor, bits: int, scale: int) -> torch.Tensor:
    """x quantized to `bits` magnitude bits at scale S, straight through."""
    ints, step = fixed_point_ints(x, bits, scale)
    return StraightThrough.apply(x, ints.mul_(step))


class FixedPointAct(nn.Module):
    """Quantizes an activation to `bits` magnitude bits and a sign (scale from the batch in
    training, the last training scale in eval mode)."""

    def __init__(self, bits: int) -> None:
        super().__init__()
        self.bits = bits
        self.register_buffer("scale", torch.zeros((), dtype=torch.int64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.scale.fill_(scale_log2(x))
        return fixed_point(x, self.bits, int(self.scale))

    def extra_repr(self) -> str:
        return f"bits={self.bits}"


class _FixedPointWeights:
    """The paper's weight quantizer in place of dfp's floor, at hw.weight_bits; inputs pass
    unchanged (the supernet quantizes every op's output instead). The library's bit-slice
    regularizers and slice statistics read `quantized_weight`, so they see these integers."""

    def quantized_weight(self) -> Tuple[torch.Tensor, torch.Tensor, float]:
        w = self.weight * self.weight_mask
        ints, step = fixed_point_ints(w, self.hw.weight_bits, scale_log2(w))
        return StraightThrough.apply(w, ints * step), ints.to(torch.int64), step

    def quantized_input(self, x: torch.Tensor, integers: bool = True) -> Tuple[torch.Tensor, torch.Tensor]:
        return x, x


class FixedPointConv2d(_FixedPointWeights, QuantConv2d):
    """QuantConv2d with BST-NAS's weight quantization (training only, never on hardware)."""


class FixedPointLinear(_FixedPointWeights, QuantLinear):
    """QuantLinear with BST-NAS's weight quantization (training only, never on hardware)."""


QUANTIZED_OPS = (nn.ReLU, nn.Conv2d, nn.Linear, nn.BatchNorm2d, nn.MaxPool2d, nn.AvgPool2d)


def quantize_every_op(module: nn.Module, bits: int) -> None:
    """Wraps every ReLU, conv, linear, batch norm and pool under `module` as
    Sequential(op, FixedPointAct(bits)): activations quantized after every op."""
    for name, child in module.named_children():
        if isinstance(child, QUANTIZED_OPS):
            setattr(module, name, nn.Sequential(child, FixedPointAct(bits)))
        else:
            quantize_every_op(child, bits)
