# Supernet training on ImageNet with the paper's settings (Sec. 4.1): SGD, lr 0.045 with cosine
# decay (per iteration), batch 256 (8 GPUs x 32), 50 epochs, label smoothing 0.1.
# Weight decay 4e-4 and momentum 0.9 as in the authors' code (the paper does not give them).
_base_ = [
    '../_base_/models/sgnas_supernet.py',
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/default_runtime.py',
]

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.045, momentum=0.9, weight_decay=4e-4, nesterov=False),
    paramwise_cfg=dict(norm_decay_mult=0.0))
param_scheduler = dict(
    type='CosineAnnealingLR', T_max=50, by_epoch=True, begin=0, end=50, convert_to_iter_based=True)
train_cfg = dict(by_epoch=True, max_epochs=50, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3))
# Stop at the first NaN / inf loss (mmdet's hook, checked every iteration; the error names the iteration and loss term) instead of training on.
custom_hooks = [dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
