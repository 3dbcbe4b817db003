"""Random search and evolution loops, budgets, BN recalibration in the subnet evaluator."""
import json
import random
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.registry import MODELS, DefaultScope
from mmpretrain.structures import DataSample

from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader

from mmsgnas.cost import BudgetError, check_budget, sample_within_budget
from mmsgnas.engine import EvolutionSearchLoop, RandomSearchLoop, RegularizedEvolutionLoop
from mmsgnas.engine.search_record import STATE_FILE, load_state
from mmsgnas.evaluation import SubnetEvaluator
from mmsgnas.space import UnifiedSpace, load_subnet

MACRO = dict(widen_factor=0.25, stem_stride=1, head_channels=64)
SIZE = 16
SPACE = UnifiedSpace(MACRO)


def sample_arch(rng):
    return SPACE.sample(rng)


def build_supernet(seed=0):
    torch.manual_seed(seed)
    cfg = dict(
        type='mmsgnas.SupernetClassifier',
        backbone=dict(type='mmsgnas.UnifiedSupernet', macro=MACRO),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=4, in_channels=64),
        data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor', mean=[128.] * 3,
                               std=[64.] * 3))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(cfg).eval()


class ItemList(list):
    """A dataset of pipeline outputs (what mmengine datasets return per index)."""


def batches(num, seed, batch_size=16):
    """A dataloader of ``num`` batches: uint8 images whose mean brightness gives the class."""
    gen = torch.Generator().manual_seed(seed)
    items = ItemList()
    for _ in range(num * batch_size):
        label = int(torch.randint(0, 4, (1,), generator=gen))
        image = (torch.rand(3, SIZE, SIZE, generator=gen) * 60 + 60 * label).to(torch.uint8)
        items.append(dict(inputs=image, data_samples=DataSample().set_gt_label(label)))
    return DataLoader(items, batch_size=batch_size, collate_fn=pseudo_collate)


def fake_runner(model, work_dir):
    return SimpleNamespace(model=model, work_dir=str(work_dir),
                           logger=MMLogger.get_instance('test_search_loops'))


def make_loop(cls, runner, **kwargs):
    defaults = dict(flops_budget=2.0, input_size=SIZE, recal_dataloader=batches(2, 99),
                    recal_batches=2, save_interval=3, log_interval=1000)
    return cls(runner, batches(2, 7), **dict(defaults, **kwargs))


@pytest.fixture(scope='module')
def table():
    return SPACE.cost_table(SIZE, 4)


def test_budget_sampling_stays_within_and_impossible_budgets_are_refused(table):
    rng = random.Random(0)
    budget = (table.min_mflops() + table.max_mflops()) / 2
    for _ in range(50):
        assert table.arch_mflops(sample_within_budget(rng, table, budget)) <= budget
        low = budget * 0.97
        assert low <= table.arch_mflops(sample_within_budget(rng, table, budget, low)) <= budget
    with pytest.raises(BudgetError, match='below the smallest architecture'):
        check_budget(table, table.min_mflops() * 0.99)
    with pytest.raises(BudgetError, match='above the largest architecture'):
        check_budget(table, table.max_mflops() * 2, table.max_mflops() * 1.5)
    with pytest.raises(BudgetError, match='in 10 draws'):  # legal but unreachable
        sample_within_budget(rng, table, table.min_mflops() * 1.0001, max_tries=10)


def test_a_loop_refuses_an_impossible_budget_before_evaluating(table, tmp_path):
    runner = fake_runner(build_supernet(), tmp_path)
    with pytest.raises(BudgetError, match=f'{table.min_mflops():.3f} MFLOPs at {SIZE}px'):
        make_loop(RandomSearchLoop, runner, flops_budget=table.min_mflops() / 2)
    assert not (tmp_path / 'search').exists()


def test_recalibration_changes_statistics_and_the_score(tmp_path):
    model = build_supernet()
    arch = sample_arch(random.Random(3))
    data, recal = batches(2, 7), batches(2, 99)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    plain = SubnetEvaluator(model, data)(arch)
    recalibrated = SubnetEvaluator(model, data, recal, recal_batches=2)
    seen = {}

    def spy(module, inputs, output):
        seen['mean'] = module.running_mean.clone()
    handle = model.backbone.stem.bn.register_forward_hook(spy)
    score = recalibrated(arch)
    handle.remove()
    # the stem BN held the statistics of the recalibration batches, not the initial zeros ...
    assert seen['mean'].abs().sum() > 0
    assert before['backbone.stem.bn.running_mean'].abs().sum() == 0
    # ... and every buffer is restored afterwards
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, before[key], msg=key)
    assert 0 <= plain <= 100 and 0 <= score <= 100 and score != plain


