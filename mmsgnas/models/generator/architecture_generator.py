"""The architecture generator alpha = G(C, B) (paper Sec. 3.2, Fig. 2), for any space."""
import math
from typing import Optional, Sequence

import torch
from mmengine.model import BaseModule
from torch import nn

from ...registry import MODELS


def conv_relu_stack(in_channels: int, channels: int, depth: int) -> nn.Sequential:
    layers = []
    for index in range(depth):
        layers += [nn.Conv2d(in_channels if index == 0 else channels, channels, 3, padding=1),
                   nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


CONSTRAINT_ENCODINGS = ('constant', 'fourier')


def encode_constraint(constraint: torch.Tensor, channels: int,
                      encoding: str = 'constant') -> torch.Tensor:
    """[B] constraints in [0, 1] -> [B, channels] features (see ``ArchitectureGenerator``)."""
    c = constraint.reshape(-1, 1)
    if encoding == 'constant':
        return c.expand(-1, channels)
    index = torch.arange(channels - 1, device=c.device)
    frequency = math.pi * 2.0 ** (index // 2).to(c.dtype)
    angle = c * frequency
    waves = torch.where(index % 2 == 0, torch.sin(angle), torch.cos(angle))
    return torch.cat([c, waves], dim=1)


@MODELS.register_module()
class ArchitectureGenerator(BaseModule):
    """Maps a normalised constraint and a one-hot random prior to architecture logits.

    The prior [B, D, K] is read as a one-channel [B, 1, rows, cols] map (the space's
    ``map_shape``: 19 x 24 for the unified space, 6 x 5 for NAS-Bench-201) and goes through two
    3x3 convs; the constraint c in [0, 1] is encoded in ``constraint_channels`` features, each
    broadcast to a [rows, cols] plane, and goes through three; the two are summed, then a 3x3 conv and a residual stack of three
    more, then a 3x3 conv to one channel gives [B, D, K] logits that are added to the prior (the
    generator learns the residual from the prior). All convs have ``channels`` channels, stride 1.

    Choices the space never allows (its ``allowed()`` mask, e.g. skip in the first two sub-blocks
    of a unified layer) get -inf logits, so every decoded architecture is in the space.

    Args:
        decision_shape: (D, K) of the space (the trainer passes it).
        map_shape: (rows, cols) layout of the D x K entries (the trainer passes it).
        allowed: [D, K] bool mask of allowed choices (the trainer passes it).
        channels: width of every conv (32 in the paper).
        constraint_channels: channels of the broadcast constraint map (10 in the authors' code).
        constraint_encoding: 'constant' (the authors': c itself on every channel) or 'fourier'
            (c, then sin and cos of 2^j pi c for j = 0, 1, ...: neighbouring targets differ in
            the high-frequency channels, where a constant map differs only by their small
            difference).
    """

    def __init__(self, decision_shape: Sequence[int], map_shape: Sequence[int],
                 allowed: Optional[torch.Tensor] = None, channels: int = 32,
                 constraint_channels: int = 10, constraint_encoding: str = 'constant',
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if constraint_encoding not in CONSTRAINT_ENCODINGS:
            raise ValueError(f'constraint_encoding must be one of {CONSTRAINT_ENCODINGS}, got '
                             f'{constraint_encoding!r}')
        self.constraint_encoding = constraint_encoding
        self.decision_shape = tuple(int(v) for v in decision_shape)
        self.map_shape = tuple(int(v) for v in map_shape)
        if self.map_shape[0] * self.map_shape[1] != self.decision_shape[0] * self.decision_shape[1]:
            raise ValueError(f'map_shape {self.map_shape} does not hold the {self.decision_shape} '
                             'decisions')
        self.constraint_channels = constraint_channels
        self.constraint_branch = conv_relu_stack(constraint_channels, channels, 3)
        self.prior_branch = conv_relu_stack(1, channels, 2)
        self.fuse = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True))
        self.body = conv_relu_stack(channels, channels, 3)
        self.out = nn.Conv2d(channels, 1, 3, padding=1)
        if allowed is None:
            allowed = torch.ones(self.decision_shape, dtype=torch.bool)
        self.register_buffer('blocked', ~torch.as_tensor(allowed, dtype=torch.bool),
                             persistent=False)

    def forward(self, constraint: torch.Tensor, prior: torch.Tensor) -> torch.Tensor:
        """constraint: [B] normalised to [0, 1]; prior: [B, D, K] one-hot.
        Returns logits [B, D, K] (blocked choices -inf)."""
        batch = prior.shape[0]
        rows, cols = self.map_shape
        prior_map = prior.reshape(batch, 1, rows, cols)
        features = encode_constraint(constraint, self.constraint_channels,
                                     self.constraint_encoding)
        constraint_map = features.reshape(batch, self.constraint_channels, 1, 1).expand(
            batch, self.constraint_channels, rows, cols)
        x = self.fuse(self.constraint_branch(constraint_map) + self.prior_branch(prior_map))
        x = x + self.body(x)
        logits = self.out(x).reshape(batch, *self.decision_shape) + prior
        return logits.masked_fill(self.blocked, float('-inf'))
