# DARTS and DARTS-PT on NAS-Bench-201 at CPU scale, judged by ground truth: the cells selected by
# magnitude (DARTS), by perturbation (DARTS-PT) and by perturbation on a fix-alpha supernet, 3
# seeds each, each compared at the FLOPs it lands on (DARTS has no budget of its own): at each of
# those 9 costs the SGNAS generator (its seed-0 checkpoint for every seed: the main job trains
# one) and random search on the SGNAS NAS-Bench-201 supernet (3 seeds), and 30 random cells of
# that cost; every cell judged by the benchmark's recorded 200-epoch test accuracies (CIFAR-10,
# CIFAR-100, ImageNet16-120) and by the SGNAS digits supernet (test split, BN recalibrated). A
# selection is entered at its own cost only; the generator skips costs outside its trained range
# (3..10 MFLOPs). The supernets were trained on digits, not CIFAR.
# Search time = the supernet's training (from its logs, train_dir) + the selection.
#   for s in 0 1 2; do for v in darts fix_alpha; do d=work_dirs/darts/${v}_nb201_s$s
#     python tools/train.py configs/darts/${v}_nb201_digits.py --work-dir $d --cfg-options randomness.seed=$s
#     python tools/search.py configs/darts/${v}_nb201_digits.py $d/epoch_20.pth --work-dir $d \
#         --cfg-options search_cfg.seed=$s; done                               # -> select_perturbation/
#     python tools/search.py configs/darts/darts_nb201_digits.py work_dirs/darts/darts_nb201_s$s/epoch_20.pth \
#         --work-dir work_dirs/darts/darts_nb201_s$s \
#         --cfg-options search_cfg.seed=$s search_cfg.method=magnitude search_cfg.out_dir=select_magnitude
#   done
#   python tools/analysis/compare_search.py configs/compare/darts_nb201_digits.py
# WORK_DIR (default work_dirs/nb201; the main job's are in work_dirs/demo/nb201) holds the SGNAS
# NAS-Bench-201 supernet (supernet/epoch_30.pth, from configs/nasbench201/supernet_nb201_digits.py)
# and generator (generator_s0/epoch_20.pth); DARTS_DIR (default work_dirs/darts) the runs.
work_dir = '{{$WORK_DIR:work_dirs/nb201}}'
darts_dir = '{{$DARTS_DIR:work_dirs/darts}}'
supernet = work_dir + '/supernet/epoch_30.pth'
space = dict(type='mmsgnas.NasBench201Space', C=8, N=1)

comparison = dict(
    space=space,
    methods=[
        dict(type='SubnetFilesMethod', name='darts',
             pattern=darts_dir + '/darts_nb201_s{seed}/select_magnitude/selected_subnet.yaml',
             train_dir=darts_dir + '/darts_nb201_s{seed}'),
        dict(type='SubnetFilesMethod', name='darts_pt',
             pattern=darts_dir + '/darts_nb201_s{seed}/select_perturbation/selected_subnet.yaml',
             train_dir=darts_dir + '/darts_nb201_s{seed}'),
        dict(type='SubnetFilesMethod', name='fix_alpha_pt',
             pattern=darts_dir + '/fix_alpha_nb201_s{seed}/select_perturbation/selected_subnet.yaml',
             train_dir=darts_dir + '/fix_alpha_nb201_s{seed}'),
        dict(type='GeneratorMethod', name='generator',
             config='configs/nasbench201/generator_nb201_digits.py',
             checkpoint=work_dir + '/generator_s0/epoch_20.pth', tolerance=0.05,
             outside_range='skip'),
        dict(type='SearchLoopMethod', name='random',
             config='configs/nasbench201/random_search_nb201_digits.py',
             checkpoint=supernet, overrides=dict(num_samples=50)),
    ],
    judges=[
        dict(type='BenchmarkJudge', space=space, dataset='cifar10', split='test'),
        dict(type='BenchmarkJudge', space=space, dataset='cifar100', split='test'),
        dict(type='BenchmarkJudge', space=space, dataset='ImageNet16-120', split='test'),
        dict(type='SupernetJudge', config='configs/nasbench201/random_search_nb201_digits.py',
             checkpoint=supernet, split='test', name='digits-test'),
    ],
    budgets=dict(landed=['darts', 'darts_pt', 'fix_alpha_pt']),
    # a cell's FLOPs take few values: the generator's tolerance, and a window that holds cells
    tolerance=0.05,
    seeds=[0, 1, 2],
    # seed 1: the cloud's stream (random.Random(1000 * seed + budget index)) must not be the stream
    # of random search's seeds 0-2 (random.Random(seed)), or one seed's candidates are the cloud
    cloud=dict(num=30, window=0.10, seed=1),
    input_size=32,
    num_classes=10,
    out_dir=darts_dir + '/compare_nb201_landed')
