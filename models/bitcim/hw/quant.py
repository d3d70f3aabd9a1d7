"""Weight number formats: the Python twin of the C++ number_format.h.

Both functions compute in float64 with the same operations as the C++ golden
model, so a float32 weight quantizes to the same integer on both sides
(checked by tests/vectors/quant.json).
"""
from __future__ import annotations

import math
from typing import Tuple

import torch


def ceil_log2(m: float) -> int:
    """ceil(log2 m) for m > 0, exact (by frexp, not by a rounded log2)."""
    f, e = math.frexp(m)  # m = f * 2**e, f in [0.5, 1)
    return e - 1 if f == 0.5 else e


def _max_abs(w: torch.Tensor) -> float:
    if not w.numel():
        return 0.0
    wd = w.detach()
    low, high = (float(v) for v in torch.aminmax(wd if wd.dtype != torch.float16 else wd.float()))
    if not (math.isfinite(low) and math.isfinite(high)):  # an inf, or a NaN (both propagate it)
        raise ValueError("quantize: weight is not finite")
    return max(-low, high)


# Scaling by a power of two is exact in float32 while the factor is a normal float32, so
# float32 weights quantize there to the same integers as in float64 (#15: a QAT step's cost).
_FLOAT32_STEP_LOG2 = (-120, 120)


def dfp_step_log2(w: torch.Tensor, bits: int) -> int:
    """quantize_dfp_float's step_log2: S - n, S = ceil(log2 max|w|) (0 for all-zero weights).

    Raises:
        ValueError: a weight is not finite.
    """
    m = _max_abs(w)
    return (ceil_log2(m) if m > 0 else 0) - bits


def float32_step_exact(step_log2: int) -> bool:
    """Whether scaling float32 weights by 2^-step_log2 (or dividing by 2^step_log2) is exact."""
    return _FLOAT32_STEP_LOG2[0] <= step_log2 <= _FLOAT32_STEP_LOG2[1]


def quantize_dfp_float(w: torch.Tensor, bits: int) -> Tuple[torch.Tensor, int]:
    """Dynamic fixed point (bit-slice L1 paper eq. 1-2) as real values: sign * B, in w's dtype.

    Args:
        w: real weights of one layer.
        bits: n, magnitude bits.

    Returns:
        (sign * B, step_log2) with step = 2**step_log2,
        S = ceil(log2 max|w|), step = 2**(S - n), B = min(floor(|w| / step), 2**n - 1).
    """
    step_log2 = dfp_step_log2(w, bits)
    top = float((1 << bits) - 1)
    wd = w.detach()
    if wd.dtype not in (torch.float32, torch.float16, torch.bfloat16) or not float32_step_exact(step_log2):
        wd = wd.double()
    elif wd.dtype != torch.float32:
        wd = wd.float()
    # trunc(w / step) = sign(w) * floor(|w| / step)
    return torch.trunc(wd * math.ldexp(1.0, -step_log2)).clamp_(-top, top), step_log2


def quantize_dfp(w: torch.Tensor, bits: int) -> Tuple[torch.Tensor, int]:
    """quantize_dfp_float's integers, (sign * B as int64, step_log2)."""
    signed, step_log2 = quantize_dfp_float(w, bits)
    return signed.to(torch.int64), step_log2


def quantize_sym(w: torch.Tensor, bits: int) -> Tuple[torch.Tensor, float]:
    """Symmetric (twofold-sparsity slides): q = round(w / s * (2**(n-1) - 1)), s = max|w|.

    Rounds half away from zero. Returns (q as int64, scale) with scale = s / (2**(n-1) - 1).
    """
    s = _max_abs(w)
    levels = float((1 << (bits - 1)) - 1)
    if s == 0:
        return torch.zeros_like(w, dtype=torch.int64), 1.0
    x = (w.detach().double() / s) * levels
    q = torch.sign(x) * torch.floor(x.abs() + 0.5)
    return q.to(torch.int64), s / levels


def slice_of(pattern: torch.Tensor, k: int, cell_bits: int) -> torch.Tensor:
    """Slice k (0 = LSB) of an unsigned integer pattern: bits [c*k, c*k + c)."""
    return (pattern >> (cell_bits * k)) & ((1 << cell_bits) - 1)


def twos_pattern(w: torch.Tensor, bits: int) -> torch.Tensor:
    """The n-bit two's complement pattern of integer weights."""
    return w & ((1 << bits) - 1)
