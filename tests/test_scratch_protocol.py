"""The from-scratch protocol on a comparison's output: which networks train, RI and rank math."""
import json
import random

import pytest
from scipy import stats

from mmsgnas.evaluation.harness import scratch
from mmsgnas.evaluation.harness.scratch import (ScratchSettings, run_scratch_protocol,
                                                short_recipe_options)
from mmsgnas.space import NasBench201Space, UnifiedSpace
from mmsgnas.space.subnet_file import load_subnet, space_from_settings


def _comparison(tmp_path, space):
    rng = random.Random(0)
    archs = []
    while len(archs) < 6:   # 6 distinct architectures: 4 random, 2 chosen
        text = space.to_text(space.sample(rng))
        if text not in archs:
            archs.append(text)
    one_shot = dict(zip(archs, [60.0, 62.0, 61.0, 63.0, 64.0, 59.0]))

    def entry(text, **extra):
        return dict(arch=text, flops=7.0 + archs.index(text) / 10, test=one_shot[text], **extra)

    row = dict(budget=7.0, cloud=dict(archs=[entry(a) for a in archs[:4]]), methods=dict(
        gen=[entry(archs[4], seed=0), entry(archs[5], seed=1)],
        # seed 1 of 'evo' chose the architecture 'gen' chose at seed 0: trained once
        evo=[entry(archs[1], seed=0), entry(archs[4], seed=1)]))
    result = dict(space=space.settings(), judge_images=dict(test=10000), rows=[row])
    path = tmp_path / 'compare.json'
    path.write_text(json.dumps(result))
    return str(path), archs


def _fake_training(monkeypatch, space, scores):
    calls = []

    def fake(config, work_dir, options):
        arch, _ = load_subnet(options['model.backbone.subnet'], space)
        text = space.to_text(arch)
        calls.append((text, options['randomness.seed'], work_dir))
        value = scores[text] + options['randomness.seed']   # seed 1 scores 1 point higher
        return dict(status='done', metrics={'accuracy/top1': value}, seconds=1.0, log='x.log')

    monkeypatch.setattr(scratch, 'train_and_test', fake)
    return calls


def test_ri_ranks_and_tau_are_exact_and_shared_networks_train_once(tmp_path, monkeypatch):
    space = UnifiedSpace()
    path, archs = _comparison(tmp_path, space)
    from_scratch = dict(zip(archs, [70.0, 72.0, 74.0, 76.0, 75.0, 71.0]))
    calls = _fake_training(monkeypatch, space, from_scratch)
    settings = ScratchSettings(comparison=path, config='configs/fmnist/retrain_fmnist.py',
                               budget=0, out_dir=str(tmp_path / 'out'), num_random=4, epochs=3,
                               images=500, noise_seeds=[1])
    summary = run_scratch_protocol(settings)

    assert [(c[0], c[1]) for c in calls] == [(archs[0], 0), (archs[0], 1)] + [
        (a, 0) for a in archs[1:]]
    assert summary['random']['summary']['mean'] == pytest.approx(73.0)
    gen = summary['methods']['gen']
    assert [s['ri'] for s in gen['seeds']] == pytest.approx([100 * 2 / 73, 100 * -2 / 73])
    assert [s['rank'] for s in gen['seeds']] == [2, 4]   # 75 beaten by 76; 71 by 72, 74, 76
    assert gen['ri']['mean'] == pytest.approx(0.0)
    assert [s['scratch'] for s in summary['methods']['evo']['seeds']] == [72.0, 75.0]
    one_shot = [60.0, 62.0, 61.0, 63.0, 64.0, 59.0]
    assert summary['one_shot_vs_scratch']['n'] == 6
    assert summary['one_shot_vs_scratch']['kendall'] == pytest.approx(
        stats.kendalltau(one_shot, list(from_scratch.values())).statistic)
    assert summary['recipe_noise'] == dict(values=[70.0, 71.0], range=1.0)
    written = json.loads((tmp_path / 'out' / 'scratch.json').read_text())
    assert written['settings']['options'] == short_recipe_options(3, 500)
    assert '| gen | 75.00, 71.00 |' in (tmp_path / 'out' / 'scratch.md').read_text()


def test_bad_requests_are_refused_before_any_training(tmp_path, monkeypatch):
    space = UnifiedSpace()
    path, _ = _comparison(tmp_path, space)
    calls = _fake_training(monkeypatch, space, {})
    base = dict(comparison=path, config='c.py', out_dir=str(tmp_path / 'o'), num_random=4)
    for extra, message in [(dict(budget=1), 'budget index 1 out of range'),
                           (dict(budget=0, num_random=5), 'has 4 architectures, 5 asked'),
                           (dict(budget=0, methods=['rea']), "no method ['rea']"),
                           (dict(budget=0, judge='val'), "no judge 'val'")]:
        with pytest.raises(ValueError, match=message.replace('[', r'\[').replace(']', r'\]')):
            run_scratch_protocol(ScratchSettings(**{**base, **extra}))
    with pytest.raises(FileNotFoundError, match='no such comparison result'):
        run_scratch_protocol(ScratchSettings(**{**base, 'comparison': str(tmp_path / 'no.json'),
                                                'budget': 0}))
    assert calls == [] and not (tmp_path / 'o').exists()


def test_a_failed_training_stops_with_its_log(tmp_path, monkeypatch):
    space = UnifiedSpace()
    path, _ = _comparison(tmp_path, space)
    monkeypatch.setattr(scratch, 'train_and_test', lambda *a: dict(
        status='failed', log='w/tools.log', error='loss is nan'))
    with pytest.raises(RuntimeError, match='random architecture 0 failed; see w/tools.log'):
        run_scratch_protocol(ScratchSettings(comparison=path, config='c.py', budget=0,
                                             out_dir=str(tmp_path / 'o'), num_random=4))
    assert not (tmp_path / 'o' / 'scratch.json').exists()


def test_short_recipe_options():
    assert short_recipe_options(3) == {
        'train_cfg.max_epochs': 3, 'train_cfg.val_interval': 3, 'param_scheduler.1.T_max': 2,
        'param_scheduler.1.end': 3, 'default_hooks.checkpoint.interval': 3}
    assert short_recipe_options(2, 5000)['train_dataloader.dataset.indices'] == 5000
    with pytest.raises(ValueError, match='at least 2'):
        short_recipe_options(1)


def test_space_from_settings_round_trips():
    unified = UnifiedSpace(kernel_order='sorted')
    again = space_from_settings(json.loads(json.dumps(unified.settings())))
    assert again.settings() == unified.settings()
    cell = NasBench201Space(C=8, N=1)
    assert space_from_settings(cell.settings()).settings() == cell.settings()
