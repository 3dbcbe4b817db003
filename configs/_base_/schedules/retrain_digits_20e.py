# The classifier pretraining recipe of the digits transfer comparison, shared by the searched
# network (configs/demo/retrain_digits.py) and the MobileNetV2 baseline
# (configs/demo/retrain_mobilenetv2_digits.py): the digits set, SGD (Nesterov, lr 0.05, batch 32)
# with one warm-up epoch and cosine decay, 20 epochs (seeds 0-2: test top-1 as at 40 epochs within
# the seed spread, in half the time; the detectors started from them differ: README, transfer over
# seeds), no weight decay on norms.
_base_ = [
    '../datasets/digits_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
]

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=4e-5, nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=19, by_epoch=True, begin=1, end=20,
         convert_to_iter_based=True),
]
train_dataloader = dict(batch_size=32)
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1, save_last=True))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
# NHWC convs (tools/analysis/benchmark_memory_format.py: 1.19x faster steps for the searched
# network on this CPU, no change for MobileNetV2; the values computed do not change), and a stop
# at the first NaN / inf loss (mmdet's hook, checked every iteration; the error names the
# iteration and loss term) instead of training on.
custom_hooks = [
    dict(type='mmsgnas.ChannelsLastHook'),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
