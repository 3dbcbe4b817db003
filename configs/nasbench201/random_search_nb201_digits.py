# Random search on the NAS-Bench-201 digits supernet (supernet_nb201_digits.py): uniform cells
# within the FLOPs budget, each scored with inherited weights on the digits val split after BN
# recalibration on 4 batches of the train split.
#   python tools/search.py configs/nasbench201/random_search_nb201_digits.py SUPERNET.pth \
#       [--cfg-options search_cfg.flops_budget=6.0] [--resume]
_base_ = ['./supernet_nb201_digits.py']

search_cfg = dict(
    type='mmsgnas.RandomSearchLoop',
    num_samples=100,
    flops_budget=6.0,   # MFLOPs at 32x32 (C=8, N=1)
    input_size=32,
    dataloader={{_base_.val_dataloader}},
    recal_dataloader=dict(
        batch_size=64, num_workers=0,
        dataset=dict(type='ImageNet', data_root='data/digits', split='train',
                     classes={{_base_.classes}}, pipeline={{_base_.test_pipeline}}),
        sampler=dict(type='DefaultSampler', shuffle=True)),
    recal_batches=4,
    seed=0,
    save_interval=50,
    log_interval=50,
    out_dir='random_search')
