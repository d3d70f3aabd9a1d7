"""Unsigned activation quantization with a clipped straight-through estimator."""
from __future__ import annotations

from typing import Optional, Tuple

import torch
from torch import nn

from ..hw.periphery import float_input_levels, input_levels
from .ste import StraightThrough


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
        if self.training and not self.fixed:
            m = float(x.detach().max())
            old = float(self.running_max)
            self.running_max.fill_(m if old == 0 else self.momentum * old + (1 - self.momentum) * m)
        s = self.scale(bits)
        top = (1 << bits) - 1
        # The integers are the hardware's, exactly; the float path alone may round a level off by one
        # in float32 (periphery.float_input_levels), which the float arithmetic around it outweighs.
        levels = input_levels(x, s, bits) if integers else float_input_levels(x, s, bits)
        q = (levels * s).to(x.dtype)  # level * s in x's dtype: the float path's value
        # Straight through inside the range [0, top * s], zero gradient where the input clips
        # (clamp leaves x as it is exactly there; a NaN compares unequal).
        xd = x.detach()
        inside = xd.clamp(0, top * s) == xd
        return StraightThrough.apply(x, q, inside), levels.to(torch.int64) if integers else None

    def extra_repr(self) -> str:
        return f"range={'fixed' if self.fixed else 'calibrated'}"
