# Single-Path NAS (Stamoulis et al.) over the SGNAS unified space: each sub-block one 7x7 depthwise
# superkernel whose thresholds are the architecture; cross-entropy (label smoothing 0.1) + the cost
# term, off for the first `delay_epochs` epochs (indicator dropout meanwhile, as the paper's
# warm-up). The macro and input size are the digits demo's; a dataset config overrides them.
model = dict(
    type='mmsgnas.SinglePathNAS',
    input_size=32,   # the cost table counts MFLOPs at this input size
    backbone=dict(
        type='mmsgnas.SinglePathSupernet',
        macro=dict(widen_factor=0.5, stem_stride=1, head_channels=256),
        norm='rms',
        temperature=1.0,
        out_indices=(-1, )),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=10,
        in_channels=256,
        loss=dict(type='mmpretrain.LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, )),
    cost=dict(mode='budget', weight=1.0, target=8.5, delay_epochs=10),
    decision_drop=0.2)

# The paper's optimiser (RMSProp, decay 0.9, momentum 0.9, TF epsilon 1e-3 inside the square
# root ~ 0.0316 outside, weight decay 1e-5 except norms) with its learning rate 0.016 per 256
# images scaled to batch 32; the thresholds in their own parameter group.
optim_wrapper = dict(
    optimizer=dict(type='RMSprop', lr=0.002, alpha=0.9, momentum=0.9, eps=0.0316,
                   weight_decay=1e-5),
    paramwise_cfg=dict(norm_decay_mult=0.0,
                       custom_keys={'threshold': dict(lr_mult=1.0, decay_mult=0.0)}))
# Under DDP: the sub-blocks and rings the thresholds switch off get no gradient in that step.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
