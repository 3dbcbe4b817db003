"""Projection of a generated architecture onto its FLOPs budget."""
from typing import Tuple

import torch

from ..space import Arch, KERNEL_SIZES, MIN_EXPANSION, NUM_CHOICES, SKIP
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
    log_probs = torch.log_softmax(logits.detach().float(), dim=-1)
    choices = log_probs.argmax(dim=-1)
    target = target_mflops * 1e6
    macs = choices_macs(table, choices)
    steps = 0
    num_layers, num_subblocks = choices.shape
    while abs(macs - target) > tolerance * target and steps < max_steps:
        best = None
        for l in range(num_layers):
            row = table.choice_macs[l]
            for s in range(num_subblocks):
                current = int(choices[l, s])
                for c in range(NUM_CHOICES):
                    if c == current or (c == SKIP and s < MIN_EXPANSION):
                        continue
                    new_macs = macs + row[c] - row[current]
                    if abs(new_macs - target) >= abs(macs - target):
                        continue
                    loss = float(log_probs[l, s, current] - log_probs[l, s, c])
                    if best is None or loss < best[0]:
                        best = (loss, l, s, c, new_macs)
        if best is None:
            break
        _, l, s, c, macs = best
        choices[l, s] = c
        steps += 1
    return choices_to_arch(choices), steps
