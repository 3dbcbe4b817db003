"""The NAS-Bench-201 macro structure and the stand-alone network of one cell."""
import os
from collections import OrderedDict
from typing import Any, List, Optional, Sequence, Tuple, Union

import torch
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from torch import nn

from ...registry import MODELS
from ...space.base import ArchError
from ...space.nasbench201 import Cell, NasBench201Space
from ..ops.nasbench201_ops import NasBench201Cell, NasBench201ReductionBlock
from .freezing import freeze, keep_norms_in_eval

NUM_STAGES = 3
DEFAULT_INIT_CFG = [
    dict(type='Kaiming', layer='Conv2d', mode='fan_out', nonlinearity='relu',
         distribution='normal'),
    dict(type='Constant', val=1, bias=0, layer=['_BatchNorm']),
]


class NasBench201Stage(nn.Module):
    """One stage: the reduction block (stages 1 and 2) and N cells, run with the same cell
    argument (every cell of the network shares one topology)."""

    def __init__(self, reduction: Optional[nn.Module], cells: Sequence[nn.Module]) -> None:
        super().__init__()
        self.reduction = reduction
        self.cells = nn.ModuleList(cells)

    def forward(self, x: torch.Tensor, *cell_args: Any) -> torch.Tensor:
        if self.reduction is not None:
            x = self.reduction(x)
        for cell in self.cells:
            x = cell(x, *cell_args)
        return x


