"""Accuracy of single architectures with a trained supernet's inherited weights."""
import itertools
from typing import Iterable, List, Optional, Tuple

import torch
from mmengine import dist
from torch import nn

from ..models import recalibrated_bn
from ..space import Arch

Batch = Tuple[torch.Tensor, torch.Tensor]   # inputs [N, 3, H, W], labels [N]


class SubnetEvaluator:
    """Top-1 (%) of an architecture run on the supernet (inherited weights), optionally after BN
    recalibration on training batches (paper Sec. 3.3.1).

    Every architecture sees the same evaluation images and, when ``recal_batches > 0``, the same
    recalibration batches (the first ``recal_batches`` batches of ``recal_dataloader``), so
    candidates are compared on equal terms and a search is reproducible. Both are read once and
    kept preprocessed in memory when ``cache`` is set (fine for a few thousand images; for
    ImageNet-size splits pass a subset loader or ``cache=False``). Under DDP each rank evaluates its
    shard and the counts are summed, so every rank gets the same accuracy.

    Args:
        model: a :class:`SupernetClassifier` (or anything with ``backbone.using(arch)``,
            ``extract_feat``, ``head.predict`` and ``data_preprocessor``); DDP wrappers are
            unwrapped.
        dataloader: the split to measure accuracy on.
        recal_dataloader: training batches for BN recalibration.
        recal_batches: how many of them to use (0: BN statistics as trained).
    """

    def __init__(self, model: nn.Module, dataloader: Iterable,
                 recal_dataloader: Optional[Iterable] = None, recal_batches: int = 0,
                 cache: bool = True) -> None:
        self.model = getattr(model, 'module', model)
        if recal_batches and recal_dataloader is None:
            raise ValueError(f'recal_batches={recal_batches} needs a recal_dataloader')
        self.recal_batches = recal_batches
        self._dataloader, self._recal_dataloader = dataloader, recal_dataloader
        self._cache: Optional[List[Batch]] = None
        self._recal_cache: Optional[List[Batch]] = None
        if cache:
            self._cache = list(self._batches())
            self._recal_cache = list(self._recal())

    def _preprocess(self, data: dict) -> Batch:
        data = self.model.data_preprocessor(data, False)
        labels = torch.cat([sample.gt_label for sample in data['data_samples']])
        return data['inputs'], labels.to(data['inputs'].device)

    def _batches(self) -> Iterable[Batch]:
        if self._cache is not None:
            return self._cache
        return (self._preprocess(data) for data in self._dataloader)

    def _recal(self) -> Iterable[Batch]:
        if self._recal_cache is not None:
            return self._recal_cache
        if not self.recal_batches:
            return []
        return (self._preprocess(data)
                for data in itertools.islice(self._recal_dataloader, self.recal_batches))

    @torch.no_grad()
    def __call__(self, arch: Arch) -> float:
        """Top-1 accuracy in % of ``arch`` on the evaluation split."""
        model = self.model
        was_training = model.training
        with model.backbone.using(arch):
            if self.recal_batches:
                with recalibrated_bn(model, self._recal(),
                                     lambda batch: model.extract_feat(batch[0])):
                    counts = self._count_correct()
            else:
                counts = self._count_correct()
        model.train(was_training)
        counts = counts.to(next(model.parameters()).device)
        dist.all_reduce(counts, op='sum')
        correct, total = counts.tolist()
        if total == 0:
            raise RuntimeError('SubnetEvaluator: the evaluation dataloader is empty')
        return 100.0 * correct / total

    def _count_correct(self) -> torch.Tensor:
        model = self.model
        model.eval()
        correct = total = 0
        for inputs, labels in self._batches():
            scores = model.head(model.extract_feat(inputs))
            correct += int((scores.argmax(dim=1) == labels).sum())
            total += int(labels.numel())
        return torch.tensor([correct, total], dtype=torch.float64)
