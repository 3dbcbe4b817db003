"""Train-step time of a config's model in two memory formats, measured side by side."""
import copy
import statistics
import time
from typing import Dict, List

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from ..registry import MODELS


def _synchronize(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def benchmark_memory_formats(cfg: Config, steps: int = 10, warmup: int = 2,
                             device: str = 'cpu') -> Dict[str, Dict[str, float]]:
    """Median train-step time (ms) of ``cfg.model`` on batches of ``cfg.train_dataloader``, once
    with contiguous (NCHW) and once with channels-last (NHWC) parameters.

    Both models start from the same initialised weights and see the same batches; their steps
    alternate (NCHW, NHWC, NCHW, ...) so that drift of the machine falls on both alike. The weights
    diverge after the first step, which changes nothing in the cost of a step.

    Returns:
        {'contiguous': {...}, 'channels_last': {...}} with median_ms, min_ms and, for
        channels_last, ``speedup`` = contiguous median / channels_last median.
    """
    if steps < 1 or warmup < 0:
        raise ValueError(f'steps must be >= 1 and warmup >= 0, got {steps}, {warmup}')
    scope = cfg.get('default_scope', 'mmsgnas')
    with DefaultScope.overwrite_default_scope(scope):
        loader = Runner.build_dataloader(copy.deepcopy(cfg.train_dataloader))
        batches = []
        for batch in loader:
            batches.append(batch)
            if len(batches) == steps + warmup:
                break
        base = MODELS.build(copy.deepcopy(cfg.model))
        base.init_weights()
        base.to(torch.device(device)).train()
        models = {'contiguous': base,
                  'channels_last': copy.deepcopy(base).to(memory_format=torch.channels_last)}
        wrappers = {name: build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
                    for name, model in models.items()}
    times: Dict[str, List[float]] = {name: [] for name in models}
    for index in range(steps + warmup):
        batch = batches[index % len(batches)]
        for name, model in models.items():
            _synchronize(torch.device(device))
            start = time.perf_counter()
            model.train_step(batch, wrappers[name])
            _synchronize(torch.device(device))
            if index >= warmup:
                times[name].append((time.perf_counter() - start) * 1e3)
    result = {name: dict(median_ms=statistics.median(t), min_ms=min(t))
              for name, t in times.items()}
    result['channels_last']['speedup'] = (result['contiguous']['median_ms']
                                          / result['channels_last']['median_ms'])
    return result
