"""A network of DARTS cells (Liu et al., DARTS; the cells BST-NAS searches over) for
1x28x28 inputs, from quantized layers: separable convolutions (ReLU, depthwise conv,
pointwise conv, batch norm, twice), dilated convolutions (ReLU, depthwise conv with
dilation 2, pointwise conv, batch norm), 3x3 and 5x5 kernels, 3x3 max and average pools
with padding, skip connections, and each cell's output the concat of its four nodes.

Changes from DARTS, so that every op is a weight-format node: the factorized reduce
(two stride-2 1x1 convs on x and x shifted by one pixel, concatenated) is a ReLU, one
stride-2 1x1 conv and a batch norm; no drop path, no auxiliary head. The zoo's `darts`
is three cells (normal, reduction, normal) of 8 and 16 channels whose reduction cell's
last op is an average pool instead of V2's max pool (this way both pools are exercised);
`DartsNet` stacks any genotype deeper (bitcim.nas evaluates searched cells with it).
The pointwise conv after each depthwise conv sees the depthwise output rectified:
crossbar inputs are unsigned (weights/FORMAT.md), so its input quantizer clips negatives
to 0, in training as on the hardware (in effect a ReLU that DARTS does not have).

The op builders take `conv`, the convolution class (default QuantConv2d), so that the
BST-NAS supernet (bitcim.nas.supernet) builds the same ops from its own quantized conv.
"""
from __future__ import annotations

from typing import Callable, List, Sequence, Tuple

import torch
from torch import nn

from .layers import QuantConv2d, QuantLinear

PIXEL_SCALE = 1.0 / 255
Genotype = Sequence[Tuple[str, int]]  # per intermediate node two (op, input state) pairs
NORMAL_V2: Genotype = (("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
                       ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2))
REDUCE_V2: Genotype = (("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
                       ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("avg_pool_3x3", 1))
ConvClass = Callable[..., nn.Module]
OPS = ("max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3",
       "dil_conv_5x5")  # DARTS's operations but `none`, which no derived cell holds


def relu_conv_bn(cin: int, cout: int, kernel: int, stride: int, padding: int, dilation: int = 1,
                 groups: int = 1, conv: ConvClass = QuantConv2d, **q) -> List[nn.Module]:
    return [nn.ReLU(), conv(cin, cout, kernel, stride, padding, dilation, groups, bias=False, **q),
            nn.BatchNorm2d(cout)]


def dil_conv(c: int, stride: int, dilation: int, kernel: int = 3, conv: ConvClass = QuantConv2d, **q) -> nn.Module:
    """ReLU, depthwise kxk (dilated, padded to keep the size), pointwise 1x1, batch norm."""
    pad = dilation * (kernel - 1) // 2
    return nn.Sequential(nn.ReLU(), conv(c, c, kernel, stride, pad, dilation, groups=c, bias=False, **q),
                         conv(c, c, 1, bias=False, **q), nn.BatchNorm2d(c))


def sep_conv(c: int, stride: int, kernel: int = 3, **q) -> nn.Module:
    """Two undilated depthwise-separable convolutions, the first with the stride."""
    return nn.Sequential(dil_conv(c, stride, 1, kernel, **q), dil_conv(c, 1, 1, kernel, **q))


def make_op(name: str, c: int, stride: int, **q) -> nn.Module:
    """One of OPS on c channels; `q` goes to every conv (`conv`, `hw`, `weight_format`)."""
    if name in ("sep_conv_3x3", "sep_conv_5x5"):
        return sep_conv(c, stride, int(name[-1]), **q)
    if name in ("dil_conv_3x3", "dil_conv_5x5"):
        return dil_conv(c, stride, 2, int(name[-1]), **q)
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride, padding=1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride, padding=1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity() if stride == 1 else nn.Sequential(*relu_conv_bn(c, c, 1, 2, 0, **q))
    raise ValueError(f"unknown DARTS op {name!r}")


def darts_reductions(layers: int) -> Tuple[int, int]:
    """DARTS's reduction cells: at 1/3 and 2/3 of the depth."""
    return layers // 3, 2 * layers // 3


class Cell(nn.Module):
    """Two inputs (the previous two cells), four intermediate nodes of two ops each, summed."""

    def __init__(self, genotype: Genotype, c_pp: int, c_p: int, c: int, reduction: bool, reduction_prev: bool,
                 **q) -> None:
        super().__init__()
        self.pre0 = nn.Sequential(*relu_conv_bn(c_pp, c, 1, 2 if reduction_prev else 1, 0, **q))
        self.pre1 = nn.Sequential(*relu_conv_bn(c_p, c, 1, 1, 0, **q))
        self.inputs = [i for _, i in genotype]
        self.ops = nn.ModuleList(make_op(name, c, 2 if reduction and i < 2 else 1, **q) for name, i in genotype)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        states = [self.pre0(s0), self.pre1(s1)]
        for k in range(0, len(self.ops), 2):
            a = self.ops[k](states[self.inputs[k]])
            b = self.ops[k + 1](states[self.inputs[k + 1]])
            states.append(a + b)
        return torch.cat(states[2:], dim=1)


class DartsNet(nn.Module):
    """Stem (3x3 conv, batch norm), `layers` cells (channels doubled at each reduction),
    global average pool, linear classifier. The defaults are the zoo's `darts`: cells
    normal(8) / reduction(16) / normal(16) after a stem of 16 channels.

    Args:
        c: the first cells' channels per node.
        normal, reduce: the normal and the reduction cell's genotype.
        layers: cells.
        reductions: the indices of the reduction cells (DARTS: darts_reductions(layers)).
        stem_multiplier: stem channels over c.
        stem_stride: the stem conv's stride (2 halves every cell's feature maps).
        q: passed to every quantized layer (`hw`, `weight_format`).
    """

    def __init__(self, c: int = 8, normal: Genotype = NORMAL_V2, reduce: Genotype = REDUCE_V2, layers: int = 3,
                 reductions: Sequence[int] = (1,), stem_multiplier: int = 2, stem_stride: int = 1, **q) -> None:
        super().__init__()
        stem = stem_multiplier * c
        self.stem = nn.Sequential(QuantConv2d(1, stem, 3, stem_stride, 1, bias=False, input_scale=PIXEL_SCALE, **q),
                                  nn.BatchNorm2d(stem))
        cells: List[nn.Module] = []
        c_pp, c_p, cc, reduction_prev = stem, stem, c, False
        for i in range(layers):
            reduction = i in reductions
            cc = 2 * cc if reduction else cc
            cells.append(Cell(reduce if reduction else normal, c_pp, c_p, cc, reduction, reduction_prev, **q))
            c_pp, c_p, reduction_prev = c_p, 4 * cc, reduction
        self.cells = nn.ModuleList(cells)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = QuantLinear(c_p, 10, **q)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.classifier(torch.flatten(self.pool(s1), 1))
