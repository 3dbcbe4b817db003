# Regularised (aging) evolution, REA, in query mode on NAS-Bench-201 with the settings of the
# NAS-Bench-201 paper: population 10, tournaments of 3, each edge mutated with probability 1/6;
# 1,000 distinct networks, scored by the recorded CIFAR-10 validation accuracy (fair search).
#   python tools/search.py configs/nasbench201/rea_query.py [--resume]
_base_ = ['./random_search_query.py']

search_cfg = dict(
    _delete_=True,
    type='mmsgnas.RegularizedEvolutionLoop',
    space=dict(type='mmsgnas.NasBench201Space'),
    evaluator=dict(type='mmsgnas.BenchmarkEvaluator', dataset='cifar10', split='valid'),
    flops_budget=None,
    input_size=32,
    num_classes=10,
    population_size=10,
    sample_size=3,
    mutation_prob=1 / 6,
    max_queries=1000,
    seed=0,
    save_interval=100,
    log_interval=100,
    out_dir='rea')
