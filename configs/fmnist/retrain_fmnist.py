# Retraining a searched network from scratch on Fashion-MNIST (CPU): the backbone options of the
# paper's final models (SE, h-swish, dropout 0.2, label smoothing 0.1) on the Fashion-MNIST macro
# of configs/fmnist/supernet_fmnist.py; SGD with cosine decay, 10 epochs on the 50,000 training
# images (one short identical recipe for every architecture, as the NAS-Benchmark protocol asks).
#   python tools/train.py configs/fmnist/retrain_fmnist.py --cfg-options model.backbone.subnet=SUBNET.yaml
#   python tools/test.py configs/fmnist/retrain_fmnist.py work_dirs/retrain_fmnist/epoch_10.pth \
#       --cfg-options model.backbone.subnet=SUBNET.yaml
_base_ = [
    '../_base_/models/sgnas_subnet_se_hswish.py',
    '../_base_/datasets/fashion_mnist_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
]

subnet = 'configs/subnets/digits_example_8.5M.yaml'
macro = dict(widen_factor=0.5, stem_stride=2, head_channels=256,
             layer_channels=[[32, 1], [32, 1], [40, 2], [40, 1], [40, 1], [40, 1], [80, 2],
                             [80, 1], [80, 1], [80, 1], [96, 1], [96, 1], [96, 1], [96, 1],
                             [192, 2], [192, 1], [192, 1], [192, 1], [320, 1]])

model = dict(
    backbone=dict(subnet=subnet, macro=macro),
    head=dict(num_classes=10, in_channels=256, topk=(1, )))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-5, nesterov=True),
    paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=9, by_epoch=True, begin=1, end=10,
         convert_to_iter_based=True),
]
train_dataloader = dict(batch_size=128)
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=5)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', interval=5, max_keep_ckpts=1, save_last=True))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
custom_hooks = [
    # NHWC convs: faster steps on CPUs (tools/analysis/benchmark_memory_format.py)
    dict(type='mmsgnas.ChannelsLastHook'),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
