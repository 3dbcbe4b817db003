# RetinaNet with a searched backbone on COCO 2017 (paper Sec. 4.4, Table 4): mmdet's RetinaNet R-50
# 1x config with the backbone replaced by the stand-alone searched network (SE, h-swish, as
# retrained by configs/retrain/sgnas_subnet_se_hswish_8xb32_in1k.py) feeding FPN from its
# stride-8/16/32 stage outputs. SGD lr 0.01 momentum 0.9 wd 1e-4, 12 epochs, lr x0.1 after epochs
# 8 and 11, batch 16 (8 GPUs x 2), train2017 / val2017, mmdet's CocoMetric.
#
#   bash tools/dist_train.sh configs/retinanet/retinanet_sgnas_fpn_1x_coco.py 8 --cfg-options \
#       model.backbone.subnet=work_dirs/sgnas_abc/subnet_001_326.000M.yaml \
#       model.backbone.init_cfg.checkpoint=work_dirs/sgnas_subnet_se_hswish_8xb32_in1k/epoch_500.pth
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_1x_coco.py']

subnet = 'work_dirs/sgnas_abc/subnet_001_326.000M.yaml'          # a subnet file
backbone_checkpoint = 'work_dirs/sgnas_subnet_se_hswish_8xb32_in1k/epoch_500.pth'  # retrained

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmsgnas.SearchedMobileNet',
        subnet=subnet,
        se=True,
        act_cfg=dict(type='HSwish'),
        macro=dict(widen_factor=1.0, stem_stride=2, head_channels=1280),
        out_indices=(1, 3, 5),      # stride 8, 16, 32: 40, 96, 320 channels
        frozen_stages=-1,
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint=backbone_checkpoint, prefix='backbone.')),
    neck=dict(in_channels=[40, 96, 320], start_level=0, add_extra_convs='on_input', num_outs=5))

train_dataloader = dict(batch_size=2)
# The backbone owns parameters the detector never uses (its classifier head conv, past the last of
# out_indices); DDP must be told, or it fails on the second iteration waiting for their gradients.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
# mmdet's SGD schedule (lr 0.01 at batch 16), with the gradient clipping mmdet uses for
# light-backbone detectors (max_norm 35): a guard against the early loss spikes of a detector
# whose head starts from random weights
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=16)
# Stop at the first NaN / inf loss (mmdet's hook, checked every iteration; the error names the iteration and loss term) instead of training on.
custom_hooks = [dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
