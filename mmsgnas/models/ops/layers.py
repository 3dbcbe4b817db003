"""Small conv building blocks shared by the supernet and the stand-alone network."""
from typing import Union

from torch import nn

ACTIVATIONS = {'relu6': nn.ReLU6, 'hswish': nn.Hardswish}


def make_activation(name: str) -> nn.Module:
    """'relu6' or 'hswish' (the paper's Table 2 models use h-swish)."""
    if name not in ACTIVATIONS:
        raise ValueError(f'activation {name!r} is not one of {sorted(ACTIVATIONS)}')
    return ACTIVATIONS[name](inplace=True)


def conv_bn_act(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                groups: int = 1, act: Union[bool, str] = True) -> nn.Sequential:
    """Conv (no bias, 'same' padding) + BN (+ activation: True means ReLU6, or a name)."""
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2,
                        groups=groups, bias=False),
              nn.BatchNorm2d(out_channels)]
    if act:
        layers.append(make_activation('relu6' if act is True else act))
    return nn.Sequential(*layers)


def first_block(in_channels: int, out_channels: int, act: str = 'relu6') -> nn.Sequential:
    """The fixed MBConv of expansion 1 after the stem: depthwise 3x3 + BN + activation,
    pointwise + BN."""
    return nn.Sequential(conv_bn_act(in_channels, in_channels, 3, groups=in_channels, act=act),
                         conv_bn_act(in_channels, out_channels, 1, act=False))
