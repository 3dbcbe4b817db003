"""ChannelsLastHook changes the memory layout of a model's 4-d tensors, not what it computes, and
its checkpoints load into an ordinary model."""
import copy
import os
from types import SimpleNamespace

import torch

from mmsgnas.engine import ChannelsLastHook
from mmsgnas.models import SearchedMobileNet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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


def test_wants_channels_last_reads_the_configs_custom_hooks():
    from mmengine.config import Config

    from mmsgnas.engine import wants_channels_last
    assert wants_channels_last(Config(dict(custom_hooks=[dict(type='mmsgnas.ChannelsLastHook')])))
    assert wants_channels_last(Config(dict(custom_hooks=[dict(type=ChannelsLastHook)])))
    assert not wants_channels_last(Config(dict(custom_hooks=[
        dict(type='mmsgnas.CheckInvalidLossHook')])))
    assert not wants_channels_last(Config(dict()))
    # the CPU-scale supernets and generators ask for it (their steps are 1.3-1.5x faster)
    for path in ['configs/demo/supernet_digits.py', 'configs/demo/generator_digits.py',
                 'configs/demo/random_search_digits.py',
                 'configs/nasbench201/supernet_nb201_digits.py',
                 'configs/nasbench201/generator_nb201_digits.py',
                 'configs/fmnist/supernet_fmnist.py']:
        assert wants_channels_last(Config.fromfile(path)), path


def test_search_runner_and_judge_store_the_supernet_as_the_config_asks(tmp_path, digits_workspace,
                                                                      monkeypatch):
    """Search loops and judges run the supernet without the runner's hooks: they apply the
    config's ChannelsLastHook themselves, and compute the same scores as an NCHW supernet."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope

    from mmsgnas.engine import build_search_runner
    from mmsgnas.evaluation.harness.judges import SupernetJudge
    from mmsgnas.utils import register_all_modules
    register_all_modules()
    monkeypatch.chdir(digits_workspace)
    config = os.path.join(ROOT, 'configs/nasbench201/random_search_nb201_digits.py')
    cfg = Config.fromfile(config)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(copy.deepcopy(cfg.model))
    checkpoint = str(tmp_path / 'supernet.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)

    runner = build_search_runner(cfg, checkpoint, str(tmp_path / 'search'))
    weights = [m.weight for m in runner.model.modules()
               if isinstance(m, torch.nn.Conv2d) and m.kernel_size != (1, 1)]
    assert weights and all(not w.is_contiguous() for w in weights)

    judge = SupernetJudge(config, checkpoint, split='test')
    plain = SupernetJudge(config, checkpoint, split='test',
                          cfg_options=dict(custom_hooks=[]))
    convs = [m.weight for m in judge.model.modules()
             if isinstance(m, torch.nn.Conv2d) and m.kernel_size != (1, 1)]
    assert all(not w.is_contiguous() for w in convs)
    assert all(m.weight.is_contiguous() for m in plain.model.modules()
               if isinstance(m, torch.nn.Conv2d))
    arch = judge.space.sample(__import__('random').Random(0))
    assert abs(judge(arch) - plain(arch)) <= 100.0 / judge.num_images + 1e-6
