"""The architecture generator alpha = G(C, B) (paper Sec. 3.2, Fig. 2)."""
import torch
from mmengine.model import BaseModule
from torch import nn

from ...registry import MODELS
from ...space import MIN_EXPANSION, NUM_CHOICES, NUM_SUBBLOCKS, SKIP


def conv_relu_stack(in_channels: int, channels: int, depth: int) -> nn.Sequential:
    layers = []
    for index in range(depth):
        layers += [nn.Conv2d(in_channels if index == 0 else channels, channels, 3, padding=1),
                   nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


@MODELS.register_module()
class ArchitectureGenerator(BaseModule):
    """Maps a normalised constraint and a one-hot random prior to architecture logits.

    The prior [B, L, 6, 4] is read as a one-channel [B, 1, L, 24] map and goes through two 3x3
    convs; the constraint c in [0, 1] is broadcast to a [B, constraint_channels, L, 24] map and goes
    through three; the two are summed, then a 3x3 conv and a residual stack of three more, then a
    3x3 conv to one channel gives [B, L, 6, 4] logits that are added to the prior (the generator
    learns the residual from the prior). All convs have ``channels`` channels and stride 1.

    Skip is impossible in the first ``MIN_EXPANSION`` sub-blocks of every layer (their skip logits
    are -inf), so every decoded architecture is valid.

    Args:
        num_layers: L, number of searchable layers.
        channels: width of every conv (32 in the paper).
        constraint_channels: channels of the broadcast constraint map (10 in the authors' code).
    """

    def __init__(self, num_layers: int = 19, channels: int = 32, constraint_channels: int = 10,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_layers = num_layers
        self.constraint_channels = constraint_channels
        self.constraint_branch = conv_relu_stack(constraint_channels, channels, 3)
        self.prior_branch = conv_relu_stack(1, channels, 2)
        self.fuse = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True))
        self.body = conv_relu_stack(channels, channels, 3)
        self.out = nn.Conv2d(channels, 1, 3, padding=1)
        mask = torch.zeros(num_layers, NUM_SUBBLOCKS, NUM_CHOICES, dtype=torch.bool)
        mask[:, :MIN_EXPANSION, SKIP] = True
        self.register_buffer('skip_mask', mask, persistent=False)

    def forward(self, constraint: torch.Tensor, prior: torch.Tensor) -> torch.Tensor:
        """constraint: [B] normalised to [0, 1]; prior: [B, L, 6, 4] one-hot.
        Returns logits [B, L, 6, 4] (masked entries -inf)."""
        batch = prior.shape[0]
        width = NUM_SUBBLOCKS * NUM_CHOICES
        prior_map = prior.reshape(batch, 1, self.num_layers, width)
        constraint_map = constraint.reshape(batch, 1, 1, 1).expand(
            batch, self.constraint_channels, self.num_layers, width)
        x = self.fuse(self.constraint_branch(constraint_map) + self.prior_branch(prior_map))
        x = x + self.body(x)
        logits = self.out(x).reshape(batch, self.num_layers, NUM_SUBBLOCKS, NUM_CHOICES) + prior
        return logits.masked_fill(self.skip_mask, float('-inf'))
