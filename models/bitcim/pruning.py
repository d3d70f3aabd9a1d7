"""Pruning: magnitude ('Pruned' baseline), LFSR (regenerable by the hardware's index
generator), and crossbar-grained pruning after k-means column-exchange mapping
(Lin et al., sparse mapping paper, Algorithm 1 and section IV)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn

from .layers import quant_layers
from .lfsr import LfsrParams, lfsr_indices


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


# ---- k-means column exchange and crossbar-grained pruning -------------------------

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


def kmeans_column_map(matrix: torch.Tensor, xbar: int, restarts: int = 3, seed: int = 0) -> torch.Tensor:
    """Algorithm 1: order the columns so that each crossbar's `xbar` columns share
    their zero rows. Repeatedly clusters the unplaced columns' non-zero patterns and
    takes the `xbar` columns nearest a cluster centre from any cluster that has that
    many; when none has, from the largest. Keeps the best of `restarts` tries.

    Returns:
        perm with perm[j] = the logical output held by physical column j.
    """
    pattern = (matrix != 0).t().to(torch.float32)  # one row per column (output)
    n = len(pattern)
    best: Optional[torch.Tensor] = None
    best_cost = None
    for r in range(restarts):
        gen = torch.Generator().manual_seed(seed * 1000 + r)
        left = list(range(n))
        order: List[int] = []
        while left:
            if len(left) <= xbar:
                order += left
                break
            pts = pattern[left]
            k = max(1, len(left) // xbar)
            labels = _kmeans(pts, k, gen)
            sizes = torch.bincount(labels, minlength=k)
            eligible = [j for j in range(k) if sizes[j] >= xbar] or [int(sizes.argmax())]
            taken: List[int] = []
            for j in eligible:
                members = (labels == j).nonzero().flatten()
                centre = pts[members].mean(dim=0)
                dist = (pts[members] - centre).abs().sum(dim=1)
                nearest = members[dist.argsort()[:xbar]]
                taken += [left[int(i)] for i in nearest]
                if len(nearest) < xbar:  # the largest cluster was too small: top up by distance
                    rest = [i for i in range(len(left)) if left[i] not in taken]
                    d_all = (pts[rest] - centre).abs().sum(dim=1)
                    taken += [left[rest[int(i)]] for i in d_all.argsort()[: xbar - len(nearest)]]
            order += taken
            left = [c for c in left if c not in set(taken)]
        perm = torch.tensor(order)
        cost = crossbars_needed(matrix[:, perm], xbar)
        if best is None or cost < best_cost:
            best, best_cost = perm, cost
    assert best is not None
    return best


def crossbars_needed(matrix: torch.Tensor, xbar: int, compact_rows: bool = True) -> int:
    """Crossbars of xbar x xbar per slice-polarity group for a rows x columns matrix.
    With compact_rows, each column block keeps only its non-zero rows (the mapping
    paper's 'eliminate all-zero parts', with input index units)."""
    rows, cols = matrix.shape
    total = 0
    for c0 in range(0, cols, xbar):
        block = matrix[:, c0:c0 + xbar]
        used = int((block != 0).any(dim=1).sum()) if compact_rows else rows
        total += -(-used // xbar)
    return total


@dataclass
class CrossbarReport:
    dense: int          # crossbars without exploiting sparsity
    compacted: int      # zero rows removed, original column order
    mapped: int         # after k-means column exchange
    weights_pruned: int
    weights_total: int


def crossbar_prune(layer: nn.Module, xbar: int, fraction: float, column_map: torch.Tensor) -> int:
    """Crossbar-grained pruning (section IV): crossbar rows (xbar weights of one input
    row within one column block, in mapped order) with the lowest L1 saliency are
    zeroed; `fraction` of the non-zero crossbar rows go. Returns weights pruned."""
    m = crossbar_matrix(layer)[:, column_map]  # rows x mapped columns
    rows, cols = m.shape
    segments: List[Tuple[float, int, int]] = []
    for c0 in range(0, cols, xbar):
        sal = m[:, c0:c0 + xbar].abs().sum(dim=1)
        for r in range(rows):
            if sal[r] > 0:
                segments.append((float(sal[r]), r, c0))
    segments.sort()
    drop = segments[: int(round(fraction * len(segments)))]
    mask = crossbar_matrix(layer).new_ones(rows, cols)
    for _, r, c0 in drop:
        mask[r, c0:c0 + xbar] = 0
    # back to logical column order, then to the weight's shape
    logical = torch.empty_like(mask)
    logical[:, column_map] = mask
    before = int(layer.weight_mask.sum())
    layer.weight_mask.mul_(logical.t().reshape(layer.weight_mask.shape))
    return before - int(layer.weight_mask.sum())


def crossbar_report(layer: nn.Module, xbar: int, column_map: torch.Tensor) -> CrossbarReport:
    m = crossbar_matrix(layer)
    return CrossbarReport(dense=crossbars_needed(m, xbar, compact_rows=False),
                          compacted=crossbars_needed(m, xbar),
                          mapped=crossbars_needed(m[:, column_map], xbar),
                          weights_pruned=int((layer.weight_mask == 0).sum()),
                          weights_total=layer.weight_mask.numel())
