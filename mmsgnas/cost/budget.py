"""Budgets: projection of a generated architecture onto its FLOPs budget, and sampling of
architectures under a budget."""
import random
from typing import Tuple

import torch

from ..space import Arch, KERNEL_SIZES, MIN_EXPANSION, SKIP, sample_arch
from .lut import CostTable


def choices_macs(table: CostTable, choices: torch.Tensor) -> int:
    """MACs of per-sub-block choice indices [L, 6] (0..2 kernels, 3 skip)."""
    return table.base_macs + sum(table.choice_macs[l][c]
                                 for l, row in enumerate(choices.tolist()) for c in row)


def choices_to_arch(choices: torch.Tensor) -> Arch:
    return Arch([KERNEL_SIZES[c] for c in row if c != SKIP] for row in choices.tolist())


def project_to_budget(logits: torch.Tensor, table: CostTable, target_mflops: float,
                      tolerance: float = 0.01, max_steps: int = 200) -> Tuple[Arch, int]:
    """Decode ``logits`` [L, 6, 4] by argmax, then, while the cost is more than ``tolerance``
    (relative) away from ``target_mflops``, change one sub-block at a time: among the changes that
    bring the cost closer to the target, take the one that loses the least log-probability under
    the generator. Returns the architecture and the number of changes made (0 when the argmax
    already meets the budget). Skip stays impossible in the first two sub-blocks."""
    log_probs = torch.log_softmax(logits.detach().double().cpu(), dim=-1)
    choices = log_probs.argmax(dim=-1)
    costs = torch.tensor(table.choice_macs, dtype=torch.float64)           # [L, 4]
    allowed = torch.ones_like(log_probs, dtype=torch.bool)
    allowed[:, :MIN_EXPANSION, SKIP] = False
    target = target_mflops * 1e6
    macs = float(table.base_macs + costs.gather(1, choices).sum())
    steps = 0
    while abs(macs - target) > tolerance * target and steps < max_steps:
        current_cost = costs.gather(1, choices)                             # [L, 6]
        new_macs = macs + costs[:, None, :] - current_cost[..., None]       # [L, 6, 4]
        current_lp = log_probs.gather(2, choices[..., None])               # [L, 6, 1]
        loss = current_lp - log_probs
        usable = allowed & ((new_macs - target).abs() < abs(macs - target))
        loss = torch.where(usable, loss, torch.full_like(loss, float('inf')))
        best = int(loss.argmin())
        if loss.view(-1)[best] == float('inf'):
            break
        layer, rest = divmod(best, loss.shape[1] * loss.shape[2])
        subblock, choice = divmod(rest, loss.shape[2])
        macs = float(new_macs[layer, subblock, choice])
        choices[layer, subblock] = choice
        steps += 1
    return choices_to_arch(choices), steps


class BudgetError(ValueError):
    """A FLOPs budget that no architecture of the space can meet (or that sampling cannot reach)."""


def check_budget(table: CostTable, max_mflops: float, min_mflops: float = 0.0) -> None:
    """Refuse budgets outside the space: the window ``min_mflops..max_mflops`` must overlap the
    range of architecture costs at the table's input size."""
    low, high = table.min_mflops(), table.max_mflops()
    if max_mflops < low:
        raise BudgetError(f'FLOPs budget {max_mflops:g} MFLOPs is below the smallest architecture '
                          f'of the space ({low:.3f} MFLOPs at {table.input_size}px)')
    if min_mflops > min(max_mflops, high):
        raise BudgetError(f'FLOPs window {min_mflops:g}..{max_mflops:g} MFLOPs is empty or above '
                          f'the largest architecture of the space ({high:.3f} MFLOPs at '
                          f'{table.input_size}px)')


def sample_within_budget(rng: random.Random, table: CostTable, max_mflops: float,
                         min_mflops: float = 0.0, max_tries: int = 100000) -> Arch:
    """Rejection sampling: uniform canonical architectures (as in supernet training) until one
    costs ``min_mflops <= FLOPs <= max_mflops`` (exact cost from ``table``).

    Raises :class:`BudgetError` for a window outside the space, or when ``max_tries`` draws found
    none (the window holds too small a share of the space for uniform sampling).
    """
    check_budget(table, max_mflops, min_mflops)
    for _ in range(max_tries):
        arch = sample_arch(rng, table.num_layers)
        if min_mflops <= table.arch_mflops(arch) <= max_mflops:
            return arch
    raise BudgetError(f'no architecture within {min_mflops:g}..{max_mflops:g} MFLOPs in '
                      f'{max_tries} uniform draws (the space spans {table.min_mflops():.3f}..'
                      f'{table.max_mflops():.3f}); widen the budget')
