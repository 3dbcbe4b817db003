# Random search, REA and WeakNAS in query mode on NAS-Bench-201 (the compact tables): 100 runs
# each (seeds 0-99), 1,000 queries each (the same budget and seeds for all), selecting by
#   * CIFAR-10 validation accuracy (fair), then by the test accuracy of
#   * CIFAR-10, CIFAR-100 and ImageNet16-120 (oracle searches: the compact tables have no
#     CIFAR-100 / ImageNet16-120 validation column).
# Reports queries to the global optimum, the best score against queries and the test accuracy on
# all three data sets of the cell the search picks after Q queries, with RI over the average cell.
#   python tools/analysis/query_curves.py configs/nasbench201/query_curves_nb201.py
#       [--runs 10] [--out-dir DIR]     (finished runs are kept: a rerun continues)
query_curves = dict(
    methods=[
        dict(name='random', config='configs/nasbench201/random_search_query.py'),
        dict(name='rea', config='configs/nasbench201/rea_query.py'),
        dict(name='weaknas', config='configs/nasbench201/weaknas_query.py'),
    ],
    searches=[
        dict(dataset='cifar10', split='valid'),
        dict(dataset='cifar10', split='test'),
        dict(dataset='cifar100', split='test'),
        dict(dataset='ImageNet16-120', split='test'),
    ],
    runs=100,
    max_queries=1000,
    checkpoints=[10, 30, 100, 300, 1000],
    reports=[('cifar10', 'test'), ('cifar100', 'test'), ('ImageNet16-120', 'test')],
    space=dict(type='mmsgnas.NasBench201Space'),
    benchmark=None,
    out_dir='work_dirs/query_curves/nb201')
