# Single-Path NAS on Fashion-MNIST beside the generator, random search, evolution and WeakNAS of
# search_fmnist.py, at its middle budget (7.0 MFLOPs at 28x28), seeds 0-2, every choice scored by
# the Fashion-MNIST supernet on the 10,000 test images (BN recalibrated), against 30 random
# architectures of the budget. Single-Path NAS searches by training its own superkernel network
# (configs/single_path/single_path_fmnist.py); the others use the supernet and generators of
# search_fmnist.py's header:
#   for s in 0 1 2; do python tools/train.py configs/single_path/single_path_fmnist.py \
#       --work-dir work_dirs/fmnist/single_path_s$s --cfg-options model.cost.target=7.0 \
#       randomness.seed=$s; done
#   python tools/analysis/compare_search.py configs/compare/single_path_fmnist.py
# The from-scratch check of the NAS-Benchmark protocol on its result, as run for the README (2
# random networks; the other methods' choices were trained by search_fmnist.py's protocol run):
#   python tools/analysis/scratch_protocol.py work_dirs/fmnist/single_path_compare/compare.json \
#       --config configs/fmnist/retrain_fmnist.py --budget 0 --num-random 2 --methods single_path \
#       --epochs 3 --images 20000 --out-dir work_dirs/fmnist/single_path_scratch
_base_ = ['./search_fmnist.py']
work_dir = '{{$WORK_DIR:work_dirs/fmnist}}'
single_path_dir = '{{$SINGLE_PATH_DIR:work_dirs/fmnist}}'
supernet = work_dir + '/supernet/epoch_8.pth'
comparison = dict(
    methods=[
        dict(type='GeneratorMethod', name='generator',
             config='configs/fmnist/generator_fmnist.py',
             checkpoint=work_dir + '/generator_s{seed}/epoch_10.pth'),
        dict(type='SearchLoopMethod', name='random', config='configs/fmnist/random_search_fmnist.py',
             checkpoint=supernet, overrides=dict(num_samples=50)),
        dict(type='SearchLoopMethod', name='evolution', config='configs/fmnist/evolution_fmnist.py',
             checkpoint=supernet,
             overrides=dict(population_size=10, top_k=5, max_generations=5, num_mutation=5,
                            num_crossover=5)),
        dict(type='SearchLoopMethod', name='weaknas', config='configs/fmnist/weaknas_fmnist.py',
             checkpoint=supernet, overrides=dict(max_queries=50)),
        dict(type='SubnetFilesMethod', name='single_path',
             pattern=single_path_dir + '/single_path_s{seed}/single_path_subnet.yaml'),
    ],
    budgets=dict(_delete_=True, values=[7.0]),
    # seed 1: the cloud's stream (random.Random(1000 * seed + budget index)) apart from random
    # search's seeds 0-2 (random.Random(seed))
    cloud=dict(seed=1),
    out_dir=single_path_dir + '/single_path_compare')
