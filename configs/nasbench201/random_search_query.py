# Random search in query mode on NAS-Bench-201: 1,000 distinct networks (isomorphic cells count
# once) drawn uniformly over the 15,625 cells, scored by the recorded CIFAR-10 validation accuracy
# of the compact tables (a fair search: report the chosen cell's test accuracy, e.g. with
# tools/analysis/query_curves.py). No supernet and no checkpoint:
#   python tools/search.py configs/nasbench201/random_search_query.py [--resume]
# Selecting by a test column (--cfg-options search_cfg.evaluator.split=test, or
# search_cfg.evaluator.dataset=cifar100 with split=test) is an oracle search.
default_scope = 'mmsgnas'

search_cfg = dict(
    type='mmsgnas.RandomSearchLoop',
    space=dict(type='mmsgnas.NasBench201Space'),
    evaluator=dict(type='mmsgnas.BenchmarkEvaluator', dataset='cifar10', split='valid'),
    flops_budget=None,
    input_size=32,
    num_classes=10,
    num_samples=1000,
    # uniform draws over cells repeat networks of large isomorphism classes: allow enough draws
    # to reach 1,000 distinct ones (and up to all 4,930, for queries-to-optimum without a cap)
    max_draws=1000000,
    seed=0,
    save_interval=100,
    log_interval=100,
    out_dir='random_search')
