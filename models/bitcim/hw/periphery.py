"""The digital periphery around the crossbars, as the golden model computes it: input
quantization to integers, im2col for convolutions, and the accumulator's rescaling to
real outputs (the C++ network.h, same float64 operations in the same order)."""
from __future__ import annotations

from typing import Optional, Tuple

import torch
import torch.nn.functional as F

from .config import HwConfig
from .crossbar import mapped_mvm


def input_integers(x: torch.Tensor, scale: float, bits: int) -> torch.Tensor:
    """A layer's input integers: clamp(floor(x / scale + 1/2), 0, 2^bits - 1), in float64."""
    return torch.floor(x.detach().double() / scale + 0.5).clamp(0, (1 << bits) - 1).to(torch.int64)


def rescale_accumulator(acc: torch.Tensor, step: float, scale: float, bias: Optional[torch.Tensor]) -> torch.Tensor:
    """Real outputs from a crossbar accumulator, float64: acc * (step * scale) + bias."""
    y = acc.double() * (step * scale)
    return y + bias.detach().double() if bias is not None else y


def conv_on_crossbars(x_int: torch.Tensor, w_int: torch.Tensor, kernel: Tuple[int, int], stride: Tuple[int, int],
                      padding: Tuple[int, int], hw: HwConfig,
                      column_map: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Convolution accumulators through im2col on the crossbars: int64 [N, C_out, H', W']."""
    n, _, h, w = x_int.shape
    kh, kw = kernel
    oh = (h + 2 * padding[0] - kh) // stride[0] + 1
    ow = (w + 2 * padding[1] - kw) // stride[1] + 1
    # rows in (channel, kernel row, kernel column) order, as the golden model's im2col
    cols = F.unfold(x_int.double(), (kh, kw), padding=padding, stride=stride)
    patches = cols.transpose(1, 2).reshape(-1, cols.shape[1]).round().to(torch.int64)
    acc = mapped_mvm(w_int.reshape(w_int.shape[0], -1), patches, hw, column_map)
    return acc.reshape(n, oh * ow, -1).transpose(1, 2).reshape(n, -1, oh, ow)