def test_random_search_keeps_only_candidates_within_budget(table, tmp_path):
    runner = fake_runner(build_supernet(), tmp_path)
    budget = table.min_mflops() + 0.3 * (table.max_mflops() - table.min_mflops())
    loop = make_loop(RandomSearchLoop, runner, flops_budget=budget, num_samples=8,
                     min_flops=budget * 0.9)
    best = loop.run()
    assert len(loop.candidates) == 8
    assert all(budget * 0.9 <= table.arch_mflops(c.arch) <= budget for c in loop.candidates)
    assert best.accuracy == max(c.accuracy for c in loop.candidates)
    arch, meta = load_subnet(tmp_path / 'search' / 'best_subnet.yaml', SPACE)
    assert arch == best.arch and meta['source'] == 'random' and meta['evaluated'] == 8
    assert meta['flops'] == round(table.arch_mflops(arch), 4)
    rows = (tmp_path / 'search' / 'candidates.csv').read_text().splitlines()
    assert rows[0] == 'index,flops,params,accuracy,arch' and len(rows) == 9
    assert SPACE.from_text(rows[1].split(',', 4)[4].strip('"')) == loop.candidates[0].arch


class Interrupt(Exception):
    pass


def interrupt_after(loop, count):
    evaluate = loop.evaluate

    def evaluate_then_stop(arch, **extra):
        if len(loop.candidates) >= count and arch not in loop._scores:
            raise Interrupt
        return evaluate(arch, **extra)
    loop.evaluate = evaluate_then_stop


@pytest.mark.parametrize('stop_after', [5, 9])   # mid-generation, and after a saved generation
def test_interrupted_evolution_resumes_to_the_same_result(table, tmp_path, stop_after):
    budget = table.min_mflops() + 0.5 * (table.max_mflops() - table.min_mflops())
    settings = dict(flops_budget=budget, population_size=6, top_k=3, max_generations=3,
                    num_mutation=3, num_crossover=3, mutation_prob=0.3, seed=11)
    model = build_supernet()
    straight = make_loop(EvolutionSearchLoop, fake_runner(model, tmp_path / 'a'), **settings)
    best = straight.run()

    interrupted = make_loop(EvolutionSearchLoop, fake_runner(model, tmp_path / 'b'), **settings)
    interrupt_after(interrupted, stop_after)
    with pytest.raises(Interrupt):
        interrupted.run()
    saved = json.loads((tmp_path / 'b' / 'search' / STATE_FILE).read_text())
    assert 0 < len(saved['candidates']) <= stop_after

    resumed = make_loop(EvolutionSearchLoop, fake_runner(model, tmp_path / 'b'), resume=True,
                        **settings)
    assert resumed.run() == best
    assert [c.arch for c in resumed.candidates] == [c.arch for c in straight.candidates]
    assert [c.accuracy for c in resumed.candidates] == [c.accuracy for c in straight.candidates]
    assert len(straight.candidates) == 6 + 2 * 6
    assert all(table.arch_mflops(c.arch) <= budget for c in straight.candidates)
    assert len({c.arch for c in straight.candidates}) == len(straight.candidates)


def test_resuming_with_other_settings_is_refused(table, tmp_path):
    runner = fake_runner(build_supernet(), tmp_path)
    budget = table.max_mflops()
    make_loop(RandomSearchLoop, runner, flops_budget=budget, num_samples=2).run()
    with pytest.raises(ValueError, match=r'settings changed \(seed: saved 0, now 1\)'):
        load_state(str(tmp_path / 'search'), dict(
            make_loop(RandomSearchLoop, runner, flops_budget=budget, num_samples=2,
                      seed=1).settings()))


def test_a_stale_resume_after_retraining_the_supernet_is_refused(table, tmp_path):
    budget = table.max_mflops()
    make_loop(RandomSearchLoop, fake_runner(build_supernet(0), tmp_path), flops_budget=budget,
              num_samples=2).run()
    retrained = fake_runner(build_supernet(1), tmp_path)   # other weights, same settings
    with pytest.raises(ValueError, match=r'settings changed \(evaluator.supernet: saved'):
        make_loop(RandomSearchLoop, retrained, flops_budget=budget, num_samples=3,
                  resume=True).run()
    other_data = make_loop(RandomSearchLoop, fake_runner(build_supernet(0), tmp_path),
                           flops_budget=budget, num_samples=3, resume=True)
    other_data.dataloader = batches(3, 7)        # another evaluation split
    with pytest.raises(ValueError, match=r'changed \(evaluator.data.size: saved 32, now 48\)'):
        other_data.run()


def test_regularized_evolution_ages_out_and_respects_the_budget(table, tmp_path):
    budget = table.min_mflops() + 0.5 * (table.max_mflops() - table.min_mflops())
    loop = make_loop(RegularizedEvolutionLoop, fake_runner(build_supernet(), tmp_path),
                     flops_budget=budget, population_size=4, sample_size=2, max_queries=10,
                     mutation_prob=0.3, seed=3)
    loop.run()
    assert len(loop.candidates) == 10 and len(loop.population) == 4
    assert loop.population == [6, 7, 8, 9]              # the oldest members aged out
    assert all(table.arch_mflops(c.arch) <= budget for c in loop.candidates)
    assert len({c.arch for c in loop.candidates}) == 10
    assert [c.extra['cycle'] for c in loop.candidates] == [0] * 4 + list(range(1, 7))