class NasBench201Backbone(BaseModule):
    """The benchmark's macro ("TinyNetwork"): 3x3 stem conv 3 -> C (no bias) + BN; three stages of
    N cells at C, 2C, 4C channels with a :class:`NasBench201ReductionBlock` before stages 1 and 2;
    then BN + ReLU ("lastact"). Global pooling and the classifier are the neck and head of an
    mmpretrain ImageClassifier. Subclasses build the cells (:meth:`make_cell`).

    Outputs follow mmpretrain's backbones: indices 0, 1, 2 are the outputs of the stages (strides
    1, 2, 4 with C, 2C, 4C channels, before "lastact"), index 3 (or -1, the default) is the
    output after "lastact" (4C channels), what the classifier reads.

    Args:
        C: stem channels and channels of stage 0.
        N: cells per stage.
        out_indices: which outputs to return (see above).
        frozen_stages: -1 freezes nothing; k >= 0 freezes the stem and stages 0..k-1 (a stage with
            its reduction block); 3 also freezes "lastact" (the whole backbone).
        norm_eval: keep the norm layers in eval mode while training (frozen statistics).
        norm_cfg: every norm layer (mmcv ``build_norm_layer``), BN by default.
        init_cfg: mmengine init config; by default ResNet-style Kaiming-normal convs (fan_out)
            and norm weights 1, biases 0.
    """

    def __init__(self, C: int = 16, N: int = 5, out_indices: Sequence[int] = (-1,),
                 frozen_stages: int = -1, norm_eval: bool = False,
                 norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=DEFAULT_INIT_CFG if init_cfg is None else init_cfg)
        self.space = NasBench201Space(C=C, N=N)
        self.C, self.N = C, N
        num_outputs = NUM_STAGES + 1
        out_indices = tuple(out_indices)
        if not out_indices:
            raise ValueError('out_indices is empty; give at least one of 0..3 (or -1)')
        for index in out_indices:
            if not -num_outputs <= index < num_outputs:
                raise ValueError(f'out_indices {out_indices}: {index} is outside 0..'
                                 f'{num_outputs - 1} ({NUM_STAGES} stages + "lastact", or -1)')
        self.out_indices = tuple(i % num_outputs for i in out_indices)
        if not -1 <= frozen_stages <= NUM_STAGES:
            raise ValueError(f'frozen_stages={frozen_stages} outside -1..{NUM_STAGES}')
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.norm_cfg = norm_cfg or dict(type='BN')

        self.stem = nn.Sequential(OrderedDict(
            conv=nn.Conv2d(3, C, 3, padding=1, bias=False),
            bn=build_norm_layer(self.norm_cfg, C)[1]))
        self.stages = nn.ModuleList()
        for stage in range(NUM_STAGES):
            channels = C * 2 ** stage
            reduction = None if stage == 0 else NasBench201ReductionBlock(
                channels // 2, channels, self.norm_cfg)
            self.stages.append(NasBench201Stage(
                reduction, [self.make_cell(channels) for _ in range(N)]))
        self.lastact = nn.Sequential(OrderedDict(
            bn=build_norm_layer(self.norm_cfg, 4 * C)[1], relu=nn.ReLU(inplace=True)))
        self._freeze_stages()

    def make_cell(self, channels: int) -> nn.Module:
        raise NotImplementedError(f'{type(self).__name__} must build its cells')

    @property
    def out_channels(self) -> Tuple[int, ...]:
        """Channels of each requested output, in out_indices order."""
        widths = [self.C, 2 * self.C, 4 * self.C, 4 * self.C]
        return tuple(widths[i] for i in self.out_indices)

    def run(self, x: torch.Tensor, *cell_args: Any) -> Tuple[torch.Tensor, ...]:
        """x: [B, 3, H, W] (H, W multiples of 4) -> tuple of [B, C_i, H_i, W_i], one per out
        index; ``cell_args`` go to every cell."""
        x = self.stem(x)
        outs = []
        for index, stage in enumerate(self.stages):
            x = stage(x, *cell_args)
            if index in self.out_indices:
                outs.append(x)
        if NUM_STAGES in self.out_indices:
            outs.append(self.lastact(x))
        return tuple(outs)

    def _freeze_stages(self) -> None:
        modules: List[nn.Module] = []
        if self.frozen_stages >= 0:
            modules.append(self.stem)
        modules += list(self.stages[:max(self.frozen_stages, 0)])
        if self.frozen_stages == NUM_STAGES:
            modules.append(self.lastact)
        freeze(modules)

    def train(self, mode: bool = True) -> 'NasBench201Backbone':
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            keep_norms_in_eval(self)
        return self


ArchLike = Union[str, os.PathLike, Cell, Sequence[str]]


def resolve_cell(arch: ArchLike, space: NasBench201Space, source: str = 'arch') -> Cell:
    """A :class:`Cell` from an official string, a Cell or op list, or a subnet file path."""
    is_text = isinstance(arch, str) and arch.lstrip().startswith('|')
    if isinstance(arch, os.PathLike) or (isinstance(arch, str) and not is_text):
        path = os.fspath(arch)
        if not os.path.isfile(path):
            raise ArchError(f'{source}: {path!r} is neither an architecture string '
                            '("|op~0|+|op~0|op~1|+|op~0|op~1|op~2|") nor an existing subnet file')
        from ...space.subnet_file import load_subnet
        return load_subnet(path, space)[0]
    return space.canonical(arch, source)


@MODELS.register_module()
class NasBench201Net(NasBench201Backbone):
    """The stand-alone NAS-Bench-201 network of one cell, as the benchmark trains it.

    Matched against the benchmark (``params_M`` of NAS-Bench-201 v1_1, tested for several cells at
    C=16, N=5, 10 classes with mmpretrain's GlobalAveragePooling + LinearClsHead): convs have no
    bias; every BN (stem, ReLUConvBN, "lastact") has affine weight and bias; the reduction
    block's shortcut is 2x2 average pooling + a bias-free 1x1 conv without norm; the linear
    classifier has a bias; ``none``, ``skip_connect`` and the pooling have no parameters; an
    edge's conv is built (and counted) even when its input node is always zero.

    Args:
        arch: the cell: its official string, a :class:`Cell` (or list of 6 op names), or the path
            of a subnet file of the space ``nas-bench-201``.
        other arguments: as :class:`NasBench201Backbone`.
    """

    def __init__(self, arch: ArchLike, C: int = 16, N: int = 5, **kwargs) -> None:
        space = NasBench201Space(C=C, N=N)
        self.arch = resolve_cell(arch, space)
        super().__init__(C=C, N=N, **kwargs)

    def make_cell(self, channels: int) -> NasBench201Cell:
        return NasBench201Cell(channels, self.arch, self.norm_cfg)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """x: [B, 3, H, W] -> tuple of feature maps, one per out index."""
        return self.run(x)
