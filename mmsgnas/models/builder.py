"""Building the stand-alone classifier of an architecture of any space."""
import os
from typing import Any, Optional

import torch

from ..space import SearchSpace, UnifiedSpace


def build_standalone_classifier(space: SearchSpace, arch: Any, num_classes: int,
                                **backbone_kwargs) -> torch.nn.Module:
    """Build ``space.classifier_cfg(arch, ...)`` in mmpretrain's scope whatever the caller's default
    scope is (its parts have unprefixed defaults such as the data preprocessor and the loss)."""
    from mmengine.registry import MODELS, DefaultScope
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(space.classifier_cfg(arch, num_classes, **backbone_kwargs))


def count_params(space: SearchSpace, arch: Any, num_classes: int) -> float:
    """Parameters (M) of the stand-alone classifier, built on the meta device (no memory)."""
    with torch.device('meta'):
        model = build_standalone_classifier(space, arch, num_classes)
    return sum(p.numel() for p in model.parameters()) / 1e6


def build_searched_classifier(subnet: Any, macro=None, num_classes: int = 1000, se: bool = False,
                              act_cfg: Optional[dict] = None) -> torch.nn.Module:
    """The stand-alone classifier of a unified-space ``subnet`` (a subnet file path or an
    architecture) with ``macro``: SearchedMobileNet (``se``, ``act_cfg``), global average pooling
    and a linear classifier."""
    space = UnifiedSpace(macro)
    if isinstance(subnet, (str, os.PathLike)):
        from ..space import load_subnet
        subnet = load_subnet(subnet, space)[0]
    kwargs = dict(se=se) if se else {}
    if act_cfg is not None:
        kwargs['act_cfg'] = act_cfg
    return build_standalone_classifier(space, subnet, num_classes, **kwargs)
