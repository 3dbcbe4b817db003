"""Judges of the comparison harness: what every chosen architecture (and the random cloud) is
scored by, the same for every method."""
import copy
from typing import Any, Dict, List, Optional, Tuple

from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmengine.runner import Runner

from ...registry import ARCH_EVALUATORS, TASK_UTILS
from ...space import build_space
from ...utils import resolve_config_path


@TASK_UTILS.register_module()
class SupernetJudge:
    """Score on a trained supernet with inherited weights, BN recalibrated (the protocol of the
    search baselines), on a split no search saw (``test`` by default).

    Args:
        config: a search config (its model is the supernet; its ``search_cfg`` gives
            ``recal_dataloader`` and ``recal_batches``; its ``<split>_dataloader`` the images).
        checkpoint: the trained supernet.
        split: 'test', 'val' or 'train' (the training images through the test pipeline).
        recalibrate: BN recalibration (False: statistics as trained).
        name: column name in the outputs (default ``supernet-<split>``).
        cache: keep the preprocessed images in memory.
        score_key: the metric that is the score.
        cfg_options: overrides merged into the config (e.g.
            ``{'model.backbone.kernel_order': 'sorted'}``), as ``--cfg-options`` would.
    """
    kind = 'supernet'

    def __init__(self, config: str, checkpoint: str, split: str = 'test',
                 recalibrate: bool = True, name: Optional[str] = None, cache: bool = True,
                 score_key: str = 'accuracy/top1',
                 cfg_options: Optional[Dict[str, Any]] = None) -> None:
        from ...engine.checkpoint import load_model_weights
        from ...engine.hooks import apply_configured_memory_format
        from ..subnet_evaluator import SubnetEvaluator
        config = resolve_config_path(config)
        cfg = Config.fromfile(config)
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
        self.config, self.checkpoint, self.split = config, checkpoint, split
        self.name = name or f'supernet-{split}'
        search_cfg = cfg.get('search_cfg') or {}
        cfg.model.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
        if split == 'train':   # the training images through the evaluation pipeline, in order
            loader_cfg = copy.deepcopy(cfg.val_dataloader)
            loader_cfg.dataset.split = 'train'
        else:
            loader_cfg = cfg.get(f'{split}_dataloader')
            if loader_cfg is None:
                raise ValueError(f'{config} has no {split}_dataloader for the judge')
        scope = cfg.get('default_scope')
        with DefaultScope.overwrite_default_scope(scope):
            self.model = MODELS.build(cfg.model)
            loader = Runner.build_dataloader(loader_cfg, seed=0)
            recal = None
            if recalibrate:
                if 'recal_dataloader' not in search_cfg:
                    raise ValueError(f'{config}: recalibration needs search_cfg.recal_dataloader')
                recal = Runner.build_dataloader(search_cfg['recal_dataloader'], seed=0)
        load_model_weights(self.model, checkpoint, config)
        apply_configured_memory_format(self.model, cfg)
        self.model.eval()
        self.evaluator = SubnetEvaluator(self.model, loader, recal,
                                         search_cfg.get('recal_batches', 0) if recalibrate else 0,
                                         cache=cache, score_key=score_key)
        self.num_images = len(loader.dataset)

    @property
    def space(self):
        return self.model.backbone.space

    def __call__(self, arch: Any) -> float:
        return self.evaluator(arch)

    def key(self, arch: Any) -> Any:
        return self.evaluator.key(arch)

    def settings(self) -> Dict[str, Any]:
        # The space too: the same weights read with another kernel order (cfg_options) are
        # another judge, and cached scores must not cross between them.
        return dict(name=self.name, space=self.space.settings(), **self.evaluator.settings())


@TASK_UTILS.register_module()
class BenchmarkJudge:
    """Score by benchmark look-up (NAS-Bench-201's recorded accuracy: ground truth nobody in this
    project produced).

    Args:
        space: the space config (or instance).
        dataset, split, epochs, benchmark: as :class:`~mmsgnas.benchmarks.BenchmarkEvaluator`.
        name: column name (default ``<dataset>-<split>``).
    """
    kind = 'benchmark'

    def __init__(self, space: Any, dataset: str = 'cifar10', split: str = 'test',
                 epochs: int = 200, benchmark: Any = None, name: Optional[str] = None) -> None:
        self.space = build_space(space)
        self.evaluator = ARCH_EVALUATORS.build(dict(
            type='mmsgnas.BenchmarkEvaluator', space=self.space, benchmark=benchmark,
            dataset=dataset, split=split, epochs=epochs))
        self.name = name or f'{dataset}-{split}'
        self.num_images = None

    def __call__(self, arch: Any) -> float:
        return self.evaluator(arch)

    def key(self, arch: Any) -> Any:
        return self.space.to_text(arch)

    def settings(self) -> Dict[str, Any]:
        return dict(name=self.name, **self.evaluator.settings())

    def every_cell(self) -> Tuple[List[str], List[float]]:
        """The official strings of all cells of the benchmark and their recorded accuracy (%)
        for this judge's data set, split and epochs (the grey cloud of the paper's Fig. 5)."""
        evaluator = self.evaluator
        strings = list(evaluator.benchmark.arch_strings)
        scores = [evaluator.benchmark.accuracy(text, evaluator.dataset, evaluator.split,
                                               evaluator.epochs) for text in strings]
        return strings, scores


def build_judge(cfg: dict, space: Any = None):
    """A judge from its config (``space`` is passed to benchmark judges that give none)."""
    cfg = dict(cfg)
    if cfg.get('type') in ('BenchmarkJudge', 'mmsgnas.BenchmarkJudge') and 'space' not in cfg:
        cfg['space'] = space
    with DefaultScope.overwrite_default_scope('mmsgnas'):
        return TASK_UTILS.build(cfg)
