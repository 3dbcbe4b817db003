# DARTS (first order) on the SGNAS unified space, digits set (CPU, about 2 minutes per epoch on
# 2 cores): the demo supernet's half-width macro (so the selected architecture runs on the SGNAS
# digits supernet and its FLOPs table), alpha [19 * 6 sub-blocks, 4 = k3, k5, k7, skip], softmax
# per sub-block over its allowed choices and the space's structure (a skip ends the layer; the
# first two sub-blocks of a layer are never skip). Each iteration: an alpha step (Adam) on a batch
# of the held-out val split, then a weight step (SGD) on a batch of the train split.
#   python tools/train.py configs/darts/darts_unified_digits.py [--cfg-options randomness.seed=1]
# Selection (search_cfg below; perturbation = DARTS-PT, or magnitude = DARTS's argmax):
#   python tools/search.py configs/darts/darts_unified_digits.py \
#       work_dirs/darts_unified_digits/epoch_6.pth [--resume] \
#       [--cfg-options search_cfg.method=magnitude search_cfg.out_dir=select_magnitude]
_base_ = [
    '../_base_/schedules/darts_first_order.py',
    '../_base_/datasets/digits_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(
    backbone=dict(
        type='mmsgnas.UnifiedSupernet',
        macro=dict(widen_factor=0.5, stem_stride=1, head_channels=256),
        out_indices=(-1, )),
    head=dict(in_channels=256))

# The held-out split the alpha steps (and DARTS-PT's measurements) use: digits val, with the
# training augmentation for the alpha steps.
arch_dataloader = dict(
    batch_size=32,
    num_workers=0,
    dataset=dict(type='ImageNet', data_root='data/digits', split='val',
                 classes={{_base_.classes}}, pipeline={{_base_.train_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=True),
    persistent_workers=False)
train_dataloader = dict(batch_size=32)

max_epochs = 6
param_scheduler = dict(
    weights=[dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-3, by_epoch=True,
                  begin=0, end=max_epochs, convert_to_iter_based=True)],
    architecture=[])
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs, arch_dataloader=arch_dataloader)
test_cfg = None
test_dataloader = None
test_evaluator = None

# DARTS-PT selection on the trained supernet, scored on the val split; a few iterations of
# fine-tuning between decisions (the paper: 5 epochs between edges on CIFAR-10; the unified space
# has 114 decisions).
search_cfg = dict(
    dataloader={{_base_.val_dataloader}},
    eval_batches=None,
    tune_dataloader=dict(
        batch_size=32, num_workers=0,
        dataset=dict(type='ImageNet', data_root='data/digits', split='train',
                     classes={{_base_.classes}}, pipeline={{_base_.train_pipeline}}),
        sampler=dict(type='DefaultSampler', shuffle=True)),
    tune_iters=2,
    input_size=32)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1, save_last=True))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
