"""k-means column exchange and crossbar-grained pruning (Lin et al., sparse mapping
paper, Algorithm 1 and section IV), on the crossbars an HwConfig describes: column
blocks of `outputs_per_xbar` outputs, `xbar_rows` rows per crossbar."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import torch
from torch import nn

from ..hw.config import HwConfig


def crossbar_matrix(layer: nn.Module) -> torch.Tensor:
    """The layer's weights as the crossbar sees them: rows = inputs (im2col), columns = outputs."""
    w = (layer.weight * layer.weight_mask).detach()
    return w.reshape(w.shape[0], -1).t()


def _kmeans(points: torch.Tensor, k: int, gen: torch.Generator, iters: int = 20) -> torch.Tensor:
    """Lloyd's k-means on 0/1 vectors (squared Euclidean = Hamming); returns labels."""
    centers = points[torch.randperm(len(points), generator=gen)[:k]].clone()
    labels = torch.zeros(len(points), dtype=torch.long)
    for _ in range(iters):
        labels = torch.cdist(points, centers).argmin(dim=1)
        for j in range(k):
            members = points[labels == j]
            if len(members):
                centers[j] = members.mean(dim=0)
    return labels


def kmeans_column_map(matrix: torch.Tensor, hw: HwConfig, restarts: int = 3, seed: int = 0) -> torch.Tensor:
    """Algorithm 1: order the columns so that each crossbar's columns share their zero
    rows. Repeatedly clusters the unplaced columns' non-zero patterns and takes the
    `per` = hw.outputs_per_xbar columns nearest a cluster centre from any cluster that has
    that many; when none has, from the largest. Keeps the best of `restarts` tries.

    Returns:
        perm with perm[j] = the logical output held by physical column j.
    """
    per = hw.outputs_per_xbar
    pattern = (matrix != 0).t().to(torch.float32)  # one row per column (output)
    n = len(pattern)
    best: Optional[torch.Tensor] = None
    best_cost = None
    for r in range(restarts):
        gen = torch.Generator().manual_seed(seed * 1000 + r)
        left = list(range(n))
        order: List[int] = []
        while left:
            if len(left) <= per:
                order += left
                break
            pts = pattern[left]
            k = max(1, len(left) // per)
            labels = _kmeans(pts, k, gen)
            sizes = torch.bincount(labels, minlength=k)
            eligible = [j for j in range(k) if sizes[j] >= per] or [int(sizes.argmax())]
            taken: List[int] = []
            for j in eligible:
                members = (labels == j).nonzero().flatten()
                centre = pts[members].mean(dim=0)
                dist = (pts[members] - centre).abs().sum(dim=1)
                nearest = members[dist.argsort()[:per]]
                taken += [left[int(i)] for i in nearest]
                if len(nearest) < per:  # the largest cluster was too small: top up by distance
                    rest = [i for i in range(len(left)) if left[i] not in taken]
                    d_all = (pts[rest] - centre).abs().sum(dim=1)
                    taken += [left[rest[int(i)]] for i in d_all.argsort()[: per - len(nearest)]]
            order += taken
            left = [c for c in left if c not in set(taken)]
        perm = torch.tensor(order)
        cost = crossbars_needed(matrix[:, perm], hw)
        if best is None or cost < best_cost:
            best, best_cost = perm, cost
    assert best is not None
    return best


def crossbars_needed(matrix: torch.Tensor, hw: HwConfig, compact_rows: bool = True) -> int:
    """Crossbars per slice-polarity group for a rows x columns matrix. With compact_rows,
    each column block keeps only its non-zero rows (the mapping paper's 'eliminate
    all-zero parts', with input index units)."""
    rows, cols = matrix.shape
    per = hw.outputs_per_xbar
    total = 0
    for c0 in range(0, cols, per):
        block = matrix[:, c0:c0 + per]
        used = int((block != 0).any(dim=1).sum()) if compact_rows else rows
        total += -(-used // hw.xbar_rows)
    return total


@dataclass
class CrossbarReport:
    dense: int          # crossbars without exploiting sparsity
    compacted: int      # zero rows removed, original column order
    mapped: int         # after k-means column exchange
    weights_pruned: int
    weights_total: int


def crossbar_prune(layer: nn.Module, fraction: float, column_map: torch.Tensor) -> int:
    """Crossbar-grained pruning (section IV): crossbar rows (the weights of one input row
    within one column block of the layer's crossbars, in mapped order) with the lowest L1
    saliency are zeroed; `fraction` of the non-zero crossbar rows go. Returns weights pruned."""
    per = layer.hw.outputs_per_xbar
    m = crossbar_matrix(layer)[:, column_map]  # rows x mapped columns
    rows, cols = m.shape
    segments: List[Tuple[float, int, int]] = []
    for c0 in range(0, cols, per):
        sal = m[:, c0:c0 + per].abs().sum(dim=1)
        for r in range(rows):
            if sal[r] > 0:
                segments.append((float(sal[r]), r, c0))
    segments.sort()
    drop = segments[: int(round(fraction * len(segments)))]
    mask = crossbar_matrix(layer).new_ones(rows, cols)
    for _, r, c0 in drop:
        mask[r, c0:c0 + per] = 0
    # back to logical column order, then to the weight's shape
    logical = torch.empty_like(mask)
    logical[:, column_map] = mask
    before = int(layer.weight_mask.sum())
    layer.weight_mask.mul_(logical.t().reshape(layer.weight_mask.shape))
    return before - int(layer.weight_mask.sum())


def crossbar_report(layer: nn.Module, column_map: torch.Tensor) -> CrossbarReport:
    """Crossbars the layer needs on its HwConfig's crossbars: dense, compacted, k-means mapped."""
    m = crossbar_matrix(layer)
    return CrossbarReport(dense=crossbars_needed(m, layer.hw, compact_rows=False),
                          compacted=crossbars_needed(m, layer.hw),
                          mapped=crossbars_needed(m[:, column_map], layer.hw),
                          weights_pruned=int((layer.weight_mask == 0).sum()),
                          weights_total=layer.weight_mask.numel())
