"""The search loops with the cost switch: budgets in MFLOPs (default) or in measured ms.

``search_cfg = dict(type='mmsgnas.CostRandomSearchLoop', cost=dict(type='latency', table=PATH),
flops_budget=2.5, ...)``: the budget (``flops_budget`` / ``min_flops``, named after the default
cost) is then in ms of the table, and candidates are kept, sampled and logged by that table.
"""
from ..cost.switch import CostSwitch
from ..registry import LOOPS
from .search_loops import EvolutionSearchLoop, RandomSearchLoop, RegularizedEvolutionLoop
from .weaknas import WeakNASSearchLoop


@LOOPS.register_module()
class CostRandomSearchLoop(CostSwitch, RandomSearchLoop):
    """:class:`RandomSearchLoop` with ``cost=dict(type='flops' | 'latency', ...)``."""


@LOOPS.register_module()
class CostEvolutionSearchLoop(CostSwitch, EvolutionSearchLoop):
    """:class:`EvolutionSearchLoop` with ``cost=dict(type='flops' | 'latency', ...)``."""


@LOOPS.register_module()
class CostRegularizedEvolutionLoop(CostSwitch, RegularizedEvolutionLoop):
    """:class:`RegularizedEvolutionLoop` with ``cost=dict(type='flops' | 'latency', ...)``."""


@LOOPS.register_module()
class CostWeakNASSearchLoop(CostSwitch, WeakNASSearchLoop):
    """:class:`WeakNASSearchLoop` with ``cost=dict(type='flops' | 'latency', ...)``."""
