"""Small conv building blocks shared by the supernet and the stand-alone network."""
from torch import nn


def conv_bn_act(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                groups: int = 1, act: bool = True) -> nn.Sequential:
    """Conv (no bias, 'same' padding) + BN (+ ReLU6)."""
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2,
                        groups=groups, bias=False),
              nn.BatchNorm2d(out_channels)]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


def first_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """The fixed MBConv of expansion 1 after the stem: depthwise 3x3 + BN + ReLU6, pointwise + BN."""
    return nn.Sequential(conv_bn_act(in_channels, in_channels, 3, groups=in_channels),
                         conv_bn_act(in_channels, out_channels, 1, act=False))
