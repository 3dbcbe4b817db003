import glob
import os

import pytest
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = sorted(glob.glob(os.path.join(ROOT, 'configs', '*', '*.py')))
EXAMPLE_SUBNET = os.path.join(ROOT, 'configs/subnets/digits_example_8.5M.yaml')


@pytest.mark.parametrize('path', CONFIGS, ids=[os.path.relpath(p, ROOT) for p in CONFIGS])
def test_every_config_loads_and_builds_its_model(path):
    cfg = Config.fromfile(path)
    if 'model' not in cfg:
        # a comparison, query curves or a query-mode search: no network of its own, but every
        # config file it names must exist
        kinds = [k for k in ('comparison', 'query_curves', 'search_cfg') if k in cfg]
        assert kinds, f'{path}: no model, comparison, query_curves or search_cfg'
        named = [m['config'] for part in ('methods', 'judges')
                 for m in cfg.get(kinds[0], {}).get(part, []) if 'config' in m]
        for name in named:
            assert os.path.isfile(os.path.join(ROOT, name)), name
        return
    cost = cfg.model.get('cost') or {}
    if isinstance(cost, dict) and cost.get('type') == 'latency':
        # a latency generator needs the table measured on the user's machine (a fresh clone has
        # none, and its range in ms is that table's); tests/test_latency_lut.py builds such a
        # config on a synthetic table
        assert str(cost.get('table', '')).endswith('.json'), path
        return
    # the subnet file is a config field (ImageNet configs name a search output; None: no subnet)
    if cfg.get('subnet') is not None:
        assert cfg.model.backbone.subnet == cfg.subnet
        cfg.model.backbone.subnet = EXAMPLE_SUBNET
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0


def test_imagenet_supernet_config_has_the_papers_settings():
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/supernet/sgnas_supernet_8xb32_in1k.py'))
    assert cfg.optim_wrapper.optimizer.lr == 0.045
    assert cfg.optim_wrapper.optimizer.type == 'SGD'
    assert cfg.param_scheduler.type == 'CosineAnnealingLR'
    assert cfg.train_cfg.max_epochs == 50
    assert cfg.train_dataloader.batch_size * 8 == 256
    assert cfg.model.head.loss.label_smooth_val == 0.1
    assert cfg.model.paths_per_batch == 4
    assert cfg.model_wrapper_cfg.find_unused_parameters


def test_imagenet_retrain_config_has_the_papers_recipe():
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/retrain/sgnas_subnet_se_hswish_8xb32_in1k.py'))
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.momentum) == ('RMSprop', 0.16, 0.9)
    warmup, decay = cfg.param_scheduler
    assert (warmup.type, warmup.begin, warmup.end, warmup.start_factor) == ('LinearLR', 0, 5, 1e-3)
    assert (decay.type, decay.step_size, decay.gamma, decay.begin) == ('StepLR', 3, 0.97, 5)
    assert cfg.train_dataloader.batch_size * 8 == 256 == cfg.auto_scale_lr.base_batch_size
    assert cfg.model.head.loss.label_smooth_val == 0.1 and cfg.model.head.dropout_rate == 0.2
    assert [h.type for h in cfg.custom_hooks] == ['EMAHook', 'mmsgnas.CheckInvalidLossHook']
    assert cfg.model.backbone.se and cfg.model.backbone.act_cfg == dict(type='HSwish')


def test_coco_retinanet_config_keeps_mmdets_schedule_and_fits_fpn_to_the_backbone():
    from mmsgnas.models import SearchedMobileNet
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/retinanet/retinanet_sgnas_fpn_1x_coco.py'))
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.momentum, optimizer.weight_decay) == \
        ('SGD', 0.01, 0.9, 1e-4)
    assert cfg.train_cfg.max_epochs == 12 and cfg.train_dataloader.batch_size * 8 == 16
    assert [s.milestones for s in cfg.param_scheduler if s.type == 'MultiStepLR'] == [[8, 11]]
    assert cfg.val_evaluator.type == 'CocoMetric'
    assert cfg.train_dataloader.dataset.ann_file == 'annotations/instances_train2017.json'
    backbone = dict(cfg.model.backbone, subnet=EXAMPLE_SUBNET, init_cfg=None)
    backbone.pop('type')
    assert list(SearchedMobileNet(**backbone).out_channels) == cfg.model.neck.in_channels
    assert cfg.model.backbone.init_cfg == dict(type='Pretrained', prefix='backbone.',
                                               checkpoint=cfg.backbone_checkpoint)
