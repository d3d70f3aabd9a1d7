"""Export a trained zoo model to the weight file format (weights/FORMAT.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from torch import nn

from .lfsr import LfsrParams
from .weightfile import save


def _int_tensor(ints: torch.Tensor) -> np.ndarray:
    a = ints.cpu().numpy()
    return a.astype(np.int8 if a.min() >= -128 and a.max() <= 127 else np.int16)


def network_description(model: nn.Module, name: str, input_shape: Sequence[int], cell_bits: int,
                        lfsr: Optional[LfsrParams], column_maps: Optional[Dict[str, torch.Tensor]] = None):
    """(network description, tensors) for `model`'s export plan."""
    tensors: Dict[str, np.ndarray] = {}
    layers: List[dict] = []
    for lname, layer, activation, pool in model.export_plan():
        _, ints, step = layer.quantized_weight()
        desc = {"name": lname, "weight": f"{lname}.weight", "weight_format": layer.weight_format,
                "weight_bits": layer.weight_bits, "sign": layer.sign, "weight_step": float(step),
                "input_bits": layer.act_quant.bits, "input_scale": float(layer.act_quant.scale),
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
    network = {"name": name, "input_shape": list(input_shape), "cell_bits": cell_bits, "layers": layers}
    if lfsr is not None:
        network["lfsr"] = {"width": lfsr.width, "taps": lfsr.taps, "seed": lfsr.seed}
    return network, tensors


def export(model: nn.Module, path: Union[str, Path], name: str, input_shape: Sequence[int] = (1, 28, 28),
           cell_bits: int = 2, lfsr: Optional[LfsrParams] = None,
           column_maps: Optional[Dict[str, torch.Tensor]] = None) -> None:
    """Writes `model` as a bitcim weight file."""
    network, tensors = network_description(model, name, input_shape, cell_bits, lfsr, column_maps)
    save(path, network, tensors)
