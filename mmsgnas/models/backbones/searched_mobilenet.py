"""The stand-alone network of one searched architecture."""
import os
from typing import Optional, Sequence, Union

import torch

from ...registry import MODELS
from ...space import Arch, as_arch, load_subnet
from ..ops import MixedKernelMBConv
from .space_backbone import SearchSpaceBackbone


@MODELS.register_module()
class SearchedMobileNet(SearchSpaceBackbone):
    """Backbone built from a subnet file (or an Arch / list of per-layer kernel lists): per layer a
    :class:`MixedKernelMBConv` with the layer's active sub-blocks as plain depthwise convs.

    Usable from mmpretrain (ImageClassifier) and mmdet (RetinaNet) configs through ``out_indices``
    (stage outputs at strides 4, 8, 16, 16, 32, 32 for the ImageNet macro, and the head),
    ``frozen_stages``, ``norm_eval`` and ``init_cfg`` (e.g. ``dict(type='Pretrained',
    checkpoint=..., prefix='backbone.')`` to take the backbone out of a classifier checkpoint).

    Args:
        subnet: path of a subnet file, or the architecture itself.
        se: squeeze-and-excitation in every searched block (the paper's Table 2 models).
        act: 'relu6' (as in the supernet) or 'hswish' (Table 2), used everywhere.
        other arguments: as :class:`SearchSpaceBackbone`.
    """

    def __init__(self, subnet: Union[str, os.PathLike, Arch, Sequence[Sequence[int]]],
                 se: bool = False, **kwargs) -> None:
        if isinstance(subnet, (str, os.PathLike)):
            self.subnet_path: Optional[str] = os.fspath(subnet)
            arch, _ = load_subnet(subnet)
        else:
            self.subnet_path = None
            arch = as_arch(subnet)
        self.arch = arch
        self.se = se
        super().__init__(**kwargs)
        if len(self.arch) != self.macro.num_layers:
            raise ValueError(f'subnet has {len(self.arch)} layers, the macro config '
                             f'{self.macro.num_layers}')

    def make_layer(self, index, spec) -> MixedKernelMBConv:
        return MixedKernelMBConv(spec.in_channels, spec.out_channels, spec.stride,
                                 self.arch[index], se=self.se, act=self.act)

    def run_layer(self, index: int, x: torch.Tensor) -> torch.Tensor:
        return self.layers[index](x)
