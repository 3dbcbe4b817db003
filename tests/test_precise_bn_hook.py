"""PreciseBNBeforeTrainHook sets every BN layer's statistics to the average of the per-batch
statistics of the training data before training, restores each layer's mode, and leaves a resumed
run's statistics alone."""
import logging
from types import SimpleNamespace

import pytest
import torch
from mmengine.model import BaseModel
from torch.utils.data import DataLoader

from mmsgnas.engine import PreciseBNBeforeTrainHook


class TwoNorms(BaseModel):
    def __init__(self):
        super().__init__()
        self.first = torch.nn.BatchNorm2d(1)
        self.second = torch.nn.BatchNorm2d(1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.second(self.first(inputs) * 2.0)


def runner_for(model, batches, iteration=0):
    samples = [dict(inputs=x) for b in batches for x in b]
    loader = DataLoader(samples, batch_size=batches[0].shape[0], shuffle=False)
    return SimpleNamespace(model=model, iter=iteration, logger=logging.getLogger('test'),
                           train_loop=SimpleNamespace(dataloader=loader))


def test_statistics_are_the_average_of_batch_statistics_and_modes_are_restored():
    torch.manual_seed(0)
    batches = [torch.randn(4, 1, 3, 3) * (i + 1) + 3 * i for i in range(3)]
    model = TwoNorms()
    model.second.eval()                      # e.g. kept in eval by norm_eval
    PreciseBNBeforeTrainHook(num_samples=12).before_train(runner_for(model, batches))
    want_mean = torch.stack([b.mean() for b in batches]).mean()
    want_var = torch.stack([b.var() for b in batches]).mean()   # unbiased per batch, as BN keeps
    torch.testing.assert_close(model.first.running_mean, want_mean.reshape(1))
    torch.testing.assert_close(model.first.running_var, want_var.reshape(1))
    # the second layer was estimated too, on the normalised (x2) outputs of the first
    assert not torch.allclose(model.second.running_var, torch.ones(1))
    assert model.first.training and not model.second.training


def test_resumed_run_keeps_its_statistics():
    model = TwoNorms()
    PreciseBNBeforeTrainHook(num_samples=8).before_train(
        runner_for(model, [torch.randn(4, 1, 2, 2) + 5] * 2, iteration=10))
    assert torch.equal(model.first.running_mean, torch.zeros(1))


def test_rejects_no_samples():
    with pytest.raises(ValueError, match='num_samples'):
        PreciseBNBeforeTrainHook(num_samples=0)
