"""The SGNAS unified MobileNet search space as plain data (no torch layers).

A unified block has ``NUM_SUBBLOCKS`` (= e_max = 6) sub-blocks; each sub-block is a depthwise conv of
kernel 3, 5 or 7, or skip. The expansion rate of a layer is its number of active sub-blocks (2..6).
"""
from dataclasses import dataclass, field
from typing import Tuple

SPACE_NAME = 'sgnas-unified-mobilenet'
KERNEL_SIZES: Tuple[int, ...] = (3, 5, 7)
NUM_SUBBLOCKS = 6
MIN_EXPANSION = 2
MAX_EXPANSION = NUM_SUBBLOCKS
#: Index of the skip choice in the one-hot encoding [k3, k5, k7, skip].
SKIP = len(KERNEL_SIZES)
NUM_CHOICES = len(KERNEL_SIZES) + 1

#: (out_channels, stride) of the 19 searchable layers of the ImageNet supernet (FBNet/ProxylessNAS
#: macro structure, as in the authors' code). The input of layer 0 has 16 channels.
IMAGENET_LAYERS: Tuple[Tuple[int, int], ...] = (
    (32, 2), (32, 1),
    (40, 2), (40, 1), (40, 1), (40, 1),
    (80, 2), (80, 1), (80, 1), (80, 1),
    (96, 1), (96, 1), (96, 1), (96, 1),
    (192, 2), (192, 1), (192, 1), (192, 1),
    (320, 1),
)


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round a scaled channel count to a multiple of ``divisor`` without losing more than 10%."""
    new_value = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if new_value < 0.9 * value:
        new_value += divisor
    return new_value


@dataclass(frozen=True)
class LayerSpec:
    """One searchable layer: channels in and out, stride of its depthwise convs."""
    in_channels: int
    out_channels: int
    stride: int

    @property
    def has_residual(self) -> bool:
        return self.stride == 1 and self.in_channels == self.out_channels


@dataclass(frozen=True)
class MacroSpec:
    """Fixed macro structure around the searchable layers.

    stem: conv3x3(3 -> stem_channels, stride stem_stride) + BN + ReLU6;
    first block: MBConv(stem_channels -> first_channels, expansion 1, kernel 3, stride 1);
    layers: the searchable unified blocks; head: conv1x1(-> head_channels) + BN + ReLU6, global
    average pooling, dropout, linear classifier.
    """
    layer_channels: Tuple[Tuple[int, int], ...] = IMAGENET_LAYERS
    stem_channels: int = 32
    first_channels: int = 16
    head_channels: int = 1280
    stem_stride: int = 2
    widen_factor: float = 1.0
    layers: Tuple[LayerSpec, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        specs = []
        in_channels = self.scaled(self.first_channels)
        for out_channels, stride in self.layer_channels:
            out_channels = self.scaled(out_channels)
            specs.append(LayerSpec(in_channels, out_channels, stride))
            in_channels = out_channels
        object.__setattr__(self, 'layers', tuple(specs))

    def scaled(self, channels: int) -> int:
        return make_divisible(channels * self.widen_factor)

    @property
    def num_layers(self) -> int:
        return len(self.layer_channels)

    @property
    def scaled_stem_channels(self) -> int:
        return self.scaled(self.stem_channels)

    @property
    def scaled_first_channels(self) -> int:
        return self.scaled(self.first_channels)

    @property
    def scaled_head_channels(self) -> int:
        # As in MobileNetV2, the head is never narrowed below its nominal width.
        return self.scaled(self.head_channels) if self.widen_factor > 1.0 else self.head_channels

    def stages(self) -> Tuple[Tuple[int, ...], ...]:
        """Layer indices grouped into stages: consecutive layers with the same output channels."""
        groups, current = [], [0]
        for i in range(1, self.num_layers):
            if self.layer_channels[i][0] == self.layer_channels[i - 1][0]:
                current.append(i)
            else:
                groups.append(tuple(current))
                current = [i]
        groups.append(tuple(current))
        return tuple(groups)


def macro_from_cfg(**kwargs) -> MacroSpec:
    """Build a MacroSpec from config keywords (lists become tuples)."""
    if 'layer_channels' in kwargs:
        kwargs['layer_channels'] = tuple(tuple(x) for x in kwargs['layer_channels'])
    return MacroSpec(**kwargs)
