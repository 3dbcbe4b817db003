"""The figures of the kernel-order study (mmsgnas.evaluation.kernel_order_study)."""
import random

import pytest

from mmsgnas.evaluation.kernel_order_study import (markdown_report, oneshot_fidelity,
                                                   raw_budget_error,
                                                   reference_architectures, residual_percentile,
                                                   run_summary, summarise_study)
from mmsgnas.space import UnifiedSpace
from mmsgnas.space.spec import macro_from_cfg

TINY = macro_from_cfg(widen_factor=0.25, stem_stride=1, head_channels=64,
                      layer_channels=[[16, 1], [24, 2], [24, 1]])


def test_residual_percentile_on_an_exact_line():
    flops = [1.0, 2.0, 3.0, 4.0]
    scores = [10.0, 20.0, 30.0, 40.0]   # residuals all 0
    assert residual_percentile(flops, scores, 2.5, 26.0) == 100.0
    assert residual_percentile(flops, scores, 2.5, 24.0) == 0.0
    assert residual_percentile(flops, scores, 2.5, 25.0) == 50.0   # ties count half


def test_residual_percentile_compares_at_equal_flops():
    # Residuals +1, -1, -1, +1 around y = 10 x (orthogonal to x, so the fit is exactly y = 10 x).
    # A network at 5 MFLOPs scoring 50.5 (+0.5) is above the two negative residuals only.
    flops = [1.0, 2.0, 3.0, 4.0]
    scores = [11.0, 19.0, 29.0, 41.0]
    assert residual_percentile(flops, scores, 5.0, 50.5) == pytest.approx(50.0)
    assert residual_percentile(flops, scores, 5.0, 52.0) == 100.0


def test_raw_budget_error_exact():
    out = raw_budget_error([5.0, 6.0, 8.0], [5.5, 6.0, 7.2])
    assert out['mean_error'] == pytest.approx((10.0 + 0.0 + 10.0) / 3)
    assert out['max_error'] == pytest.approx(10.0)
    assert out['kendall_tau'] == pytest.approx(1.0)
    assert raw_budget_error([5.0, 6.0, 8.0], [7.0, 6.0, 5.0])['kendall_tau'] == pytest.approx(-1.0)


def test_reference_architectures_are_fixed_by_the_seed_and_valid():
    space = UnifiedSpace(TINY)
    first, again = reference_architectures(space, 5, 0), reference_architectures(space, 5, 0)
    assert first == again
    assert first != reference_architectures(space, 5, 1)
    for arch in first:
        assert space.canonical(arch.to_lists()) == arch
    # The sorted space reads the same networks as their sorted forms: the same identity.
    sorted_space = UnifiedSpace(TINY, kernel_order='sorted')
    for arch in first:
        other = sorted_space.from_text(space.to_text(arch))
        assert all(list(b) == sorted(a) for a, b in zip(arch, other))
        assert sorted_space.identity(other) == space.identity(arch)


def _run(shift: float, seed: int):
    rng = random.Random(seed)
    flops = [5.0 + 0.1 * i for i in range(10)]
    scores = [60.0 + 2 * f + shift + rng.uniform(-0.5, 0.5) for f in flops]
    generated = [dict(target=6.0, flops=6.0, score=60.0 + 12.0 + shift + 1.0)]
    return flops, scores, run_summary(flops, scores, generated, [5.0, 6.0], [5.0, 6.6])


def test_summary_over_seeds_and_between_orders():
    runs, scores = {'positional': {}, 'sorted': {}}, {'positional': {}, 'sorted': {}}
    for seed in (0, 1):
        _, pos_scores, runs['positional'][seed] = _run(2.0, seed)
        _, sort_scores, runs['sorted'][seed] = _run(0.0, seed)
        scores['positional'][seed], scores['sorted'][seed] = pos_scores, sort_scores
    summary = summarise_study(runs, scores)
    pos, srt = summary['per_order']['positional'], summary['per_order']['sorted']
    assert pos['random_mean']['mean'] - srt['random_mean']['mean'] == pytest.approx(2.0)
    assert pos['random_mean']['n'] == 2
    # +1 point above the line is above every random residual (|noise| <= 0.5).
    assert pos['generated_rank']['values'] == [100.0, 100.0]
    assert pos['raw_mean_error']['mean'] == pytest.approx(5.0)
    # Same noise per seed, only shifted: the two orders rank the networks identically.
    assert summary['tau_between_orders'] == {0: pytest.approx(1.0), 1: pytest.approx(1.0)}
    text = markdown_report(summary, [0, 1], 10, 10000)
    assert '| figure | positional | sorted |' in text
    assert 'seed 0: 1.000' in text


def test_runs_without_a_generator_give_only_the_supernet_figures():
    runs = {'positional': {}, 'sorted': {}}
    for seed in (0, 1, 2):
        _, _, runs['positional'][seed] = _run(2.0, seed)
        _, _, runs['sorted'][seed] = _run(0.0, seed)
    flops, scores, _ = _run(2.0, 2)
    runs['positional'][2] = run_summary(flops, scores)   # seed 2: supernet only
    summary = summarise_study(runs, {})
    pos = summary['per_order']['positional']
    assert pos['random_mean']['n'] == 3
    assert pos['generated_rank']['n'] == 2 and pos['raw_mean_error']['n'] == 2
    assert summary['per_order']['sorted']['generated_rank']['n'] == 3
    assert summary['tau_between_orders'] == {}


