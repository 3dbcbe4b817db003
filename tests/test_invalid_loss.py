"""A training run made to diverge (a huge learning rate) stops at the first NaN / inf loss with the
error of mmsgnas.CheckInvalidLossHook (mmdet's hook, naming the iteration and the loss
terms), which every training config carries, instead of training
on with NaN losses."""
import math
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUBNET = os.path.join(ROOT, 'configs/subnets/digits_example_8.5M.yaml')
LOSS_VALUE = re.compile(r'\b(loss\w*): (\S+)')
TRAIN_LINE = re.compile(r'Epoch\(train\)\s+\[(\d+)\]\[\s*(\d+)/\d+\]')


def logged_iterations(log: str):
    """[(epoch, iteration in epoch, {loss term: value}), ...] of the train lines of a log."""
    rows = []
    for line in log.splitlines():
        match = TRAIN_LINE.search(line)
        if match:
            losses = {k: float(v) for k, v in LOSS_VALUE.findall(line[match.end():])}
            rows.append((int(match.group(1)), int(match.group(2)), losses))
    return rows


CASES = {
    'detector': ('configs/demo/retinanet_digits.py',
                 [f'model.backbone.subnet={SUBNET}', 'model.backbone.init_cfg=None',
                  'train_dataloader.batch_size=2']),
    'retrain': ('configs/demo/retrain_digits.py', [f'model.backbone.subnet={SUBNET}']),
    'supernet': ('configs/demo/supernet_digits.py', []),
}


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp('diverge')
    for script, extra in (('make_digits_imagenet.py', ['--out', 'data/digits']),
                          ('make_digits_coco.py', ['--out', 'data/digits_coco', '--num-train',
                                                   '32', '--num-val', '8'])):
        subprocess.run([sys.executable, os.path.join(ROOT, 'tools/data', script), *extra],
                       cwd=root, check=True, capture_output=True)
    return root


@pytest.mark.slow
@pytest.mark.parametrize('case', sorted(CASES))
def test_a_diverging_run_stops_at_its_first_invalid_loss(case, data_dir):
    config, options = CASES[case]
    work = data_dir / f'work_{case}'
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools/train.py'), os.path.join(ROOT, config),
         '--work-dir', str(work), '--cfg-options', *options, 'optim_wrapper.optimizer.lr=1e30',
         'train_cfg.max_epochs=2', 'default_hooks.logger.interval=1',
         'log_processor.window_size=1'],
        cwd=data_dir, capture_output=True, text=True)
    log = result.stdout + result.stderr
    assert result.returncode != 0, log[-3000:]
    assert 'InvalidLossError: loss became infinite or NaN at epoch 1, iteration' in log, log[-3000:]

    rows = logged_iterations(log)
    assert rows, log[-3000:]
    *finite, last = rows
    # the run stopped at the first iteration with an invalid loss: every earlier one is finite,
    # the last logged one has a NaN / inf term and nothing was logged or saved after it
    assert all(math.isfinite(v) for _, _, losses in finite for v in losses.values()), rows
    assert not math.isfinite(last[2]['loss']), rows
    epoch, iteration, losses = last
    error = log[log.rindex('InvalidLossError: '):].splitlines()[0]
    assert f'at epoch {epoch}, iteration {iteration}' in error, (error, last)
    # the error names every non-finite term (for the detector loss_cls and / or loss_bbox)
    named = [k for k, v in losses.items() if not math.isfinite(v)]
    assert named and all(f'{k}=' in error for k in named), (error, last)
    if case == 'detector':
        assert any(k != 'loss' for k in named), (error, last)
    assert log.rindex('InvalidLossError') > log.rindex('Epoch(train)')
    assert not list(work.glob('epoch_*.pth'))
