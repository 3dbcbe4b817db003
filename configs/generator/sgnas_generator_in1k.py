# Generator training on ImageNet with the paper's settings (Sec. 4.1, Algorithm 1): the supernet of
# configs/supernet/sgnas_supernet_8xb32_in1k.py frozen, targets uniform in 270..450 MFLOPs at
# 224x224, Adam lr 1e-3 (betas 0.5, 0.999 as the authors), 50 epochs, Gumbel temperature 5 decayed
# x0.95 per epoch, on the part of the training set held out from supernet training.
#
# The held-out split: `python tools/data/split_imagenet_heldout.py data/imagenet` writes
# meta/train_heldout.txt (20% per class) and meta/train_main.txt; train the supernet on the latter
# with --cfg-options train_dataloader.dataset.ann_file=meta/train_main.txt.
_base_ = ['../supernet/sgnas_supernet_8xb32_in1k.py']

model = dict(
    _delete_=True,
    type='mmsgnas.GeneratorTrainer',
    supernet={{_base_.model}},
    supernet_checkpoint='work_dirs/sgnas_supernet_8xb32_in1k/epoch_50.pth',
    generator=dict(type='mmsgnas.ArchitectureGenerator', channels=32),
    constraint_range=(270.0, 450.0),
    input_size=224,
    num_priors=1,
    loss_weight=10.0,
    over_weight=1.2,
    # One architecture per batch, normalised with its own batch statistics: the generator then
    # optimises the accuracy an architecture has after BN recalibration, the way it is evaluated.
    target_sampling='batch',
    supernet_bn='batch',
    val_targets=5)
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')

train_dataloader = dict(dataset=dict(split='train', ann_file='meta/train_heldout.txt'))
val_evaluator = dict(type='mmsgnas.GeneratorMetric', _delete_=True)
test_dataloader = None
test_evaluator = None
test_cfg = None

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3, betas=(0.5, 0.999), weight_decay=0.0))
param_scheduler = []
train_cfg = dict(by_epoch=True, max_epochs=50, val_interval=5)
# Stop at the first NaN / inf loss (mmdet's hook, checked every iteration; the error names the iteration and loss term) instead of training on.
custom_hooks = [
    dict(type='mmsgnas.GumbelTemperatureHook', initial=5.0, decay=0.95, minimum=1.0),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', broadcast_buffers=False, find_unused_parameters=False)
