# WeakNAS in supernet mode on the Fashion-MNIST supernet, scored like
# configs/fmnist/random_search_fmnist.py: 20 random architectures within the budget, then rounds of
# 10 drawn from the predicted top 50 of 5,000 random architectures within the budget; 100 queries
# (the same count as random search and evolution there).
_base_ = ['./random_search_fmnist.py']

search_cfg = dict(
    _delete_=True,
    type='mmsgnas.WeakNASSearchLoop',
    init_samples=20,
    samples_per_round=10,
    top_m=50,
    max_queries=100,
    pool_size=5000,
    predictor=dict(type='gbdt'),
    flops_budget=7.0,
    input_size=28,
    dataloader={{_base_.search_cfg.dataloader}},
    recal_dataloader={{_base_.search_cfg.recal_dataloader}},
    recal_batches=2,
    seed=0,
    save_interval=20,
    log_interval=20,
    out_dir='weaknas')
