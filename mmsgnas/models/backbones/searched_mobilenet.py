"""The stand-alone network of one architecture of the unified space."""
import os
from typing import Optional, Sequence, Union

import torch

from ...registry import MODELS
from ...space import Arch, UnifiedSpace, load_subnet
from ..ops import MixedKernelMBConv
from .space_backbone import SearchSpaceBackbone

SubnetLike = Union[str, os.PathLike, Arch, Sequence[Sequence[int]]]


@MODELS.register_module()
class SearchedMobileNet(SearchSpaceBackbone):
    """Backbone built from a subnet file (or an Arch / list of per-layer kernel lists): per layer a
    :class:`MixedKernelMBConv` with the layer's active sub-blocks as plain depthwise convs, in
    sub-block order (so weights inherited from the supernet land where they were trained).

    Usable from mmpretrain (ImageClassifier) and mmdet (RetinaNet) configs through ``out_indices``
    (stage outputs at strides 4, 8, 16, 16, 32, 32 for the ImageNet macro, and the head),
    ``frozen_stages``, ``norm_eval``, ``conv_cfg`` / ``norm_cfg`` / ``act_cfg`` (e.g. SyncBN, GN,
    h-swish), ``with_cp`` and ``init_cfg`` (e.g. ``dict(type='Pretrained', checkpoint=...,
    prefix='backbone.')`` to take the backbone out of a classifier checkpoint).

    Args:
        subnet: path of a subnet file, or the architecture itself.
        se: squeeze-and-excitation in every searched block (the paper's Table 2 models).
        other arguments: as :class:`SearchSpaceBackbone`; ``act_cfg`` applies everywhere
            (``dict(type='HSwish')`` for the paper's Table 2 models).
    """

    def __init__(self, subnet: SubnetLike, se: bool = False, **kwargs) -> None:
        macro = kwargs.get('macro')
        space = UnifiedSpace(macro if macro is not None else None)
        if isinstance(subnet, (str, os.PathLike)):
            self.subnet_path: Optional[str] = os.fspath(subnet)
            arch, _ = load_subnet(subnet, space)
        else:
            self.subnet_path = None
            arch = space.canonical(subnet, 'subnet')
        self.arch = arch
        self.se = se
        super().__init__(**kwargs)

    def make_layer(self, index, spec) -> MixedKernelMBConv:
        return MixedKernelMBConv(spec.in_channels, spec.out_channels, spec.stride,
                                 self.arch[index], se=self.se, conv_cfg=self.conv_cfg,
                                 norm_cfg=self.norm_cfg, act_cfg=self.act_cfg,
                                 with_cp=self.with_cp)

    def run_layer(self, index: int, x: torch.Tensor) -> torch.Tensor:
        return self.layers[index](x)
