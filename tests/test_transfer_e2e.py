"""A searched subnet stands alone: retrained on digits, then RetinaNet on digits-COCO through
tools/train.py (with --resume mid-run) and tools/test.py (reproducing the validation mAP)."""
import json
import os
import re

import pytest
from test_train_e2e import ROOT, dist_train, run

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


@pytest.mark.slow
def test_compare_transfer_runs_both_backbones_over_seeds_resumes_and_tables(tmp_path):
    run([os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'), '--out', 'data/digits'],
        tmp_path)
    run([os.path.join(ROOT, 'tools/data/make_digits_coco.py'), '--out', 'data/digits_coco',
         '--num-train', '32', '--num-val', '16'], tmp_path)
    command = [os.path.join(ROOT, 'tools/analysis/compare_transfer.py'), '--subnet', SUBNET,
               '--seeds', '0', '1', '--out-dir', 'cmp',
               '--backbone', 'sgnas', os.path.join(ROOT, 'configs/demo/retrain_digits.py'),
               os.path.join(ROOT, 'configs/demo/retinanet_digits.py'),
               '--backbone', 'mobilenetv2',
               os.path.join(ROOT, 'configs/demo/retrain_mobilenetv2_digits.py'),
               os.path.join(ROOT, 'configs/demo/retinanet_mobilenetv2_digits.py'),
               '--retrain-options', 'train_cfg.max_epochs=1', 'train_dataloader.dataset.indices=128',
               '--detector-options', 'train_cfg.max_epochs=1', 'model.test_cfg.score_thr=0.0']
    log = run(command, tmp_path)
    result = json.loads((tmp_path / 'cmp' / 'compare_transfer.json').read_text())
    assert [row['name'] for row in result['rows']] == ['sgnas', 'mobilenetv2']
    for row in result['rows']:
        assert row['finished'] == 2
        assert [run_['seed'] for run_ in row['runs']] == [0, 1]
        for run_ in row['runs']:   # each detector started from its own seed's classifier
            options = run_['retinanet']['cfg_options']
            assert options['randomness.seed'] == run_['seed']
            assert options['model.backbone.init_cfg.checkpoint'] == run_['retrain']['checkpoint']
            assert f'seed{run_["seed"]}' in run_['retrain']['checkpoint']
            metrics = json.loads((tmp_path / run_['retinanet']['work_dir'] /
                                  'test_metrics.json').read_text())['metrics']
            assert metrics == run_['retinanet']['metrics']
        maps = row['bbox_mAP']['values']
        assert len(maps) == 2 and row['bbox_mAP']['mean'] == pytest.approx(sum(maps) / 2)
        assert 0 <= row['top1']['mean'] <= 100
        assert row['backbone_cost']['shape'] == [128, 128] and row['backbone_cost']['mflops'] > 0
    ratio = result['rows'][1]['backbone_cost']['mflops'] / result['rows'][0]['backbone_cost']['mflops']
    assert abs(ratio - 1) <= 0.1
    table = (tmp_path / 'cmp' / 'compare_transfer.md').read_text()
    assert '| sgnas (SearchedMobileNet) |' in table and '| mobilenetv2 (MobileNetV2) |' in table
    assert 'failed' not in table and 'failed' not in log

    # a rerun finds every run done and rewrites the same numbers
    log = run(command, tmp_path)
    assert log.count('(done before)') == 8
    again = json.loads((tmp_path / 'cmp' / 'compare_transfer.json').read_text())
    assert [r['bbox_mAP'] for r in again['rows']] == [r['bbox_mAP'] for r in result['rows']]


@pytest.mark.slow
def test_detector_trains_under_ddp_on_two_cpu_processes(tmp_path):
    """The searched backbone owns a parameter the detector never uses (its classifier head conv);
    the RetinaNet config tells DDP so, or its second iteration fails waiting for its gradient.
    (MobileNetV2's configs inherit the same wrapper settings: tests/test_transfer_recipes.py.)"""
    run([os.path.join(ROOT, 'tools/data/make_digits_coco.py'), '--out', 'data/digits_coco',
         '--num-train', '96', '--num-val', '16'], tmp_path)
    log = dist_train(os.path.join(ROOT, 'configs/demo/retinanet_digits.py'),
                     ['--work-dir', 'det', '--cfg-options', f'model.backbone.subnet={SUBNET}',
                      'model.backbone.init_cfg=None', 'train_cfg.max_epochs=1',
                      'train_dataloader.batch_size=16', 'default_hooks.logger.interval=1'],
                     tmp_path, port=29518)
    assert 'Distributed training: True' in log and 'GPU number: 2' in log
    # 96 canvases / (2 processes x 16) = 3 iterations, each past the first one that DDP allows
    assert '[1][3/3]' in log.replace('  ', ' '), log[-3000:]
    assert (tmp_path / 'det' / 'epoch_1.pth').is_file()
