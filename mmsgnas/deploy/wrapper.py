"""The module that is exported, and BatchNorm folding.

:class:`DeployableClassifier` is the mmpretrain classifier with its data preprocessor's channel
conversion and normalisation in front, so the exported program maps pixels to logits by itself.
:func:`fold_batchnorms` folds every BN of a searched network into the conv before it: the
ConvModules' conv + BN pairs, and the one BN after a :class:`MixedKernelMBConv`'s concatenated
depthwise convs, whose channel slice ``i`` belongs to the depthwise conv of sub-block ``i``.
"""
import copy
from typing import Dict, List, Sequence

import torch
from mmcv.cnn import ConvModule
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.utils.fusion import fuse_conv_bn_eval, fuse_conv_bn_weights

from ..models.ops import MixedKernelMBConv


class DeployableClassifier(nn.Module):
    """[N, 3, H, W] float32 -> [N, num_classes] logits.

    With ``preprocess`` the input is pixels as the data pipeline loads them (0..255, the channel
    order of the loaded image files, i.e. BGR for mmcv's loader) and the module applies the data
    preprocessor's channel flip (``to_rgb``) and ``(x - mean) / std``; without it the input is
    already normalised. No padding: the input has the test pipeline's size.

    Args:
        classifier: an mmpretrain ImageClassifier (``classifier(x, mode='tensor')`` gives logits).
        mean, std: per-channel normalisation (3 values each), in pixel units.
        to_rgb: flip the channel order before normalising.
        preprocess: include the channel flip and the normalisation.
    """

    def __init__(self, classifier: nn.Module, mean: Sequence[float], std: Sequence[float],
                 to_rgb: bool = False, preprocess: bool = True) -> None:
        super().__init__()
        self.classifier = classifier
        self.to_rgb = bool(to_rgb)
        self.preprocess = bool(preprocess)
        self.register_buffer('mean', torch.tensor([float(v) for v in mean]).view(1, -1, 1, 1))
        self.register_buffer('std', torch.tensor([float(v) for v in std]).view(1, -1, 1, 1))

    @classmethod
    def from_classifier(cls, classifier: nn.Module, preprocess: bool = True
                        ) -> 'DeployableClassifier':
        """Take mean, std and ``to_rgb`` from ``classifier.data_preprocessor`` (mmpretrain's
        ClsDataPreprocessor; identity normalisation when it has none)."""
        pre = getattr(classifier, 'data_preprocessor', None)
        if pre is not None and getattr(pre, '_enable_normalize', False):
            mean, std = pre.mean.flatten().tolist(), pre.std.flatten().tolist()
        else:
            mean, std = [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]
        return cls(classifier, mean, std, getattr(pre, 'to_rgb', False), preprocess)

    def input_spec(self) -> Dict[str, object]:
        """What the exported program expects (written into the report)."""
        if not self.preprocess:
            return dict(preprocess_in_graph=False,
                        pixels='already normalised as the data preprocessor does')
        return dict(preprocess_in_graph=True, dtype='float32', layout='NCHW',
                    pixels='0..255 in the channel order of the loaded images (mmcv: BGR)',
                    to_rgb=self.to_rgb, mean=self.mean.flatten().tolist(),
                    std=self.std.flatten().tolist())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.preprocess:
            if self.to_rgb:
                x = x.flip(1)
            x = (x - self.mean) / self.std
        return self.classifier(x, mode='tensor')


def _fused_conv(conv: nn.Conv2d, bn: _BatchNorm, channels: slice) -> nn.Conv2d:
    """A copy of ``conv`` computing ``bn`` restricted to ``channels`` after it (eval mode)."""
    fused = copy.deepcopy(conv)
    weight, bias = fuse_conv_bn_weights(
        conv.weight, conv.bias, bn.running_mean[channels], bn.running_var[channels], bn.eps,
        bn.weight[channels] if bn.weight is not None else None,
        bn.bias[channels] if bn.bias is not None else None)
    fused.weight, fused.bias = weight, bias
    return fused


def depthwise_slices(block: MixedKernelMBConv) -> List[slice]:
    """The channels of the block's concatenated depthwise output that depthwise conv ``i``
    (sub-block ``i``, in sub-block order) produces."""
    width = block.depthwise[0].out_channels
    return [slice(i * width, (i + 1) * width) for i in range(len(block.depthwise))]


def fold_batchnorms(model: nn.Module) -> Dict[str, int]:
    """Fold the BNs of ``model`` (in eval mode) into their convs, in place; BN modules become
    ``nn.Identity``. Returns ``dict(folded=..., left=...)``: BN layers folded and BN layers
    still in the model (e.g. a BN that no conv precedes)."""
    if model.training:
        raise ValueError('fold_batchnorms needs a model in eval mode (running statistics)')
    folded = 0
    for module in list(model.modules()):
        if isinstance(module, ConvModule) and module.with_norm and isinstance(
                module.norm, _BatchNorm):
            order = module.order
            if order.index('conv') > order.index('norm'):
                continue   # norm before conv: cannot be folded into it
            module.conv = fuse_conv_bn_eval(module.conv, module.norm)
            setattr(module, module.norm_name, nn.Identity())
            folded += 1
        elif isinstance(module, MixedKernelMBConv) and isinstance(module.depthwise_norm,
                                                                  _BatchNorm):
            norm = module.depthwise_norm
            for index, channels in enumerate(depthwise_slices(module)):
                module.depthwise[index] = _fused_conv(module.depthwise[index], norm, channels)
            module.depthwise_norm = nn.Identity()
            folded += 1
    left = sum(isinstance(m, _BatchNorm) for m in model.modules())
    return dict(folded=folded, left=left)


def bn_channels(model: nn.Module) -> int:
    """Channels of all BN layers of ``model``: folding removes 2 parameters (weight, bias) per
    channel and adds 1 (the conv's bias), so a folded copy has this many parameters fewer."""
    return sum(m.num_features for m in model.modules() if isinstance(m, _BatchNorm))
