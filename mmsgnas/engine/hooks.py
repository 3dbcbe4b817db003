"""Hooks of mmsgnas."""
import torch
from mmdet.engine.hooks import CheckInvalidLossHook as MMDetCheckInvalidLossHook
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpretrain.engine.hooks import PreciseBNHook as MMPretrainPreciseBNHook
from mmpretrain.engine.hooks.precise_bn_hook import update_bn_stats

from ..registry import HOOKS


@HOOKS.register_module()
class GumbelTemperatureHook(Hook):
    """Sets the model's Gumbel-softmax temperature to ``initial * decay ** epoch`` before each
    training epoch (the authors: 5.0, x0.95 per epoch). Stateless, so it resumes exactly."""

    def __init__(self, initial: float = 5.0, decay: float = 0.95, minimum: float = 0.0) -> None:
        self.initial, self.decay, self.minimum = initial, decay, minimum

    def before_train_epoch(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        model.tau = max(self.minimum, self.initial * self.decay ** runner.epoch)
        runner.message_hub.update_scalar('train/tau', model.tau)


class InvalidLossError(FloatingPointError):
    """A training loss became NaN or inf."""


@HOOKS.register_module()
class CheckInvalidLossHook(MMDetCheckInvalidLossHook):
    """mmdet's ``CheckInvalidLossHook`` with an error that says where and what.

    mmdet's hook stops at the first non-finite ``loss``, but its error is a bare
    ``AssertionError: None``: it names neither the iteration nor the loss term. This subclass keeps
    its check (every ``interval`` iterations) and raises :class:`InvalidLossError` naming the epoch,
    the iteration and every non-finite term of the model's log variables (``loss_cls``,
    ``loss_bbox``, ``loss_constraint``, ...).
    """

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not self.every_n_train_iters(runner, self.interval) or not outputs:
            return
        total = outputs.get('loss')
        if total is None or bool(torch.isfinite(torch.as_tensor(total)).all()):
            return
        bad = {k: float(torch.as_tensor(v).detach().float().mean()) for k, v in outputs.items()
               if k.startswith('loss') and not bool(torch.isfinite(torch.as_tensor(v)).all())}
        message = (f'loss became infinite or NaN at epoch {runner.epoch + 1}, iteration '
                   f'{batch_idx + 1} of the epoch ({runner.iter + 1} overall): '
                   + ', '.join(f'{k}={v}' for k, v in bad.items())
                   + '. Training stopped; lower the learning rate or enable '
                     'optim_wrapper.clip_grad.')
        runner.logger.error(message)
        raise InvalidLossError(message)


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Stores the model's 4-d parameters and buffers in channels-last (NHWC) memory format before
    the run, so that convolutions run their NHWC kernels (oneDNN on CPUs, cuDNN with tensor cores
    on GPUs) and their outputs stay NHWC through the network.

    The values do not change, only the memory layout; checkpoints saved from such a model load into
    any model. On this project's 2-core CPU, training steps of the digits configs are 1.39x
    (searched classifier), 1.48x (unified supernet), 1.31x (its generator), 1.52x (NAS-Bench-201
    cell supernet) and 1.29x (RetinaNet) faster; MobileNetV2's 1.00x and 1.18x
    (``tools/analysis/benchmark_memory_format.py CONFIG``, both forms side by side).
    Runs at ``before_run``, before weights are initialised or loaded (loading copies values into
    the NHWC tensors and keeps their layout). Code that runs a config's model outside a runner's
    train / val / test (search loops, judges) calls :func:`apply_configured_memory_format`.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        model.to(memory_format=torch.channels_last)


def wants_channels_last(cfg) -> bool:
    """Whether the config's ``custom_hooks`` hold a :class:`ChannelsLastHook`."""
    for hook in cfg.get('custom_hooks') or []:
        hook_type = hook.get('type')
        if hook_type is ChannelsLastHook or str(hook_type).split('.')[-1] == 'ChannelsLastHook':
            return True
    return False


def apply_configured_memory_format(model: torch.nn.Module, cfg) -> None:
    """Store ``model`` (unwrapped) channels-last when the config's ``custom_hooks`` ask for it, as
    :class:`ChannelsLastHook` does in a runner: for code that runs the model without the runner's
    hooks (search loops, judges)."""
    if wants_channels_last(cfg):
        model = model.module if is_model_wrapper(model) else model
        model.to(memory_format=torch.channels_last)


class _WithBatchSize:
    """A data loader seen with the ``batch_size`` that ``update_bn_stats`` reads: a loader built
    from a batch sampler (mmdet's ``AspectRatioBatchSampler``) has ``batch_size=None`` and keeps
    the size on its sampler."""

    def __init__(self, loader) -> None:
        self.loader = loader
        self.batch_size = loader.batch_size or loader.batch_sampler.batch_size

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        return iter(self.loader)


@HOOKS.register_module()
class PreciseBNHook(MMPretrainPreciseBNHook):
    """mmpretrain's ``PreciseBNHook`` (BN statistics re-estimated on ``num_samples`` training
    images every ``interval`` epochs), also after the last epoch, and for detectors.

    - After the last training epoch too, so the checkpoint and the validation that follow use
      statistics of the final weights whatever ``max_epochs`` is.
    - mmpretrain's hook reads the loader's ``batch_size``, which is ``None`` for mmdet's loaders
      (they batch with a sampler); here the sampler's is used.
    Runs before ``CheckpointHook`` (priority NORMAL against its VERY_LOW), so the checkpoint holds
    these statistics.
    """

    def after_train_epoch(self, runner) -> None:
        if self.every_n_epochs(runner, self.interval) or self.is_last_train_epoch(runner):
            self._perform_precise_bn(runner)

    def _perform_precise_bn(self, runner) -> None:
        runner.logger.info(f'PreciseBNHook: BN statistics from {self.num_samples} training images')
        update_bn_stats(runner.model, _WithBatchSize(runner.train_loop.dataloader),
                        self.num_samples, logger=runner.logger)
