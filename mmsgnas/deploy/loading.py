"""The model to export: a subnet file, a checkpoint and an export config -> the mmpretrain
classifier that the parity check holds the exported forms against.

Three kinds of checkpoint are recognised from their contents:

* a **retrained classifier** (``tools/train.py`` with a retrain config): the config's model with
  the subnet, its weights loaded as they are;
* a **supernet** (``tools/train.py`` with a supernet config): the stand-alone network with the
  supernet's blocks (no SE, ReLU6), its weights sliced from the supernet on the subnet's path by
  :func:`mmsgnas.models.inherit_from_supernet` (what the search evaluated; for a supernet trained
  with ``kernel_order='sorted'``, the path it ran: each layer's kernels sorted);
* the output of ``tools/extract_subnet.py`` (supernet weights already sliced): the same network.

The macro structure, number of classes, data preprocessor and test data come from the config.
"""
import copy
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

import torch
from mmengine.config import Config
from torch import nn

from ..space import Arch, UnifiedSpace, load_subnet, macro_from_cfg

SUPERNET_MARKERS = ('.shadow_bns.', '.subblocks.')
SUPERNET_BLOCKS = dict(se=False, act_cfg=dict(type='ReLU6'))
KINDS = ('retrained classifier', 'supernet (inherited weights)',
         'extracted stand-alone network (supernet weights)')


class ExportInputError(ValueError):
    """A subnet file, checkpoint or config that cannot be exported, with what and where."""


@dataclass
class ExportSource:
    """The classifier to export and where it came from.

    Attributes:
        model: the mmpretrain ImageClassifier (eval mode, with its data preprocessor).
        arch: the architecture of the subnet file.
        space: the unified space with the config's macro structure.
        kind: one of :data:`KINDS`.
        se: squeeze-and-excitation in the searched blocks.
        act: the activation type name (``'HSwish'``, ``'ReLU6'``).
        num_classes: outputs of the classifier.
        notes: remarks for the report (e.g. the config the checkpoint was trained with).
    """
    model: nn.Module
    arch: Arch
    space: UnifiedSpace
    kind: str
    se: bool
    act: str
    num_classes: int
    notes: List[str] = field(default_factory=list)


def load_config(path: str, options: Optional[dict] = None) -> Config:
    """The export config (a model config with an ``export`` dict), with ``--cfg-options``."""
    if not os.path.isfile(path):
        raise ExportInputError(f'config not found: {path}')
    cfg = Config.fromfile(path)
    if options:
        cfg.merge_from_dict(options)
    backbone = cfg.get('model', {}).get('backbone', {})
    if backbone.get('type') not in ('mmsgnas.SearchedMobileNet', 'SearchedMobileNet'):
        raise ExportInputError(
            f'{path}: model.backbone.type is {backbone.get("type")!r}; the export needs a '
            'classifier config whose backbone is mmsgnas.SearchedMobileNet (e.g. '
            'configs/deploy/export_digits.py)')
    return cfg


def _state_dict(checkpoint: Any, path: str) -> Dict[str, torch.Tensor]:
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, Mapping) or not state or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise ExportInputError(f'{path}: not a checkpoint with a state_dict of tensors')
    return dict(state)


def checkpoint_kind(checkpoint: Mapping[str, Any], state: Mapping[str, torch.Tensor]) -> str:
    """Which of :data:`KINDS` a loaded checkpoint is (from its keys and metadata)."""
    if any(k.startswith('backbone.layers.') and any(m in k for m in SUPERNET_MARKERS)
           for k in state):
        return KINDS[1]
    meta = checkpoint.get('meta') if isinstance(checkpoint, Mapping) else None
    if isinstance(meta, Mapping) and 'supernet' in meta:   # written by tools/extract_subnet.py
        return KINDS[2]
    return KINDS[0]


def _load_exact(model: nn.Module, state: Mapping[str, torch.Tensor], checkpoint: str,
                what: str) -> None:
    """``load_state_dict(strict=True)`` with an error naming the first entries that do not fit."""
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    wrong = [f'{k}: checkpoint {tuple(state[k].shape)}, model {tuple(v.shape)}'
             for k, v in own.items() if k in state and tuple(state[k].shape) != tuple(v.shape)]
    if missing or unexpected or wrong:
        parts = []
        if wrong:
            parts.append(f'{len(wrong)} shape(s) differ, e.g. {wrong[:2]}')
        if missing:
            parts.append(f'{len(missing)} entries missing, e.g. {missing[:3]}')
        if unexpected:
            parts.append(f'{len(unexpected)} unexpected entries, e.g. {unexpected[:3]}')
        raise ExportInputError(f'{checkpoint} does not fit {what}: ' + '; '.join(parts))
    model.load_state_dict(dict(state), strict=True)


