import random

import pytest
import torch

from mmsgnas.cost import build_cost_table, count_conv_linear_mflops
from mmsgnas.space import Arch, MacroSpec, encode, sample_arch
from mmsgnas.models import build_searched_classifier as build_classifier

DIGITS_MACRO = dict(widen_factor=0.5, stem_stride=1, head_channels=256)


@pytest.mark.parametrize('macro, input_size, num_classes, count', [
    (DIGITS_MACRO, 32, 10, 40), (dict(), 224, 1000, 10)])
def test_lookup_cost_matches_mmengine_counter(macro, input_size, num_classes, count):
    rng = random.Random(0)
    table = build_cost_table(MacroSpec(**macro), input_size, num_classes)
    for _ in range(count):
        arch = sample_arch(rng)
        model = build_classifier(arch, macro, num_classes)
        counted = count_conv_linear_mflops(model, input_size)
        assert table.arch_mflops(arch) == pytest.approx(counted, rel=5e-3)
        # it is in fact exact
        assert table.arch_mflops(arch) == pytest.approx(counted, rel=1e-9)


def test_soft_cost_equals_exact_cost_on_one_hot_and_is_differentiable():
    rng = random.Random(3)
    table = build_cost_table(MacroSpec(), 224, 1000)
    archs = [sample_arch(rng) for _ in range(8)]
    onehot = torch.stack([encode(a) for a in archs]).double().requires_grad_()
    soft = table.soft_mflops(onehot)
    assert soft.shape == (8,)
    for value, arch in zip(soft.tolist(), archs):
        assert value == pytest.approx(table.arch_mflops(arch), rel=1e-12)
    soft.sum().backward()
    assert onehot.grad.abs().sum() > 0
    assert torch.all(onehot.grad[..., 3] == 0)   # skip costs nothing


def test_soft_cost_is_the_expectation_over_subblock_choices():
    table = build_cost_table(MacroSpec(), 224, 1000)
    probs = torch.full((19, 6, 4), 0.25, dtype=torch.float64)
    expected = table.base_macs / 1e6 + sum(
        6 * 0.25 * sum(row[:3]) / 1e6 for row in table.choice_macs)
    assert table.soft_mflops(probs).item() == pytest.approx(expected, rel=1e-12)


def test_imagenet_range_matches_the_papers_scale():
    table = build_cost_table(MacroSpec(), 224, 1000)
    # The paper's budgets (270..450 MFLOPs) lie inside the space's range.
    assert table.min_mflops() < 270 and table.max_mflops() > 450
    assert table.arch_mflops(Arch([[3, 3]] * 19)) == table.min_mflops()
