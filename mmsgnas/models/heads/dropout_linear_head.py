"""mmpretrain's linear classification head with dropout before the classifier."""
from typing import Tuple

import torch
from mmpretrain.models.heads import LinearClsHead
from torch import nn

from ...registry import MODELS


@MODELS.register_module()
class DropoutLinearClsHead(LinearClsHead):
    """Dropout (``dropout_rate``, the paper's 0.2) then the linear classifier, as MobileNet-style
    networks end. feats: tuple whose last item is [N, in_channels] -> [N, num_classes]."""

    def __init__(self, num_classes: int, in_channels: int, dropout_rate: float = 0.2,
                 **kwargs) -> None:
        super().__init__(num_classes, in_channels, **kwargs)
        self.dropout = nn.Dropout(dropout_rate)

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        return self.dropout(super().pre_logits(feats))
