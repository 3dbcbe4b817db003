"""The SGNAS unified supernet as a backbone."""
import contextlib
import random
from typing import Iterator, Optional, Sequence, Union

import torch

from ...registry import MODELS
from ...space import Arch, NUM_CHOICES, NUM_SUBBLOCKS, as_arch, sample_arch
from ..ops import UnifiedBlock
from .space_backbone import SearchSpaceBackbone

ArchLike = Union[Arch, Sequence[Sequence[int]]]


@MODELS.register_module()
class UnifiedSupernet(SearchSpaceBackbone):
    """Unified supernet: one :class:`UnifiedBlock` per searchable layer (paper Sec. 3.3).

    Which path a forward runs is set with :meth:`set_arch` (a discrete architecture) or
    :meth:`set_soft_weights` (a [B, L, 6, 4] tensor, used by the generator), or temporarily with
    the :meth:`using` context. With nothing set, a training-mode forward samples a fresh uniform
    single path (so a plain mmpretrain ImageClassifier with this backbone trains the supernet the
    SPOS way) and an eval-mode forward is an error.

    Args: as :class:`SearchSpaceBackbone`.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._active: Union[Arch, torch.Tensor, None] = None

    def make_layer(self, index, spec) -> UnifiedBlock:
        return UnifiedBlock(spec.in_channels, spec.out_channels, spec.stride)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def sample_arch(self, rng: Optional[random.Random] = None) -> Arch:
        """A uniform random canonical path (uses Python's global ``random`` by default, which
        mmengine seeds)."""
        return sample_arch(rng or random, self.num_layers)

    def set_arch(self, arch: Optional[ArchLike]) -> None:
        """Run ``arch`` in the following forwards (None: back to sampling in training)."""
        if arch is not None:
            arch = as_arch(arch)
            if len(arch) != self.num_layers:
                raise ValueError(f'architecture has {len(arch)} layers, the supernet '
                                 f'{self.num_layers}')
        self._active = arch

    def set_soft_weights(self, weights: Optional[torch.Tensor]) -> None:
        """Run soft per-sub-block weights [B, L, 6, 4] in the following forwards."""
        expected = (self.num_layers, NUM_SUBBLOCKS, NUM_CHOICES)
        if weights is not None and (weights.dim() != 4 or tuple(weights.shape[1:]) != expected):
            raise ValueError(f'soft weights must be [B, {", ".join(map(str, expected))}], got '
                             f'{tuple(weights.shape)}')
        self._active = weights

    @property
    def active(self) -> Union[Arch, torch.Tensor, None]:
        return self._active

    @contextlib.contextmanager
    def using(self, arch_or_weights: Union[ArchLike, torch.Tensor, None]) -> Iterator[None]:
        """Temporarily run an architecture or soft weights, restoring the previous setting."""
        previous = self._active
        if isinstance(arch_or_weights, torch.Tensor):
            self.set_soft_weights(arch_or_weights)
        else:
            self.set_arch(arch_or_weights)
        try:
            yield
        finally:
            self._active = previous

    def forward(self, x: torch.Tensor):
        if self._active is None:
            if not self.training:
                raise RuntimeError('UnifiedSupernet: no architecture set for an eval-mode '
                                   'forward; call set_arch() or set_soft_weights() first')
            with self.using(self.sample_arch()):
                return super().forward(x)
        return super().forward(x)

    def run_layer(self, index: int, x: torch.Tensor) -> torch.Tensor:
        active = self._active
        choice = active[:, index] if isinstance(active, torch.Tensor) else active[index]
        return self.layers[index](x, choice)
