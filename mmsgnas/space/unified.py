"""The SGNAS unified MobileNet space (paper Sec. 3.3) behind the search-space interface."""
import json
import random
from dataclasses import asdict
from typing import Any, Dict, Hashable, List, Sequence, Tuple, Union

import numpy as np
import torch

from ..registry import SPACES
from .arch import Arch, LayerChoice, layer_choices, layer_paths
from .base import ArchError, SearchSpace
from .spec import (KERNEL_SIZES, MAX_EXPANSION, MIN_EXPANSION, NUM_CHOICES, NUM_SUBBLOCKS, SKIP,
                   SPACE_NAME, MacroSpec, macro_from_cfg)

KERNEL_ORDERS = ('positional', 'sorted')


def macro_settings(macro: MacroSpec) -> Dict[str, Any]:
    """The macro structure as JSON-like plain data (tuples become lists)."""
    data = {k: v for k, v in asdict(macro).items() if k != 'layers'}
    data['layer_channels'] = [list(x) for x in macro.layer_channels]
    return data


@SPACES.register_module()
class UnifiedSpace(SearchSpace):
    """Per searchable layer, 6 sub-blocks, each a depthwise 3x3, 5x5 or 7x7 conv or skip, with
    skips in the highest-index sub-blocks (forced sampling) and at least 2 active sub-blocks.

    Decisions: one per sub-block, D = L x 6, K = 4 choices [k3, k5, k7, skip]; the generator reads
    them as an L x 24 map. A skip ends its layer: the sub-blocks after the first skip are skipped
    whatever their own choice (:meth:`from_choices`, :meth:`structure`), so every decoded
    architecture runs exactly the weights its encoding selects.

    Args:
        macro: the macro structure (a MacroSpec or its keyword arguments); the ImageNet one by
            default.
        kernel_order: 'positional' (the paper's forced sampling and the authors' code: each active
            sub-block's kernel drawn independently and kept in its place) or 'sorted' (the kernels
            of a layer ascending: the scheme of mmsgnas before 0.2, kept to reproduce its results;
            it trains sub-block i's k-kernel only when sorting puts k at i).
    """
    name = SPACE_NAME
    choice_names = tuple(f'k{k}' for k in KERNEL_SIZES) + ('skip',)
    file_keys = ('layers',)

    def __init__(self, macro: Union[MacroSpec, dict, None] = None,
                 kernel_order: str = 'positional') -> None:
        self.macro = macro if isinstance(macro, MacroSpec) else macro_from_cfg(**(macro or {}))
        if kernel_order not in KERNEL_ORDERS:
            raise ValueError(f'kernel_order must be one of {KERNEL_ORDERS}, got {kernel_order!r}')
        self.kernel_order = kernel_order
        self.num_layers = self.macro.num_layers

    # -- shape -------------------------------------------------------------------------------
    @property
    def decision_shape(self) -> Tuple[int, int]:
        return (self.num_layers * NUM_SUBBLOCKS, NUM_CHOICES)

    @property
    def map_shape(self) -> Tuple[int, int]:
        return (self.num_layers, NUM_SUBBLOCKS * NUM_CHOICES)

    def allowed(self) -> torch.Tensor:
        mask = torch.ones(self.num_layers, NUM_SUBBLOCKS, NUM_CHOICES, dtype=torch.bool)
        mask[:, :MIN_EXPANSION, SKIP] = False
        return mask.reshape(self.decision_shape)

    # -- architectures -------------------------------------------------------------------------
    def _ordered(self, layer: LayerChoice) -> LayerChoice:
        return tuple(sorted(layer)) if self.kernel_order == 'sorted' else tuple(layer)

    def canonical(self, value: Any, source: str = '') -> Arch:
        prefix = f'{source}: ' if source else ''
        if not isinstance(value, (list, tuple)):
            raise ArchError(f'{prefix}expected a list of {self.num_layers} layers, got '
                            f'{type(value).__name__}')
        if len(value) != self.num_layers:
            raise ArchError(f'{prefix}{len(value)} layers listed, the space has {self.num_layers}')
        try:
            arch = value if isinstance(value, Arch) else Arch(value)
        except ArchError as err:
            raise ArchError(f'{prefix}{err}') from err
        return Arch(self._ordered(layer) for layer in arch)

    def identity(self, arch: Arch) -> Hashable:
        return arch.identity()

    def choices(self, arch: Arch) -> List[int]:
        out: List[int] = []
        for layer in arch:
            out += [KERNEL_SIZES.index(k) for k in layer] + [SKIP] * (NUM_SUBBLOCKS - len(layer))
        return out

    def from_choices(self, choices: Sequence[int]) -> Arch:
        choices = list(choices)
        if len(choices) != self.decision_shape[0]:
            raise ArchError(f'{len(choices)} choices, the space has {self.decision_shape[0]} '
                            'decisions')
        layers = []
        for index in range(self.num_layers):
            row = choices[index * NUM_SUBBLOCKS:(index + 1) * NUM_SUBBLOCKS]
            kernels = []
            for choice in row:
                if choice == SKIP:
                    break
                kernels.append(KERNEL_SIZES[choice])
            if len(kernels) < MIN_EXPANSION:
                raise ArchError(f'layer {index}: {len(kernels)} active sub-blocks before the first '
                                f'skip; at least {MIN_EXPANSION} are needed')
            layers.append(self._ordered(tuple(kernels)))
        return Arch(layers)

    def structure(self, probs: torch.Tensor) -> torch.Tensor:
        """A sub-block runs only if it and every sub-block before it are not skipped: kernel k of
        sub-block i gets p_i(k) * prod_{j<i} (1 - p_j(skip)); its skip weight is the rest."""
        shape = probs.shape
        layered = probs.reshape(*shape[:-2], self.num_layers, NUM_SUBBLOCKS, NUM_CHOICES)
        alive = torch.cumprod(1 - layered[..., SKIP], dim=-1)
        before = torch.cat([torch.ones_like(alive[..., :1]), alive[..., :-1]], dim=-1)
        kernels = layered[..., :SKIP] * before[..., None]
        return torch.cat([kernels, (1 - alive)[..., None]], dim=-1).reshape(shape)

    def valid_edits(self, choices: torch.Tensor) -> torch.Tensor:
        layered = choices.reshape(self.num_layers, NUM_SUBBLOCKS)
        active = (layered != SKIP).long()
        expansion = torch.cumprod(active, dim=1).sum(dim=1)                    # [L]
        position = torch.arange(NUM_SUBBLOCKS)[None].expand(self.num_layers, -1)
        edits = torch.zeros(self.num_layers, NUM_SUBBLOCKS, NUM_CHOICES, dtype=torch.bool)
        inside = position < expansion[:, None]
        edits[..., :SKIP] = inside[..., None]                       # change an active kernel
        last = (position == expansion[:, None] - 1) & (position >= MIN_EXPANSION)
        edits[..., SKIP] = last                                     # drop the last active one
        first_skip = position == expansion[:, None]
        edits[..., :SKIP] |= first_skip[..., None]                  # activate the first skip
        return edits.reshape(self.decision_shape) & self.allowed()

    def sample_layer(self, rng: random.Random) -> LayerChoice:
        """Uniform single-path sampling of one layer (the authors' scheme): the expansion rate e is
        uniform in 2..6 and each active sub-block's kernel uniform in {3, 5, 7}."""
        expansion = rng.randint(MIN_EXPANSION, MAX_EXPANSION)
        return self._ordered(tuple(rng.choice(KERNEL_SIZES) for _ in range(expansion)))

    def sample(self, rng: random.Random) -> Arch:
        return Arch(self.sample_layer(rng) for _ in range(self.num_layers))

    def sample_choices(self, generator: np.random.Generator, count: int) -> np.ndarray:
        """[count, L * 6] int64, vectorised: per layer e uniform in 2..6, the first e sub-blocks'
        kernels uniform, the rest skipped (sorted per layer under ``kernel_order='sorted'``: the
        kernel indices ascend with the size and the skip index is the largest)."""
        shape = (count, self.num_layers)
        expansion = generator.integers(MIN_EXPANSION, MAX_EXPANSION + 1, size=shape + (1,))
        kernels = generator.integers(0, len(KERNEL_SIZES), size=shape + (NUM_SUBBLOCKS,))
        choices = np.where(np.arange(NUM_SUBBLOCKS) < expansion, kernels, SKIP)
        if self.kernel_order == 'sorted':
            choices = np.sort(choices, axis=-1)
        return choices.reshape(count, -1).astype(np.int64)

    def mutate(self, arch: Arch, prob: float, rng: random.Random) -> Arch:
        return Arch(self.sample_layer(rng) if rng.random() < prob else layer for layer in arch)

    def crossover(self, first: Arch, second: Arch, rng: random.Random,
                  prob_first: float = 0.5) -> Arch:
        if len(first) != len(second):
            raise ArchError(f'cannot cross architectures of {len(first)} and {len(second)} layers')
        return Arch(a if rng.random() < prob_first else b for a, b in zip(first, second))

    def size(self) -> int:
        per_layer = len(layer_choices()) if self.kernel_order == 'sorted' else len(layer_paths())
        return per_layer ** self.num_layers

    def num_networks(self) -> int:
        """Number of distinct stand-alone networks (kernel multisets): 80 ** L."""
        return len(layer_choices()) ** self.num_layers

    # -- text and files --------------------------------------------------------------------------
    def to_text(self, arch: Arch) -> str:
        return json.dumps(arch.to_lists(), separators=(',', ':'))

    def from_text(self, text: str, source: str = '') -> Arch:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            raise ArchError(f'{source}: not a list of layers ({err})') from err
        return self.canonical(value, source)

    def describe(self, arch: Arch) -> str:
        """The expansion rate of every layer, e.g. '3 4 2 ...'."""
        return ' '.join(map(str, arch.expansions))

    def to_file_content(self, arch: Arch) -> Dict[str, Any]:
        return dict(layers=arch.to_lists())

    def from_file_content(self, content: Dict[str, Any], source: str) -> Arch:
        layers = content.get('layers')
        if not isinstance(layers, list):
            raise ArchError(f'{source}: "layers" must be a list of {self.num_layers} kernel lists, '
                            f'got {type(layers).__name__}')
        return self.canonical(layers, source)

    # -- costs and models ------------------------------------------------------------------------
    def cost_table(self, input_size: int = 224, num_classes: int = 1000):
        from ..cost.lut import unified_flops_table
        return unified_flops_table(self, input_size, num_classes)

    def standalone_backbone_cfg(self, arch: Arch, **kwargs) -> dict:
        return dict(type='mmsgnas.SearchedMobileNet', subnet=arch.to_lists(),
                    macro=macro_settings(self.macro), **kwargs)

    @property
    def feature_channels(self) -> int:
        """Channels of the head conv, the classifier's input."""
        return self.macro.scaled_head_channels

    def supernet_backbone_cfg(self, **kwargs) -> dict:
        return dict(type='mmsgnas.UnifiedSupernet', macro=macro_settings(self.macro),
                    kernel_order=self.kernel_order, **kwargs)

    def settings(self) -> Dict[str, Any]:
        return dict(space=self.name, macro=macro_settings(self.macro),
                    kernel_order=self.kernel_order)

    def weightless_settings(self) -> Dict[str, Any]:
        # Both orders train the same tensors; only which path runs them differs.
        return dict(kernel_order=self.kernel_order)
