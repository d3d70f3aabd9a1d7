"""Quantized layers with straight-through estimators, and their hardware evaluation mode.

A QuantLinear / QuantConv2d keeps real-valued weights for training and one hardware
configuration (`hw`, a bitcim.hw.config.HwConfig) that fixes its number formats: in the
forward pass its input is quantized to unsigned `hw.input_bits` integers and its weights
to `hw.weight_bits` in the layer's format (dfp or sym, DESIGN.md); gradients pass
straight through. Switched to the hardware (`set_hardware`), the layer computes with the
crossbar's integer arithmetic of its `hw` (bitcim.hw.crossbar), per-slice ADC resolution
and saturation included, exactly as the C++ models.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from ..hw.config import HwConfig
from ..hw.periphery import conv_accumulators, linear_accumulators, rescale
from .act_quant import ActQuant
from .ste import quantize_weight


class _QuantMixin:
    """What QuantLinear and QuantConv2d share: the configuration, the quantizers, the mask."""

    def _init_quant(self, weight_format: str, hw: HwConfig, input_scale: Optional[float]) -> None:
        self.weight_format = weight_format
        self.hw = hw
        self.on_hardware = False
        self.act_quant = ActQuant(input_scale * ((1 << hw.input_bits) - 1) if input_scale else None)
        self.register_buffer("weight_mask", torch.ones_like(self.weight))
        self.register_buffer("out_scale", None)
        self.register_buffer("out_bias", None)

    def set_output_affine(self, scale: torch.Tensor, bias: torch.Tensor) -> None:
        """Folds a per-channel affine (a batch norm) into the layer's output: y * scale + bias.

        Raises:
            ValueError: the layer still has its own bias (fold it into `bias` first) or
                already has an output affine.
        """
        if self.bias is not None or self.out_scale is not None:
            raise ValueError(f"{type(self).__name__}: fold the bias and any earlier affine into one output affine")
        out = self.weight.shape[0]
        if scale.shape != (out,) or bias.shape != (out,):
            raise ValueError(f"{type(self).__name__}: output affine must be [{out}]")
        self.out_scale = scale.detach().to(torch.float32).clone()
        self.out_bias = bias.detach().to(torch.float32).clone()

    def output_affine(self, y: torch.Tensor) -> torch.Tensor:
        """The float (training) form of the output affine, channels on dim 1."""
        if self.out_scale is None:
            return y
        view = (1, -1) + (1,) * (y.dim() - 2)
        return y * self.out_scale.view(view) + self.out_bias.view(view)

    def hardware_output(self, acc: torch.Tensor, step: float) -> torch.Tensor:
        """Accumulators to outputs as the crossbar node of a weight file (FORMAT.md)."""
        bias = self.out_bias if self.out_scale is not None else self.bias
        return rescale(acc, step, self.input_scale, self.out_scale, bias)

    @property
    def weight_bits(self) -> int:
        return self.hw.weight_bits

    @property
    def sign(self) -> str:
        return self.hw.sign

    @property
    def input_bits(self) -> int:
        return self.hw.input_bits

    @property
    def input_scale(self) -> float:
        """The input step (the activation quantizer's range over 2^input_bits - 1)."""
        return self.act_quant.scale(self.hw.input_bits)

    def quantized_weight(self) -> Tuple[torch.Tensor, torch.Tensor, float]:
        """(quantized weight, straight through; its integers; the real step)."""
        return quantize_weight(self.weight * self.weight_mask, self.weight_format, self.hw.weight_bits)

    def quantized_input(self, x: torch.Tensor, integers: bool = True) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """(quantized input, straight through inside the range; its integers, or None without `integers`)."""
        return self.act_quant(x, self.hw.input_bits, integers)

    def use_hardware(self, hw: Optional[HwConfig]) -> None:
        """Computes with the crossbar arithmetic of `hw` from now on (None: float arithmetic).

        Raises:
            ValueError: `hw` has other number formats than the layer (its weights were
                trained for those; build the layer with the configuration instead).
        """
        if hw is None:
            self.on_hardware = False
            return
        if hw.number_formats != self.hw.number_formats:
            raise ValueError(f"{type(self).__name__}: hardware config ({hw.weight_bits}-bit {hw.sign} weights, "
                             f"{hw.input_bits}-bit inputs) does not match the layer ({self.hw.weight_bits}-bit "
                             f"{self.hw.sign} weights, {self.hw.input_bits}-bit inputs)")
        self.hw = hw
        self.on_hardware = True

    def quant_repr(self) -> str:
        return f"weight={self.weight_format}, hw=({self.hw.describe()}), on_hardware={self.on_hardware}"


class QuantLinear(nn.Linear, _QuantMixin):
    """nn.Linear with quantized weights and inputs (rows of the crossbar = inputs).

    Args:
        in_features, out_features, bias: as nn.Linear.
        weight_format: "dfp" or "sym".
        hw: the hardware configuration (number formats, crossbar, ADCs).
        input_scale: a fixed input step; None: calibrated during training.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, weight_format: str = "dfp",
                 hw: HwConfig = HwConfig(), input_scale: Optional[float] = None) -> None:
        super().__init__(in_features, out_features, bias)
        self._init_quant(weight_format, hw, input_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xq, x_int = self.quantized_input(x, integers=self.on_hardware)
        wq, w_int, step = self.quantized_weight()
        if not self.on_hardware:
            return self.output_affine(F.linear(xq, wq, self.bias))
        acc = linear_accumulators(x_int.reshape(-1, self.in_features), w_int, self.hw)
        return self.hardware_output(acc, step).reshape(*x.shape[:-1], self.out_features)

    def extra_repr(self) -> str:
        return super().extra_repr() + ", " + self.quant_repr()


class QuantConv2d(nn.Conv2d, _QuantMixin):
    """nn.Conv2d with quantized weights and inputs; on hardware through im2col (a grouped
    convolution as one block-diagonal crossbar matrix, FORMAT.md).

    Args:
        in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias: as nn.Conv2d
            (zero padding only).
        weight_format, hw, input_scale: as QuantLinear.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, weight_format: str = "dfp", hw: HwConfig = HwConfig(),
                 input_scale: Optional[float] = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding, dilation=dilation,
                         groups=groups, bias=bias)
        self._init_quant(weight_format, hw, input_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xq, x_int = self.quantized_input(x, integers=self.on_hardware)
        wq, w_int, step = self.quantized_weight()
        if not self.on_hardware:
            return self.output_affine(self._conv_forward(xq, wq, self.bias))
        acc = conv_accumulators(x_int, w_int, self.stride, self.padding, self.dilation, self.groups, self.hw)
        return self.hardware_output(acc, step)

    def extra_repr(self) -> str:
        return super().extra_repr() + ", " + self.quant_repr()


QUANT_LAYERS = (QuantLinear, QuantConv2d)


def quant_layers(model: nn.Module) -> List[Tuple[str, nn.Module]]:
    """The model's quantized layers, in registration order, with their names."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, QUANT_LAYERS)]


def set_hardware(model: nn.Module, hw: Optional[HwConfig]) -> None:
    """Evaluates every quantized layer with the crossbar arithmetic of `hw` (None: off).
    `hw` must have the layers' number formats (see _QuantMixin.use_hardware)."""
    for _, layer in quant_layers(model):
        layer.use_hardware(hw)
