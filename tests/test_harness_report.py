from mmsgnas.evaluation.harness.report import cost_table, markdown


def _result(budgets):
    def entry(seed, flops, **extra):
        return dict(seed=seed, flops=flops, judge=90.0 + seed, queries=None, **extra)

    rows = []
    for budget in budgets:
        rows.append(dict(
            budget=budget,
            cloud=dict(archs=[dict(flops=1.0, judge=89.0)] * 2,
                       summary=dict(judge=dict(mean=89.0, std=0.0, n=2))),
            methods=dict(
                gen=[entry(0, 10.0, raw_flops=10.5, projection_steps=1),
                     entry(1, 10.0, raw_flops=10.5, projection_steps=1)],
                files=[entry(0, 9.0), entry(1, 8.0)],
                loop=[dict(entry(0, 9.5), queries=30), dict(entry(1, 9.5), queries=20)]),
            summary={m: dict(judge=dict(mean=90.5, std=0.7, n=2, ci=[84.1, 96.9], ri=1.7,
                                        rank=[1, 1])) for m in ('gen', 'files', 'loop')}))
    return dict(unit='MFLOPs', input_size=32, seeds=[0, 1], judges=[dict(name='judge')],
                judge_images={}, rows=rows,
                methods=[dict(name='gen', kind='generator'), dict(name='files', kind='files'),
                         dict(name='loop', kind='loop')],
                time={m: dict(mean=1.0, std=0.0) for m in ('gen', 'files', 'loop')})


def test_cost_table_gives_each_methods_cost_and_its_error_against_the_budget():
    lines = cost_table(_result([10.0]))
    assert lines[-1] == ('| 10.000 | 10.000 ± 0.000 (+0.0 %, worst +0.0 %) | '
                         '8.500 ± 0.707 (-15.0 %, worst -20.0 %) | '
                         '9.500 ± 0.000 (-5.0 %, worst -5.0 %) |')


def test_cost_table_without_a_budget_gives_the_cost_alone():
    assert cost_table(_result([None]))[-1] == (
        '| none | 10.000 ± 0.000 | 8.500 ± 0.707 | 9.500 ± 0.000 |')


def test_search_time_names_what_a_method_without_queries_did():
    text = markdown(_result([10.0]))
    assert '| gen | 1.0 ± 0.0 | one forward pass |' in text
    assert '| files | 1.0 ± 0.0 | none (one search run per budget, read from its subnet file) |' \
        in text
    assert '| loop | 1.0 ± 0.0 | 25 |' in text
    assert '| 10.000 | 10.500 | +5.00 | 10.000 | +0.00 | 1.0 |' in text
