"""The measured latency table: its parts model, files, refusals, a tiny real measurement, and the
cost switch of configs."""
import json
import math
import os
import random

import pytest
import torch

from mmsgnas.cost import CostTable
from mmsgnas.cost.latency_lut import (EXPANSIONS, LUT_FORMAT, LUT_VERSION, LatencyTableError,
                                      compare_tables, context_settings, fingerprint, fit_parts,
                                      layer_contexts, layer_from_parts, load_latency_table,
                                      measure_latency_table, parts_model_errors,
                                      read_latency_data, save_latency_table, table_from_data)
from mmsgnas.cost.switch import build_cost_table, cost_settings, latency_target_of, normalise_cost_cfg
from mmsgnas.space import UnifiedSpace
from mmsgnas.space.spec import KERNEL_SIZES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIGITS_MACRO = dict(widen_factor=0.5, stem_stride=1, head_channels=256)
TINY_MACRO = dict(layer_channels=[(8, 2), (8, 1)], stem_channels=8, first_channels=8,
                  head_channels=16, stem_stride=1)


def stats(median, rng):
    spread = median * rng.uniform(0.01, 0.1)
    return dict(median_ms=median, q1_ms=median - spread, q3_ms=median + spread,
                min_ms=median - 2 * spread, max_ms=median + 3 * spread, samples=30, number=1)


def synthetic_data(space, input_size=32, num_classes=10, network=None, seed=0):
    """A table file's content with made-up (but well-formed) timings: what a measurement writes."""
    rng = random.Random(seed)
    context = context_settings(space, input_size, num_classes, network)
    layers = []
    for index, ctx in enumerate(layer_contexts(space, input_size)):
        expansion = {}
        value = rng.uniform(0.1, 0.5)
        for e in EXPANSIONS:
            expansion[e] = value
            value += rng.uniform(0.02, 0.2)
        depthwise = {k: rng.uniform(0.01, 0.1) * k for k in KERNEL_SIZES}
        blocks = {f'{e},{k}': stats(expansion[e] + e * depthwise[k], rng)
                  for e in EXPANSIONS for k in KERNEL_SIZES}
        layers.append(dict(
            index=index, **ctx, blocks=blocks,
            depthwise_alone={str(k): stats(v, rng) for k, v in depthwise.items()},
            expansion={str(e): v for e, v in expansion.items()},
            depthwise={str(k): v for k, v in depthwise.items()},
            fit_residual_ms={key: 0.0 for key in blocks},
            mixed_checks=[dict(kernels=[3, 5, 7], measured=stats(1.0, rng),
                               predicted_ms=layer_from_parts(expansion, depthwise, [3, 5, 7]))]))
    return dict(format=LUT_FORMAT, version=LUT_VERSION, unit='ms', context=context,
                fingerprint=fingerprint(context), device='cpu', device_name='test cpu',
                torch=torch.__version__, threads=1, batch_size=4, input_size=input_size,
                timing=dict(warmup=1, repeats=3, min_sample_ms=0.1), seed=seed,
                created='2026-01-01T00:00:00+00:00', host='test',
                fixed=dict(stem=stats(0.7, rng), head=stats(0.3, rng)), layers=layers,
                glue_ms=0.25)


@pytest.fixture
def digits_space():
    return UnifiedSpace(DIGITS_MACRO)


def parts_sum(data, arch):
    """The latency model written out by hand: fixed parts + glue + per layer F(e) + sum dw(k)."""
    total = data['fixed']['stem']['median_ms'] + data['fixed']['head']['median_ms'] + \
        data['glue_ms']
    for layer, kernels in zip(data['layers'], arch):
        total += layer['expansion'][str(len(kernels))]
        total += sum(layer['depthwise'][str(k)] for k in kernels)
    return total


def test_table_cost_is_the_sum_of_parts(digits_space, rng):
    data = synthetic_data(digits_space)
    table = table_from_data(data, digits_space)
    assert isinstance(table, CostTable) and table.unit == 'ms' and table.scale == 1.0
    assert table.num_decisions == digits_space.decision_shape[0]
    for _ in range(200):
        arch = digits_space.sample(rng)
        expected = parts_sum(data, arch)
        assert math.isclose(table.arch_cost(arch), expected, rel_tol=1e-12)
        # the differentiable cost equals it on the one-hot encoding
        one_hot = digits_space.encode(arch).double()
        assert math.isclose(float(table.soft_cost(one_hot)), expected, rel_tol=1e-12)


