"""mmpretrain's ``frozen_stages`` / ``norm_eval`` behaviour, shared by the backbones."""
from typing import Iterable

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


def freeze(modules: Iterable[nn.Module]) -> None:
    """Eval mode and no gradients for ``modules`` (the frozen stages)."""
    for module in modules:
        module.eval()
        for param in module.parameters():
            param.requires_grad = False


def keep_norms_in_eval(root: nn.Module) -> None:
    """Put every BatchNorm under ``root`` in eval mode (``norm_eval``: frozen statistics)."""
    for module in root.modules():
        if isinstance(module, _BatchNorm):
            module.eval()
