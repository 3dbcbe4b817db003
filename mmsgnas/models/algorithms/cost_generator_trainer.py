"""The generator trainer with the cost switch: conditioned on FLOPs or on a measured latency."""
from typing import Any, Dict

import torch

from ...cost.switch import CostSwitch, cost_settings
from ...registry import MODELS
from .generator_trainer import ConstraintRangeError, GeneratorTrainer


@MODELS.register_module()
class CostGeneratorTrainer(CostSwitch, GeneratorTrainer):
    """:class:`GeneratorTrainer` whose cost table comes from ``cost``:
    ``dict(type='flops')`` (default, the same as GeneratorTrainer) or
    ``dict(type='latency', table=PATH)``, a table measured by tools/analysis/build_latency_lut.py
    for the supernet's space and macro, ``input_size`` and the head's classes (refused otherwise).

    With a latency table, ``constraint_range`` and every target (training, validation grid,
    tools/search.py --constraints / --range) are in milliseconds on the table's device; the
    constraint loss, Cost(alpha), the priors and the projection onto the budget are unchanged,
    since the latency table is linear in the one-hot encoding like the FLOPs one. The checkpoint
    records the table's measured context, so a generator trained on one table is refused with a
    config naming another (or FLOPs).
    """

    def settings(self) -> Dict[str, Any]:
        own = super().settings()
        cost = cost_settings(self.cost_cfg)
        if cost is not None:
            own['cost'] = cost
        return own

    def check_targets(self, targets: torch.Tensor, extrapolate: bool = False) -> None:
        low, high = self.constraint_range
        outside = [t for t in targets.tolist() if not low <= t <= high]
        if outside and not extrapolate:
            raise ConstraintRangeError(
                f'constraint(s) {outside} {self.cost_table.unit} outside the trained range '
                f'{low}..{high} {self.cost_table.unit}; pass extrapolate=True '
                '(tools/search.py --extrapolate) to generate anyway')
