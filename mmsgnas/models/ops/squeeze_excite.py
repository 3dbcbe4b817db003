"""Squeeze-and-excitation as in MobileNetV3 / the paper's Table 2 models."""
import torch
from torch import nn

from ...space import make_divisible


class SqueezeExcite(nn.Module):
    """Global average pool, 1x1 conv to channels/reduction (ReLU), 1x1 conv back (hard-sigmoid),
    channel-wise rescaling of the input. x: [N, C, H, W] -> [N, C, H, W]."""

    def __init__(self, channels: int, reduction: int = 4) -> None:
        super().__init__()
        squeezed = make_divisible(channels / reduction)
        self.reduce = nn.Conv2d(channels, squeezed, 1)
        self.expand = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = x.mean((2, 3), keepdim=True)
        scale = nn.functional.hardsigmoid(self.expand(torch.relu(self.reduce(scale))))
        return x * scale
