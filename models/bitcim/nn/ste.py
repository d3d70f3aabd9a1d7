"""Weight quantization with a straight-through estimator."""
from __future__ import annotations

import math
from typing import Optional, Tuple

import torch

from ..hw.quant import quantize_dfp_float, quantize_sym


class StraightThrough(torch.autograd.Function):
    """Forward: the quantized value. Backward: the gradient unchanged (ClippedStraightThrough
    zeroes it outside a range)."""

    @staticmethod
    def forward(ctx, real: torch.Tensor, quantized: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return quantized

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        return grad, None


# The float32 just below -0 (a denormal): x > it exactly when x >= 0, -0 included.
_BELOW_ZERO = -2.0 ** -149


def _denormals_kept() -> bool:
    """Whether float32 denormals convert and compare as themselves (torch.set_flush_denormal(False),
    the default), as the one-pass mask's lower bound needs."""
    return bool(torch.tensor(_BELOW_ZERO) < 0)


def one_pass_interval(grad: torch.Tensor, real: torch.Tensor, bound: float,
                      nan_free: bool) -> Optional[Tuple[float, float]]:
    """The open interval (-2^-149, the float32 after the bound) that holds exactly the float32 x with
    0 <= x <= bound (the bound rounded to float32 as clamp rounds it), or None where
    clipped_gradient cannot take it: another dtype, a NaN in `real` (unless `nan_free`), a bound
    at float32's top, denormals flushed."""
    if not (nan_free and real.dtype == torch.float32 and grad.dtype == torch.float32):
        return None
    above = float(torch.nextafter(torch.tensor(bound, dtype=torch.float32), torch.tensor(math.inf)))
    return (_BELOW_ZERO, above) if math.isfinite(above) and _denormals_kept() else None


def clipped_gradient(grad: torch.Tensor, real: torch.Tensor, bound: float, nan_free: bool) -> torch.Tensor:
    """torch.where(real.clamp(0, bound) == real, grad, 0) bit for bit: the gradient where 0 <= real <=
    bound (the bound as clamp has it, in real's dtype), +0 elsewhere and at a NaN.

    Float32 `real` free of NaN takes one vectorized pass, hardtanh_backward over one_pass_interval,
    for the clamp, the compare and torch.where's slow pass over a bool mask (#15). `nan_free` says
    real has no NaN: hardtanh_backward's scalar tail loop would pass a NaN's gradient."""
    interval = one_pass_interval(grad, real, bound, nan_free)
    if interval is not None:
        return torch.ops.aten.hardtanh_backward(grad, real, *interval)
    return torch.where(real.clamp(0, bound) == real, grad, torch.zeros((), dtype=grad.dtype))


class ClippedStraightThrough(torch.autograd.Function):
    """Forward: the quantized value. Backward: the gradient where 0 <= real <= bound, zero where real
    clips or is NaN (clipped_gradient); `nan_free`: real is known to hold no NaN."""

    @staticmethod
    def forward(ctx, real: torch.Tensor, quantized: torch.Tensor, bound: float,  # type: ignore[override]
                nan_free: bool) -> torch.Tensor:
        ctx.save_for_backward(real)
        ctx.bound, ctx.nan_free = bound, nan_free
        return quantized

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        (real,) = ctx.saved_tensors
        return clipped_gradient(grad, real, ctx.bound, ctx.nan_free), None, None, None


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
