"""Weight quantization with a straight-through estimator."""
from __future__ import annotations

from typing import Tuple

import torch

from ..hw.quant import quantize_dfp, quantize_sym


class StraightThrough(torch.autograd.Function):
    """Forward: the quantized value. Backward: the gradient unchanged."""

    @staticmethod
    def forward(ctx, real: torch.Tensor, quantized: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return quantized

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        return grad, None


def quantize_weight(w: torch.Tensor, fmt: str, bits: int) -> Tuple[torch.Tensor, torch.Tensor, float]:
    """Quantized weight (real-valued, straight-through), its integers, and the real step.

    Args:
        w: real weights.
        fmt: "dfp" (dynamic fixed point) or "sym" (symmetric), DESIGN.md's number formats.
        bits: the format's bits (HwConfig.weight_bits).
    """
    if fmt == "dfp":
        ints, step_log2 = quantize_dfp(w, bits)
        step = 2.0 ** step_log2
    elif fmt == "sym":
        ints, step = quantize_sym(w, bits)
    else:
        raise ValueError(f"unknown weight format {fmt!r}")
    q = (ints.to(torch.float64) * step).to(w.dtype)
    return StraightThrough.apply(w, q), ints, step
