# Generator training on the digits supernet (CPU): the supernet of configs/demo/supernet_digits.py,
# frozen, loaded from the demo's checkpoint; the generator trains on the held-out val split.
_base_ = ['./supernet_digits.py']

model = dict(
    _delete_=True,
    type='mmsgnas.GeneratorTrainer',
    supernet={{_base_.model}},
    supernet_checkpoint='work_dirs/demo/supernet/epoch_30.pth',
    generator=dict(type='mmsgnas.ArchitectureGenerator', channels=32),
    constraint_range=(6.5, 10.5),   # MFLOPs at 32x32; random architectures span about 6.4..10.6
    input_size=32,
    num_priors=1,
    loss_weight=10.0,
    over_weight=1.2,
    # One architecture per batch, normalised with its own batch statistics: the generator then
    # optimises the accuracy an architecture has after BN recalibration, the way it is evaluated.
    target_sampling='batch',
    supernet_bn='batch',
    # The budget is costed on the argmax architecture (straight-through), as a relative absolute
    # error, averaged over 64 targets per step (one runs the supernet, the rest only G and the
    # cost table), with the temperature at its floor of 1 from epoch 16 (x0.9 per epoch, below)
    # and the learning rate annealed by a cosine over 60 epochs (below). Over 6 seeds the raw
    # argmax misses the budget by 0.73 % on average (2.3 % at the worst of 19 targets), and at 5
    # of them no two neighbouring targets decode to one network, where the paper's recipe
    # (cost_on='soft', constraint_error='squared', constraint_samples=1, x0.95, constant rate,
    # 30 epochs) missed by 4.1 % (10.8 %) (tools/analysis/compare_generator_recipes.py; README,
    # "The generator's own budget error").
    cost_on='argmax',
    constraint_error='absolute',
    constraint_samples=64,
    val_targets=19)
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')

train_dataloader = dict(batch_size=32, dataset=dict(split='val'))
val_evaluator = dict(type='mmsgnas.GeneratorMetric', _delete_=True)
test_dataloader = None
test_evaluator = None
test_cfg = None

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3, betas=(0.5, 0.999), weight_decay=0.0))
# Annealed to 1e-5 per iteration over the whole run (the runner sets `end` to the last epoch):
# at a constant rate the last steps still flip architectures near the targets, and one network
# served two neighbouring targets at most seeds
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=0,
                        convert_to_iter_based=True)]
train_cfg = dict(by_epoch=True, max_epochs=60, val_interval=20)
# Stop at the first NaN / inf loss (mmdet's hook, checked every iteration; the error names the iteration and loss term) instead of training on.
custom_hooks = [
    dict(type='mmsgnas.ChannelsLastHook'),
    dict(type='mmsgnas.GumbelTemperatureHook', initial=5.0, decay=0.9, minimum=1.0),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1,
                                     save_last=True))
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', broadcast_buffers=False, find_unused_parameters=False)
