"""Hooks of mmsgnas."""
import torch
from mmdet.engine.hooks import CheckInvalidLossHook as MMDetCheckInvalidLossHook
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpretrain.engine.hooks.precise_bn_hook import update_bn_stats
from torch.nn.modules.batchnorm import _BatchNorm

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
    any model. On this project's 2-core CPU, training steps of the digits configs with the searched
    network are 1.19x (classifier) and 1.29x (RetinaNet) faster; MobileNetV2's 1.00x and 1.18x
    (``tools/analysis/benchmark_memory_format.py CONFIG``, both forms side by side).
    Runs at ``before_run``, before weights are initialised or loaded (loading copies values into
    the NHWC tensors and keeps their layout).
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        model.to(memory_format=torch.channels_last)


@HOOKS.register_module()
class PreciseBNBeforeTrainHook(Hook):
    """Re-estimates every BN layer's statistics on the training data once, before the first
    training iteration, with mmpretrain's ``update_bn_stats`` (the average over ``num_samples``
    images of the per-batch means and variances).

    For a backbone pretrained on other inputs than it is fine-tuned on, e.g. the digits classifier
    (32 px digits filling the image) under a detector on 128 px canvases that are mostly
    background. With ``norm_eval=True`` the backbone then trains and tests with the same
    statistics, those of its new inputs, instead of either the classifier's (which do not fit the
    canvases) or each batch's own (which the network learns to depend on, so that it scores worse
    with any fixed statistics at test time).

    Every BN layer is estimated, also those that ``norm_eval`` or ``frozen_stages`` keep in eval
    mode during training; each goes back to the mode it had. A resumed run (iteration > 0) keeps
    the statistics of its checkpoint.
    Runs after the pretrained weights are loaded (``before_train`` follows ``load_or_resume``).
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, num_samples: int = 1024) -> None:
        if num_samples < 1:
            raise ValueError(f'num_samples must be >= 1, got {num_samples}')
        self.num_samples = num_samples

    def before_train(self, runner) -> None:
        if runner.iter > 0:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
        modes = [m.training for m in norms]
        for norm in norms:
            norm.train()
        runner.logger.info(f'PreciseBNBeforeTrainHook: BN statistics of {len(norms)} layers from '
                           f'{self.num_samples} training images')
        update_bn_stats(runner.model, runner.train_loop.dataloader, self.num_samples,
                        logger=runner.logger)
        for norm, mode in zip(norms, modes):
            norm.train(mode)
