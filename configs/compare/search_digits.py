# The main job's search comparison on the digits supernet (stage 4 of tools/run_demo.sh): the
# generator's architectures for 3 budgets over its trained range against random search (30
# samples), evolution (population 6, 5 generations) and WeakNAS in supernet mode (30 queries:
# 10 random, then rounds of 5 from the predicted top 20 of a pool of 5,000) at the same budgets,
# all judged on the test split with inherited weights after BN recalibration, against 15 random
# architectures of each budget. A check that the pipeline's searches run, sized for the main
# job's time; the search-quality comparisons are configs/compare/search_fmnist.py and
# nb201_digits.py.
#   python tools/analysis/compare_search.py configs/compare/search_digits.py
#   WORK_DIR=... (default work_dirs/demo) selects the main job's outputs.
work_dir = '{{$WORK_DIR:work_dirs/demo}}'
supernet = work_dir + '/supernet/epoch_30.pth'

comparison = dict(
    methods=[
        dict(type='GeneratorMethod', name='generator',
             config='configs/demo/generator_digits.py',
             checkpoint=work_dir + '/generator/epoch_60.pth'),
        dict(type='SearchLoopMethod', name='random', config='configs/demo/random_search_digits.py',
             checkpoint=supernet, overrides=dict(num_samples=30)),
        dict(type='SearchLoopMethod', name='evolution', config='configs/demo/evolution_digits.py',
             checkpoint=supernet,
             overrides=dict(population_size=6, top_k=3, max_generations=5, num_mutation=3,
                            num_crossover=3)),
        dict(type='SearchLoopMethod', name='weaknas', config='configs/demo/weaknas_digits.py',
             checkpoint=supernet,
             overrides=dict(max_queries=30, init_samples=10, samples_per_round=5, top_m=20)),
    ],
    judges=[dict(type='SupernetJudge', config='configs/demo/random_search_digits.py',
                 checkpoint=supernet, split='test')],
    budgets=dict(num=3),
    tolerance=0.01,
    seeds=[0],
    # seed 1: the cloud must not share the random stream of search seed 0 (the harness checks)
    cloud=dict(num=15, window=0.03, seed=1),
    input_size=32,
    num_classes=10,
    out_dir=work_dir + '/compare')
