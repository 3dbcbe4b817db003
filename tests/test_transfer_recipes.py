"""The transfer comparison is fair by construction: the MobileNetV2 configs differ from the SGNAS
ones only in the backbone (same pretraining and detection recipes), their backbone FLOPs at the
detection input are within 10 %, and every training config stops on an invalid loss."""
import copy
import glob
import os
import re
import subprocess
import sys

import pytest
from mmengine.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE_SUBNET = os.path.join(ROOT, 'configs/subnets/digits_example_8.5M.yaml')
INVALID_LOSS_HOOK = dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')


def load(path: str) -> dict:
    return copy.deepcopy(Config.fromfile(os.path.join(ROOT, path)).to_dict())


def without_backbone(cfg: dict) -> dict:
    """The config less what names or fits the backbone (its own settings, the subnet, the
    checkpoint it starts from, the FPN input widths)."""
    for key in ('subnet', 'backbone_checkpoint', 'widen_factor'):
        cfg.pop(key, None)
    model = cfg['model']
    model.pop('backbone')
    model.pop('_scope_', None)   # set by inheriting mmpretrain's model file; every type is prefixed
    if 'neck' in model and 'in_channels' in model['neck']:
        model['neck'].pop('in_channels')
    if model.get('head', {}).get('in_channels'):
        model['head'].pop('in_channels')   # the classifier's input width follows the backbone
    return cfg


@pytest.mark.parametrize('sgnas, baseline', [
    ('configs/demo/retinanet_digits.py', 'configs/demo/retinanet_mobilenetv2_digits.py'),
    ('configs/retinanet/retinanet_sgnas_fpn_1x_coco.py',
     'configs/retinanet/retinanet_mobilenetv2_fpn_1x_coco.py'),
    ('configs/demo/retrain_digits.py', 'configs/demo/retrain_mobilenetv2_digits.py'),
    ('configs/retrain/sgnas_subnet_se_hswish_8xb32_in1k.py',
     'configs/retrain/mobilenetv2_1.1x_8xb32_in1k.py'),
])
def test_baseline_config_differs_only_in_the_backbone(sgnas, baseline):
    a, b = without_backbone(load(sgnas)), without_backbone(load(baseline))
    assert a == b
    # the digits classifier has a stride-1 stem at 32x32, as the searched one
    assert load(baseline)['model']['backbone']['type'] in (
        'mmpretrain.MobileNetV2', 'mmsgnas.MobileNetV2WithStemStride')


def backbone_mflops(config: str, shape, subnet=None) -> float:
    args = [sys.executable, os.path.join(ROOT, 'tools/analysis/get_flops.py'),
            os.path.join(ROOT, config), '--shape', *map(str, shape)]
    if subnet:
        args += ['--cfg-options', f'model.backbone.subnet={subnet}']
    out = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return float(re.search(r'Backbone only \(\w+\): FLOPs \(M\) ([\d.]+)', out).group(1))


@pytest.mark.parametrize('sgnas, baseline, shape', [
    ('configs/demo/retinanet_digits.py', 'configs/demo/retinanet_mobilenetv2_digits.py',
     (128, 128)),
    ('configs/retinanet/retinanet_sgnas_fpn_1x_coco.py',
     'configs/retinanet/retinanet_mobilenetv2_fpn_1x_coco.py', (800, 1333)),
])
def test_baseline_backbone_flops_match_within_ten_percent(sgnas, baseline, shape):
    searched = backbone_mflops(sgnas, shape, EXAMPLE_SUBNET)
    mobilenet = backbone_mflops(baseline, shape)
    assert searched > 0 and mobilenet > 0
    assert abs(mobilenet / searched - 1) <= 0.10, (searched, mobilenet)


def is_training_config(path: str) -> bool:
    cfg = Config.fromfile(path)
    return 'optim_wrapper' in cfg and 'train_dataloader' in cfg and 'model' in cfg


# every config tools/train.py can run: supernet, generator, retrain, detection, other searches
TRAINING_CONFIGS = sorted(p for p in glob.glob(os.path.join(ROOT, 'configs', '*', '*.py'))
                          if '_base_' not in p.split(os.sep) and is_training_config(p))


def test_the_training_configs_are_found():
    names = {os.path.relpath(p, ROOT) for p in TRAINING_CONFIGS}
    assert {'configs/demo/supernet_digits.py', 'configs/demo/generator_digits.py',
            'configs/demo/retrain_digits.py', 'configs/demo/retinanet_digits.py',
            'configs/supernet/sgnas_supernet_8xb32_in1k.py',
            'configs/retinanet/retinanet_sgnas_fpn_1x_coco.py',
            'configs/fmnist/supernet_fmnist.py'} <= names


@pytest.mark.parametrize('path', TRAINING_CONFIGS, ids=[os.path.relpath(p, ROOT)
                                                        for p in TRAINING_CONFIGS])
def test_every_training_config_stops_on_an_invalid_loss(path):
    hooks = Config.fromfile(path).get('custom_hooks', [])
    assert INVALID_LOSS_HOOK in [dict(h) for h in hooks]


@pytest.mark.parametrize('path', [
    'configs/retinanet/retinanet_sgnas_fpn_1x_coco.py',
    'configs/retinanet/retinanet_mobilenetv2_fpn_1x_coco.py',
    'configs/demo/retinanet_digits.py', 'configs/demo/retinanet_mobilenetv2_digits.py'])
def test_detectors_tell_ddp_about_the_unused_classifier_head(path):
    """Both backbones keep a classifier head conv past their last output; DDP must expect
    parameters without gradients (tests/test_transfer_e2e.py trains one under torchrun)."""
    wrapper = load(path)['model_wrapper_cfg']
    assert wrapper == dict(type='MMDistributedDataParallel', find_unused_parameters=True)


def test_digits_detectors_fix_their_bn_statistics_after_training():
    """The digits recipe trains BN and re-estimates its statistics after the last epoch, and has
    GroupNorm in the head, for both backbones alike."""
    for path in ('configs/demo/retinanet_digits.py', 'configs/demo/retinanet_mobilenetv2_digits.py'):
        cfg = load(path)
        assert cfg['model']['backbone']['norm_eval'] is False
        hooks = [h for h in cfg['custom_hooks'] if h['type'] == 'mmsgnas.PreciseBNHook']
        assert hooks == [dict(type='mmsgnas.PreciseBNHook', num_samples=1024, interval=12)]
        assert cfg['train_cfg']['max_epochs'] == 12
        assert cfg['model']['bbox_head']['norm_cfg'] == dict(type='GN', num_groups=16,
                                                             requires_grad=True)
        backbone = cfg['model']['backbone']
        # frozen: everything before the first FPN input, as mmdet's RetinaNet freezes ResNet's
        # stem and first stage (the two backbones count their stages differently)
        assert backbone['frozen_stages'] == min(backbone['out_indices']) > 0
        # batch 32 at the COCO recipe's learning rate per image (0.02 at batch 16)
        assert cfg['train_dataloader']['batch_size'] == 32
        assert cfg['optim_wrapper']['optimizer']['lr'] == pytest.approx(0.02 / 16 * 32)