def test_soft_cost_is_the_expected_cost_of_structured_weights(digits_space):
    """Cost(alpha) of structured soft weights = the mean cost of the architectures they sample."""
    data = synthetic_data(digits_space, seed=3)
    table = table_from_data(data, digits_space)
    torch.manual_seed(0)
    logits = torch.randn(digits_space.decision_shape, dtype=torch.float64)
    probs = torch.softmax(logits.masked_fill(~digits_space.allowed(), -1e9), dim=-1)
    weights = digits_space.structure(probs)
    soft = float(table.soft_cost(weights))
    draws = torch.distributions.Categorical(probs=probs).sample((4000,))
    costs = [table.arch_cost(digits_space.from_choices(row.tolist())) for row in draws]
    mean = sum(costs) / len(costs)
    stderr = (sum((c - mean) ** 2 for c in costs) / (len(costs) - 1) / len(costs)) ** 0.5
    assert abs(soft - mean) < 5 * stderr


def test_fit_parts_recovers_additive_timings():
    expansion = {e: 0.3 + 0.11 * e + 0.01 * e * e for e in EXPANSIONS}
    depthwise = {3: 0.05, 5: 0.09, 7: 0.16}
    blocks = {(e, k): expansion[e] + e * depthwise[k] for e in EXPANSIONS for k in KERNEL_SIZES}
    fit = fit_parts(blocks, depthwise[3])
    for e in EXPANSIONS:
        assert fit['expansion'][e] == pytest.approx(expansion[e], abs=1e-12)
    for k in KERNEL_SIZES:
        assert fit['depthwise'][k] == pytest.approx(depthwise[k], abs=1e-12)
    assert max(abs(v) for v in fit['residual_ms'].values()) < 1e-12
    # a non-additive timing shows up in the residual
    blocks[(4, 5)] += 0.5
    assert max(abs(v) for v in fit_parts(blocks, depthwise[3])['residual_ms'].values()) > 0.1


def test_json_round_trip(digits_space, tmp_path, rng):
    data = synthetic_data(digits_space, seed=1)
    path = str(tmp_path / 'lut.json')
    save_latency_table(data, path)
    assert read_latency_data(path) == json.loads(json.dumps(data))
    loaded = load_latency_table(path, digits_space, 32, 10)
    direct = table_from_data(data, digits_space)
    assert loaded.table == direct.table and loaded.base == direct.base
    arch = digits_space.sample(rng)
    assert loaded.arch_cost(arch) == direct.arch_cost(arch)
    assert not [f for f in os.listdir(tmp_path) if '.tmp' in f]


@pytest.mark.parametrize('change, message', [
    (dict(version=LUT_VERSION + 1), 'version'),
    (dict(format='something-else'), 'not an mmsgnas latency table'),
])
def test_refuses_wrong_format_or_version(digits_space, tmp_path, change, message):
    data = synthetic_data(digits_space)
    data.update(change)
    path = str(tmp_path / 'lut.json')
    save_latency_table(data, path)
    with pytest.raises(LatencyTableError, match=message):
        load_latency_table(path, digits_space, 32, 10)


def test_refuses_other_space_macro_input_or_network(digits_space, tmp_path):
    path = str(tmp_path / 'lut.json')
    save_latency_table(synthetic_data(digits_space), path)
    with pytest.raises(LatencyTableError, match='input_size: table 32, config 64'):
        load_latency_table(path, digits_space, 64, 10)
    with pytest.raises(LatencyTableError, match='num_classes'):
        load_latency_table(path, digits_space, 32, 1000)
    wider = UnifiedSpace(dict(DIGITS_MACRO, widen_factor=1.0))
    with pytest.raises(LatencyTableError, match='macro.widen_factor: table 0.5, config 1.0'):
        load_latency_table(path, wider, 32, 10)
    imagenet = UnifiedSpace()
    with pytest.raises(LatencyTableError, match='macro.stem_stride'):
        load_latency_table(path, imagenet, 32, 10)
    with pytest.raises(LatencyTableError, match='network'):
        load_latency_table(path, digits_space, 32, 10, network=dict(se=True))
    other = synthetic_data(digits_space)
    other['context']['space'] = 'nas-bench-201'
    save_latency_table(other, path)
    with pytest.raises(LatencyTableError, match='space: table'):
        load_latency_table(path, digits_space, 32, 10)
    with pytest.raises(FileNotFoundError, match='build_latency_lut'):
        load_latency_table(str(tmp_path / 'missing.json'), digits_space, 32, 10)


