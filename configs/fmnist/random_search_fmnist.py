# Random search on the Fashion-MNIST supernet: architectures within the budget scored with
# inherited weights on the first 2,000 images of the held-out split after BN recalibration on
# 2 batches of 256 training images (the test split is for reporting only).
#   python tools/search.py configs/fmnist/random_search_fmnist.py SUPERNET.pth \
#       [--cfg-options search_cfg.flops_budget=6.5]
_base_ = ['./supernet_fmnist.py']

search_cfg = dict(
    type='mmsgnas.RandomSearchLoop',
    num_samples=100,
    flops_budget=7.0,   # MFLOPs at 28x28
    input_size=28,
    dataloader=dict(
        batch_size=250, num_workers=0,
        dataset=dict(type='mmsgnas.FashionMNISTSplit', data_root='data/fashion_mnist',
                     split='val', indices=2000, pipeline={{_base_.test_pipeline}}),
        sampler=dict(type='DefaultSampler', shuffle=False)),
    recal_dataloader=dict(
        batch_size=256, num_workers=0,
        dataset=dict(type='mmsgnas.FashionMNISTSplit', data_root='data/fashion_mnist',
                     split='train', pipeline={{_base_.test_pipeline}}),
        sampler=dict(type='DefaultSampler', shuffle=True)),
    recal_batches=2,
    seed=0,
    save_interval=20,
    log_interval=20,
    out_dir='random_search')
