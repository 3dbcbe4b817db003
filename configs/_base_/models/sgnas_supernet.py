# The SGNAS unified supernet (ImageNet macro structure, 19 unified blocks) in an mmpretrain
# ImageClassifier whose training step samples uniform single paths.
model = dict(
    type='mmsgnas.SupernetClassifier',
    paths_per_batch=4,  # the authors accumulate the gradients of 4 paths per batch
    eval_subnet=None,   # validate a fixed seed-0 reference path; or a subnet file path
    backbone=dict(
        type='mmsgnas.UnifiedSupernet',
        macro=dict(widen_factor=1.0, stem_stride=2, head_channels=1280),
        out_indices=(-1, )),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=1000,
        in_channels=1280,
        loss=dict(type='mmpretrain.LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, 5)))

# A sampled path leaves most sub-blocks unused in each step.
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', broadcast_buffers=False, find_unused_parameters=True)
