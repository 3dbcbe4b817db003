"""ChannelsLastHook changes the memory layout of a model's 4-d tensors, not what it computes, and
its checkpoints load into an ordinary model."""
import copy
from types import SimpleNamespace

import torch

from mmsgnas.engine import ChannelsLastHook
from mmsgnas.models import SearchedMobileNet

ARCH = [[3, 5], [7, 3, 5], [5, 5], [3, 3, 7, 7], [3, 5, 7], [5, 3], [7, 7], [3, 3, 3],
        [5, 7], [3, 3], [7, 5, 3], [3, 3], [5, 5, 5], [3, 7], [3, 3], [7, 5], [3, 3, 5],
        [5, 5], [3, 3]]
MACRO = dict(widen_factor=0.25, stem_stride=1, head_channels=64)


def test_values_unchanged_layout_channels_last_and_checkpoint_portable():
    torch.manual_seed(0)
    model = SearchedMobileNet(ARCH, macro=MACRO, out_indices=(1, -1)).eval()
    reference = copy.deepcopy(model)
    x = torch.randn(2, 3, 32, 32)
    ChannelsLastHook().before_run(SimpleNamespace(model=model))
    convs = [m.weight for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(w.is_contiguous(memory_format=torch.channels_last) for w in convs)
    # at least one conv weight with spatial extent is really stored NHWC (not trivially both)
    assert any(not w.is_contiguous() for w in convs)
    with torch.no_grad():
        for got, want in zip(model(x), reference(x)):
            assert got.shape == want.shape
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
    plain = SearchedMobileNet(ARCH, macro=MACRO, out_indices=(1, -1)).eval()
    plain.load_state_dict(model.state_dict())
    with torch.no_grad():
        for got, want in zip(plain(x), reference(x)):
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_unwraps_a_model_wrapper():
    from mmengine.registry import MODEL_WRAPPERS

    class FakeWrapper(torch.nn.Module):
        def __init__(self, module):
            super().__init__()
            self.module = module

    MODEL_WRAPPERS.register_module(name='FakeWrapperForChannelsLastTest', module=FakeWrapper,
                                   force=True)
    inner = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3))
    ChannelsLastHook().before_run(SimpleNamespace(model=FakeWrapper(inner)))
    assert inner[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert not inner[0].weight.is_contiguous()
