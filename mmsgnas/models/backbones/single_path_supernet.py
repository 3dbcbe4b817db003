"""The Single-Path NAS supernet on the SGNAS unified space (Stamoulis et al.): one superkernel
block per searchable layer, its architecture read from trainable thresholds."""
import contextlib
import re
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple

import torch
from torch import nn

from ...registry import MODELS
from ...space import Arch, UnifiedSpace
from ...space.spec import KERNEL_SIZES, NUM_CHOICES, NUM_SUBBLOCKS
from ..inherit import inherit_from_supernet
from ..ops.superkernel_block import SUPERKERNEL, SuperkernelBlock
from ..ops.unified_block import kernel_centre
from .space_backbone import SearchSpaceBackbone
from .supernet_base import PathSettingMixin

#: A superkernel sub-block's keys in a state dict: ``<prefix>layers.<l>.subblocks.<i>.<rest>``.
SUBBLOCK_KEY = re.compile(r'^(?P<head>.*layers\.\d+\.subblocks\.\d+)\.(?P<rest>(conv|bn)\..+)$')


@MODELS.register_module()
class SinglePathSupernet(PathSettingMixin, SearchSpaceBackbone):
    """Single-Path NAS over the unified space: per searchable layer a :class:`SuperkernelBlock`
    (6 sub-blocks, each one 7x7 depthwise superkernel whose centre 5x5 and 3x3 are the k5 and k3
    candidates; thresholds decide active / k >= 5 / k = 7; sub-blocks 0 and 1 always active).

    What a forward runs, in this order of precedence:

    * the decision tensor set with :meth:`using_decisions` ([L, 6, 3] indicators: the search
      algorithm passes the ones it also costs, with their surrogate gradients);
    * the discrete path set with ``set_arch`` / ``using`` (:class:`PathSettingMixin`), e.g. by a
      subnet evaluator;
    * otherwise the current thresholds' decisions (:meth:`decisions`), in training and
      evaluation alike (unlike the sampling supernets, nothing is sampled).

    The decoded architecture (:meth:`decode`) is the path the thresholds select, in the space's
    canonical form (``space.from_choices``), so it is exactly what the forward runs.

    Args:
        norm: what the indicators measure, 'rms' or 'l2' (see :class:`SuperkernelBlock`).
        temperature: scale of the sigmoid surrogate of the indicators.
        other arguments: as :class:`SearchSpaceBackbone` (macro, norm_cfg, out_indices, ...).
    """

    def __init__(self, norm: str = 'rms', temperature: float = 1.0, **kwargs) -> None:
        self.indicator_norm, self.temperature = norm, temperature
        super().__init__(**kwargs)
        # positional kernels: the decoded path keeps each kernel in the sub-block it was decided in
        self.space = UnifiedSpace(self.macro, 'positional')
        self._active = None
        self._decisions: Optional[torch.Tensor] = None
        self._current: Optional[torch.Tensor] = None

    def make_layer(self, index: int, spec) -> SuperkernelBlock:
        return SuperkernelBlock(spec.in_channels, spec.out_channels, spec.stride, self.norm_cfg,
                                norm=self.indicator_norm, temperature=self.temperature)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    # -- decisions -------------------------------------------------------------------------------
    def decisions(self, drop: float = 0.0) -> torch.Tensor:
        """[L, 6, 3] indicators (alive, wide, full) of the current thresholds: exactly 0/1, with
        the straight-through surrogate gradients to thresholds and superkernels. ``drop``: each
        indicator switched off with this probability (indicator dropout)."""
        return torch.stack([layer.decisions(drop) for layer in self.layers])

    def path_decisions(self, arch: Any) -> torch.Tensor:
        """[L, 6, 3] constant indicators of a discrete architecture of the space."""
        arch = self.space.canonical(arch)
        return torch.stack([layer.path_decisions(kernels)
                            for layer, kernels in zip(self.layers, arch)])

    @staticmethod
    def cost_weights(decisions: torch.Tensor) -> torch.Tensor:
        """[L, 6, 3] indicators -> [L * 6, 4] weights over [k3, k5, k7, skip], the space's
        decision shape (one-hot for 0/1 indicators): the input of ``CostTable.soft_cost``."""
        return SuperkernelBlock.cost_weights(decisions).reshape(-1, NUM_CHOICES)

    def decode(self, decisions: Optional[torch.Tensor] = None) -> Arch:
        """The architecture of 0/1 ``decisions`` (default: the current thresholds'), canonical."""
        if decisions is None:
            with torch.no_grad():
                decisions = self.decisions()
        expected = (self.num_layers, NUM_SUBBLOCKS, 3)
        if tuple(decisions.shape) != expected:
            raise ValueError(f'decisions must be {list(expected)}, got {list(decisions.shape)}')
        weights = self.cost_weights(decisions.detach())
        if not torch.all((weights == 0) | (weights == 1)):
            raise ValueError('decisions must be 0/1 indicators to decode (the forward values of '
                             'decisions(), not surrogates)')
        return self.space.from_choices(weights.argmax(dim=-1).tolist())

    def thresholds_selecting(self, arch: Any, margin: float = 0.1) -> None:
        """Set every threshold ``margin`` (in the indicators' norm unit) on the side of its norm
        that makes :meth:`decisions` select ``arch``."""
        arch = self.space.canonical(arch)
        for layer, kernels in zip(self.layers, arch):
            layer.thresholds_selecting(kernels, margin)

    def threshold_parameters(self) -> Iterator[nn.Parameter]:
        """The search parameters (the thresholds of every block)."""
        for layer in self.layers:
            yield layer.active_threshold
            yield layer.kernel_threshold

    # -- path setting ----------------------------------------------------------------------------
    def set_soft_weights(self, weights: Optional[torch.Tensor]) -> None:
        if weights is not None:
            raise TypeError('SinglePathSupernet runs discrete paths or threshold decisions, not '
                            'soft mixtures; use set_arch() or using_decisions()')
        self._active = None

    @contextlib.contextmanager
    def using_decisions(self, decisions: torch.Tensor) -> Iterator[None]:
        """Run the [L, 6, 3] indicators ``decisions`` in the forwards inside the context."""
        expected = (self.num_layers, NUM_SUBBLOCKS, 3)
        if tuple(decisions.shape) != expected:
            raise ValueError(f'decisions must be {list(expected)}, got {list(decisions.shape)}')
        previous = self._decisions
        self._decisions = decisions
        try:
            yield
        finally:
            self._decisions = previous

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """x: [N, 3, H, W] -> the feature maps of ``out_indices`` (see the class docstring for
        which path runs)."""
        if self._decisions is not None:
            current = self._decisions
        elif self._active is not None:
            current = self.path_decisions(self._active)
        else:
            current = self.decisions()
        self._current = current
        try:
            return super().forward(x)
        finally:
            self._current = None

    def run_layer(self, index: int, x: torch.Tensor) -> torch.Tensor:
        return self.layers[index](x, self._current[index])


