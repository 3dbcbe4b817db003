"""The stand-alone searched network: SE / h-swish options, FLOPs, weight inheritance, configs."""
import os
import random

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mmsgnas.cost import count_conv_linear_mflops, se_mflops
from mmsgnas.models import (InheritError, SearchedMobileNet, build_searched_classifier,
                            inherit_from_supernet)
from mmsgnas.space import MacroSpec, SubnetFileError, UnifiedSpace, save_subnet
from test_models import randomise_bn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIGITS = MacroSpec(widen_factor=0.5, stem_stride=1, head_channels=256)
HSWISH = dict(type='HSwish')


def sample_arch(rng, macro=DIGITS):
    return UnifiedSpace(macro).sample(rng)


@pytest.mark.parametrize('macro,size,classes,count', [(DIGITS, 32, 10, 3),
                                                     (MacroSpec(), 224, 1000, 1)])
def test_flops_with_se_and_hswish_match_mmengine_exactly(macro, size, classes, count):
    rng = random.Random(5)
    table = UnifiedSpace(macro).cost_table(size, classes)
    for _ in range(count):
        arch = sample_arch(rng)
        model = build_searched_classifier(arch, macro, classes, se=True, act_cfg=HSWISH)
        expected = table.arch_mflops(arch) + se_mflops(macro, arch)
        assert count_conv_linear_mflops(model, size) == pytest.approx(expected, rel=1e-9)
        plain = build_searched_classifier(arch, macro, classes)
        assert count_conv_linear_mflops(plain, size) == pytest.approx(table.arch_mflops(arch),
                                                                       rel=1e-9)


def test_se_hswish_backbone_outputs_for_a_detector():
    arch = sample_arch(random.Random(0))
    backbone = SearchedMobileNet(arch, macro=dict(), se=True, act_cfg=HSWISH, out_indices=(1, 3, 5))
    assert backbone.out_channels == (40, 96, 320)
    assert sum(isinstance(m, torch.nn.Hardswish) for m in backbone.modules()) > 19
    assert not any(isinstance(m, torch.nn.ReLU6) for m in backbone.modules())
    outs = backbone(torch.randn(2, 3, 64, 96))
    assert [tuple(o.shape) for o in outs] == [(2, 40, 8, 12), (2, 96, 4, 6), (2, 320, 2, 3)]


def test_inherited_standalone_network_reproduces_the_supernet_path():
    torch.manual_seed(0)
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/demo/supernet_digits.py'))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        supernet = MODELS.build(cfg.model).eval()
    randomise_bn(supernet)
    rng = random.Random(2)
    x = torch.randn(3, 3, 32, 32)
    for _ in range(3):
        arch = sample_arch(rng)
        standalone = build_searched_classifier(arch, cfg.model.backbone.macro, 10).eval()
        inherit_from_supernet(standalone, supernet.state_dict(), arch)
        with torch.no_grad(), supernet.backbone.using(arch):
            expected = supernet.head(supernet.extract_feat(x))
        with torch.no_grad():
            got = standalone.head(standalone.extract_feat(x))
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_weights_that_do_not_fit_are_refused_with_the_parameter_named():
    arch = sample_arch(random.Random(0))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        wide = MODELS.build(dict(
            type='mmsgnas.SupernetClassifier',
            backbone=dict(type='mmsgnas.UnifiedSupernet', macro=dict(widen_factor=0.75)),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(type='mmpretrain.LinearClsHead', num_classes=10, in_channels=1280)))
    standalone = build_searched_classifier(arch, DIGITS, 10)
    before = {k: v.clone() for k, v in standalone.state_dict().items()}
    with pytest.raises(InheritError, match=r'backbone\.stem\.conv\.weight: the supernet gives shape '
                                           r'\(24, 3, 3, 3\), the model needs \(16, 3, 3, 3\)'):
        inherit_from_supernet(standalone, wide.state_dict(), arch)
    assert all(torch.equal(v, before[k]) for k, v in standalone.state_dict().items())
    with pytest.raises(InheritError, match='se=False'):
        inherit_from_supernet(build_searched_classifier(arch, DIGITS, 10, se=True),
                              wide.state_dict(), arch)
    with pytest.raises(InheritError, match='no "backbone.layers.0.expand_conv.weight"'):
        inherit_from_supernet(standalone, {'backbone.stem.conv.weight': torch.zeros(1)}, arch)


def test_a_subnet_file_of_another_space_is_refused(tmp_path):
    path = tmp_path / 'other.yaml'
    path.write_text('space: darts\nlayers:\n' + '- [3, 5]\n' * 19)
    with pytest.raises(SubnetFileError, match='other.yaml: the file is for the search space "darts"'):
        SearchedMobileNet(str(path))
    save_subnet(tmp_path / 'ok.yaml', sample_arch(random.Random(0), MacroSpec()))
    assert len(SearchedMobileNet(str(tmp_path / 'ok.yaml'), se=True).layers) == 19


def test_extract_subnet_tool_writes_a_checkpoint_that_reproduces_the_path(tmp_path):
    import sys
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    try:
        from extract_subnet import main as extract
    finally:
        sys.path.pop(0)
    config = os.path.join(ROOT, 'configs/demo/supernet_digits.py')
    cfg = Config.fromfile(config)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        supernet = MODELS.build(cfg.model).eval()
    randomise_bn(supernet)
    torch.save(dict(state_dict=supernet.state_dict()), tmp_path / 'supernet.pth')
    arch = sample_arch(random.Random(4))
    save_subnet(tmp_path / 'net.yaml', arch, space=UnifiedSpace(DIGITS))
    out = extract([config, str(tmp_path / 'supernet.pth'), str(tmp_path / 'net.yaml'),
                   '--out', str(tmp_path / 'net.pth')])
    standalone = build_searched_classifier(arch, cfg.model.backbone.macro, 10).eval()
    standalone.load_state_dict(torch.load(out, weights_only=True)['state_dict'])
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad(), supernet.backbone.using(arch):
        expected = supernet.head(supernet.extract_feat(x))
    with torch.no_grad():
        torch.testing.assert_close(standalone.head(standalone.extract_feat(x)), expected,
                                   rtol=1e-5, atol=1e-5)
