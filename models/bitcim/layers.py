"""Quantized layers with straight-through estimators, and the hardware evaluation mode.

A QuantLinear / QuantConv2d keeps real-valued weights for training. In the
forward pass its input is quantized to unsigned `input_bits` integers and its
weights to the layer's format (dfp or sym, DESIGN.md); gradients pass straight
through. With a hardware configuration attached (`set_hardware`), the layer
computes with the crossbar's integer arithmetic (bitcim.hardware.crossbar_mvm),
per-slice ADC resolution and saturation included, exactly as the C++ models.
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .hardware import HwConfig, crossbar_mvm, mapped_mvm
from .quant import quantize_dfp, quantize_sym


class _StraightThrough(torch.autograd.Function):
    """Forward: the quantized value. Backward: the gradient unchanged."""

    @staticmethod
    def forward(ctx, real: torch.Tensor, quantized: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return quantized

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        return grad, None


def quantize_weight(w: torch.Tensor, fmt: str, bits: int) -> Tuple[torch.Tensor, torch.Tensor, float]:
    """Quantized weight (real-valued, straight-through), its integers, and the real step."""
    if fmt == "dfp":
        ints, step_log2 = quantize_dfp(w, bits)
        step = 2.0 ** step_log2
    elif fmt == "sym":
        ints, step = quantize_sym(w, bits)
    else:
        raise ValueError(f"unknown weight format {fmt!r}")
    q = (ints.to(torch.float64) * step).to(w.dtype)
    return _StraightThrough.apply(w, q), ints, step


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


class ActQuant(nn.Module):
    """Unsigned activation quantizer: x_int = clamp(floor(x / scale + 1/2), 0, 2^a - 1).

    The scale is fixed (`scale`) or calibrated: max activation seen in training
    (running, momentum 0.9) over 2^a - 1, frozen in eval mode.
    """

    def __init__(self, bits: int = 8, scale: Optional[float] = None, momentum: float = 0.9) -> None:
        super().__init__()
        self.bits = bits
        self.fixed = scale is not None
        self.momentum = momentum
        self.register_buffer("running_max", torch.tensor(float(scale * ((1 << bits) - 1)) if scale else 0.0,
                                                        dtype=torch.float64))

    @property
    def scale(self) -> float:
        top = float(self.running_max)
        return (top if top > 0 else 1.0) / ((1 << self.bits) - 1)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        if self.training and not self.fixed:
            m = float(x.detach().max())
            old = float(self.running_max)
            self.running_max.fill_(m if old == 0 else self.momentum * old + (1 - self.momentum) * m)
        s = self.scale
        top = (1 << self.bits) - 1
        ints = input_integers(x, s, self.bits)
        q = (ints.double() * s).to(x.dtype)
        # Straight through inside the range, zero gradient where the input clips.
        inside = ((x >= 0) & (x <= top * s)).to(x.dtype)
        return x * inside + (q - x * inside).detach(), ints

    def extra_repr(self) -> str:
        return f"bits={self.bits}, scale={'fixed' if self.fixed else 'calibrated'}"


class _QuantMixin:
    """Shared state of QuantLinear and QuantConv2d."""

    def _init_quant(self, weight_format: str, weight_bits: int, sign: str, input_bits: int,
                    input_scale: Optional[float]) -> None:
        self.weight_format = weight_format
        self.weight_bits = weight_bits
        self.sign = sign
        self.act_quant = ActQuant(input_bits, input_scale)
        self.hardware: Optional[HwConfig] = None
        self.register_buffer("weight_mask", torch.ones_like(self.weight))

    def quantized_weight(self) -> Tuple[torch.Tensor, torch.Tensor, float]:
        fmt_bits = self.weight_bits
        return quantize_weight(self.weight * self.weight_mask, self.weight_format, fmt_bits)

    def _check_hardware(self) -> HwConfig:
        hw = self.hardware
        assert hw is not None
        if hw.weight_bits != self.weight_bits or hw.sign != self.sign or hw.input_bits != self.act_quant.bits:
            raise ValueError(f"{type(self).__name__}: hardware config ({hw.weight_bits}-bit {hw.sign} weights, "
                             f"{hw.input_bits}-bit inputs) does not match the layer")
        return hw

    def quant_repr(self) -> str:
        return f"weight={self.weight_format}{self.weight_bits}/{self.sign}, hardware={'on' if self.hardware else 'off'}"


class QuantLinear(nn.Linear, _QuantMixin):
    """nn.Linear with quantized weights and inputs (rows of the crossbar = inputs)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, weight_format: str = "dfp",
                 weight_bits: int = 8, sign: str = "differential", input_bits: int = 8,
                 input_scale: Optional[float] = None) -> None:
        super().__init__(in_features, out_features, bias)
        self._init_quant(weight_format, weight_bits, sign, input_bits, input_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xq, x_int = self.act_quant(x)
        wq, w_int, step = self.quantized_weight()
        if self.hardware is None:
            return F.linear(xq, wq, self.bias)
        acc = crossbar_mvm(w_int, x_int.reshape(-1, self.in_features), self._check_hardware()).output
        y = rescale_accumulator(acc, step, self.act_quant.scale, self.bias)
        return y.to(x.dtype).reshape(*x.shape[:-1], self.out_features)

    def extra_repr(self) -> str:
        return super().extra_repr() + ", " + self.quant_repr()


class QuantConv2d(nn.Conv2d, _QuantMixin):
    """nn.Conv2d with quantized weights and inputs; on hardware through im2col."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, padding: int = 0,
                 bias: bool = True, weight_format: str = "dfp", weight_bits: int = 8, sign: str = "differential",
                 input_bits: int = 8, input_scale: Optional[float] = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=bias)
        self._init_quant(weight_format, weight_bits, sign, input_bits, input_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xq, x_int = self.act_quant(x)
        wq, w_int, step = self.quantized_weight()
        if self.hardware is None:
            return self._conv_forward(xq, wq, self.bias)
        acc = conv_on_crossbars(x_int, w_int, self.kernel_size, self.stride, self.padding, self._check_hardware())
        y = rescale_accumulator(acc, step, self.act_quant.scale, None)
        if self.bias is not None:
            y = y + self.bias.detach().double().view(1, -1, 1, 1)
        return y.to(x.dtype)

    def extra_repr(self) -> str:
        return super().extra_repr() + ", " + self.quant_repr()


QUANT_LAYERS = (QuantLinear, QuantConv2d)


def quant_layers(model: nn.Module):
    """The model's quantized layers, in registration order, with their names."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, QUANT_LAYERS)]


def set_hardware(model: nn.Module, hw: Optional[HwConfig]) -> None:
    """Evaluates every quantized layer with the crossbar arithmetic of `hw` (None: off)."""
    for _, layer in quant_layers(model):
        layer.hardware = hw
