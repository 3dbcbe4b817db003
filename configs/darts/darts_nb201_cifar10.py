# DARTS (first order) on NAS-Bench-201 with the benchmark's macro (C=16, N=5) on CIFAR-10, the
# settings of the NAS-Bench-201 paper's DARTS baseline as DARTS-PT reruns it: 50 epochs, batch 64,
# weights SGD lr 0.025 cosine to 1e-3, momentum 0.9, weight decay 3e-4, gradient norm 5; alpha
# Adam 3e-4, betas (0.5, 0.999), weight decay 1e-3; the weights train on the first half of the
# CIFAR-10 training set, alpha (and DARTS-PT's measurements) on the second half. DARTS-PT: one
# edge every 5 epochs of fine-tuning (the paper's 'proj_intv').
#   bash tools/dist_train.sh configs/darts/darts_nb201_cifar10.py 1
#   python tools/search.py configs/darts/darts_nb201_cifar10.py \
#       work_dirs/darts_nb201_cifar10/epoch_50.pth [--cfg-options search_cfg.method=magnitude]
# Not run here (no GPU, no CIFAR-10 offline); the CPU-scale version is darts_nb201_digits.py.
_base_ = [
    '../_base_/schedules/darts_first_order.py',
    'mmpretrain::_base_/datasets/cifar10_bs16.py',
    'mmpretrain::_base_/default_runtime.py',
]
first_half = list(range(25000))
second_half = list(range(25000, 50000))
model = dict(backbone=dict(type='mmsgnas.NasBench201Supernet', C=16, N=5),
             head=dict(in_channels=64))
train_dataloader = dict(batch_size=64, dataset=dict(indices=first_half))
arch_dataloader = dict(
    batch_size=64, num_workers=2,
    dataset=dict(type='CIFAR10', data_root='data/cifar10', split='train', indices=second_half,
                 pipeline={{_base_.train_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=True))
held_out_eval = dict(
    batch_size=256, num_workers=2,
    dataset=dict(type='CIFAR10', data_root='data/cifar10', split='train', indices=second_half,
                 pipeline={{_base_.test_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_dataloader = dict(batch_size=256)
max_epochs = 50
param_scheduler = dict(
    weights=[dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-3, by_epoch=True,
                  begin=0, end=max_epochs, convert_to_iter_based=True)],
    architecture=[])
train_cfg = dict(max_epochs=max_epochs, val_interval=10, arch_dataloader=arch_dataloader)
test_cfg = None
test_dataloader = None
test_evaluator = None
search_cfg = dict(
    dataloader=held_out_eval,
    tune_dataloader=dict(
        batch_size=64, num_workers=2,
        dataset=dict(type='CIFAR10', data_root='data/cifar10', split='train',
                     indices=first_half, pipeline={{_base_.train_pipeline}}),
        sampler=dict(type='DefaultSampler', shuffle=True)),
    tune_epochs=5,
    input_size=32)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=5, max_keep_ckpts=2,
                                     save_last=True))
