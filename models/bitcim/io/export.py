"""Export a trained zoo model to the weight file format (weights/FORMAT.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from torch import nn

from ..hw.lfsr import LfsrParams
from .weightfile import save


def _int_tensor(ints: torch.Tensor) -> np.ndarray:
    a = ints.cpu().numpy()
    return a.astype(np.int8 if a.min() >= -128 and a.max() <= 127 else np.int16)


def network_description(model: nn.Module, name: str, input_shape: Sequence[int], lfsr: Optional[LfsrParams],
                        column_maps: Optional[Dict[str, torch.Tensor]] = None):
    """(network description, tensors) for `model`'s export plan. Every layer's number
    formats come from its HwConfig; the network's cell bits too (one for all layers)."""
    tensors: Dict[str, np.ndarray] = {}
    layers: List[dict] = []
    cell_bits = set()
    for lname, layer, activation, pool in model.export_plan():
        _, ints, step = layer.quantized_weight()
        cell_bits.add(layer.hw.cell_bits)
        desc = {"name": lname, "weight": f"{lname}.weight", "weight_format": layer.weight_format,
                "weight_bits": layer.weight_bits, "sign": layer.sign, "weight_step": float(step),
                "input_bits": layer.input_bits, "input_scale": float(layer.input_scale),
                "activation": activation}
        if isinstance(layer, nn.Linear):
            desc.update(kind="linear", in_features=layer.in_features, out_features=layer.out_features)
        else:
            desc.update(kind="conv2d", in_channels=layer.in_channels, out_channels=layer.out_channels,
                        kernel=list(layer.kernel_size), stride=layer.stride[0], padding=layer.padding[0])
        if pool:
            desc["pool"] = dict(pool)
        tensors[desc["weight"]] = _int_tensor(ints)
        if layer.bias is not None:
            desc["bias"] = f"{lname}.bias"
            tensors[desc["bias"]] = layer.bias.detach().cpu().numpy().astype(np.float32)
        if column_maps and lname in column_maps:
            desc["column_map"] = f"{lname}.column_map"
            tensors[desc["column_map"]] = column_maps[lname].cpu().numpy().astype(np.int32)
        layers.append(desc)
    if len(cell_bits) != 1:
        raise ValueError(f"export: the layers have cell bits {sorted(cell_bits)}, a weight file has one for all")
    network = {"name": name, "input_shape": list(input_shape), "cell_bits": cell_bits.pop(), "layers": layers}
    if lfsr is not None:
        network["lfsr"] = {"width": lfsr.width, "taps": lfsr.taps, "seed": lfsr.seed}
    return network, tensors


def export(model: nn.Module, path: Union[str, Path], name: str, input_shape: Sequence[int] = (1, 28, 28),
           lfsr: Optional[LfsrParams] = None, column_maps: Optional[Dict[str, torch.Tensor]] = None) -> None:
    """Writes `model` as a bitcim weight file.

    Args:
        model: a zoo model (with `export_plan()`).
        path: the file to write.
        name: the network's name in the file.
        input_shape: C, H, W of one input.
        lfsr: the LFSR the pruning pattern was drawn from, if any (recorded for the hardware).
        column_maps: per layer name, the k-means column exchange's output order.
    """
    network, tensors = network_description(model, name, input_shape, lfsr, column_maps)
    save(path, network, tensors)
