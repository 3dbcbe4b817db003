# SGNAS's generator on the NAS-Bench-201 digits supernet (supernet_nb201_digits.py, frozen): a cell
# for any FLOPs target in 3..10 MFLOPs (C=8, N=1 at 32x32; the space spans 2.06..12.67, an edge
# adds 0, 0.197 or 1.77 MFLOPs), trained on the digits val split as the unified-space generator.
#   python tools/train.py configs/nasbench201/generator_nb201_digits.py \
#       --cfg-options model.supernet_checkpoint=work_dirs/supernet_nb201_digits/epoch_30.pth
#   python tools/search.py configs/nasbench201/generator_nb201_digits.py GENERATOR.pth --range 3 10 8
_base_ = ['./supernet_nb201_digits.py']

model = dict(
    _delete_=True,
    type='mmsgnas.GeneratorTrainer',
    supernet={{_base_.model}},
    supernet_checkpoint='work_dirs/supernet_nb201_digits/epoch_30.pth',
    generator=dict(type='mmsgnas.ArchitectureGenerator', channels=32),
    constraint_range=(3.0, 10.0),
    input_size=32,
    num_priors=1,
    loss_weight=10.0,
    over_weight=1.2,
    target_sampling='batch',
    supernet_bn='batch',
    # a cell's FLOPs take few values: a 1 % tolerance is often unreachable, the projection then
    # stops at the closest cell one edit can reach
    tolerance=0.05,
    val_targets=8)
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')

train_dataloader = dict(batch_size=32, dataset=dict(split='val'))
val_evaluator = dict(type='mmsgnas.GeneratorMetric', _delete_=True)
test_dataloader = None
test_evaluator = None
test_cfg = None

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3, betas=(0.5, 0.999), weight_decay=0.0))
param_scheduler = []
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=10)
custom_hooks = [
    dict(type='mmsgnas.ChannelsLastHook'),
    dict(type='mmsgnas.GumbelTemperatureHook', initial=5.0, decay=0.9, minimum=1.0),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1,
                                     save_last=True))
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', broadcast_buffers=False, find_unused_parameters=False)
