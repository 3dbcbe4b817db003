# SGNAS's generator on the NAS-Bench-201 CIFAR-10 supernet (paper Sec. 4.3, Table 3, Fig. 5), for
# GPUs: the supernet of supernet_nb201_cifar10.py (C=16, N=5) frozen, a cell for any FLOPs target in
# 25..200 MFLOPs at 32x32 (the space spans 7.78..220.12; an edge adds 0, 3.93 or 35.39 MFLOPs summed
# over the 15 cells), trained on the 10,000 training images the supernet did not see, with the
# settings of the ImageNet generator (Adam 1e-3, Gumbel temperature 5 decayed x0.95 per epoch).
#   bash tools/dist_train.sh configs/nasbench201/generator_nb201_cifar10.py 4 \
#       --cfg-options model.supernet_checkpoint=work_dirs/supernet_nb201_cifar10/epoch_200.pth
#   python tools/search.py configs/nasbench201/generator_nb201_cifar10.py GENERATOR.pth --range 25 200 19
# The found cells are judged by the benchmark's recorded accuracies (configs/compare/ with a
# BenchmarkJudge, as configs/compare/nb201_digits.py). Not run here (no GPU); the CPU-scale
# version is generator_nb201_digits.py.
_base_ = ['./supernet_nb201_cifar10.py']

model = dict(
    _delete_=True,
    type='mmsgnas.GeneratorTrainer',
    supernet={{_base_.model}},
    supernet_checkpoint='work_dirs/supernet_nb201_cifar10/epoch_200.pth',
    generator=dict(type='mmsgnas.ArchitectureGenerator', channels=32),
    # the prior is drawn at the range's middle (112.5), which a cell must reach within 2 %: cell
    # FLOPs are 7.78 + 3.93 a + 35.39 b for a 1x1 and b 3x3 edges (113.95 with b = 3)
    constraint_range=(25.0, 200.0),
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

train_dataloader = dict(dataset=dict(indices=list(range(40000, 50000))))
val_evaluator = dict(type='mmsgnas.GeneratorMetric', _delete_=True)
test_dataloader = None
test_evaluator = None
test_cfg = None

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3, betas=(0.5, 0.999), weight_decay=0.0))
param_scheduler = []
auto_scale_lr = None
train_cfg = dict(by_epoch=True, max_epochs=50, val_interval=10)
custom_hooks = [
    dict(type='mmsgnas.GumbelTemperatureHook', initial=5.0, decay=0.95, minimum=1.0),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1,
                                     save_last=True))
