"""The unified block of the SGNAS supernet (paper Sec. 3.3, Fig. 3 and 4)."""
from typing import Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from ...space import KERNEL_SIZES, MAX_EXPANSION, MIN_EXPANSION, NUM_SUBBLOCKS, SKIP
from .layers import conv_bn_act


class UnifiedBlock(nn.Module):
    """Inverted bottleneck whose depthwise stage is split into 6 sub-blocks.

    pointwise C_in -> 6*C_in (BN, ReLU6); the 6*C_in channels split into 6 parts of C_in, part i
    through sub-block i (depthwise k3, k5 or k7 with its own weights, BN and ReLU6, or skip);
    pointwise 6*C_in -> C_out; one shadow BN per expansion rate 2..6; residual when stride 1 and
    C_in == C_out.

    ``forward(x, choice)`` runs either a discrete layer choice (a canonical tuple of kernel sizes:
    only the active sub-blocks and the matching slices of the pointwise convs are computed) or soft
    per-sub-block weights of shape [B, 6, 4] over [k3, k5, k7, skip] (every candidate computed and
    mixed; the shadow BNs of the two expansion rates around the expected one are interpolated).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride
        self.use_residual = stride == 1 and in_channels == out_channels
        hidden = in_channels * NUM_SUBBLOCKS
        self.expand_conv = nn.Conv2d(in_channels, hidden, 1, bias=False)
        self.expand_bn = nn.BatchNorm2d(hidden)
        self.subblocks = nn.ModuleList(
            nn.ModuleDict({f'k{k}': conv_bn_act(in_channels, in_channels, k, stride, in_channels)
                           for k in KERNEL_SIZES}) for _ in range(NUM_SUBBLOCKS))
        self.project_conv = nn.Conv2d(hidden, out_channels, 1, bias=False)
        self.shadow_bns = nn.ModuleList(nn.BatchNorm2d(out_channels)
                                        for _ in range(MIN_EXPANSION, MAX_EXPANSION + 1))

    def forward(self, x: torch.Tensor, choice: Union[Sequence[int], torch.Tensor]) -> torch.Tensor:
        if isinstance(choice, torch.Tensor):
            out = self._forward_soft(x, choice)
        else:
            out = self._forward_discrete(x, tuple(choice))
        return out + x if self.use_residual else out

    def _expand(self, x: torch.Tensor, channels: int) -> torch.Tensor:
        """First pointwise conv and its BN restricted to the first ``channels`` outputs (BN is per
        channel, so a slice computes exactly what the full layer computes on those channels)."""
        bn = self.expand_bn
        y = F.conv2d(x, self.expand_conv.weight[:channels])
        training = self.training and bn.training
        momentum = 0.0
        if training:  # as nn.BatchNorm2d: momentum None means a cumulative average
            bn.num_batches_tracked.add_(1)
            momentum = bn.momentum if bn.momentum is not None else \
                1.0 / float(bn.num_batches_tracked)
        y = F.batch_norm(y, bn.running_mean[:channels], bn.running_var[:channels],
                         bn.weight[:channels], bn.bias[:channels], training, momentum, bn.eps)
        return F.relu6(y)

    def _forward_discrete(self, x: torch.Tensor, kernels: tuple) -> torch.Tensor:
        expansion = len(kernels)
        parts = self._expand(x, expansion * self.in_channels).chunk(expansion, dim=1)
        y = torch.cat([self.subblocks[i][f'k{k}'](part)
                       for i, (k, part) in enumerate(zip(kernels, parts))], dim=1)
        y = F.conv2d(y, self.project_conv.weight[:, :expansion * self.in_channels])
        return self.shadow_bns[expansion - MIN_EXPANSION](y)

    def _forward_soft(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        if tuple(weights.shape[1:]) != (NUM_SUBBLOCKS, len(KERNEL_SIZES) + 1):
            raise ValueError(f'soft weights must be [B, {NUM_SUBBLOCKS}, {len(KERNEL_SIZES) + 1}], '
                             f'got {tuple(weights.shape)}')
        parts = self._expand(x, NUM_SUBBLOCKS * self.in_channels).chunk(NUM_SUBBLOCKS, dim=1)
        mixed = []
        for i, part in enumerate(parts):
            w = weights[:, i, :, None, None, None]
            mixed.append(sum(w[:, c] * self.subblocks[i][f'k{k}'](part)
                             for c, k in enumerate(KERNEL_SIZES)))
        y = self.project_conv(torch.cat(mixed, dim=1))
        return self._mix_shadow_bns(y, NUM_SUBBLOCKS - weights[:, :, SKIP].sum(dim=1))

    def _mix_shadow_bns(self, y: torch.Tensor, expansion: torch.Tensor) -> torch.Tensor:
        """Per sample, interpolate linearly between the shadow BNs of floor(e) and ceil(e) for the
        expected expansion rate e (exactly one BN when e is an integer)."""
        position = (expansion - MIN_EXPANSION).clamp(0, MAX_EXPANSION - MIN_EXPANSION)
        coeffs = torch.relu(1 - (position[:, None] -
                                 torch.arange(len(self.shadow_bns), device=y.device)).abs())
        out = 0
        for index, bn in enumerate(self.shadow_bns):
            coeff = coeffs[:, index]
            if bool((coeff > 0).any()):
                out = out + coeff[:, None, None, None] * bn(y)
        return out
