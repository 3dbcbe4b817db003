# Single-Path NAS (Stamoulis et al.) on ImageNet over the SGNAS unified space (ImageNet macro, 19
# unified layers of 6 sub-blocks, each sub-block one 7x7 depthwise superkernel whose centre 5x5
# and 3x3 are the k5 / k3 candidates). One training run is the search, with the paper's search
# settings (the authors' nas-search code):
#   * 8 epochs at batch 1024 (8 GPUs x 128) = 10008 steps;
#   * loss = cross-entropy (label smoothing 0.1) + lambda * log(Cost), lambda = 0.02 x 1e3 = 20
#     (the code's scaling), Cost the differentiable FLOPs model of the path the thresholds select
#     (the paper's Pixel-1 runtime model in the authors' code; the log makes the gradient
#     independent of the unit); the cost term is off for the first 6255 steps (5 epochs), during
#     which each indicator is dropped with probability 0.4 (the code's keep probability 0.6);
#   * thresholds start at 0 and compare the plain L2 norm of the kernel weights;
#   * RMSProp (decay 0.9, momentum 0.9, TF epsilon 1e-3 inside the square root ~ 0.0316 outside),
#     lr 0.016 per 256 images -> 0.064 at 1024, no warm-up, x0.97 every 2.4 epochs (staircase);
#     L2 weight decay 1e-5 on every non-norm parameter (the thresholds included, as the code).
# Not reproduced: the weights' exponential moving average (decay 0.9999) and the 0.2 dropout
# before the classifier. At the end SinglePathSearchHook writes the decoded architecture to
# <work_dir>/single_path_subnet.yaml and the decisions of every epoch to
# single_path_decisions.json; retrain it with the configs/retrain configs.
_base_ = [
    '../_base_/models/single_path_unified.py',
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/default_runtime.py',
]

model = dict(
    input_size=224,   # the cost table counts MFLOPs at 224x224
    backbone=dict(macro=dict(widen_factor=1.0, stem_stride=2, head_channels=1280), norm='l2'),
    head=dict(num_classes=1000, in_channels=1280, topk=(1, 5)),
    cost=dict(_delete_=True, mode='log', weight=20.0, target=None, delay_iters=6255),
    decision_drop=0.4)

# The base's RMSProp at the paper's batch 1024; the thresholds decayed as the authors' code does.
optim_wrapper = dict(
    optimizer=dict(lr=0.064),
    paramwise_cfg=dict(custom_keys={'threshold': dict(decay_mult=1.0)}))
# 1251 steps per epoch at batch 1024; x0.97 every 2.4 epochs = 3002 steps.
param_scheduler = [dict(type='StepLR', step_size=3002, gamma=0.97, by_epoch=False)]

train_dataloader = dict(batch_size=128)
val_dataloader = dict(batch_size=128)
test_dataloader = val_dataloader
train_cfg = dict(by_epoch=True, max_epochs=8, val_interval=1)
val_cfg = dict()
test_cfg = dict()
# The paper's lr is for batch 1024; scaled automatically with --auto-scale-lr.
auto_scale_lr = dict(base_batch_size=1024)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3, save_last=True))
custom_hooks = [
    # BN statistics of the decoded path re-estimated after every epoch (before the checkpoint and
    # the validation) on 8 x 128 training images per GPU with the test pipeline: the running
    # averages of training mix the paths of the indicator dropout and of the moving thresholds.
    dict(type='mmsgnas.SinglePathSearchHook',
         recal_batches=8,
         recal_dataloader=dict(
             batch_size=128,
             num_workers=5,
             dataset=dict(type='ImageNet', data_root='data/imagenet', split='train',
                          pipeline={{_base_.test_pipeline}}),
             sampler=dict(type='DefaultSampler', shuffle=False))),
    # Stop at the first NaN / inf loss (checked every iteration; the error names the iteration
    # and the loss term).
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW'),
]
