# WeakNAS in supernet mode on the digits demo supernet, scored like
# configs/demo/random_search_digits.py (inherited weights, BN recalibrated, val split): 10 random
# architectures within the budget, then rounds of 10 drawn from the predicted top 50 of a pool of
# 5,000 random architectures within the budget (the unified space is too large to enumerate), a new
# predictor fitted to every evaluated architecture each round; 100 queries.
#   python tools/search.py configs/demo/weaknas_digits.py work_dirs/demo/supernet/epoch_30.pth
# The predictor is gradient-boosted trees (scikit-learn; a fit takes well under a second on 100
# architectures); the paper's MLP: predictor=dict(type='mlp'); a random forest:
# type='random_forest'. The pool is drawn in vectorised batches under the budget: at the low end
# of the space (6.5 MFLOPs, 1 draw in 1,000 inside) 5,000 candidates take about 10 s.
_base_ = ['./random_search_digits.py']

search_cfg = dict(
    _delete_=True,
    type='mmsgnas.WeakNASSearchLoop',
    init_samples=10,
    samples_per_round=10,
    top_m=50,
    max_queries=100,
    pool_size=5000,
    predictor=dict(type='gbdt'),
    flops_budget=8.5,
    input_size=32,
    dataloader={{_base_.search_cfg.dataloader}},
    recal_dataloader={{_base_.search_cfg.recal_dataloader}},
    recal_batches=4,
    seed=0,
    save_interval=10,
    log_interval=10,
    out_dir='weaknas')
