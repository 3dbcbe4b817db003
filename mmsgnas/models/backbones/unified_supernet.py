"""The SGNAS unified supernet as a backbone."""
from typing import Tuple

import torch

from ...registry import MODELS
from ...space import UnifiedSpace
from ...space.spec import NUM_CHOICES, NUM_SUBBLOCKS
from ..ops import UnifiedBlock
from .space_backbone import SearchSpaceBackbone
from .supernet_base import PathSettingMixin


@MODELS.register_module()
class UnifiedSupernet(PathSettingMixin, SearchSpaceBackbone):
    """Unified supernet: one :class:`UnifiedBlock` per searchable layer (paper Sec. 3.3).

    Paths are set as :class:`PathSettingMixin` describes: a discrete path of its
    :class:`UnifiedSpace` (:attr:`space`) or soft weights [B, L * 6, 4].

    Args:
        kernel_order: how the space orders a layer's kernels ('positional', the paper's, or
            'sorted'); see :class:`UnifiedSpace`.
        kernel_weights: 'separate' (the paper's: each candidate kernel has its own weights) or
            'nested' (k3 and k5 are the centres of k7's weights); see :class:`UnifiedBlock`.
            Checkpoints have one format either way.
        other arguments: as :class:`SearchSpaceBackbone`.
    """

    def __init__(self, kernel_order: str = 'positional', kernel_weights: str = 'separate',
                 **kwargs) -> None:
        self.kernel_weights = kernel_weights   # read by make_layer, during the parent's __init__
        super().__init__(**kwargs)
        self.space = UnifiedSpace(self.macro, kernel_order)
        self._active = None

    def make_layer(self, index, spec) -> UnifiedBlock:
        return UnifiedBlock(spec.in_channels, spec.out_channels, spec.stride, self.norm_cfg,
                            kernel_weights=self.kernel_weights)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        with self.path_for_forward():
            return super().forward(x)

    def run_layer(self, index: int, x: torch.Tensor) -> torch.Tensor:
        active = self._active
        if isinstance(active, torch.Tensor):
            layered = active.reshape(active.shape[0], self.num_layers, NUM_SUBBLOCKS, NUM_CHOICES)
            return self.layers[index](x, layered[:, index])
        return self.layers[index](x, active[index])
