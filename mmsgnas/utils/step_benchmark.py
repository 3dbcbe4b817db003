"""Train-step times of models measured side by side: memory formats of one config, or several
configs (or variants of one)."""
import copy
import statistics
import time
from typing import Callable, Dict, List, Optional

import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from ..registry import MODELS


def _synchronize(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def _first_batches(cfg: Config, count: int) -> list:
    loader = Runner.build_dataloader(copy.deepcopy(cfg.train_dataloader))
    batches = []
    for batch in loader:
        batches.append(batch)
        if len(batches) == count:
            break
    if not batches:
        raise ValueError('the training data loader of the config yields no batch')
    return batches


def _build_model(cfg: Config, device: str, memory_format: Optional[torch.memory_format] = None):
    model_cfg = copy.deepcopy(cfg.model)
    # as mmengine's Runner does: a top-level data_preprocessor fills the model's
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', copy.deepcopy(cfg.data_preprocessor))
    model = MODELS.build(model_cfg)
    model.init_weights()
    model.to(torch.device(device)).train()
    if memory_format is not None:
        model.to(memory_format=memory_format)
    return model


def _check_steps(steps: int, warmup: int) -> None:
    if steps < 1 or warmup < 0:
        raise ValueError(f'steps must be >= 1 and warmup >= 0, got {steps}, {warmup}')


def _alternate_steps(steppers: Dict[str, Callable[[int], None]], steps: int, warmup: int,
                     device: str) -> Dict[str, Dict[str, float]]:
    """Runs ``stepper(index)`` of every entry in turn, ``warmup + steps`` rounds, so that drift of
    the machine falls on all alike; returns median and min ms of the timed rounds."""
    times: Dict[str, List[float]] = {name: [] for name in steppers}
    for index in range(steps + warmup):
        for name, step in steppers.items():
            _synchronize(torch.device(device))
            start = time.perf_counter()
            step(index)
            _synchronize(torch.device(device))
            if index >= warmup:
                times[name].append((time.perf_counter() - start) * 1e3)
    return {name: dict(median_ms=statistics.median(t), min_ms=min(t))
            for name, t in times.items()}


def _stepper(model, wrapper, batches: list) -> Callable[[int], None]:
    return lambda index: model.train_step(batches[index % len(batches)], wrapper)


def _start_of_training() -> None:
    """The runner progress a model may read in its step (e.g. a cost term that starts after some
    epochs): the first iteration of the first epoch, as no runner runs here."""
    hub = MessageHub.get_current_instance()
    for key in ('epoch', 'iter'):
        if hub.get_info(key) is None:
            hub.update_info(key, 0)


def benchmark_memory_formats(cfg: Config, steps: int = 10, warmup: int = 2,
                             device: str = 'cpu') -> Dict[str, Dict[str, float]]:
    """Median train-step time (ms) of ``cfg.model`` on batches of ``cfg.train_dataloader``, once
    with contiguous (NCHW) and once with channels-last (NHWC) parameters.

    Both models start from the same initialised weights and see the same batches; their steps
    alternate (NCHW, NHWC, NCHW, ...). The weights diverge after the first step, which changes
    nothing in the cost of a step.

    Returns:
        {'contiguous': {...}, 'channels_last': {...}} with median_ms, min_ms and, for
        channels_last, ``speedup`` = contiguous median / channels_last median.
    """
    _check_steps(steps, warmup)
    scope = cfg.get('default_scope', 'mmsgnas')
    with DefaultScope.overwrite_default_scope(scope):
        batches = _first_batches(cfg, steps + warmup)
        base = _build_model(cfg, device)
        models = {'contiguous': base,
                  'channels_last': copy.deepcopy(base).to(memory_format=torch.channels_last)}
        steppers = {name: _stepper(model,
                                   build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper)),
                                   batches)
                    for name, model in models.items()}
    result = _alternate_steps(steppers, steps, warmup, device)
    result['channels_last']['speedup'] = (result['contiguous']['median_ms']
                                          / result['channels_last']['median_ms'])
    return result


def benchmark_configs(cfgs: Dict[str, Config], steps: int = 10, warmup: int = 2,
                      device: str = 'cpu',
                      channels_last: bool = True) -> Dict[str, Dict[str, float]]:
    """Median train-step time (ms) of each config's model on batches of its own
    ``train_dataloader``, the configs' steps alternating.

    Args:
        cfgs: name -> config (e.g. one config and variants of it made with ``--cfg-options``).
        channels_last: store every model's parameters NHWC (as ``mmsgnas.ChannelsLastHook`` does).

    Returns:
        name -> {median_ms, min_ms, batch_size, median_ms_per_sample, ratio} where ``ratio`` is
        the median step time over that of the first config.
    """
    if not cfgs:
        raise ValueError('no config to benchmark')
    _check_steps(steps, warmup)
    _start_of_training()
    steppers = {}
    batch_sizes = {}
    memory_format = torch.channels_last if channels_last else None
    for name, cfg in cfgs.items():
        with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmsgnas')):
            batches = _first_batches(cfg, steps + warmup)
            model = _build_model(cfg, device, memory_format)
            wrapper = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
        batch_sizes[name] = cfg.train_dataloader.batch_size
        steppers[name] = _stepper(model, wrapper, batches)
    result = _alternate_steps(steppers, steps, warmup, device)
    first = result[next(iter(cfgs))]['median_ms']
    for name, row in result.items():
        row.update(batch_size=batch_sizes[name],
                   median_ms_per_sample=row['median_ms'] / batch_sizes[name],
                   ratio=row['median_ms'] / first)
    return result
