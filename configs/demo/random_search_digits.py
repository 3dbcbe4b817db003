# Random search on the digits demo supernet (CPU): 1,000 uniform architectures within the FLOPs
# budget, each scored with inherited weights on the val split after BN recalibration on 4 batches
# of the train split.
#   python tools/search.py configs/demo/random_search_digits.py work_dirs/demo/supernet/epoch_30.pth
#       [--cfg-options search_cfg.flops_budget=7.5] [--resume]
_base_ = ['./supernet_digits.py']

search_cfg = dict(
    type='mmsgnas.RandomSearchLoop',
    num_samples=1000,
    flops_budget=8.5,   # MFLOPs at 32x32
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