def unified_supernet_state(state: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """A state dict of a model with a :class:`SinglePathSupernet` -> the state dict of the same
    model with a :class:`~mmsgnas.models.UnifiedSupernet` (same macro) in its place: each
    superkernel sub-block ``...subblocks.<i>.conv.weight`` [C, 1, 7, 7] becomes the candidates
    ``...subblocks.<i>.k<k>.conv.weight`` [C, 1, k, k] (its centre k x k), all sharing the
    sub-block's norm; the thresholds are dropped; every other entry is kept.

    So a single-path supernet's weights run in every tool made for the unified supernet (subnet
    evaluators, :func:`~mmsgnas.models.inherit_from_supernet` for stand-alone networks)."""
    out: Dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if key.endswith(('active_threshold', 'kernel_threshold')):
            continue
        match = SUBBLOCK_KEY.match(key)
        if match is None:
            out[key] = value
            continue
        head, rest = match.group('head'), match.group('rest')
        for k in KERNEL_SIZES:
            if rest == 'conv.weight':
                if tuple(value.shape[-2:]) != (SUPERKERNEL, SUPERKERNEL):
                    raise ValueError(f'{key}: expected a {SUPERKERNEL}x{SUPERKERNEL} superkernel, '
                                     f'got shape {tuple(value.shape)}')
                out[f'{head}.k{k}.{rest}'] = kernel_centre(value, k).clone()
            else:
                out[f'{head}.k{k}.{rest}'] = value.clone()
    return out


def inherit_from_single_path(model: nn.Module, state: Mapping[str, torch.Tensor], arch: Any,
                             prefix: str = 'backbone.') -> None:
    """Load into ``model`` (the stand-alone classifier of ``arch``) the weights sliced from a
    single-path supernet's ``state``: :func:`unified_supernet_state`, then
    :func:`~mmsgnas.models.inherit_from_supernet` (same checks and errors)."""
    inherit_from_supernet(model, unified_supernet_state(state), arch, prefix)
