"""The cost switch of configs: ``cost=dict(type='flops')`` (the default) or
``cost=dict(type='latency', table=PATH[, network=dict(se=..., act_cfg=...)])``, an argument of
:class:`~mmsgnas.models.GeneratorTrainer` and of every search loop.

:func:`build_cost_table` turns the config into the space's :class:`CostTable` (FLOPs from the space,
or a measured latency table checked against the space, macro, input size and classes).
"""
from typing import Any, Dict, Mapping, Optional, Union

from .table import CostTable

COST_TYPES = ('flops', 'latency')
#: the keys of a cost config that choose what is costed (an algorithm may keep other keys beside
#: them, as SinglePathNAS keeps its loss settings)
COST_SWITCH_KEYS = ('type', 'table', 'network')

CostCfg = Union[None, str, Mapping[str, Any]]


def normalise_cost_cfg(cost: CostCfg) -> Dict[str, Any]:
    """``None`` / ``'flops'`` / a dict -> a checked dict with ``type``."""
    if cost is None:
        return dict(type='flops')
    if isinstance(cost, str):
        cost = dict(type=cost)
    if not isinstance(cost, Mapping):
        raise TypeError(f'cost must be a dict such as dict(type="latency", table=PATH) or '
                        f'"flops", got {type(cost).__name__}')
    cost = dict(cost)
    kind = cost.get('type')
    if kind not in COST_TYPES:
        raise ValueError(f'cost type must be one of {COST_TYPES}, got {kind!r}')
    allowed = {'flops': {'type'}, 'latency': set(COST_SWITCH_KEYS)}[kind]
    unknown = set(cost) - allowed
    if unknown:
        raise ValueError(f'cost={cost!r}: unknown key(s) {sorted(unknown)} for type {kind!r} '
                         f'(allowed: {sorted(allowed)})')
    if kind == 'latency' and not cost.get('table'):
        raise ValueError("cost=dict(type='latency') needs table=PATH, a JSON file written by "
                         'tools/analysis/build_latency_lut.py')
    return cost


def build_cost_table(space, input_size: int, num_classes: int,
                     cost: CostCfg = None) -> CostTable:
    """The cost table ``cost`` asks for, for ``space`` at ``input_size`` with ``num_classes``."""
    cost = normalise_cost_cfg(cost)
    if cost['type'] == 'flops':
        return space.cost_table(input_size, num_classes)
    from .latency_lut import load_latency_table
    return load_latency_table(cost['table'], space, input_size, num_classes, cost.get('network'))


def cost_settings(cost: CostCfg) -> Optional[Dict[str, Any]]:
    """What a checkpoint trained with ``cost`` records of it (None for FLOPs, so checkpoints of
    FLOPs generators keep their settings): the type and the measured context (fingerprint, device,
    threads, batch size), not the path."""
    cost = normalise_cost_cfg(cost)
    if cost['type'] == 'flops':
        return None
    from .latency_lut import read_latency_data
    data = read_latency_data(cost['table'])
    return dict(type='latency', fingerprint=data['fingerprint'], device=data['device'],
                device_name=data['device_name'], threads=data['threads'],
                batch_size=data['batch_size'])


def latency_target_of(cfg) -> Dict[str, Any]:
    """What a latency table for a config must be measured for: dict(space, input_size,
    num_classes, network, table), from a generator config (``model.supernet``: its backbone's
    space and head) or a Single-Path NAS config (``model.backbone`` and ``model.head``), with
    ``model.input_size`` and ``model.cost`` (``table`` is None when the config's cost is not a
    latency table)."""
    from mmengine.registry import MODELS, DefaultScope
    model = cfg.get('model') or {}
    network = model.get('supernet') or model
    if 'backbone' not in network or 'head' not in network or 'input_size' not in model:
        raise ValueError('expected a generator config (model.supernet, model.input_size) or a '
                         'Single-Path NAS config (model.backbone, model.head, model.input_size); '
                         f'got a model of type {model.get("type")!r}')
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope') or 'mmsgnas'):
        import mmsgnas.models  # noqa: F401  (registers the backbones)
        backbone = MODELS.build(dict(network['backbone']))
    cost = dict(model.get('cost') or {})
    if 'supernet' not in model:   # Single-Path NAS: the switch keys beside the loss's
        cost = {k: v for k, v in cost.items() if k in COST_SWITCH_KEYS} or None
    cost = normalise_cost_cfg(cost)
    return dict(space=backbone.space, input_size=int(model['input_size']),
                num_classes=int(network['head']['num_classes']),
                network=cost.get('network'), table=cost.get('table'))
