# The baseline of paper Table 4 on COCO 2017: mmdet's RetinaNet R-50 1x config with mmpretrain's
# MobileNetV2 as the backbone, widened (1.1) so that its backbone FLOPs at the 800x1333 input are
# within 10 % of the searched backbone's (6,675 MFLOPs against 7,062 for
# configs/subnets/digits_example_8.5M.yaml in configs/retinanet/retinanet_sgnas_fpn_1x_coco.py;
# check a subnet of your own with `python tools/analysis/get_flops.py CONFIG` on both configs),
# initialised from the classifier of configs/retrain/mobilenetv2_1.1x_8xb32_in1k.py (the SGNAS
# retrain recipe), with the recipe of the SGNAS config (tests/test_transfer_recipes.py holds the
# two equal apart from the backbone).
#
#   bash tools/dist_train.sh configs/retinanet/retinanet_mobilenetv2_fpn_1x_coco.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/mobilenetv2_1.1x_8xb32_in1k/epoch_500.pth
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_1x_coco.py']

backbone_checkpoint = 'work_dirs/mobilenetv2_1.1x_8xb32_in1k/epoch_500.pth'  # retrained

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.MobileNetV2',
        widen_factor=1.1,
        out_indices=(2, 4, 6),      # stride 8, 16, 32: 32, 104, 352 channels
        frozen_stages=-1,
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint=backbone_checkpoint, prefix='backbone.')),
    neck=dict(in_channels=[32, 104, 352], start_level=0, add_extra_convs='on_input', num_outs=5))

train_dataloader = dict(batch_size=2)
# The backbone owns parameters the detector never uses (conv2, the classifier head conv past the
# last of out_indices); DDP must be told, or it fails on the second iteration waiting for their
# gradients.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
# mmdet's SGD schedule (lr 0.01 at batch 16), with the gradient clipping mmdet uses for
# light-backbone detectors (max_norm 35): a guard against the early loss spikes of a detector
# whose head starts from random weights
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=16)
# Stop at the first NaN / inf loss (mmdet's hook, checked every iteration; the error names the iteration and loss term) instead of training on.
custom_hooks = [dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
