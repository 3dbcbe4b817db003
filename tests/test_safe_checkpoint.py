"""Tests of mmsgnas.utils.safe_checkpoint: mmengine checkpoints load with weights_only=True."""
import os
import pickle
import uuid
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import CheckpointLoader, Runner, load_checkpoint
from torch import nn
from torch.utils.data import Dataset

from mmsgnas.utils import (CHECKPOINT_SAFE_GLOBALS, UnsafeCheckpointError,
                           install_safe_checkpoint_loading, safe_torch_load)
from mmsgnas.utils.safe_checkpoint import load_from_http_safe, load_from_local_safe

# ---------------------------------------------------------------------------------------------------
# A tiny mmengine set-up


class ToyModel(BaseModel):
    """Linear regression on 2 features."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs: Any, labels: Any, mode: str = 'tensor') -> Any:
        inputs = torch.stack(inputs) if isinstance(inputs, list) else inputs
        labels = torch.stack(labels) if isinstance(labels, list) else labels
        out = self.linear(inputs).squeeze(-1)
        if mode == 'loss':
            return dict(loss=((out - labels)**2).mean())
        return out


class ToyDataset(Dataset):
    metainfo = dict(classes=('toy', ))

    def __init__(self) -> None:
        generator = torch.Generator().manual_seed(0)
        self.inputs = torch.randn(4, 2, generator=generator)
        self.labels = torch.randn(4, generator=generator)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> Dict[str, torch.Tensor]:
        return dict(inputs=self.inputs[index], labels=self.labels[index])


class NumpyInfoHook(Hook):
    """Puts numpy scalars into the message hub, as metric and ETA bookkeeping does."""

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        runner.message_hub.update_info('toy_best_score', np.float32(0.25))
        runner.message_hub.update_scalar('train/toy_metric', 0.5)


def make_runner(work_dir: Path, max_iters: int, **kwargs: Any) -> Runner:
    return Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        # A fresh name per runner: runners named alike would share one MessageHub.
        experiment_name=f'toy_{uuid.uuid4().hex}',
        train_dataloader=dict(
            dataset=ToyDataset(),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=2,
            num_workers=0),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', milestones=[1], by_epoch=False),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[NumpyInfoHook()],
        log_level='WARNING',
        **kwargs)


@pytest.fixture
def isolated_safe_globals():
    """Let a test clear torch's user allow-list; restore it afterwards."""
    saved = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    yield
    torch.serialization.clear_safe_globals()
    torch.serialization.add_safe_globals(saved)


@pytest.fixture(scope='module')
def runner_checkpoint(tmp_path_factory) -> Path:
    """A checkpoint written by a real mmengine Runner after 2 iterations."""
    work_dir = tmp_path_factory.mktemp('toy_train')
    make_runner(work_dir, max_iters=2).train()
    checkpoint = work_dir / 'iter_2.pth'
    assert checkpoint.is_file()
    return checkpoint


@pytest.fixture
def torch_load_calls(monkeypatch) -> List[Dict[str, Any]]:
    """Record the keyword arguments of every torch.load call."""
    calls: List[Dict[str, Any]] = []
    original = torch.load

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(torch, 'load', spy)
    return calls


# ---------------------------------------------------------------------------------------------------
# A checkpoint that pickles a class nobody allow-listed

UNPICKLED: List[str] = []


class NotAllowListed:
    """Harmless, but unpickling it runs its code: it records that it ran."""

    def __init__(self, note: str) -> None:
        UNPICKLED.append(note)

    def __reduce__(self):
        return (NotAllowListed, ('unpickled',))


