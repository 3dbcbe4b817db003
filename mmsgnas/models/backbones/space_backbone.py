"""The macro structure shared by the unified supernet and the stand-alone searched network."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmengine.model import BaseModule
from torch import nn

from ...space import MacroSpec, macro_from_cfg
from ..ops import conv_norm_act, first_block
from .freezing import freeze, keep_norms_in_eval


class SearchSpaceBackbone(BaseModule):
    """Stem, fixed first block, the searchable layers (built by subclasses) and the head conv.

    Outputs are indexed like mmpretrain's backbones: ``0..S-1`` are the outputs of the S stages
    (consecutive layers with the same width: for the ImageNet macro 6 stages at strides
    4, 8, 16, 16, 32, 32 with 32, 40, 80, 96, 192, 320 channels) and ``S`` (or -1) is the head conv
    (1280 channels). ``frozen_stages=k`` freezes the stem and first block (k >= 0) and stages
    0..k-1; ``norm_eval`` keeps norm layers in eval mode during training.

    Args:
        macro: a MacroSpec or its keyword arguments (widen_factor, stem_stride, head_channels, ...).
        conv_cfg, norm_cfg: as mmcv's ConvModule (plain conv, BN by default; e.g.
            ``dict(type='SyncBN')`` or ``dict(type='BN', requires_grad=False)``).
        act_cfg: activation of the stem, first block and head (ReLU6 by default).
        with_cp: gradient checkpointing of the searchable layers (stand-alone network).
    """

    def __init__(self, macro: Union[MacroSpec, dict, None] = None,
                 out_indices: Sequence[int] = (-1,), frozen_stages: int = -1,
                 norm_eval: bool = False, conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = None, act_cfg: Optional[dict] = None,
                 with_cp: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if init_cfg is None:
            init_cfg = [dict(type='Kaiming', layer='Conv2d'),
                        dict(type='Constant', val=1, layer=['_BatchNorm'])]
        super().__init__(init_cfg=init_cfg)
        self.macro = macro if isinstance(macro, MacroSpec) else macro_from_cfg(**(macro or {}))
        self.stages = self.macro.stages()
        num_outputs = len(self.stages) + 1
        for index in out_indices:
            if not -num_outputs <= index < num_outputs:
                raise ValueError(f'out_indices {tuple(out_indices)}: {index} is outside '
                                 f'0..{num_outputs - 1} ({len(self.stages)} stages + head)')
        self.out_indices = tuple(i % num_outputs for i in out_indices)
        if not -1 <= frozen_stages <= len(self.stages):
            raise ValueError(f'frozen_stages={frozen_stages} outside -1..{len(self.stages)}')
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.conv_cfg, self.norm_cfg = conv_cfg, norm_cfg or dict(type='BN')
        self.act_cfg = act_cfg or dict(type='ReLU6')
        self.with_cp = with_cp

        macro = self.macro
        layer_cfg = dict(conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg)
        self.stem = conv_norm_act(3, macro.scaled_stem_channels, 3, macro.stem_stride,
                                  act_cfg=self.act_cfg, **layer_cfg)
        self.first_block = first_block(macro.scaled_stem_channels, macro.scaled_first_channels,
                                       act_cfg=self.act_cfg, **layer_cfg)
        self.layers = nn.ModuleList(self.make_layer(index, spec)
                                    for index, spec in enumerate(macro.layers))
        self.head = conv_norm_act(macro.layers[-1].out_channels, macro.scaled_head_channels, 1,
                                  act_cfg=self.act_cfg, **layer_cfg)
        self._freeze_stages()

    @property
    def out_channels(self) -> Tuple[int, ...]:
        """Channels of each requested output, in out_indices order."""
        widths = [self.macro.layers[stage[-1]].out_channels for stage in self.stages]
        widths.append(self.macro.scaled_head_channels)
        return tuple(widths[i] for i in self.out_indices)

    def make_layer(self, index: int, spec) -> nn.Module:
        raise NotImplementedError  # subclasses build their searchable layers

    def run_layer(self, index: int, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError  # subclasses run their searchable layers

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """x: [N, 3, H, W] -> tuple of [N, C_i, H_i, W_i] feature maps, one per out index.

        Stops after the last requested output: a detector that takes stage outputs runs neither
        the stages after them nor the head conv (nor counts their FLOPs)."""
        x = self.first_block(self.stem(x))
        outs = []
        for stage_index, stage in enumerate(self.stages):
            if stage_index > max(self.out_indices):
                break
            for layer_index in stage:
                x = self.run_layer(layer_index, x)
            if stage_index in self.out_indices:
                outs.append(x)
        if len(self.stages) in self.out_indices:
            outs.append(self.head(x))
        return tuple(outs)

    def _freeze_stages(self) -> None:
        modules: List[nn.Module] = []
        if self.frozen_stages >= 0:
            modules += [self.stem, self.first_block]
        for stage in self.stages[:max(self.frozen_stages, 0)]:
            modules += [self.layers[i] for i in stage]
        freeze(modules)

    def train(self, mode: bool = True) -> 'SearchSpaceBackbone':
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            keep_norms_in_eval(self)
        return self
