"""Config helpers for the stand-alone classifier of a searched architecture."""
import os
from typing import Sequence, Union

from ..space import Arch

SubnetLike = Union[str, os.PathLike, Arch, Sequence[Sequence[int]]]


def searched_classifier_cfg(subnet: SubnetLike, macro=None, num_classes: int = 1000,
                            se: bool = False, act: str = 'relu6') -> dict:
    """mmpretrain ImageClassifier config: SearchedMobileNet backbone (``se``, ``act``), global
    average pooling and a linear classifier over the head's channels. ``macro``: a MacroSpec or
    its keyword dict."""
    from ..space import MacroSpec, macro_from_cfg
    if isinstance(subnet, os.PathLike):
        subnet = os.fspath(subnet)
    elif not isinstance(subnet, str):
        subnet = [list(layer) for layer in subnet]
    if not isinstance(macro, MacroSpec):
        macro = macro_from_cfg(**dict(macro or {}))
    return dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='mmsgnas.SearchedMobileNet', subnet=subnet, macro=macro, se=se,
                      act=act),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=num_classes,
                  in_channels=macro.scaled_head_channels))


def build_searched_classifier(subnet: SubnetLike, macro=None, num_classes: int = 1000,
                              se: bool = False, act: str = 'relu6'):
    """Build the stand-alone classifier of ``subnet`` (see :func:`searched_classifier_cfg`), in
    mmpretrain's scope whatever the caller's default scope is (its parts have unprefixed
    defaults such as the data preprocessor and the loss)."""
    from mmengine.registry import MODELS, DefaultScope
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(searched_classifier_cfg(subnet, macro, num_classes, se, act))
