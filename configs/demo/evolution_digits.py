# Evolution (SPOS defaults: population 50, top-10, 20 generations, mutation probability 0.1) on the
# digits demo supernet, scored like configs/demo/random_search_digits.py.
#   python tools/search.py configs/demo/evolution_digits.py work_dirs/demo/supernet/epoch_30.pth
_base_ = ['./random_search_digits.py']

search_cfg = dict(
    _delete_=True,
    type='mmsgnas.EvolutionSearchLoop',
    population_size=50,
    top_k=10,
    max_generations=20,
    num_mutation=25,
    num_crossover=25,
    mutation_prob=0.1,
    flops_budget=8.5,
    input_size=32,
    dataloader={{_base_.search_cfg.dataloader}},
    recal_dataloader={{_base_.search_cfg.recal_dataloader}},
    recal_batches=4,
    seed=0,
    save_interval=50,
    log_interval=50,
    out_dir='evolution')
