# SGNAS on NAS-Bench-201 (paper Sec. 4.3): the weight-sharing supernet of the benchmark's macro
# (C=16, N=5) trained with uniform single-path sampling on CIFAR-10 (mmpretrain's CIFAR10 dataset,
# data/cifar10), with the benchmark's own training settings: SGD with Nesterov momentum 0.9, weight
# decay 5e-4, lr 0.1 cosine to 0, batch 256 (4 GPUs x 64), random crop and flip. The supernet trains
# on the first 40,000 training images; the last 10,000 are held out for the generator
# (generator_nb201_cifar10.py), as the held-out splits of the ImageNet and Fashion-MNIST configs.
#   bash tools/dist_train.sh configs/nasbench201/supernet_nb201_cifar10.py 4
# Not run here (no GPU); the CPU-scale version is supernet_nb201_digits.py.
_base_ = [
    '../_base_/models/nasbench201_supernet.py',
    'mmpretrain::_base_/datasets/cifar10_bs16.py',
    'mmpretrain::_base_/default_runtime.py',
]

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True),
    clip_grad=dict(max_norm=5.0))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=200, by_epoch=True, begin=0, end=200,
                        convert_to_iter_based=True)]
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=10)
val_cfg = dict()
test_cfg = dict()
train_dataloader = dict(batch_size=64, dataset=dict(indices=40000))
val_dataloader = dict(batch_size=256)
test_dataloader = dict(batch_size=256)
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=2,
                                     save_last=True))
custom_hooks = [dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
