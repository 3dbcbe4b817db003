# DARTS and DARTS-PT on the SGNAS unified space, digits: the architectures selected by magnitude
# (DARTS's argmax), by perturbation (DARTS-PT) and by perturbation on a fix-alpha supernet, judged
# by the main job's SGNAS digits supernet (test split, BN recalibrated) against 15 random
# architectures of the whole space; no FLOPs budget (DARTS has none).
#   for s in 0 1 2; do for v in darts fix_alpha; do d=work_dirs/darts/${v}_unified_s$s
#     python tools/train.py configs/darts/${v}_unified_digits.py --work-dir $d --cfg-options randomness.seed=$s
#     python tools/search.py configs/darts/${v}_unified_digits.py $d/epoch_6.pth --work-dir $d \
#         --resume --cfg-options search_cfg.seed=$s; done                      # -> select_perturbation/
#     python tools/search.py configs/darts/darts_unified_digits.py work_dirs/darts/darts_unified_s$s/epoch_6.pth \
#         --work-dir work_dirs/darts/darts_unified_s$s \
#         --cfg-options search_cfg.seed=$s search_cfg.method=magnitude search_cfg.out_dir=select_magnitude
#   done
#   python tools/analysis/compare_search.py configs/compare/darts_unified_digits.py
# WORK_DIR (default work_dirs/demo) holds the main job's supernet; DARTS_DIR (default
# work_dirs/darts) the runs.
work_dir = '{{$WORK_DIR:work_dirs/demo}}'
darts_dir = '{{$DARTS_DIR:work_dirs/darts}}'
supernet = work_dir + '/supernet/epoch_30.pth'

comparison = dict(
    methods=[
        dict(type='SubnetFilesMethod', name='darts',
             pattern=darts_dir + '/darts_unified_s{seed}/select_magnitude/selected_subnet.yaml',
             train_dir=darts_dir + '/darts_unified_s{seed}'),
        dict(type='SubnetFilesMethod', name='darts_pt',
             pattern=darts_dir + '/darts_unified_s{seed}/select_perturbation/selected_subnet.yaml',
             train_dir=darts_dir + '/darts_unified_s{seed}'),
        dict(type='SubnetFilesMethod', name='fix_alpha_pt',
             pattern=darts_dir + '/fix_alpha_unified_s{seed}/select_perturbation/'
             'selected_subnet.yaml',
             train_dir=darts_dir + '/fix_alpha_unified_s{seed}'),
    ],
    judges=[dict(type='SupernetJudge', config='configs/demo/random_search_digits.py',
                 checkpoint=supernet, split='test')],
    budgets=None,
    seeds=[0, 1, 2],
    # seed 1: a stream apart from the random searches' seeds (see darts_nb201_digits.py)
    cloud=dict(num=15, seed=1),
    input_size=32,
    num_classes=10,
    out_dir=darts_dir + '/compare_unified')
