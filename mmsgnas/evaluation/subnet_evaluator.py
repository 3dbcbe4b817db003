"""Scores of single architectures with a trained supernet's inherited weights."""
import hashlib
from typing import Any, Dict, Hashable, Iterable, List, Optional, Union

import torch
from mmengine import dist
from mmengine.evaluator import Evaluator
from mmengine.model import is_model_wrapper
from mmengine.registry import DefaultScope
from torch import nn

from ..models import recalibrated_bn
from ..registry import ARCH_EVALUATORS


def supernet_fingerprint(model: nn.Module) -> str:
    """SHA-1 of a model's state dict (names and values): tells two trained supernets apart."""
    digest = hashlib.sha1()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def dataset_settings(dataloader) -> Dict[str, Any]:
    """What identifies the data a loader reads (for resume checks)."""
    dataset = dataloader.dataset
    return dict(type=type(dataset).__name__, size=len(dataset),
                data_root=getattr(dataset, 'data_root', None),
                ann_file=getattr(dataset, 'ann_file', None),
                prefix=str(getattr(dataset, 'data_prefix', None)))


@ARCH_EVALUATORS.register_module()
class SubnetEvaluator:
    """Score of an architecture run on the supernet (inherited weights), optionally after BN
    recalibration on training images (paper Sec. 3.3.1): top-1 accuracy (%) by default, or any
    metric of mmengine's ``Evaluator`` through ``metrics`` and ``score_key``.

    The same on 1 or N processes:

    * recalibration uses a fixed set of training images, ``recal_batches`` batches of
      ``recal_dataloader``'s batch size drawn by a seeded permutation of its dataset; under DDP the
      ranks share the batches round-robin (each batch whole, so its statistics are the same) and
      the statistics are averaged over all batches of all ranks (an all-reduce);
    * scoring runs through mmengine's ``Evaluator``, which gathers the ranks' results and drops the
      sampler's padded duplicates.

    Every architecture sees the same evaluation and recalibration images, so candidates are
    compared on equal terms and a search is reproducible. The preprocessed batches are kept in
    memory when ``cache`` is set (fine for a few tens of thousands of small images; for
    ImageNet-size splits pass a subset or ``cache=False``).

    Args:
        model: a supernet classifier (``backbone.using(arch)``, ``extract_feat``,
            ``data_preprocessor``, ``mode='predict'``); DDP wrappers are unwrapped.
        dataloader: the split the score is measured on (a built loader).
        recal_dataloader: a built loader of training images for BN recalibration (its dataset,
            batch size and collate function are used; its sampler is not).
        recal_batches: number of recalibration batches (0: BN statistics as trained).
        metrics: metric config(s) for mmengine's Evaluator.
        score_key: the metric that is the score (higher is better).
        seed: seed of the recalibration images' draw.
    """

    def __init__(self, model: nn.Module, dataloader: Iterable,
                 recal_dataloader: Optional[Iterable] = None, recal_batches: int = 0,
                 cache: bool = True,
                 metrics: Union[dict, List[dict], None] = None,
                 score_key: str = 'accuracy/top1', seed: int = 0) -> None:
        self.model = model.module if is_model_wrapper(model) else model
        if recal_batches and recal_dataloader is None:
            raise ValueError(f'recal_batches={recal_batches} needs a recal_dataloader')
        self.recal_batches = int(recal_batches)
        self.dataloader, self.recal_dataloader = dataloader, recal_dataloader
        self.metrics_cfg = metrics or dict(type='mmpretrain.Accuracy', topk=(1,))
        self.score_key, self.seed = score_key, seed
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            self.evaluator = Evaluator(self.metrics_cfg)
        self.evaluator.dataset_meta = getattr(dataloader.dataset, 'metainfo', None)
        self._size = len(dataloader.dataset)
        self._cache: Optional[List[dict]] = None
        self._recal_cache: Optional[List[dict]] = None
        self.queries = 0
        if cache:
            self._cache = list(self._batches())
            self._recal_cache = list(self._recal())

    # -- data ------------------------------------------------------------------------------------
    def _preprocess(self, data: dict) -> dict:
        return self.model.data_preprocessor(data, False)

    def _batches(self) -> Iterable[dict]:
        if self._cache is not None:
            return self._cache
        return (self._preprocess(data) for data in self.dataloader)

    def recal_indices(self) -> List[List[int]]:
        """This rank's recalibration batches: dataset indices, the same on any number of ranks
        for the union of all ranks."""
        loader = self.recal_dataloader
        size, batch = len(loader.dataset), loader.batch_size
        generator = torch.Generator().manual_seed(self.seed)
        order = torch.randperm(size, generator=generator)[:self.recal_batches * batch].tolist()
        batches = [order[i:i + batch] for i in range(0, len(order), batch)]
        rank, world = dist.get_rank(), dist.get_world_size()
        return batches[rank::world]

    def _recal(self) -> Iterable[dict]:
        if self._recal_cache is not None:
            return self._recal_cache
        if not self.recal_batches:
            return []
        loader = self.recal_dataloader
        return (self._preprocess(loader.collate_fn([loader.dataset[i] for i in indices]))
                for indices in self.recal_indices())

    # -- scoring ---------------------------------------------------------------------------------
    def key(self, arch: Any) -> Hashable:
        """Paths with another weight assignment score differently: the key is the path itself."""
        return arch

    @torch.no_grad()
    def __call__(self, arch: Any) -> float:
        """The score (``score_key``) of ``arch`` on the evaluation split."""
        return float(self.evaluate(arch)[self.score_key])

    @torch.no_grad()
    def evaluate(self, arch: Any) -> Dict[str, float]:
        """Every metric of ``arch`` on the evaluation split."""
        model = self.model
        was_training = model.training
        self.queries += 1
        with model.backbone.using(arch):
            if self.recal_batches:
                with recalibrated_bn(model, self._recal(),
                                     lambda data: model.extract_feat(data['inputs']),
                                     reduce=True):
                    metrics = self._score()
            else:
                metrics = self._score()
        model.train(was_training)
        if self.score_key not in metrics:
            raise KeyError(f'score_key {self.score_key!r} is not among the metrics '
                           f'{sorted(metrics)}')
        return metrics

    def _score(self) -> Dict[str, float]:
        model = self.model
        model.eval()
        count = 0
        for data in self._batches():
            outputs = model(**data, mode='predict')
            self.evaluator.process(outputs, data)
            count += len(outputs)
        if dist.get_world_size() == 1 and count == 0:
            raise RuntimeError('SubnetEvaluator: the evaluation dataloader is empty')
        return self.evaluator.evaluate(self._size)

    def settings(self) -> Dict[str, Any]:
        """What a saved search state must match to be resumed with this evaluator."""
        return dict(kind='supernet', supernet=supernet_fingerprint(self.model),
                    data=dataset_settings(self.dataloader),
                    recal_data=None if self.recal_dataloader is None
                    else dataset_settings(self.recal_dataloader),
                    recal_batches=self.recal_batches, seed=self.seed,
                    score_key=self.score_key)
