"""Operations, reduction block and cells of NAS-Bench-201 networks (stand-alone and supernet).

As in the benchmark: ``nor_conv_kxk`` is ReLU -> k x k conv (no bias, 'same' padding) -> BN with
affine parameters; ``avg_pool_3x3`` is 3x3 average pooling, stride 1, padding 1, that divides by
the number of real (not padded) pixels; ``skip_connect`` is the identity and ``none`` the zero.
Every cell keeps its channels and resolution; a residual reduction block (the benchmark's ResNet
basic block) halves the resolution and doubles the channels between stages.

Norm layers come from ``norm_cfg`` (mmcv ``build_norm_layer``, BN by default), so a config can
ask for SyncBN.
"""
from typing import Optional, Sequence, Union

import torch
from mmcv.cnn import build_norm_layer
from torch import nn

from ...space.nasbench201 import EDGES, NUM_EDGES, NUM_NODES, NUM_OPS, OPS, Cell


class ReLUConvBN(nn.Module):
    """ReLU -> conv (no bias, padding k // 2) -> norm. [B, C_in, H, W] -> [B, C_out, H/s, W/s]."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride,
                              kernel_size // 2, bias=False)
        self.bn = build_norm_layer(norm_cfg or dict(type='BN'), out_channels)[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(self.relu(x)))


class Zero(nn.Module):
    """The ``none`` operation: zeros of the input's shape. Cells do not call it (a ``none`` edge
    adds nothing to its node); it holds the edge's place so edge indices match the cell."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)


def build_nasbench201_op(name: str, channels: int, norm_cfg: Optional[dict] = None) -> nn.Module:
    """The module of operation ``name`` on ``channels`` channels (stride 1, as in every cell)."""
    if name == 'none':
        return Zero()
    if name == 'skip_connect':
        return nn.Identity()
    if name == 'nor_conv_1x1':
        return ReLUConvBN(channels, channels, 1, norm_cfg=norm_cfg)
    if name == 'nor_conv_3x3':
        return ReLUConvBN(channels, channels, 3, norm_cfg=norm_cfg)
    if name == 'avg_pool_3x3':
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f'unknown NAS-Bench-201 operation {name!r} (choices: {", ".join(OPS)})')


class NasBench201ReductionBlock(nn.Module):
    """The benchmark's residual reduction block (its ResNet basic block with stride 2):
    ReLUConvBN 3x3 stride 2 (C_in -> C_out), ReLUConvBN 3x3 (C_out -> C_out), plus the shortcut
    2x2 average pooling (stride 2) -> 1x1 conv C_in -> C_out (no bias, no norm), summed.
    [B, C_in, H, W] -> [B, C_out, H/2, W/2]; H and W must be even."""

    def __init__(self, in_channels: int, out_channels: int,
                 norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(in_channels, out_channels, 3, 2, norm_cfg)
        self.conv_b = ReLUConvBN(out_channels, out_channels, 3, 1, norm_cfg)
        self.downsample = nn.Sequential(
            nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
            nn.Conv2d(in_channels, out_channels, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] % 2 or x.shape[-2] % 2:
            raise ValueError(f'NAS-Bench-201 reduction block: the input is {x.shape[-2]}x'
                             f'{x.shape[-1]}, it needs an even size (network inputs must be a '
                             'multiple of 4 pixels)')
        return self.conv_b(self.conv_a(x)) + self.downsample(x)


def _sum_nodes(x: torch.Tensor, edge_outputs) -> torch.Tensor:
    """Run the cell DAG: ``edge_outputs(index, node_value)`` gives edge ``index``'s output or None
    for zero; a node with no non-zero input is zeros of the input's shape."""
    nodes = [x]
    for node in range(1, NUM_NODES):
        total = None
        for index, (to, source) in enumerate(EDGES):
            if to != node:
                continue
            out = edge_outputs(index, nodes[source])
            if out is not None:
                total = out if total is None else total + out
        nodes.append(torch.zeros_like(x) if total is None else total)
    return nodes[-1]


class NasBench201Cell(nn.Module):
    """The stand-alone cell of one :class:`Cell`: ``edges[d]`` is edge d's operation.
    [B, C, H, W] -> [B, C, H, W]. ``none`` edges are not computed (they add zero)."""

    def __init__(self, channels: int, cell: Cell, norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        if not isinstance(cell, Cell):
            raise TypeError(f'NasBench201Cell needs a Cell, got {type(cell).__name__}')
        self.cell = cell
        self.edges = nn.ModuleList(build_nasbench201_op(op, channels, norm_cfg) for op in cell)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _sum_nodes(x, lambda index, value: None if self.cell[index] == 'none'
                          else self.edges[index](value))


class NasBench201MixedEdge(nn.Module):
    """One supernet edge holding all 5 operations (``ops[name]``, in :data:`OPS` order).

    ``forward(x, choice)``: ``choice`` is an operation name (the discrete path: only that op runs)
    or weights [B, 5] (the soft path: sum_k w[:, k] * op_k(x) per sample; an op whose weight is
    zero in every sample is not computed, so its weight gets no gradient, as in
    :class:`~mmsgnas.models.ops.UnifiedBlock`). Returns [B, C, H, W], or None when the result is
    zero (``none``, or only zero weights).
    """

    def __init__(self, channels: int, norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        self.ops = nn.ModuleDict({name: build_nasbench201_op(name, channels, norm_cfg)
                                  for name in OPS})

    def forward(self, x: torch.Tensor,
                choice: Union[str, torch.Tensor]) -> Optional[torch.Tensor]:
        if not isinstance(choice, torch.Tensor):
            return None if choice == 'none' else self.ops[choice](x)
        if choice.dim() != 2 or choice.shape[1] != NUM_OPS or choice.shape[0] != x.shape[0]:
            raise ValueError(f'edge weights must be [B={x.shape[0]}, {NUM_OPS}], got '
                             f'{list(choice.shape)}')
        out = None
        for k, name in enumerate(OPS):
            weight = choice[:, k]
            if name == 'none' or not bool((weight != 0).any()):
                continue   # the zero op adds w * 0 = 0 with zero gradient
            term = weight.to(x.dtype)[:, None, None, None] * self.ops[name](x)
            out = term if out is None else out + term
        return out


class NasBench201SearchCell(nn.Module):
    """The supernet cell: one :class:`NasBench201MixedEdge` per edge. ``forward(x, arch)`` with a
    :class:`Cell` (each edge runs its op) or soft weights [B, 6, 5]. [B, C, H, W] -> same."""

    def __init__(self, channels: int, norm_cfg: Optional[dict] = None) -> None:
        super().__init__()
        self.edges = nn.ModuleList(NasBench201MixedEdge(channels, norm_cfg)
                                   for _ in range(NUM_EDGES))

    def forward(self, x: torch.Tensor, arch: Union[Sequence[str], torch.Tensor]) -> torch.Tensor:
        if isinstance(arch, torch.Tensor):
            if arch.dim() != 3 or tuple(arch.shape[1:]) != (NUM_EDGES, NUM_OPS):
                raise ValueError(f'cell weights must be [B, {NUM_EDGES}, {NUM_OPS}], got '
                                 f'{list(arch.shape)}')
            return _sum_nodes(x, lambda index, value: self.edges[index](value, arch[:, index]))
        if len(arch) != NUM_EDGES:
            raise ValueError(f'a cell has {NUM_EDGES} edges, got {len(arch)} operations')
        return _sum_nodes(x, lambda index, value: self.edges[index](value, arch[index]))
