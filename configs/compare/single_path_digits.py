# Single-Path NAS beside the generator, random search and evolution on the digits supernet of the
# main job (issue: Single-Path NAS): the 3 budgets of configs/compare/search_digits.py, 3 seeds.
# Single-Path NAS has no supernet query: each budget and seed is one training run of
# configs/single_path/single_path_digits.py whose decoded architecture is read from its subnet file
# (search time = that run's wall time, from the file's metadata):
#   for b in 0 1 2; do for s in 0 1 2; do   # budgets 6.5 / 8.5 / 10.5 MFLOPs
#     python tools/train.py configs/single_path/single_path_digits.py --work-dir work_dirs/sp/b${b}_s${s} \
#         --cfg-options model.cost.target=<budget b> randomness.seed=$s; done; done
#   python tools/analysis/compare_search.py configs/compare/single_path_digits.py
# Every architecture is judged like the others: inherited weights of the SGNAS digits supernet
# (not the single-path supernet), BN recalibrated, on the test split.
_base_ = ['./search_digits.py']
work_dir = '{{$WORK_DIR:work_dirs/demo}}'
single_path_dir = '{{$SINGLE_PATH_DIR:work_dirs/sp}}'
comparison = dict(
    methods=[
        dict(type='GeneratorMethod', name='generator',
             config='configs/demo/generator_digits.py',
             checkpoint=work_dir + '/generator/epoch_60.pth'),
        dict(type='SearchLoopMethod', name='random', config='configs/demo/random_search_digits.py',
             checkpoint=work_dir + '/supernet/epoch_30.pth', overrides=dict(num_samples=30)),
        dict(type='SearchLoopMethod', name='evolution', config='configs/demo/evolution_digits.py',
             checkpoint=work_dir + '/supernet/epoch_30.pth',
             overrides=dict(population_size=6, top_k=3, max_generations=5, num_mutation=3,
                            num_crossover=3)),
        dict(type='SubnetFilesMethod', name='single_path',
             pattern=single_path_dir + '/b{budget}_s{seed}/single_path_subnet.yaml'),
    ],
    seeds=[0, 1, 2],
    # seed 1: the cloud's stream (random.Random(1000 * seed + budget index)) must not be the stream
    # of random search's seeds 0-2 (random.Random(seed)), or one seed's candidates are the cloud
    cloud=dict(num=15, window=0.03, seed=1),
    out_dir=single_path_dir + '/compare')
