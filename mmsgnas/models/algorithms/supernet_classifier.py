"""The supernet classifier: uniform single-path training of a weight-sharing supernet."""
import random
from typing import Any, Dict, List, Sequence, Union

import torch
from mmpretrain.models import ImageClassifier

from ...registry import MODELS
from ...space import load_subnet

ArchSpec = Union[str, Sequence, None]


@MODELS.register_module()
class SupernetClassifier(ImageClassifier):
    """An mmpretrain ImageClassifier whose backbone is a supernet of any space (a backbone with
    ``space``, ``sample_arch()``, ``using()`` and ``active``: :class:`UnifiedSupernet`, the
    NAS-Bench-201 supernet).

    Training (``mode='loss'``): ``paths_per_batch`` paths are sampled from the space (the
    distribution it trains with, e.g. the unified space's forced sampling) and each runs the same
    batch; their losses are averaged, so one backward accumulates the gradients of all paths, as
    the authors do with 4 paths per batch. One forward per step keeps DDP's gradient
    synchronisation exact (use ``find_unused_parameters=True``: a path leaves most candidates
    unused).

    Evaluation (``mode='predict'``) runs the path set on the backbone (by a search evaluator) or,
    when none is set, :attr:`eval_arch`: the subnet given as ``eval_subnet`` (a subnet file path or
    an architecture) or, by default, a fixed reference path drawn with seed 0, so validation
    numbers of one run are comparable across epochs.
    """

    def __init__(self, backbone: dict, paths_per_batch: int = 1, eval_subnet: ArchSpec = None,
                 **kwargs) -> None:
        super().__init__(backbone=backbone, **kwargs)
        if paths_per_batch < 1:
            raise ValueError(f'paths_per_batch must be >= 1, got {paths_per_batch}')
        if not hasattr(self.backbone, 'space') or not hasattr(self.backbone, 'using'):
            raise TypeError(f'SupernetClassifier needs a supernet backbone (with a space and '
                            f'using()), got {type(self.backbone).__name__}')
        self.paths_per_batch = paths_per_batch
        self.eval_arch = self.resolve_arch(eval_subnet)

    @property
    def space(self):
        return self.backbone.space

    def resolve_arch(self, spec: ArchSpec) -> Any:
        """A subnet file path, an architecture or None (the seed-0 reference path)."""
        if spec is None:
            return self.space.sample(random.Random(0))
        if isinstance(spec, str) and spec.endswith(('.yaml', '.yml')):
            return load_subnet(spec, self.space)[0]
        return self.space.canonical(spec, 'eval_subnet')

    def loss(self, inputs: torch.Tensor, data_samples: List) -> Dict[str, torch.Tensor]:
        """inputs: [N, 3, H, W]; returns the head's losses averaged over the sampled paths."""
        total: Dict[str, torch.Tensor] = {}
        for _ in range(self.paths_per_batch):
            with self.backbone.using(self.backbone.sample_arch()):
                losses = self.head.loss(self.extract_feat(inputs), data_samples)
            for name, value in losses.items():
                value = value / self.paths_per_batch
                total[name] = total[name] + value if name in total else value
        return total

    def extract_feat(self, inputs: torch.Tensor, stage: str = 'neck'):
        if self.backbone.active is None and not self.training:
            with self.backbone.using(self.eval_arch):
                return super().extract_feat(inputs, stage)
        return super().extract_feat(inputs, stage)
