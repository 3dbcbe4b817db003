"""The figures, summary and options of the generator-recipe study (issue 13)."""
import os
import subprocess
import sys

import pytest

from mmsgnas.evaluation import generator_recipe_runs
from mmsgnas.evaluation.generator_recipe_runs import RecipeStudySettings, parse_recipe
from mmsgnas.evaluation.generator_recipe_study import (CANDIDATES, adjacent_repeats,
                                                       markdown_report, run_figures,
                                                       scored_indices, summarise)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A random cloud on the exact line score = 50 + 5 * MFLOPs (every residual 0).
CLOUD_COSTS = [6.0, 7.0, 8.0, 9.0, 10.0]
CLOUD_SCORES = [80.0, 85.0, 90.0, 95.0, 100.0]


def test_adjacent_repeats_count_only_targets_more_than_one_percent_apart():
    targets = [6.5, 6.6, 6.602, 7.0, 8.0]
    # 6.5 -> 6.6 is 1.5 % apart (counted), 6.6 -> 6.602 0.03 % (allowed), 7 -> 8 differ in arch
    assert adjacent_repeats(targets, ['a', 'a', 'a', 'b', 'c']) == 1
    assert adjacent_repeats(targets, ['a', 'b', 'c', 'd', 'e']) == 0
    assert adjacent_repeats(targets, ['a'] * 5) == 3


def test_run_figures_are_exact():
    targets = [7.0, 8.0, 9.0]
    figures = run_figures(targets, raw_costs=[7.7, 8.0, 8.1], raw_archs=['a', 'b', 'c'],
                          costs=[7.0, 8.0, 9.0], steps=[3, 0, 2],
                          random_costs=CLOUD_COSTS, random_scores=CLOUD_SCORES,
                          scored=[dict(flops=7.7, score=88.5 + 1.0),    # above the line
                                  dict(flops=8.1, score=90.5 - 1.0)])   # below it
    assert figures['raw_mean_error'] == pytest.approx((10.0 + 0.0 + 10.0) / 3)
    assert figures['raw_max_error'] == pytest.approx(10.0)
    assert figures['raw_kendall_tau'] == pytest.approx(1.0)
    assert figures['projected_mean_error'] == 0.0 and figures['projection_steps'] == 5.0
    assert figures['generated_rank'] == pytest.approx(50.0)   # 100 and 0
    assert figures['generated_score'] == pytest.approx(89.5)
    assert figures['raw_distinct'] == 3.0 and figures['adjacent_repeats'] == 0.0
    assert figures['meets_targets'] == 0.0                    # max error 10 % > 5 %
    met = run_figures(targets, [7.07, 8.0, 8.91], ['a', 'b', 'c'], targets, [0, 0, 0],
                      CLOUD_COSTS, CLOUD_SCORES, [])
    assert met['meets_targets'] == 1.0
    repeated = run_figures(targets, [7.07, 8.0, 8.91], ['a', 'a', 'c'], targets, [0, 0, 0],
                           CLOUD_COSTS, CLOUD_SCORES, [])
    assert repeated['meets_targets'] == 0.0


def test_one_architecture_for_every_target_counts_as_no_order():
    figures = run_figures([7.0, 8.0, 10.0], [8.0, 8.0, 8.0], ['a', 'a', 'a'], [7.0, 8.0, 10.0],
                          [1, 0, 1], CLOUD_COSTS, CLOUD_SCORES, [])
    assert figures['raw_kendall_tau'] == 0.0 and figures['raw_pearson'] == 0.0
    assert figures['raw_mean_error'] == pytest.approx((100 / 7 + 0 + 20) / 3)
    assert figures['adjacent_repeats'] == 2.0 and figures['raw_distinct'] == 1.0


def _figures(mean_error: float) -> dict:
    targets = [7.0, 8.0, 9.0]
    raw = [t * (1 + mean_error / 100) for t in targets]
    return run_figures(targets, raw, ['a', 'b', 'c'], targets, [0, 0, 0], CLOUD_COSTS,
                       CLOUD_SCORES, [])


def test_summary_and_report_mark_only_differences_beyond_the_spread():
    runs = {'paper': {0: _figures(4.0), 1: _figures(6.0), 2: _figures(5.0)},
            'close': {0: _figures(4.5), 1: _figures(5.5), 2: _figures(6.0)},
            'better': {0: _figures(1.0), 1: _figures(1.5), 2: _figures(0.5)}}
    summary = summarise(runs)
    assert summary['paper']['raw_mean_error']['mean'] == pytest.approx(5.0)
    assert summary['paper']['raw_mean_error']['std'] == pytest.approx(1.0)
    assert summary['better']['seeds_meeting_targets'] == 3
    assert summary['paper']['seeds_meeting_targets'] == 0
    text = markdown_report(summary, {'paper': {}, 'close': {'model.x': 1},
                                     'better': {'model.y': 2}}, 3, 5, 'test')
    rows = {line.split(' | ')[0].lstrip('| '): line for line in text.splitlines()
            if line.startswith('| ') and not line.startswith('| recipe')}
    assert '1.00 ± 0.50*' in rows['better'] and '3 of 3' in rows['better']
    assert '5.33 ± 0.76 [' in rows['close'] and '*' not in rows['close'].split(' | ')[2]
    assert '`model.y=2`' in text and 'paper: as configured' in text