def _path_the_supernet_ran(checkpoint: Dict[str, Any], arch: Arch, space: UnifiedSpace,
                           notes: List[str]) -> Arch:
    """The architecture whose sliced weights are the ones a supernet checkpoint trained and ran
    for ``arch``: ``arch`` itself for the positional kernel order, its per-layer sorted form for a
    supernet trained with ``kernel_order='sorted'`` (read from the checkpoint's saved config;
    positional when it records none). Both have the same cost; only the sub-block each kernel sits
    in differs, and slicing the other form would take weights that path never used."""
    from ..engine.checkpoint import trained_backbone_cfg
    order = (trained_backbone_cfg(checkpoint) or {}).get('kernel_order', 'positional')
    if order == space.kernel_order:
        return arch
    ran = UnifiedSpace(space.macro, kernel_order=order).canonical(arch.to_lists())
    if ran != arch:
        notes.append(f'the supernet was trained with kernel_order={order!r}: the weights are '
                     'sliced along the path it ran for this subnet, with each layer\'s kernels '
                     'in that order')
    return ran


def build_export_source(subnet: str, checkpoint: str, cfg: Config,
                        device: str = 'cpu') -> ExportSource:
    """Build the classifier of ``subnet`` with the weights of ``checkpoint`` (see the module
    docstring for the kinds of checkpoint), in eval mode on ``device``."""
    from mmengine.model import revert_sync_batchnorm
    from mmengine.registry import MODELS, DefaultScope

    from ..models import inherit_from_supernet
    from ..utils import safe_torch_load

    backbone_cfg = cfg.model.backbone
    space = UnifiedSpace(macro_from_cfg(**(backbone_cfg.get('macro') or {})))
    arch, _ = load_subnet(subnet, space)
    if not os.path.isfile(checkpoint):
        raise ExportInputError(f'checkpoint not found: {checkpoint}')
    loaded = safe_torch_load(checkpoint, map_location=device)
    state = _state_dict(loaded, checkpoint)
    kind = checkpoint_kind(loaded, state)

    notes: List[str] = []
    if kind == KINDS[1]:
        arch = _path_the_supernet_ran(loaded, arch, space, notes)

    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    model_cfg.backbone.subnet = arch.to_lists()
    model_cfg.backbone.init_cfg = None
    if kind != KINDS[0]:
        model_cfg.backbone.update(copy.deepcopy(SUPERNET_BLOCKS))
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope') or 'mmpretrain'):
        model = MODELS.build(model_cfg)
    model = revert_sync_batchnorm(model).to(device).eval()
    config_name = getattr(cfg, 'filename', None) or 'the config'
    what = f'the classifier of {config_name} with {subnet}'
    if kind == KINDS[1]:
        inherit_from_supernet(model, state, arch)
        notes.append('weights sliced from the supernet on the subnet\'s path '
                     '(mmsgnas.models.inherit_from_supernet); no SE, ReLU6, as the supernet\'s '
                     'blocks; BN statistics are the supernet\'s running ones')
    else:
        if kind == KINDS[0] and backbone_cfg.get('se') and not any('.se.' in k for k in state):
            raise ExportInputError(
                f'{checkpoint} has no squeeze-and-excitation weights but {config_name} builds '
                'SE blocks: pass the supernet checkpoint itself (its weights are then sliced), '
                'or a config without SE')
        _load_exact(model, state, checkpoint, what)
    meta = loaded.get('meta') if isinstance(loaded, Mapping) else None
    if isinstance(meta, Mapping):
        saved = meta.get('cfg') or meta.get('config')
        if isinstance(saved, str) and '\n' not in saved:
            notes.append(f'the checkpoint names its config: {saved}')
    return ExportSource(model=model, arch=arch, space=space, kind=kind,
                        se=bool(model.backbone.se),
                        act=str(model.backbone.act_cfg.get('type', 'ReLU6')),
                        num_classes=int(model_cfg.head.num_classes), notes=notes)
