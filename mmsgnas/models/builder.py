"""Building the stand-alone classifier of an architecture of any space, and counting its
parameters."""
import functools
import os
from typing import Any, Optional, Tuple

import torch

from ..space import SearchSpace, UnifiedSpace


def build_standalone_classifier(space: SearchSpace, arch: Any, num_classes: int,
                                **backbone_kwargs) -> torch.nn.Module:
    """Build ``space.classifier_cfg(arch, ...)`` in mmpretrain's scope whatever the caller's default
    scope is (its parts have unprefixed defaults such as the data preprocessor and the loss)."""
    from mmengine.registry import MODELS, DefaultScope
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(space.classifier_cfg(arch, num_classes, **backbone_kwargs))


def _built_param_count(space: SearchSpace, arch: Any, num_classes: int) -> int:
    with torch.device('meta'):
        model = build_standalone_classifier(space, arch, num_classes)
    return sum(p.numel() for p in model.parameters())


@functools.lru_cache(maxsize=64)
def linear_param_table(space: SearchSpace,
                       num_classes: int) -> Tuple[int, Tuple[Tuple[int, ...], ...]]:
    """(base, rows): the stand-alone classifier of ``space`` has ``base + sum_d rows[d][c_d]``
    parameters for the choices ``c_d``, for a space whose parameter count is linear in the one-hot
    encoding (``space.linear_params``; NAS-Bench-201: every edge's operation owns its weights).

    Counted on 1 + D * (K - 1) models built on the meta device, once per space and class count:
    the reference architecture takes choice 0 on every decision, row d differs from it in one
    decision.
    """
    if not space.linear_params:
        raise ValueError(f'{space!r} does not declare linear_params: its parameter count is not '
                         'a sum over its decisions')
    num_decisions, num_choices = space.decision_shape
    reference = [0] * num_decisions
    base = _built_param_count(space, space.from_choices(reference), num_classes)
    rows = []
    for decision in range(num_decisions):
        row = [0]
        for choice in range(1, num_choices):
            choices = list(reference)
            choices[decision] = choice
            row.append(_built_param_count(space, space.from_choices(choices), num_classes) - base)
        rows.append(tuple(row))
    return base, tuple(rows)


def count_params(space: SearchSpace, arch: Any, num_classes: int) -> float:
    """Parameters (M) of the stand-alone classifier: from :func:`linear_param_table` when the
    space declares ``linear_params`` (a query-mode search costs one build per 0.1 s otherwise),
    else counted on a model built on the meta device (no memory)."""
    if space.linear_params:
        base, rows = linear_param_table(space, num_classes)
        return (base + sum(rows[d][c] for d, c in enumerate(space.choices(arch)))) / 1e6
    return _built_param_count(space, arch, num_classes) / 1e6


def build_searched_classifier(subnet: Any, macro=None, num_classes: int = 1000, se: bool = False,
                              act_cfg: Optional[dict] = None) -> torch.nn.Module:
    """The stand-alone classifier of a unified-space ``subnet`` (a subnet file path or an
    architecture) with ``macro``: SearchedMobileNet (``se``, ``act_cfg``), global average pooling
    and a linear classifier."""
    space = UnifiedSpace(macro)
    if isinstance(subnet, (str, os.PathLike)):
        from ..space import load_subnet
        subnet = load_subnet(subnet, space)[0]
    kwargs = dict(se=se) if se else {}
    if act_cfg is not None:
        kwargs['act_cfg'] = act_cfg
    return build_standalone_classifier(space, subnet, num_classes, **kwargs)
