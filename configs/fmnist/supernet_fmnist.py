# Supernet training on Fashion-MNIST (CPU scale, for measurements digits cannot resolve): the
# model and training step of the ImageNet config on the 50,000-image supernet split, 28x28 inputs.
# What is cut, and why (2 CPU cores): half width (widen_factor 0.5, head 256 channels); the stem
# has stride 2 and the first searchable stage stride 1 (14x14 -> 14, 7, 4, 4, 2, 2: every stage
# keeps a map larger than 1x1, so kernel choices matter everywhere); 8 epochs at batch 128 (about
# 20 min here). FLOPs of the space at 28px: 3.0..12.4 MFLOPs, random architectures 5.6..8.3 (1-99 %).
#   python tools/data/make_fashion_mnist.py
#   python tools/train.py configs/fmnist/supernet_fmnist.py [--cfg-options randomness.seed=1]
_base_ = [
    '../_base_/models/sgnas_supernet.py',
    '../_base_/datasets/fashion_mnist_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
]

macro = dict(widen_factor=0.5, stem_stride=2, head_channels=256,
             layer_channels=[[32, 1], [32, 1], [40, 2], [40, 1], [40, 1], [40, 1], [80, 2],
                             [80, 1], [80, 1], [80, 1], [96, 1], [96, 1], [96, 1], [96, 1],
                             [192, 2], [192, 1], [192, 1], [192, 1], [320, 1]])
model = dict(
    paths_per_batch=1,
    # Nested kernel weights (k3, k5 = the centres of k7), as on digits: after 3 epochs (seed 0) the
    # reference path reached 82.2 % val top-1 and 10 random subnets 79.4 +- 2.0 %, against 63.4 %
    # and 50.2 +- 7.7 % with the paper's separate weights (README, Fashion-MNIST section)
    backbone=dict(macro=macro, kernel_weights='nested'),
    head=dict(num_classes=10, in_channels=256, topk=(1, )))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-5, nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=7, by_epoch=True, begin=1, end=8,
         convert_to_iter_based=True),
]
train_dataloader = dict(batch_size=128)
train_cfg = dict(by_epoch=True, max_epochs=8, val_interval=4)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1, save_last=True))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
# Stop at the first NaN / inf loss with an error naming the iteration and the loss terms.
custom_hooks = [
    # NHWC convs: faster steps on CPUs (tools/analysis/benchmark_memory_format.py)
    dict(type='mmsgnas.ChannelsLastHook'),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