def test_kernel_order_does_not_change_the_table(tmp_path):
    positional = UnifiedSpace(TINY_MACRO)
    sorted_space = UnifiedSpace(TINY_MACRO, kernel_order='sorted')
    path = str(tmp_path / 'lut.json')
    save_latency_table(synthetic_data(positional, input_size=16), path)
    arch = [[7, 3, 5], [5, 3]]
    a = load_latency_table(path, positional, 16, 10).arch_cost(positional.canonical(arch))
    b = load_latency_table(path, sorted_space, 16, 10).arch_cost(sorted_space.canonical(arch))
    assert math.isclose(a, b, rel_tol=1e-12)


def test_tiny_measurement_on_cpu():
    space = UnifiedSpace(TINY_MACRO)
    data = measure_latency_table(space, 16, 10, batch_size=2, device='cpu', threads=1,
                                 warmup=1, repeats=3, min_sample_ms=0.2, mixed_checks=1,
                                 glue_networks=1, progress=False)
    assert data['format'] == LUT_FORMAT and data['version'] == LUT_VERSION
    assert data['device'] == 'cpu' and data['threads'] == 1 and data['batch_size'] == 2
    assert len(data['layers']) == 2
    for layer in data['layers']:
        assert len(layer['blocks']) == len(EXPANSIONS) * len(KERNEL_SIZES)
        for entry in list(layer['blocks'].values()) + list(layer['depthwise_alone'].values()):
            assert 0 < entry['min_ms'] <= entry['q1_ms'] <= entry['median_ms'] <= \
                entry['q3_ms'] <= entry['max_ms'] < math.inf
            assert entry['samples'] == 3
    for part in data['fixed'].values():
        assert 0 < part['median_ms'] < math.inf
    assert math.isfinite(data['glue_ms'])
    table = table_from_data(json.loads(json.dumps(data)), space)
    values = [v for row in table.table for v in row[:3]]
    assert all(math.isfinite(v) for v in values)
    assert 0 < table.min_cost() <= table.max_cost() < math.inf
    errors = parts_model_errors(data)
    assert errors['fitted_mean_pct'] >= 0 and errors['mixed_blocks'] == 2
    noise = compare_tables(data, data)
    assert noise['max_rel_diff_pct'] == 0 and noise['within_iqr'] == noise['entries']


def test_time_forms_rejects_bad_settings():
    from mmsgnas.cost.latency_lut import resolve_device, time_forms
    with pytest.raises(ValueError, match='repeats'):
        time_forms(dict(a=lambda: None), torch.device('cpu'), repeats=0)
    with pytest.raises(ValueError, match='cpu or cuda'):
        resolve_device('meta')
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match='CUDA is not available'):
            resolve_device('cuda')


# -- the cost switch --------------------------------------------------------------------------------
def test_cost_cfg_is_checked():
    assert normalise_cost_cfg(None) == dict(type='flops')
    assert normalise_cost_cfg('flops') == dict(type='flops')
    with pytest.raises(ValueError, match='needs table=PATH'):
        normalise_cost_cfg(dict(type='latency'))
    with pytest.raises(ValueError, match="one of \\('flops', 'latency'\\)"):
        normalise_cost_cfg(dict(type='energy'))
    with pytest.raises(ValueError, match='unknown key'):
        normalise_cost_cfg(dict(type='flops', table='x.json'))


def test_build_cost_table_switch(digits_space, tmp_path):
    flops = build_cost_table(digits_space, 32, 10)
    assert flops.unit == 'MFLOPs' and flops.table == digits_space.cost_table(32, 10).table
    path = str(tmp_path / 'lut.json')
    data = synthetic_data(digits_space)
    save_latency_table(data, path)
    latency = build_cost_table(digits_space, 32, 10, dict(type='latency', table=path))
    assert latency.unit == 'ms' and latency.table == table_from_data(data, digits_space).table
    assert cost_settings(dict(type='latency', table=path))['fingerprint'] == data['fingerprint']
    assert cost_settings('flops') is None


