# DARTS (first order) on the SGNAS unified space with the ImageNet macro (224x224, 19 layers x 6
# sub-blocks x [k3, k5, k7, skip]): weights on meta/train_main.txt, alpha (and DARTS-PT's
# measurements) on the held-out meta/train_heldout.txt (tools/data/split_imagenet_heldout.py, as
# the generator uses it). The soft forward runs every kernel of every sub-block, about 3x the
# memory and time of the largest single path: batch 32 per GPU. 50 epochs as the SGNAS supernet;
# DARTS's optimiser settings.
#   bash tools/dist_train.sh configs/darts/darts_unified_8xb32_in1k.py 8
#   bash tools/dist_search.sh configs/darts/darts_unified_8xb32_in1k.py \
#       work_dirs/darts_unified_8xb32_in1k/epoch_50.pth 8
# Not run here (no GPU, no ImageNet).
_base_ = [
    '../_base_/schedules/darts_first_order.py',
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(
    backbone=dict(type='mmsgnas.UnifiedSupernet', out_indices=(-1, )),
    head=dict(num_classes=1000, in_channels=1280,
              loss=dict(type='mmpretrain.LabelSmoothLoss', label_smooth_val=0.1,
                        mode='original'), topk=(1, 5)))
train_dataloader = dict(dataset=dict(ann_file='meta/train_main.txt'))
arch_dataloader = dict(
    batch_size=32, num_workers=5,
    dataset=dict(type='ImageNet', data_root='data/imagenet', split='train',
                 ann_file='meta/train_heldout.txt', pipeline={{_base_.train_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=True))
held_out_eval = dict(
    batch_size=64, num_workers=5,
    dataset=dict(type='ImageNet', data_root='data/imagenet', split='train',
                 ann_file='meta/train_heldout.txt', pipeline={{_base_.test_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=False))
# The SGNAS supernet's weight optimiser (SGD lr 0.045, weight decay 4e-5) with DARTS's clipping.
optim_wrapper = dict(weights=dict(optimizer=dict(lr=0.045, weight_decay=4e-5)))
max_epochs = 50
param_scheduler = dict(
    weights=[dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True, begin=0,
                  end=max_epochs, convert_to_iter_based=True)],
    architecture=[])
train_cfg = dict(max_epochs=max_epochs, val_interval=5, arch_dataloader=arch_dataloader)
test_cfg = None
test_dataloader = None
test_evaluator = None
# DARTS-PT: 114 decisions; 10 batches of the held-out split per measurement (every allowed
# choice of a decision is one measurement) and 200 iterations of fine-tuning between decisions.
search_cfg = dict(
    dataloader=held_out_eval,
    eval_batches=10,
    tune_dataloader=dict(
        batch_size=32, num_workers=5,
        dataset=dict(type='ImageNet', data_root='data/imagenet', split='train',
                     ann_file='meta/train_main.txt', pipeline={{_base_.train_pipeline}}),
        sampler=dict(type='DefaultSampler', shuffle=True)),
    tune_iters=200,
    tune_optimizer=dict(weight_decay=4e-5),
    input_size=224)
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3))
