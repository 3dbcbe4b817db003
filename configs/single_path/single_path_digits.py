# Single-Path NAS (Stamoulis et al.) on the digits set (CPU, minutes): the SGNAS unified space
# with the demo supernet's half-width macro, each sub-block one 7x7 depthwise superkernel whose
# thresholds are the architecture. One training run is the search: cross-entropy (label smoothing
# 0.1) + the cost term, which is off for the first `delay_epochs` epochs (indicator dropout
# meanwhile, as the paper's warm-up). At the end SinglePathSearchHook writes the decoded
# architecture to <work_dir>/single_path_subnet.yaml (search time, MFLOPs and their error against
# the budget in its metadata) and the decisions of every epoch to single_path_decisions.json.
#   python tools/train.py configs/single_path/single_path_digits.py \
#       --cfg-options model.cost.target=7.5 randomness.seed=1
# The budget form (a penalty on log(Cost / target) when over the budget) compares searches at a
# budget; the paper's lambda * log(Cost) is model.cost.mode=log with model.cost.weight=lambda.
_base_ = [
    '../_base_/models/single_path_unified.py',
    '../_base_/datasets/digits_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
]
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, begin=0, end=30,
         convert_to_iter_based=True),
]
train_dataloader = dict(batch_size=32)
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=30)
val_cfg = dict()
test_cfg = None
test_dataloader = None
test_evaluator = None
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1, save_last=True))
custom_hooks = [
    # After every epoch (before the checkpoint and the validation) the hook re-estimates the BN
    # statistics of the decoded path on 4 x 64 training images without augmentation: the running
    # averages of training mix the paths of the indicator dropout and of the moving thresholds,
    # and a validation with them is at chance (10 % top-1 where the path reaches ~60 %).
    dict(type='mmsgnas.SinglePathSearchHook',
         recal_batches=4,
         recal_dataloader=dict(
             batch_size=64,
             num_workers=0,
             dataset=dict(type='ImageNet', data_root='data/digits', split='train',
                          classes={{_base_.classes}}, pipeline={{_base_.test_pipeline}}),
             sampler=dict(type='DefaultSampler', shuffle=False),
             persistent_workers=False)),
    # Stop at the first NaN / inf loss (checked every iteration; the error names the iteration
    # and the loss term).
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW'),
]
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
