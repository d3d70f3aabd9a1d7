"""The digital periphery around the crossbars, bit for bit as weights/FORMAT.md specifies
it (and the C++ network computes it): every formula once, used by the file's twin
(bitcim.hw.network) and by the quantized PyTorch modules in hardware mode (bitcim.nn),
so a network converted from PyTorch and its weight file compute the same bits.

Tensors are batch-first: [N, C, H, W] or [N, F]. "double" is float64; a result called
float32(v) is one rounding of a float64 value. Each operation is a separate torch op
(never fused), so no multiply-add is contracted.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

from .config import HwConfig
from .crossbar import mapped_mvm

Pair = Tuple[int, int]


def input_integers(x: torch.Tensor, scale: float, bits: int) -> torch.Tensor:
    """`quantize`: clamp(floor(double(x) / scale + 1/2), 0, 2^bits - 1), as int64."""
    return input_levels(x, scale, bits).to(torch.int64)


def _input_levels_double(x: torch.Tensor, scale: float, top: int) -> torch.Tensor:
    return torch.floor(x.double() / scale + 0.5).clamp(0, top)


# The float32 form's error bound, as a power of two times 2^bits (see input_levels).
_FLOAT32_LEVEL_ERROR_LOG2 = -20


def _float32_applies(x: torch.Tensor, bits: int, inv: float) -> bool:
    """Whether the float32 estimate holds its error bound: float32 x, at most 16 bits, 1/scale a normal float32."""
    return x.dtype == torch.float32 and bits <= 16 and 2.0 ** -100 < inv < 2.0 ** 100


def _float32_shifted(x: torch.Tensor, inv: float, top: int) -> torch.Tensor:
    """r = clamp(float32(x * float32(inv)) + 1/2, 1/2, top + 1/2), a new tensor: floor(r) is
    input_levels' first estimate and the float path's level."""
    return torch.mul(x, inv).add_(0.5).clamp_(0.5, top + 0.5)


def float_input_levels(x: torch.Tensor, scale: float, bits: int) -> torch.Tensor:
    """input_levels without its float64 refinement, for the float (training) path only: a level may
    differ by one from the hardware's where x / scale + 1/2 lies within 2^(bits - 21) of an integer."""
    top = (1 << bits) - 1
    inv = 1.0 / scale
    if not _float32_applies(x, bits, inv):
        return input_levels(x, scale, bits)
    return _float32_shifted(x.detach(), inv, top).floor_()


def float_input_values(x: torch.Tensor, scale: float, bits: int) -> torch.Tensor:
    """(float_input_levels(x, scale, bits) * scale).to(x.dtype), the float path's quantized input:
    on the float32 path its operations and the product, in place on one temporary (#15: every
    out-of-place pass over an activation costs a fresh buffer)."""
    inv = 1.0 / scale
    if not _float32_applies(x, bits, inv):
        return (input_levels(x, scale, bits) * scale).to(x.dtype)
    return _float32_shifted(x.detach(), inv, (1 << bits) - 1).floor_().mul_(scale)


def input_levels(x: torch.Tensor, scale: float, bits: int) -> torch.Tensor:
    """input_integers' values as a float tensor (exact integers), float32 for float32 x.

    Float32 x takes a float32 path (#15: the activation quantizer was most of a QAT step):
    r = float32(x * float32(1 / scale)) + 1/2 is within 2^(bits - 21) of x / scale + 1/2
    below the clamp, so its floor is the float64 formula's wherever r is farther than twice
    that from an integer; the few elements that are not are computed by the float64 formula.
    Clamping r to [1/2, 2^bits - 1/2] first leaves only the integers that matter.
    """
    top = (1 << bits) - 1
    xd = x.detach().contiguous()  # flat indices below are logical ones
    inv = 1.0 / scale
    if not _float32_applies(xd, bits, inv):
        return _input_levels_double(xd, scale, top).to(torch.float32 if xd.dtype == torch.float32 else torch.float64)
    r = _float32_shifted(xd, inv, top)
    levels = torch.floor(r)
    margin = 0.5 - math.ldexp(1.0, bits + _FLOAT32_LEVEL_ERROR_LOG2)
    near = r.sub_(levels).sub_(0.5).abs_() > margin  # r - floor(r) close to 0 or 1
    at = near.view(-1).nonzero().squeeze(1)  # few: cheaper than masked indexing over every element
    if at.numel():
        levels.view(-1)[at] = _input_levels_double(xd.reshape(-1)[at], scale, top).to(torch.float32)
    return levels


