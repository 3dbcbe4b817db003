# First-order DARTS, the parts every DARTS config shares: the DartsSupernet classifier (alpha
# [decisions, choices] near zero), DARTS's two optimisers (weights: SGD lr 0.025, momentum 0.9,
# weight decay 3e-4, gradient norm clipped at 5; alpha: Adam lr 3e-4, betas (0.5, 0.999), weight
# decay 1e-3), the loop that alternates an alpha step on a held-out batch with a weight step, the
# DDP wrapper for the two losses, and the DARTS-PT selection loop. A config adds the backbone,
# the data (train_dataloader, and train_cfg.arch_dataloader for the alpha steps), max_epochs with
# its cosine schedule, and the selection's data (search_cfg.dataloader, tune_dataloader).
model = dict(
    type='mmsgnas.DartsSupernet',
    fix_alpha=False,
    alpha_init_std=1e-3,
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
              loss=dict(type='mmpretrain.CrossEntropyLoss'), topk=(1, )))

optim_wrapper = dict(
    constructor='DartsOptimWrapperConstructor',
    weights=dict(type='OptimWrapper',
                 optimizer=dict(type='SGD', lr=0.025, momentum=0.9, weight_decay=3e-4),
                 clip_grad=dict(max_norm=5.0)),
    architecture=dict(type='OptimWrapper',
                      optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999),
                                     weight_decay=1e-3)))
train_cfg = dict(type='mmsgnas.DartsTrainLoop')
val_cfg = dict()

# DARTS-PT selection (method='magnitude' is DARTS's argmax alpha): decisions in random order
# (seed), every allowed choice masked and the supernet's accuracy measured, the most needed choice
# kept, fine-tuning between decisions.
search_cfg = dict(
    type='mmsgnas.DartsSelectionLoop',
    method='perturbation',
    tune_optimizer=dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=3e-4),
    tune_clip_grad=5.0,
    seed=0,
    out_dir='select_perturbation')

# Stop at the first NaN / inf loss (checked every iteration; the error names the iteration and
# the loss term).
custom_hooks = [dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
# DARTS's train_step (two optimisers) through DDP: both losses go through the wrapper.
model_wrapper_cfg = dict(type='mmsgnas.DartsDistributedDataParallel', broadcast_buffers=False,
                         find_unused_parameters=True)
