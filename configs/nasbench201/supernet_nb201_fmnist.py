# The NAS-Bench-201 cell supernet on Fashion-MNIST (CPU scale): the digits config's supernet
# (C=8, N=1: the benchmark's network is C=16, N=5; cut for 2 CPU cores) on the 50,000-image
# supernet split at 28x28, batch 128, 5 epochs (the digits config's 30 epochs see 32,000 images;
# these see 250,000). One uniformly sampled cell per step, as the digits config. Measured here
# (seed 0): 3.0 min; training loss 2.05 -> 0.63; the seed-0 reference cell 55.81 % val top-1.
# A step at batch 128 is 69.5 ms, 0.26x the unified Fashion-MNIST supernet's (benchmark_train_step).
#   python tools/data/make_fashion_mnist.py
#   python tools/train.py configs/nasbench201/supernet_nb201_fmnist.py --work-dir work_dirs/fmnist/nb201_supernet
_base_ = [
    '../_base_/models/nasbench201_supernet.py',
    '../_base_/datasets/fashion_mnist_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
]

model = dict(backbone=dict(C=8, N=1), head=dict(in_channels=32))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True),
    clip_grad=dict(max_norm=5.0))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=5, by_epoch=True, begin=0, end=5,
                        convert_to_iter_based=True)]
train_cfg = dict(by_epoch=True, max_epochs=5, val_interval=5)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1, save_last=True))
train_dataloader = dict(batch_size=128)
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
custom_hooks = [
    dict(type='mmsgnas.ChannelsLastHook'),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
