"""PreciseBNHook sets every training BN layer's statistics to the average of the per-batch
statistics of the training data, every `interval` epochs and after the last one, also with a
loader that batches through a sampler (as mmdet's do, with `DataLoader.batch_size` None)."""
import logging
from types import SimpleNamespace

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import BatchSampler, DataLoader, SequentialSampler

from mmsgnas.engine import PreciseBNHook


class TwoNorms(BaseModel):
    def __init__(self):
        super().__init__()
        self.first = torch.nn.BatchNorm2d(1)
        self.second = torch.nn.BatchNorm2d(1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.second(self.first(inputs) * 2.0)


def runner_for(model, batches, epoch, max_epochs, batch_sampler):
    samples = [dict(inputs=x) for b in batches for x in b]
    size = batches[0].shape[0]
    if batch_sampler:
        loader = DataLoader(samples, batch_sampler=BatchSampler(
            SequentialSampler(samples), batch_size=size, drop_last=False))
        assert loader.batch_size is None
    else:
        loader = DataLoader(samples, batch_size=size, shuffle=False)
    loop = object.__new__(EpochBasedTrainLoop)   # the hook checks the loop's type
    loop.dataloader = loader
    return SimpleNamespace(model=model, epoch=epoch, max_epochs=max_epochs,
                           logger=logging.getLogger('test'), train_loop=loop)


@pytest.mark.parametrize('batch_sampler', [False, True])
def test_statistics_are_the_average_of_batch_statistics(batch_sampler):
    torch.manual_seed(0)
    batches = [torch.randn(4, 1, 3, 3) * (i + 1) + 3 * i for i in range(3)]
    model = TwoNorms()
    PreciseBNHook(num_samples=12, interval=1).after_train_epoch(
        runner_for(model, batches, 0, 12, batch_sampler))
    want_mean = torch.stack([b.mean() for b in batches]).mean()
    want_var = torch.stack([b.var() for b in batches]).mean()   # unbiased per batch, as BN keeps
    torch.testing.assert_close(model.first.running_mean, want_mean.reshape(1))
    torch.testing.assert_close(model.first.running_var, want_var.reshape(1))
    # the second layer was estimated too, on the normalised (x2) outputs of the first
    assert not torch.allclose(model.second.running_var, torch.ones(1))
    assert model.first.momentum == 0.1   # restored after the estimate


@pytest.mark.parametrize('epoch, max_epochs, interval, runs', [
    (2, 12, 12, False),    # neither the interval nor the last epoch
    (11, 12, 12, True),    # the 12th epoch
    (0, 1, 12, True),      # the last epoch of a shorter run
    (3, 12, 2, True),      # every 2nd epoch
])
def test_runs_after_the_interval_and_after_the_last_epoch(epoch, max_epochs, interval, runs):
    torch.manual_seed(0)
    batches = [torch.randn(4, 1, 3, 3) + 3 for _ in range(2)]
    model = TwoNorms()
    PreciseBNHook(num_samples=8, interval=interval).after_train_epoch(
        runner_for(model, batches, epoch, max_epochs, batch_sampler=True))
    want = torch.stack([b.mean() for b in batches]).mean().reshape(1)
    if runs:
        torch.testing.assert_close(model.first.running_mean, want)
    else:
        assert torch.equal(model.first.running_mean, torch.zeros(1))
