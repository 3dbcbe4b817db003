"""Query curves: every loop stops at the curves' length, whatever its config's own budget."""
import pytest
from mmengine.config import Config

from mmsgnas.evaluation.query_curves import QueryCurves


def curves(tmp_path, methods=None, max_queries=20):
    settings = Config.fromfile('configs/nasbench201/query_curves_nb201_fair.py').query_curves
    settings = settings.to_dict()
    settings.update(runs=1, max_queries=max_queries, checkpoints=[10, max_queries],
                    out_dir=str(tmp_path))
    if methods is not None:
        settings['methods'] = methods
    return QueryCurves(**settings)


def test_each_loop_runs_exactly_max_queries(tmp_path):
    runner = curves(tmp_path)
    search = runner.searches[0]
    budgets = {m['name']: runner.query_budget(m) for m in runner.methods}
    assert budgets == dict(random='num_samples', rea='max_queries', weaknas='max_queries')
    for method in runner.methods:
        # the configs ask for 1,000 queries; the curves' 20 bound them
        assert method['search_cfg'][budgets[method['name']]] == 1000
        assert runner.loop_cfg(method, search, 0)[budgets[method['name']]] == 20
        assert len(runner.run_one(method, search, 0)['index']) == 20


def test_a_loop_without_a_query_budget_is_refused(tmp_path):
    runner = curves(tmp_path, methods=[dict(name='evo', search_cfg=dict(
        type='mmsgnas.EvolutionSearchLoop', evaluator=dict(type='mmsgnas.BenchmarkEvaluator')))])
    with pytest.raises(ValueError, match='evo: EvolutionSearchLoop has no query budget'):
        runner.loop_cfg(runner.methods[0], runner.searches[0], 0)
