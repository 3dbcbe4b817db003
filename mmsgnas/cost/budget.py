"""Budgets: projection of a generated architecture onto its cost budget, and sampling of
architectures under a budget, for any space with a cost table."""
import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Hashable, List, Optional

import numpy as np
import torch

from .table import CostTable


@dataclass(frozen=True)
class Projection:
    """The outcome of :func:`project_to_budget`.

    Attributes:
        arch: the projected architecture.
        raw_arch: the plain argmax decoding (what the generator gave).
        steps: single-decision changes made (0: the argmax already met the budget).
        raw_cost / cost: cost of ``raw_arch`` / ``arch`` in the table's unit.
    """
    arch: Any
    raw_arch: Any
    steps: int
    raw_cost: float
    cost: float


def project_to_budget(logits: torch.Tensor, table: CostTable, target: float,
                      tolerance: float = 0.01, max_steps: int = 200) -> Projection:
    """Decode ``logits`` [D, K] by argmax, then, while the cost is more than ``tolerance``
    (relative) away from ``target``, change one decision at a time: among the changes that keep the
    architecture in the space (``space.valid_edits``) and bring the cost closer to the target, take
    the one that loses the least log-probability under the generator."""
    space = table.space
    log_probs = torch.log_softmax(logits.detach().double().cpu(), dim=-1)
    allowed = space.allowed()
    raw_arch = space.decode(log_probs)
    choices = torch.tensor(space.choices(raw_arch), dtype=torch.long)
    costs = table.tensor(dtype=torch.float64) * table.scale                 # [D, K] raw units
    target_raw = target * table.scale
    raw = table.arch_raw(raw_arch)
    current = raw
    steps = 0
    while abs(current - target_raw) > tolerance * target_raw and steps < max_steps:
        here = costs.gather(1, choices[:, None])                          # [D, 1]
        new_cost = current + costs - here                                 # [D, K]
        loss = log_probs.gather(1, choices[:, None]) - log_probs          # [D, K]
        usable = allowed & space.valid_edits(choices) & \
            ((new_cost - target_raw).abs() < abs(current - target_raw))
        loss = torch.where(usable, loss, torch.full_like(loss, float('inf')))
        best = int(loss.argmin())
        if loss.view(-1)[best] == float('inf'):
            break
        decision, choice = divmod(best, loss.shape[1])
        current = float(new_cost[decision, choice])
        choices[decision] = choice
        steps += 1
    arch = space.from_choices(choices.tolist())
    return Projection(arch, raw_arch, steps, raw / table.scale, table.arch_cost(arch))


class BudgetError(ValueError):
    """A cost budget that no architecture of the space can meet (or that sampling cannot reach)."""


def check_budget(table: CostTable, max_cost: float, min_cost: float = 0.0) -> None:
    """Refuse budgets outside the space: the window ``min_cost..max_cost`` must overlap the range
    of architecture costs at the table's input size."""
    low, high = table.min_cost(), table.max_cost()
    unit = f'{table.unit} at {table.input_size}px'
    if max_cost < low:
        raise BudgetError(f'budget {max_cost:g} {table.unit} is below the smallest architecture '
                          f'of the space ({low:.3f} {unit})')
    if min_cost > min(max_cost, high):
        raise BudgetError(f'budget window {min_cost:g}..{max_cost:g} {table.unit} is empty or '
                          f'above the largest architecture of the space ({high:.3f} {unit})')


def sample_within_budget(rng: random.Random, table: CostTable, max_cost: float,
                         min_cost: float = 0.0, max_tries: int = 100000) -> Any:
    """Rejection sampling: architectures from the space's sampling distribution (the one the
    supernet trains with) until one costs ``min_cost <= cost <= max_cost``.

    Raises :class:`BudgetError` for a window outside the space, or when ``max_tries`` draws found
    none (the window holds too small a share of the space for this sampling).
    """
    check_budget(table, max_cost, min_cost)
    for _ in range(max_tries):
        arch = table.space.sample(rng)
        if min_cost <= table.arch_cost(arch) <= max_cost:
            return arch
    raise _nothing_drawn(table, max_cost, min_cost, max_tries)


def _nothing_drawn(table: CostTable, max_cost: float, min_cost: float, draws: int) -> BudgetError:
    return BudgetError(f'no architecture within {min_cost:g}..{max_cost:g} {table.unit} in '
                       f'{draws} draws (the space spans {table.min_cost():.3f}..'
                       f'{table.max_cost():.3f}); widen the budget')


def sample_pool_within_budget(table: CostTable, count: int, max_cost: float = math.inf,
                              min_cost: float = 0.0, seed: int = 0,
                              key: Optional[Callable[[Any], Hashable]] = None,
                              batch: int = 1 << 16, max_draws: int = 20_000_000) -> List[Any]:
    """Up to ``count`` distinct architectures (distinct by ``key``, the space's ``identity`` by
    default), in draw order, from the distribution of :func:`sample_within_budget`: the space's
    sampling distribution conditioned on ``min_cost <= cost <= max_cost``.

    The draws are vectorised (:meth:`SearchSpace.sample_choices`, costs summed from the table in
    numpy, ``batch`` draws at a time), so a window holding 1 draw in 1,000 (the unified digits space
    at the low end of its range) still gives thousands of architectures in seconds. Fewer than
    ``count`` are returned when ``max_draws`` draws hold fewer distinct ones; none at all is a
    :class:`BudgetError`. The same ``seed`` gives the same list.
    """
    check_budget(table, max_cost, min_cost)
    space = table.space
    key = key or space.identity
    generator = np.random.default_rng(seed)
    costs = np.asarray(table.table, dtype=np.float64) / table.scale           # [D, K] unit
    base = table.base / table.scale
    decisions = np.arange(costs.shape[0])
    # numpy's pairwise sums may differ from arch_cost's in the last bits: widen the window by
    # far more than that, then decide with arch_cost itself
    slack = 1e-9 * max(abs(base) + costs.max(axis=1).sum(), 1.0)
    pool: List[Any] = []
    keys = set()
    drawn = 0
    while len(pool) < count and drawn < max_draws:
        size = min(batch, max_draws - drawn)
        choices = space.sample_choices(generator, size)                       # [size, D]
        drawn += size
        cost = base + costs[decisions, choices].sum(axis=1)
        for row in np.flatnonzero((cost >= min_cost - slack) & (cost <= max_cost + slack)):
            arch = space.from_choices(choices[row].tolist())
            if not min_cost <= table.arch_cost(arch) <= max_cost:
                continue
            k = key(arch)
            if k not in keys:
                keys.add(k)
                pool.append(arch)
                if len(pool) == count:
                    break
    if not pool:
        raise _nothing_drawn(table, max_cost, min_cost, drawn)
    return pool