def test_search_loop_budget_is_in_the_units_of_its_cost(digits_space, tmp_path):
    from mmsgnas.cost import BudgetError
    from mmsgnas.engine import RandomSearchLoop
    path = str(tmp_path / 'lut.json')
    save_latency_table(synthetic_data(digits_space), path)
    ms = build_cost_table(digits_space, 32, 10, dict(type='latency', table=path))
    assert ms.unit == 'ms'
    evaluator = dict(type='mmsgnas.BenchmarkEvaluator')   # query mode: no runner needed
    budget = ms.min_cost() + 0.5 * (ms.max_cost() - ms.min_cost())
    loop = RandomSearchLoop(space=digits_space, evaluator=evaluator, num_classes=10,
                            input_size=32, flops_budget=budget, out_dir=None,
                            cost=dict(type='latency', table=path))
    assert loop.cost_table.unit == 'ms' and loop.cost_table.table == ms.table
    arch = loop.sample()
    assert loop.flops(arch) == ms.arch_cost(arch) <= budget
    # the resume check of the search state includes the table's measured context
    loop._evaluator = type('Stub', (), {'settings': lambda self: {}})()
    assert loop.settings()['cost'] == cost_settings(dict(type='latency', table=path))
    flops = RandomSearchLoop(space=digits_space, evaluator=evaluator, num_classes=10,
                             input_size=32, out_dir=None)
    assert flops.cost_table.unit == 'MFLOPs'
    # a budget in ms below the table's smallest network is refused in ms
    with pytest.raises(BudgetError, match='ms'):
        RandomSearchLoop(space=digits_space, evaluator=evaluator, num_classes=10, input_size=32,
                         flops_budget=ms.min_cost() / 2, out_dir=None,
                         cost=dict(type='latency', table=path))


def latency_config(table_path, **model):
    from mmengine.config import Config
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/latency/generator_latency_digits.py'))
    cfg.model.supernet_checkpoint = None
    cfg.model.cost.table = table_path
    cfg.model.update(model)
    return cfg


def build_model(cfg):
    from mmengine.registry import MODELS, DefaultScope
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return MODELS.build(cfg.model)


def test_latency_config_builds_the_latency_table(digits_space, tmp_path):
    from mmsgnas.models.algorithms.generator_trainer import (ConstraintRangeError,
                                                             GeneratorSettingsError)
    path = str(tmp_path / 'lut.json')
    data = synthetic_data(digits_space, network=dict(se=True, act_cfg=dict(type='HSwish')))
    save_latency_table(data, path)
    table = table_from_data(data, digits_space)
    low, high = table.min_cost(), table.max_cost()
    inside = (low + 0.3 * (high - low), low + 0.7 * (high - low))
    cfg = latency_config(path, constraint_range=inside)
    target = latency_target_of(cfg)
    assert target['space'] == digits_space and target['input_size'] == 32
    assert target['num_classes'] == 10 and target['table'] == path
    assert target['network'] == dict(se=True, act_cfg=dict(type='HSwish'))
    model = build_model(cfg)
    assert type(model).__name__ == 'GeneratorTrainer'
    assert model.cost_table.unit == 'ms' and model.cost_table.table == table.table
    # the prior was drawn with the latency table, within 2 % of the middle of the range
    key = float(model.prior_keys[0])
    prior = digits_space.decode(model.priors[0])
    assert abs(model.cost_table.arch_cost(prior) - key) <= 0.02 * key
    # generation projects onto ms budgets
    projections = model.generate(list(inside), tolerance=0.01)
    for p, t in zip(projections, inside):
        assert p.cost == model.cost_table.arch_cost(p.arch)
    with pytest.raises(ConstraintRangeError, match='ms outside the trained range'):
        model.generate([high * 2])
    # a FLOPs generator's checkpoint settings are refused by the latency model
    flops_settings = dict(model.settings())
    flops_settings.pop('cost')
    with pytest.raises(GeneratorSettingsError, match='cost'):
        model.set_extra_state(dict(settings=flops_settings))
    # a range in MFLOPs (outside the table's ms span) is refused naming the span
    with pytest.raises(ConstraintRangeError):
        build_model(latency_config(path, constraint_range=(high * 2, high * 3)))
    # the table of another network than the config names is refused
    cfg = latency_config(path, constraint_range=inside)
    cfg.model.cost.network = dict(se=False)
    with pytest.raises(LatencyTableError, match='network'):
        build_model(cfg)


def test_flops_config_keeps_the_flops_table(digits_space):
    from mmengine.config import Config
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/demo/generator_digits.py'))
    cfg.model.supernet_checkpoint = None
    model = build_model(cfg)
    assert model.cost_table.unit == 'MFLOPs'
    assert model.cost_table.table == digits_space.cost_table(32, 10).table
    assert 'cost' not in model.settings()


def test_in1k_latency_config_names_a_table():
    from mmengine.config import Config
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/latency/generator_latency_in1k.py'))
    assert cfg.model.type == 'mmsgnas.GeneratorTrainer'
    assert normalise_cost_cfg(cfg.model.cost)['type'] == 'latency'
    assert cfg.model.input_size == 224
