# SGNAS on NAS-Bench-201 at CPU scale (paper Sec. 4.3, reduced): the NAS-Bench-201 weight-sharing
# supernet (every edge holds its 5 operations; uniform single-path sampling per batch) on the
# digits set, with the benchmark's macro reduced to C=8, N=1 (minutes per stage on 2 cores). The
# FLOPs ranking of cells does not depend on C and N (an edge costs 0, p or 9p, with the same p for
# every edge), so a FLOPs target maps to the same cells as at the benchmark's C=16, N=5.
# The supernet is trained on digits, not CIFAR-10: the cells it ranks well are good *on digits*;
# the benchmark's recorded accuracies then say how well that ranking transfers to CIFAR.
#   python tools/train.py configs/nasbench201/supernet_nb201_digits.py
# On CIFAR-10 with a GPU: the benchmark's macro (C=16, N=5) and mmpretrain's CIFAR10 dataset, as in
# configs/nasbench201/supernet_nb201_cifar10.py.
_base_ = [
    '../_base_/models/nasbench201_supernet.py',
    '../_base_/datasets/digits_bs64.py',
    'mmpretrain::_base_/default_runtime.py',
]

model = dict(backbone=dict(C=8, N=1), head=dict(in_channels=32))

# the benchmark's schedule shape: SGD, Nesterov momentum 0.9, weight decay 5e-4, cosine from 0.1
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True),
    clip_grad=dict(max_norm=5.0))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, begin=0, end=30,
                        convert_to_iter_based=True)]
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1, save_last=True))
train_dataloader = dict(batch_size=32)
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
custom_hooks = [
    # NHWC convs: faster steps on CPUs (tools/analysis/benchmark_memory_format.py)
    dict(type='mmsgnas.ChannelsLastHook'),
    dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW')]
