"""Pruning: magnitude ('Pruned' baseline) and LFSR (regenerable by the hardware's index
generator). Crossbar-grained pruning is in bitcim.training.mapping."""
from __future__ import annotations

from typing import Dict

import torch
from torch import nn

from ..hw.lfsr import LfsrParams, lfsr_indices
from ..nn.layers import quant_layers


def magnitude_prune(model: nn.Module, sparsity: float) -> None:
    """Zeroes the smallest-magnitude fraction `sparsity` of each layer's weights (mask)."""
    for _, layer in quant_layers(model):
        w = (layer.weight * layer.weight_mask).detach().abs().flatten()
        count = int(round(sparsity * w.numel()))
        if count:
            idx = torch.topk(w, count, largest=False).indices
            mask = layer.weight_mask.flatten().clone()
            mask[idx] = 0
            layer.weight_mask.copy_(mask.view_as(layer.weight_mask))


def real_threshold_prune(model: nn.Module, threshold: float) -> None:
    """Zeroes every weight whose real magnitude is below `threshold` (the bit-slice L1 paper's
    code prunes |w| < 0.01 between L1 pretraining and fine-tuning); the mask stays for fine-tuning."""
    for _, layer in quant_layers(model):
        layer.weight_mask.mul_((layer.weight.detach().abs() >= threshold).to(layer.weight_mask.dtype))


def layer_lfsr(base: LfsrParams, layer_index: int) -> LfsrParams:
    """The LFSR of layer l: the network's width and taps, seed = ((seed - 1 + l) mod (2^w - 1)) + 1."""
    period = (1 << base.width) - 1
    return LfsrParams(base.width, base.taps, ((base.seed - 1 + layer_index) % period) + 1)


def lfsr_masks(model: nn.Module, sparsity: float, base: LfsrParams) -> Dict[str, torch.Tensor]:
    """Per layer, 1 at the flat weight positions the LFSR index rule chooses (count = round(sparsity * n))."""
    masks = {}
    for l, (name, layer) in enumerate(quant_layers(model)):
        n = layer.weight.numel()
        chosen = lfsr_indices(layer_lfsr(base, l), n, int(round(sparsity * n)))
        m = torch.zeros(n)
        m[torch.tensor(chosen, dtype=torch.long)] = 1
        masks[name] = m.view_as(layer.weight)
    return masks


def apply_prune_masks(model: nn.Module, masks: Dict[str, torch.Tensor]) -> None:
    """Zeroes the positions marked 1 in each layer's prune mask."""
    for name, layer in quant_layers(model):
        if name in masks:
            layer.weight_mask.mul_(1 - masks[name])


def threshold_prune(model: nn.Module, min_magnitude: int) -> None:
    """Zeroes every weight whose quantized integer magnitude is below `min_magnitude` (in
    steps of its layer's format): a threshold on the values the crossbars would hold."""
    for _, layer in quant_layers(model):
        _, ints, _ = layer.quantized_weight()
        layer.weight_mask.mul_((ints.abs() >= min_magnitude).to(layer.weight_mask.dtype))
