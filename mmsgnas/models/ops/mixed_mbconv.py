"""The stand-alone block of a searched network: an inverted bottleneck with mixed depthwise kernels."""
from typing import Optional, Sequence

import torch
import torch.utils.checkpoint as cp
from mmcv.cnn import build_conv_layer, build_norm_layer, build_activation_layer
from mmpretrain.models.utils import SELayer
from torch import nn

from .layers import conv_norm_act

HARD_SIGMOID = dict(type='HSigmoid', bias=3.0, divisor=6.0)


class MixedKernelMBConv(nn.Module):
    """pointwise C_in -> e*C_in (norm, act); per active sub-block one depthwise conv of its kernel
    size on its C_in channels (in sub-block order), outputs concatenated, one norm and act;
    optionally squeeze-and-excitation on the e*C_in channels (mmpretrain's SELayer, reduction 4,
    hard-sigmoid gate); pointwise e*C_in -> C_out + norm; residual when stride 1 and
    C_in == C_out. x: [N, C_in, H, W] -> [N, C_out, H / stride, W / stride].

    Args:
        kernels: the layer's kernel sizes in sub-block order (their number is the expansion rate).
        se: squeeze-and-excitation after the depthwise stage.
        conv_cfg, norm_cfg, act_cfg: as mmcv's ConvModule (ReLU6 by default).
        with_cp: gradient checkpointing of the block (saves memory at large inputs).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int, kernels: Sequence[int],
                 se: bool = False, conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = None, act_cfg: Optional[dict] = None,
                 with_cp: bool = False) -> None:
        super().__init__()
        norm_cfg = norm_cfg or dict(type='BN')
        act_cfg = act_cfg or dict(type='ReLU6')
        self.kernels = tuple(kernels)
        self.with_cp = with_cp
        self.use_residual = stride == 1 and in_channels == out_channels
        hidden = in_channels * len(self.kernels)
        self.expand = conv_norm_act(in_channels, hidden, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                                    act_cfg=act_cfg)
        self.depthwise = nn.ModuleList(
            build_conv_layer(conv_cfg, in_channels, in_channels, k, stride, k // 2,
                             groups=in_channels, bias=False)
            for k in self.kernels)
        self.depthwise_norm = build_norm_layer(norm_cfg, hidden)[1]
        self.depthwise_act = build_activation_layer(act_cfg)
        self.se = SELayer(hidden, ratio=4, divisor=8, conv_cfg=conv_cfg,
                          act_cfg=(dict(type='ReLU'), HARD_SIGMOID)) if se else nn.Identity()
        self.project = conv_norm_act(hidden, out_channels, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg)

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = self.expand(x).chunk(len(self.kernels), dim=1)
        y = torch.cat([conv(part) for conv, part in zip(self.depthwise, parts)], dim=1)
        y = self.project(self.se(self.depthwise_act(self.depthwise_norm(y))))
        return y + x if self.use_residual else y

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.with_cp and x.requires_grad:
            return cp.checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)
