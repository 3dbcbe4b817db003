"""The supernet classifier: uniform single-path training of the unified supernet."""
import random
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmpretrain.models import ImageClassifier

from ...registry import MODELS
from ...space import Arch, as_arch, load_subnet, sample_arch

ArchSpec = Union[str, Arch, Sequence[Sequence[int]], None]


@MODELS.register_module()
class SupernetClassifier(ImageClassifier):
    """An mmpretrain ImageClassifier whose backbone is a :class:`UnifiedSupernet`.

    Training (``mode='loss'``): ``paths_per_batch`` uniform single paths are sampled (forced
    sampling: canonical form) and each runs the same batch; their losses are averaged, so one
    backward accumulates the gradients of all paths, as the authors do with 4 paths per batch. One
    forward per step keeps DDP's gradient synchronisation exact (use
    ``find_unused_parameters=True``: a path leaves most sub-blocks unused).

    Evaluation (``mode='predict'``) runs :attr:`eval_arch`: the subnet given as ``eval_subnet``
    (a subnet file path or an architecture) or, by default, a fixed reference architecture drawn
    with seed 0, so validation numbers of one run are comparable across epochs.
    """

    def __init__(self, backbone: dict, paths_per_batch: int = 1, eval_subnet: ArchSpec = None,
                 **kwargs) -> None:
        super().__init__(backbone=backbone, **kwargs)
        if paths_per_batch < 1:
            raise ValueError(f'paths_per_batch must be >= 1, got {paths_per_batch}')
        if not hasattr(self.backbone, 'set_arch'):
            raise TypeError(f'SupernetClassifier needs a supernet backbone with set_arch(), got '
                            f'{type(self.backbone).__name__}')
        self.paths_per_batch = paths_per_batch
        self.eval_arch = self.resolve_arch(eval_subnet)

    def resolve_arch(self, spec: ArchSpec) -> Arch:
        """A subnet file path, an architecture or None (the seed-0 reference architecture)."""
        if spec is None:
            return sample_arch(random.Random(0), self.backbone.num_layers)
        if isinstance(spec, str):
            return load_subnet(spec, self.backbone.num_layers)[0]
        return as_arch(spec)

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

    def predict(self, inputs: torch.Tensor, data_samples: Optional[List] = None, **kwargs):
        with self.backbone.using(self.eval_arch):
            return super().predict(inputs, data_samples, **kwargs)

    def extract_feat(self, inputs: torch.Tensor, stage: str = 'neck'):
        if self.backbone.active is None and not self.training:
            with self.backbone.using(self.eval_arch):
                return super().extract_feat(inputs, stage)
        return super().extract_feat(inputs, stage)
