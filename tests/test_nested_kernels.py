"""Nested kernel weights in the unified supernet (``kernel_weights='nested'``): k3 and k5 run the
centres of k7's weights while training, and the checkpoint keeps the one format every reader of
supernet checkpoints knows."""
import random

import pytest
import torch

from mmsgnas.models import SearchedMobileNet, UnifiedBlock, UnifiedSupernet
from mmsgnas.models.inherit import inherit_from_supernet

from test_models import DIGITS_MACRO, encode_layer, randomise_bn


def test_nested_block_runs_the_centres_of_the_largest_kernel_and_trains_it():
    torch.manual_seed(0)
    block = UnifiedBlock(8, 8, 1, kernel_weights='nested').train()
    x = torch.randn(2, 8, 10, 10)
    block(x, (3, 5)).sum().backward()
    for index in (0, 1):
        candidates = block.subblocks[index]
        assert candidates['k3'].conv.weight.grad is None
        assert candidates['k5'].conv.weight.grad is None
        grad = candidates['k7'].conv.weight.grad
        kernel = 3 if index == 0 else 5
        start = (7 - kernel) // 2
        ring = torch.ones(7, 7, dtype=torch.bool)
        ring[start:start + kernel, start:start + kernel] = False
        assert grad[..., ring].abs().max() == 0            # outside the run kernel: untouched
        assert grad[..., ~ring].abs().max() > 0
    with pytest.raises(ValueError, match="kernel_weights must be one of"):
        UnifiedBlock(8, 8, 1, kernel_weights='shared')


def test_nested_block_equals_a_separate_block_loaded_from_its_state_dict():
    torch.manual_seed(0)
    nested = UnifiedBlock(8, 16, 2, kernel_weights='nested').eval()
    randomise_bn(nested)
    state = nested.state_dict()
    centre = nested.subblocks[2]['k7'].conv.weight[..., 1:6, 1:6]
    assert torch.equal(state['subblocks.2.k5.conv.weight'], centre)
    separate = UnifiedBlock(8, 16, 2).eval()
    separate.load_state_dict(state)
    x = torch.randn(2, 8, 9, 9)
    for kernels in [(3, 3), (7, 3, 5), (5, 7, 5, 7, 3, 3)]:
        torch.testing.assert_close(separate(x, kernels), nested(x, kernels), rtol=0, atol=0)
        weights = encode_layer(kernels).unsqueeze(0).repeat(2, 1, 1)
        torch.testing.assert_close(nested(x, weights), nested(x, kernels), rtol=1e-5, atol=1e-5)
    nested.load_state_dict(state)                                 # its own weights load back


def test_nested_supernet_refuses_weights_trained_with_separate_kernels():
    torch.manual_seed(0)
    separate = UnifiedSupernet(macro=DIGITS_MACRO)
    nested = UnifiedSupernet(macro=DIGITS_MACRO, kernel_weights='nested')
    with pytest.raises(ValueError, match="kernel_weights='separate'"):
        nested.load_state_dict(separate.state_dict())


def test_stand_alone_network_inherits_the_nested_weights_it_was_trained_through():
    torch.manual_seed(0)
    supernet = UnifiedSupernet(macro=DIGITS_MACRO, kernel_weights='nested').eval()
    randomise_bn(supernet)
    arch = supernet.space.sample(random.Random(3))
    x = torch.randn(2, 3, 32, 32)
    with supernet.using(arch):
        expected = supernet(x)[-1]
    model = SearchedMobileNet(arch.to_lists(), macro=DIGITS_MACRO).eval()
    inherit_from_supernet(model, supernet.state_dict(), arch, prefix='')
    torch.testing.assert_close(model(x)[-1], expected, rtol=1e-4, atol=1e-4)
