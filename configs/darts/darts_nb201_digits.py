# DARTS (first order) on NAS-Bench-201 at CPU scale, digits set (about 20 s per epoch on 2
# cores): the supernet of configs/nasbench201/supernet_nb201_digits.py (C=8, N=1), alpha [6 edges,
# 5 operations], softmax per edge. Each iteration: an alpha step (Adam) on a batch of the held-out
# val split, then a weight step (SGD) on a batch of the train split. CIFAR-10 is not available
# offline; the GPU config darts_nb201_cifar10.py trains at the benchmark's settings.
#   python tools/train.py configs/darts/darts_nb201_digits.py [--cfg-options randomness.seed=1]
#   python tools/search.py configs/darts/darts_nb201_digits.py \
#       work_dirs/darts_nb201_digits/epoch_20.pth [--resume] \
#       [--cfg-options search_cfg.method=magnitude search_cfg.out_dir=select_magnitude]
_base_ = ['./darts_unified_digits.py']
model = dict(
    backbone=dict(_delete_=True, type='mmsgnas.NasBench201Supernet', C=8, N=1),
    head=dict(in_channels=32))
max_epochs = 20
param_scheduler = dict(
    weights=[dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-3, by_epoch=True,
                  begin=0, end=max_epochs, convert_to_iter_based=True)],
    architecture=[])
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# DARTS-PT on NAS-Bench-201: 6 edges; one epoch of fine-tuning between edges (the paper: 5 on
# CIFAR-10).
search_cfg = dict(tune_iters=None, tune_epochs=1)
default_hooks = dict(checkpoint=dict(interval=5))
