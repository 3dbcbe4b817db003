# DARTS and DARTS-PT on the SGNAS unified space, digits: the architectures selected by magnitude
# (DARTS's argmax), by perturbation (DARTS-PT) and by perturbation on a fix-alpha supernet, each
# compared at the FLOPs it lands on (DARTS has no budget of its own): at each of those 9 costs
# (3 selections x 3 seeds) the main job's generator, random search and evolution (3 seeds each,
# sized as in search_digits.py) and 15 random architectures of that cost, all judged by the main
# job's SGNAS digits supernet (test split, BN recalibrated). A selection is entered at its own
# cost only; the generator skips costs outside its trained range (6.5..10.5 MFLOPs).
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
        dict(type='GeneratorMethod', name='generator', config='configs/demo/generator_digits.py',
             checkpoint=work_dir + '/generator/epoch_60.pth', outside_range='skip'),
        dict(type='SearchLoopMethod', name='random', config='configs/demo/random_search_digits.py',
             checkpoint=supernet, overrides=dict(num_samples=30)),
        dict(type='SearchLoopMethod', name='evolution', config='configs/demo/evolution_digits.py',
             checkpoint=supernet,
             overrides=dict(population_size=6, top_k=3, max_generations=5, num_mutation=3,
                            num_crossover=3)),
    ],
    judges=[dict(type='SupernetJudge', config='configs/demo/random_search_digits.py',
                 checkpoint=supernet, split='test')],
    budgets=dict(landed=['darts', 'darts_pt', 'fix_alpha_pt']),
    tolerance=0.01,
    seeds=[0, 1, 2],
    # seed 1: a stream apart from the random searches' seeds (see darts_nb201_digits.py)
    cloud=dict(num=15, window=0.03, seed=1),
    input_size=32,
    num_classes=10,
    out_dir=darts_dir + '/compare_unified_landed')
