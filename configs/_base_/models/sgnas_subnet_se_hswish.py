# The stand-alone classifier of a searched subnet as the paper's final models (Table 2): SE in every
# block, h-swish, dropout 0.2 before the classifier, label smoothing 0.1. A config that inherits
# this sets `subnet` (a subnet file) and `model.backbone.subnet = subnet`.
model = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(
        type='mmsgnas.SearchedMobileNet',
        subnet=None,
        se=True,
        act_cfg=dict(type='HSwish'),
        macro=dict(widen_factor=1.0, stem_stride=2, head_channels=1280),
        out_indices=(-1, )),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmsgnas.DropoutLinearClsHead',
        num_classes=1000,
        in_channels=1280,
        dropout_rate=0.2,
        loss=dict(type='mmpretrain.LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, 5)))
