import random

import pytest
import torch

from mmsgnas.evaluation.harness.methods import SubnetFilesMethod, training_seconds
from mmsgnas.space import NasBench201Space, save_subnet


def write_log(folder, name, lines):
    run = folder / name
    run.mkdir(parents=True)
    (run / f'{name}.log').write_text(''.join(f'{stamp} - mmengine - INFO - {text}\n'
                                             for stamp, text in lines))


def test_training_seconds_adds_up_training_logs_and_skips_search_logs(tmp_path):
    write_log(tmp_path, '20261205_010000', [('2026/12/05 01:00:00', 'Config:'),
                                            ('2026/12/05 01:01:40', 'Epoch(train) [1][10/34]'),
                                            ('2026/12/05 01:02:00', 'Saving checkpoint')])
    write_log(tmp_path, '20261205_020000', [('2026/12/05 02:00:00', 'Config:'),
                                            ('2026/12/05 02:00:30', 'Iter(train) [10/100]')])
    write_log(tmp_path, '20261205_030000', [('2026/12/05 03:00:00', 'Config:'),
                                            ('2026/12/05 03:05:00', '[darts-pt] step 1/6')])
    assert training_seconds(str(tmp_path)) == 120.0 + 30.0
    assert training_seconds(str(tmp_path / 'nothing')) is None


def test_subnet_files_add_the_training_time_of_a_separate_selection(tmp_path):
    space = NasBench201Space(C=8, N=1)
    arch = space.sample(random.Random(0))
    for seed in (0, 1):
        save_subnet(tmp_path / f's{seed}' / 'selected_subnet.yaml', arch,
                    dict(search_seconds=20.5, train_seconds=None), space)
    write_log(tmp_path / 's0', 'run', [('2026/12/05 01:00:00', 'Config:'),
                                       ('2026/12/05 01:07:00', 'Epoch(train) [20][34/34]')])
    method = SubnetFilesMethod(str(tmp_path / 's{seed}' / 'selected_subnet.yaml'), 'darts_pt',
                               train_dir=str(tmp_path / 's{seed}'))
    (choice, ) = method.choose([None], 0, str(tmp_path / 'out'), space=space)
    assert choice.arch == space.canonical(arch) and choice.seconds == 420.0 + 20.5
    assert choice.extra['training_seconds'] == 420.0
    with pytest.raises(FileNotFoundError, match='no training log in .*s1'):
        method.choose([None], 1, str(tmp_path / 'out'), space=space)
    plain = SubnetFilesMethod(str(tmp_path / 's{seed}' / 'selected_subnet.yaml'), 'darts_pt')
    assert plain.choose([None], 1, str(tmp_path / 'out'), space=space)[0].seconds == 20.5


class FakeGenerator:
    """What GeneratorMethod uses of a trained generator: its range, table, space and generate()."""

    def __init__(self, space, constraint_range):
        self.space, self.constraint_range = space, constraint_range
        self.cost_table = space.cost_table(32, 10)
        self.asked = []

    def eval(self):
        return self

    def generate(self, targets, tolerance=0.01, extrapolate=False):
        from mmsgnas.cost.budget import project_to_budget
        self.asked.append(list(targets))
        low, high = self.constraint_range
        assert not extrapolate and all(low <= t <= high for t in targets)
        logits = torch.zeros(self.space.decision_shape)
        return [project_to_budget(logits, self.cost_table, t, tolerance) for t in targets]


def test_generator_skips_budgets_outside_its_range_only_when_asked(tmp_path):
    from mmsgnas.evaluation.harness.methods import GeneratorMethod, Skipped
    space = NasBench201Space(C=8, N=1)
    fake = FakeGenerator(space, (3.0, 6.0))
    method = GeneratorMethod('configs/demo/generator_digits.py', 'unused.pth', train_seconds=1.0,
                             outside_range='skip')
    method._models[0] = fake
    choices = method.choose([2.5, 4.0, 6.5, 5.0], 0, str(tmp_path))
    assert fake.asked == [[4.0, 5.0]]           # one forward pass for the budgets it serves
    assert [type(c).__name__ for c in choices] == ['Skipped', 'Choice', 'Skipped', 'Choice']
    assert choices[0].reason == '2.5 MFLOPs is outside the trained range 3..6'
    from mmsgnas.cost.budget import project_to_budget
    logits = torch.zeros(space.decision_shape)
    for choice, budget in ((choices[1], 4.0), (choices[3], 5.0)):   # the generator's own choice
        assert choice.arch == project_to_budget(logits, fake.cost_table, budget).arch
        assert choice.extra['shared_time'] and choice.seconds >= 1.0
    strict = GeneratorMethod('configs/demo/generator_digits.py', 'unused.pth', train_seconds=1.0)
    strict._models[0] = fake
    with pytest.raises(AssertionError):          # 'error' passes every budget to the generator
        strict.choose([2.5, 4.0], 0, str(tmp_path))
    with pytest.raises(ValueError, match="outside_range must be 'error' or 'skip'"):
        GeneratorMethod('configs/demo/generator_digits.py', 'unused.pth', outside_range='clip')
    assert isinstance(choices[2], Skipped)