class ReadsAnAttribute:
    """Pickles as ``builtins.getattr(HistoryBuffer, '__init__')``, which must stay refused."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


@pytest.fixture
def unsafe_checkpoint(tmp_path) -> Path:
    path = tmp_path / 'unsafe.pth'
    torch.save(dict(state_dict=ToyModel().state_dict(), payload=NotAllowListed('saved')), path)
    UNPICKLED.clear()
    return path


def assert_refused(err: pytest.ExceptionInfo, path: Path) -> None:
    message = str(err.value)
    assert str(path) in message
    assert 'NotAllowListed' in message
    assert 'weights_only=True' in message
    assert 'add_safe_globals' in message
    assert UNPICKLED == []


# ---------------------------------------------------------------------------------------------------
# (a) real runner checkpoints resume and load with weights_only=True


def test_plain_torch_load_fails_without_allow_list(runner_checkpoint, isolated_safe_globals):
    """The problem being fixed: torch's default refuses mmengine's own checkpoints."""
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer'):
        torch.load(runner_checkpoint, map_location='cpu')


def test_resume_runner_checkpoint(runner_checkpoint, tmp_path, torch_load_calls,
                                  isolated_safe_globals):
    install_safe_checkpoint_loading()
    runner = make_runner(tmp_path, max_iters=3, resume=True, load_from=str(runner_checkpoint))
    runner.train()

    assert runner.iter == 3
    # 2 resumed iterations of history plus the new one: the HistoryBuffers were restored.
    lr_history, _ = runner.message_hub.get_scalar('train/lr').data
    assert len(lr_history) == 3
    assert runner.message_hub.get_info('toy_best_score') == np.float32(0.25)
    assert torch_load_calls, 'torch.load was never called'
    assert all(call.get('weights_only') is True for call in torch_load_calls)


def test_runner_resume_method(runner_checkpoint, tmp_path, torch_load_calls,
                              isolated_safe_globals):
    install_safe_checkpoint_loading()
    runner = make_runner(tmp_path, max_iters=3)
    runner.resume(str(runner_checkpoint), resume_optimizer=False, resume_param_scheduler=False)
    assert runner.iter == 2
    assert isinstance(runner.message_hub.get_scalar('train/loss'), HistoryBuffer)
    assert [call.get('weights_only') for call in torch_load_calls] == [True]


def test_load_checkpoint_keeps_weights_only(runner_checkpoint, torch_load_calls, monkeypatch,
                                            isolated_safe_globals):
    install_safe_checkpoint_loading()
    # An explicit weights_only=True wins over this variable in torch >= 2.6.
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    model = ToyModel()
    checkpoint = load_checkpoint(model, str(runner_checkpoint), map_location='cpu')

    saved = torch.load(runner_checkpoint, map_location='cpu', weights_only=True)['state_dict']
    for name, value in model.state_dict().items():
        assert torch.equal(value, saved[name])
    loss = checkpoint['message_hub']['log_scalars']['train/loss']
    assert isinstance(loss, HistoryBuffer)
    assert loss.statistics('mean') == pytest.approx(float(np.mean(loss.data[0])))
    assert all(call.get('weights_only') is True for call in torch_load_calls)


# ---------------------------------------------------------------------------------------------------
# (b) checkpoints with classes that are not allow-listed are refused without running them


def test_unsafe_checkpoint_refused_by_mmengine(unsafe_checkpoint):
    install_safe_checkpoint_loading()
    with pytest.raises(UnsafeCheckpointError) as err:
        load_checkpoint(ToyModel(), str(unsafe_checkpoint), map_location='cpu')
    assert_refused(err, unsafe_checkpoint)
    assert isinstance(err.value, RuntimeError)


def test_unsafe_checkpoint_refused_by_safe_torch_load(unsafe_checkpoint):
    with pytest.raises(UnsafeCheckpointError) as err:
        safe_torch_load(unsafe_checkpoint)
    assert_refused(err, unsafe_checkpoint)


def test_unsafe_checkpoint_refused_with_force_no_weights_only(unsafe_checkpoint, monkeypatch):
    install_safe_checkpoint_loading()
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    with pytest.raises(UnsafeCheckpointError) as err:
        CheckpointLoader.load_checkpoint(str(unsafe_checkpoint), map_location='cpu')
    assert_refused(err, unsafe_checkpoint)


def test_getattr_is_only_allowed_for_history_buffer_statistics(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save(dict(init=ReadsAnAttribute()), path)
    with pytest.raises(UnsafeCheckpointError, match='__init__'):
        safe_torch_load(path)


# ---------------------------------------------------------------------------------------------------
# (c) safe_torch_load on plain files


def test_safe_torch_load_state_dict(tmp_path):
    model = ToyModel()
    path = tmp_path / 'state_dict.pth'
    torch.save(model.state_dict(), path)
    loaded = safe_torch_load(path)
    assert loaded.keys() == model.state_dict().keys()
    for name, value in model.state_dict().items():
        assert torch.equal(loaded[name], value)
        assert loaded[name].device.type == 'cpu'


def test_missing_file_names_path(tmp_path):
    missing = tmp_path / 'missing.pth'
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        safe_torch_load(missing)
    install_safe_checkpoint_loading()
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        load_checkpoint(ToyModel(), str(missing))


def test_http_loader_uses_weights_only(tmp_path, monkeypatch, torch_load_calls, unsafe_checkpoint):
    """The http loader reads torch.hub's cache, so no download happens here."""
    install_safe_checkpoint_loading()
    hub_dir = tmp_path / 'hub'
    (hub_dir / 'checkpoints').mkdir(parents=True)
    torch.save(ToyModel().state_dict(), hub_dir / 'checkpoints' / 'toy.pth')
    os.replace(unsafe_checkpoint, hub_dir / 'checkpoints' / 'unsafe.pth')
    monkeypatch.setattr(torch.hub, 'get_dir', lambda: str(hub_dir))

    state_dict = CheckpointLoader.load_checkpoint('https://example.invalid/toy.pth')
    assert set(state_dict) == {'linear.weight', 'linear.bias'}
    assert [call.get('weights_only') for call in torch_load_calls] == [True]

    url = 'https://example.invalid/unsafe.pth'
    with pytest.raises(UnsafeCheckpointError) as err:
        CheckpointLoader.load_checkpoint(url)
    assert url in str(err.value) and 'NotAllowListed' in str(err.value)
    assert UNPICKLED == []


# ---------------------------------------------------------------------------------------------------
# (d) installing is idempotent


def test_install_is_idempotent(runner_checkpoint):
    import mmengine.runner.checkpoint as mmengine_checkpoint

    install_safe_checkpoint_loading()
    safe_globals = list(torch.serialization.get_safe_globals())
    schemes = dict(CheckpointLoader._schemes)
    install_safe_checkpoint_loading()

    assert list(torch.serialization.get_safe_globals()) == safe_globals
    assert dict(CheckpointLoader._schemes) == schemes
    assert CheckpointLoader._get_checkpoint_loader('work_dirs/x.pth') is load_from_local_safe
    assert CheckpointLoader._get_checkpoint_loader('https://x/y.pth') is load_from_http_safe
    assert mmengine_checkpoint.load_from_http is load_from_http_safe
    for entry in CHECKPOINT_SAFE_GLOBALS:
        assert entry in safe_globals
    assert 'message_hub' in safe_torch_load(runner_checkpoint)
