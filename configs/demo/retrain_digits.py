# Retraining a searched network from scratch on the digits set (CPU): the backbone options of the
# paper's final models (SE, h-swish, dropout 0.2, label smoothing 0.1) on the digits macro of the
# demo supernet; SGD with cosine decay, 40 epochs (the ImageNet recipe of
# configs/retrain/sgnas_subnet_se_hswish_8xb32_in1k.py is for 500 epochs).
#   python tools/train.py configs/demo/retrain_digits.py \
#       --cfg-options model.backbone.subnet=work_dirs/demo/generated/subnet_009_8.500M.yaml
#   python tools/test.py configs/demo/retrain_digits.py work_dirs/retrain_digits/epoch_40.pth
_base_ = [
    '../_base_/models/sgnas_subnet_se_hswish.py',
    '../_base_/datasets/digits_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
]

subnet = 'configs/subnets/digits_example_8.5M.yaml'

model = dict(
    backbone=dict(subnet=subnet, macro=dict(widen_factor=0.5, stem_stride=1, head_channels=256)),
    head=dict(num_classes=10, in_channels=256, topk=(1, )))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=4e-5, nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=39, by_epoch=True, begin=1, end=40,
         convert_to_iter_based=True),
]
train_dataloader = dict(batch_size=32)
train_cfg = dict(by_epoch=True, max_epochs=40, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1, save_last=True))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
# Stop at the first NaN / inf loss (mmdet's hook, checked every iteration; the error names the iteration and loss term) instead of training on.
# NHWC convs (tools/analysis/benchmark_memory_format.py: 1.19x faster steps for the searched
# network on this CPU, no change for MobileNetV2); the values computed do not change
custom_hooks = [
    dict(type='mmsgnas.ChannelsLastHook'),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
