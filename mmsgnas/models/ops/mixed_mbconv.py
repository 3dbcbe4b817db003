"""The stand-alone block of a searched network: an inverted bottleneck with mixed depthwise kernels."""
from typing import Sequence

import torch
from torch import nn

from .layers import conv_bn_act, make_activation
from .squeeze_excite import SqueezeExcite


class MixedKernelMBConv(nn.Module):
    """pointwise C_in -> e*C_in (BN, act); per active sub-block one plain depthwise conv of its
    kernel size on its C_in channels, outputs concatenated, one BN and act; optionally
    squeeze-and-excitation on the e*C_in channels (reduction 4, hard-sigmoid gate); pointwise
    e*C_in -> C_out + BN; residual when stride 1 and C_in == C_out. ``kernels`` is the canonical
    kernel tuple of the layer (its length is the expansion rate e); ``act`` is 'relu6' or
    'hswish'. x: [N, C_in, H, W] -> [N, C_out, H / stride, W / stride]."""

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 kernels: Sequence[int], se: bool = False, act: str = 'relu6') -> None:
        super().__init__()
        self.kernels = tuple(kernels)
        self.use_residual = stride == 1 and in_channels == out_channels
        hidden = in_channels * len(self.kernels)
        self.expand = conv_bn_act(in_channels, hidden, 1, act=act)
        self.depthwise = nn.ModuleList(
            nn.Conv2d(in_channels, in_channels, k, stride, k // 2, groups=in_channels, bias=False)
            for k in self.kernels)
        self.depthwise_bn = nn.BatchNorm2d(hidden)
        self.depthwise_act = make_activation(act)
        self.se = SqueezeExcite(hidden) if se else nn.Identity()
        self.project = conv_bn_act(hidden, out_channels, 1, act=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = self.expand(x).chunk(len(self.kernels), dim=1)
        y = torch.cat([conv(part) for conv, part in zip(self.depthwise, parts)], dim=1)
        y = self.project(self.se(self.depthwise_act(self.depthwise_bn(y))))
        return y + x if self.use_residual else y
