"""Conv building blocks shared by the supernet and the stand-alone network (mmcv ConvModules, so
norms, activations and convs come from ``norm_cfg`` / ``act_cfg`` / ``conv_cfg`` as in mmdet's
and mmpretrain's backbones)."""
from typing import Optional

from mmcv.cnn import ConvModule
from torch import nn


def conv_norm_act(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                  groups: int = 1, conv_cfg: Optional[dict] = None,
                  norm_cfg: Optional[dict] = None,
                  act_cfg: Optional[dict] = None) -> ConvModule:
    """Conv ('same' padding, no bias) + norm (BN by default) + activation (none when
    ``act_cfg`` is None)."""
    return ConvModule(in_channels, out_channels, kernel_size, stride, kernel_size // 2,
                      groups=groups, conv_cfg=conv_cfg, norm_cfg=norm_cfg or dict(type='BN'),
                      act_cfg=act_cfg)


def first_block(in_channels: int, out_channels: int, conv_cfg: Optional[dict] = None,
                norm_cfg: Optional[dict] = None,
                act_cfg: Optional[dict] = None) -> nn.Sequential:
    """The fixed MBConv of expansion 1 after the stem: depthwise 3x3 + norm + activation,
    pointwise + norm."""
    return nn.Sequential(
        conv_norm_act(in_channels, in_channels, 3, groups=in_channels, conv_cfg=conv_cfg,
                      norm_cfg=norm_cfg, act_cfg=act_cfg or dict(type='ReLU6')),
        conv_norm_act(in_channels, out_channels, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg))
