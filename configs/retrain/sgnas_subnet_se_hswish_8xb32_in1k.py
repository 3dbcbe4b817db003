# Retraining a searched network from scratch on ImageNet with the paper's recipe (Sec. 4.1 and the
# authors' code): SE in every block and h-swish (Table 2 models), RMSProp (alpha 0.9, momentum 0.9),
# lr warm-up from 0 to 0.16 over 5 epochs at batch 256 then x0.97 every 3 epochs, weight decay 1e-5,
# label smoothing 0.1, dropout 0.2 before the classifier, EMA of the weights (decay 0.99995 per
# step), 500 epochs as in the authors' code (the paper gives no epoch count).
#
#   bash tools/dist_train.sh configs/retrain/sgnas_subnet_se_hswish_8xb32_in1k.py 8 \
#       --cfg-options model.backbone.subnet=work_dirs/sgnas_abc/subnet_001_326.000M.yaml
_base_ = [
    '../_base_/models/sgnas_subnet_se_hswish.py',
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/default_runtime.py',
]

subnet = 'work_dirs/sgnas_abc/subnet_001_326.000M.yaml'   # a subnet file from tools/search.py

model = dict(backbone=dict(subnet=subnet))

optim_wrapper = dict(
    optimizer=dict(type='RMSprop', lr=0.16, alpha=0.9, momentum=0.9, eps=0.0316,
                   weight_decay=1e-5),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='StepLR', by_epoch=True, step_size=3, gamma=0.97, begin=5, end=500),
]
train_cfg = dict(by_epoch=True, max_epochs=500, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
# Stop at the first NaN / inf loss (mmdet's hook, checked every iteration; the error names the iteration and loss term) instead of training on.
custom_hooks = [
    dict(type='EMAHook', momentum=5e-5, priority='ABOVE_NORMAL'),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=5, max_keep_ckpts=3))
