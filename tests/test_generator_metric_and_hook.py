from types import SimpleNamespace

import pytest

from mmsgnas.engine import GumbelTemperatureHook
from mmsgnas.evaluation import GeneratorMetric


def test_generator_metric_exact_values():
    targets = [10.0, 20.0, 30.0]
    grid = dict(targets=targets, flops=[10.1, 19.8, 30.0], raw_flops=[12.0, 11.0, 33.0],
                steps=[2, 3, 0], archs=['a', 'b', 'b'], raw_archs=['c', 'd', 'e'])
    results = [dict(gt_label=1, pred_labels=[1, 0, 1], grid=grid),
               dict(gt_label=2, pred_labels=[2, 2, 0])]
    metrics = GeneratorMetric().compute_metrics(results)
    assert metrics['flops_error'] == pytest.approx((1.0 + 1.0 + 0.0) / 3)
    assert metrics['max_flops_error'] == pytest.approx(1.0)
    assert metrics['raw_flops_error'] == pytest.approx((20.0 + 45.0 + 10.0) / 3)
    assert metrics['kendall_tau'] == pytest.approx(1.0)
    assert metrics['raw_kendall_tau'] == pytest.approx(1 / 3)
    assert metrics['accuracy'] == pytest.approx(100 * (1 + 0.5 + 0.5) / 3)
    assert (metrics['accuracy_min'], metrics['accuracy_max']) == (50.0, 100.0)
    assert metrics['distinct_archs'] == 2 and metrics['raw_distinct_archs'] == 3
    assert metrics['max_raw_flops_error'] == pytest.approx(45.0)
    assert (metrics['projected'], metrics['projection_steps']) == (2, 5)
    with pytest.raises(RuntimeError, match='no validation grid'):
        GeneratorMetric().compute_metrics(results[1:])


def test_temperature_hook_depends_on_the_epoch_only():
    model = SimpleNamespace(tau=None)
    updates = {}
    runner = SimpleNamespace(model=model, epoch=0, message_hub=SimpleNamespace(
        update_scalar=lambda k, v: updates.__setitem__(k, v)))
    hook = GumbelTemperatureHook(initial=5.0, decay=0.5, minimum=1.0)
    for epoch, expected in [(0, 5.0), (1, 2.5), (2, 1.25), (3, 1.0), (7, 1.0)]:
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        assert model.tau == expected and updates['train/tau'] == expected
