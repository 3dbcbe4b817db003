"""The unified space's FLOPs table (exactness against mmengine's counter is in
test_space_interface.py, for every space)."""
import random

import pytest
import torch

from mmsgnas.cost import BudgetError, check_budget, sample_within_budget
from mmsgnas.space import Arch, UnifiedSpace


def test_soft_cost_is_the_expectation_over_subblock_choices():
    table = UnifiedSpace().cost_table(224, 1000)
    probs = torch.full((114, 4), 0.25, dtype=torch.float64)
    expected = table.base / 1e6 + sum(0.25 * sum(row[:3]) / 1e6 for row in table.table)
    assert table.soft_cost(probs).item() == pytest.approx(expected, rel=1e-12)
    assert all(row[3] == 0 for row in table.table)        # skip costs nothing


def test_cost_depends_on_the_kernel_multiset_not_the_order():
    table = UnifiedSpace().cost_table(224, 1000)
    assert table.arch_macs(Arch([[7, 3, 5]] * 19)) == table.arch_macs(Arch([[3, 5, 7]] * 19))


def test_imagenet_range_matches_the_papers_scale():
    table = UnifiedSpace().cost_table(224, 1000)
    # The paper's budgets (270..450 MFLOPs) lie inside the space's range.
    assert table.min_mflops() < 270 and table.max_mflops() > 450
    assert table.arch_mflops(Arch([[3, 3]] * 19)) == table.min_mflops()
    assert table.arch_mflops(Arch([[7] * 6] * 19)) == table.max_mflops()
    assert table.arch_mflops(Arch([[3, 5, 7]] * 19)) == pytest.approx(271.7161, abs=1e-4)


def test_budgets_outside_the_space_are_refused_and_sampling_respects_them():
    table = UnifiedSpace(dict(widen_factor=0.5, stem_stride=1, head_channels=256)).cost_table(32, 10)
    with pytest.raises(BudgetError, match='below the smallest architecture'):
        check_budget(table, 1.0)
    with pytest.raises(BudgetError, match='above the largest'):
        check_budget(table, 100.0, 50.0)
    rng = random.Random(0)
    for _ in range(20):
        arch = sample_within_budget(rng, table, 8.0, 7.5)
        assert 7.5 <= table.arch_mflops(arch) <= 8.0
