import random

import torch
from mmengine.registry import DefaultScope



def test_mmsgnas_types_build_from_mmpretrain_and_mmdet_registries():
    from mmdet.registry import MODELS as MMDET_MODELS
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    cfg = dict(type='mmsgnas.SearchedMobileNet', subnet=[[3, 5]] * 19,
               macro=dict(widen_factor=0.5, stem_stride=1, head_channels=256), out_indices=(1, 3, 5))
    for registry in (MMPRETRAIN_MODELS, MMDET_MODELS):
        model = registry.build(dict(cfg))
        assert type(model).__name__ == 'SearchedMobileNet'


def test_default_scope_mmsgnas_builds_unprefixed_types():
    from mmsgnas.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmsgnas'):
        model = MODELS.build(dict(type='UnifiedSupernet',
                                  macro=dict(widen_factor=0.5, stem_stride=1, head_channels=256)))
    assert type(model).__name__ == 'UnifiedSupernet'


def test_supernet_classifier_trains_k_paths_and_predicts_its_eval_arch():
    from mmengine.config import Config
    from mmengine.registry import MODELS
    cfg = Config.fromfile('configs/demo/supernet_digits.py')
    cfg.model.paths_per_batch = 2
    with DefaultScope.overwrite_default_scope(cfg.default_scope):  # as the runner does
        model = MODELS.build(cfg.model)
    assert model.eval_arch == model.space.sample(random.Random(0))
    from mmpretrain.structures import DataSample
    data = {'inputs': [torch.randint(0, 255, (3, 32, 32), dtype=torch.uint8) for _ in range(4)],
            'data_samples': [DataSample().set_gt_label(i) for i in range(4)]}
    model.train()
    calls = []
    original = model.backbone.using

    def spy(arch):
        calls.append(arch)
        return original(arch)

    model.backbone.using = spy
    losses = model.train_step(data, _FakeOptimWrapper())
    assert torch.isfinite(losses['loss'])
    assert len(calls) == 2 and calls[0] != calls[1]
    model.eval()
    calls.clear()
    predictions = model.val_step(data)
    assert len(predictions) == 4 and calls == [model.eval_arch]


class _FakeOptimWrapper:
    """Stands in for mmengine's OptimWrapper: records that the loss went backward once."""

    def optim_context(self, model):
        import contextlib
        return contextlib.nullcontext()

    def update_params(self, loss):
        loss.backward()


def test_register_all_modules_fills_the_registries_and_sets_the_scope():
    # in a fresh interpreter: the default scope is process-global state
    import subprocess
    import sys
    code = ("from mmengine.registry import DefaultScope\n"
            "from mmsgnas.utils import register_all_modules\n"
            "from mmsgnas.registry import MODELS, LOOPS\n"
            "register_all_modules()\n"
            "print(DefaultScope.get_current_instance().scope_name)\n"
            "print(sorted(k for k in MODELS.module_dict))\n")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == 'mmsgnas'
    for name in ('UnifiedSupernet', 'SearchedMobileNet', 'SupernetClassifier'):
        assert name in out[1]


def test_spaces_build_from_configs_by_registry():
    from mmsgnas.space import UnifiedSpace, build_space
    space = build_space(dict(type='mmsgnas.UnifiedSpace', macro=dict(widen_factor=0.5)))
    assert isinstance(space, UnifiedSpace) and space.macro.widen_factor == 0.5
    assert build_space(space) is space
