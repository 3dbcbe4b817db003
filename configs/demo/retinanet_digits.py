# RetinaNet with a searched backbone on the digits-COCO set (CPU): the COCO config of
# configs/retinanet/ on 128x128 canvases of handwritten digits (10 classes), with the digits macro
# of the demo at stem stride 2 (the classifier of configs/demo/retrain_digits.py has stride 1 at
# 32x32; the weights are the same, a 128 px canvas is 4x the area and the stride-2 stem keeps the
# FLOPs at 4x those of the classifier instead of 16x): stage outputs at strides 4, 8, 16, 16, 32, 32,
# FPN from the stride-8/16/32 outputs (24, 48, 160 channels) with 64 channels (P3-P7), a 64-channel
# head of two convs with GroupNorm, anchors from 16 px, the backbone initialised from the digits
# classifier.
#   python tools/train.py configs/demo/retinanet_digits.py --cfg-options \
#       model.backbone.init_cfg.checkpoint=work_dirs/retrain_digits/epoch_20.pth
#   python tools/test.py configs/demo/retinanet_digits.py work_dirs/retinanet_digits/epoch_12.pth
_base_ = ['../retinanet/retinanet_sgnas_fpn_1x_coco.py']

subnet = 'configs/subnets/digits_example_8.5M.yaml'
backbone_checkpoint = 'work_dirs/retrain_digits/epoch_20.pth'
data_root = 'data/digits_coco/'
metainfo = dict(classes=tuple(str(digit) for digit in range(10)))

model = dict(
    # the normalisation the backbone was pretrained with (configs/_base_/datasets/digits_bs64.py)
    data_preprocessor=dict(mean=[78.0, 78.0, 78.0], std=[81.0, 81.0, 81.0], bgr_to_rgb=False,
                           pad_size_divisor=32),
    backbone=dict(
        subnet=subnet,
        macro=dict(widen_factor=0.5, stem_stride=2, head_channels=256),
        out_indices=(1, 3, 5),      # stride 8, 16, 32: 24, 48, 160 channels
        # stem, first block and the stride-4 stage frozen (everything before the first FPN input,
        # as mmdet's RetinaNet freezes ResNet's stem and first stage): 0.84x the time per canvas
        frozen_stages=1,
        norm_eval=False,    # BN trains on the canvases; PreciseBNHook below fixes its statistics
        init_cfg=dict(type='Pretrained', checkpoint=backbone_checkpoint, prefix='backbone.')),
    neck=dict(in_channels=[24, 48, 160], out_channels=64),
    bbox_head=dict(
        num_classes=10, in_channels=64, feat_channels=64, stacked_convs=2,
        # GroupNorm in the head's convs (as FCOS / ATSS heads have): without it the head sat on
        # the focal loss's start plateau (loss_cls ~1.1) for a random 1-3 epochs of the 12, and
        # the seeds that left it late ended 0.15-0.18 mAP lower
        norm_cfg=dict(type='GN', num_groups=16, requires_grad=True),
        anchor_generator=dict(octave_base_scale=2, strides=[8, 16, 32, 64, 128])))

# The canvases are 128x128 already; Resize to the same size records the scale factor mmdet needs.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=metainfo, ann_file='annotations/instances_train.json',
                 data_prefix=dict(img='train/'), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=metainfo, ann_file='annotations/instances_val.json',
                 data_prefix=dict(img='val/'), pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator

# batch 32 at lr 0.04 (the COCO recipe's 0.02 at batch 16, scaled linearly): 0.85x the time per
# canvas; with the frozen stages 0.66-0.72x, and 0.04 mAP lower over 3 seeds (README, transfer
# over seeds); clip_grad (max_norm 35) from the COCO config
optim_wrapper = dict(optimizer=dict(lr=0.04))
train_cfg = dict(max_epochs=12, val_interval=12)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', interval=4, max_keep_ckpts=1, save_last=True))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
custom_hooks = [
    # NHWC convs: 1.2-1.3x faster training steps on this CPU
    # (tools/analysis/benchmark_memory_format.py); the values computed do not change
    dict(type='mmsgnas.ChannelsLastHook'),
    # BN statistics: the running averages collected while the weights change do not fit the final
    # weights (the same detector scored far higher with each test batch's own statistics), so
    # after the last epoch, before the checkpoint and the validation, they are re-estimated on
    # 1,024 canvases with the final weights (mmpretrain's PreciseBNHook, made to work with mmdet's
    # loaders)
    dict(type='mmsgnas.PreciseBNHook', num_samples=1024, interval=12),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
randomness = dict(seed=0)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),  # 1.6 epochs
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1),
]
