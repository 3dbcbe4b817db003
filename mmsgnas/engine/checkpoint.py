"""Loading trained weights into a built model, refusing checkpoints of another model."""
import inspect
import os
from typing import Any, Dict, Optional

from mmengine.model import is_model_wrapper

from torch import nn

from ..space.base import ArchError


def trained_backbone_cfg(checkpoint: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The ``model.backbone`` config an mmengine checkpoint was trained with (its ``meta.cfg``),
    None when the checkpoint does not record one (saved by hand) or it cannot be read."""
    from mmengine.config import Config
    text = (checkpoint.get('meta') or {}).get('cfg') if isinstance(checkpoint, dict) else None
    if not isinstance(text, str):
        return None
    try:
        cfg = Config.fromstring(text, '.py')
    except Exception:   # an old or foreign config text: nothing to compare with
        return None
    backbone = (cfg.get('model') or {}).get('backbone')
    return dict(backbone) if backbone else None


def check_trained_space(backbone: nn.Module, checkpoint: Dict[str, Any], path: str) -> None:
    """Refuse a checkpoint whose backbone config differs from ``backbone``'s in a setting the
    weights do not reveal (the space's :meth:`weightless_settings`, e.g. the kernel order): the
    weights would load and be run along other paths than the ones they were trained on.

    Raises:
        ArchError: naming the checkpoint, the setting and both values.
    """
    space = getattr(backbone, 'space', None)
    own = space.weightless_settings() if space is not None else {}
    trained = trained_backbone_cfg(checkpoint) if own else None
    if trained is None:
        return
    defaults = inspect.signature(type(backbone).__init__).parameters
    for key, value in own.items():
        default = defaults[key].default if key in defaults else inspect.Parameter.empty
        saved = trained.get(key, default)
        if saved is not inspect.Parameter.empty and saved != value:
            raise ArchError(f'{path}: trained with backbone {key}={saved!r}, but the model of this '
                            f'config has {key}={value!r}; set model.backbone.{key}={saved!r} '
                            '(e.g. with --cfg-options)')


def load_model_weights(model: nn.Module, checkpoint: str, source: str = 'the config') -> None:
    """Load ``checkpoint`` into ``model`` strictly (through mmengine, so with the project's safe
    loading). A missing file, weights whose keys or shapes do not fit, or a supernet trained with
    another kernel order (:func:`check_trained_space`) raise an error that names the checkpoint
    and ``source`` (the config the model was built from)."""
    from mmengine.runner import load_checkpoint
    if not os.path.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    model = model.module if is_model_wrapper(model) else model
    try:
        loaded = load_checkpoint(model, checkpoint, map_location='cpu', strict=True,
                                 logger='silent')
    except RuntimeError as err:
        raise RuntimeError(f'{checkpoint}: does not fit the model of {source}: '
                           f'{str(err).splitlines()[0]}') from err
    backbone = getattr(model, 'backbone', None)
    if backbone is not None:
        check_trained_space(backbone, loaded, checkpoint)
