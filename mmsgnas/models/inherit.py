"""Stand-alone weights of one path, sliced from a trained unified supernet.

The stand-alone block (:class:`MixedKernelMBConv`) computes exactly what the supernet's
:class:`UnifiedBlock` computes on the same path: the first pointwise conv and its norm are the
first e*C_in channels of the supernet's; depthwise conv i is sub-block i's candidate of its kernel
size; the sub-blocks' norms concatenate into the one norm after the concatenation (BN is per
channel); the second pointwise conv is the first e*C_in input channels of the supernet's, followed
by the shadow norm of expansion e. Stem, first block, head conv and classifier are shared as they
are (both networks build them the same way).
"""
from typing import Dict, Mapping

import torch
from torch import nn

from ..space import Arch
from ..space.spec import MIN_EXPANSION

NORM_ENTRIES = ('weight', 'bias', 'running_mean', 'running_var')
SUPERNET_NORM = 'bn'   # name of the norm inside the supernet's ConvModules (BN or SyncBN)


class InheritError(ValueError):
    """Supernet weights that do not fit the stand-alone network."""


def _take(state: Mapping[str, torch.Tensor], key: str) -> torch.Tensor:
    if key not in state:
        raise InheritError(f'the supernet weights have no "{key}" (not a checkpoint of a unified '
                           'supernet with this prefix?)')
    return state[key]


def standalone_state_from_supernet(supernet_state: Mapping[str, torch.Tensor], arch: Arch,
                                   prefix: str = 'backbone.', expand_norm: str = 'bn',
                                   project_norm: str = 'bn') -> Dict[str, torch.Tensor]:
    """Map a supernet state dict (keys under ``prefix``, e.g. a SupernetClassifier's) to the state
    dict of the stand-alone network of the path ``arch`` (same keys outside the searched layers,
    e.g. the classifier ``head.fc.*``). ``expand_norm`` / ``project_norm``: the names of the norms
    inside the stand-alone block's ConvModules ('bn' for BN and SyncBN)."""
    layer_prefix = f'{prefix}layers.'
    out: Dict[str, torch.Tensor] = {k: v for k, v in supernet_state.items()
                                    if not k.startswith(layer_prefix)}
    for index, kernels in enumerate(arch):
        src = dst = f'{layer_prefix}{index}.'
        expand_weight = _take(supernet_state, src + 'expand_conv.weight')
        hidden = expand_weight.shape[1] * len(kernels)
        out[dst + 'expand.conv.weight'] = expand_weight[:hidden]
        for entry in NORM_ENTRIES:
            out[dst + f'expand.{expand_norm}.{entry}'] = _take(
                supernet_state, src + f'expand_bn.{entry}')[:hidden]
        out[dst + f'expand.{expand_norm}.num_batches_tracked'] = _take(
            supernet_state, src + 'expand_bn.num_batches_tracked')
        for sub, kernel in enumerate(kernels):
            out[dst + f'depthwise.{sub}.weight'] = _take(
                supernet_state, src + f'subblocks.{sub}.k{kernel}.conv.weight')
        for entry in NORM_ENTRIES:
            out[dst + f'depthwise_norm.{entry}'] = torch.cat([
                _take(supernet_state, src + f'subblocks.{sub}.k{kernel}.{SUPERNET_NORM}.{entry}')
                for sub, kernel in enumerate(kernels)])
        out[dst + 'depthwise_norm.num_batches_tracked'] = _take(
            supernet_state, src + f'subblocks.0.k{kernels[0]}.{SUPERNET_NORM}.num_batches_tracked')
        out[dst + 'project.conv.weight'] = _take(supernet_state,
                                                 src + 'project_conv.weight')[:, :hidden]
        shadow = f'{src}shadow_bns.{len(kernels) - MIN_EXPANSION}.'
        for entry in NORM_ENTRIES + ('num_batches_tracked',):
            out[dst + f'project.{project_norm}.{entry}'] = _take(supernet_state, shadow + entry)
    return out


def inherit_from_supernet(model: nn.Module, supernet_state: Mapping[str, torch.Tensor],
                          arch: Arch, prefix: str = 'backbone.') -> None:
    """Load into ``model`` (the stand-alone classifier of ``arch``, or any module whose
    SearchedMobileNet sits under ``prefix``) the weights sliced from ``supernet_state``.

    Only a stand-alone network with the supernet's blocks can inherit (no SE, ReLU6, same macro);
    anything that does not fit raises :class:`InheritError` naming the parameter and both shapes,
    before any weight is changed.
    """
    backbone = model.get_submodule(prefix.rstrip('.')) if prefix else model
    act = getattr(backbone, 'act_cfg', {}).get('type', 'ReLU6')
    if getattr(backbone, 'se', False) or act != 'ReLU6':
        raise InheritError('supernet weights fit only a stand-alone network with the supernet\'s '
                           f'blocks (se=False, ReLU6); this one has se={backbone.se}, act={act!r}')
    if tuple(getattr(backbone, 'arch', arch)) != tuple(arch):
        raise InheritError('the model was built for another architecture than the one given')
    first = backbone.layers[0]
    state = standalone_state_from_supernet(supernet_state, arch, prefix,
                                           first.expand.norm_name, first.project.norm_name)
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    if missing:
        raise InheritError(f'the supernet weights lack {len(missing)} entries of the model, '
                           f'e.g. {missing[:3]}')
    for key, value in own.items():
        if tuple(state[key].shape) != tuple(value.shape):
            raise InheritError(f'{key}: the supernet gives shape {tuple(state[key].shape)}, the '
                               f'model needs {tuple(value.shape)} (another macro config or '
                               'number of classes?)')
    model.load_state_dict({k: state[k] for k in own}, strict=True)
