"""The hook of a Single-Path NAS search: decisions per epoch, the architecture at the end."""
import json
import os
import time
from typing import Any, Dict, List, Optional, Union

import torch
from mmengine.dist import get_rank, get_world_size, is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from ..registry import HOOKS
from ..space import save_subnet
from ..utils import write_text_atomic

CHECKPOINT_KEY = 'single_path_search'


@HOOKS.register_module()
class SinglePathSearchHook(Hook):
    """Follows a :class:`~mmsgnas.models.algorithms.SinglePathNAS` search and writes its result.

    After every training epoch it decodes the thresholds and logs how many sub-blocks are
    active, the kernel histogram, the expansion rate of every layer and the decoded
    architecture's MFLOPs and cost (the same MFLOPs, or ms under a latency table) with its error
    against the budget, puts the numbers in the message hub (``train/spnas_*`` scalars, so every
    visualisation backend gets them) and rewrites ``history_file`` (JSON: one entry per epoch).
    After training it writes the decoded architecture as a subnet file (canonical form through
    the space) with the metadata the comparison harness reads: ``flops`` (MFLOPs), ``target``
    and ``unit`` (the budget in the cost's unit), ``cost_value`` and ``cost_error`` (in that unit;
    ``flops_error`` as well when the cost is FLOPs), ``search_seconds`` (wall time of the
    training run, resumed runs added up), ``accuracy`` (the last validation top-1 of the
    thresholds' path on the search supernet, when the run validated), ``epochs``, ``seed`` and
    the cost settings.

    After every training epoch, before the checkpoint is saved and the validation runs, it also
    re-estimates the BN running statistics of the decoded path on ``recal_batches`` batches of
    training images (:meth:`SinglePathNAS.recalibrate_bn`): the running averages training leaves
    mix the statistics of every path the run went through (indicator dropout, moving
    thresholds), and a validation with them can be at chance however good the path is. The
    images are the same every epoch (drawn with ``recal_seed``); drawing them uses its own
    generator and no random transform when the recalibration loader has none, so training itself
    is unchanged.

    The elapsed time and the history are saved in the checkpoints, so a resumed search continues
    both.

    Args:
        out_file: the subnet file, relative to the work dir (or absolute).
        history_file: the per-epoch decisions, relative to the work dir (or absolute).
        accuracy_key: the message-hub scalar read as ``accuracy``.
        recal_batches: batches of BN recalibration per epoch on every rank (0: statistics as
            trained).
        recal_dataloader: a dataloader config of training images for the recalibration (e.g. the
            train split with the test pipeline); None: the runner's train dataloader (its
            dataset, pipeline and batch size).
        recal_seed: seed of the draw of the recalibration images.
    """
    priority = 'NORMAL'   # before the CheckpointHook (VERY_LOW) saves the epoch

    def __init__(self, out_file: str = 'single_path_subnet.yaml',
                 history_file: str = 'single_path_decisions.json',
                 accuracy_key: str = 'val/accuracy/top1', recal_batches: int = 8,
                 recal_dataloader: Union[dict, None] = None, recal_seed: int = 0) -> None:
        if recal_batches < 0:
            raise ValueError(f'recal_batches must be >= 0, got {recal_batches}')
        self.out_file, self.history_file, self.accuracy_key = out_file, history_file, accuracy_key
        self.recal_batches, self.recal_seed = int(recal_batches), int(recal_seed)
        self.recal_dataloader = recal_dataloader
        self._recal_loader = None
        self.history: List[Dict[str, Any]] = []
        self._seconds_before = 0.0
        self._start: Optional[float] = None

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def algorithm(runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, 'decoded'):
            raise TypeError(f'SinglePathSearchHook needs a SinglePathNAS model, got '
                            f'{type(model).__name__}')
        return model

    def path(self, runner, name: str) -> str:
        return name if os.path.isabs(name) else os.path.join(runner.work_dir, name)

    def seconds(self) -> float:
        """Wall time of the search so far (s), over all resumed runs."""
        running = 0.0 if self._start is None else time.perf_counter() - self._start
        return self._seconds_before + running

    def recal_loader(self, runner):
        """The dataloader whose dataset, collate function and batch size the recalibration uses."""
        if self._recal_loader is None:
            if self.recal_dataloader is None:
                self._recal_loader = runner.train_dataloader
            else:
                self._recal_loader = runner.build_dataloader(self.recal_dataloader,
                                                             seed=self.recal_seed)
        return self._recal_loader

    def recal_indices(self, runner) -> List[List[int]]:
        """This rank's recalibration batches (dataset indices): ``recal_batches`` per rank, the
        same every epoch, different on every rank."""
        loader = self.recal_loader(runner)
        size, batch = len(loader.dataset), loader.batch_size
        rank, world = get_rank(), get_world_size()
        generator = torch.Generator().manual_seed(self.recal_seed)
        order = torch.randperm(size, generator=generator).tolist()
        needed = self.recal_batches * batch * world
        order = (order * (needed // size + 1))[:needed]   # repeat a dataset smaller than that
        batches = [order[i:i + batch] for i in range(0, needed, batch)]
        return batches[rank::world]

    def recalibrate(self, runner) -> None:
        """Re-estimate the BN statistics of the decoded path (see the class docstring)."""
        if not self.recal_batches:
            return
        model = self.algorithm(runner)
        loader = self.recal_loader(runner)
        batches = (model.data_preprocessor(loader.collate_fn([loader.dataset[i] for i in indices]),
                                           False)['inputs']
                   for indices in self.recal_indices(runner))
        used = model.recalibrate_bn(batches, reduce=True)
        runner.logger.info(f'BN statistics of the decoded path re-estimated on {used} batches of '
                           f'{loader.batch_size} training images')

    # -- the run ---------------------------------------------------------------------------------
    def before_train(self, runner) -> None:
        self.algorithm(runner)
        self._start = time.perf_counter()

    def after_train_epoch(self, runner) -> None:
        model = self.algorithm(runner)
        info = model.decoded()
        entry = dict(epoch=runner.epoch + 1, iter=runner.iter, cost_on=bool(model.cost_on()),
                     flops=info['flops'], flops_error=info['flops_error'], cost=info['cost'],
                     unit=info['unit'], cost_error=info['cost_error'],
                     active=info['active'], kernels={f'k{k}': n for k, n in info['kernels'].items()},
                     expansions=info['expansions'], arch=model.space.to_text(info['arch']),
                     seconds=self.seconds())
        self.history = [e for e in self.history if e['epoch'] < entry['epoch']] + [entry]
        hub = runner.message_hub
        name = model.cost_name
        hub.update_scalar('train/spnas_active', info['active'])
        hub.update_scalar('train/spnas_flops', info['flops'])
        hub.update_scalar(f'train/spnas_{name}', info['cost'])
        for k, n in info['kernels'].items():
            hub.update_scalar(f'train/spnas_k{k}', n)
        if info['cost_error'] is not None:
            hub.update_scalar(f'train/spnas_{name}_error', info['cost_error'])
        cost = f'{info["flops"]:.3f} MFLOPs'
        if name != 'flops':
            cost += f', {info["cost"]:.3f} {info["unit"]}'
        budget = '' if model.target is None else \
            f' ({100 * info["cost_error"]:+.1f} % of the {model.target:g} {info["unit"]} budget)'
        runner.logger.info(
            f'single-path decisions after epoch {entry["epoch"]}: {info["active"]} sub-blocks '
            f'active, kernels ' + ' / '.join(f'k{k} {n}' for k, n in info['kernels'].items()) +
            f', {cost}{budget}, cost term {"on" if entry["cost_on"] else "off"}'
            f', expansions {model.space.describe(info["arch"])}')
        if is_main_process():
            write_text_atomic(self.path(runner, self.history_file),
                              json.dumps(self.history, indent=1))
        self.recalibrate(runner)

    def after_train(self, runner) -> None:
        model = self.algorithm(runner)
        info = model.decoded()
        accuracy = None
        if self.accuracy_key in runner.message_hub.log_scalars:
            accuracy = float(runner.message_hub.get_scalar(self.accuracy_key).current())
        metadata = dict(
            source='single-path-nas', flops=round(info['flops'], 6), target=model.target,
            unit=info['unit'], cost_value=round(info['cost'], 6),
            cost_error=None if info['cost_error'] is None else round(info['cost_error'], 6),
            flops_error=None if info['flops_error'] is None else round(info['flops_error'], 6),
            search_seconds=round(self.seconds(), 3), accuracy=accuracy, epochs=runner.epoch,
            seed=runner.seed, active_subblocks=info['active'],
            kernels={f'k{k}': n for k, n in info['kernels'].items()},
            cost=model.search_settings())
        path = self.path(runner, self.out_file)
        if is_main_process():
            save_subnet(path, info['arch'], metadata, model.space)
        cost = '' if model.cost_name == 'flops' else f'{info["cost"]:.3f} {info["unit"]}, '
        runner.logger.info(f'single-path architecture ({info["flops"]:.3f} MFLOPs, {cost}'
                           f'{self.seconds():.0f} s of search) written to {path}')

    # -- resuming --------------------------------------------------------------------------------
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[CHECKPOINT_KEY] = dict(seconds=self.seconds(), history=self.history)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get(CHECKPOINT_KEY)
        if state is not None:
            self._seconds_before = float(state['seconds'])
            self.history = list(state['history'])
            self._start = None
