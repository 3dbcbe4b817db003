"""A searched subnet stands alone: retrained on digits, then RetinaNet on digits-COCO through
tools/train.py (with --resume mid-run) and tools/test.py (reproducing the validation mAP)."""
import json
import os
import re

import pytest
from test_train_e2e import ROOT, run

SUBNET = os.path.join(ROOT, 'configs/subnets/digits_example_8.5M.yaml')


@pytest.mark.slow
def test_retrain_then_detector_resumes_and_tools_test_reproduces_the_map(tmp_path):
    run([os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'), '--out', 'data/digits'],
        tmp_path)
    run([os.path.join(ROOT, 'tools/data/make_digits_coco.py'), '--out', 'data/digits_coco',
         '--num-train', '64', '--num-val', '32'], tmp_path)
    retrain = os.path.join(ROOT, 'configs/demo/retrain_digits.py')
    run([os.path.join(ROOT, 'tools/train.py'), retrain, '--work-dir', 'cls', '--cfg-options',
         f'model.backbone.subnet={SUBNET}', 'train_cfg.max_epochs=1'], tmp_path)

    detector = os.path.join(ROOT, 'configs/demo/retinanet_digits.py')
    options = ['--cfg-options', f'model.backbone.subnet={SUBNET}',
               'model.backbone.init_cfg.checkpoint=cls/epoch_1.pth', 'train_cfg.val_interval=1',
               'default_hooks.checkpoint.interval=1',
               'model.test_cfg.score_thr=0.0']   # so that a 2-epoch detector has detections to score
    log = run([os.path.join(ROOT, 'tools/train.py'), detector, '--work-dir', 'det', *options,
               'train_cfg.max_epochs=1'], tmp_path)
    assert 'load backbone. in model from: cls/epoch_1.pth' in log
    log = run([os.path.join(ROOT, 'tools/train.py'), detector, '--work-dir', 'det', '--resume',
               *options, 'train_cfg.max_epochs=2'], tmp_path)
    assert 'resumed epoch: 1' in log and 'Epoch(train) [2]' in log.replace('  ', ' ')
    val_maps = re.findall(r'coco/bbox_mAP: (-?\d+\.\d+)', log)
    assert val_maps, log[-3000:]
    val_map = float(val_maps[-1])

    run([os.path.join(ROOT, 'tools/test.py'), detector, 'det/epoch_2.pth', '--work-dir', 'test',
         '--metrics-out', 'metrics.json', *options], tmp_path)
    metrics = json.loads((tmp_path / 'metrics.json').read_text())['metrics']
    assert metrics['coco/bbox_mAP'] == pytest.approx(val_map, abs=1e-3)
