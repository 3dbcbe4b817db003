import random

import torch

from mmsgnas.cost import build_cost_table, project_to_budget
from mmsgnas.space import MacroSpec, decode, encode, sample_arch


def test_projection_meets_budgets_and_keeps_argmax_when_it_already_fits():
    table = build_cost_table(MacroSpec(widen_factor=0.5, stem_stride=1, head_channels=256), 32, 10)
    rng = random.Random(0)
    torch.manual_seed(0)
    for _ in range(20):
        arch = sample_arch(rng)
        logits = 3 * encode(arch) + torch.randn(19, 6, 4) * 0.1
        logits[:, :2, 3] = float('-inf')
        flops = table.arch_mflops(decode(logits))
        same, steps = project_to_budget(logits, table, flops * 1.004)
        assert steps == 0 and same == decode(logits)
        for target in (6.6, 8.0, 10.4):
            projected, steps = project_to_budget(logits, table, target)
            assert abs(table.arch_mflops(projected) - target) <= 0.01 * target
            assert all(len(layer) >= 2 for layer in projected)
