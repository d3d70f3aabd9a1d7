"""Weight quantization with a straight-through estimator."""
from __future__ import annotations

from typing import Optional, Tuple

import torch

from ..hw.quant import quantize_dfp_float, quantize_sym


class StraightThrough(torch.autograd.Function):
    """Forward: the quantized value. Backward: the gradient unchanged, or zero where `passes`
    (a bool tensor like `real`) is False."""

    @staticmethod
    def forward(ctx, real: torch.Tensor, quantized: torch.Tensor,  # type: ignore[override]
                passes: Optional[torch.Tensor] = None) -> torch.Tensor:
        ctx.save_for_backward(passes)
        return quantized

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        (passes,) = ctx.saved_tensors
        return (grad if passes is None else torch.where(passes, grad, torch.zeros((), dtype=grad.dtype))), None, None


def quantize_weight(w: torch.Tensor, fmt: str, bits: int) -> Tuple[torch.Tensor, torch.Tensor, float]:
    """Quantized weight (real-valued, straight-through), its integers, and the real step.

    Args:
        w: real weights.
        fmt: "dfp" (dynamic fixed point) or "sym" (symmetric), DESIGN.md's number formats.
        bits: the format's bits (HwConfig.weight_bits).
    """
    if fmt == "dfp":  # the float form: exact, and no float64 pass (#15)
        signed, step_log2 = quantize_dfp_float(w, bits)
        step = 2.0 ** step_log2
        return StraightThrough.apply(w, (signed * step).to(w.dtype)), signed.to(torch.int64), step
    if fmt == "sym":
        ints, step = quantize_sym(w, bits)
    else:
        raise ValueError(f"unknown weight format {fmt!r}")
    q = (ints.to(torch.float64) * step).to(w.dtype)
    return StraightThrough.apply(w, q), ints, step
