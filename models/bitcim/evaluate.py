"""Evaluate a weight file in Python with the hardware's integer arithmetic: the
reference `bitcim run` is held to, prediction for prediction.

    python3 -m bitcim.evaluate --weights weights/mlp_bitsparse.safetensors --config cfg.json --limit 500
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import torch
import torch.nn.functional as F

from .data import FASHION_MNIST_DIR, load_idx_dataset
from .hardware import HwConfig, mapped_mvm
from .layers import conv_on_crossbars, input_integers, rescale_accumulator
from .weightfile import load


def layer_hardware(base: Dict[str, Any], layer: Dict[str, Any], cell_bits: int) -> HwConfig:
    """The crossbar configuration of one layer: `base` with the layer's formats."""
    cfg = dict(base)
    cfg.update(weight_bits=layer["weight_bits"], sign=layer["sign"], input_bits=layer["input_bits"], cell_bits=cell_bits)
    groups = (cfg["weight_bits"] // cell_bits) if cfg.get("composition", "digital") == "digital" else 1
    if "adc_bits" in cfg and len(cfg["adc_bits"]) != groups:
        cfg["adc_bits"] = [cfg["adc_bits"][0]] * groups
    return HwConfig.from_dict(cfg)


def predict(path: Path, images: torch.Tensor, base: Optional[Dict[str, Any]] = None, batch: int = 250) -> List[int]:
    """Predictions for float32 images (pixel / 255, [N, 1, H, W]) through the file's network on hardware."""
    network, tensors = load(path)
    base = base or {}
    layers = network["layers"]
    hws = [layer_hardware(base, l, network["cell_bits"]) for l in layers]
    preds: List[int] = []
    for i in range(0, len(images), batch):
        act = images[i:i + batch]
        for layer, hw in zip(layers, hws):
            x_int = input_integers(act, layer["input_scale"], layer["input_bits"])
            w_int = torch.from_numpy(tensors[layer["weight"]].astype("int64"))
            bias = torch.tensor(tensors[layer["bias"]]) if "bias" in layer else None
            cmap = torch.from_numpy(tensors[layer["column_map"]].astype("int64")) if "column_map" in layer else None
            if layer["kind"] == "linear":
                acc = mapped_mvm(w_int, x_int.reshape(len(x_int), -1), hw, cmap)
                y = rescale_accumulator(acc, layer["weight_step"], layer["input_scale"], bias)
            else:
                acc = conv_on_crossbars(x_int, w_int, tuple(layer["kernel"]), (layer["stride"],) * 2,
                                        (layer["padding"],) * 2, hw, cmap)
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


def main(argv: Optional[List[str]] = None) -> None:
    p = argparse.ArgumentParser(prog="python3 -m bitcim.evaluate", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weights", type=Path, required=True)
    p.add_argument("--config", type=Path, help="cfg.json as for bitcim run")
    p.add_argument("--data-dir", type=Path, default=FASHION_MNIST_DIR)
    p.add_argument("--limit", type=int, default=0)
    a = p.parse_args(argv)
    x, y = load_idx_dataset(a.data_dir, "test")
    if a.limit:
        x, y = x[:a.limit], y[:a.limit]
    base = json.loads(a.config.read_text()) if a.config else {}
    preds = predict(a.weights, x, base)
    acc = sum(int(p_ == t) for p_, t in zip(preds, y.tolist())) / len(preds)
    print(json.dumps({"weights": str(a.weights), "images": len(preds), "accuracy": acc, "predictions": preds}))


if __name__ == "__main__":
    main()
