"""Utilities on built models."""
import contextlib
from typing import Callable, Iterable, Iterator

import torch
from mmengine import dist
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


def _average_over_ranks(norms) -> None:
    """Replace each norm's running statistics (a cumulative average over this rank's batches) by
    the average over every batch of every rank."""
    for m in norms:
        count = m.num_batches_tracked.to(torch.float64)
        stats = torch.cat([m.running_mean.double() * count, m.running_var.double() * count,
                           count.reshape(1)])
        dist.all_reduce(stats, op='sum')
        total = stats[-1]
        if total > 0:
            channels = m.running_mean.numel()
            m.running_mean.copy_(stats[:channels] / total)
            m.running_var.copy_(stats[channels:2 * channels] / total)
            m.num_batches_tracked.fill_(int(total))


@contextlib.contextmanager
def recalibrated_bn(model: nn.Module, batches: Iterable, forward: Callable,
                    reduce: bool = False) -> Iterator[None]:
    """Recompute BN running statistics for the architecture ``forward`` runs, then restore them.

    Inside the context every BN layer of ``model`` holds the mean and variance of its inputs
    averaged over ``batches`` (cumulative average: momentum None), collected by calling
    ``forward(batch)`` in train mode without gradients; with ``reduce`` the averages are taken over
    the batches of all ranks (each rank gives its own batches). BN layers that the forward never
    reaches keep their previous statistics. On exit all statistics, momenta and modes are
    restored, so a supernet can be recalibrated for one path after another (BN recalibration,
    paper Sec. 3.3.1).
    """
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm) and m.track_running_stats]
    saved = [(m.running_mean.clone(), m.running_var.clone(), m.num_batches_tracked.clone(),
              m.momentum, m.training) for m in norms]
    was_training = model.training
    try:
        for m in norms:
            m.reset_running_stats()
            m.momentum = None
        model.train()
        with torch.no_grad():
            for batch in batches:
                forward(batch)
        if reduce and dist.get_world_size() > 1:
            _average_over_ranks(norms)
        for m, (mean, var, *_) in zip(norms, saved):
            if int(m.num_batches_tracked) == 0:  # not on this path: keep what it had
                m.running_mean.copy_(mean)
                m.running_var.copy_(var)
        model.train(was_training)
        yield
    finally:
        for m, (mean, var, count, momentum, training) in zip(norms, saved):
            m.running_mean.copy_(mean)
            m.running_var.copy_(var)
            m.num_batches_tracked.copy_(count)
            m.momentum = momentum
            m.training = training
        model.train(was_training)


@contextlib.contextmanager
def batch_statistics(model: nn.Module) -> Iterator[None]:
    """Inside the context, every BN of ``model`` normalises with the statistics of the current
    batch (as in training) while its running statistics stay exactly as they are (momentum 0);
    dropout stays off. On exit modes, momenta and batch counters are restored.

    Used to train the generator against the statistics each architecture really produces, which
    is what BN recalibration gives it at evaluation, instead of the supernet's averages.
    """
    modes = [(m, m.training) for m in model.modules()]
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm) and m.track_running_stats]
    saved = [(m.momentum, m.num_batches_tracked.clone()) for m in norms]
    try:
        for m, _ in modes:
            m.training = not isinstance(m, nn.modules.dropout._DropoutNd)
        for m in norms:
            m.momentum = 0.0
        yield
    finally:
        for m, training in modes:
            m.training = training
        for m, (momentum, count) in zip(norms, saved):
            m.momentum = momentum
            m.num_batches_tracked.copy_(count)
