# The baseline backbone of paper Table 4 pretrained on ImageNet with the recipe the searched
# networks get (configs/retrain/sgnas_subnet_se_hswish_8xb32_in1k.py: RMSProp, warm-up then x0.97
# every 3 epochs, label smoothing 0.1, dropout 0.2, EMA, 500 epochs; tests/test_transfer_recipes.py
# holds the two equal apart from the model): mmpretrain's MobileNetV2 at widen 1.1, the width of
# configs/retinanet/retinanet_mobilenetv2_fpn_1x_coco.py.
#
#   bash tools/dist_train.sh configs/retrain/mobilenetv2_1.1x_8xb32_in1k.py 8
_base_ = [
    'mmpretrain::_base_/models/mobilenet_v2_1x.py',
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/default_runtime.py',
]

model = dict(
    type='mmpretrain.ImageClassifier',
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    backbone=dict(type='mmpretrain.MobileNetV2', widen_factor=1.1),
    head=dict(
        _delete_=True,
        type='mmsgnas.DropoutLinearClsHead',
        num_classes=1000,
        in_channels=1408,           # int(1280 * 1.1): MobileNetV2 widens its last conv above 1.0
        dropout_rate=0.2,
        loss=dict(type='mmpretrain.LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, 5)))

# The recipe of configs/retrain/sgnas_subnet_se_hswish_8xb32_in1k.py.
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