def _per_channel(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A [C] tensor shaped to broadcast over channel dim 1 of `like`."""
    return v.reshape((1, -1) + (1,) * (like.dim() - 2))


def rescale(acc: torch.Tensor, weight_step: float, input_scale: float, scale: Optional[torch.Tensor],
            bias: Optional[torch.Tensor]) -> torch.Tensor:
    """A crossbar node's outputs from its accumulators (channels on dim 1):
    float32((double(acc) * (weight_step * s)) * scale[o] + bias[o]); scale 1, bias 0 when absent."""
    y = acc.double() * (weight_step * input_scale)
    y = y * _per_channel(scale.detach().double(), y) if scale is not None else y * 1.0
    y = y + _per_channel(bias.detach().double(), y) if bias is not None else y + 0.0
    return y.to(torch.float32)


def block_diagonal(w_int: torch.Tensor, groups: int) -> torch.Tensor:
    """A grouped convolution's weights [out, in / groups, kh, kw] as the one crossbar
    matrix [out, in * kh * kw]: zero outside each output's group (FORMAT.md)."""
    out, cin_g, kh, kw = w_int.shape
    if groups == 1:
        return w_int.reshape(out, -1)
    full = torch.zeros(out, groups * cin_g, kh, kw, dtype=w_int.dtype)
    per = out // groups
    for g in range(groups):
        full[g * per:(g + 1) * per, g * cin_g:(g + 1) * cin_g] = w_int[g * per:(g + 1) * per]
    return full.reshape(out, -1)


def conv_accumulators(x_int: torch.Tensor, w_int: torch.Tensor, stride: Pair, padding: Pair, dilation: Pair,
                      groups: int, hw: HwConfig, column_map: Optional[torch.Tensor] = None) -> torch.Tensor:
    """A conv2d node's accumulators int64 [N, out, H', W']: im2col rows in (channel, kernel
    row, kernel column) order, tap (i, j) at input offset (i * dh, j * dw), padded taps 0."""
    n, _, h, w = x_int.shape
    kh, kw = w_int.shape[2:]
    oh = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    cols = F.unfold(x_int.double(), (kh, kw), dilation=dilation, padding=padding, stride=stride)
    patches = cols.transpose(1, 2).reshape(-1, cols.shape[1]).round().to(torch.int64)
    acc = mapped_mvm(block_diagonal(w_int, groups), patches, hw, column_map)
    return acc.reshape(n, oh * ow, -1).transpose(1, 2).reshape(n, -1, oh, ow)


def linear_accumulators(x_int: torch.Tensor, w_int: torch.Tensor, hw: HwConfig,
                        column_map: Optional[torch.Tensor] = None) -> torch.Tensor:
    """A linear node's accumulators int64 [N, out]."""
    return mapped_mvm(w_int, x_int.reshape(len(x_int), -1), hw, column_map)


def relu(x: torch.Tensor) -> torch.Tensor:
    """max(x, 0); a -0 stays -0 (as std::max(x, 0.0f))."""
    return torch.where(x < 0, torch.zeros_like(x), x)


def max_pool2d(x: torch.Tensor, kernel: Pair, stride: Pair, padding: Pair) -> torch.Tensor:
    """The window's maximum; padding is -inf."""
    return F.max_pool2d(x, kernel, stride, padding)


def _window_sum(x: torch.Tensor, kernel: Pair, stride: Pair, padding: Pair) -> torch.Tensor:
    """Per window, its in-bounds values summed in double in row-major order (from +0: a
    padded tap adds +0, which changes no such sum). Returns [N, C, L]."""
    n, c = x.shape[:2]
    taps = F.unfold(x.double(), kernel, padding=padding, stride=stride).reshape(n, c, kernel[0] * kernel[1], -1)
    total = torch.zeros_like(taps[:, :, 0])
    for t in range(taps.shape[2]):
        total = total + taps[:, :, t]
    return total


def avg_pool2d(x: torch.Tensor, kernel: Pair, stride: Pair, padding: Pair, count_include_pad: bool) -> torch.Tensor:
    """float32(sum / n): n = kh * kw, or the window's in-bounds count."""
    n, c, h, w = x.shape
    oh = (h + 2 * padding[0] - kernel[0]) // stride[0] + 1
    ow = (w + 2 * padding[1] - kernel[1]) // stride[1] + 1
    total = _window_sum(x, kernel, stride, padding)
    if count_include_pad:
        count = torch.full_like(total[:1, :1], float(kernel[0] * kernel[1]))
    else:
        count = _window_sum(torch.ones(1, 1, h, w, dtype=torch.float64), kernel, stride, padding)
    return (total / count).to(torch.float32).reshape(n, c, oh, ow)


def global_avg_pool(x: torch.Tensor) -> torch.Tensor:
    """[N, C, 1, 1]: float32(sum / (H * W)), the sum in double in row-major order."""
    n, c, h, w = x.shape
    flat = x.double().reshape(n, c, h * w)
    total = torch.zeros_like(flat[:, :, 0])
    for t in range(h * w):
        total = total + flat[:, :, t]
    return (total / float(h * w)).to(torch.float32).reshape(n, c, 1, 1)


def flatten(x: torch.Tensor) -> torch.Tensor:
    """[N, C * H * W] in (channel, row, column) order."""
    return x.reshape(len(x), -1)


def add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a + b in float32 (the residual add)."""
    return a.to(torch.float32) + b.to(torch.float32)


def concat(xs: Sequence[torch.Tensor]) -> torch.Tensor:
    """The inputs' channels, in order."""
    return torch.cat(list(xs), dim=1)


def affine(x: torch.Tensor, scale: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """float32(double(x) * scale[c] + shift[c]): a batch norm that could not fold."""
    y = x.double() * _per_channel(scale.detach().double(), x)
    return (y + _per_channel(shift.detach().double(), x)).to(torch.float32)