def test_landed_budgets_enter_each_choice_at_its_own_cost_and_every_search_at_all(tmp_path):
    from mmsgnas.evaluation.harness.comparison import SearchComparison
    space = NasBench201Space()
    picked = {0: '|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|'
                 'nor_conv_1x1~1|avg_pool_3x3~2|',
              1: '|nor_conv_1x1~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|'
                 'avg_pool_3x3~1|nor_conv_3x3~2|'}
    for seed, text in picked.items():
        save_subnet(tmp_path / f'picked_s{seed}.yaml', space.from_text(text),
                    dict(search_seconds=5.0 + seed), space)
    comparison = SearchComparison(
        space=dict(type='mmsgnas.NasBench201Space'),
        methods=[dict(type='SubnetFilesMethod', name='picked',
                      pattern=str(tmp_path / 'picked_s{seed}.yaml')),
                 dict(type='SearchLoopMethod', name='random',
                      config='configs/nasbench201/random_search_query.py',
                      overrides=dict(num_samples=20, save_interval=10, log_interval=10))],
        judges=[dict(type='BenchmarkJudge', dataset='cifar10', split='test')],
        budgets=dict(landed=['picked']), seeds=[0, 1], tolerance=0.01,
        cloud=dict(num=5, window=0.2, seed=1), out_dir=str(tmp_path / 'cmp'))
    table = space.cost_table(32, 10)
    costs = [table.arch_cost(space.from_text(picked[s])) for s in (0, 1)]
    assert comparison.budgets == costs and costs[0] != costs[1]
    result = comparison.run()
    rows, judge = result['rows'], 'cifar10-test'
    for seed, row in enumerate(rows):
        assert row['landed'] == dict(method='picked', seed=seed,
                                     file=str(tmp_path / f'picked_s{seed}.yaml'))
        (own, ) = row['methods']['picked']       # only at the cost its own choice landed on
        assert own['seed'] == seed and own['arch'] == space.to_text(space.canonical(picked[seed]))
        assert [e['seed'] for e in row['methods']['random']] == [0, 1]
        assert all(e['flops'] <= row['budget'] * 1.01 for e in row['methods']['random'])
    assert result['time']['picked']['values'] == [5.0, 6.0]
    landed = result['landed']['picked']
    assert landed['budgets'] == costs and landed['seeds'] == [0, 1]
    own = [row['methods']['picked'][0][judge] for row in rows]
    searched = [sum(e[judge] for e in row['methods']['random']) / 2 for row in rows]
    cells = landed['judges'][judge]
    assert cells['random']['values'] == pytest.approx(searched)
    assert cells['random']['difference']['values'] == pytest.approx(
        [s - o for s, o in zip(searched, own)])
    assert cells['picked']['difference']['values'] == [0.0, 0.0]
    assert cells['random cloud']['values'] == pytest.approx(
        [row['cloud']['summary'][judge]['mean'] for row in rows])
    text = (tmp_path / 'cmp' / 'compare.md').read_text()
    assert '## At the costs picked landed on: cifar10-test' in text
    assert f'| {costs[1]:.3f} (picked seed 1) |' in text
    with pytest.raises(ValueError, match="'random' is not a SubnetFilesMethod"):
        SearchComparison(space=dict(type='mmsgnas.NasBench201Space'),
                         methods=[dict(type='SearchLoopMethod', name='random',
                                       config='configs/nasbench201/random_search_query.py')],
                         judges=[dict(type='BenchmarkJudge')], budgets=dict(landed=['random']),
                         out_dir=str(tmp_path / 'bad'))


def test_a_cloud_drawn_from_a_search_seeds_stream_is_refused(tmp_path):
    from mmsgnas.evaluation.harness.comparison import SearchComparison

    def comparison(cloud_seed, seeds):
        return SearchComparison(
            space=dict(type='mmsgnas.NasBench201Space'),
            methods=[dict(type='SearchLoopMethod', name='random',
                          config='configs/nasbench201/random_search_query.py')],
            judges=[dict(type='BenchmarkJudge')], budgets=dict(values=[20.0, 40.0]),
            seeds=seeds, cloud=dict(num=3, seed=cloud_seed), out_dir=str(tmp_path))

    # budget 1's cloud stream is random.Random(1), random search seed 1's
    with pytest.raises(ValueError, match=r'budget 1 is drawn from random.Random\(1\), the stream '
                                         r'of search seed 1; .*cloud.seed=1'):
        comparison(0, [1, 2])
    assert comparison(1, [0, 1, 2]).cloud_stream(1) == 1001
    assert comparison(0, [2, 3]).cloud_stream(0) == 0   # no budget index among the seeds
