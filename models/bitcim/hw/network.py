"""A weight file's network on the hardware: the Python twin of `bitcim run`'s golden
level (the C++ network.h), the reference it is held to prediction for prediction."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping

import numpy as np
import torch
import torch.nn.functional as F

from .config import HwConfig
from .crossbar import mapped_mvm
from .periphery import conv_on_crossbars, input_integers, rescale_accumulator


def layer_configs(network: Mapping[str, Any], hw: HwConfig) -> List[HwConfig]:
    """`hw` applied to each layer of a network description (its formats, the network's cell bits)."""
    return [hw.for_layer(l["weight_bits"], l["sign"], l["input_bits"], network["cell_bits"], l["name"])
            for l in network["layers"]]


def predict(network: Mapping[str, Any], tensors: Dict[str, np.ndarray], hw: HwConfig, images: torch.Tensor,
            batch: int = 250) -> List[int]:
    """Predictions for float32 images (pixel / 255, [N, 1, H, W]) through the network on hardware.

    Args:
        network, tensors: a weight file's contents (bitcim.io.weightfile.load).
        hw: the run's configuration; each layer takes its own number formats (layer_configs).
        images: the input images.
        batch: images per step.
    """
    layers = network["layers"]
    hws = layer_configs(network, hw)
    preds: List[int] = []
    for i in range(0, len(images), batch):
        act = images[i:i + batch]
        for layer, layer_hw in zip(layers, hws):
            x_int = input_integers(act, layer["input_scale"], layer["input_bits"])
            w_int = torch.from_numpy(tensors[layer["weight"]].astype("int64"))
            bias = torch.tensor(tensors[layer["bias"]]) if "bias" in layer else None
            cmap = torch.from_numpy(tensors[layer["column_map"]].astype("int64")) if "column_map" in layer else None
            if layer["kind"] == "linear":
                acc = mapped_mvm(w_int, x_int.reshape(len(x_int), -1), layer_hw, cmap)
                y = rescale_accumulator(acc, layer["weight_step"], layer["input_scale"], bias)
            else:
                acc = conv_on_crossbars(x_int, w_int, tuple(layer["kernel"]), (layer["stride"],) * 2,
                                        (layer["padding"],) * 2, layer_hw, cmap)
                y = rescale_accumulator(acc, layer["weight_step"], layer["input_scale"], None)
                if bias is not None:
                    y = y + bias.double().view(1, -1, 1, 1)
            act = y.to(torch.float32)
            if layer["activation"] == "relu":
                act = F.relu(act)
            pool = layer.get("pool")
            if pool:
                fn = F.max_pool2d if pool["kind"] == "max" else F.avg_pool2d
                act = fn(act, pool["kernel"], pool["stride"])
        preds += act.reshape(len(act), -1).argmax(dim=1).tolist()
    return preds
