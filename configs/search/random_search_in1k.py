# Random search on the ImageNet supernet (paper Table 1 baseline): 1,000 uniform architectures
# under the budget, scored with inherited weights on 10 images per class of the held-out split
# (meta/train_heldout_search.txt, written by tools/data/split_imagenet_heldout.py) after BN
# recalibration on 20 batches of the supernet's training split.
#   bash tools/dist_search.sh configs/search/random_search_in1k.py SUPERNET.pth 8
_base_ = ['../supernet/sgnas_supernet_8xb32_in1k.py']

search_cfg = dict(
    type='mmsgnas.RandomSearchLoop',
    num_samples=1000,
    flops_budget=320.0,   # MFLOPs at 224x224
    input_size=224,
    dataloader=dict(
        batch_size=64, num_workers=5,
        dataset=dict(type='ImageNet', data_root='data/imagenet', split='train',
                     ann_file='meta/train_heldout_search.txt',
                     pipeline={{_base_.test_pipeline}}),
        sampler=dict(type='DefaultSampler', shuffle=False)),
    recal_dataloader=dict(
        batch_size=64, num_workers=5,
        dataset=dict(type='ImageNet', data_root='data/imagenet', split='train',
                     ann_file='meta/train_main.txt', pipeline={{_base_.test_pipeline}}),
        sampler=dict(type='DefaultSampler', shuffle=True)),
    recal_batches=20,
    cache_data=False,
    seed=0,
    save_interval=10,
    log_interval=10,
    out_dir='random_search')
