"""Loading trained weights into a built model, refusing checkpoints of another model."""
import os

from mmengine.model import is_model_wrapper

from torch import nn


def load_model_weights(model: nn.Module, checkpoint: str, source: str = 'the config') -> None:
    """Load ``checkpoint`` into ``model`` strictly (through mmengine, so with the project's safe
    loading). A missing file, or weights whose keys or shapes do not fit, raise an error that
    names the checkpoint and ``source`` (the config the model was built from)."""
    from mmengine.runner import load_checkpoint
    if not os.path.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    try:
        load_checkpoint(model.module if is_model_wrapper(model) else model, checkpoint, map_location='cpu',
                        strict=True, logger='silent')
    except RuntimeError as err:
        raise RuntimeError(f'{checkpoint}: does not fit the model of {source}: '
                           f'{str(err).splitlines()[0]}') from err
