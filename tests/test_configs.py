import glob
import os

import pytest
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = sorted(glob.glob(os.path.join(ROOT, 'configs', '*', '*.py')))


@pytest.mark.parametrize('path', CONFIGS, ids=[os.path.relpath(p, ROOT) for p in CONFIGS])
def test_every_config_loads_and_builds_its_model(path):
    cfg = Config.fromfile(path)
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
