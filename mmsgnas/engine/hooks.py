"""Hooks of mmsgnas."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

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
