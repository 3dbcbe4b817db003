"""Detector configs emitted from a generation: one per subnet, inheriting the base config with only
the subnet and the initial checkpoint changed, a script that runs them all, and clear refusals."""
import json
import os
import subprocess

import pytest
from mmengine.config import Config

from mmsgnas.engine.detector_configs import (collect_detector_results, emit_detector_configs,
                                             plot_detector_results)
from mmsgnas.space import save_subnet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIGITS_BASE = os.path.join(ROOT, 'configs/demo/retinanet_digits.py')
COCO_BASE = os.path.join(ROOT, 'configs/retinanet/retinanet_sgnas_fpn_1x_coco.py')
LAYERS = [[3, 5], [7, 3, 5], [5, 5], [3, 3, 7, 7], [3, 5, 7], [5, 3], [7, 7], [3, 3, 3],
          [5, 7], [3, 3], [7, 5, 3], [3, 3], [5, 5, 5], [3, 7], [3, 3], [7, 5], [3, 3, 5],
          [5, 5], [3, 3]]


def make_generation(folder, budgets=(6.5, 8.5, 10.5)):
    os.makedirs(folder)
    for index, budget in enumerate(budgets):
        save_subnet(os.path.join(folder, f'subnet_{index:03d}_{budget:.3f}M.yaml'), LAYERS,
                    dict(constraint=budget, flops=budget + 0.01))
    with open(os.path.join(folder, 'generation.json'), 'w') as f:
        json.dump(dict(generator='x.pth'), f)
    return folder


def test_one_config_per_subnet_changes_only_subnet_and_checkpoint(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    gen = make_generation(str(tmp_path / 'gen'))
    emitted = emit_detector_configs(gen, DIGITS_BASE,
                                    init_checkpoint='work_dirs/retrain_{stem}/epoch_20.pth')
    assert [e.constraint for e in emitted] == [6.5, 8.5, 10.5]
    base = Config.fromfile(DIGITS_BASE).to_dict()
    for item in emitted:
        cfg = Config.fromfile(item.config).to_dict()
        stem = os.path.splitext(os.path.basename(item.subnet))[0]
        assert cfg['model']['backbone']['subnet'] == item.subnet
        assert cfg['model']['backbone']['init_cfg'] == dict(
            type='Pretrained', checkpoint=f'work_dirs/retrain_{stem}/epoch_20.pth',
            prefix='backbone.')
        for key in ('subnet', 'init_cfg'):
            cfg['model']['backbone'].pop(key)
            base['model']['backbone'].pop(key, None)
        for key in ('subnet', 'backbone_checkpoint'):
            cfg.pop(key)
            base.pop(key, None)
        assert cfg == base
        # outside the project folder, work dirs are absolute
        assert item.work_dir == os.path.join(gen, 'retinanet', stem)
    index = json.load(open(os.path.join(gen, 'retinanet_runs.json')))
    assert [r['config'] for r in index['runs']] == [os.path.basename(e.config) for e in emitted]
    script = os.path.join(gen, 'train_retinanet.sh')
    assert os.access(script, os.X_OK)
    subprocess.run(['bash', '-n', script], check=True)
    text = open(script).read()
    assert all(f'run {os.path.basename(e.config)} {e.work_dir}' in text for e in emitted)


def test_without_checkpoint_the_backbone_is_not_initialised_from_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    gen = make_generation(str(tmp_path / 'gen'), budgets=(300.0, ))
    [item] = emit_detector_configs(gen, COCO_BASE)
    cfg = Config.fromfile(item.config)
    assert cfg.model.backbone.init_cfg is None
    assert cfg.model.backbone.se is True    # the COCO base's backbone settings are kept


def test_refusals_write_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    plain = tmp_path / 'plain'
    plain.mkdir()
    with pytest.raises(FileNotFoundError, match='not a generation output'):
        emit_detector_configs(str(plain), DIGITS_BASE)
    gen = make_generation(str(tmp_path / 'gen'))
    before = sorted(os.listdir(gen))
    with pytest.raises(ValueError, match='not mmsgnas.SearchedMobileNet'):
        emit_detector_configs(gen, os.path.join(ROOT, 'configs/demo/retinanet_mobilenetv2_digits.py'))
    with pytest.raises(ValueError, match='only the fields'):
        emit_detector_configs(gen, DIGITS_BASE, init_checkpoint='ckpt_{seed}.pth')
    with open(os.path.join(gen, 'subnet_009_9.000M.yaml'), 'w') as f:
        f.write('layers:\n- [3.9, 5]\n')
    with pytest.raises(ValueError, match='subnet_009_9.000M.yaml'):
        emit_detector_configs(gen, DIGITS_BASE)
    assert sorted(os.listdir(gen)) == before + ['subnet_009_9.000M.yaml']


def test_results_are_collected_from_finished_runs_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gen = make_generation(str(tmp_path / 'gen'))
    emitted = emit_detector_configs(gen, DIGITS_BASE, repo_root=str(tmp_path))
    os.makedirs(emitted[1].work_dir)
    with open(os.path.join(emitted[1].work_dir, 'test_metrics.json'), 'w') as f:
        json.dump(dict(config='c.py', checkpoint='e.pth', cfg_options={},   # tools/test.py's file
                       metrics={'coco/bbox_mAP': 0.25, 'coco/bbox_mAP_50': 0.5}), f)
    rows = collect_detector_results(gen)
    assert rows == [dict(config=os.path.basename(emitted[1].config), constraint=8.5,
                         flops=8.51, value=0.25)]
    plot_detector_results(rows, str(tmp_path / 'plot.png'))
    assert (tmp_path / 'plot.png').stat().st_size > 0
    with pytest.raises(KeyError, match='coco/segm_mAP'):
        collect_detector_results(gen, metric='coco/segm_mAP')
