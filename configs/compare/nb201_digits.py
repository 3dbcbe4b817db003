# SGNAS on NAS-Bench-201 at CPU scale, judged by ground truth (paper Sec. 4.3 / Table 3, reduced):
# the generator's cells for 5 FLOPs budgets over its range, and random search on the same digits
# supernet, judged by the digits supernet (test split, BN recalibrated) and by the benchmark's
# recorded 200-epoch test accuracies on CIFAR-10, CIFAR-100 and ImageNet16-120, against 30 random
# cells within 10 % below each budget. The supernet was trained on digits, not CIFAR: the benchmark
# columns measure how well a ranking learnt on digits transfers, not SGNAS as the paper ran it.
#   python tools/analysis/compare_search.py configs/compare/nb201_digits.py
# WORK_DIR (default work_dirs/nb201) holds supernet/ and generator_s{seed}/.
work_dir = '{{$WORK_DIR:work_dirs/nb201}}'
supernet = work_dir + '/supernet/epoch_30.pth'
space = dict(type='mmsgnas.NasBench201Space', C=8, N=1)

comparison = dict(
    space=space,
    methods=[
        dict(type='GeneratorMethod', name='generator',
             config='configs/nasbench201/generator_nb201_digits.py',
             checkpoint=work_dir + '/generator_s{seed}/epoch_20.pth', tolerance=0.05),
        dict(type='SearchLoopMethod', name='random',
             config='configs/nasbench201/random_search_nb201_digits.py',
             checkpoint=supernet, overrides=dict(num_samples=50)),
    ],
    judges=[
        dict(type='SupernetJudge', config='configs/nasbench201/random_search_nb201_digits.py',
             checkpoint=supernet, split='test', name='digits-test'),
        dict(type='BenchmarkJudge', space=space, dataset='cifar10', split='test'),
        dict(type='BenchmarkJudge', space=space, dataset='cifar100', split='test'),
        dict(type='BenchmarkJudge', space=space, dataset='ImageNet16-120', split='test'),
    ],
    budgets=dict(num=5),
    tolerance=0.05,
    seeds=[0, 1, 2],
    # seed 1: the cloud must not share the random stream of search seeds 0-2 (the harness checks)
    cloud=dict(num=30, window=0.10, seed=1),
    input_size=32,
    num_classes=10,
    out_dir=work_dir + '/compare')
