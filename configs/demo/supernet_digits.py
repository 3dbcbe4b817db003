# The small CPU version of supernet training: the same model and training step as the ImageNet
# config, on the digits set (32x32 inputs), with a half-width supernet whose stem keeps stride 1.
_base_ = [
    '../_base_/models/sgnas_supernet.py',
    '../_base_/datasets/digits_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
]

model = dict(
    paths_per_batch=1,
    # Nested kernel weights (k3, k5 = the centres of k7; checkpoints keep the one format): with
    # the paper's separate weights per kernel this supernet stays near chance for all 30 epochs
    # (reference path val top-1 10.0 / 10.0 / 10.0 % at epochs 10 / 20 / 30, seed 0; 10.6 /
    # 10.6 / 12.0 %, seed 1); nested: 92.8 / 95.0 / 96.4 % and 78.8 / 90.8 / 92.5 % (README,
    # "Why the digits supernet did not learn")
    backbone=dict(macro=dict(widen_factor=0.5, stem_stride=1, head_channels=256),
                  kernel_weights='nested'),
    head=dict(num_classes=10, in_channels=256, topk=(1, )))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=4e-5, nesterov=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=29, by_epoch=True, begin=1, end=30,
         convert_to_iter_based=True),
]
# 30 epochs (1,020 steps) keep the main job (tools/run_demo.sh) within 30 min on a 2-core CPU
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=2, save_last=True))
train_dataloader = dict(batch_size=32)
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
# Stop at the first NaN / inf loss (mmdet's hook, checked every iteration; the error names the iteration and loss term) instead of training on.
custom_hooks = [
    # NHWC convs: faster steps on CPUs (tools/analysis/benchmark_memory_format.py)
    dict(type='mmsgnas.ChannelsLastHook'),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
