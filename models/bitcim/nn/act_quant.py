"""Unsigned activation quantization with a clipped straight-through estimator."""
from __future__ import annotations

import math
from typing import Optional, Tuple

import torch
from torch import nn

from ..hw.periphery import float_input_values, input_levels
from .ste import ClippedStraightThrough


class ActQuant(nn.Module):
    """x_int = clamp(floor(x / scale + 1/2), 0, 2^a - 1), scale = range / (2^a - 1).

    The range is fixed (`max_value`) or calibrated: the max activation seen in training
    (running, momentum 0.9), frozen in eval mode. The bits a come with each call (the
    owning layer's HwConfig.input_bits), so the range is the only state.
    """

    def __init__(self, max_value: Optional[float] = None, momentum: float = 0.9) -> None:
        super().__init__()
        self.fixed = max_value is not None
        self.momentum = momentum
        self.register_buffer("running_max", torch.tensor(float(max_value) if max_value else 0.0, dtype=torch.float64))

    def scale(self, bits: int) -> float:
        """The input step at `bits` bits."""
        top = float(self.running_max)
        return (top if top > 0 else 1.0) / ((1 << bits) - 1)

    def forward(self, x: torch.Tensor, bits: int,  # type: ignore[override]
                integers: bool = True) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """(quantized x, straight through inside the range; its integers, or None without `integers`)."""
        calibrating = self.training and not self.fixed
        straight_through = torch.is_grad_enabled() and x.requires_grad
        # The maximum calibrates the range and tells the gradient x holds no NaN (amax propagates one;
        # it is max() in a faster pass, +-0 aside, which the range takes alike).
        peak = float(x.detach().amax()) if calibrating or (straight_through and x.numel()) else math.nan
        if calibrating:
            old = float(self.running_max)
            self.running_max.fill_(peak if old == 0 else self.momentum * old + (1 - self.momentum) * peak)
        s = self.scale(bits)
        top = (1 << bits) - 1
        if integers:  # the hardware's integers, exactly
            levels = input_levels(x, s, bits)
            q, ints = (levels * s).to(x.dtype), levels.to(torch.int64)
        else:
            # The float path alone may round a level off by one in float32 (periphery.float_input_levels),
            # which the float arithmetic around it outweighs; level * s in x's dtype.
            q, ints = float_input_values(x, s, bits), None
        # Straight through inside the range [0, top * s], zero gradient where the input clips or is NaN.
        return ClippedStraightThrough.apply(x, q, top * s, not math.isnan(peak)), ints

    def extra_repr(self) -> str:
        return f"range={'fixed' if self.fixed else 'calibrated'}"
