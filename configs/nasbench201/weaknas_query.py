# WeakNAS in query mode on NAS-Bench-201 with the paper's sampling settings: 10 random cells, then
# rounds of 10 drawn uniformly from the predicted top 100 of the whole space (one per isomorphism
# class, unevaluated), a new predictor fitted to all evaluated cells every round; 1,000 distinct
# networks, scored by the recorded CIFAR-10 validation accuracy (fair search).
#   python tools/search.py configs/nasbench201/weaknas_query.py [--resume]
# The predictor is gradient-boosted trees (scikit-learn, 100 trees of depth 3: ~0.1 s a fit on 1,000
# cells); the paper's MLP is predictor=dict(type='mlp', hidden=(1000, 1000, 1000, 1000),
# epochs=100, batch_size=200), ~16 s a fit on a CPU; a random forest is type='random_forest'.
_base_ = ['./random_search_query.py']

search_cfg = dict(
    _delete_=True,
    type='mmsgnas.WeakNASSearchLoop',
    space=dict(type='mmsgnas.NasBench201Space'),
    evaluator=dict(type='mmsgnas.BenchmarkEvaluator', dataset='cifar10', split='valid'),
    flops_budget=None,
    input_size=32,
    num_classes=10,
    init_samples=10,
    samples_per_round=10,
    top_m=100,
    max_queries=1000,
    predictor=dict(type='gbdt'),
    seed=0,
    save_interval=100,
    log_interval=100,
    out_dir='weaknas')
