# Single-Path NAS on Fashion-MNIST (the measurement digits cannot resolve): the search config of
# digits on the Fashion-MNIST supernet's macro (half width, stem stride 2, 28x28 inputs; its space
# costs 3.0..12.4 MFLOPs) and its 50,000-image supernet split. One training run is the search;
# the cost term (budget form) is off for the first of 3 epochs, with indicator dropout meanwhile
# (about 10 min per run here: a step at batch 128 is 2.2x the FMNIST supernet's, 506 vs 227 ms,
# tools/analysis/benchmark_train_step.py).
#   python tools/data/make_fashion_mnist.py
#   python tools/train.py configs/single_path/single_path_fmnist.py \
#       --work-dir work_dirs/fmnist/single_path_s0 --cfg-options model.cost.target=7.0 randomness.seed=0
# The decoded architecture is <work_dir>/single_path_subnet.yaml; configs/compare/
# single_path_fmnist.py judges it with the Fashion-MNIST supernet beside the other methods.
_base_ = [
    '../_base_/models/single_path_unified.py',
    '../_base_/datasets/fashion_mnist_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
]
fmnist_macro = dict(
    widen_factor=0.5, stem_stride=2, head_channels=256,
    layer_channels=[[32, 1], [32, 1], [40, 2], [40, 1], [40, 1], [40, 1], [80, 2], [80, 1],
                    [80, 1], [80, 1], [96, 1], [96, 1], [96, 1], [96, 1], [192, 2], [192, 1],
                    [192, 1], [192, 1], [320, 1]])
model = dict(
    input_size=28,   # the cost table counts MFLOPs at 28x28
    backbone=dict(macro=fmnist_macro),
    cost=dict(target=7.0, delay_epochs=1))

param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=3, by_epoch=True, begin=0, end=3,
         convert_to_iter_based=True),
]
# the paper's learning rate 0.016 per 256 images, at batch 128
optim_wrapper = dict(optimizer=dict(lr=0.008))
train_dataloader = dict(batch_size=128)
train_cfg = dict(by_epoch=True, max_epochs=3, val_interval=3)
val_cfg = dict()
test_cfg = None
test_dataloader = None
test_evaluator = None
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1, save_last=True))
custom_hooks = [
    dict(type='mmsgnas.SinglePathSearchHook',
         recal_batches=2,
         recal_dataloader=dict(
             batch_size=256,
             num_workers=0,
             dataset=dict(type='mmsgnas.FashionMNISTSplit', data_root='data/fashion_mnist',
                          split='train', pipeline={{_base_.test_pipeline}}),
             sampler=dict(type='DefaultSampler', shuffle=False),
             persistent_workers=False)),
    dict(type='mmsgnas.ChannelsLastHook'),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW'),
]
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