def test_oneshot_fidelity_exact_ranks():
    # The one-shot scores rank the first four networks 1 swap away from their from-scratch order;
    # the fifth one-shot score has no from-scratch partner and is left out.
    out = oneshot_fidelity([70.0, 71.0, 73.0, 72.0, 10.0], [90.0, 91.0, 92.0, 93.0])
    assert out['n'] == 4
    assert out['kendall_tau'] == pytest.approx((5 - 1) / 6)   # 5 concordant, 1 discordant pair
    assert out['spearman'] == pytest.approx(1 - 6 * 2 / (4 * 15))
    with pytest.raises(ValueError, match='>= 3'):
        oneshot_fidelity([1.0, 2.0], [1.0, 2.0])


def test_scratch_tau_is_a_figure_of_every_run():
    flops = [5.0, 6.0, 7.0, 8.0]
    runs = {'positional': {0: run_summary(flops, [60.0, 61.0, 62.0, 63.0],
                                          scratch_scores=[80.0, 81.0, 82.0])}}
    summary = summarise_study(runs, {'positional': {0: [60.0, 61.0, 62.0, 63.0]}})
    assert summary['per_order']['positional']['scratch_tau']['values'] == [pytest.approx(1.0)]
    # Without a from-scratch set the figure is left out, not zero.
    plain = summarise_study({'positional': {0: run_summary(flops, [60.0, 61.0, 62.0, 63.0])}}, {})
    assert plain['per_order']['positional']['scratch_tau']['n'] == 0
    text = markdown_report(summary, [0], 4, 10000,
                           dict(scores=[80.0, 82.0, 81.0], flops=[5.0, 6.0, 7.0], epochs=3,
                                config='retrain.py', images=20000, seeds=[0, 1],
                                seed_scores=[80.0, 81.0]))
    assert 'on the first 20000 training images, seed 0' in text
    assert 'under seeds 0, 1: 80.00, 81.00 (std 0.71)' in text
    assert 'one-shot vs from-scratch top-1 of the same networks: Kendall tau | 1.00' in text
    assert 'MFLOPs alone vs from-scratch top-1: Kendall tau 0.333' in text


def test_study_settings_refuse_what_cannot_run():
    from mmsgnas.evaluation.kernel_order_runs import StudySettings
    StudySettings(scratch=3, num_random=40)
    with pytest.raises(ValueError, match='at least 2'):
        StudySettings(supernet_epochs=1)
    with pytest.raises(ValueError, match='within 3..num_random'):
        StudySettings(scratch=2)
    with pytest.raises(ValueError, match='unknown kernel orders'):
        StudySettings(orders=['positional', 'reversed'])


def test_runs_train_the_configs_with_the_order_seed_and_schedule(monkeypatch, tmp_path):
    from mmsgnas.evaluation import kernel_order_runs as runs
    calls = []

    def fake_train_until(config, work_dir, last, options, log):
        calls.append((config, work_dir, last, options))
        return f'{work_dir}/{last}'

    monkeypatch.setattr(runs, 'train_until', fake_train_until)
    settings = runs.StudySettings(supernet_epochs=4, generator_images=800, out_dir=str(tmp_path))
    paths = runs.train_run(settings, 'sorted', 2)
    supernet_dir = f'{tmp_path}/sorted_s2/supernet'
    assert paths == dict(dir=f'{tmp_path}/sorted_s2', supernet=f'{supernet_dir}/epoch_4.pth',
                         generator=f'{tmp_path}/sorted_s2/generator/epoch_10.pth')
    assert calls[0] == (runs.SUPERNET_CONFIG, supernet_dir, 'epoch_4.pth', {
        'randomness.seed': 2, 'model.backbone.kernel_order': 'sorted',
        'model.backbone.kernel_weights': 'separate',   # as the study was measured
        'train_cfg.max_epochs': 4, 'param_scheduler.1.T_max': 3, 'param_scheduler.1.end': 4})
    assert calls[1][3] == {'randomness.seed': 2, 'model.supernet.backbone.kernel_order': 'sorted',
                           'model.supernet.backbone.kernel_weights': 'separate',
                           'model.supernet_checkpoint': f'{supernet_dir}/epoch_4.pth',
                           'train_dataloader.dataset.indices': 800}
    assert runs.train_run(settings, 'positional', 0, with_generator=False)['generator'] is None
    name, options = runs.scratch_recipe(runs.StudySettings(scratch_epochs=2, scratch_images=5000))
    assert name == 'epochs_2_images_5000'
    assert options == {'train_cfg.max_epochs': 2, 'train_cfg.val_interval': 2,
                       'param_scheduler.1.T_max': 1, 'param_scheduler.1.end': 2,
                       'default_hooks.checkpoint.interval': 2,
                       'train_dataloader.dataset.indices': 5000}