def test_scored_indices_spread_evenly():
    assert scored_indices(19, 5) == [0, 4, 9, 14, 18]
    assert scored_indices(19, 1) == [9]
    with pytest.raises(ValueError, match='num_scored'):
        scored_indices(19, 20)


def test_recipes_parse_like_cfg_options_and_bad_settings_are_refused():
    assert parse_recipe(['mine', 'model.num_priors=3', 'model.gumbel_hard=True',
                         'custom_hooks.1.minimum=0.1']) == (
        'mine', {'model.num_priors': 3, 'model.gumbel_hard': True,
                 'custom_hooks.1.minimum': 0.1})
    with pytest.raises(ValueError, match='KEY=VALUE'):
        parse_recipe(['mine', 'model.num_priors'])
    with pytest.raises(ValueError, match='plain folder names'):
        RecipeStudySettings(recipes={'../x': {}})
    with pytest.raises(ValueError, match='no recipe'):
        RecipeStudySettings(recipes={})


def test_every_candidate_builds_a_generator_trainer():
    """Each built-in recipe's options apply to the digits generator config and build."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope
    for name, options in CANDIDATES.items():
        cfg = Config.fromfile(os.path.join(ROOT, 'configs/demo/generator_digits.py'))
        cfg.merge_from_dict(dict(options))
        cfg.model.supernet_checkpoint = None
        with DefaultScope.overwrite_default_scope(cfg.default_scope):
            model = MODELS.build(cfg.model)
        for key, value in options.items():
            if key.startswith('model.'):
                assert getattr(model, key.split('.', 1)[1], None) == value or (
                    key == 'model.num_priors' and model.priors.shape[0] == value), name
            elif key.startswith('train_cfg.'):
                assert cfg.train_cfg[key.split('.', 1)[1]] == value, name
            elif key == 'param_scheduler':
                assert cfg.param_scheduler == value, name
            else:
                hook = cfg.custom_hooks[int(key.split('.')[1])]
                assert hook['type'] == 'mmsgnas.GumbelTemperatureHook', name
                assert hook[key.split('.')[2]] == value, name


def test_built_in_recipes_keep_the_schedule_they_were_measured_with():
    """A change of the generator config (its epochs, its scheduler) must not change what a
    built-in recipe trains: each spells out its epochs, validation interval and rate schedule."""
    from mmengine.config import Config
    for name, options in CANDIDATES.items():
        cfg = Config.fromfile(os.path.join(ROOT, 'configs/demo/generator_digits.py'))
        cfg.merge_from_dict(dict(options))
        epochs = 60 if '60_epochs' in name else 30
        assert cfg.train_cfg.max_epochs == epochs, name
        assert cfg.train_cfg.val_interval == (20 if 'cosine' in name else 10), name
        assert cfg.param_scheduler == ([dict(type='CosineAnnealingLR', eta_min=1e-5,
                                             by_epoch=True, begin=0, convert_to_iter_based=True)]
                                       if 'cosine' in name else []), name


def test_a_run_trains_its_recipes_config_file(tmp_path, monkeypatch):
    """The recipe's changes (a list of scheduler dicts too, which ``--cfg-options`` cannot
    carry) go into the recipe's config file; the run gets only its seed and supernet."""
    from mmengine.config import Config
    calls = []
    monkeypatch.setattr(generator_recipe_runs, 'train_until',
                        lambda *args: calls.append(args) or 'checkpoint')
    recipe = 'argmax_absolute_cost_batch_64_decay_90_cosine_60_epochs'
    settings = RecipeStudySettings(
        recipes={recipe: CANDIDATES[recipe]}, out_dir=str(tmp_path),
        generator_config=os.path.join(ROOT, 'configs/demo/generator_digits.py'))
    assert generator_recipe_runs.train_generator(settings, recipe, 2, 'super.pth') == 'checkpoint'
    config_path, work_dir, last, options, log = calls[0]
    assert config_path == os.path.join(str(tmp_path), recipe, 'config.py')
    assert (work_dir, last, log) == (os.path.join(str(tmp_path), recipe, 'seed_2'), 'epoch_60.pth',
                                     os.path.join(str(tmp_path), recipe, 'seed_2.log'))
    assert options == {'randomness.seed': 2, 'model.supernet_checkpoint': 'super.pth'}
    written = Config.fromfile(config_path)
    expected = Config.fromfile(settings.generator_config)
    expected.merge_from_dict(dict(CANDIDATES[recipe]))
    assert written.to_dict() == expected.to_dict()
    assert written.param_scheduler[0]['type'] == 'CosineAnnealingLR'
    assert written.model.constraint_samples == 64 and written.custom_hooks[1]['decay'] == 0.9


def test_tool_lists_recipes_and_refuses_unknown_ones():
    tool = os.path.join(ROOT, 'tools/analysis/compare_generator_recipes.py')
    listed = subprocess.run([sys.executable, tool, '--list'], capture_output=True, text=True,
                            cwd=ROOT)
    assert listed.returncode == 0
    assert [line.split(':')[0] for line in listed.stdout.splitlines()] == list(CANDIDATES)
    bad = subprocess.run([sys.executable, tool, '--recipes', 'nonsense'], capture_output=True,
                         text=True, cwd=ROOT)
    assert bad.returncode != 0 and "unknown recipes ['nonsense']" in bad.stderr
