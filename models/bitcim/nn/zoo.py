"""Model zoo for 28x28 single-channel inputs: the bit-slice paper's two-layer MLP,
LeNet-5, a small VGG, ResNet-20, VGG-11 with batch norm and a small DARTS-V2-cell
network (bitcim.nn.darts), built from quantized layers.

Each model takes `**q`, passed to every quantized layer: `hw` (the HwConfig: number
formats, crossbar, ADCs) and `weight_format`. The weight-file exporter traces a model's
forward (bitcim.io.export), so a model is written as it computes.
"""
from __future__ import annotations

from typing import List

import torch
import torch.nn.functional as F
from torch import nn

from .layers import QuantConv2d, QuantLinear

PIXEL_SCALE = 1.0 / 255  # the first layer's input step: pixel / 255 back to the raw 8-bit pixel
MAX2 = {"kind": "max", "kernel": 2, "stride": 2}  # a version-1 pool entry (export_plan is gone; tests still name it)



class MLP(nn.Module):
    """Two linear layers (bit-slice L1 paper, section 3): 784 -> hidden -> 10."""

    def __init__(self, hidden: int = 256, **q) -> None:
        super().__init__()
        self.fc1 = QuantLinear(784, hidden, input_scale=PIXEL_SCALE, **q)
        self.fc2 = QuantLinear(hidden, 10, **q)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.relu(self.fc1(x.flatten(1))))



class LeNet5(nn.Module):
    """LeNet-5 for 28x28: conv5(pad 2)-pool-conv5-pool-120-84-10."""

    def __init__(self, **q) -> None:
        super().__init__()
        self.conv1 = QuantConv2d(1, 6, 5, padding=2, input_scale=PIXEL_SCALE, **q)
        self.conv2 = QuantConv2d(6, 16, 5, **q)
        self.fc1 = QuantLinear(16 * 5 * 5, 120, **q)
        self.fc2 = QuantLinear(120, 84, **q)
        self.fc3 = QuantLinear(84, 10, **q)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc3(F.relu(self.fc2(x)))



class VGGSmall(nn.Module):
    """A small VGG: 32-32-pool-64-64-pool-128-pool, then a linear classifier."""

    def __init__(self, **q) -> None:
        super().__init__()
        spec = [(1, 32, False), (32, 32, True), (32, 64, False), (64, 64, True), (64, 128, True)]
        self.convs = nn.ModuleList(
            QuantConv2d(cin, cout, 3, padding=1, input_scale=PIXEL_SCALE if i == 0 else None, **q)
            for i, (cin, cout, _) in enumerate(spec))
        self.pools = [p for _, _, p in spec]
        self.fc = QuantLinear(128 * 3 * 3, 10, **q)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv, pool in zip(self.convs, self.pools):
            x = F.relu(conv(x))
            if pool:
                x = F.max_pool2d(x, 2)
        return self.fc(x.flatten(1))



class _BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, **q) -> None:
        super().__init__()
        self.conv1 = QuantConv2d(cin, cout, 3, stride=stride, padding=1, bias=False, **q)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = QuantConv2d(cout, cout, 3, padding=1, bias=False, **q)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(QuantConv2d(cin, cout, 1, stride=stride, bias=False, **q), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet20(nn.Module):
    """ResNet-20 (3 stages x 3 basic blocks, 16/32/64 channels) for 1x28x28 inputs."""

    def __init__(self, **q) -> None:
        super().__init__()
        self.conv = QuantConv2d(1, 16, 3, padding=1, bias=False, input_scale=PIXEL_SCALE, **q)
        self.bn = nn.BatchNorm2d(16)
        blocks: List[nn.Module] = []
        cin = 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for b in range(3):
                blocks.append(_BasicBlock(cin, cout, stride if b == 0 else 1, **q))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = QuantLinear(64, 10, **q)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks(F.relu(self.bn(self.conv(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))



class VGG11BN(nn.Module):
    """VGG-11 with batch norm (configuration A), adapted to 1x28x28: a quarter of the
    channels (16-32-64-64-128-128-128-128), four max pools instead of five (28 -> 14 -> 7
    -> 3 -> 1), and one linear classifier on the 128 features instead of three wide ones."""

    SPEC = (16, "M", 32, "M", 64, 64, "M", 128, 128, "M", 128, 128)

    def __init__(self, **q) -> None:
        super().__init__()
        layers: List[nn.Module] = []
        cin = 1
        for v in self.SPEC:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
                continue
            layers += [QuantConv2d(cin, int(v), 3, padding=1, bias=False, input_scale=PIXEL_SCALE if cin == 1 else None,
                                   **q), nn.BatchNorm2d(int(v)), nn.ReLU(inplace=True)]
            cin = int(v)
        self.features = nn.Sequential(*layers)
        self.classifier = QuantLinear(cin, 10, **q)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


def _darts(**q) -> nn.Module:
    from .darts import DartsNet  # the cells are their own module
    return DartsNet(**q)


def _mlp100(**q) -> nn.Module:
    return MLP(hidden=100, **q)  # the bit-slice L1 paper's toy model, 784-100-10


MODELS = {"mlp": MLP, "mlp100": _mlp100, "lenet5": LeNet5, "vgg": VGGSmall, "resnet20": ResNet20, "vgg11bn": VGG11BN,
          "darts": _darts}


def build(name: str, **q) -> nn.Module:
    """A zoo model by name; `q` goes to every quantized layer (`hw`, `weight_format`)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name](**q)
